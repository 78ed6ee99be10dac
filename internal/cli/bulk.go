package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/microcred/microcred/internal/bulk"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

// runBulk handles
//
//	microcred bulk issue [--data DIR | --db URL] --org SLUG --achievement ID --csv FILE
//	    [--dry-run] [--map column=field]... [--results FILE] [--workers N] [--notify=false] [--base-url URL]
//	microcred bulk pause|cancel|status [--data DIR | --db URL] --job ID
//
// Exit status of issue: 0 when every row has a credential, 2 when the file
// has problems (each printed as "line 17, column email: ..."; nothing is
// issued) or the flags are wrong, 1 when rows failed or the job was paused
// or cancelled.
func runBulk(e *env, args []string) int {
	if len(args) == 0 {
		return fail(e, exitBadInput, "bulk: usage: microcred bulk issue|pause|cancel|status ... (run 'microcred bulk issue -h')")
	}
	switch args[0] {
	case "issue":
		return runBulkIssue(e, args[1:])
	case "pause", "cancel", "status":
		return runBulkControl(e, args[0], args[1:])
	}
	return fail(e, exitBadInput, "bulk: unknown subcommand %q: expected issue, pause, cancel or status", args[0])
}

// mapFlags collects repeated --map column=field flags.
type mapFlags []string

func (m *mapFlags) String() string     { return strings.Join(*m, ",") }
func (m *mapFlags) Set(v string) error { *m = append(*m, v); return nil }

func runBulkIssue(e *env, args []string) int {
	fs := newFlags("bulk issue", e)
	data := addDataFlags(fs)
	orgSlug := fs.String("org", "", "organization `slug` (required)")
	achievement := fs.String("achievement", "", "achievement `id` (or slug) of the organization (required)")
	csvPath := fs.String("csv", "", "CSV `file` with a header row: email, name and optionally identifier, valid_from, valid_until, result, evidence_url (required)")
	dryRun := fs.Bool("dry-run", false, "validate and report every problem; issue nothing")
	var maps mapFlags
	fs.Var(&maps, "map", "map a CSV column to a field, `column=field` (repeatable); field ignore drops a column")
	results := fs.String("results", "", "write the per-row results (row, line, email, credential_id, public_link, error) as CSV to `file`")
	workers := fs.Int("workers", 0, "signing goroutines (default four per core)")
	notify := fs.Bool("notify", true, "queue a notification mail to each learner")
	baseURL := fs.String("base-url", "", "public base `URL` of the server (default: the one the server last started with)")
	actor := fs.String("actor", "cli", "who is acting, for the audit log")
	if !parseFlags(fs, args) {
		return exitBadInput
	}
	if err := data.check(); err != nil {
		return fail(e, exitBadInput, "bulk issue: %v", err)
	}
	if *orgSlug == "" || *achievement == "" || *csvPath == "" {
		return fail(e, exitBadInput, "bulk issue: --org, --achievement and --csv are required")
	}
	if *workers < 0 || *workers > 1024 {
		return fail(e, exitBadInput, "bulk issue: --workers must be between 1 and 1024")
	}
	mapping, err := bulk.ParseMapping(maps)
	if err != nil {
		return fail(e, exitBadInput, "bulk issue: --map: %v", err)
	}
	if _, err := os.Stat(*csvPath); err != nil {
		return fail(e, exitBadInput, "bulk issue: --csv: %v", err)
	}
	// SIGINT and SIGTERM stop the run; the job stays running in the
	// database and the same command resumes it.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	st, svc, code := openIssuer(ctx, e, "bulk issue", data, *baseURL)
	if code != exitOK {
		return code
	}
	defer st.Close()
	defer svc.Close()
	org, err := st.OrganizationBySlug(ctx, *orgSlug)
	if err != nil {
		return fail(e, exitBadInput, "bulk issue: organization %q: %v", *orgSlug, err)
	}
	achID := *achievement
	if a, err := st.AchievementBySlug(ctx, org.ID, achID); err == nil {
		achID = a.ID
	}
	o := bulk.Options{OrgID: org.ID, AchievementID: achID, CSVPath: *csvPath, FileName: filepath.Base(*csvPath),
		Mapping: mapping, Notify: *notify, Actor: *actor}
	r := &bulk.Runner{Store: st, Issuer: svc, Workers: *workers}
	report := func(p bulk.Problem) { e.printf("%s\n", p) }
	if *dryRun {
		v, err := r.Validate(ctx, o, report)
		if err != nil {
			return fail(e, exitFailed, "bulk issue: %v", err)
		}
		if !v.OK() {
			return fail(e, exitBadInput, "bulk issue: dry run: %d problems in %d rows of %s; nothing would be issued", v.Problems, v.Rows, *csvPath)
		}
		e.printf("dry run: %d rows, no problems; nothing was issued\n", v.Rows)
		return exitOK
	}
	bar := newProgressBar(e.stderr)
	r.OnProgress = bar.update
	r.ProgressEvery = bar.every
	s, err := r.Run(ctx, o, report)
	bar.finish()
	if *results != "" && s.Job.ID != "" {
		if werr := writeResultsFile(context.WithoutCancel(ctx), st, svc, s.Job.ID, *results); werr != nil {
			fmt.Fprintf(e.stderr, "microcred: bulk issue: %v\n", werr)
		}
	}
	switch {
	case errors.Is(err, bulk.ErrInvalid):
		return fail(e, exitBadInput, "bulk issue: %d problems in %s; nothing was issued", s.Validation.Problems, *csvPath)
	case errors.Is(err, bulk.ErrCancelled):
		return fail(e, exitFailed, "bulk issue: job %s was cancelled (%d issued); nothing more is issued from this file", s.Job.ID, s.Job.Done)
	case errors.Is(err, bulk.ErrStopped):
		printSummary(e, s)
		return fail(e, exitFailed, "bulk issue: job %s is %s; run the same command again to resume it", s.Job.ID, s.Job.State)
	case err != nil:
		if s.Job.ID != "" {
			printSummary(e, s)
		}
		return fail(e, exitFailed, "bulk issue: %v (run the same command again to resume)", err)
	}
	if s.Finished {
		e.printf("job %s is already done: all %d rows were issued before; nothing new was issued\n", s.Job.ID, s.Job.Done)
		return exitOK
	}
	printSummary(e, s)
	if s.Job.Failed > 0 {
		return fail(e, exitFailed, "bulk issue: %d rows failed (see --results); run the same command again to retry them", s.Job.Failed)
	}
	return exitOK
}

