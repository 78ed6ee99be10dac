package sqlcore

import (
	"context"
	"fmt"
	"time"
)

// Conn runs statements. Queries use '?' placeholders; the backend rebinds
// them if its driver needs another style. Time arguments arrive as UTC
// time.Time (or nil) and the backend converts them to its column type.
type Conn interface {
	Exec(ctx context.Context, query string, args ...any) (rowsAffected int64, err error)
	Query(ctx context.Context, query string, args ...any) (Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) Row
}

// Rows iterates over a result set.
type Rows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
	Close()
}

// Row is a single-row result; Scan reports the driver's no-rows error when
// there is none.
type Row interface {
	Scan(dest ...any) error
}

// Tx is a Conn bound to one transaction.
type Tx interface {
	Conn
	Commit(ctx context.Context) error
	Rollback(ctx context.Context) error
}

// Deferrer is implemented by a Tx that can hold statements back: a
// statement whose outcome nothing waits for (an INSERT of rows the
// transaction only writes) is queued and sent together with the next
// statement whose result the caller needs, or with the commit, in one
// round trip. On PostgreSQL each statement otherwise costs a round trip
// to the server, and those, not the rows, were most of a batch
// transaction's cost.
//
// A queued statement that fails makes the statement it travels with (or
// the commit) fail, with an error naming op; the transaction is then
// aborted, as it would be anyway.
type Deferrer interface {
	Defer(op, query string, args ...any)
}

// Backend is what a database implementation provides to the shared store.
type Backend interface {
	// Read returns the connection pool for reads outside transactions.
	Read() Conn
	// Write returns the connection pool for writes outside transactions.
	Write() Conn
	// Begin starts a read-write transaction.
	Begin(ctx context.Context) (Tx, error)
	// Classify maps a driver error to store.ErrNotFound (no rows),
	// store.ErrConflict (unique, foreign key) or store.ErrInvalid (check,
	// not null), or returns nil for any other error.
	Classify(err error) error
	// Migrate applies pending schema migrations.
	Migrate(ctx context.Context) error
	// Close releases the pools.
	Close() error
}

// TimeLayout is the text form of times in databases without a native
// timestamp type: fixed width, so that text order is time order.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// norm is the canonical form of every stored time: UTC, microsecond
// precision (PostgreSQL's resolution), so both backends return exactly what
// they were given.
func norm(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func normPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	n := norm(*t)
	return &n
}

// tsArg turns an optional time into a query argument.
func tsArg(t *time.Time) any {
	if t == nil {
		return nil
	}
	return norm(*t)
}

// nstr turns "" into SQL NULL.
func nstr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nint turns 0 into SQL NULL.
func nint(n int) any {
	if n == 0 {
		return nil
	}
	return int64(n)
}

// timeDest scans a timestamp stored either natively (time.Time) or as
// TimeLayout text. A NULL leaves the zero time, or nil for optional
// destinations.
type timeDest struct {
	t   *time.Time
	opt **time.Time
}

func (d timeDest) Scan(src any) error {
	var t time.Time
	switch v := src.(type) {
	case nil:
		if d.opt != nil {
			*d.opt = nil
		} else {
			*d.t = time.Time{}
		}
		return nil
	case time.Time:
		t = v
	case string:
		p, err := time.Parse(TimeLayout, v)
		if err != nil {
			return fmt.Errorf("parse stored time %q: %w", v, err)
		}
		t = p
	case []byte:
		p, err := time.Parse(TimeLayout, string(v))
		if err != nil {
			return fmt.Errorf("parse stored time %q: %w", v, err)
		}
		t = p
	default:
		return fmt.Errorf("scan time from %T", src)
	}
	t = norm(t)
	if d.opt != nil {
		*d.opt = &t
	} else {
		*d.t = t
	}
	return nil
}

func ts(t *time.Time) timeDest     { return timeDest{t: t} }
func tsOpt(t **time.Time) timeDest { return timeDest{opt: t} }

// strDest scans a possibly NULL text column into a string ("" for NULL).
type strDest struct{ s *string }

func (d strDest) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d.s = ""
	case string:
		*d.s = v
	case []byte:
		*d.s = string(v)
	default:
		return fmt.Errorf("scan string from %T", src)
	}
	return nil
}

// intDest scans a possibly NULL integer column (0 for NULL).
type intDest struct{ n *int }

func (d intDest) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d.n = 0
	case int64:
		*d.n = int(v)
	case int32:
		*d.n = int(v)
	default:
		return fmt.Errorf("scan int from %T", src)
	}
	return nil
}

// floatDest scans a possibly NULL real column (0 for NULL).
type floatDest struct{ f *float64 }

func (d floatDest) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d.f = 0
	case float64:
		*d.f = v
	case float32:
		*d.f = float64(v)
	case int64:
		*d.f = float64(v)
	default:
		return fmt.Errorf("scan float from %T", src)
	}
	return nil
}

// ConvertTimeArgs rewrites time arguments into TimeLayout text, for
// backends that store times as text. Other arguments pass through.
func ConvertTimeArgs(args []any) []any {
	for i, a := range args {
		switch v := a.(type) {
		case time.Time:
			args[i] = v.UTC().Format(TimeLayout)
		case *time.Time:
			if v == nil {
				args[i] = nil
			} else {
				args[i] = v.UTC().Format(TimeLayout)
			}
		}
	}
	return args
}
