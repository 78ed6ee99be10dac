package api

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/auth"
	"github.com/microcred/microcred/internal/store"
)

// TestTokenSecretCheckUnderGate checks that an argon2id client secret is
// checked under the password gate: with every slot taken the token endpoint
// answers 503 with Retry-After instead of computing, and works once a slot
// is free.
func TestTokenSecretCheckUnderGate(t *testing.T) {
	gate := auth.NewGate(1, 0, time.Second)
	e := newEnv(t, "sqlite", store.DIDWeb, func(c *Config) { c.PasswordGate = gate })
	phc, err := auth.HashPassword("an argon2id client secret")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.CreateAPIClient(context.Background(), store.APIClient{ClientID: "argon", SecretHash: []byte(phc),
		OrgID: e.org.ID, Name: "argon client", Scopes: allScopes}); err != nil {
		t.Fatal(err)
	}
	hdr := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Authorization": basic("argon", "an argon2id client secret")}
	body := url.Values{"grant_type": {"client_credentials"}}.Encode()
	release, err := gate.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rec := e.do("POST", "/oauth/token", hdr, body)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("token with the gate full: %d, Retry-After %q; want 503 with Retry-After", rec.Code, rec.Header().Get("Retry-After"))
	}
	release()
	if rec := e.do("POST", "/oauth/token", hdr, body); rec.Code != http.StatusOK {
		t.Errorf("token with the gate free: %d %s", rec.Code, rec.Body)
	}
}
