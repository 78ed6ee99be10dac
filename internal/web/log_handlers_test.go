package web_test

import (
	"context"
	"encoding/json"
	"github.com/microcred/microcred/internal/fetch"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	sumdb "golang.org/x/mod/sumdb/tlog"

	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/tlog"
)

// logSeeded makes sure the seeded credential has its issuance entry (the
// issuance path appends it; older setups may not) and returns the
// credential.
func (e *env) logSeeded() store.Credential {
	e.t.Helper()
	ctx := context.Background()
	c, err := e.store.Credential(ctx, "urn:uuid:"+e.credUUID)
	if err != nil {
		e.t.Fatal(err)
	}
	leaves, err := e.store.LeavesByCredential(ctx, tlog.HashCredentialID(c.ID))
	if err != nil {
		e.t.Fatal(err)
	}
	if len(leaves) == 0 {
		if _, err := tlog.Append(ctx, e.store, tlog.IssueEvent(c)); err != nil {
			e.t.Fatal(err)
		}
	}
	return c
}

func TestLogEndpoints(t *testing.T) {
	e := newEnv(t, envOptions{})
	c := e.logSeeded()
	srv := httptest.NewServer(e.handler)
	defer srv.Close()
	ctx := context.Background()
	src := tlog.HTTPSource{BaseURL: srv.URL, Client: fetch.New(fetch.Config{Allow: fetch.Loopback()})}

	key, err := src.Key(ctx)
	if err != nil || !strings.HasPrefix(key, "microcred.test/log+") {
		t.Fatalf("/log/key = %q, %v", key, err)
	}
	p, err := src.CredentialInclusion(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	cp, ev, err := p.Verify(key)
	if err != nil {
		t.Fatal(err)
	}
	if ev.CredentialHash != tlog.HashCredentialID(c.ID) || ev.DocumentHash != tlog.HashDocument(c.Document) || cp.Size < 1 {
		t.Errorf("proof of the seeded credential: %+v %+v", cp, ev)
	}
	rep, err := tlog.Audit(ctx, src, key, nil, nil)
	if err != nil || !rep.OK() || rep.Size != cp.Size {
		t.Fatalf("audit over HTTP: %+v, %v", rep, err)
	}

	idx := itoa(int(p.Index))
	tests := []struct {
		name, path string
		status     int
		contains   string
	}{
		{"checkpoint", "/log/checkpoint", 200, "microcred.test/log\n"},
		{"entry", "/log/entries/" + idx, 200, "event issue\n"},
		{"entry past the end", "/log/entries/999999", 404, ""},
		{"entry not a number", "/log/entries/x", 400, ""},
		{"entries page", "/log/entries?from=0&to=5", 200, `"from": 0`},
		{"proof by index", "/log/proof/inclusion?index=" + idx, 200, `"treeSize"`},
		{"proof for unknown credential", "/log/proof/inclusion?credential=urn:uuid:nope", 404, ""},
		{"proof without parameters", "/log/proof/inclusion", 400, ""},
		{"proof for an unsigned size", "/log/proof/inclusion?index=0&size=999", 404, ""},
		{"consistency", "/log/proof/consistency?old=0&new=" + itoa(int(cp.Size)), 200, `"proof"`},
		{"consistency beyond the tree", "/log/proof/consistency?old=1&new=999", 404, ""},
		{"consistency bad parameter", "/log/proof/consistency?old=-1&new=1", 400, ""},
		{"credential page links its entry", "/c/" + e.credUUID, 200, `entry #` + idx + `</a>`},
		{"entry bundle", "/log/tile/entries/000.p/" + itoa(int(cp.Size)), 200, "event issue\n"},
		{"full tile not there yet", "/log/tile/0/000", 404, ""},
		{"tile past the checkpoint", "/log/tile/0/000.p/" + itoa(int(cp.Size)+1), 404, ""},
		{"tile level too high", "/log/tile/6/000", 400, ""},
		{"tile index not in groups of three", "/log/tile/0/0", 400, ""},
	}
	for _, tc := range tests {
		rec := e.do(request{method: http.MethodGet, path: tc.path})
		if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.contains) {
			t.Errorf("%s: GET %s = %d %q, want %d containing %q", tc.name, tc.path, rec.Code, rec.Body.String(), tc.status, tc.contains)
		}
	}
	// A hash tile holds the record hashes of the entries, 32 bytes each.
	tile := e.do(request{method: http.MethodGet, path: "/log/tile/0/000.p/" + itoa(int(cp.Size))})
	if tile.Code != 200 || tile.Body.Len() != 32*int(cp.Size) || tile.Header().Get("Content-Type") != "application/octet-stream" ||
		tile.Header().Get("Cache-Control") != "public, max-age=60" {
		t.Errorf("partial hash tile: %d, %d bytes, %q, %q", tile.Code, tile.Body.Len(), tile.Header().Get("Content-Type"), tile.Header().Get("Cache-Control"))
	}
	leaf, err := e.store.Leaf(ctx, p.Index)
	if err != nil {
		t.Fatal(err)
	}
	if h := sumdb.RecordHash(leaf.Data); tile.Code == 200 && string(tile.Body.Bytes()[32*p.Index:32*p.Index+32]) != string(h[:]) {
		t.Error("hash tile entry differs from the leaf's record hash")
	}

	rec := e.do(request{method: http.MethodGet, path: "/log/entries?from=0"})
	var page tlog.EntriesPage
	if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil || int64(len(page.Entries)) != cp.Size {
		t.Errorf("entries page: %d entries, %v", len(page.Entries), err)
	}
}
