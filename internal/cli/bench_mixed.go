package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/store"
)

// The mixed load: out of every 20 operations, 14 verify (70 %), 4 issue
// (20 %), 1 revokes (5 %) and 1 reads a public page (5 %).
var mixedSchedule = []string{
	"verify", "verify", "verify", "verify", "verify", "verify", "verify",
	"verify", "verify", "verify", "verify", "verify", "verify", "verify",
	"issue", "issue", "issue", "issue",
	"revoke",
	"page",
}

// mixedOps lists the operations in report order.
var mixedOps = []string{"verify", "issue", "revoke", "page"}

// mixedOpResult is the figure of one operation.
type mixedOpResult struct {
	Op     string  `json:"op"`
	N      int     `json:"n"`
	PerS   float64 `json:"per_s"`
	P50ms  float64 `json:"p50_ms"`
	P99ms  float64 `json:"p99_ms"`
	Errors int     `json:"errors"`
}

// mixedBenchResult is what "microcred bench mixed --json" prints.
type mixedBenchResult struct {
	Op                string          `json:"op"`
	DB                string          `json:"db"`
	Seconds           float64         `json:"seconds"`
	Concurrency       int             `json:"concurrency"`
	PerS              float64         `json:"per_s"`
	Errors            int             `json:"errors"`
	Ops               []mixedOpResult `json:"ops"`
	Ed25519VerifyPerS float64         `json:"ed25519_verify_per_s"`
	VerifyRatio       float64         `json:"verify_ratio"`
	PeakRSSMB         float64         `json:"peak_rss_mb"`
	GoroutinesStart   int             `json:"goroutines_start"`
	GoroutinesEnd     int             `json:"goroutines_end"`
	GoroutinesMax     int             `json:"goroutines_max"`
	FDsStart          int             `json:"fds_start"`
	FDsEnd            int             `json:"fds_end"`
	FDsMax            int             `json:"fds_max"`
	GOMAXPROCS        int             `json:"gomaxprocs"`
	FirstError        string          `json:"first_error,omitempty"`
}

// runBenchMixed handles "microcred bench mixed [--db URL] [--duration D]
// [-c N] [--json]".
func runBenchMixed(e *env, args []string) int {
	fs := newFlags("bench mixed", e)
	dbURL := fs.String("db", "", "database `URL`: a fresh temporary SQLite database by default, or postgres://... (used as given: the bench adds its own organization)")
	duration := fs.Duration("duration", 5*time.Minute, "how long to run the load")
	c := fs.Int("c", 8, "concurrent HTTP clients")
	asJSON := fs.Bool("json", false, "print one JSON object")
	if !parseFlags(fs, args) {
		return exitBadInput
	}
	if *duration < time.Second || *duration > 24*time.Hour {
		return fail(e, exitBadInput, "bench mixed: --duration must be between 1s and 24h")
	}
	if *c < 1 || *c > 1024 {
		return fail(e, exitBadInput, "bench mixed: -c must be between 1 and 1024")
	}
	data, cleanup, code := benchData(e, "bench mixed", *dbURL, "the bench adds an organization with its own achievement and API client to it")
	if cleanup == nil {
		return code
	}
	defer cleanup()
	res, err := benchMixed(context.Background(), data, *duration, *c, e.stderr)
	if err != nil {
		return fail(e, exitFailed, "bench mixed: %v", err)
	}
	if *asJSON {
		out, _ := json.Marshal(res)
		e.printf("%s\n", out)
	} else {
		printMixed(e, res)
	}
	if res.Errors > 0 {
		return fail(e, exitFailed, "bench mixed: %d operations failed; first: %s", res.Errors, res.FirstError)
	}
	return exitOK
}

func printMixed(e *env, res mixedBenchResult) {
	e.printf("mixed %-8s %8.1f operations/s for %.0f s with %d clients (GOMAXPROCS=%d), errors %d\n",
		res.DB, res.PerS, res.Seconds, res.Concurrency, res.GOMAXPROCS, res.Errors)
	for _, o := range res.Ops {
		e.printf("  %-7s %8d  %8.1f/s   p50 %7.2f ms   p99 %7.2f ms   errors %d\n", o.Op, o.N, o.PerS, o.P50ms, o.P99ms, o.Errors)
	}
	e.printf("  ed25519 verify alone %8.0f/s; verification through HTTP at %.3f of it\n", res.Ed25519VerifyPerS, res.VerifyRatio)
	e.printf("  peak RSS %.0f MB; goroutines %d -> %d (at most %d); open files %d -> %d (at most %d) from the start of the load to its end\n",
		res.PeakRSSMB, res.GoroutinesStart, res.GoroutinesEnd, res.GoroutinesMax, res.FDsStart, res.FDsEnd, res.FDsMax)
}

// mixedClient is the load generator's view of the server.
type mixedClient struct {
	http        *http.Client
	base, token string
	achievement string
	orgSlug     string
	seq         atomic.Int64
}

