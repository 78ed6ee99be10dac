package bulk_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/store"

	_ "github.com/microcred/microcred/internal/store/postgres"
	_ "github.com/microcred/microcred/internal/store/sqlite"
)

const testBase = "http://127.0.0.1:8080"

// testEnv is a migrated database with one organization, one achievement
// of it, an achievement of another organization and an issuance service,
// laid out as the command line expects a data directory.
type testEnv struct {
	dir, dbURL      string
	st              store.Store
	svc             *issue.Service
	org             store.Organization
	achID, otherAch string
}

// dbURLs returns the databases to run on: SQLite always, PostgreSQL when
// MICROCRED_TEST_POSTGRES is set.
func dbURLs() []string {
	urls := []string{""}
	if pg := os.Getenv("MICROCRED_TEST_POSTGRES"); pg != "" {
		urls = append(urls, pg)
	}
	return urls
}

func dbName(u string) string {
	if u == "" {
		return "sqlite"
	}
	return "postgres"
}

func newEnv(t testing.TB, dbURL string) *testEnv {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	u := dbURL
	if u == "" {
		u = "sqlite:" + filepath.Join(dir, "microcred.db")
	}
	master, err := keys.LoadOrCreateMasterKey(filepath.Join(dir, "master.key"))
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := st.SetSetting(ctx, store.SettingBaseURL, testBase); err != nil {
		t.Fatal(err)
	}
	svc := &issue.Service{Store: st, Master: master, BaseURL: testBase}
	t.Cleanup(svc.Close)
	e := &testEnv{dir: dir, dbURL: dbURL, st: st, svc: svc}
	e.org, e.achID = e.newOrg(t)
	_, e.otherAch = e.newOrg(t)
	return e
}

var orgSeq int

func (e *testEnv) newOrg(t testing.TB) (store.Organization, string) {
	t.Helper()
	ctx := context.Background()
	orgSeq++
	slug := fmt.Sprintf("uni-%d-%s", orgSeq, strings.ToLower(store.NewID()[:8]))
	org, err := e.svc.CreateOrganization(ctx, store.Organization{Slug: slug, Name: "University " + slug,
		URL: "https://uni.example/" + slug, Email: "registrar@uni.example", Country: "NL"}, "", "system")
	if err != nil {
		t.Fatal(err)
	}
	ach := catalog.DemoCatalogAt(testBase)[0].Achievements[0]
	ach.Provider = org.Slug
	entry, err := e.svc.SaveAchievement(ctx, org.ID, &ach, "system")
	if err != nil {
		t.Fatal(err)
	}
	return org, entry.Achievement.ID
}

// writeCSV writes content to a file in the test's directory.
func writeCSV(t testing.TB, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "rows.csv")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// genCSV returns a CSV of n distinct learners.
func genCSV(n int, tag string) string {
	var b strings.Builder
	b.WriteString("email,name,identifier,result\r\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "learner%d.%s@uni.example,\"Learner %d, %s\",S%06d,Pass\r\n", i, tag, i, tag, i)
	}
	return b.String()
}
