package bulk

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

// Errors of Run. ErrInvalid comes with the problems already reported;
// ErrStopped means an operator paused or cancelled the job while it ran.
var (
	ErrInvalid   = errors.New("bulk: the file has problems; nothing was issued")
	ErrStopped   = errors.New("bulk: the job was paused or cancelled")
	ErrCancelled = errors.New("bulk: the job was cancelled")
)

// Options describe one bulk issuance.
type Options struct {
	OrgID         string
	AchievementID string
	CSVPath       string  // the file, read twice and never whole
	FileName      string  // shown in listings; the base of CSVPath when empty
	Mapping       Mapping // custom column mappings; nil maps by header name
	Notify        bool    // mail each learner (queued with the credential)
	Actor         string  // user id recorded in the audit log
	// KeepPath records CSVPath in the job, so that a server can resume the
	// job after a restart (uploaded files live in the data directory).
	KeepPath bool
}

// Progress is a snapshot of a running job.
type Progress struct {
	Job           store.BulkJob
	Issued        int // credentials issued in this run
	AlreadyIssued int // rows that had a credential before this run
	Failed        int // rows that failed in this run
	Elapsed       time.Duration
}

// Rate returns the rows per second of this run.
func (p Progress) Rate() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Issued+p.Failed) / p.Elapsed.Seconds()
}

// ETA estimates the time to finish at the current rate (0 when unknown).
func (p Progress) ETA() time.Duration {
	left := p.Job.Total - p.Job.Done - p.Job.Failed
	r := p.Rate()
	if r <= 0 || left <= 0 {
		return 0
	}
	return time.Duration(float64(left) / r * float64(time.Second))
}

// Summary is the outcome of Run.
type Summary struct {
	Progress
	Validation Validation
	// Finished reports that the job was already done before this run, so
	// nothing was issued.
	Finished bool
}

// Runner runs bulk jobs with an issuance service.
type Runner struct {
	Store  store.Store
	Issuer *issue.Service
	// Workers is the number of goroutines that build and sign credentials;
	// 0 means DefaultWorkers.
	Workers int
	// OnProgress, when set, is called from the runner's goroutine about
	// every ProgressEvery while a job runs, and once at the end.
	OnProgress    func(Progress)
	ProgressEvery time.Duration
}

// DefaultWorkers returns the default number of signing goroutines: four
// per core, so that a core whose signer waits (for a slot in the queue, a
// status block) has others to run (bench bulk, 24,000 rows, 2 cores: 4
// signers 3,833 and 4,286/s, 8 signers 4,203 and 4,311/s).
func DefaultWorkers() int { return 4 * runtime.GOMAXPROCS(0) }

// maxPending bounds the signed credentials waiting for their batch
// transaction: two of the issuer's batches (at most 256 credentials each),
// one committing and one forming. Measured with bench bulk (24,000 rows on
// SQLite, 2 cores): signers that each waited for their own commit needed
// 256 of them to keep the database busy (3,281/s; 512 gave 3,770/s but a
// peak RSS near 280 MB), since while a batch committed, its signers idled.
const maxPending = 512

// queuedRow is a row whose credential is signed and queued.
type queuedRow struct {
	pr    parsedRow
	email string
	p     *issue.Pending
}

