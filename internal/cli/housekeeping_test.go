package cli

import (
	"context"
	"crypto/sha256"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/store/sqlite"
)

// TestSweep: expired sessions and access tokens go, live ones stay.
func TestSweep(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "microcred.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	digest := func(s string) []byte { d := sha256.Sum256([]byte(s)); return d[:] }
	org, err := st.CreateOrganization(ctx, store.Organization{Slug: "sweep", Name: "Sweep"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := st.CreateUser(ctx, store.User{Email: "u@example.org", Name: "U"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateAPIClient(ctx, store.APIClient{ClientID: "c1", SecretHash: digest("secret"), OrgID: org.ID, Scopes: []string{"issue"}}); err != nil {
		t.Fatal(err)
	}
	for name, exp := range map[string]time.Time{"old": now.Add(-time.Hour), "live": now.Add(time.Hour)} {
		if _, err := st.CreateSession(ctx, store.Session{ID: digest("session-" + name), UserID: u.ID, CSRFSecret: []byte("x"),
			CreatedAt: now.Add(-2 * time.Hour), ExpiresAt: exp}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateAccessToken(ctx, store.AccessToken{Hash: digest("token-" + name), ClientID: "c1", Scopes: []string{"issue"},
			CreatedAt: now.Add(-2 * time.Hour), ExpiresAt: exp, OrgID: org.ID}); err != nil {
			t.Fatal(err)
		}
	}
	s, tk, _, err := sweep(ctx, st, now)
	if err != nil || s != 1 || tk != 1 {
		t.Fatalf("sweep deleted %d sessions and %d tokens (%v); want 1 and 1", s, tk, err)
	}
	if _, err := st.Session(ctx, digest("session-live")); err != nil {
		t.Errorf("live session: %v", err)
	}
	if _, err := st.AccessToken(ctx, digest("token-old")); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("expired token after the sweep: %v", err)
	}
	if _, err := st.AccessToken(ctx, digest("token-live")); err != nil {
		t.Errorf("live token: %v", err)
	}
}
