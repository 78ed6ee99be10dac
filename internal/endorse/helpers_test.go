package endorse_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/store/postgres"
	"github.com/microcred/microcred/internal/store/sqlite"
)

// backends lists the databases to run against: SQLite always, PostgreSQL
// when MICROCRED_TEST_POSTGRES is set (scripts/with-postgres sets it).
func backends() []string {
	if os.Getenv("MICROCRED_TEST_POSTGRES") != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

func openStore(t *testing.T, backend string) store.Store {
	t.Helper()
	ctx := context.Background()
	var s store.Store
	var err error
	switch backend {
	case "sqlite":
		s, err = sqlite.Open(ctx, filepath.Join(t.TempDir(), "microcred.db"))
	case "postgres":
		s, err = openPostgres(t)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// openPostgres opens a store in a fresh schema dropped when the test ends.
func openPostgres(t *testing.T) (store.Store, error) {
	ctx := context.Background()
	base := os.Getenv("MICROCRED_TEST_POSTGRES")
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	schema := "endorse_" + hex.EncodeToString(rnd[:])
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		return nil, err
	}
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close(ctx)
		return nil, err
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close(ctx)
	})
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return postgres.Open(ctx, u.String())
}