// HashFile returns the lowercase hex SHA-256 of a file, streamed.
func HashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("bulk: open %s: %w", path, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("bulk: read %s: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Validate checks the file without issuing anything (a dry run) and
// reports every problem. When a job for the same file exists, credentials
// it issued are not counted as duplicates.
func (r *Runner) Validate(ctx context.Context, o Options, report func(Problem)) (Validation, error) {
	sum, err := HashFile(o.CSVPath)
	if err != nil {
		return Validation{}, err
	}
	exclude := ""
	if j, err := r.Store.FindBulkJob(ctx, o.OrgID, o.AchievementID, sum); err == nil {
		exclude = store.BulkIdempotencyPrefix(j.ID)
	} else if !errors.Is(err, store.ErrNotFound) {
		return Validation{}, fmt.Errorf("bulk: find job: %w", err)
	}
	return r.validateFile(ctx, o, exclude, report)
}

func (r *Runner) validateFile(ctx context.Context, o Options, exclude string, report func(Problem)) (Validation, error) {
	f, err := os.Open(o.CSVPath)
	if err != nil {
		return Validation{}, fmt.Errorf("bulk: open %s: %w", o.CSVPath, err)
	}
	defer f.Close()
	return validate(ctx, r.Store, f, o.Mapping, o.OrgID, o.AchievementID, exclude, report)
}

// Run finds or creates the job of the file and runs it to the end:
// validation (every problem goes to report; with any, nothing is issued
// and Run returns ErrInvalid), then issuance of every row that has no
// credential yet. A job already done returns at once with Finished set; a
// paused job is resumed; a cancelled job returns ErrCancelled.
func (r *Runner) Run(ctx context.Context, o Options, report func(Problem)) (Summary, error) {
	sum, err := HashFile(o.CSVPath)
	if err != nil {
		return Summary{}, err
	}
	name := o.FileName
	if name == "" {
		name = fileBase(o.CSVPath)
	}
	j := store.BulkJob{OrgID: o.OrgID, AchievementID: o.AchievementID, CSVSHA256: sum, FileName: name,
		Mapping: o.Mapping.String(), Notify: o.Notify, CreatedBy: o.Actor}
	if o.KeepPath {
		j.CSVPath = o.CSVPath
	}
	// An unknown achievement is reported before a job is stored for it.
	if p, err := checkAchievement(ctx, r.Store, o.OrgID, o.AchievementID); err != nil {
		return Summary{}, err
	} else if p != nil {
		if report != nil {
			report(*p)
		}
		return Summary{Validation: Validation{Problems: 1}}, ErrInvalid
	}
	j, _, err = r.Store.CreateBulkJob(ctx, j)
	if err != nil {
		return Summary{}, fmt.Errorf("bulk: create job: %w", err)
	}
	return r.run(ctx, j, o, report)
}

// Resume runs a stored job again from its recorded file and mapping.
func (r *Runner) Resume(ctx context.Context, jobID string, report func(Problem)) (Summary, error) {
	j, err := r.Store.BulkJob(ctx, jobID)
	if err != nil {
		return Summary{}, fmt.Errorf("bulk: job: %w", err)
	}
	if j.CSVPath == "" {
		return Summary{Progress: Progress{Job: j}}, fmt.Errorf("bulk: job %s was started from the command line; run the same command again to resume it", j.ID)
	}
	m, err := ParseMapping(strings.Split(j.Mapping, "\n"))
	if err != nil {
		return Summary{}, fmt.Errorf("bulk: job %s: stored mapping: %w", j.ID, err)
	}
	o := Options{OrgID: j.OrgID, AchievementID: j.AchievementID, CSVPath: j.CSVPath, FileName: j.FileName, Mapping: m,
		Notify: j.Notify, Actor: j.CreatedBy, KeepPath: true}
	return r.run(ctx, j, o, report)
}

func (r *Runner) run(ctx context.Context, j store.BulkJob, o Options, report func(Problem)) (Summary, error) {
	if sum, err := HashFile(o.CSVPath); err != nil {
		return Summary{}, err
	} else if sum != j.CSVSHA256 {
		return Summary{}, fmt.Errorf("bulk: job %s: the file %s has changed since the job started", j.ID, o.CSVPath)
	}
	if j.Mapping != o.Mapping.String() && j.State != store.BulkPending {
		return Summary{Progress: Progress{Job: j}}, fmt.Errorf("bulk: job %s was started with the column mapping %q; run it with the same mapping",
			j.ID, strings.ReplaceAll(j.Mapping, "\n", ", "))
	}
	switch j.State {
	case store.BulkCancelled:
		return Summary{Progress: Progress{Job: j}}, ErrCancelled
	case store.BulkDone:
		if j.Failed == 0 {
			return Summary{Progress: Progress{Job: j, AlreadyIssued: j.Done}, Finished: true, Validation: Validation{Rows: j.Total}}, nil
		}
	}
	// Validation, again on every run: the catalog or the issued
	// credentials may have changed while the job waited.
	j, err := r.Store.SetBulkJobState(ctx, j.ID, store.BulkValidating, "", -1)
	if err != nil {
		return Summary{}, fmt.Errorf("bulk: job state: %w", err)
	}
	prefix := store.BulkIdempotencyPrefix(j.ID)
	v, err := r.validateFile(ctx, o, prefix, report)
	if err != nil {
		r.setState(j.ID, store.BulkFailed, err.Error())
		return Summary{Validation: v}, err
	}
	if !v.OK() {
		j, _ = r.setState(j.ID, store.BulkFailed, fmt.Sprintf("%d problems in the file; nothing was issued", v.Problems))
		return Summary{Progress: Progress{Job: j}, Validation: v}, ErrInvalid
	}
	// Bring the bookkeeping up to date with the credentials table: rows
	// whose credential committed before a crash are recorded now.
	if j, err = r.Store.ReconcileBulkJob(ctx, j.ID); err != nil {
		return Summary{}, fmt.Errorf("bulk: reconcile: %w", err)
	}
	if j, err = r.Store.SetBulkJobState(ctx, j.ID, store.BulkRunning, "", v.Rows, store.BulkValidating); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return Summary{Progress: Progress{Job: j}, Validation: v}, ErrStopped // paused or cancelled while validating
		}
		return Summary{}, fmt.Errorf("bulk: start job: %w", err)
	}
	done := newBitset(v.Rows + 1)
	if err := r.Store.BulkRows(ctx, j.ID, func(br store.BulkRow) error {
		if br.CredentialID != "" && br.Row <= v.Rows {
			done.set(br.Row)
		}
		return nil
	}); err != nil {
		return Summary{}, fmt.Errorf("bulk: rows done: %w", err)
	}
	s, err := r.issueRows(ctx, j, o, done)
	s.Validation = v
	return s, err
}