func printSummary(e *env, s bulk.Summary) {
	e.printf("job %s: %s — issued %d, already issued %d, failed %d, %d of %d rows done, in %.1f s (%.0f rows/s)\n",
		s.Job.ID, s.Job.State, s.Issued, s.AlreadyIssued, s.Failed, s.Job.Done, s.Job.Total, s.Elapsed.Seconds(), s.Rate())
}

// writeResultsFile writes the results CSV next to path and renames it into
// place, so a reader never sees half a file.
func writeResultsFile(ctx context.Context, st store.Store, svc *issue.Service, jobID, path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".results-*.csv")
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := bulk.WriteResults(ctx, st, svc, jobID, tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	return nil
}

// openIssuer opens and migrates the database and builds an issuance
// service whose base URL is the server's (did:web issuer ids and public
// links depend on it).
func openIssuer(ctx context.Context, e *env, verb string, data *dataFlags, baseURL string) (store.Store, *issue.Service, int) {
	master, err := data.masterKey()
	if err != nil {
		return nil, nil, fail(e, exitFailed, "%s: %v", verb, err)
	}
	st, err := data.openStore(ctx, false)
	if err != nil {
		return nil, nil, fail(e, exitBadInput, "%s: %v", verb, err)
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, nil, fail(e, exitFailed, "%s: migrating %s: %v", verb, data.describe(), err)
	}
	if baseURL == "" {
		baseURL, err = st.Setting(ctx, store.SettingBaseURL)
		if err != nil {
			st.Close()
			return nil, nil, fail(e, exitBadInput, "%s: the server's base URL is not recorded (start the server once, or pass --base-url)", verb)
		}
	} else if baseURL, err = checkBaseURL(baseURL); err != nil {
		st.Close()
		return nil, nil, fail(e, exitBadInput, "%s: %v", verb, err)
	}
	return st, &issue.Service{Store: st, Master: master, BaseURL: baseURL}, exitOK
}

