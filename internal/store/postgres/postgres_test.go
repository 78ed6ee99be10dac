package postgres_test

import (
	"context"
	"net/url"
	"os"
	"testing"

	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/store/postgres"
	"github.com/microcred/microcred/internal/store/storetest"
)

// baseURL returns the server to test against, from MICROCRED_TEST_POSTGRES
// (scripts/with-postgres sets it), or skips.
func baseURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("MICROCRED_TEST_POSTGRES")
	if u == "" {
		tb.Skip("MICROCRED_TEST_POSTGRES is not set; run under scripts/with-postgres (scripts/test does) to test the PostgreSQL store")
	}
	return u
}

// open creates a fresh schema for the test, opens a store whose search_path
// points at it, migrates it, and drops the schema when the test ends.
func open(tb testing.TB) store.Store {
	tb.Helper()
	ctx := context.Background()
	s, err := postgres.Open(ctx, sharedSchemaURL(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Error(err)
		}
	})
	if err := s.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestConformance(t *testing.T) {
	baseURL(t) // one clear skip instead of one per subtest
	storetest.Run(t, func(t *testing.T) store.Store { return open(t) })
}

func BenchmarkStore(b *testing.B) {
	baseURL(b)
	storetest.Bench(b, open)
}

// TestOpenURL checks that store.Open dispatches both URL spellings here
// (Open pings the server, so success means a working connection).
func TestOpenURL(t *testing.T) {
	base := baseURL(t)
	ctx := context.Background()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	for _, scheme := range []string{"postgres", "postgresql"} {
		u.Scheme = scheme
		s, err := store.Open(ctx, u.String())
		if err != nil {
			t.Fatalf("Open(%s): %v", u, err)
		}
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	}
	if _, err := store.Open(ctx, "postgres://127.0.0.1:1/none?sslmode=disable&connect_timeout=2"); err == nil {
		t.Error("Open of an unreachable server succeeded")
	}
}
