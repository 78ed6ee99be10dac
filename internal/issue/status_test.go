package issue_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/status"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/store/postgres"
	"github.com/microcred/microcred/internal/store/sqlite"
	"github.com/microcred/microcred/internal/verify"
)

func statusCheck(t *testing.T, rep *verify.Report) verify.Check {
	t.Helper()
	for _, c := range rep.Checks {
		if c.Name == "status" {
			return c
		}
	}
	t.Fatalf("no status check in %+v", rep.Checks)
	return verify.Check{}
}

// TestIssuedCredentialStatus: a credential gets one credentialStatus
// object (revocation), as Open Badges 3.0 allows (0..1); an organization
// that opted in to suspension gives new credentials a second entry, and a
// credential keeps the entries it was issued with when the setting
// changes.
func TestIssuedCredentialStatus(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := newFixture(t, s, store.DIDWeb)
		issueOne := func(t *testing.T, email string) (store.Credential, []status.Entry) {
			t.Helper()
			c, _, err := f.svc.Issue(ctx, issue.Request{OrgID: f.org.ID, AchievementID: f.ach.Achievement.ID, RecipientEmail: email})
			if err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := json.Unmarshal([]byte(c.Document), &doc); err != nil {
				t.Fatal(err)
			}
			entries, err := status.ParseEntries(doc["credentialStatus"])
			if err != nil {
				t.Fatal(err)
			}
			sts, err := s.CredentialStatuses(ctx, c.ID)
			if err != nil || len(sts) != len(entries) {
				t.Fatalf("recorded entries %+v %v; the credential has %d", sts, err, len(entries))
			}
			for i, e := range entries {
				if sts[i].Purpose != e.StatusPurpose || sts[i].Index != e.StatusListIndex ||
					e.StatusListCredential != status.ListURL(testBase, f.org.Slug, e.StatusPurpose, sts[i].List) {
					t.Errorf("entry %+v does not match the record %+v", e, sts[i])
				}
			}
			return c, entries
		}
		st := f.svc.StatusService()

		// Default: one object, revocation only.
		plain, entries := issueOne(t, "a@example.org")
		if !strings.Contains(plain.Document, `"credentialStatus":{`) || len(entries) != 1 || entries[0].StatusPurpose != "revocation" {
			t.Fatalf("default credentialStatus: %v in %s", entries, plain.Document)
		}
		rep := mustVerify(t, f.svc, plain.Document)
		if ch := statusCheck(t, rep); !ch.OK {
			t.Errorf("status check = %+v", ch)
		}
		if _, err := st.Suspend(ctx, plain.ID, "checking", f.owner.ID); !errors.Is(err, status.ErrNoSuspension) {
			t.Errorf("suspending a revocation-only credential: %v; want ErrNoSuspension", err)
		}

		// Opted in: two entries, suspension works.
		if _, err := f.svc.SetSuspension(ctx, f.org.ID, true, f.owner.ID); err != nil {
			t.Fatal(err)
		}
		both, entries := issueOne(t, "b@example.org")
		if len(entries) != 2 || entries[0].StatusPurpose != "revocation" || entries[1].StatusPurpose != "suspension" {
			t.Fatalf("opted-in credentialStatus = %v", entries)
		}
		rep = mustVerify(t, f.svc, both.Document)
		if ch := statusCheck(t, rep); !ch.OK || !strings.Contains(ch.Detail, "not revoked and not suspended") {
			t.Errorf("status check = %+v", ch)
		}
		// Opting out again changes nothing for credentials already issued.
		if _, err := f.svc.SetSuspension(ctx, f.org.ID, false, f.owner.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Suspend(ctx, both.ID, "checking", f.owner.ID); err != nil {
			t.Fatal(err)
		}
		rep, _ = f.svc.Verify(ctx, []byte(both.Document))
		if ch := statusCheck(t, rep); rep.Verified || ch.OK || !strings.HasPrefix(ch.Detail, "suspended") {
			t.Errorf("suspended: verified %v, %+v", rep.Verified, ch)
		}
		if _, err := st.Unsuspend(ctx, both.ID, "fine", f.owner.ID); err != nil {
			t.Fatal(err)
		}
		mustVerify(t, f.svc, both.Document)
		if _, entries := issueOne(t, "c@example.org"); len(entries) != 1 {
			t.Errorf("after opting out, %d entries", len(entries))
		}

		// Revocation works for both shapes, seen from another node too.
		for _, c := range []store.Credential{plain, both} {
			if _, err := st.Revoke(ctx, c.ID, "fraud", f.owner.ID); err != nil {
				t.Fatal(err)
			}
			other := &issue.Service{Store: s, Master: f.svc.Master, BaseURL: testBase}
			rep, _ = other.Verify(ctx, []byte(c.Document))
			if ch := statusCheck(t, rep); rep.Verified || ch.OK || !strings.HasPrefix(ch.Detail, "revoked") {
				t.Errorf("revoked: verified %v, %+v", rep.Verified, ch)
			}
		}

		// VC-API documents and JWTs get the entry too.
		d, err := f.svc.IssueDocument(ctx, f.org.ID, map[string]any{
			"@context": []any{"https://www.w3.org/ns/credentials/v2"}, "type": []any{"VerifiableCredential"},
			"credentialSubject": map[string]any{"id": "did:example:1"},
		}, issue.DocumentOptions{Format: store.FormatJWT})
		if err != nil {
			t.Fatal(err)
		}
		if sts, _ := s.CredentialStatuses(ctx, d.ID); len(sts) != 1 {
			t.Errorf("IssueDocument recorded %d entries", len(sts))
		}
		mustVerify(t, f.svc, d.Document)
	})
}