// issue awards a credential and returns its id, public URL and document.
func (m *mixedClient) issue(ctx context.Context) (id, url string, doc json.RawMessage, err error) {
	i := m.seq.Add(1)
	body, _ := json.Marshal(map[string]any{
		"achievementId": m.achievement,
		"recipient":     map[string]any{"email": fmt.Sprintf("mixed%08d@bench.example", i), "name": fmt.Sprintf("Mixed Learner %d", i)},
		"notify":        false,
	})
	var rec struct {
		ID         string          `json:"id"`
		URL        string          `json:"url"`
		Credential json.RawMessage `json:"credential"`
	}
	if err := m.do(ctx, "POST", "/api/v1/credentials", body, http.StatusCreated, &rec); err != nil {
		return "", "", nil, err
	}
	return rec.ID, rec.URL, rec.Credential, nil
}

func (m *mixedClient) verify(ctx context.Context, doc json.RawMessage) error {
	body := append(append([]byte(`{"verifiableCredential":`), doc...), '}')
	var res struct {
		Verified bool `json:"verified"`
	}
	if err := m.do(ctx, "POST", "/credentials/verify", body, http.StatusOK, &res); err != nil {
		return err
	}
	if !res.Verified {
		return fmt.Errorf("POST /credentials/verify: a credential issued by the bench did not verify")
	}
	return nil
}

func (m *mixedClient) revoke(ctx context.Context, id string) error {
	uuid := strings.TrimPrefix(id, "urn:uuid:")
	return m.do(ctx, "POST", "/api/v1/credentials/"+uuid+"/revoke", []byte(`{"reason":"bench mixed"}`), http.StatusOK, nil)
}

func (m *mixedClient) page(ctx context.Context, path string) error {
	return m.do(ctx, "GET", path, nil, http.StatusOK, nil)
}

// do sends one request and reads the whole response, so the latency
// covers the body arriving.
func (m *mixedClient) do(ctx context.Context, method, path string, body []byte, want int, out any) error {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, m.base+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if strings.HasPrefix(path, "/api/") {
		req.Header.Set("Authorization", "Bearer "+m.token)
	}
	resp, err := m.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: %s: %.300s", method, path, resp.Status, strings.TrimSpace(string(data)))
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return nil
}

