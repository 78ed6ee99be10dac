package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/tlog"
)

// TestBackupRestoreSQLite seeds the demo, revokes a few
// credentials, backs up without the master key, restores into a new data
// directory, and checks that the restore asks for the key, that every
// credential then verifies exactly as its status says, and that the
// transparency log audits clean against the restored rows.
func TestBackupRestoreSQLite(t *testing.T) {
	src := filepath.Join(t.TempDir(), "src")
	if code, _, errs := run(t, nil, "demo", "--seed-only", "--data", src); code != exitOK {
		t.Fatalf("demo --seed-only: exit %d: %s", code, errs)
	}
	changed := changeSome(t, "--data", src)
	signCheckpoint(t, "sqlite:"+filepath.Join(src, dbFileName), src)
	before := verdicts(t, "sqlite:"+filepath.Join(src, dbFileName), src, changed)
	out := filepath.Join(t.TempDir(), "backup.zip")
	code, stdout, errs := run(t, nil, "backup", "--data", src, "--out", out)
	if code != exitOK || !strings.Contains(errs, "master key is not in the backup") {
		t.Fatalf("backup: exit %d\n%s%s", code, stdout, errs)
	}
	if info, err := os.Stat(out); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v, mode %v", err, info.Mode())
	}
	if code, _, errs := run(t, nil, "backup", "--data", src, "--out", out); code != exitFailed || !strings.Contains(errs, "exists") {
		t.Errorf("backup over an existing file: exit %d: %s", code, errs)
	}

	dst := filepath.Join(t.TempDir(), "dst")
	code, stdout, errs = run(t, nil, "restore", "--in", out, "--data", dst)
	if code != exitOK || !strings.Contains(errs, "no master key yet") {
		t.Fatalf("restore: exit %d\n%s%s", code, stdout, errs)
	}
	if code, _, errs := run(t, nil, "restore", "--in", out, "--data", dst); code != exitFailed || !strings.Contains(errs, "exists") {
		t.Errorf("restore over a database: exit %d: %s", code, errs)
	}
	if info, err := os.Stat(filepath.Join(dst, dbFileName)); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("restored database: %v, mode %v", err, info.Mode())
	}
	// Serving it now would need a new master key, which opens none of
	// the restored signing keys: refused, and no key file is made.
	p, code := tryServe(t, "--addr", "127.0.0.1:0", "--data", dst, "--base-url", "http://127.0.0.1:8080")
	if errs := p.stderr.String(); code != exitFailed || !strings.Contains(errs, "holds signing keys sealed under a master key") {
		t.Errorf("serve without the master key: exit %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dst, masterKeyName)); err == nil {
		t.Errorf("serve created a master key for a restored database")
	}
	key, err := os.ReadFile(filepath.Join(src, masterKeyName))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dst, masterKeyName), key, 0o600); err != nil {
		t.Fatal(err)
	}
	checkSame(t, before, verdicts(t, "sqlite:"+filepath.Join(dst, dbFileName), dst, changed))
	if code, stdout, errs := run(t, nil, "log", "audit", "--data", dst); code != exitOK {
		t.Fatalf("log audit of the restored database: exit %d\n%s%s", code, stdout, errs)
	}

	// A backup with the key restores it too, and a wrong key is named.
	withKey := filepath.Join(t.TempDir(), "with-key.zip")
	if code, _, errs := run(t, nil, "backup", "--data", src, "--out", withKey, "--include-master-key"); code != exitOK || !strings.Contains(errs, "holds the master key") {
		t.Fatalf("backup --include-master-key: exit %d: %s", code, errs)
	}
	dst2 := filepath.Join(t.TempDir(), "dst2")
	code, stdout, errs = run(t, nil, "restore", "--in", withKey, "--data", dst2)
	if code != exitOK || !strings.Contains(stdout, "opens every organization's signing keys") {
		t.Fatalf("restore with key: exit %d\n%s%s", code, stdout, errs)
	}
	if got, _ := os.ReadFile(filepath.Join(dst2, masterKeyName)); string(got) != string(key) {
		t.Errorf("restored master key differs from the original")
	}
	dst3 := filepath.Join(t.TempDir(), "dst3")
	if _, err := keys.LoadOrCreateMasterKey(filepath.Join(mkdir(t, dst3), masterKeyName)); err != nil {
		t.Fatal(err)
	}
	code, _, errs = run(t, nil, "restore", "--in", out, "--data", dst3)
	if code != exitFailed || !strings.Contains(errs, "does not open the signing keys") {
		t.Errorf("restore with another master key: exit %d: %s", code, errs)
	}
	p, code = tryServe(t, "--addr", "127.0.0.1:0", "--data", dst3, "--base-url", "http://127.0.0.1:8080")
	if errs := p.stderr.String(); code != exitFailed || !strings.Contains(errs, "does not open the signing keys") {
		t.Errorf("serve with another master key: exit %d: %s", code, errs)
	}
	if code, _, errs := run(t, nil, "restore", "--in", out, "--db", "postgres://127.0.0.1:1/x", "--data", t.TempDir()); code != exitBadInput || !strings.Contains(errs, "backup of a sqlite database") {
		t.Errorf("restore into the other kind: exit %d: %s", code, errs)
	}
	notBackup := filepath.Join(t.TempDir(), "x.zip")
	_ = os.WriteFile(notBackup, []byte("hello"), 0o600)
	if code, _, errs := run(t, nil, "restore", "--in", notBackup, "--data", t.TempDir()); code != exitBadInput || !strings.Contains(errs, "not a microcred backup") {
		t.Errorf("restore of a file that is no backup: exit %d: %s", code, errs)
	}
}

