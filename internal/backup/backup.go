// Package backup makes and restores backups of a microcred database.
//
// A backup is one zip file holding manifest.json and either:
//
//   - microcred.db, a copy of a SQLite database taken with SQLite's online
//     backup API (a consistent snapshot while the server keeps running), or
//   - tables/<name>.copy, every table of a PostgreSQL database in the text
//     COPY format, read in one REPEATABLE READ snapshot (see
//     postgres.Dump); the manifest lists the tables in load order with
//     their columns and row counts.
//
// The master key is left out unless asked for: it unlocks every
// organization's signing key, so a backup holding it lets whoever reads the
// file sign credentials in the institution's name. Keep the master key
// apart from the backups (a password manager, a sealed envelope, a
// secrets store) and give it back at restore time, or include it on
// purpose and protect the file as the key itself.
//
// A backup restores into a database of the same kind: a SQLite backup into
// a fresh data directory, a PostgreSQL backup into a fresh, empty database.
package backup

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/store/postgres"
	"github.com/microcred/microcred/internal/store/sqlite"
)

// Names inside the archive.
const (
	formatName    = "microcred-backup"
	formatVersion = 1
	manifestEntry = "manifest.json"
	sqliteEntry   = "microcred.db"
	masterEntry   = "master.key"
	tablesPrefix  = "tables/"
)

// Manifest describes a backup.
type Manifest struct {
	Format        string    `json:"format"`
	Version       int       `json:"version"`
	Database      string    `json:"database"` // "sqlite" or "postgres"
	CreatedAt     time.Time `json:"createdAt"`
	SchemaVersion int       `json:"schemaVersion"`
	// MasterKeyIncluded says whether master.key is in the archive.
	MasterKeyIncluded bool                 `json:"masterKeyIncluded"`
	Tables            []postgres.DumpTable `json:"tables,omitempty"`
}

// Options configure Create.
type Options struct {
	// DatabaseURL names the database: sqlite:PATH or postgres://...
	DatabaseURL string
	// Out is the backup file to write; it must not exist. It is written
	// under a temporary name and renamed when complete, mode 0600.
	Out string
	// MasterKey, when set, is put into the backup.
	MasterKey *keys.MasterKey
}

// Create writes a backup of the database and returns its manifest.
func Create(ctx context.Context, o Options) (m Manifest, err error) {
	if _, err := os.Lstat(o.Out); err == nil {
		return m, fmt.Errorf("backup: %s exists; choose a new file name", o.Out)
	}
	partial := o.Out + ".partial"
	f, err := os.OpenFile(partial, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return m, fmt.Errorf("backup: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(partial)
		}
	}()
	m = Manifest{Format: formatName, Version: formatVersion, CreatedAt: time.Now().UTC(), Database: store.Scheme(o.DatabaseURL)}
	zw := zip.NewWriter(f)
	switch m.Database {
	case "sqlite":
		if err := addSQLite(ctx, zw, strings.TrimPrefix(o.DatabaseURL, "sqlite:"), &m); err != nil {
			return m, err
		}
	case "postgres":
		info, err := postgres.Dump(ctx, o.DatabaseURL, func(table string) (io.Writer, error) {
			return zw.Create(tablesPrefix + table + ".copy")
		})
		if err != nil {
			return m, fmt.Errorf("backup: %w", err)
		}
		m.SchemaVersion, m.Tables = info.SchemaVersion, info.Tables
	}
	if o.MasterKey != nil {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: masterEntry, Method: zip.Store, Modified: m.CreatedAt})
		if err != nil {
			return m, fmt.Errorf("backup: %w", err)
		}
		if _, err := io.WriteString(w, base64.StdEncoding.EncodeToString(o.MasterKey[:])+"\n"); err != nil {
			return m, fmt.Errorf("backup: %w", err)
		}
		m.MasterKeyIncluded = true
	}
	man, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return m, err
	}
	w, err := zw.Create(manifestEntry)
	if err != nil {
		return m, fmt.Errorf("backup: %w", err)
	}
	if _, err := w.Write(man); err != nil {
		return m, fmt.Errorf("backup: %w", err)
	}
	if err := zw.Close(); err != nil {
		return m, fmt.Errorf("backup: writing %s: %w", partial, err)
	}
	if err := f.Sync(); err != nil {
		return m, fmt.Errorf("backup: writing %s: %w", partial, err)
	}
	if err := f.Close(); err != nil {
		return m, fmt.Errorf("backup: writing %s: %w", partial, err)
	}
	// link(2) refuses to replace a file that appeared meanwhile.
	if err := os.Link(partial, o.Out); err != nil {
		return m, fmt.Errorf("backup: %w", err)
	}
	os.Remove(partial)
	return m, nil
}

