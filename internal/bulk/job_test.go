package bulk_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/bulk"
	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

func TestValidationRules(t *testing.T) {
	e := newEnv(t, "")
	ctx := context.Background()
	if _, _, err := e.svc.Issue(ctx, issue.Request{OrgID: e.org.ID, AchievementID: e.achID, RecipientEmail: "held@x.org", RecipientName: "Held"}); err != nil {
		t.Fatal(err)
	}
	path := writeCSV(t, "Mail,name,valid_from,valid_until,evidence_url\r\n"+
		"good1@x.org,Good One,,,\r\n"+
		"x@,Bad Email,,,\r\n"+
		"good2@x.org,Bad Date,2026-13-01,,\r\n"+
		"good3@x.org,Order,2026-06-01,2026-05-01,\r\n"+
		"good4@x.org,Evidence,,,ftp://x.org/e\r\n"+
		"GOOD1@x.org,Dup,,,\r\n"+
		"held@x.org,Held,,,\r\n"+
		",No Email,,,\r\n"+
		"good5@x.org,,,,\r\n"+
		// The quoted name spans two lines: valid_until is on line 12.
		"good6@x.org,\"Multi\nline\",,2020-01-01,\r\n")
	want := []string{
		`line 3, column Mail: "x@" is not an email address`,
		`line 4, column valid_from: "2026-13-01" is not a date (use YYYY-MM-DD or an RFC 3339 time such as 2026-06-30T12:00:00Z)`,
		`line 5, column valid_until: "2026-05-01" is not after valid_from 2026-06-01`,
		`line 6, column evidence_url: "ftp://x.org/e" is not an http or https URL`,
		`line 7, column Mail: "GOOD1@x.org" duplicates the row on line 2 (the same learner may receive the achievement once)`,
		`line 8, column Mail: "held@x.org" already holds this achievement (a credential was issued to this address before)`,
		`line 9, column Mail: is empty; every row needs the learner's email address`,
		`line 10, column name: is empty; every row needs the learner's name`,
		`line 12, column valid_until: "2020-01-01" is not in the future; a credential cannot expire before it is issued`,
	}
	r := &bulk.Runner{Store: e.st, Issuer: e.svc}
	o := bulk.Options{OrgID: e.org.ID, AchievementID: e.achID, CSVPath: path, Mapping: bulk.Mapping{"mail": "email"}}
	var got []string
	v, err := r.Validate(ctx, o, func(p bulk.Problem) { got = append(got, p.String()) })
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if v.Rows != 10 || v.Problems != len(want) || v.OK() {
		t.Errorf("validation = %+v", v)
	}
	// Run refuses the file and issues nothing.
	s, err := r.Run(ctx, o, nil)
	if !errors.Is(err, bulk.ErrInvalid) || s.Validation.Problems != len(want) {
		t.Fatalf("Run = %+v, %v; want ErrInvalid", s, err)
	}
	if n, _ := e.st.CountCredentials(ctx, store.CredentialQuery{AchievementID: e.achID}); n != 1 {
		t.Errorf("%d credentials after a refused run, want 1", n)
	}
	if s.Job.State != store.BulkFailed {
		t.Errorf("job state = %s, want failed", s.Job.State)
	}

	// An achievement of another organization is refused as a whole.
	got = nil
	o.AchievementID = e.otherAch
	if _, err := r.Run(ctx, o, func(p bulk.Problem) { got = append(got, p.String()) }); !errors.Is(err, bulk.ErrInvalid) {
		t.Fatalf("foreign achievement: %v", err)
	}
	if len(got) != 1 || !strings.HasSuffix(got[0], "is not an achievement of this organization") {
		t.Errorf("foreign achievement problems = %q", got)
	}
}

