package postgres_test

import (
	"context"
	"testing"

	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/store/postgres"
	"github.com/microcred/microcred/internal/store/storetest"
)

// TestStatusTwoHandles allocates status indexes and sets status bits
// through two independently opened stores (separate connection pools) on
// one PostgreSQL schema, as two server processes would.
func TestStatusTwoHandles(t *testing.T) {
	ctx := context.Background()
	u := sharedSchemaURL(t)
	handle := func() store.Store {
		s, err := postgres.Open(ctx, u)
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
