package bulk_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/proof"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/testutil"
)

// buildBinary builds cmd/microcred into the test's directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	root := testutil.RepoRoot(t)
	bin := filepath.Join(t.TempDir(), "microcred")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/microcred")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestKill9Resume runs "microcred bulk issue" in a child process, kills it
// with SIGKILL at random moments several times, runs it to completion and
// checks that every row has exactly one credential, that the credentials
// verify and that the results file lists every row once.
func TestKill9Resume(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and issues 3,000 credentials several times")
	}
	bin := buildBinary(t)
	for _, u := range dbURLs() {
		t.Run(dbName(u), func(t *testing.T) { testKill9(t, bin, u) })
	}
}

func testKill9(t *testing.T, bin, dbURL string) {
	const rows = 10000
	e := newEnv(t, dbURL)
	ctx := context.Background()
	csvPath := writeCSV(t, genCSV(rows, "kill"))
	results := filepath.Join(t.TempDir(), "results.csv")
	args := []string{"bulk", "issue", "--data", e.dir, "--org", e.org.Slug, "--achievement", e.achID,
		"--csv", csvPath, "--results", results}
	if dbURL != "" {
		args = append(args, "--db", dbURL)
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("random seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	count := func() int64 {
		n, err := e.st.CountCredentials(ctx, store.CredentialQuery{AchievementID: e.achID})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	kills := 0
	for attempt := 0; kills < 4 && attempt < 12; attempt++ {
		cmd := exec.Command(bin, args...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// The first kill comes at a random moment (often during
		// validation or start-up); the others when a random number of
		// further credentials has been issued, so they land mid-issuance.
		delay := time.Duration(100+rng.IntN(500)) * time.Millisecond
		target := count() + int64(100+rng.IntN(600))
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		deadline := time.After(delay)
		if kills > 0 {
			deadline = nil
		}
		finished := false
	wait:
		for {
			select {
			case err := <-exited:
				t.Logf("run %d finished before the kill (%v): %s", attempt, err, lastLine(out.String()))
				finished = true
				break wait
			case <-deadline:
				break wait
			case <-time.After(20 * time.Millisecond):
				if kills > 0 && count() >= target {
					break wait
				}
			}
		}
		if finished {
			break
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-exited
		kills++
		t.Logf("killed with %d credentials issued", count())
	}
	if kills < 2 {
		t.Fatalf("only %d runs were killed mid-job; the job finished too fast to test resumption", kills)
	}
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("final run: %v\n%s", err, out)
	}
	t.Logf("final run: %s", lastLine(string(out)))
	if n := count(); n != rows {
		t.Fatalf("%d credentials for %d rows", n, rows)
	}

	// No duplicate idempotency key, no duplicate recipient, every key a
	// row of the job.
	keysSeen, emails := map[string]bool{}, map[string]bool{}
	var sample []store.Credential
	for off := 0; ; off += 1000 {
		page, err := e.st.ListCredentials(ctx, store.CredentialQuery{AchievementID: e.achID, Limit: 1000, Offset: off})
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range page {
			if keysSeen[c.IdempotencyKey] || !strings.HasPrefix(c.IdempotencyKey, "bulk:") {
				t.Fatalf("idempotency key %q duplicated or foreign", c.IdempotencyKey)
			}
			keysSeen[c.IdempotencyKey] = true
			if emails[store.EmailKey(c.RecipientEmail)] {
				t.Fatalf("recipient %s holds two credentials", c.RecipientEmail)
			}
			emails[store.EmailKey(c.RecipientEmail)] = true
			if i%60 == 0 {
				sample = append(sample, c)
			}
		}
		if len(page) < 1000 {
			break
		}
	}
	if len(keysSeen) != rows {
		t.Fatalf("%d distinct keys", len(keysSeen))
	}
	for _, c := range sample {
		var doc map[string]any
		if err := json.Unmarshal([]byte(c.Document), &doc); err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
		res, err := proof.Verify(ctx, doc, e.svc.Resolver(), proof.VerifyOptions{})
		if err != nil || len(res) == 0 || !res[0].Verified {
			t.Fatalf("credential %s does not verify: %v %+v", c.ID, err, res)
		}
	}

	// The results file lists every row once, with its credential.
	f, err := os.Open(results)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != rows+1 {
		t.Fatalf("results file has %d lines, want %d", len(recs), rows+1)
	}
	seenRows := map[int]bool{}
	for _, r := range recs[1:] {
		n, _ := strconv.Atoi(r[0])
		if n < 1 || n > rows || seenRows[n] || r[3] == "" || r[5] != "" || !strings.HasPrefix(r[4], testBase+"/c/") {
			t.Fatalf("results line %v", r)
		}
		seenRows[n] = true
	}

	// Once more: the finished job issues nothing and says so.
	out, err = exec.Command(bin, args...).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "already done") || !strings.Contains(string(out), "nothing new was issued") {
		t.Fatalf("re-run of a finished job: %v\n%s", err, out)
	}
	if n := count(); n != rows {
		t.Fatalf("after re-run: %d credentials", n)
	}
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndex(s, "\n"); i >= 0 {
		return s[i+1:]
	}
	return s
}
