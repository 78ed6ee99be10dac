package bulk

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

// Pause asks a job to stop after the rows in flight. Running the job
// again (the same command, or Resume) continues where it stopped.
func Pause(ctx context.Context, st store.Store, jobID string) (store.BulkJob, error) {
	j, err := st.SetBulkJobState(ctx, jobID, store.BulkPaused, "", -1, store.BulkPending, store.BulkValidating, store.BulkRunning)
	if err != nil {
		return j, fmt.Errorf("bulk: pause job %s: %w", jobID, err)
	}
	return j, nil
}

// Cancel stops a job for good: the rows issued stay issued, the others
// never will be from this file.
func Cancel(ctx context.Context, st store.Store, jobID string) (store.BulkJob, error) {
	j, err := st.SetBulkJobState(ctx, jobID, store.BulkCancelled, "cancelled by an operator", -1,
		store.BulkPending, store.BulkValidating, store.BulkRunning, store.BulkPaused, store.BulkFailed)
	if err != nil {
		return j, fmt.Errorf("bulk: cancel job %s: %w", jobID, err)
	}
	return j, nil
}

// RemoveUpload deletes the uploaded file of a job that has ended (done or
// cancelled): the outcome of every row is in the database, and the file,
// which holds personal data of every learner in it, is needed no more.
// Files of jobs that may still run, and files the command line named
// (CSVPath ""), are left alone.
func RemoveUpload(j store.BulkJob) error {
	if j.CSVPath == "" || (j.State != store.BulkDone && j.State != store.BulkCancelled) {
		return nil
	}
	if err := os.Remove(j.CSVPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("bulk: remove the upload of job %s: %w", j.ID, err)
	}
	return nil
}

// ResultsHeader is the header of the per-row results CSV.
var ResultsHeader = []string{"row", "line", "email", "credential_id", "public_link", "error"}

// WriteResults writes the per-row results of a job as CSV: one line per
// row that has an outcome, in row order, with the credential's public
// page. It streams from the database.
func WriteResults(ctx context.Context, st store.Store, svc *issue.Service, jobID string, w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(ResultsHeader); err != nil {
		return fmt.Errorf("bulk: results: %w", err)
	}
	rec := make([]string, len(ResultsHeader))
	err := st.BulkRows(ctx, jobID, func(r store.BulkRow) error {
		link := ""
		if r.CredentialID != "" {
			link = svc.PublicURL(store.Credential{ID: r.CredentialID})
		}
		line := ""
		if r.Line > 0 {
			line = strconv.Itoa(r.Line)
		}
		rec[0], rec[1], rec[2], rec[3], rec[4], rec[5] = strconv.Itoa(r.Row), line, r.RecipientEmail, r.CredentialID, link, r.Error
		return cw.Write(rec)
	})
	if err != nil {
		return fmt.Errorf("bulk: results: %w", err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("bulk: results: %w", err)
	}
	return nil
}

// Manager runs jobs in the background of a server and remembers the
// progress of the ones it runs, for the progress page. Two nodes of one
// PostgreSQL database may both run a job: the idempotency keys keep every
// row to one credential.
type Manager struct {
	Runner *Runner
	Logger *slog.Logger

	mu      sync.Mutex
	running map[string]*live
	wg      sync.WaitGroup
}

type live struct {
	cancel context.CancelFunc
	prog   Progress
}

// Start runs a stored job in a new goroutine unless this manager already
// runs it; it reports whether it started one.
func (m *Manager) Start(ctx context.Context, jobID string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.running == nil {
		m.running = map[string]*live{}
	}
	if _, ok := m.running[jobID]; ok {
		return false
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	l := &live{cancel: cancel}
	m.running[jobID] = l
	r := *m.Runner
	r.ProgressEvery = 500 * time.Millisecond
	r.OnProgress = func(p Progress) {
		m.mu.Lock()
		l.prog = p
		m.mu.Unlock()
	}
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		defer cancel()
		s, err := r.Resume(ctx, jobID, nil)
		m.mu.Lock()
		delete(m.running, jobID)
		m.mu.Unlock()
		log := m.Logger
		if log == nil {
			log = slog.Default()
		}
		if j, err := r.Store.BulkJob(context.WithoutCancel(ctx), jobID); err != nil {
			log.Error("bulk job: reload after run", "job", jobID, "err", err)
		} else if err := RemoveUpload(j); err != nil {
			log.Error("bulk job: remove upload", "job", jobID, "err", err)
		}
		switch {
		case err == nil, errors.Is(err, ErrStopped):
			log.Info("bulk job ended", "job", jobID, "state", s.Job.State, "issued", s.Issued, "failed", s.Failed)
		case errors.Is(err, context.Canceled):
			log.Info("bulk job interrupted; it resumes on the next start", "job", jobID)
		default:
			log.Error("bulk job failed", "job", jobID, "err", err)
		}
	}()
	return true
}

// Progress returns the live progress of a job this manager runs.
func (m *Manager) Progress(jobID string) (Progress, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	l, ok := m.running[jobID]
	if !ok {
		return Progress{}, false
	}
	return l.prog, true
}

// Close interrupts the running jobs (they stay "running" in the database
// and resume on the next start) and waits for them to stop.
func (m *Manager) Close() {
	m.mu.Lock()
	for _, l := range m.running {
		l.cancel()
	}
	m.mu.Unlock()
	m.wg.Wait()
}

// ResumeAll starts every job left running or validating — by a server
// that crashed or stopped — whose file this node keeps. It returns how
// many it started. It also deletes the uploads that jobs which have ended
// still keep (a crash between the end and the deletion, or an earlier
// version that kept them).
func ResumeAll(ctx context.Context, m *Manager) (int, error) {
	ended, err := m.Runner.Store.ListBulkJobs(ctx, "", store.BulkDone, store.BulkCancelled)
	if err != nil {
		return 0, fmt.Errorf("bulk: resume: %w", err)
	}
	for _, j := range ended {
		if err := RemoveUpload(j); err != nil {
			return 0, err
		}
	}
	jobs, err := m.Runner.Store.ListBulkJobs(ctx, "", store.BulkRunning, store.BulkValidating)
	if err != nil {
		return 0, fmt.Errorf("bulk: resume: %w", err)
	}
	n := 0
	for _, j := range jobs {
		if j.CSVPath == "" {
			continue // a command-line job: its command resumes it
		}
		if m.Start(ctx, j.ID) {
			n++
		}
	}
	return n, nil
}
