package postgres_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/store/postgres"
	"github.com/microcred/microcred/internal/store/storetest"
)

// sharedSchemaURL creates a fresh schema and returns a URL whose
// search_path points at it, so that several independent store handles —
// as several server processes would — can open the same database.
func sharedSchemaURL(tb testing.TB) string {
	tb.Helper()
	ctx := context.Background()
	base := baseURL(tb)
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	schema := "test_" + hex.EncodeToString(rnd[:])
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("connect to %s: %v", base, err)
	}
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close(ctx)
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if _, err := admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close(ctx)
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// TestLogTwoHandles appends to the transparency log through two
// independent connection pools on one database at once: every leaf must
// get its own sequence number and the stored tree must be exactly the tree
// of the leaves in index order.
func TestLogTwoHandles(t *testing.T) {
	u := sharedSchemaURL(t)
	ctx := context.Background()
	var handles []store.Store
	for range 2 {
		s, err := postgres.Open(ctx, u)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		if err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		handles = append(handles, s)
	}
	const workers, batches, per = 4, 10, 7
	var wg sync.WaitGroup
	errs := make(chan error, 2*workers*batches)
	for h, s := range handles {
		for w := range workers {
			wg.Go(func() {
				for b := range batches {
					leaves := make([]store.LogLeaf, per)
					for i := range leaves {
						leaves[i] = store.LogLeaf{Data: fmt.Appendf(nil, "h%d w%d b%d i%d", h, w, b, i), Kind: "test"}
					}
					if err := s.WithTx(ctx, func(tx store.Store) error {
						_, err := tx.AppendLeaves(ctx, leaves)
						return err
					}); err != nil {
						errs <- err
					}
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	storetest.CheckLogConsistent(t, handles[1], 2*workers*batches*per)
}