func runBulkControl(e *env, verb string, args []string) int {
	fs := newFlags("bulk "+verb, e)
	data := addDataFlags(fs)
	jobID := fs.String("job", "", "job `id` (printed by bulk issue; required)")
	if !parseFlags(fs, args) {
		return exitBadInput
	}
	if err := data.check(); err != nil {
		return fail(e, exitBadInput, "bulk %s: %v", verb, err)
	}
	if *jobID == "" {
		return fail(e, exitBadInput, "bulk %s: --job is required", verb)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := data.openStore(ctx, false)
	if err != nil {
		return fail(e, exitBadInput, "bulk %s: %v", verb, err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return fail(e, exitFailed, "bulk %s: migrating %s: %v", verb, data.describe(), err)
	}
	var j store.BulkJob
	switch verb {
	case "pause":
		j, err = bulk.Pause(ctx, st, *jobID)
	case "cancel":
		j, err = bulk.Cancel(ctx, st, *jobID)
	default:
		j, err = st.BulkJob(ctx, *jobID)
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
		return fail(e, exitBadInput, "bulk %s: no job %q", verb, *jobID)
	case errors.Is(err, store.ErrConflict):
		return fail(e, exitFailed, "bulk %s: job %s is %s", verb, *jobID, j.State)
	case err != nil:
		return fail(e, exitFailed, "bulk %s: %v", verb, err)
	}
	e.printf("job %s: %s, %d of %d rows issued, %d failed (file %s, updated %s)\n", j.ID, j.State, j.Done, j.Total, j.Failed,
		j.FileName, j.UpdatedAt.Format(time.RFC3339))
	if j.Error != "" {
		e.printf("  %s\n", j.Error)
	}
	return exitOK
}

// progressBar draws the progress of a bulk job on a terminal (redrawn in
// place a few times a second) or, when stderr is not a terminal, prints a
// progress line every few seconds.
type progressBar struct {
	w     io.Writer
	tty   bool
	every time.Duration
	drawn bool
}

func newProgressBar(w io.Writer) *progressBar {
	b := &progressBar{w: w, every: 5 * time.Second}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			b.tty, b.every = true, 200*time.Millisecond
		}
	}
	return b
}

func (b *progressBar) update(p bulk.Progress) {
	done := p.Job.Done + p.Job.Failed
	total := max(p.Job.Total, 1)
	eta := "--"
	if d := p.ETA(); d > 0 {
		eta = d.Round(time.Second).String()
	}
	if !b.tty {
		fmt.Fprintf(b.w, "bulk: %d/%d rows (%.0f%%), %.0f rows/s, ETA %s\n", done, p.Job.Total, 100*float64(done)/float64(total), p.Rate(), eta)
		return
	}
	const width = 30
	fill := min(width, width*done/total)
	fmt.Fprintf(b.w, "\r[%s%s] %d/%d  %.0f rows/s  ETA %-8s", strings.Repeat("#", fill), strings.Repeat(".", width-fill),
		done, p.Job.Total, p.Rate(), eta)
	b.drawn = true
}

func (b *progressBar) finish() {
	if b.drawn {
		fmt.Fprintln(b.w)
	}
}

// runCredentialsCount handles "microcred credentials count [--org SLUG]
// [--achievement ID] [--data DIR | --db URL]": the number of credentials
// issued, on one line.
func runCredentialsCount(e *env, args []string) int {
	fs := newFlags("credentials count", e)
	data := addDataFlags(fs)
	orgSlug := fs.String("org", "", "only the credentials of the organization with this `slug`")
	achievement := fs.String("achievement", "", "only the credentials of this achievement `id`")
	if !parseFlags(fs, args) {
		return exitBadInput
	}
	if err := data.check(); err != nil {
		return fail(e, exitBadInput, "credentials count: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := data.openStore(ctx, false)
	if err != nil {
		return fail(e, exitBadInput, "credentials count: %v", err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return fail(e, exitFailed, "credentials count: migrating %s: %v", data.describe(), err)
	}
	q := store.CredentialQuery{AchievementID: *achievement}
	if *orgSlug != "" {
		org, err := st.OrganizationBySlug(ctx, *orgSlug)
		if err != nil {
			return fail(e, exitBadInput, "credentials count: organization %q: %v", *orgSlug, err)
		}
		q.OrgID = org.ID
		if *achievement != "" {
			if a, err := st.AchievementBySlug(ctx, org.ID, *achievement); err == nil {
				q.AchievementID = a.ID
			}
		}
	}
	n, err := st.CountCredentials(ctx, q)
	if err != nil {
		return fail(e, exitFailed, "credentials count: %v", err)
	}
	e.printf("%d\n", n)
	return exitOK
}

var _ flag.Value = (*mapFlags)(nil)