// benchMixed runs the real server in this process on loopback (on a fresh
// SQLite database or the given one), prepares an organization with an
// achievement, an API client and a pool of credentials to verify, and
// then runs the mixed load with c keep-alive clients for d.
func benchMixed(ctx context.Context, data *dataFlags, d time.Duration, c int, progress io.Writer) (mixedBenchResult, error) {
	res := mixedBenchResult{Op: "mixed", DB: store.Scheme(data.url()), Concurrency: c, GOMAXPROCS: runtime.GOMAXPROCS(0)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return res, fmt.Errorf("listening: %w", err)
	}
	base := baseURLFor(ln.Addr())
	tuneServerGC()
	logger := slog.New(slog.DiscardHandler)
	// apiRate -1: the API's per-client limiter would measure itself.
	a, err := openAppWith(ctx, data, base, false, -1, logger, appOptions{baseURL: baseURLOverwrite, skipKeyCheck: true})
	if err != nil {
		ln.Close()
		return res, err
	}
	defer a.store.Close()
	srv := &http.Server{Handler: a.handler, ReadHeaderTimeout: readHeaderTimeout, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	go srv.Serve(ln)
	defer srv.Close()

	achievementID, clientID, secret, err := benchSetup(ctx, a)
	if err != nil {
		return res, err
	}
	hc := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConns: c, MaxIdleConnsPerHost: c, IdleConnTimeout: time.Minute}}
	defer hc.CloseIdleConnections()
	token, err := benchToken(ctx, hc, base, clientID, secret)
	if err != nil {
		return res, err
	}
	org, err := benchOrgOf(ctx, a.store, achievementID)
	if err != nil {
		return res, err
	}
	m := &mixedClient{http: hc, base: base, token: token, achievement: achievementID, orgSlug: org}

	// The verification pool is never revoked, so every verification must
	// say "verified"; revocations take credentials issued during the run
	// (and a head start issued now).
	const verifyPool, revokeHeadStart = 64, 64
	var docs []json.RawMessage
	var pages []string
	revocable := make(chan string, 1<<20)
	for i := range verifyPool + revokeHeadStart {
		id, url, doc, err := m.issue(ctx)
		if err != nil {
			return res, fmt.Errorf("preparing credentials: %w", err)
		}
		if i < verifyPool {
			docs = append(docs, doc)
			pages = append(pages, strings.TrimPrefix(url, base))
		} else {
			revocable <- id
		}
	}
	pages = append(pages[:8], "/", "/catalog", "/orgs/"+org, "/verify", "/log/checkpoint")
	// Warm-up: every client opens its connection and the caches fill.
	var wg sync.WaitGroup
	for range c {
		wg.Go(func() { _ = m.verify(ctx, docs[0]) })
	}
	wg.Wait()

	type sample struct {
		op   int
		took time.Duration
	}
	type worker struct {
		samples  []sample
		errors   [4]int
		firstErr string
	}
	workers := make([]*worker, c)
	res.GoroutinesStart, res.FDsStart = runtime.NumGoroutine(), openFDs()
	stopAt := time.Now().Add(d)
	start := time.Now()
	done := make(chan struct{})
	// Once a second: the highest goroutine and file-descriptor counts
	// seen, and progress every 30 s.
	var maxG, maxFD atomic.Int64
	maxG.Store(int64(res.GoroutinesStart))
	maxFD.Store(int64(res.FDsStart))
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case now := <-t.C:
				// This sampler itself is one goroutine more than at the start.
				if g := int64(runtime.NumGoroutine() - 1); g > maxG.Load() {
					maxG.Store(g)
				}
				if f := int64(openFDs()); f > maxFD.Load() {
					maxFD.Store(f)
				}
				if s := int(now.Sub(start).Seconds()); progress != nil && s > 0 && s%30 == 0 {
					fmt.Fprintf(progress, "bench mixed: %s of %s\n", now.Sub(start).Round(time.Second), d)
				}
			}
		}
	}()
	for w := range c {
		wk := &worker{}
		workers[w] = wk
		wg.Go(func() {
			rnd := rand.New(rand.NewPCG(uint64(w), 42))
			order := slices.Clone(mixedSchedule)
			for i := 0; time.Now().Before(stopAt); i++ {
				if i%len(order) == 0 {
					rnd.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
				}
				op := order[i%len(order)]
				var err error
				t0 := time.Now()
				switch op {
				case "verify":
					err = m.verify(ctx, docs[rnd.IntN(len(docs))])
				case "issue":
					var id string
					if id, _, _, err = m.issue(ctx); err == nil {
						select {
						case revocable <- id:
						default:
						}
					}
				case "revoke":
					select {
					case id := <-revocable:
						err = m.revoke(ctx, id)
					default:
						err = fmt.Errorf("no credential left to revoke")
					}
				case "page":
					err = m.page(ctx, pages[rnd.IntN(len(pages))])
				}
				took := time.Since(t0)
				k := slices.Index(mixedOps, op)
				wk.samples = append(wk.samples, sample{k, took})
				if err != nil {
					wk.errors[k]++
					if wk.firstErr == "" {
						wk.firstErr = err.Error()
					}
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(done)
	<-sampled
	res.GoroutinesEnd, res.FDsEnd = runtime.NumGoroutine(), openFDs()
	res.GoroutinesMax, res.FDsMax = int(maxG.Load()), int(maxFD.Load())
	res.PeakRSSMB = peakRSSMB()
	res.Seconds = elapsed.Seconds()

	lat := make([][]time.Duration, len(mixedOps))
	errs := make([]int, len(mixedOps))
	total := 0
	for _, wk := range workers {
		for _, s := range wk.samples {
			lat[s.op] = append(lat[s.op], s.took)
		}
		for k, n := range wk.errors {
			errs[k] += n
			res.Errors += n
		}
		if res.FirstError == "" {
			res.FirstError = wk.firstErr
		}
		total += len(wk.samples)
	}
	res.PerS = float64(total) / elapsed.Seconds()
	for k, op := range mixedOps {
		slices.Sort(lat[k])
		res.Ops = append(res.Ops, mixedOpResult{Op: op, N: len(lat[k]), PerS: float64(len(lat[k])) / elapsed.Seconds(),
			P50ms: percentileMs(lat[k], 0.50), P99ms: percentileMs(lat[k], 0.99), Errors: errs[k]})
	}
	kp, err := keys.Generate("")
	if err != nil {
		return res, err
	}
	res.Ed25519VerifyPerS = ed25519Rate(kp, 20000, true)
	if v := res.Ops[0].PerS; res.Ed25519VerifyPerS > 0 {
		res.VerifyRatio = v / res.Ed25519VerifyPerS
	}
	return res, nil
}

// benchOrgOf returns the slug of the organization owning an achievement.
func benchOrgOf(ctx context.Context, st store.Store, achievementID string) (string, error) {
	ach, err := st.Achievement(ctx, achievementID)
	if err != nil {
		return "", fmt.Errorf("reading the bench achievement: %w", err)
	}
	org, err := st.Organization(ctx, ach.OrgID)
	if err != nil {
		return "", fmt.Errorf("reading the bench organization: %w", err)
	}
	return org.Slug, nil
}

// openFDs counts this process's open file descriptors (Linux), -1 when
// they cannot be listed.
func openFDs() int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return -1
	}
	return len(ents)
}