// TestBackupRestorePostgres does the same on PostgreSQL: a snapshot
// export of one database, loaded into a second, fresh one.
func TestBackupRestorePostgres(t *testing.T) {
	pgURL := os.Getenv("MICROCRED_TEST_POSTGRES")
	if pgURL == "" {
		t.Skip("MICROCRED_TEST_POSTGRES is not set: run through scripts/with-postgres")
	}
	srcDB, dstDB := freshDatabase(t, pgURL), freshDatabase(t, pgURL)
	src := filepath.Join(t.TempDir(), "src")
	if code, _, errs := run(t, nil, "demo", "--seed-only", "--db", srcDB, "--data", src); code != exitOK {
		t.Fatalf("demo --seed-only: exit %d: %s", code, errs)
	}
	changed := changeSome(t, "--db", srcDB, "--data", src)
	signCheckpoint(t, srcDB, src)
	before := verdicts(t, srcDB, src, changed)
	out := filepath.Join(t.TempDir(), "backup.zip")
	if code, stdout, errs := run(t, nil, "backup", "--db", srcDB, "--data", src, "--out", out, "--include-master-key"); code != exitOK {
		t.Fatalf("backup: exit %d\n%s%s", code, stdout, errs)
	}
	dst := filepath.Join(t.TempDir(), "dst")
	code, stdout, errs := run(t, nil, "restore", "--in", out, "--db", dstDB, "--data", dst)
	if code != exitOK || !strings.Contains(stdout, "opens every organization's signing keys") {
		t.Fatalf("restore: exit %d\n%s%s", code, stdout, errs)
	}
	if code, _, errs := run(t, nil, "restore", "--in", out, "--db", dstDB, "--data", dst); code != exitFailed || !strings.Contains(errs, "restore only into a new, empty database") {
		t.Errorf("restore into a database with data: exit %d: %s", code, errs)
	}
	checkSame(t, before, verdicts(t, dstDB, dst, changed))
	if code, stdout, errs := run(t, nil, "log", "audit", "--db", dstDB, "--data", dst); code != exitOK {
		t.Fatalf("log audit of the restored database: exit %d\n%s%s", code, stdout, errs)
	}
	// The restored database takes new work: identity sequences moved on.
	ctx := context.Background()
	st, err := store.Open(ctx, dstDB)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.AppendAudit(ctx, store.AuditEvent{Actor: "test", Action: "after.restore"}); err != nil {
		t.Errorf("audit insert after restore: %v", err)
	}
}

