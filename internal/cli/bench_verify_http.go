package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/limit"
	"github.com/microcred/microcred/internal/proof"
	"github.com/microcred/microcred/internal/store"
)

// verifyHTTPBenchResult is the line "microcred bench verify-http --json"
// prints.
type verifyHTTPBenchResult struct {
	Op              string  `json:"op"`
	N               int     `json:"n"`
	Concurrency     int     `json:"concurrency"`
	CredentialBytes int     `json:"credential_bytes"`
	PerS            float64 `json:"per_s"`
	P50ms           float64 `json:"p50_ms"`
	P99ms           float64 `json:"p99_ms"`
	Verified        int     `json:"verified"`
	Busy            int     `json:"busy_429"`
	Errors          int     `json:"errors"`
	Ed25519PerS     float64 `json:"ed25519_verify_per_s"`
	Ratio           float64 `json:"ratio"`
	GOMAXPROCS      int     `json:"gomaxprocs"`
	RSSBeforeMB     float64 `json:"rss_before_mb"`
	PeakRSSMB       float64 `json:"peak_rss_mb"`
	FirstError      string  `json:"first_error,omitempty"`
	GateBudgetMB    float64 `json:"gate_budget_mb"`
	// CPUMicros is the process's CPU time (user and system, server and
	// clients) per verification during the measured phase. Unlike the
	// rate it hardly depends on what else the machine runs, so
	// CapacityPerS, GOMAXPROCS divided by it, says what the same cores
	// would do alone.
	CPUMicros        float64 `json:"cpu_us_per_verification"`
	CapacityPerS     float64 `json:"capacity_per_s"`
	ServerGCPercent  int     `json:"server_gc_percent"`
	ServerMemLimitMB float64 `json:"server_memory_limit_mb"`
}

// runBenchVerifyHTTP handles "microcred bench verify-http [-n N] [-c C]
// [--large] [--json] [--cpuprofile FILE]": POST /credentials/verify against
// the real server started in this process, on loopback with keep-alive
// clients. The credential is signed by an organization of that server, so
// its did:web document and status list are answered from the server's
// caches, as they are for every credential a server issued itself.
//
// --large measures the memory bound instead: forty clients at once, each
// posting a ~0.8 MB credential (thousands of alignments, the most work per
// byte a verifier gets), and reports the peak resident set size of the
// whole process (server and clients) during that phase.
func runBenchVerifyHTTP(e *env, args []string) int {
	fs := newFlags("bench verify-http", e)
	n := fs.Int("n", 20000, "verifications (200 with --large unless given)")
	c := fs.Int("c", 16, "concurrent keep-alive clients (40 with --large unless given)")
	large := fs.Bool("large", false, "post ~0.8 MB credentials instead of ~2 KB ones and report the peak memory")
	asJSON := fs.Bool("json", false, "print one JSON object")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the measured phase to `file`, for go tool pprof")
	gateMB := fs.Float64("gate-mb", 0, "replace the server's verification budget with `MB` of credentials at once (0: the server's default), to compare")
	if !parseFlags(fs, args) {
		return exitBadInput
	}
	if *large {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if !set["n"] {
			*n = 200
		}
		if !set["c"] {
			*c = 40
		}
	}
	if *n < 1 || *n > 10_000_000 {
		return fail(e, exitBadInput, "bench verify-http: -n must be between 1 and 10000000")
	}
	if *c < 1 || *c > 1024 {
		return fail(e, exitBadInput, "bench verify-http: -c must be between 1 and 1024")
	}
	tmp, err := os.MkdirTemp("", "microcred-bench-*")
	if err != nil {
		return fail(e, exitFailed, "bench verify-http: %v", err)
	}
	defer os.RemoveAll(tmp)
	data := &dataFlags{dir: tmp}
	if *gateMB < 0 {
		return fail(e, exitBadInput, "bench verify-http: --gate-mb must not be negative")
	}
	res, err := benchVerifyHTTP(context.Background(), data, *n, *c, *large, *cpuProfile, int64(*gateMB*(1<<20)))
	if err != nil {
		return fail(e, exitFailed, "bench verify-http: %v", err)
	}
	if *asJSON {
		out, _ := json.Marshal(res)
		e.printf("%s\n", out)
	} else {
		e.printf("verify-http %8.0f verifications/s   p50 %6.2f ms   p99 %6.2f ms   verified %d   busy (429) %d   errors %d\n"+
			"            credential %d bytes   n=%d   c=%d   GOMAXPROCS=%d   gate %.0f MiB at once\n"+
			"            peak RSS %.0f MB (%.0f MB before the measured phase)   CPU %.0f µs per verification: %.0f/s on %d idle cores\n"+
			"            ed25519 verify alone %8.0f/s   ratio %.3f\n",
			res.PerS, res.P50ms, res.P99ms, res.Verified, res.Busy, res.Errors,
			res.CredentialBytes, res.N, res.Concurrency, res.GOMAXPROCS, res.GateBudgetMB,
			res.PeakRSSMB, res.RSSBeforeMB, res.CPUMicros, res.CapacityPerS, res.GOMAXPROCS, res.Ed25519PerS, res.Ratio)
	}
	if res.Errors > 0 {
		return fail(e, exitFailed, "bench verify-http: %d of %d requests failed; first: %s", res.Errors, res.N, res.FirstError)
	}
	return exitOK
}

