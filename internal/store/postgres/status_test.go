package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/store/postgres"
	"github.com/microcred/microcred/internal/store/storetest"
)

// TestStatusTwoHandles allocates status indexes and sets status bits
// through two independently opened stores (separate connection pools) on
// one PostgreSQL schema, as two server processes would.
func TestStatusTwoHandles(t *testing.T) {
	ctx := context.Background()
	base := baseURL(t)
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	schema := "test_" + hex.EncodeToString(rnd[:])
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
	handle := func() store.Store {
		s, err := postgres.Open(ctx, u.String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	a, b := handle(), handle()
	if err := a.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	storetest.StatusConcurrent(t, a, b)
}
