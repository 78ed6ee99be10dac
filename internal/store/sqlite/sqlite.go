package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/store/internal/sqlcore"
)

//go:embed migrations/*.sql
var migrations embed.FS

func init() {
	store.Register("sqlite", func(ctx context.Context, u string) (store.Store, error) {
		return Open(ctx, strings.TrimPrefix(u, "sqlite:"))
	})
}

// Open opens (creating if needed) the SQLite database file at path. It does
// not migrate; call Migrate.
func Open(ctx context.Context, path string) (store.Store, error) {
	b, err := openBackend(ctx, path)
	if err != nil {
		return nil, err
	}
	return sqlcore.New(b), nil
}

func openBackend(ctx context.Context, path string) (*backend, error) {
	if path == "" || strings.ContainsAny(path, "?#") || strings.HasPrefix(path, ":memory:") {
		return nil, fmt.Errorf("sqlite: open %q: need a file path without '?' or '#' (in-memory databases cannot be shared by the two pools)", path)
	}
	pragmas := url.Values{}
	for _, p := range []string{"busy_timeout(5000)", "foreign_keys(ON)", "synchronous(NORMAL)"} {
		pragmas.Add("_pragma", p)
	}
	// The writer sets WAL mode (persistent in the file) before any reader
	// connects.
	wq := url.Values{"_txlock": {"immediate"}}
	for k, v := range pragmas {
		wq[k] = v
	}
	wq.Add("_pragma", "journal_mode(WAL)")
	// Statement journals (kept while a multi-row insert could still fail
	// halfway) live in memory rather than in a temporary file: measured,
	// a third of the write calls of a bulk job went to that file.
	wq.Add("_pragma", "temp_store(MEMORY)")
	// The write connection does all the page churn of issuance, so it
	// gets a larger page cache (64 MiB instead of 2 MiB): the random-key
	// indexes (credential ids, status list indexes, log leaf hashes) stay
	// in memory instead of being read back for every batch.
	wq.Add("_pragma", "cache_size(-65536)")
	// Checkpoints run in the background (see checkpointer), not inside the
	// commit that crosses a WAL size limit: a checkpoint costs two fsyncs
	// (~3 ms each on this class of machine) plus a write per distinct
	// page, and inside a commit it would hold the only write connection
	// and every issuance waiting behind it. The automatic checkpoint stays
	// as a backstop at 50,000 pages (about 200 MB of WAL) in case the
	// background one cannot keep up.
	wq.Add("_pragma", "wal_autocheckpoint(50000)")
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	w, err := openCaching("file:" + path + "?" + wq.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// WAL mode is on now: the WAL and shared-memory files exist.
	if err := createPrivate(path); err != nil {
		w.Close()
		return nil, err
	}
	rq := url.Values{}
	for k, v := range pragmas {
		rq[k] = v
	}
	rq.Add("_pragma", "query_only(ON)")
	r, err := openCaching("file:" + path + "?" + rq.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlite: open %s for reading: %w", path, err)
	}
	n := max(4, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	if err := r.PingContext(ctx); err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("sqlite: open %s for reading: %w", path, err)
	}
	// A third connection only checkpoints. PASSIVE mode copies WAL frames
	// into the database without blocking readers or the writer.
	c, err := sql.Open("sqlite", "file:"+path+"?"+pragmas.Encode())
	if err != nil {
		w.Close()
		r.Close()
		return nil, fmt.Errorf("sqlite: open %s for checkpoints: %w", path, err)
	}
	c.SetMaxOpenConns(1)
	b := &backend{path: path, r: r, w: w, ckpt: c, stop: make(chan struct{}), done: make(chan struct{})}
	go b.checkpointer(checkpointInterval)
	return b, nil
}

// createPrivate makes the database file and its WAL and shared-memory
// files readable and writable by their owner only, whatever the umask and
// wherever --db puts them: they hold password hashes, sealed signing keys
// and learners' personal data. A missing database file is created empty
// with mode 0600 before SQLite opens it (an empty file is a new database);
// the WAL and shared-memory files, which SQLite creates with its default
// mode, are restricted as soon as they exist. SQLite keeps them while a
// connection is open, and the write connection stays open.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("sqlite: create %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("sqlite: create %s: %w", path, err)
	}
	for _, name := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("sqlite: %w", err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			if err := os.Chmod(name, fi.Mode().Perm()&0o700); err != nil {
				return fmt.Errorf("sqlite: restrict %s to its owner: %w", name, err)
			}
		}
	}
	return nil
}

// checkpointInterval is how often the background checkpointer runs: often
// enough that the WAL stays small under sustained issuance, rarely enough
// that an idle server does no work (a PASSIVE checkpoint of an empty WAL
// is a no-op).
const checkpointInterval = 250 * time.Millisecond

