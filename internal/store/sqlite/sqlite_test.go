package sqlite_test

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"

	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/store/sqlite"
	"github.com/microcred/microcred/internal/store/storetest"
)

func open(tb testing.TB) store.Store {
	tb.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "microcred.db"))
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
	storetest.Run(t, func(t *testing.T) store.Store { return open(t) })
}

func BenchmarkStore(b *testing.B) {
	storetest.Bench(b, open)
}

// TestOpenURL checks the scheme dispatch of store.Open for SQLite.
func TestOpenURL(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	for _, url := range []string{"sqlite:" + filepath.Join(dir, "a.db"), filepath.Join(dir, "b.db")} {
		s, err := store.Open(ctx, url)
		if err != nil {
			t.Fatalf("Open(%q): %v", url, err)
		}
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("Migrate(%q): %v", url, err)
		}
		if _, err := s.CreateOrganization(ctx, store.Organization{Slug: "x", Name: "X"}); err != nil {
			t.Error(err)
		}
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	}
	for _, bad := range []string{"sqlite:", "sqlite::memory:", "sqlite:/tmp/x.db?mode=ro"} {
		if s, err := store.Open(ctx, bad); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded, want error", bad)
		}
	}
}

// TestTwoProcesses opens the same file twice, as two processes (or a CLI
// command next to the server) would, and migrates and writes from both at
// once: busy_timeout and IMMEDIATE transactions must keep every write.
func TestTwoProcesses(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	var stores []store.Store
	for range 2 {
		s, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores = append(stores, s)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for _, s := range stores {
		wg.Go(func() { errs <- s.Migrate(ctx) })
	}
	wg.Wait()
	for i, s := range stores {
		for j := range 20 {
			wg.Go(func() {
				_, err := s.AppendAudit(ctx, store.AuditEvent{Actor: "system", Action: "test", Target: string(rune('a'+i)) + string(rune('a'+j))})
				errs <- err
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	events, err := stores[1].ListAudit(ctx, store.AuditQuery{Limit: 1000})
	if err != nil || len(events) != 40 {
		t.Errorf("ListAudit = %d events, %v; want 40", len(events), err)
	}
}

// TestErrorKinds checks that errors carry their kind as *store.Error and
// match only that kind.
func TestErrorKinds(t *testing.T) {
	s := open(t)
	ctx := context.Background()
	_, err := s.Organization(ctx, "missing")
	var se *store.Error
	if !errors.As(err, &se) || se.Kind != store.ErrNotFound {
		t.Errorf("error %v is not a *store.Error of kind ErrNotFound", err)
	}
	if _, err := s.CreateOrganization(ctx, store.Organization{Slug: "dup", Name: "A"}); err != nil {
		t.Fatal(err)
	}
	_, err = s.CreateOrganization(ctx, store.Organization{Slug: "dup", Name: "B"})
	if !errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound) {
		t.Errorf("duplicate slug error = %v", err)
	}
}
