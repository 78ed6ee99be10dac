package cli

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/microcred/microcred/internal/auth"
)

func TestUsersVerb(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if code, _, errs := run(t, nil, "demo", "--seed-only", "--data", dir); code != exitOK {
		t.Fatalf("demo --seed-only: exit %d: %s", code, errs)
	}
	for _, c := range []struct {
		name string
		args []string
		code int
		errs string
	}{
		{"no sub-command", []string{"users"}, exitBadInput, "usage"},
		{"unknown sub-command", []string{"users", "delete", "--data", dir}, exitBadInput, "usage"},
		{"disable without email", []string{"users", "disable", "--data", dir}, exitBadInput, "--email is required"},
		{"unknown address", []string{"users", "reset-password", "--data", dir, "--email", "nobody@example.org"}, exitBadInput, "no account has the address"},
	} {
		if code, _, errs := run(t, nil, c.args...); code != c.code || !strings.Contains(errs, c.errs) {
			t.Errorf("%s: exit %d, stderr %q", c.name, code, errs)
		}
	}
	code, out, errs := run(t, nil, "users", "list", "--json", "--data", dir)
	if code != exitOK {
		t.Fatalf("users list: %d %s", code, errs)
	}
	var rows []userRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) < 10 {
		t.Fatalf("users list --json: %v, %d rows", err, len(rows))
	}
	var admin, learner string
	for _, r := range rows {
		if !r.Learner && admin == "" {
			admin = r.Email
		}
		if r.Learner && learner == "" {
			learner = r.Email
		}
	}
	if code, out, errs := run(t, nil, "users", "list", "--data", dir); code != exitOK || !strings.Contains(out, admin) || !strings.Contains(out, "EMAIL") {
		t.Fatalf("users list: %d %q %s", code, out, errs)
	}

	// disable, then enable.
	if code, _, errs := run(t, nil, "users", "disable", "--data", dir, "--email", strings.ToUpper(learner)); code != exitOK {
		t.Fatalf("disable: %s", errs)
	}
	_, out, _ = run(t, nil, "users", "list", "--json", "--data", dir)
	if !strings.Contains(out, `"disabled": true`) {
		t.Error("disabled account not listed as disabled")
	}
	if code, _, errs := run(t, nil, "users", "enable", "--data", dir, "--email", learner); code != exitOK {
		t.Fatalf("enable: %s", errs)
	}

	// reset-password prints a link that the server accepts: the lost-admin
	// case without deleting the data.
	code, out, errs = run(t, nil, "users", "reset-password", "--data", dir, "--email", admin)
	link := regexp.MustCompile(`http://[^\s]+/reset/(\S+)`).FindStringSubmatch(out)
	if code != exitOK || link == nil {
		t.Fatalf("reset-password: %d %q %s", code, out, errs)
	}
	ctx := context.Background()
	a, err := openApp(ctx, &dataFlags{dir: dir}, "http://127.0.0.1:8080", true, 0, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	defer a.store.Close()
	tok, _ := url.PathUnescape(link[1])
	form := url.Values{"password": {"operator-given passphrase"}, "password_confirm": {"operator-given passphrase"}}
	req := httptest.NewRequest("POST", "/reset/"+url.PathEscape(tok), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	a.handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("reset through the printed link: %d %s", rec.Code, rec.Body.String())
	}
	u, err := a.store.UserByEmail(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := auth.CheckPassword(u.PasswordHash, "operator-given passphrase"); !ok {
		t.Error("password not changed through the operator's link")
	}
}
