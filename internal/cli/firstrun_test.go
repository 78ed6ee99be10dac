package cli

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/store"
)

// servingProcess is one in-process run of "microcred serve".
type servingProcess struct {
	base   string
	stderr *syncBuffer
	cancel context.CancelFunc
	done   chan int
}

// startServe runs serve with args until the test ends or stop is called.
// It fails the test unless serve starts.
func startServe(t *testing.T, args ...string) *servingProcess {
	t.Helper()
	p, code := tryServe(t, args...)
	if code != -1 {
		t.Fatalf("serve %v exited with %d: %s", args, code, p.stderr.String())
	}
	return p
}

// tryServe runs serve and returns once it listens (code -1) or has
// exited (its exit code).
func tryServe(t *testing.T, args ...string) (*servingProcess, int) {
	t.Helper()
	p := &servingProcess{stderr: &syncBuffer{}, done: make(chan int, 1)}
	e := &env{stdout: io.Discard, stderr: p.stderr}
	o, code := parseServe(e, args)
	if code != exitOK {
		return p, code
	}
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel = cancel
	t.Cleanup(func() { p.stop(t) })
	ready := make(chan string, 1)
	go func() { p.done <- serve(ctx, e, o, func(base string) { ready <- base }) }()
	select {
	case p.base = <-ready:
		return p, -1
	case code := <-p.done:
		p.cancel = nil
		cancel()
		return p, code
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	return p, -1
}

func (p *servingProcess) stop(t *testing.T) {
	t.Helper()
	if p.cancel == nil {
		return
	}
	p.cancel()
	p.cancel = nil
	select {
	case code := <-p.done:
		if code != exitOK {
			t.Errorf("serve exited with %d: %s", code, p.stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Error("serve did not shut down")
	}
}

// TestFirstRunSetupToken checks that serve on an empty database prints a
// one-time setup token on its terminal, that /setup refuses to create the
// owner without it and accepts it, and that a server with an owner prints
// none.
func TestFirstRunSetupToken(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	p := startServe(t, "--addr", "127.0.0.1:0", "--data", dir)
	out := p.stderr.String()
	var token string
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if strings.Contains(l, "one-time setup token") && i+2 < len(lines) {
			token = strings.TrimSpace(lines[i+2])
		}
	}
	if len(token) < 26 || strings.Count(out, token) != 1 {
		t.Fatalf("setup token %q: want a long token printed once:\n%s", token, out)
	}
	form := url.Values{
		"owner_name": {"Rosa Registrar"}, "owner_email": {"rosa@example.edu"},
		"password": {"a long enough password"}, "password_confirm": {"a long enough password"},
		"name": {"Harbour College"}, "slug": {"harbour"}, "country": {"NL"}, "did_method": {"key"},
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(f url.Values) (int, string) {
		t.Helper()
		resp, err := noRedirect.PostForm(p.base+"/setup", f)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := post(form); code != http.StatusBadRequest || !strings.Contains(body, "Enter the setup token") {
		t.Fatalf("setup without the token: %d %.300s", code, body)
	}
	form.Set("setup_token", token+"x")
	if code, _ := post(form); code != http.StatusBadRequest {
		t.Fatalf("setup with a wrong token: %d", code)
	}
	form.Set("setup_token", token)
	if code, body := post(form); code != http.StatusSeeOther {
		t.Fatalf("setup with the token: %d %.300s", code, body)
	}
	if code, _ := post(form); code != http.StatusNotFound {
		t.Errorf("setup after setup: %d, want 404", code)
	}
	if strings.Count(p.stderr.String(), token) != 1 {
		t.Errorf("the setup token appears in the server's log lines:\n%s", p.stderr.String())
	}
	p.stop(t)

	// Set up: the next start prints no token.
	p = startServe(t, "--addr", "127.0.0.1:0", "--data", dir, "--base-url", p.base)
	if strings.Contains(p.stderr.String(), "setup token") {
		t.Errorf("a server with an owner printed a setup token:\n%s", p.stderr.String())
	}
	p.stop(t)

	// The demo seeds its own owner and asks for no token.
	code, _, errs := run(t, nil, "demo", "--seed-only", "--data", filepath.Join(t.TempDir(), "demo"))
	if code != exitOK || strings.Contains(errs, "setup token") {
		t.Errorf("demo --seed-only: exit %d, printed a setup token: %s", code, errs)
	}
}

// TestBaseURLRecorded checks that serve refuses to run a database under a
// base URL other than the one it was created with, explaining why, and
// that --change-base-url records the new one after saying what breaks.
func TestBaseURLRecorded(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if code, _, errs := run(t, nil, "demo", "--seed-only", "--data", dir, "--base-url", "https://badges.example.edu"); code != exitOK {
		t.Fatalf("demo --seed-only: exit %d: %s", code, errs)
	}
	p, code := tryServe(t, "--addr", "127.0.0.1:0", "--data", dir, "--base-url", "https://credentials.example.edu")
	errs := p.stderr.String()
	if code != exitBadInput || !strings.Contains(errs, "created for the base URL https://badges.example.edu, not https://credentials.example.edu") ||
		!strings.Contains(errs, "stop verifying") || !strings.Contains(errs, "--change-base-url") {
		t.Fatalf("serve under another base URL: exit %d (want %d):\n%s", code, exitBadInput, errs)
	}
	if got := recordedBaseURL(t, dir); got != "https://badges.example.edu" {
		t.Errorf("a refused start changed the recorded base URL to %s", got)
	}
	// The same base URL (with a trailing slash) starts.
	p = startServe(t, "--addr", "127.0.0.1:0", "--data", dir, "--base-url", "https://badges.example.edu/")
	p.stop(t)

	p = startServe(t, "--addr", "127.0.0.1:0", "--data", dir, "--base-url", "https://credentials.example.edu", "--change-base-url")
	if out := p.stderr.String(); !strings.Contains(out, "changes from https://badges.example.edu to https://credentials.example.edu") ||
		!strings.Contains(out, "verify only while that address still reaches this server") {
		t.Errorf("--change-base-url did not explain the change:\n%s", out)
	}
	p.stop(t)
	if got := recordedBaseURL(t, dir); got != "https://credentials.example.edu" {
		t.Errorf("recorded base URL after --change-base-url: %s", got)
	}
	// An empty database takes any base URL: nothing was built on it.
	empty := filepath.Join(t.TempDir(), "empty")
	startServe(t, "--addr", "127.0.0.1:0", "--data", empty, "--base-url", "https://a.example").stop(t)
	startServe(t, "--addr", "127.0.0.1:0", "--data", empty, "--base-url", "https://b.example").stop(t)
}

func recordedBaseURL(t *testing.T, dir string) string {
	t.Helper()
	ctx := context.Background()
	st, err := (&dataFlags{dir: dir}).openStore(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	v, err := st.Setting(ctx, store.SettingBaseURL)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
