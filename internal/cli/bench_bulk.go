package cli

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/bulk"
	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/store"
)

// bulkBenchResult is the line "microcred bench bulk --json" prints.
type bulkBenchResult struct {
	Op          string  `json:"op"`
	DB          string  `json:"db"`
	Rows        int     `json:"rows"`
	Workers     int     `json:"workers"`
	Seconds     float64 `json:"seconds"`
	PerS        float64 `json:"per_s"`
	PeakRSSMB   float64 `json:"peak_rss_mb"`
	Ed25519PerS float64 `json:"ed25519_per_s"`
	Ratio       float64 `json:"ratio"`
	GOMAXPROCS  int     `json:"gomaxprocs"`
}

// runBenchBulk handles "microcred bench bulk --rows N [--db URL] [--json]
// [--workers W] [--cpuprofile FILE]": a generated CSV of N rows issued end
// to end by the bulk pipeline (validation, signing, group-committed
// writes with the mail queued) on a fresh temporary SQLite database or the
// given PostgreSQL, with raw Ed25519 signing measured in the same run.
func runBenchBulk(e *env, args []string) int {
	fs := newFlags("bench bulk", e)
	rows := fs.Int("rows", 24000, "rows of the generated CSV")
	dbURL := fs.String("db", "", "database `URL`: a fresh temporary SQLite database by default, or postgres://... (the bench adds its own organization)")
	workers := fs.Int("workers", 0, "signing goroutines (default as bulk issue)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to `file`")
	if !parseFlags(fs, args) {
		return exitBadInput
	}
	if *rows < 1 || *rows > 10_000_000 {
		return fail(e, exitBadInput, "bench bulk: --rows must be between 1 and 10000000")
	}
	data, cleanup, code := benchData(e, "bench bulk", *dbURL, "")
	if cleanup == nil {
		return code
	}
	defer cleanup()
	res, err := benchBulk(context.Background(), data, data.dir, *rows, *workers, *cpuProfile)
	if err != nil {
		return fail(e, exitFailed, "bench bulk: %v", err)
	}
	if *asJSON {
		out, _ := json.Marshal(res)
		e.printf("%s\n", out)
		return exitOK
	}
	e.printf("bulk %-8s %d rows in %.1f s: %.0f credentials/s   peak RSS %.0f MB   (workers %d, GOMAXPROCS %d)\n"+
		"              ed25519 alone %.0f signs/s   ratio %.3f\n",
		res.DB, res.Rows, res.Seconds, res.PerS, res.PeakRSSMB, res.Workers, res.GOMAXPROCS, res.Ed25519PerS, res.Ratio)
	return exitOK
}

func benchBulk(ctx context.Context, data *dataFlags, dir string, rows, workers int, cpuProfile string) (bulkBenchResult, error) {
	res := bulkBenchResult{Op: "bulk", DB: store.Scheme(data.url()), Rows: rows, Workers: workers, GOMAXPROCS: runtime.GOMAXPROCS(0)}
	if res.Workers <= 0 {
		res.Workers = bulk.DefaultWorkers()
	}
	master, err := data.masterKey()
	if err != nil {
		return res, err
	}
	st, err := data.openStore(ctx, true)
	if err != nil {
		return res, err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return res, fmt.Errorf("migrating: %w", err)
	}
	svc := &issue.Service{Store: st, Master: master, BaseURL: "http://127.0.0.1:8080"}
	defer svc.Close()
	orgID, achID, err := benchBulkSetup(ctx, svc)
	if err != nil {
		return res, err
	}
	csvPath := filepath.Join(dir, "bench.csv")
	if err := writeBenchCSV(csvPath, rows); err != nil {
		return res, err
	}
	if cpuProfile != "" {
		f, err := os.Create(cpuProfile)
		if err != nil {
			return res, fmt.Errorf("cpu profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return res, fmt.Errorf("cpu profile: %w", err)
		}
	}
	r := &bulk.Runner{Store: st, Issuer: svc, Workers: res.Workers}
	var firstProblem string
	start := time.Now()
	s, err := r.Run(ctx, bulk.Options{OrgID: orgID, AchievementID: achID, CSVPath: csvPath, Notify: true, Actor: "bench"},
		func(p bulk.Problem) {
			if firstProblem == "" {
				firstProblem = p.String()
			}
		})
	elapsed := time.Since(start)
	if cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	if err != nil {
		if firstProblem != "" {
			err = fmt.Errorf("%w (first: %s)", err, firstProblem)
		}
		return res, err
	}
	if s.Issued != rows {
		return res, fmt.Errorf("issued %d of %d rows (%d failed)", s.Issued, rows, s.Failed)
	}
	res.Seconds = elapsed.Seconds()
	res.PerS = float64(rows) / res.Seconds
	res.PeakRSSMB = peakRSSMB()
	kp, err := keys.Generate("")
	if err != nil {
		return res, err
	}
	res.Ed25519PerS = ed25519Rate(kp, 20000, false)
	res.Ratio = res.PerS / res.Ed25519PerS
	return res, nil
}

// benchBulkSetup creates a fresh organization with the first demo
// achievement.
func benchBulkSetup(ctx context.Context, svc *issue.Service) (orgID, achievementID string, err error) {
	suffix := strings.ToLower(rand.Text()[:10])
	org, err := svc.CreateOrganization(ctx, store.Organization{
		Slug: "bulk-" + suffix, Name: "Bulk Benchmark University " + suffix, URL: "https://bench.example/" + suffix,
		Email: "registrar@bench.example", Description: "Organization created by microcred bench bulk.", Country: "NL",
	}, "", "system")
	if err != nil {
		return "", "", fmt.Errorf("creating the bench organization: %w", err)
	}
	demo := catalog.DemoCatalogAt(svc.BaseURL)
	if len(demo) == 0 || len(demo[0].Achievements) == 0 {
		return "", "", errors.New("the demo catalog is empty")
	}
	ach := demo[0].Achievements[0]
	ach.Provider = org.Slug
	entry, err := svc.SaveAchievement(ctx, org.ID, &ach, "system")
	if err != nil {
		return "", "", fmt.Errorf("saving the bench achievement: %w", err)
	}
	return org.ID, entry.Achievement.ID, nil
}

// writeBenchCSV writes a CSV of n learners with every optional column.
func writeBenchCSV(path string, n int) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("bench CSV: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "email,name,identifier,valid_from,valid_until,result,evidence_url")
	for i := range n {
		fmt.Fprintf(w, "learner%07d@uni.example,\"Learner %d, Bench\",S%07d,2026-01-15,2031-01-15,Pass,https://uni.example/evidence/%d\n", i, i, i, i)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("bench CSV: %w", err)
	}
	return f.Close()
}

// peakRSSMB reads the process's peak resident set size (VmHWM) from
// /proc/self/status; 0 where that file does not exist.
func peakRSSMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}
