package backup

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/store"
	_ "github.com/microcred/microcred/internal/store/postgres"
	_ "github.com/microcred/microcred/internal/store/sqlite"
)

// onlineBackups backs up the database at url three times while a writer
// appends audit events, restores each backup into a new database made by
// fresh, and checks that each restored log is a gap-free prefix of what
// was written (one consistent snapshot, neither torn nor mixed) and that
// the snapshots grow.
func onlineBackups(t *testing.T, url string, fresh func(i int) string) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	var written atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, err := st.AppendAudit(ctx, store.AuditEvent{Actor: "writer", Action: "test.write", Target: fmt.Sprint(i)}); err != nil {
				t.Error(err)
				return
			}
			written.Add(1)
		}
	})
	defer func() { close(stop); wg.Wait() }()
	var last int
	for i := range 3 {
		for n := written.Load(); written.Load() < n+20; {
			time.Sleep(5 * time.Millisecond)
		}
		out := filepath.Join(t.TempDir(), "b.zip")
		m, err := Create(ctx, Options{DatabaseURL: url, Out: out})
		if err != nil {
			t.Fatalf("backup %d: %v", i, err)
		}
		if m.MasterKeyIncluded || m.SchemaVersion < 1 {
			t.Errorf("manifest %+v", m)
		}
		a, err := Open(out)
		if err != nil {
			t.Fatal(err)
		}
		target := fresh(i)
		if err := a.Restore(ctx, target); err != nil {
			t.Fatalf("restore %d: %v", i, err)
		}
		a.Close()
		rst, err := store.Open(ctx, target)
		if err != nil {
			t.Fatal(err)
		}
		var events []store.AuditEvent
		for after := int64(0); ; {
			page, err := rst.ListAudit(ctx, store.AuditQuery{Action: "test.write", AfterID: after, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			events = append(events, page...)
			after = page[len(page)-1].ID
		}
		rst.Close()
		seen := map[string]bool{}
		for _, e := range events {
			seen[e.Target] = true
		}
		for k := range len(events) {
			if !seen[fmt.Sprint(k)] {
				t.Fatalf("backup %d holds %d events but not event %d: not one snapshot", i, len(events), k)
			}
		}
		if len(events) <= last {
			t.Errorf("backup %d holds %d events, the one before %d", i, len(events), last)
		}
		last = len(events)
	}
}

func TestOnlineBackupSQLite(t *testing.T) {
	dir := t.TempDir()
	onlineBackups(t, "sqlite:"+filepath.Join(dir, "live.db"), func(i int) string {
		return "sqlite:" + filepath.Join(dir, fmt.Sprintf("restored-%d", i), "microcred.db")
	})
}

func TestOnlineBackupPostgres(t *testing.T) {
	base := os.Getenv("MICROCRED_TEST_POSTGRES")
	if base == "" {
		t.Skip("MICROCRED_TEST_POSTGRES is not set: run through scripts/with-postgres")
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	suffix := fmt.Sprint(time.Now().UnixNano())
	dbURL := func(name string) string {
		cfg, err := pgx.ParseConfig(base)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("postgres://%s@%s:%d/%s?sslmode=disable", cfg.User, cfg.Host, cfg.Port, name)
	}
	create := func(name string) string {
		if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { admin.Exec(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)") })
		return dbURL(name)
	}
	live := create("backup_live_" + suffix)
	onlineBackups(t, live, func(i int) string { return create(fmt.Sprintf("backup_restored_%d_%s", i, suffix)) })
}

func TestMasterKeyInBackup(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	url := "sqlite:" + filepath.Join(dir, "db.sqlite")
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	st.Close()
	var m keys.MasterKey
	for i := range m {
		m[i] = byte(i)
	}
	out := filepath.Join(dir, "with-key.zip")
	if _, err := Create(ctx, Options{DatabaseURL: url, Out: out, MasterKey: &m}); err != nil {
		t.Fatal(err)
	}
	a, err := Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	got, ok, err := a.MasterKey()
	if err != nil || !ok || got != m {
		t.Fatalf("MasterKey() = %v, %v, %v", got, ok, err)
	}
	if _, err := Create(ctx, Options{DatabaseURL: url, Out: out}); err == nil {
		t.Error("a backup replaced an existing file")
	}
	if _, err := os.Stat(out + ".partial"); err == nil {
		t.Error("a failed backup left its partial file")
	}
}
