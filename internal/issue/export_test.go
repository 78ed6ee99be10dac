package issue

import (
	"context"

	"github.com/microcred/microcred/internal/store"
)

// BatchOutcome is the result of one item of CommitBatch.
type BatchOutcome struct {
	Stored  store.Credential
	Existed bool
	Err     error
}

// CommitBatch writes the credentials, each with a mail to its recipient and
// a "credential.issue" audit event, through the service's batch writer as
// one batch (the flusher's commit, without the queue), so that tests can put
// chosen items into the same transaction.
func CommitBatch(ctx context.Context, s *Service, creds []store.Credential) []BatchOutcome {
	out := make([]BatchOutcome, len(creds))
	items := make([]*writeItem, len(creds))
	for i, c := range creds {
		items[i] = &writeItem{done: make(chan struct{}), cred: &credentialWrite{
			cred:  c,
			mail:  &store.Mail{To: c.RecipientEmail, Subject: "You have earned it", Body: c.ID},
			audit: store.AuditEvent{OrgID: c.OrgID, Actor: "test", Action: "credential.issue", Target: c.ID},
		}}
	}
	s.writer().commit(ctx, items)
	for i, it := range items {
		out[i] = BatchOutcome{Stored: it.stored, Existed: it.existed, Err: it.err}
	}
	return out
}

// QueueLen reports how many writes wait in the service's queue.
func QueueLen(s *Service) int {
	w := s.writer()
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.queue)
}

// BatchStats reports how many batches the service's writer has taken and
// how many items they held.
func BatchStats(s *Service) (batches, items int64) {
	w := s.writer()
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.batches, w.items
}

// CurrentTTL is how long the current version of an achievement is cached.
const CurrentTTL = currentTTL
