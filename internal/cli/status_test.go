package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/status"
	"github.com/microcred/microcred/internal/store"
)

// seededWithStatus seeds a demo database and returns its directory and
// the id of one credential that has both status list entries (revocation
// and suspension, as credentials of an organization that opted in to
// suspension have).
func seededWithStatus(t *testing.T) (string, string) {
	dir, id, _ := seededWithStatuses(t)
	return dir, id
}

// seededWithStatuses is seededWithStatus, and also returns the id of a
// credential with the default single revocation entry.
func seededWithStatuses(t *testing.T) (dir, both, revocationOnly string) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "data")
	if code, _, errs := run(t, nil, "demo", "--seed-only", "--data", dir); code != exitOK {
		t.Fatalf("demo --seed-only: exit %d: %s", code, errs)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, dbFileName))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	list := activeDemoCredentials(t, st, 2)
	c := list[0]
	// The demo issues with the default revocation entry only; the first
	// credential gets a suspension entry here.
	sts, err := st.CredentialStatuses(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(sts) != 1 || sts[0].Purpose != store.PurposeRevocation {
		t.Fatalf("demo credential's status entries: %+v", sts)
	}
	svc := &status.Service{Store: st}
	as, err := svc.Allocate(ctx, c.OrgID, store.PurposeSuspension)
	if err != nil {
		t.Fatal(err)
	}
	if err := status.Record(ctx, st, c.OrgID, c.ID, as); err != nil {
		t.Fatal(err)
	}
	return dir, c.ID, list[1].ID
}

func TestStatusVerbs(t *testing.T) {
	dir, id, plain := seededWithStatuses(t)
	uuid := strings.TrimPrefix(id, "urn:uuid:")
	steps := []struct {
		name string
		args []string
		code int
		out  string // substring of stdout (exit 0) or stderr
	}{
		{"missing reason", []string{"suspend", "--data", dir, "--id", id}, exitBadInput, "--reason is required"},
		{"missing id", []string{"suspend", "--data", dir, "--reason", "x"}, exitBadInput, "--id is required"},
		{"malformed id", []string{"suspend", "--data", dir, "--id", "nope", "--reason", "x"}, exitBadInput, "not a credential id"},
		{"unknown id", []string{"revoke", "--data", dir, "--id", "urn:uuid:00000000-0000-4000-8000-000000000000", "--reason", "x"}, exitBadInput, "no credential"},
		{"unsuspend active", []string{"unsuspend", "--data", dir, "--id", id, "--reason", "x"}, exitFailed, "not suspended"},
		{"suspend by bare uuid", []string{"suspend", "--data", dir, "--id", uuid, "--reason", "under review"}, exitOK, "suspended " + id},
		{"suspend twice", []string{"suspend", "--data", dir, "--id", id, "--reason", "again"}, exitFailed, "already suspended"},
		{"unsuspend by URL", []string{"unsuspend", "--data", dir, "--id", "http://127.0.0.1:8080/c/" + uuid + ".json", "--reason", "cleared"}, exitOK, "unsuspended " + id},
		{"revoke", []string{"revoke", "--data", dir, "--id", id, "--reason", "issued in error"}, exitOK, "revoked " + id},
		{"revoke twice", []string{"revoke", "--data", dir, "--id", id, "--reason", "again"}, exitFailed, "already revoked"},
		{"suspend without a suspension entry", []string{"suspend", "--data", dir, "--id", plain, "--reason", "x"}, exitFailed, "no suspension entry"},
		{"revoke without a suspension entry", []string{"revoke", "--data", dir, "--id", plain, "--reason", "x"}, exitOK, "revoked " + plain},
	}
	for _, s := range steps {
		code, out, errs := run(t, nil, s.args...)
		text := out
		if s.code != exitOK {
			text = errs
		}
		if code != s.code || !strings.Contains(text, s.out) {
			t.Errorf("%s: exit %d (want %d), stdout %q, stderr %q; want %q", s.name, code, s.code, out, errs, s.out)
		}
		if code == exitOK && strings.Count(out, "\n") != 1 {
			t.Errorf("%s: confirmation is not one line: %q", s.name, out)
		}
	}

	code, out, errs := run(t, nil, "credentials", "list", "--json", "--data", dir)
	if code != exitOK {
		t.Fatalf("credentials list: exit %d: %s", code, errs)
	}
	var rows []map[string]any
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) == 0 {
		t.Fatalf("credentials list --json: %v\n%s", err, out)
	}
	found := false
	for _, r := range rows {
		rid, _ := r["id"].(string)
		u, _ := r["url"].(string)
		if rid == "" || !strings.HasPrefix(u, "http://127.0.0.1:8080/c/") || !strings.HasSuffix(u, ".json") {
			t.Errorf("row without id or public JSON url: %v", r)
		}
		for _, f := range []string{"org", "achievement", "status", "issuedAt"} {
			if _, ok := r[f]; !ok {
				t.Errorf("row without %s: %v", f, r)
			}
		}
		if rid == id {
			found = true
			if r["status"] != "revoked" || u != "http://127.0.0.1:8080/c/"+uuid+".json" {
				t.Errorf("revoked credential row = %v", r)
			}
		}
	}
	if !found {
		t.Errorf("credential %s missing from the list", id)
	}
	code, out, _ = run(t, nil, "credentials", "list", "--org", "no-such-org", "--data", dir)
	if code != exitBadInput {
		t.Errorf("credentials list for an unknown org: exit %d, %s", code, out)
	}
	code, out, _ = run(t, nil, "credentials", "list", "--data", dir)
	if code != exitOK || !strings.HasPrefix(out, "ISSUED") || !strings.Contains(out, "revoked") {
		t.Errorf("credentials list table: exit %d:\n%s", code, out)
	}
}

