package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/microcred/microcred/internal/store/sqlite"
	"github.com/microcred/microcred/internal/store/storetest"
)

// TestStatusTwoHandles allocates status indexes and sets status bits
// through two independently opened stores on one database file, as two
// processes would.
func TestStatusTwoHandles(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "microcred.db")
	a, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	b, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	storetest.StatusConcurrent(t, a, b)
}
