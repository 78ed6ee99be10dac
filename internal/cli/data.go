package cli

import (
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/store"

	// Both implementations register with store.Open; --db chooses one.
	_ "github.com/microcred/microcred/internal/store/postgres"
	_ "github.com/microcred/microcred/internal/store/sqlite"
)

// Names inside the data directory, and the environment variable that
// supplies the master key instead of the file.
const (
	defaultDataDir = "./microcred-data"
	dbFileName     = "microcred.db"
	masterKeyName  = "master.key"
	masterKeyEnv   = "MICROCRED_MASTER_KEY"
)

// dataFlags are the flags every server-side verb takes: --data names the
// directory holding the SQLite database and the master key file, --db
// overrides the database (sqlite:PATH or postgres://...).
type dataFlags struct {
	dir string
	db  string
}

func addDataFlags(fs *flag.FlagSet) *dataFlags {
	d := &dataFlags{}
	fs.StringVar(&d.dir, "data", defaultDataDir, "data `directory`: the SQLite database "+dbFileName+" and the master key file "+masterKeyName)
	fs.StringVar(&d.db, "db", "", "database `URL` overriding the one in --data: sqlite:PATH or postgres://user@host:5432/db")
	return d
}

// check validates the flag values without touching the file system.
func (d *dataFlags) check() error {
	if strings.TrimSpace(d.dir) == "" {
		return errors.New("--data must name a directory")
	}
	if d.db != "" && store.Scheme(d.db) == "sqlite" {
		p := strings.TrimPrefix(d.db, "sqlite:")
		if p == "" || strings.Contains(d.db, "://") {
			return fmt.Errorf("--db %q is neither sqlite:PATH nor a postgres:// URL", d.db)
		}
	}
	return nil
}

// url returns the database URL the flags select.
func (d *dataFlags) url() string {
	if d.db != "" {
		return d.db
	}
	return "sqlite:" + filepath.Join(d.dir, dbFileName)
}

// sqlitePath returns the database file when the database is SQLite, else "".
func (d *dataFlags) sqlitePath() string {
	u := d.url()
	if store.Scheme(u) != "sqlite" {
		return ""
	}
	return strings.TrimPrefix(u, "sqlite:")
}

// describe names the database for people, without the password a
// PostgreSQL URL may carry.
func (d *dataFlags) describe() string {
	if p := d.sqlitePath(); p != "" {
		return "SQLite " + p
	}
	return "PostgreSQL " + redactURL(d.db)
}

// ensureDir creates the data directory (mode 0700) and, for SQLite, the
// directory of the database file.
func (d *dataFlags) ensureDir() error {
	if err := os.MkdirAll(d.dir, 0o700); err != nil {
		return fmt.Errorf("creating data directory: %w", err)
	}
	if p := d.sqlitePath(); p != "" {
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return fmt.Errorf("creating database directory: %w", err)
		}
	}
	return nil
}

// openStore opens the database, creating the data directory first when
// create is set. With create unset a missing SQLite file is an error
// instead of a new empty database.
func (d *dataFlags) openStore(ctx context.Context, create bool) (store.Store, error) {
	if create {
		if err := d.ensureDir(); err != nil {
			return nil, err
		}
	} else if p := d.sqlitePath(); p != "" {
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no database at %s (run 'microcred migrate' or 'microcred demo --seed-only' first)", p)
		}
	}
	st, err := store.Open(ctx, d.url())
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", d.describe(), err)
	}
	return st, nil
}

// masterKey returns the master key: from MICROCRED_MASTER_KEY (base64 of 32
// bytes) when set, so several PostgreSQL nodes can share it through their
// environment, else from master.key in the data directory, created on first
// use.
func (d *dataFlags) masterKey() (keys.MasterKey, error) {
	if v := strings.TrimSpace(os.Getenv(masterKeyEnv)); v != "" {
		return parseMasterKey(v)
	}
	if err := os.MkdirAll(d.dir, 0o700); err != nil {
		return keys.MasterKey{}, fmt.Errorf("creating data directory: %w", err)
	}
	m, err := keys.LoadOrCreateMasterKey(filepath.Join(d.dir, masterKeyName))
	if err != nil {
		return keys.MasterKey{}, err
	}
	return m, nil
}

func parseMasterKey(v string) (keys.MasterKey, error) {
	var m keys.MasterKey
	raw, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		raw, err = base64.RawStdEncoding.DecodeString(v)
	}
	if err != nil {
		return m, fmt.Errorf("%s is not base64", masterKeyEnv)
	}
	if len(raw) != len(m) {
		return m, fmt.Errorf("%s holds %d bytes, want %d", masterKeyEnv, len(raw), len(m))
	}
	copy(m[:], raw)
	return m, nil
}

// redactURL hides the password of a URL's user information.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse errors quote the input, password included.
		return "(unparsable URL)"
	}
	return u.Redacted()
}