// addSQLite copies the database with the online backup API into a
// temporary file beside the backup and adds it to the archive.
func addSQLite(ctx context.Context, zw *zip.Writer, path string, m *Manifest) error {
	dir, err := os.MkdirTemp("", "microcred-backup-")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(dir)
	copyPath := filepath.Join(dir, sqliteEntry)
	v, err := sqlite.Backup(ctx, path, copyPath)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	m.SchemaVersion = v
	src, err := os.Open(copyPath)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer src.Close()
	w, err := zw.Create(sqliteEntry)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if _, err := io.Copy(w, src); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// Archive is an opened backup file.
type Archive struct {
	Manifest Manifest
	zr       *zip.ReadCloser
	entries  map[string]*zip.File
}

// Open opens a backup file and reads its manifest.
func Open(path string) (*Archive, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, fmt.Errorf("backup: %s is not a microcred backup: %w", path, err)
	}
	a := &Archive{zr: zr, entries: map[string]*zip.File{}}
	for _, f := range zr.File {
		a.entries[f.Name] = f
	}
	data, err := a.read(manifestEntry, 1<<20)
	if err != nil {
		zr.Close()
		return nil, fmt.Errorf("backup: %s is not a microcred backup: %w", path, err)
	}
	if err := json.Unmarshal(data, &a.Manifest); err != nil || a.Manifest.Format != formatName {
		zr.Close()
		return nil, fmt.Errorf("backup: %s is not a microcred backup: unreadable manifest", path)
	}
	if a.Manifest.Version != formatVersion {
		zr.Close()
		return nil, fmt.Errorf("backup: %s has format version %d; this microcred reads version %d", path, a.Manifest.Version, formatVersion)
	}
	return a, nil
}

// Close closes the file.
func (a *Archive) Close() error { return a.zr.Close() }

// read returns a small entry whole.
func (a *Archive) read(name string, limit int64) ([]byte, error) {
	f, ok := a.entries[name]
	if !ok {
		return nil, fmt.Errorf("%s is missing", name)
	}
	r, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is too large", name)
	}
	return data, nil
}

// MasterKey returns the master key the backup holds, if any.
func (a *Archive) MasterKey() (keys.MasterKey, bool, error) {
	var m keys.MasterKey
	if !a.Manifest.MasterKeyIncluded {
		return m, false, nil
	}
	data, err := a.read(masterEntry, 1024)
	if err != nil {
		return m, false, fmt.Errorf("backup: %w", err)
	}
	raw, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(data)))
	if err != nil || len(raw) != len(m) {
		return m, false, errors.New("backup: the master key in the backup is damaged")
	}
	copy(m[:], raw)
	return m, true, nil
}

