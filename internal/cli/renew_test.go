package cli

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/store"
)

func TestRenewVerb(t *testing.T) {
	dir, id := seededWithStatus(t)
	uuid := strings.TrimPrefix(id, "urn:uuid:")
	renewedRE := regexp.MustCompile(`^renewed ` + regexp.QuoteMeta(id) + ` by (urn:uuid:[0-9a-f-]{36}) \(valid until 2035-06-30T00:00:00Z\) http://127\.0\.0\.1:8080/c/[0-9a-f-]{36}\n$`)
	var newID string
	steps := []struct {
		name string
		args []string
		code int
		out  string // substring of stderr (exit != 0)
	}{
		{"missing id", []string{"renew", "--data", dir}, exitBadInput, "--id is required"},
		{"malformed id", []string{"renew", "--data", dir, "--id", "nope"}, exitBadInput, "not a credential id"},
		{"bad date", []string{"renew", "--data", dir, "--id", id, "--valid-until", "soon"}, exitBadInput, "neither a date"},
		{"past date", []string{"renew", "--data", dir, "--id", id, "--valid-until", "2001-01-01"}, exitBadInput, "valid_until"},
		{"unknown id", []string{"renew", "--data", dir, "--id", "00000000-0000-4000-8000-000000000000"}, exitBadInput, "no credential"},
		{"renew by URL", []string{"renew", "--data", dir, "--id", "http://127.0.0.1:8080/c/" + uuid, "--valid-until", "2035-06-30"}, exitOK, ""},
		{"renew twice", []string{"renew", "--data", dir, "--id", uuid}, exitFailed, "already renewed by"},
	}
	for _, s := range steps {
		code, out, errs := run(t, nil, s.args...)
		if code != s.code || !strings.Contains(errs, s.out) {
			t.Fatalf("%s: exit %d (want %d), stdout %q, stderr %q; want %q", s.name, code, s.code, out, errs, s.out)
		}
		if code == exitOK {
			m := renewedRE.FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("%s: confirmation %q", s.name, out)
			}
			newID = m[1]
		}
	}

	ctx := context.Background()
	data := &dataFlags{dir: dir}
	a, err := openApp(ctx, data, "http://127.0.0.1:8080", false, 0, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.store.Close()
	nc, err := a.store.Credential(ctx, newID)
	if err != nil {
		t.Fatal(err)
	}
	if nc.Replaces != id || nc.ValidUntil == nil || !nc.ValidUntil.Equal(time.Date(2035, 6, 30, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("renewal replaces %q until %v", nc.Replaces, nc.ValidUntil)
	}
	events, err := a.store.ListAudit(ctx, store.AuditQuery{OrgID: nc.OrgID, Action: "credential.renew"})
	var mine []store.AuditEvent
	for _, e := range events {
		if e.Target == newID {
			mine = append(mine, e)
		}
	}
	if err != nil || len(mine) != 1 || mine[0].Actor != "cli" {
		t.Errorf("audit of the renewal: %+v %v", mine, err)
	}
	// The public pages link the two credentials both ways.
	newUUID := strings.TrimPrefix(newID, "urn:uuid:")
	for _, p := range []struct{ page, want string }{
		{"/c/" + uuid, "/c/" + newUUID},
		{"/c/" + newUUID, "/c/" + uuid},
	} {
		rec := httptest.NewRecorder()
		a.handler.ServeHTTP(rec, httptest.NewRequest("GET", p.page, nil))
		body := rec.Body.String()
		if rec.Code != http.StatusOK || !strings.Contains(body, p.want) {
			t.Errorf("GET %s = %d, want a link to %s:\n%.600s", p.page, rec.Code, p.want, body)
		}
	}
	if !strings.Contains(pageOf(t, a, uuid), "has been renewed") || !strings.Contains(pageOf(t, a, newUUID), "renews") {
		t.Error("the public pages do not say renewed by / renews")
	}

	// A revoked credential is not renewed.
	if code, _, errs := run(t, nil, "revoke", "--data", dir, "--id", newID, "--reason", "issued in error"); code != exitOK {
		t.Fatalf("revoke: %s", errs)
	}
	if code, _, errs := run(t, nil, "renew", "--data", dir, "--id", newID); code != exitFailed || !strings.Contains(errs, "revoked") {
		t.Errorf("renew of a revoked credential: exit %d: %s", code, errs)
	}
}

func pageOf(t *testing.T, a *app, uuid string) string {
	t.Helper()
	rec := httptest.NewRecorder()
	a.handler.ServeHTTP(rec, httptest.NewRequest("GET", "/c/"+uuid, nil))
	return rec.Body.String()
}

func TestParseValidUntil(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"", time.Time{}, true},
		{"2030-12-31", time.Date(2030, 12, 31, 0, 0, 0, 0, time.UTC), true},
		{" 2030-12-31T23:59:59Z ", time.Date(2030, 12, 31, 23, 59, 59, 0, time.UTC), true},
		{"2030-12-31T10:00:00+02:00", time.Date(2030, 12, 31, 8, 0, 0, 0, time.UTC), true},
		{"2030-12-31T10:00:00", time.Time{}, false}, // no time zone
		{"31/12/2030", time.Time{}, false},
	} {
		got, err := parseValidUntil(tc.in)
		if (err == nil) != tc.ok || !got.Equal(tc.want) {
			t.Errorf("parseValidUntil(%q) = %v, %v; want %v (ok %v)", tc.in, got, err, tc.want, tc.ok)
		}
	}
}
