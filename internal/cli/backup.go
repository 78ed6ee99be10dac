package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/microcred/microcred/internal/backup"
	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/store"
)

// runBackup handles "microcred backup --out FILE [--data DIR | --db URL]
// [--include-master-key]".
func runBackup(e *env, args []string) int {
	fs := newFlags("backup", e)
	data := addDataFlags(fs)
	out := fs.String("out", "", "backup `file` to write (must not exist; mode 0600)")
	withKey := fs.Bool("include-master-key", false, "put the master key into the backup: whoever reads the file can then sign as every organization; by default keep the key apart")
	if !parseFlags(fs, args) {
		return exitBadInput
	}
	if *out == "" {
		return fail(e, exitBadInput, "backup: --out FILE is required")
	}
	if err := data.check(); err != nil {
		return fail(e, exitBadInput, "backup: %v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	// The database must exist: a backup never creates one.
	st, err := data.openStore(ctx, false)
	if err != nil {
		return fail(e, exitFailed, "backup: %v", err)
	}
	st.Close()
	opt := backup.Options{DatabaseURL: data.url(), Out: *out}
	if *withKey {
		m, err := data.existingMasterKey()
		if err != nil {
			return fail(e, exitFailed, "backup: --include-master-key: %v", err)
		}
		opt.MasterKey = &m
	}
	start := time.Now()
	m, err := backup.Create(ctx, opt)
	if err != nil {
		return fail(e, exitFailed, "%v", err)
	}
	info, _ := os.Stat(*out)
	var size int64
	if info != nil {
		size = info.Size()
	}
	e.printf("backed up %s (schema version %d) to %s: %s in %s\n", data.describe(), m.SchemaVersion, *out,
		humanBytes(size), time.Since(start).Round(time.Millisecond))
	if m.MasterKeyIncluded {
		fmt.Fprintln(e.stderr, "microcred: the backup holds the master key: anyone who reads it can sign as your organizations; store it as you store the key")
	} else {
		fmt.Fprintln(e.stderr, "microcred: the master key is not in the backup; a restore needs it too (keep "+masterKeyName+" or "+masterKeyEnv+" safe, apart from the backups)")
	}
	return exitOK
}

// runRestore handles "microcred restore --in FILE [--data DIR | --db URL]".
func runRestore(e *env, args []string) int {
	fs := newFlags("restore", e)
	data := addDataFlags(fs)
	in := fs.String("in", "", "backup `file` made by 'microcred backup'")
	if !parseFlags(fs, args) {
		return exitBadInput
	}
	if *in == "" {
		return fail(e, exitBadInput, "restore: --in FILE is required")
	}
	if err := data.check(); err != nil {
		return fail(e, exitBadInput, "restore: %v", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	a, err := backup.Open(*in)
	if err != nil {
		return fail(e, exitBadInput, "restore: %v", err)
	}
	defer a.Close()
	if got := store.Scheme(data.url()); got != a.Manifest.Database {
		return fail(e, exitBadInput, "restore: %s is a backup of a %s database; restore it into %s (--db), not %s",
			*in, a.Manifest.Database, a.Manifest.Database, got)
	}
	inBackup, hasInBackup, err := a.MasterKey()
	if err != nil {
		return fail(e, exitBadInput, "restore: %v", err)
	}
	if err := data.ensureDir(); err != nil {
		return fail(e, exitFailed, "restore: %v", err)
	}
	start := time.Now()
	if err := a.Restore(ctx, data.url()); err != nil {
		return fail(e, exitFailed, "%v", err)
	}
	e.printf("restored %s from %s (made %s, schema version %d) in %s\n", data.describe(), *in,
		a.Manifest.CreatedAt.Format(time.RFC3339), a.Manifest.SchemaVersion, time.Since(start).Round(time.Millisecond))

	// The master key: the one the environment or the data directory
	// already holds wins; else the backup's, when it has one.
	master, have, err := data.existingMasterKeyIfAny()
	if err != nil {
		return fail(e, exitFailed, "restore: %v", err)
	}
	if !have && hasInBackup {
		if err := backup.WriteMasterKey(filepath.Join(data.dir, masterKeyName), inBackup); err != nil {
			return fail(e, exitFailed, "restore: %v", err)
		}
		master, have = inBackup, true
		e.printf("wrote the master key from the backup to %s\n", filepath.Join(data.dir, masterKeyName))
	}
	if !have {
		fmt.Fprintf(e.stderr, "microcred: no master key yet: before serving, put the master key this database was made with into %s (mode 0600) or %s; the signing keys cannot be opened without it\n",
			filepath.Join(data.dir, masterKeyName), masterKeyEnv)
		return exitOK
	}
	st, err := store.Open(ctx, data.url())
	if err != nil {
		return fail(e, exitFailed, "restore: %v", err)
	}
	defer st.Close()
	if err := backup.CheckMasterKey(ctx, st, master); err != nil {
		return fail(e, exitFailed, "restore: the database is restored, but %v", err)
	}
	e.printf("the master key opens every organization's signing keys\n")
	return exitOK
}

// existingMasterKey returns the master key from the environment or the
// data directory, without creating one.
func (d *dataFlags) existingMasterKey() (keys.MasterKey, error) {
	m, ok, err := d.existingMasterKeyIfAny()
	if err == nil && !ok {
		err = fmt.Errorf("no master key: neither %s nor %s is set", filepath.Join(d.dir, masterKeyName), masterKeyEnv)
	}
	return m, err
}

// existingMasterKeyIfAny is existingMasterKey with "none" as ok=false
// rather than an error.
func (d *dataFlags) existingMasterKeyIfAny() (keys.MasterKey, bool, error) {
	if strings.TrimSpace(os.Getenv(masterKeyEnv)) != "" {
		m, err := d.masterKey()
		return m, err == nil, err
	}
	if _, err := os.Stat(filepath.Join(d.dir, masterKeyName)); errors.Is(err, fs.ErrNotExist) {
		return keys.MasterKey{}, false, nil
	}
	m, err := d.masterKey()
	return m, err == nil, err
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