func count(t *testing.T, e *testEnv) int64 {
	t.Helper()
	n, err := e.st.CountCredentials(context.Background(), store.CredentialQuery{AchievementID: e.achID})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRunDryRunAndFinished(t *testing.T) {
	e := newEnv(t, "")
	ctx := context.Background()
	path := writeCSV(t, genCSV(40, "fin"))
	var progressCalls int
	r := &bulk.Runner{Store: e.st, Issuer: e.svc, Workers: 4, OnProgress: func(bulk.Progress) { progressCalls++ }}
	o := bulk.Options{OrgID: e.org.ID, AchievementID: e.achID, CSVPath: path, Notify: true}
	if v, err := r.Validate(ctx, o, nil); err != nil || !v.OK() || v.Rows != 40 {
		t.Fatalf("dry run: %+v %v", v, err)
	}
	if n := count(t, e); n != 0 {
		t.Fatalf("dry run issued %d", n)
	}
	s, err := r.Run(ctx, o, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.Issued != 40 || s.Job.Done != 40 || s.Job.State != store.BulkDone || s.Finished || progressCalls == 0 {
		t.Fatalf("first run: %+v (progress calls %d)", s, progressCalls)
	}
	// What a bulk job issues is Open Badges 3.0 by 1EdTech's schema.
	issued, err := e.st.ListCredentials(ctx, store.CredentialQuery{OrgID: e.org.ID, Limit: 100})
	if err != nil || len(issued) != 40 {
		t.Fatalf("issued %d credentials (%v)", len(issued), err)
	}
	for _, c := range issued {
		full, err := e.st.Credential(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := credential.ValidateIssued(full.Document); err != nil {
			t.Errorf("%s does not match the OB 3.0 schema: %v", c.ID, err)
		}
	}
	// The learners were notified: one queued mail each.
	mails, err := e.st.ListMail(ctx, 100)
	if err != nil || len(mails) != 40 {
		t.Errorf("queued mails = %d, %v", len(mails), err)
	}
	s, err = r.Run(ctx, o, nil)
	if err != nil || !s.Finished || s.Issued != 0 || s.AlreadyIssued != 40 {
		t.Fatalf("second run: %+v, %v", s, err)
	}
	if n := count(t, e); n != 40 {
		t.Fatalf("%d credentials", n)
	}
}

// TestResumeAfterCrashBeforeBookkeeping simulates a runner that died after
// the issuer committed rows' credentials but before its own row records:
// the next run must find those credentials, not flag them as duplicates,
// not sign them again, and list them in the results.
func TestResumeAfterCrashBeforeBookkeeping(t *testing.T) {
	for _, u := range dbURLs() {
		t.Run(dbName(u), func(t *testing.T) {
			e := newEnv(t, u)
			ctx := context.Background()
			content := genCSV(30, "crash")
			path := writeCSV(t, content)
			sum, err := bulk.HashFile(path)
			if err != nil {
				t.Fatal(err)
			}
			job, _, err := e.st.CreateBulkJob(ctx, store.BulkJob{OrgID: e.org.ID, AchievementID: e.achID, CSVSHA256: sum, State: store.BulkRunning})
			if err != nil {
				t.Fatal(err)
			}
			// Rows 1-5 committed by the issuer; only row 1 recorded.
			prefix := store.BulkIdempotencyPrefix(job.ID)
			first := map[int]string{}
			for row := 1; row <= 5; row++ {
				c, _, err := e.svc.Issue(ctx, issue.Request{OrgID: e.org.ID, AchievementID: e.achID,
					RecipientEmail: fmt.Sprintf("learner%d.crash@uni.example", row), RecipientName: "x", IdempotencyKey: fmt.Sprintf("%s%d", prefix, row)})
				if err != nil {
					t.Fatal(err)
				}
				first[row] = c.ID
			}
			if _, err := e.st.RecordBulkRows(ctx, job.ID, []store.BulkRow{{Row: 1, CredentialID: first[1]}, {Row: 9, Error: "transient"}}); err != nil {
				t.Fatal(err)
			}
			r := &bulk.Runner{Store: e.st, Issuer: e.svc, Workers: 3}
			var probs []string
			s, err := r.Run(ctx, bulk.Options{OrgID: e.org.ID, AchievementID: e.achID, CSVPath: path}, func(p bulk.Problem) { probs = append(probs, p.String()) })
			if err != nil {
				t.Fatalf("resume: %v %q", err, probs)
			}
			if s.Job.ID != job.ID || s.Issued != 25 || s.AlreadyIssued != 5 || s.Job.Done != 30 || s.Job.Failed != 0 {
				t.Fatalf("resume summary: %+v", s)
			}
			if n := count(t, e); n != 30 {
				t.Fatalf("%d credentials, want 30", n)
			}
			var buf bytes.Buffer
			if err := bulk.WriteResults(ctx, e.st, e.svc, job.ID, &buf); err != nil {
				t.Fatal(err)
			}
			recs, err := csv.NewReader(&buf).ReadAll()
			if err != nil || len(recs) != 31 {
				t.Fatalf("results: %d lines, %v", len(recs), err)
			}
			for row := 1; row <= 5; row++ {
				if recs[row][3] != first[row] {
					t.Errorf("row %d credential = %q, want the one issued before the crash %q", row, recs[row][3], first[row])
				}
			}
		})
	}
}

func TestPauseAndCancel(t *testing.T) {
	e := newEnv(t, "")
	ctx := context.Background()
	path := writeCSV(t, genCSV(3000, "pause"))
	var once sync.Once
	r := &bulk.Runner{Store: e.st, Issuer: e.svc, Workers: 2, ProgressEvery: time.Millisecond}
	r.OnProgress = func(p bulk.Progress) {
		once.Do(func() {
			if _, err := bulk.Pause(ctx, e.st, p.Job.ID); err != nil {
				t.Error(err)
			}
		})
	}
	o := bulk.Options{OrgID: e.org.ID, AchievementID: e.achID, CSVPath: path}
	s, err := r.Run(ctx, o, nil)
	if !errors.Is(err, bulk.ErrStopped) || s.Job.State != store.BulkPaused {
		t.Fatalf("paused run: %+v, %v", s.Job, err)
	}
	paused := count(t, e)
	if paused == 0 || paused >= 3000 {
		t.Fatalf("%d credentials when paused; want some but not all", paused)
	}
	// The same command resumes a paused job.
	r.OnProgress = nil
	s, err = r.Run(ctx, o, nil)
	if err != nil || s.Job.State != store.BulkDone || s.AlreadyIssued != int(paused) || count(t, e) != 3000 {
		t.Fatalf("resumed run: %+v, %v (count %d)", s, err, count(t, e))
	}
	// Cancel: a cancelled job issues nothing more.
	path2 := writeCSV(t, genCSV(10, "cancel"))
	o.CSVPath = path2
	sum, _ := bulk.HashFile(path2)
	j, _, err := e.st.CreateBulkJob(ctx, store.BulkJob{OrgID: e.org.ID, AchievementID: e.achID, CSVSHA256: sum})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bulk.Cancel(ctx, e.st, j.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Run(ctx, o, nil); !errors.Is(err, bulk.ErrCancelled) {
		t.Fatalf("cancelled job ran: %v", err)
	}
	if _, err := bulk.Pause(ctx, e.st, j.ID); !errors.Is(err, store.ErrConflict) {
		t.Errorf("pausing a cancelled job: %v", err)
	}
	if n := count(t, e); n != 3000 {
		t.Errorf("%d credentials after the cancelled job", n)
	}
}

func TestManagerResumeAll(t *testing.T) {
	e := newEnv(t, "")
	ctx := context.Background()
	path := writeCSV(t, genCSV(20, "mgr"))
	sum, _ := bulk.HashFile(path)
	// A job a crashed server left running, and a command-line job (no
	// file kept) that the server must leave alone.
	j, _, err := e.st.CreateBulkJob(ctx, store.BulkJob{OrgID: e.org.ID, AchievementID: e.achID, CSVSHA256: sum, CSVPath: path, State: store.BulkRunning})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.st.CreateBulkJob(ctx, store.BulkJob{OrgID: e.org.ID, AchievementID: e.achID, CSVSHA256: strings.Repeat("0", 64), State: store.BulkRunning}); err != nil {
		t.Fatal(err)
	}
	// A job that ended while its upload was kept (by an earlier version):
	// the file goes at start.
	oldPath := writeCSV(t, genCSV(3, "ended"))
	oldSum, _ := bulk.HashFile(oldPath)
	if _, _, err := e.st.CreateBulkJob(ctx, store.BulkJob{OrgID: e.org.ID, AchievementID: e.achID, CSVSHA256: oldSum, CSVPath: oldPath, State: store.BulkDone}); err != nil {
		t.Fatal(err)
	}
	m := &bulk.Manager{Runner: &bulk.Runner{Store: e.st, Issuer: e.svc}}
	n, err := bulk.ResumeAll(ctx, m)
	if err != nil || n != 1 {
		t.Fatalf("ResumeAll = %d, %v", n, err)
	}
	if _, err := os.Stat(oldPath); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the upload of an ended job is still kept: %v", err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, err := e.st.BulkJob(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State == store.BulkDone {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job still %s", got.State)
		}
		time.Sleep(20 * time.Millisecond)
	}
	m.Close()
	if c := count(t, e); c != 20 {
		t.Errorf("%d credentials", c)
	}
	// The manager removed the resumed job's upload when it was done.
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the upload of the finished job is still kept: %v", err)
	}
}
