package store

import (
	"context"
	"fmt"
)

// BatchWriter writes the rows of many issued credentials with a few
// multi-row statements instead of one statement per row. The issuance
// service uses it inside its group-commit transactions, where a statement
// per row made the database work per credential cost more than signing it.
// The Store handed to WithTx implements it (a type assertion, so that the
// Store interface stays what every caller needs).
//
// Every method validates all its rows before writing any and reports a row
// it refuses as a *RowError naming the row, so that the caller can retry
// the other rows without it. A failure inside the database (a foreign key,
// a duplicate id against a stored row) can not be traced to a row by one
// statement; it is returned as an ordinary error, and a caller that needs
// per-row outcomes splits the batch and tries again.
type BatchWriter interface {
	// LearnersByEmail returns the ids of the learner accounts (users with
	// IsLearner) among the given email addresses, keyed by EmailKey.
	// Addresses without a learner account are absent from the map.
	LearnersByEmail(ctx context.Context, emails []string) (map[string]string, error)
	// InsertCredentials inserts credentials with the semantics of
	// InsertCredential applied to each in order: a credential whose
	// (OrgID, IdempotencyKey) is already used, by a stored credential or by
	// an earlier one of cs, is not inserted and its result is the stored
	// (or earlier) credential with Existed set. The same id twice in cs is
	// a *RowError (ErrConflict) naming the second.
	InsertCredentials(ctx context.Context, cs []Credential) ([]CredentialInsert, error)
	// InsertCredentialStatuses records credentials' status entries, with
	// the rules of InsertCredentialStatus.
	InsertCredentialStatuses(ctx context.Context, css []CredentialStatus) error
	// EnqueueMails queues messages as EnqueueMail does, without returning
	// their ids.
	EnqueueMails(ctx context.Context, ms []Mail) error
	// AppendAudits appends audit events as AppendAudit does, in order,
	// without returning their ids.
	AppendAudits(ctx context.Context, es []AuditEvent) error
}

// CredentialInsert is the outcome of one credential of
// BatchWriter.InsertCredentials.
type CredentialInsert struct {
	Stored  Credential
	Existed bool // the idempotency key was already used; nothing was inserted
}

// RowError reports the row of a multi-row write that was refused; no row
// of the call was written.
type RowError struct {
	Row int // index into the rows passed
	Err error
}

func (e *RowError) Error() string { return fmt.Sprintf("row %d: %v", e.Row, e.Err) }

// Unwrap returns the row's error.
func (e *RowError) Unwrap() error { return e.Err }

// WriteConcurrency is implemented by stores that know how many write
// transactions can make progress at once: 1 for SQLite, whose single writer
// serializes them. A group-commit writer uses it to size its batches: with
// one writer, a second batch started early only waits for the connection
// while holding back the items queued behind it, which would otherwise
// join a larger batch.
type WriteConcurrency interface {
	// WriteConcurrency returns the number of concurrent write
	// transactions that make progress, or 0 when unknown.
	WriteConcurrency() int
}