func mkdir(t *testing.T, dir string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	return dir
}

// changeSome revokes five credentials through the command line (the demo's
// organizations do not offer suspension, which OB 3.0's single
// credentialStatus leaves out by default) and returns what it did by
// credential id.
func changeSome(t *testing.T, dbArgs ...string) map[string]string {
	t.Helper()
	ctx := context.Background()
	d := &dataFlags{dir: dbArgs[len(dbArgs)-1]}
	if dbArgs[0] == "--db" {
		d.db = dbArgs[1]
	}
	st, err := d.openStore(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	list := activeDemoCredentials(t, st, 5)
	st.Close()
	changed := map[string]string{}
	for _, c := range list {
		verb := "revoke"
		args := append([]string{verb, "--id", c.ID, "--reason", "backup test"}, dbArgs...)
		if code, out, errs := run(t, nil, args...); code != exitOK {
			t.Fatalf("%s: exit %d: %s%s", verb, code, out, errs)
		}
		changed[c.ID] = map[string]string{"revoke": "revoked", "suspend": "suspended"}[verb]
	}
	return changed
}

// signCheckpoint signs a log checkpoint as the server does when it
// publishes one, so the log has a key and a checkpoint to audit.
func signCheckpoint(t *testing.T, dbURL, dir string) {
	t.Helper()
	ctx := context.Background()
	master, err := (&dataFlags{dir: dir}).existingMasterKey()
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	l := &tlog.Log{Store: st, Master: master, Origin: "127.0.0.1:8080/log"}
	if _, err := l.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
}

// verdicts runs every credential of a database through the verification
// pipeline (the issuer's keys and status lists read from that database)
// and returns, per credential id, the failed checks ("" when verified).
// Credentials changeSome revoked or suspended must fail on their status.
func verdicts(t *testing.T, dbURL, dir string, changed map[string]string) map[string]string {
	t.Helper()
	ctx := context.Background()
	master, err := (&dataFlags{dir: dir}).existingMasterKey()
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	base, err := st.Setting(ctx, store.SettingBaseURL)
	if err != nil {
		t.Fatal(err)
	}
	svc := &issue.Service{Store: st, Master: master, BaseURL: base}
	creds, err := st.ListCredentials(ctx, store.CredentialQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(creds) < 20 {
		t.Fatalf("only %d credentials in %s", len(creds), dbURL)
	}
	out := map[string]string{}
	verified := 0
	for _, c := range creds {
		rep, err := svc.Verify(ctx, []byte(c.Document))
		if err != nil {
			t.Fatalf("verify %s: %v", c.ID, err)
		}
		var failed []string
		for _, ch := range rep.Checks {
			if !ch.OK {
				failed = append(failed, ch.Name+": "+ch.Detail)
			}
		}
		out[c.ID] = strings.Join(failed, "; ")
		if rep.Verified {
			verified++
		}
		if want := changed[c.ID]; want != "" && !strings.Contains(out[c.ID], "status: "+want) {
			t.Errorf("%s was %s, but verification says %q", c.ID, want, out[c.ID])
		}
	}
	if verified < len(creds)/2 {
		t.Errorf("only %d of %d credentials verify", verified, len(creds))
	}
	t.Logf("%s: %d credentials, %d verified", dbURL, len(creds), verified)
	return out
}

// checkSame compares the verdicts before the backup and after the restore.
func checkSame(t *testing.T, before, after map[string]string) {
	t.Helper()
	if len(before) != len(after) {
		t.Errorf("%d credentials before the backup, %d after the restore", len(before), len(after))
	}
	for id, v := range before {
		if got, ok := after[id]; !ok || got != v {
			t.Errorf("%s: before the backup %q, after the restore %q (present %v)", id, v, got, ok)
		}
	}
}
