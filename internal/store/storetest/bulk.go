package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/microcred/microcred/internal/store"
)

// testBulkJobs covers bulk job identity, state changes, row bookkeeping,
// reconciliation from the credentials table after a simulated crash, and
// the recipient listing used to refuse duplicates.
func testBulkJobs(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s, "bulk-org")
	sha := strings.Repeat("ab", 32)
	job := store.BulkJob{OrgID: f.org.ID, AchievementID: f.ach.Achievement.ID, CSVSHA256: sha, FileName: "grads.csv",
		Mapping: "Mail=email", Notify: true, CreatedBy: "u1"}

	// Two processes starting the same file at once end up with one job.
	var wg sync.WaitGroup
	jobs := make([]store.BulkJob, 4)
	created := make([]bool, 4)
	errs := make([]error, 4)
	for i := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			jobs[i], created[i], errs[i] = s.CreateBulkJob(ctx, job)
		}()
	}
	wg.Wait()
	nCreated := 0
	for i := range jobs {
		need(t, errs[i])
		if created[i] {
			nCreated++
		}
		if jobs[i].ID != jobs[0].ID {
			t.Fatalf("racing creates returned jobs %q and %q", jobs[0].ID, jobs[i].ID)
		}
	}
	if nCreated != 1 {
		t.Fatalf("%d creates reported created, want 1", nCreated)
	}
	j := jobs[0]
	if j.State != store.BulkPending || !j.Notify || j.Mapping != "Mail=email" || j.FileName != "grads.csv" {
		t.Errorf("stored job = %+v", j)
	}
	if got := try(s.FindBulkJob(ctx, f.org.ID, f.ach.Achievement.ID, sha)).must(t); got.ID != j.ID {
		t.Errorf("FindBulkJob = %q, want %q", got.ID, j.ID)
	}
	wantErr(t, "other digest", second(s.FindBulkJob(ctx, f.org.ID, f.ach.Achievement.ID, strings.Repeat("cd", 32))), store.ErrNotFound)
	wantErr(t, "short digest", second3(s.CreateBulkJob(ctx, store.BulkJob{OrgID: f.org.ID, AchievementID: "a", CSVSHA256: "ab"})), store.ErrInvalid)
	// The validation report is kept with the job.
	if j.Validation != "" {
		t.Errorf("new job has a validation report %q", j.Validation)
	}
	need(t, s.SetBulkJobValidation(ctx, j.ID, `{"rows":3}`))
	if got := try(s.BulkJob(ctx, j.ID)).must(t); got.Validation != `{"rows":3}` {
		t.Errorf("validation report %q after SetBulkJobValidation", got.Validation)
	}
	wantErr(t, "validation of no job", s.SetBulkJobValidation(ctx, "nope", "{}"), store.ErrNotFound)

	// State changes, conditional on the current state.
	j = try(s.SetBulkJobState(ctx, j.ID, store.BulkRunning, "", 5, store.BulkPending)).must(t)
	if j.State != store.BulkRunning || j.Total != 5 {
		t.Fatalf("after start: %+v", j)
	}
	_, err := s.SetBulkJobState(ctx, j.ID, store.BulkRunning, "", -1, store.BulkPaused)
	wantErr(t, "start a running job as if paused", err, store.ErrConflict)
	wantErr(t, "unknown job", second(s.SetBulkJobState(ctx, "nope", store.BulkPaused, "", -1)), store.ErrNotFound)
	if got := try(s.ListBulkJobs(ctx, f.org.ID, store.BulkRunning)).must(t); len(got) != 1 || got[0].ID != j.ID {
		t.Errorf("ListBulkJobs(running) = %d jobs", len(got))
	}
	if got := try(s.ListBulkJobs(ctx, "", store.BulkDone)).must(t); len(got) != 0 {
		t.Errorf("ListBulkJobs(done) = %d jobs", len(got))
	}

	// Rows 1-3 issued (the credential of row 3 commits but the runner
	// "crashes" before recording it), row 4 failed.
	prefix := store.BulkIdempotencyPrefix(j.ID)
	for row := 1; row <= 3; row++ {
		c := f.credential(fmt.Sprintf("urn:uuid:bulk-%d", row))
		c.IdempotencyKey = fmt.Sprintf("%s%d", prefix, row)
		c.RecipientEmail = fmt.Sprintf("Learner%d@Example.org", row)
		try3(s.InsertCredential(ctx, c)).must(t)
	}
	j = try(s.RecordBulkRows(ctx, j.ID, []store.BulkRow{
		{Row: 1, Line: 2, RecipientEmail: "Learner1@Example.org", CredentialID: "urn:uuid:bulk-1"},
		{Row: 2, Line: 3, RecipientEmail: "Learner2@Example.org", CredentialID: "urn:uuid:bulk-2"},
		{Row: 4, Line: 5, RecipientEmail: "x@example.org", Error: "signing failed"},
	})).must(t)
	if j.Done != 2 || j.Failed != 1 {
		t.Errorf("after recording: done %d failed %d, want 2 and 1", j.Done, j.Failed)
	}
	// A pause set by an operator is visible in the answer of the next
	// RecordBulkRows.
	try(s.SetBulkJobState(ctx, j.ID, store.BulkPaused, "", -1, store.BulkRunning)).must(t)
	if j = try(s.RecordBulkRows(ctx, j.ID, nil)).must(t); j.State != store.BulkPaused {
		t.Errorf("state after pause = %s", j.State)
	}

	j = try(s.ReconcileBulkJob(ctx, j.ID)).must(t)
	if j.Done != 3 || j.Failed != 0 {
		t.Errorf("after reconcile: done %d failed %d, want 3 and 0", j.Done, j.Failed)
	}
	var got []store.BulkRow
	need(t, s.BulkRows(ctx, j.ID, func(r store.BulkRow) error { got = append(got, r); return nil }))
	if len(got) != 3 {
		t.Fatalf("rows after reconcile = %+v", got)
	}
	for i, r := range got {
		if r.Row != i+1 || r.CredentialID != fmt.Sprintf("urn:uuid:bulk-%d", i+1) || r.Error != "" {
			t.Errorf("row %d = %+v", i+1, r)
		}
	}
	if got[2].RecipientEmail != "Learner3@Example.org" || got[0].Line != 2 {
		t.Errorf("reconciled row 3 = %+v, row 1 = %+v", got[2], got[0])
	}
	// Reconciling twice changes nothing.
	if j = try(s.ReconcileBulkJob(ctx, j.ID)).must(t); j.Done != 3 {
		t.Errorf("second reconcile: done %d", j.Done)
	}
	stop := errors.New("stop")
	if err := s.BulkRows(ctx, j.ID, func(store.BulkRow) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("BulkRows did not return the callback's error: %v", err)
	}

	// Recipients of the achievement, with and without the job's own.
	other := f.credential("urn:uuid:not-bulk")
	other.RecipientEmail = "Someone@Example.org"
	try3(s.InsertCredential(ctx, other)).must(t)
	collectKeys := func(exclude string) map[string]bool {
		m := map[string]bool{}
		need(t, s.AchievementRecipients(ctx, f.ach.Achievement.ID, exclude, func(k string) error { m[k] = true; return nil }))
		return m
	}
	all := collectKeys("")
	if len(all) != 4 || !all["learner1@example.org"] || !all["someone@example.org"] {
		t.Errorf("all recipients = %v", all)
	}
	if mine := collectKeys(prefix); len(mine) != 1 || !mine["someone@example.org"] {
		t.Errorf("recipients outside the job = %v", mine)
	}
}

func second3[T any](_ T, _ bool, err error) error { return err }