type backend struct {
	path       string
	r, w, ckpt *sql.DB
	stop, done chan struct{}
	closeOnce  sync.Once
}

// checkpointer runs PASSIVE WAL checkpoints until Close.
func (b *backend) checkpointer(every time.Duration) {
	defer close(b.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
			// A failure (busy, I/O) is retried on the next tick; the
			// automatic checkpoint remains the backstop.
			_, _ = b.ckpt.Exec("PRAGMA wal_checkpoint(PASSIVE)")
		}
	}
}

func (b *backend) Read() sqlcore.Conn  { return dbConn{b.r} }
func (b *backend) Write() sqlcore.Conn { return dbConn{b.w} }

func (b *backend) Begin(ctx context.Context) (sqlcore.Tx, error) {
	tx, err := b.w.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return txConn{tx}, nil
}

// WriteConcurrency implements store.WriteConcurrency: one write
// connection, so one write transaction at a time.
func (b *backend) WriteConcurrency() int { return 1 }

// IndexedBy names the index a query must walk: SQLite keeps no statistics
// unless ANALYZE runs, and without them may prefer an index that gives the
// order over one that skips the rows a filter rejects (see
// sqlcore.SearchCredentials).
func (b *backend) IndexedBy(index string) string { return " INDEXED BY " + index }

func (b *backend) Close() error {
	b.closeOnce.Do(func() { close(b.stop) })
	<-b.done
	return errors.Join(b.ckpt.Close(), b.r.Close(), b.w.Close())
}

// Classify maps SQLite result codes to the store's error kinds.
func (b *backend) Classify(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return nil
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY,
		sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY, sqlite3.SQLITE_CONSTRAINT_TRIGGER:
		return store.ErrConflict
	case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL, sqlite3.SQLITE_CONSTRAINT_DATATYPE:
		return store.ErrInvalid
	}
	return nil
}

// Migrate applies pending migrations on the write connection. Because
// transactions begin IMMEDIATE, a second process migrating the same file
// waits (busy_timeout) and then finds the work done.
func (b *backend) Migrate(ctx context.Context) error {
	ms, err := sqlcore.LoadMigrations(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	if _, err := b.w.ExecContext(ctx, sqlcore.SchemaMigrationsDDL); err != nil {
		return fmt.Errorf("sqlite: create schema_migrations: %w", err)
	}
	for _, m := range ms {
		if err := b.apply(ctx, m); err != nil {
			return err
		}
	}
	return nil
}

func (b *backend) apply(ctx context.Context, m sqlcore.Migration) error {
	tx, err := b.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: migration %s: %w", m.Name, err)
	}
	defer tx.Rollback() //nolint:errcheck // no-op after Commit
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, m.Version).Scan(&n); err != nil {
		return fmt.Errorf("sqlite: migration %s: %w", m.Name, err)
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("sqlite: migration %s: %w", m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.Version, m.Name, time.Now().UTC().Format(sqlcore.TimeLayout)); err != nil {
		return fmt.Errorf("sqlite: record migration %s: %w", m.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit migration %s: %w", m.Name, err)
	}
	return nil
}

type sqlRunner interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// dbConn adapts *sql.DB and *sql.Tx to sqlcore.Conn, storing times as
// fixed-width text.
type dbConn struct{ db sqlRunner }

func (c dbConn) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	res, err := c.db.ExecContext(ctx, q, sqlcore.ConvertTimeArgs(args)...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (c dbConn) Query(ctx context.Context, q string, args ...any) (sqlcore.Rows, error) {
	rows, err := c.db.QueryContext(ctx, q, sqlcore.ConvertTimeArgs(args)...)
	if err != nil {
		return nil, err
	}
	return sqlRows{rows}, nil
}

func (c dbConn) QueryRow(ctx context.Context, q string, args ...any) sqlcore.Row {
	return c.db.QueryRowContext(ctx, q, sqlcore.ConvertTimeArgs(args)...)
}

type sqlRows struct{ *sql.Rows }

func (r sqlRows) Close() { _ = r.Rows.Close() }

type txConn struct{ tx *sql.Tx }

func (t txConn) Exec(ctx context.Context, q string, args ...any) (int64, error) {
	return dbConn{t.tx}.Exec(ctx, q, args...)
}

func (t txConn) Query(ctx context.Context, q string, args ...any) (sqlcore.Rows, error) {
	return dbConn{t.tx}.Query(ctx, q, args...)
}

func (t txConn) QueryRow(ctx context.Context, q string, args ...any) sqlcore.Row {
	return dbConn{t.tx}.QueryRow(ctx, q, args...)
}

func (t txConn) Commit(context.Context) error   { return t.tx.Commit() }
func (t txConn) Rollback(context.Context) error { return t.tx.Rollback() }
