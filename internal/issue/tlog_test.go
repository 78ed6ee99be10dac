package issue_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/tlog"
)

// TestTransparencyLogHooks issues credentials from many goroutines (so the
// batch writer groups them), rotates the key and checks that every write
// has exactly its entry, in the transaction of its rows, and that the
// database auditor finds the log and the rows in agreement.
func TestTransparencyLogHooks(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := newFixture(t, s, store.DIDWeb)
		const n = 40
		var wg sync.WaitGroup
		creds := make([]store.Credential, n)
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				creds[i], _, errs[i] = f.svc.Issue(ctx, issue.Request{OrgID: f.org.ID, AchievementID: f.ach.Achievement.ID,
					RecipientEmail: fmt.Sprintf("l%d@example.org", i), IdempotencyKey: fmt.Sprintf("row-%d", i%(n-5))})
			})
		}
		wg.Wait()
		ids := map[string]bool{}
		for i, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
			ids[creds[i].ID] = true
		}
		// Five requests repeat an idempotency key: they store nothing and
		// log nothing.
		if size, _ := s.TreeSize(ctx); size != int64(len(ids)) || len(ids) != n-5 {
			t.Fatalf("tree size %d for %d distinct credentials", size, len(ids))
		}
		for id := range ids {
			leaves, err := s.LeavesByCredential(ctx, tlog.HashCredentialID(id))
			if err != nil || len(leaves) != 1 || leaves[0].Kind != string(tlog.KindIssue) {
				t.Fatalf("entries of %s: %+v %v", id, leaves, err)
			}
		}
		key, err := f.svc.RotateKey(ctx, f.org.ID, f.owner.ID)
		if err != nil {
			t.Fatal(err)
		}
		last, err := s.Leaf(ctx, int64(len(ids)))
		if err != nil {
			t.Fatal(err)
		}
		ev, err := tlog.ParseLeaf(last.Data)
		if err != nil || ev.Kind != tlog.KindKeyRotation || ev.Key != key.VerificationMethod || ev.OrgID != f.org.ID {
			t.Fatalf("key rotation entry %+v %v", ev, err)
		}
		if err := s.WithTx(ctx, func(tx store.Store) error {
			c, err := tx.Credential(ctx, creds[0].ID)
			if err != nil {
				return err
			}
			return tlog.OnStatusChange(ctx, tx, c, "credential.revoke", c.IssuedAt.Add(1))
		}); err != nil {
			t.Fatal(err)
		}

		lg := &tlog.Log{Store: s, Master: f.svc.Master, Origin: "127.0.0.1:8080/log"}
		cp, err := lg.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		vkey, _ := lg.VerifierKey(ctx)
		rc, err := tlog.NewRowChecker(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := tlog.Audit(ctx, tlog.StoreSource{Store: s}, vkey, nil,
			func(i int64, leaf []byte, e tlog.Event) error { return rc.Check(ctx, i, leaf, e) })
		if err != nil {
			t.Fatal(err)
		}
		if !rep.OK() || rep.Size != cp.Size || len(rc.Unlogged()) != 0 ||
			rep.Events[tlog.KindIssue] != int64(len(ids)) || rep.Events[tlog.KindKeyRotation] != 1 || rep.Events[tlog.KindRevoke] != 1 {
			t.Fatalf("audit: %+v unlogged %v", rep, rc.Unlogged())
		}
		if err := tlog.OnStatusChange(ctx, s, creds[0], "credential.archive", creds[0].IssuedAt); err == nil {
			t.Error("an unknown status action was logged")
		}
	})
}