func (r *Runner) setState(id string, to store.BulkState, msg string) (store.BulkJob, error) {
	// The state must be recorded even when the run's context ended.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return r.Store.SetBulkJobState(ctx, id, to, msg, -1)
}

// result is the outcome of one row.
type result struct {
	row     store.BulkRow
	existed bool
}

// flushEvery and flushRows bound how long and how many row outcomes wait
// before the runner records them in one transaction.
const (
	flushEvery = 250 * time.Millisecond
	flushRows  = 1024
)

// issueRows is the pipeline: reader → rows → workers → results →
// bookkeeping.
func (r *Runner) issueRows(ctx context.Context, j store.BulkJob, o Options, done *bitset) (Summary, error) {
	defer raiseGCPercent()()
	start := time.Now()
	prog := Progress{Job: j, AlreadyIssued: j.Done}
	workers := r.Workers
	if workers <= 0 {
		workers = DefaultWorkers()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var stop atomic.Bool // set when an operator paused or cancelled the job
	rows := make(chan parsedRow, 2*workers)
	results := make(chan result, 2*workers)
	readErr := make(chan error, 1)
	prefix := store.BulkIdempotencyPrefix(j.ID)

	// One achievement read for the whole run; rows are issued without the
	// per-call idempotency lookup, since done already excludes the rows
	// that have a credential (the store still refuses a key used twice).
	batch, berr := r.Issuer.NewBatch(ctx, o.OrgID, o.AchievementID)
	if berr != nil {
		return Summary{Progress: prog}, fmt.Errorf("bulk: %w", berr)
	}
	go func() {
		defer close(rows)
		readErr <- r.feed(ctx, o, done, &stop, rows)
	}()
	// Signers build, sign and queue credentials without waiting for their
	// transactions; the collector waits for each outcome in turn. So the
	// cores sign the next batch while the database commits the last one,
	// and at most maxPending signed credentials wait for their commit.
	queued := make(chan queuedRow, maxPending)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for pr := range rows {
				req := pr.req
				req.IdempotencyKey = prefix + strconv.Itoa(pr.num)
				req.Notify = o.Notify
				req.Actor = o.Actor
				queued <- queuedRow{pr: pr, email: req.RecipientEmail, p: batch.Start(ctx, req)}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(queued)
	}()
	go func() {
		defer close(results)
		for q := range queued {
			c, existed, err := q.p.Wait()
			res := result{row: store.BulkRow{Row: q.pr.num, Line: q.pr.line, RecipientEmail: q.email}, existed: existed}
			if err != nil {
				if ctx.Err() != nil {
					continue // not an outcome: the row is tried again next run
				}
				res.row.Error = err.Error()
			} else {
				res.row.CredentialID = c.ID
			}
			results <- res
		}
	}()

	every := r.ProgressEvery
	if every <= 0 {
		every = time.Second
	}
	var pending []store.BulkRow
	var flushErr error
	lastFlush, lastReport := time.Now(), time.Now()
	flush := func() {
		if flushErr != nil {
			return
		}
		// Bookkeeping must land even when ctx ends: it is what the next
		// run skips by (and ReconcileBulkJob repairs it if it does not).
		fctx, fcancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer fcancel()
		nj, err := r.Store.RecordBulkRows(fctx, j.ID, pending)
		pending = pending[:0]
		lastFlush = time.Now()
		if err != nil {
			flushErr = fmt.Errorf("bulk: record rows: %w", err)
			cancel()
			return
		}
		prog.Job = nj
		if nj.State == store.BulkPaused || nj.State == store.BulkCancelled {
			stop.Store(true)
		}
	}
	tick := time.NewTicker(flushEvery)
	defer tick.Stop()
	for open := true; open; {
		select {
		case res, ok := <-results:
			if !ok {
				open = false
				break
			}
			switch {
			case res.row.Error != "":
				prog.Failed++
			case res.existed:
				prog.AlreadyIssued++
			default:
				prog.Issued++
			}
			pending = append(pending, res.row)
			if len(pending) >= flushRows {
				flush()
			}
		case <-tick.C:
			if len(pending) > 0 || time.Since(lastFlush) > time.Second {
				flush()
			}
		}
		if r.OnProgress != nil && time.Since(lastReport) >= every {
			lastReport = time.Now()
			prog.Elapsed = time.Since(start)
			r.OnProgress(prog)
		}
	}
	flush()
	prog.Elapsed = time.Since(start)
	err := errors.Join(flushErr, <-readErr)
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	s := Summary{Progress: prog}
	switch {
	case err != nil:
		// A crash-like end (the context ended): the job stays running, so
		// that the next run or a restarted server resumes it.
		if r.OnProgress != nil {
			r.OnProgress(prog)
		}
		return s, err
	case stop.Load():
		if r.OnProgress != nil {
			r.OnProgress(prog)
		}
		return s, ErrStopped
	}
	final, err := r.Store.SetBulkJobState(context.WithoutCancel(ctx), j.ID, store.BulkDone, "", -1, store.BulkRunning)
	if err != nil {
		// Paused or cancelled after the last flush: the job is complete
		// anyway but keeps the operator's state.
		if errors.Is(err, store.ErrConflict) {
			final = prog.Job
		} else {
			return s, fmt.Errorf("bulk: finish job: %w", err)
		}
	}
	s.Job = final
	if r.OnProgress != nil {
		r.OnProgress(s.Progress)
	}
	return s, nil
}

// feed streams the file a second time and sends the rows that have no
// credential yet, checking the stop flag between rows.
func (r *Runner) feed(ctx context.Context, o Options, done *bitset, stop *atomic.Bool, out chan<- parsedRow) error {
	f, err := os.Open(o.CSVPath)
	if err != nil {
		return fmt.Errorf("bulk: open %s: %w", o.CSVPath, err)
	}
	defer f.Close()
	rd, err := NewReader(f, o.Mapping)
	if err != nil {
		return fmt.Errorf("bulk: %w", err)
	}
	for {
		if stop.Load() {
			return nil
		}
		row, probs, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil || len(probs) > 0 {
			// Validated moments ago from the same bytes (the digest was
			// checked), so this cannot happen short of a disk fault.
			return fmt.Errorf("bulk: line %d: the file no longer reads as it validated", row.Line)
		}
		if done.has(row.Num) {
			continue
		}
		req, probs := rowRequest(rd, row, o.OrgID, o.AchievementID)
		if len(probs) > 0 {
			return fmt.Errorf("bulk: %s", probs[0])
		}
		select {
		case out <- parsedRow{num: row.Num, line: row.Line, req: req}:
		case <-ctx.Done():
			return nil
		}
	}
}

func fileBase(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

// bitset marks rows, one bit each.
type bitset []uint64

func newBitset(n int) *bitset { b := make(bitset, (n+63)/64); return &b }

func (b *bitset) set(i int) {
	if i/64 < len(*b) {
		(*b)[i/64] |= 1 << (i % 64)
	}
}

func (b *bitset) has(i int) bool { return i/64 < len(*b) && (*b)[i/64]&(1<<(i%64)) != 0 }
