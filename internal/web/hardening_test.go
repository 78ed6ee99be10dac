package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/auth"
)

// TestLoginRefusedWhenHashingIsFull holds every slot of the password gate
// and checks that a login is answered 503 with Retry-After at once instead
// of starting another 19 MiB argon2id computation, and that logins work
// again once the slot is free.
func TestLoginRefusedWhenHashingIsFull(t *testing.T) {
	gate := auth.NewGate(1, 0, time.Second)
	e := newEnv(t, envOptions{gate: gate})
	form := url.Values{"email": {"owner@example.edu"}, "password": {"wrong password here"}}
	release, err := gate.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rec := e.do(request{method: http.MethodPost, path: "/login", form: form})
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("login with the gate full: %d, Retry-After %q; want 503 with Retry-After", rec.Code, rec.Header().Get("Retry-After"))
	}
	release()
	rec = e.do(request{method: http.MethodPost, path: "/login", form: form})
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("wrong password with the gate free: %d, want 401", rec.Code)
	}
	form.Set("password", testPassword)
	rec = e.do(request{method: http.MethodPost, path: "/login", form: form})
	if rec.Code != http.StatusSeeOther {
		t.Errorf("right password: %d, want 303", rec.Code)
	}
}
