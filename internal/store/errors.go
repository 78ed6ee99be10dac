package store

import "errors"

// Sentinel errors. Implementations wrap them with context, so callers test
// with errors.Is.
var (
	// ErrNotFound reports that the requested row does not exist (or, for
	// sessions and access tokens, has expired).
	ErrNotFound = errors.New("not found")
	// ErrConflict reports that a write would break a uniqueness or
	// referential rule: a duplicate slug, email, id or membership, a
	// reference to a row that does not exist, or a delete of a row still
	// referenced.
	ErrConflict = errors.New("conflict")
	// ErrInvalid reports input the store refuses before touching the
	// database: a malformed slug, an unknown role or format, a missing
	// required field.
	ErrInvalid = errors.New("invalid")
)

// Error carries one of the sentinel errors together with the underlying
// driver error, so that errors.Is matches both and the message keeps the
// database's explanation.
type Error struct {
	Kind error // ErrNotFound, ErrConflict or ErrInvalid
	Op   string
	Err  error // driver error, may be nil
}

func (e *Error) Error() string {
	if e.Err == nil {
		return e.Op + ": " + e.Kind.Error()
	}
	return e.Op + ": " + e.Kind.Error() + ": " + e.Err.Error()
}

// Unwrap exposes both the kind and the driver error to errors.Is and
// errors.As.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// invalid returns an ErrInvalid error for operation op.
func invalid(op, msg string) error {
	return &Error{Kind: ErrInvalid, Op: op, Err: errors.New(msg)}
}
