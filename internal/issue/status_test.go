package issue_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
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

func TestIssuedCredentialStatus(t *testing.T) {
	forEachBackend(t, func(t *testing.T, s store.Store) {
		ctx := context.Background()
		f := newFixture(t, s, store.DIDWeb)
		c, _, err := f.svc.Issue(ctx, issue.Request{OrgID: f.org.ID, AchievementID: f.ach.Achievement.ID, RecipientEmail: "a@example.org"})
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(c.Document), &doc); err != nil {
			t.Fatal(err)
		}
		entries, err := status.ParseEntries(doc["credentialStatus"])
		if err != nil || len(entries) != 2 || entries[0].StatusPurpose != "revocation" || entries[1].StatusPurpose != "suspension" {
			t.Fatalf("credentialStatus = %v (%v)", doc["credentialStatus"], err)
		}
		sts, err := s.CredentialStatuses(ctx, c.ID)
		if err != nil || len(sts) != 2 {
			t.Fatalf("recorded entries %+v %v", sts, err)
		}
		for i, e := range entries {
			if sts[i].Purpose != e.StatusPurpose || sts[i].Index != e.StatusListIndex ||
				e.StatusListCredential != status.ListURL(testBase, f.org.Slug, e.StatusPurpose, sts[i].List) {
				t.Errorf("entry %+v does not match the record %+v", e, sts[i])
			}
		}
		rep := mustVerify(t, f.svc, c.Document)
		if ch := statusCheck(t, rep); !ch.OK || !strings.Contains(ch.Detail, "not revoked and not suspended") {
			t.Errorf("status check = %+v", ch)
		}

		st := f.svc.StatusService()
		if _, err := st.Suspend(ctx, c.ID, "checking", f.owner.ID); err != nil {
			t.Fatal(err)
		}
		rep, _ = f.svc.Verify(ctx, []byte(c.Document))
		if ch := statusCheck(t, rep); rep.Verified || ch.OK || !strings.HasPrefix(ch.Detail, "suspended") {
			t.Errorf("suspended: verified %v, %+v", rep.Verified, ch)
		}
		if _, err := st.Unsuspend(ctx, c.ID, "fine", f.owner.ID); err != nil {
			t.Fatal(err)
		}
		mustVerify(t, f.svc, c.Document)
		if _, err := st.Revoke(ctx, c.ID, "fraud", f.owner.ID); err != nil {
			t.Fatal(err)
		}
		// Another node (fresh service, empty caches) sees the revocation.
		other := &issue.Service{Store: s, Master: f.svc.Master, BaseURL: testBase}
		rep, _ = other.Verify(ctx, []byte(c.Document))
		if ch := statusCheck(t, rep); rep.Verified || ch.OK || !strings.HasPrefix(ch.Detail, "revoked") {
			t.Errorf("revoked: verified %v, %+v", rep.Verified, ch)
		}

		// VC-API documents and JWTs get entries too.
		d, err := f.svc.IssueDocument(ctx, f.org.ID, map[string]any{
			"@context": []any{"https://www.w3.org/ns/credentials/v2"}, "type": []any{"VerifiableCredential"},
			"credentialSubject": map[string]any{"id": "did:example:1"},
		}, issue.DocumentOptions{Format: store.FormatJWT})
		if err != nil {
			t.Fatal(err)
		}
		if sts, _ := s.CredentialStatuses(ctx, d.ID); len(sts) != 2 {
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
				if err != nil || len(sts) != 2 {
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
			if len(all) != 120 || len(seen) != 240 {
				t.Errorf("%d credentials, %d distinct indexes; want 120 and 240", len(all), len(seen))
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