// Restore loads the backup into the database databaseURL names, which must
// be of the backup's kind and new: for SQLite the file must not exist yet
// (it is created with mode 0600), for PostgreSQL the database must exist
// and be empty. Restore migrates the restored database, so a backup made
// by an older version comes back upgraded.
func (a *Archive) Restore(ctx context.Context, databaseURL string) error {
	kind := store.Scheme(databaseURL)
	if kind != a.Manifest.Database {
		return fmt.Errorf("restore: the backup is of a %s database and restores only into %s (--db), not %s", a.Manifest.Database, a.Manifest.Database, kind)
	}
	switch kind {
	case "sqlite":
		if err := a.restoreSQLite(ctx, strings.TrimPrefix(databaseURL, "sqlite:")); err != nil {
			return err
		}
	case "postgres":
		if err := a.restorePostgres(ctx, databaseURL); err != nil {
			return err
		}
	}
	st, err := store.Open(ctx, databaseURL)
	if err != nil {
		return fmt.Errorf("restore: open the restored database: %w", err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return fmt.Errorf("restore: migrate the restored database: %w", err)
	}
	return nil
}

func (a *Archive) restoreSQLite(ctx context.Context, path string) (err error) {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if _, err := os.Lstat(p); err == nil {
			return fmt.Errorf("restore: %s exists: restore into a new data directory (or move the old database away first)", p)
		}
	}
	f, ok := a.entries[sqliteEntry]
	if !ok {
		return fmt.Errorf("restore: the backup has no %s", sqliteEntry)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	partial := path + ".partial"
	out, err := os.OpenFile(partial, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer func() {
		if err != nil {
			out.Close()
			os.Remove(partial)
		}
	}()
	r, err := f.Open()
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	defer r.Close()
	if _, err := io.Copy(out, r); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if err := out.Sync(); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	v, err := sqlite.CheckFile(ctx, partial)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if v != a.Manifest.SchemaVersion {
		return fmt.Errorf("restore: the database in the backup has schema version %d, the manifest says %d", v, a.Manifest.SchemaVersion)
	}
	if err := os.Link(partial, path); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	os.Remove(partial)
	return nil
}

func (a *Archive) restorePostgres(ctx context.Context, url string) error {
	st, err := store.Open(ctx, url)
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	// The schema first: Load fills the tables the migrations create.
	err = st.Migrate(ctx)
	st.Close()
	if err != nil {
		return fmt.Errorf("restore: migrate: %w", err)
	}
	info := postgres.DumpInfo{SchemaVersion: a.Manifest.SchemaVersion, Tables: a.Manifest.Tables}
	err = postgres.Load(ctx, url, info, func(table string) (io.ReadCloser, error) {
		f, ok := a.entries[tablesPrefix+table+".copy"]
		if !ok {
			return nil, fmt.Errorf("restore: the backup has no rows for table %s", table)
		}
		return f.Open()
	})
	if err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	return nil
}

// CheckMasterKey reports whether m opens the signing keys of the database:
// it tries the first key of each organization. A database without keys
// passes.
func CheckMasterKey(ctx context.Context, st store.Store, m keys.MasterKey) error {
	orgs, err := st.ListOrganizations(ctx)
	if err != nil {
		return fmt.Errorf("listing organizations: %w", err)
	}
	for _, o := range orgs {
		ks, err := st.ListSigningKeys(ctx, o.ID)
		if err != nil {
			return fmt.Errorf("listing the signing keys of %s: %w", o.Slug, err)
		}
		if len(ks) == 0 {
			continue
		}
		if _, err := m.Open(ks[0].SealedPrivateKey, ks[0].ID); err != nil {
			return fmt.Errorf("the master key does not open the signing keys of organization %s: it is not the key this database was made with", o.Slug)
		}
	}
	return nil
}

// WriteMasterKey writes m to path (mode 0600) in the format of the data
// directory's master.key; an existing file is never replaced.
func WriteMasterKey(path string, m keys.MasterKey) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("writing the master key: %w", err)
	}
	if _, err := io.WriteString(f, base64.StdEncoding.EncodeToString(m[:])+"\n"); err != nil {
		f.Close()
		return fmt.Errorf("writing the master key: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing the master key: %w", err)
	}
	return nil
}