func TestCredentialIDOf(t *testing.T) {
	const u = "0b7c3f9e-1d2a-4c5b-9e8f-7a6b5c4d3e2f"
	for in, want := range map[string]string{
		"urn:uuid:" + u:                         "urn:uuid:" + u,
		"URN:UUID:" + strings.ToUpper(u):        "urn:uuid:" + u,
		u:                                       "urn:uuid:" + u,
		"https://b.example/c/" + u:              "urn:uuid:" + u,
		"https://b.example/c/" + u + ".json":    "urn:uuid:" + u,
		"https://b.example/sub/c/" + u + ".jwt": "urn:uuid:" + u,
		"https://b.example/c/" + u + "?x=1":     "urn:uuid:" + u,
		"not-a-uuid":                            "",
		"https://b.example/orgs/x":              "",
		"urn:uuid:" + u + "x":                   "",
	} {
		got, ok := credentialIDOf(in)
		if got != want || ok != (want != "") {
			t.Errorf("credentialIDOf(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestBenchStatusJSON(t *testing.T) {
	code, out, errs := run(t, nil, "bench", "status", "-n", "20000", "--json")
	if code != exitOK {
		t.Fatalf("bench status: exit %d: %s", code, errs)
	}
	var raw map[string]any
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatal(err)
	}
	us, _ := raw["check_us"].(float64)
	ratio, _ := raw["ratio_to_ed25519_verify"].(float64)
	if us <= 0 || us > 50 || ratio <= 0 {
		t.Errorf("bench status = %s; want a cached check under 50 µs", out)
	}
}

// activeDemoCredentials returns the newest n credentials of a seeded demo
// that are in plain standing: not revoked or suspended, not expired, and
// neither renewed nor a renewal (the demo revokes and renews a few).
func activeDemoCredentials(t *testing.T, st store.Store, n int) []store.Credential {
	t.Helper()
	ctx := context.Background()
	list, err := st.ListCredentials(ctx, store.CredentialQuery{Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	renewed := map[string]bool{}
	for _, c := range list {
		renewed[c.Replaces] = true
	}
	svc := &status.Service{Store: st}
	var out []store.Credential
	for _, c := range list {
		if len(out) == n {
			break
		}
		s, err := svc.State(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if s.Revoked || s.Suspended || c.Replaces != "" || renewed[c.ID] || c.ValidUntil != nil && c.ValidUntil.Before(time.Now()) {
			continue
		}
		out = append(out, c)
	}
	if len(out) < n {
		t.Fatalf("the demo has %d credentials in plain standing, want %d", len(out), n)
	}
	return out
}
