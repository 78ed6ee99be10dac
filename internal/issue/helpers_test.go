package issue_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/store/postgres"
	"github.com/microcred/microcred/internal/store/sqlite"
)

const testBase = "http://127.0.0.1:8080"

// backends lists the databases to run against: SQLite always, PostgreSQL
// when MICROCRED_TEST_POSTGRES is set (scripts/with-postgres sets it).
func backends() []string {
	if os.Getenv("MICROCRED_TEST_POSTGRES") != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

// forEachBackend runs fn as a subtest per database.
func forEachBackend(t *testing.T, fn func(t *testing.T, s store.Store)) {
	for _, b := range backends() {
		t.Run(b, func(t *testing.T) { fn(t, openStore(t, b)) })
	}
}

func openStore(tb testing.TB, backend string) store.Store {
	tb.Helper()
	ctx := context.Background()
	var s store.Store
	var err error
	switch backend {
	case "sqlite":
		s, err = sqlite.Open(ctx, filepath.Join(tb.TempDir(), "microcred.db"))
	case "postgres":
		s, err = openPostgres(tb)
	}
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

// openPostgres opens a store in a fresh schema that is dropped when the
// test ends.
func openPostgres(tb testing.TB) (store.Store, error) {
	ctx := context.Background()
	base := os.Getenv("MICROCRED_TEST_POSTGRES")
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	schema := "issue_" + hex.EncodeToString(rnd[:])
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		return nil, err
	}
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close(ctx)
		return nil, err
	}
	tb.Cleanup(func() {
		if _, err := admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
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

func newService(tb testing.TB, s store.Store) *issue.Service {
	tb.Helper()
	var master keys.MasterKey
	_, _ = rand.Read(master[:])
	return &issue.Service{Store: s, Master: master, BaseURL: testBase}
}

// fixture is an organization with an owner and one achievement.
type fixture struct {
	svc   *issue.Service
	org   store.Organization
	owner store.User
	ach   store.CatalogEntry
}

func newFixture(tb testing.TB, s store.Store, method store.DIDMethod) fixture {
	tb.Helper()
	ctx := context.Background()
	svc := newService(tb, s)
	owner, err := s.CreateUser(ctx, store.User{Email: "owner-" + store.NewID()[:8] + "@uni.example", Name: "Olga Owner"})
	if err != nil {
		tb.Fatal(err)
	}
	// Two organizations of one server have distinct names and addresses.
	slug, name, url := "demo-university", "Demo University", "https://uni.example"
	if method == store.DIDKey {
		slug, name, url = "key-institute", "Key Institute", "https://key.example"
	}
	org, err := svc.CreateOrganization(ctx, store.Organization{
		Slug: slug, Name: name, URL: url, Email: "registrar@uni.example",
		Description: "A university.", DIDMethod: method,
	}, owner.ID, owner.ID)
	if err != nil {
		tb.Fatal(err)
	}
	a := demoAchievement(tb)
	entry, err := svc.SaveAchievement(ctx, org.ID, a, owner.ID)
	if err != nil {
		tb.Fatal(err)
	}
	return fixture{svc: svc, org: org, owner: owner, ach: entry}
}

// demoAchievement returns a copy of a valid demo catalog entry without an
// id, as a form would submit it.
func demoAchievement(tb testing.TB) *catalog.Achievement {
	tb.Helper()
	orgs := catalog.DemoCatalogAt(testBase)
	if len(orgs) == 0 || len(orgs[0].Achievements) == 0 {
		tb.Fatal("demo catalog is empty")
	}
	a := orgs[0].Achievements[0]
	a.ID, a.Slug, a.Version = "", "", 0
	return &a
}
