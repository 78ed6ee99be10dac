package issue_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

// TestGroupCommitConcurrent issues from many goroutines at once, so that
// the batch writer puts several credentials into each transaction, and
// checks that every credential arrived with its mail and its audit event.
func TestGroupCommitConcurrent(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := newFixture(t, s, store.DIDWeb)
		defer f.svc.Close()
		learner, err := s.CreateUser(ctx, store.User{Email: "learner7@example.org", Name: "Seven", IsLearner: true})
		if err != nil {
			t.Fatal(err)
		}
		const n = 48
		ids := make([]string, n)
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, existed, err := f.svc.Issue(ctx, issue.Request{
					OrgID: f.org.ID, AchievementID: f.ach.Achievement.ID, Format: store.FormatLDPJCS,
					RecipientEmail: fmt.Sprintf("learner%d@example.org", i), Notify: true, Actor: "client-1",
				})
				if err != nil || existed {
					errs <- fmt.Errorf("issue %d: existed=%v err=%v", i, existed, err)
					return
				}
				ids[i] = c.ID
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		list, err := s.ListCredentials(ctx, store.CredentialQuery{OrgID: f.org.ID, Limit: 1000})
		if err != nil || len(list) != n {
			t.Fatalf("credentials %d (%v), want %d", len(list), err, n)
		}
		byID := map[string]store.Credential{}
		for _, c := range list {
			byID[c.ID] = c
		}
		for i, id := range ids {
			c, ok := byID[id]
			if !ok {
				t.Errorf("credential %d (%s) not stored", i, id)
				continue
			}
			if want := fmt.Sprintf("learner%d@example.org", i); c.RecipientEmail != want {
				t.Errorf("credential %s went to %s, want %s", id, c.RecipientEmail, want)
			}
			if (i == 7) != (c.LearnerID == learner.ID) {
				t.Errorf("credential %d learner %q", i, c.LearnerID)
			}
		}
		mails, err := s.ListMail(ctx, 1000)
		if err != nil || len(mails) != n {
			t.Errorf("mails %d (%v), want %d", len(mails), err, n)
		}
		events, err := s.ListAudit(ctx, store.AuditQuery{OrgID: f.org.ID, Action: "credential.issue", Limit: 1000})
		if err != nil || len(events) != n {
			t.Fatalf("audit events %d (%v), want %d", len(events), err, n)
		}
		for _, e := range events {
			if _, ok := byID[e.Target]; !ok || e.Actor != "client-1" {
				t.Errorf("audit event %+v", e)
			}
		}
	})
}

// TestIssueConcurrentIdempotencyKey sends the same request with the same
// idempotency key from many goroutines: one credential is issued and every
// caller gets it.
func TestIssueConcurrentIdempotencyKey(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := newFixture(t, s, store.DIDWeb)
		const n = 16
		type result struct {
			c       store.Credential
			existed bool
			err     error
		}
		results := make([]result, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, existed, err := f.svc.Issue(ctx, issue.Request{
					OrgID: f.org.ID, AchievementID: f.ach.Achievement.ID, RecipientEmail: "ada@example.org",
					IdempotencyKey: "row-1", Notify: true,
				})
				results[i] = result{c, existed, err}
			}()
		}
		wg.Wait()
		fresh := 0
		for i, r := range results {
			if r.err != nil {
				t.Fatalf("caller %d: %v", i, r.err)
			}
			if !r.existed {
				fresh++
			}
			if r.c.ID != results[0].c.ID || r.c.Document != results[0].c.Document {
				t.Errorf("caller %d got %s, caller 0 got %s", i, r.c.ID, results[0].c.ID)
			}
		}
		if fresh != 1 {
			t.Errorf("%d callers saw a new credential, want 1", fresh)
		}
		assertCounts(t, s, f.org.ID, 1, 1, 1)
	})
}

// assertCounts checks the number of credentials of the organization, of
// mails and of credential.issue audit events.
func assertCounts(t *testing.T, s store.Store, orgID string, creds, mails, events int) {
	t.Helper()
	ctx := context.Background()
	if n, err := s.CountCredentials(ctx, store.CredentialQuery{OrgID: orgID}); err != nil || n != int64(creds) {
		t.Errorf("credentials %d (%v), want %d", n, err, creds)
	}
	if ms, err := s.ListMail(ctx, 1000); err != nil || len(ms) != mails {
		t.Errorf("mails %d (%v), want %d", len(ms), err, mails)
	}
	if es, err := s.ListAudit(ctx, store.AuditQuery{OrgID: orgID, Action: "credential.issue", Limit: 1000}); err != nil || len(es) != events {
		t.Errorf("audit events %d (%v), want %d", len(es), err, events)
	}
}

// testCredential is a credential row ready for insertion; its document is
// not signed, which the store does not check.
func testCredential(f fixture, n int) store.Credential {
	now := time.Now().UTC().Truncate(time.Second)
	return store.Credential{
		ID: "urn:uuid:" + store.NewID(), OrgID: f.org.ID, AchievementID: f.ach.Achievement.ID, AchievementVersion: 1,
		RecipientEmail: fmt.Sprintf("r%d@example.org", n), Format: store.FormatLDPJCS, Document: `{"n":` + fmt.Sprint(n) + `}`,
		IssuedAt: now, ValidFrom: now,
	}
}

