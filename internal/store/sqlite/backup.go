package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"

	"modernc.org/sqlite"
)

// backuper is what the modernc.org/sqlite connection offers for SQLite's
// online backup API (sqlite3_backup_*).
type backuper interface {
	NewBackup(dstURI string) (*sqlite.Backup, error)
}

// Backup copies the database at path into dst, a file that must not exist
// yet (it is created with mode 0600), with SQLite's online backup API while
// other processes keep using the database: the copy is taken in one step
// under a read transaction, so it is one consistent snapshot of the
// committed state (WAL frames included) and writers are not blocked (in WAL
// mode a reader never blocks the writer). The copy is checked with
// PRAGMA quick_check and returned with the schema version it holds.
//
// The online backup API is used rather than VACUUM INTO because the driver
// offers it and it copies pages as they are, without rebuilding every
// index; both would give a consistent snapshot.
func Backup(ctx context.Context, path, dst string) (schemaVersion int, err error) {
	if _, err := os.Stat(path); err != nil {
		return 0, fmt.Errorf("sqlite: backup: %w", err)
	}
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, fmt.Errorf("sqlite: backup: %w", err)
	}
	f.Close()
	defer func() {
		if err != nil {
			os.Remove(dst)
		}
	}()
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "query_only(ON)")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return 0, fmt.Errorf("sqlite: backup: open %s: %w", path, err)
	}
	defer db.Close()
	c, err := db.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("sqlite: backup: open %s: %w", path, err)
	}
	defer c.Close()
	err = c.Raw(func(dc any) error {
		b, ok := dc.(backuper)
		if !ok {
			return errors.New("the SQLite driver offers no backup API")
		}
		bk, err := b.NewBackup(dst)
		if err != nil {
			return err
		}
		// -1 copies every page in one step: a source written meanwhile
		// by another connection cannot make the copy restart or mix two
		// states.
		_, stepErr := bk.Step(-1)
		if err := bk.Finish(); stepErr == nil {
			stepErr = err
		}
		return stepErr
	})
	if err != nil {
		return 0, fmt.Errorf("sqlite: backup of %s: %w", path, err)
	}
	return checkCopy(ctx, dst)
}

// checkCopy switches a copied database file to the rollback journal, so
// the file stands alone without -wal and -shm companions (the store turns
// WAL on again when it opens it), runs PRAGMA quick_check and returns the
// schema version.
func checkCopy(ctx context.Context, path string) (int, error) {
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return 0, fmt.Errorf("sqlite: check %s: %w", path, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	var mode string
	if err := db.QueryRowContext(ctx, `PRAGMA journal_mode=DELETE`).Scan(&mode); err != nil {
		return 0, fmt.Errorf("sqlite: check %s: %w", path, err)
	}
	var res string
	if err := db.QueryRowContext(ctx, `PRAGMA quick_check`).Scan(&res); err != nil {
		return 0, fmt.Errorf("sqlite: check %s: %w", path, err)
	}
	if res != "ok" {
		return 0, fmt.Errorf("sqlite: check %s: %s", path, res)
	}
	var v int
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(max(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("sqlite: %s is not a microcred database: %w", path, err)
	}
	return v, nil
}

// CheckFile checks a database file restored from a backup (PRAGMA
// quick_check) and returns its schema version.
func CheckFile(ctx context.Context, path string) (int, error) { return checkCopy(ctx, path) }