func benchVerifyHTTP(ctx context.Context, data *dataFlags, n, c int, large bool, cpuProfile string, gateBytes int64) (verifyHTTPBenchResult, error) {
	res := verifyHTTPBenchResult{Op: "verify-http", N: n, Concurrency: c, GOMAXPROCS: runtime.GOMAXPROCS(0)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return res, fmt.Errorf("listening: %w", err)
	}
	base := baseURLFor(ln.Addr())
	tuneServerGC() // as serve does
	res.ServerGCPercent, res.ServerMemLimitMB = serverGCSettings()
	logger := slog.New(slog.DiscardHandler)
	a, err := openApp(ctx, data, base, false, -1, logger)
	if err != nil {
		ln.Close()
		return res, err
	}
	defer a.store.Close()
	srv := &http.Server{Handler: a.handler, ReadHeaderTimeout: readHeaderTimeout, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	go srv.Serve(ln)
	defer srv.Close()
	if gateBytes > 0 {
		a.issuer.VerifyGate = limit.NewGate(gateBytes, 64, 5*time.Second)
	}
	res.GateBudgetMB = float64(a.issuer.VerifyGate.Capacity()) / (1 << 20)

	body, size, err := benchVerifyBody(ctx, a, large)
	if err != nil {
		return res, err
	}
	res.CredentialBytes = size
	client := &http.Client{
		Timeout:   60 * time.Second,
		Transport: &http.Transport{MaxIdleConns: c, MaxIdleConnsPerHost: c, IdleConnTimeout: time.Minute},
	}
	defer client.CloseIdleConnections()
	const (
		outcomeVerified = iota
		outcomeBusy
		outcomeError
	)
	verifyOne := func() (time.Duration, int, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/credentials/verify", bytes.NewReader(body))
		if err != nil {
			return 0, outcomeError, err
		}
		req.Header.Set("Content-Type", "application/json")
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, outcomeError, err
		}
		respBody, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		took := time.Since(start)
		switch {
		case err != nil:
			return took, outcomeError, err
		case resp.StatusCode == http.StatusTooManyRequests:
			return took, outcomeBusy, nil
		case resp.StatusCode != http.StatusOK || !bytes.Contains(respBody, []byte(`"verified":true`)):
			return took, outcomeError, fmt.Errorf("POST /credentials/verify: %s: %.300s", resp.Status, respBody)
		}
		return took, outcomeVerified, nil
	}
	// Warm up: open the connections and fill the caches (the issuer's key,
	// its status list, the JSON-LD contexts) before measuring; in the
	// large mode one request warms up the caches without adding load.
	warm := c
	if large {
		warm = 1
	}
	var wg sync.WaitGroup
	warmErr := make(chan error, warm)
	for range warm {
		wg.Go(func() {
			if _, outcome, err := verifyOne(); outcome == outcomeError {
				warmErr <- err
			}
		})
	}
	wg.Wait()
	close(warmErr)
	if err := <-warmErr; err != nil {
		return res, fmt.Errorf("warm-up request failed: %w", err)
	}
	runtime.GC()
	resetPeakRSS()
	res.RSSBeforeMB = peakRSSMB()

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
	cpuBefore := processCPU()
	latencies := make([]time.Duration, n)
	var next, verified, busy, failed atomic.Int64
	var firstErr atomic.Value
	start := time.Now()
	for range c {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				took, outcome, err := verifyOne()
				latencies[i] = took
				switch outcome {
				case outcomeVerified:
					verified.Add(1)
				case outcomeBusy:
					busy.Add(1)
				default:
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	cpu := processCPU() - cpuBefore
	if cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	res.PeakRSSMB = peakRSSMB()
	if cpu > 0 {
		res.CPUMicros = float64(cpu.Microseconds()) / float64(n)
		res.CapacityPerS = float64(res.GOMAXPROCS) * 1e6 / res.CPUMicros
	}
	slices.Sort(latencies)
	res.Verified, res.Busy, res.Errors = int(verified.Load()), int(busy.Load()), int(failed.Load())
	res.PerS = float64(res.Verified) / elapsed.Seconds()
	res.P50ms = percentileMs(latencies, 0.50)
	res.P99ms = percentileMs(latencies, 0.99)
	kp, err := keys.Generate("")
	if err != nil {
		return res, err
	}
	res.Ed25519PerS = ed25519Rate(kp, max(n, 20000), true)
	res.Ratio = res.PerS / res.Ed25519PerS
	if msg, ok := firstErr.Load().(string); ok {
		res.FirstError = msg
	}
	return res, nil
}

// benchVerifyBody creates an organization on the server and has it sign
// the realistic sample credential (with a status list entry, as every
// credential it issues), or in the large mode the sample with alignments
// added until it passes 0.8 MB. It returns the VC-API request body and the
// credential's size.
func benchVerifyBody(ctx context.Context, a *app, large bool) ([]byte, int, error) {
	suffix := strings.ToLower(rand.Text()[:10])
	org, err := a.issuer.CreateOrganization(ctx, store.Organization{
		Slug: "bench-" + suffix, Name: "Benchmark Institute " + suffix, URL: "https://bench.example/" + suffix,
		Email: "bench@bench.example", Description: "Organization created by microcred bench verify-http.", Country: "NL",
	}, "", "system")
	if err != nil {
		return nil, 0, fmt.Errorf("creating the bench organization: %w", err)
	}
	doc := proof.SampleCredential()
	delete(doc, "issuer")
	delete(doc, "id")
	if large {
		subj := doc["credentialSubject"].(map[string]any)
		ach := subj["achievement"].(map[string]any)
		var alignments []any
		for i := 0; i < 4000; i++ {
			alignments = append(alignments, map[string]any{
				"type":            []any{"Alignment"},
				"targetName":      fmt.Sprintf("Skill %d of the bench framework", i),
				"targetUrl":       fmt.Sprintf("https://skills.bench.example/framework/skill-%06d", i),
				"targetFramework": "Bench Framework",
				"targetCode":      fmt.Sprintf("B-%06d", i),
			})
		}
		ach["alignment"] = alignments
	}
	cred, err := a.issuer.IssueDocument(ctx, org.ID, doc, issue.DocumentOptions{Actor: "system"})
	if err != nil {
		return nil, 0, fmt.Errorf("signing the bench credential: %w", err)
	}
	body, err := json.Marshal(map[string]json.RawMessage{"verifiableCredential": json.RawMessage(cred.Document)})
	if err != nil {
		return nil, 0, err
	}
	return body, len(cred.Document), nil
}

// resetPeakRSS resets the kernel's peak RSS counter (VmHWM) so that the
// figure read afterwards covers only what follows; where /proc does not
// allow it the peak stays the process's lifetime peak.
func resetPeakRSS() {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// serverGCSettings reports the garbage collector's target percentage and
// soft memory limit (0 when none) in effect.
func serverGCSettings() (percent int, limitMB float64) {
	percent = debug.SetGCPercent(-1)
	debug.SetGCPercent(percent)
	if l := debug.SetMemoryLimit(-1); l != math.MaxInt64 {
		limitMB = float64(l) / (1 << 20)
	}
	return percent, limitMB
}
