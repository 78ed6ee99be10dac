package issue

import (
	"context"
	"time"

	"github.com/microcred/microcred/internal/analytics"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/tlog"
)

// Transparency log hooks. Every credential written and every key rotation
// is appended to the log (internal/tlog) in the same transaction as its
// rows, so a row without its entry — or an entry without its row — never
// commits.
//
// Credential writes run inside the batch writer's transactions, where one
// transaction carries many callers' credentials. Appending one leaf per
// credential would take the log's sequence lock at the first credential and
// run one append per item; instead each write records its event in the
// batch's logBatch, and the batch appends them all at once as its last
// statement (see batchWriter.commit), holding the lock only for the commit.

// logBatchKey is the context key of the batch transaction's logBatch.
type logBatchKey struct{}

// logBatch collects the log events of one batch transaction.
type logBatch struct{ events []tlog.Event }

// withLogBatch returns ctx carrying a fresh batch collector.
func withLogBatch(ctx context.Context) (context.Context, *logBatch) {
	b := &logBatch{}
	return context.WithValue(ctx, logBatchKey{}, b), b
}

// flush appends the collected events through tx, in one batch.
func (b *logBatch) flush(ctx context.Context, tx store.Store) error {
	if len(b.events) == 0 {
		return nil
	}
	_, err := tlog.Append(ctx, tx, b.events...)
	return err
}

// logIssue records the issuance of the stored credential c: in the batch
// of ctx when there is one, else appended through tx at once.
func logIssue(ctx context.Context, tx store.Store, c store.Credential) error {
	return LogEvent(ctx, tx, tlog.IssueEvent(c))
}

// LogEvent appends ev to the transparency log through tx, the transaction
// that writes what ev describes. Inside a batch writer transaction the
// event joins the batch's single append.
func LogEvent(ctx context.Context, tx store.Store, ev tlog.Event) error {
	if b, ok := ctx.Value(logBatchKey{}).(*logBatch); ok {
		if err := ev.Validate(); err != nil {
			return err
		}
		b.events = append(b.events, ev)
		return nil
	}
	_, err := tlog.Append(ctx, tx, ev)
	return err
}

// OnStatusChange is the status.ChangeHook of every status.Service: in the
// transaction that flips the bit it appends the transparency-log entry and
// counts the revocation or suspension for the impact report.
func OnStatusChange(ctx context.Context, tx store.Store, c store.Credential, action string, at time.Time) error {
	if err := tlog.OnStatusChange(ctx, tx, c, action, at); err != nil {
		return err
	}
	kind := map[string]string{"credential.revoke": analytics.Revoked, "credential.suspend": analytics.Suspended}[action]
	if kind == "" {
		return nil
	}
	return analytics.Record(ctx, tx, store.Event{OrgID: c.OrgID, AchievementID: c.AchievementID, CredentialID: c.ID, Kind: kind, At: at})
}