// TestTwoNodesAllocate issues from two services on two independent store
// handles at once (two processes on one database) and checks that no
// status index is handed out twice.
func TestTwoNodesAllocate(t *testing.T) {
	for _, b := range backends() {
		t.Run(b, func(t *testing.T) {
			ctx := context.Background()
			s1, s2 := twoHandles(t, b)
			f := newFixture(t, s1, store.DIDWeb)
			svc2 := &issue.Service{Store: s2, Master: f.svc.Master, BaseURL: testBase}
			var wg sync.WaitGroup
			var mu sync.Mutex
			var errs []error
			for w := range 6 {
				svc := f.svc
				if w%2 == 1 {
					svc = svc2
				}
				wg.Go(func() {
					for i := range 20 {
						if _, _, err := svc.Issue(ctx, issue.Request{OrgID: f.org.ID, AchievementID: f.ach.Achievement.ID,
							RecipientEmail: fmt.Sprintf("w%d-%d@example.org", w, i)}); err != nil {
							mu.Lock()
							errs = append(errs, err)
							mu.Unlock()
						}
					}
				})
			}
			wg.Wait()
			for _, err := range errs {
				t.Error(err)
			}
			all, err := s1.ListCredentials(ctx, store.CredentialQuery{OrgID: f.org.ID, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, c := range all {
				sts, err := s1.CredentialStatuses(ctx, c.ID)
				if err != nil || len(sts) != 1 {
					t.Fatalf("%s: %d entries, %v", c.ID, len(sts), err)
				}
				for _, st := range sts {
					k := fmt.Sprintf("%s/%d/%d", st.Purpose, st.List, st.Index)
					if seen[k] {
						t.Errorf("index %s used twice", k)
					}
					seen[k] = true
				}
			}
			if len(all) != 120 || len(seen) != 120 {
				t.Errorf("%d credentials, %d distinct indexes; want 120 and 120", len(all), len(seen))
			}
		})
	}
}

// twoHandles opens one fresh database twice, with separate pools, as two
// server processes would.
func twoHandles(t *testing.T, backend string) (store.Store, store.Store) {
	t.Helper()
	ctx := context.Background()
	var open func() (store.Store, error)
	switch backend {
	case "sqlite":
		path := filepath.Join(t.TempDir(), "microcred.db")
		open = func() (store.Store, error) { return sqlite.Open(ctx, path) }
	default:
		base := os.Getenv("MICROCRED_TEST_POSTGRES")
		var rnd [6]byte
		_, _ = rand.Read(rnd[:])
		schema := "issue_" + hex.EncodeToString(rnd[:])
		admin, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if _, err := admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
				t.Errorf("drop schema %s: %v", schema, err)
			}
			admin.Close(ctx)
		})
		u, err := url.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		open = func() (store.Store, error) { return postgres.Open(ctx, u.String()) }
	}
	var out [2]store.Store
	for i := range out {
		s, err := open()
		if err != nil {
			t.Fatal(err)
		}
		// Registered first, so it runs after the services' own cleanups.
		t.Cleanup(func() { s.Close() })
		out[i] = s
	}
	if err := out[0].Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return out[0], out[1]
}
