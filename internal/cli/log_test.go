package cli

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/tlog"
)

// seedLog creates a data directory whose database holds n logged
// credentials and a signed checkpoint, and returns the directory and the
// credentials.
func seedLog(t *testing.T, n int) (string, []store.Credential) {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	d := &dataFlags{dir: dir}
	st, err := d.openStore(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	master, err := d.masterKey()
	if err != nil {
		t.Fatal(err)
	}
	org, err := st.CreateOrganization(ctx, store.Organization{Slug: "uni", Name: "University"})
	if err != nil {
		t.Fatal(err)
	}
	ach, err := st.CreateAchievement(ctx, store.Achievement{OrgID: org.ID, Slug: "c"},
		store.AchievementVersion{Name: "Course", Document: json.RawMessage(`{"name":"Course"}`)})
	if err != nil {
		t.Fatal(err)
	}
	var creds []store.Credential
	err = st.WithTx(ctx, func(tx store.Store) error {
		var events []tlog.Event
		for i := range n {
			c, _, err := tx.InsertCredential(ctx, store.Credential{ID: fmt.Sprintf("urn:uuid:cli-%d", i), OrgID: org.ID,
				AchievementID: ach.Achievement.ID, AchievementVersion: 1, RecipientEmail: "kim@example.org",
				Format: store.FormatLDPJCS, Document: fmt.Sprintf(`{"i":%d}`, i), IssuedAt: time.Now()})
			if err != nil {
				return err
			}
			creds = append(creds, c)
			events = append(events, tlog.IssueEvent(c))
		}
		_, err := tlog.Append(ctx, tx, events...)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	l := &tlog.Log{Store: st, Master: master, Origin: "cli.test/log"}
	if _, err := l.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	return dir, creds
}

func TestLogAuditDatabase(t *testing.T) {
	dir, creds := seedLog(t, 5)
	state := filepath.Join(t.TempDir(), "audit.json")

	code, out, errOut := run(t, nil, "log", "audit", "--data", dir, "--state", state)
	if code != exitOK || !strings.Contains(out, "OK: the log cli.test/log is consistent: 5 entries") || !strings.Contains(errOut, "using the log key stored in the database") {
		t.Fatalf("first audit: exit %d\n%s\n%s", code, out, errOut)
	}
	var st auditState
	if err := json.Unmarshal(readFile(t, state), &st); err != nil || st.Size != 5 || !strings.HasPrefix(st.Key, "cli.test/log+") {
		t.Fatalf("state file: %+v, %v", st, err)
	}
	// The second run takes the key from the state file and checks that the
	// log extends the checkpoint seen before.
	code, out, errOut = run(t, nil, "log", "audit", "--data", dir, "--state", state)
	if code != exitOK || !strings.Contains(out, "previous checkpoint: size 5") || errOut != "" {
		t.Fatalf("second audit: exit %d\n%s\n%s", code, out, errOut)
	}
	// A pinned key that differs from the state's is refused.
	if code, _, errOut = run(t, nil, "log", "audit", "--data", dir, "--state", state, "--key", "other/log+01234567+AQ=="); code != exitFailed || !strings.Contains(errOut, "changed its key") {
		t.Errorf("audit with another key: exit %d %s", code, errOut)
	}

	// Edit a stored credential behind the server's back.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, dbFileName)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE credentials SET document = '{"i":"forged"}' WHERE id = ?`, creds[3].ID); err != nil {
		t.Fatal(err)
	}
	code, out, _ = run(t, nil, "log", "audit", "--data", dir, "--key", st.Key, "--json")
	var rep tlog.AuditReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("audit --json: %v\n%s", err, out)
	}
	if code != exitFailed || len(rep.Findings) != 1 || rep.Findings[0].Index != 3 || !strings.Contains(rep.Findings[0].Detail, creds[3].ID) {
		t.Fatalf("audit after an edited row: exit %d %+v", code, rep.Findings)
	}
	before, _ := os.ReadFile(state)
	if code, out, _ = run(t, nil, "log", "audit", "--data", dir, "--state", state); code != exitFailed || !strings.Contains(out, "[FAIL] entry #3") {
		t.Errorf("text audit after an edited row: exit %d\n%s", code, out)
	}
	if after, _ := os.ReadFile(state); string(after) != string(before) {
		t.Error("a failed audit updated the state file")
	}
}

func TestLogUsage(t *testing.T) {
	for _, args := range [][]string{
		{"log"},
		{"log", "nope"},
		{"log", "audit", "--url", "http://127.0.0.1:1"},                   // no key, no state
		{"log", "audit", "--url", "http://x", "--db", "sqlite:/tmp/x.db"}, // both sources
		{"log", "proof", "--url", "http://x"},                             // no --id
	} {
		if code, _, _ := run(t, nil, args...); code != exitBadInput {
			t.Errorf("%v: exit %d, want %d", args, code, exitBadInput)
		}
	}
}