// TestBatchIsolatesFailures puts bad items into one batch with good ones:
// each bad item gets its own error, every good item is written, and
// idempotency keys repeated inside the batch yield one credential.
//
// It runs twice per database: with the store's multi-row writes
// (store.BatchWriter), where a statement failure names no item and the
// batch is halved, and with a store offering only the row-by-row methods.
func TestBatchIsolatesFailures(t *testing.T) {
	for _, b := range backends() {
		t.Run(b+"/multi-row", func(t *testing.T) { testBatchIsolatesFailures(t, openStore(t, b)) })
		t.Run(b+"/row-by-row", func(t *testing.T) { testBatchIsolatesFailures(t, rowByRowStore{openStore(t, b)}) })
	}
}

// rowByRowStore hides store.BatchWriter from the transactions of the
// store it wraps.
type rowByRowStore struct{ store.Store }

func (s rowByRowStore) WithTx(ctx context.Context, fn func(store.Store) error) error {
	return s.Store.WithTx(ctx, func(tx store.Store) error { return fn(struct{ store.Store }{tx}) })
}

func testBatchIsolatesFailures(t *testing.T, s store.Store) {
	{
		ctx := context.Background()
		f := newFixture(t, s, store.DIDWeb)
		good1, good2, good3 := testCredential(f, 1), testCredential(f, 2), testCredential(f, 3)
		collision := testCredential(f, 4)
		collision.ID = good1.ID // the same credential id twice in one batch
		invalid := testCredential(f, 5)
		invalid.Format = "pdf" // refused by the store
		orphan := testCredential(f, 6)
		orphan.AchievementID = store.NewID() // foreign key violation in the database
		keyed1, keyed2 := testCredential(f, 7), testCredential(f, 8)
		keyed1.IdempotencyKey, keyed2.IdempotencyKey = "k-1", "k-1"

		out := issue.CommitBatch(ctx, f.svc, []store.Credential{good1, collision, keyed1, invalid, good2, orphan, keyed2, good3})
		wantOK := map[int]bool{0: true, 2: true, 4: true, 6: true, 7: true}
		for i, o := range out {
			if wantOK[i] != (o.Err == nil) {
				t.Errorf("item %d: err %v", i, o.Err)
			}
		}
		if !errors.Is(out[1].Err, store.ErrConflict) || !errors.Is(out[5].Err, store.ErrConflict) {
			t.Errorf("collision %v, orphan %v: want conflicts", out[1].Err, out[5].Err)
		}
		if !errors.Is(out[3].Err, store.ErrInvalid) {
			t.Errorf("invalid row: %v", out[3].Err)
		}
		if out[2].Existed || !out[6].Existed || out[6].Stored.ID != keyed1.ID {
			t.Errorf("repeated idempotency key: first existed=%v, second existed=%v id %s (want %s)",
				out[2].Existed, out[6].Existed, out[6].Stored.ID, keyed1.ID)
		}
		got, err := s.Credential(ctx, good1.ID)
		if err != nil || got.RecipientEmail != good1.RecipientEmail {
			t.Errorf("credential %s is %+v (%v); the colliding item must not replace it", good1.ID, got, err)
		}
		// good1, keyed1, good2, good3: four credentials, mails and events.
		assertCounts(t, s, f.org.ID, 4, 4, 4)
	}
}

// TestServiceClose checks that Close lets queued writes finish, refuses
// later ones, and can be called more than once; and that a service never
// closed keeps no goroutine once idle.
func TestServiceClose(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := newFixture(t, s, store.DIDWeb)
		req := issue.Request{OrgID: f.org.ID, AchievementID: f.ach.Achievement.ID, RecipientEmail: "ada@example.org"}
		var wg sync.WaitGroup
		errs := make([]error, 8)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _, errs[i] = f.svc.Issue(ctx, req)
			}()
		}
		wg.Wait()
		f.svc.Close()
		f.svc.Close()
		for i, err := range errs {
			if err != nil {
				t.Errorf("issue %d before Close: %v", i, err)
			}
		}
		if n := issue.QueueLen(f.svc); n != 0 {
			t.Errorf("%d writes left in the queue", n)
		}
		if _, _, err := f.svc.Issue(ctx, req); !errors.Is(err, issue.ErrClosed) {
			t.Errorf("issue after Close: %v, want ErrClosed", err)
		}
		assertCounts(t, s, f.org.ID, 8, 0, 8)
	})
}

// TestIssueCancelledContext: a request whose context has ended writes
// nothing.
func TestIssueCancelledContext(t *testing.T) {
	s := openStore(t, "sqlite")
	f := newFixture(t, s, store.DIDWeb)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err := f.svc.Issue(ctx, issue.Request{OrgID: f.org.ID, AchievementID: f.ach.Achievement.ID, RecipientEmail: "ada@example.org"})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want context.Canceled", err)
	}
	assertCounts(t, s, f.org.ID, 0, 0, 0)
}
