package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/microcred/microcred/internal/api"
	"github.com/microcred/microcred/internal/auth"
	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/store"
)

// issueBenchResult is the line "microcred bench issue --json" prints.
type issueBenchResult struct {
	Op          string  `json:"op"`
	DB          string  `json:"db"`
	N           int     `json:"n"`
	Concurrency int     `json:"concurrency"`
	PerS        float64 `json:"per_s"`
	P50ms       float64 `json:"p50_ms"`
	P99ms       float64 `json:"p99_ms"`
	Errors      int     `json:"errors"`
	Ed25519PerS float64 `json:"ed25519_per_s"`
	Ratio       float64 `json:"ratio"`
	GOMAXPROCS  int     `json:"gomaxprocs"`
	PeakRSSMB   float64 `json:"peak_rss_mb"`
	FirstError  string  `json:"first_error,omitempty"`
}

// runBenchIssue handles "microcred bench issue [--db URL] [-n N]
// [-c CONCURRENCY] [--json]": single-credential issuance through the HTTP
// API on loopback, against the real server started in this process.
func runBenchIssue(e *env, args []string) int {
	fs := newFlags("bench issue", e)
	dbURL := fs.String("db", "", "database `URL`: a fresh temporary SQLite database by default, or postgres://... (used as given: the bench adds its own organization)")
	n := fs.Int("n", 2000, "credentials to issue")
	c := fs.Int("c", 8, "concurrent HTTP clients")
	asJSON := fs.Bool("json", false, "print one JSON object")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the measured phase (client and server) to `file`, for go tool pprof")
	if !parseFlags(fs, args) {
		return exitBadInput
	}
	if *n < 1 || *n > 10_000_000 {
		return fail(e, exitBadInput, "bench issue: -n must be between 1 and 10000000")
	}
	if *c < 1 || *c > 1024 {
		return fail(e, exitBadInput, "bench issue: -c must be between 1 and 1024")
	}
	data, cleanup, code := benchData(e, "bench issue", *dbURL, "the bench adds an organization with its own achievement and API client to it")
	if cleanup == nil {
		return code
	}
	defer cleanup()
	res, err := benchIssue(context.Background(), data, *n, *c, *cpuProfile)
	if err != nil {
		return fail(e, exitFailed, "bench issue: %v", err)
	}
	if *asJSON {
		out, _ := json.Marshal(res)
		e.printf("%s\n", out)
	} else {
		e.printf("issue %-8s %8.0f credentials/s   p50 %6.2f ms   p99 %6.2f ms   errors %d   peak RSS %.0f MB   (n=%d, c=%d, GOMAXPROCS=%d)\n"+
			"             ed25519 alone %8.0f signs/s   ratio %.3f\n",
			res.DB, res.PerS, res.P50ms, res.P99ms, res.Errors, res.PeakRSSMB, res.N, res.Concurrency, res.GOMAXPROCS, res.Ed25519PerS, res.Ratio)
	}
	if res.Errors > 0 {
		return fail(e, exitFailed, "bench issue: %d of %d requests failed; first: %s", res.Errors, res.N, res.FirstError)
	}
	return exitOK
}

// benchIssue starts the server on 127.0.0.1:0, prepares an organization,
// an achievement and an API client, and issues n credentials with c
// keep-alive clients.
func benchIssue(ctx context.Context, data *dataFlags, n, c int, cpuProfile string) (issueBenchResult, error) {
	res := issueBenchResult{Op: "issue", DB: store.Scheme(data.url()), N: n, Concurrency: c, GOMAXPROCS: runtime.GOMAXPROCS(0)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return res, fmt.Errorf("listening: %w", err)
	}
	base := baseURLFor(ln.Addr())
	tuneServerGC() // as serve does
	// Request logs would measure the terminal; rate limiting would
	// measure the limiter.
	logger := slog.New(slog.DiscardHandler)
	// The port, and so the base URL, differs on every run; a benchmark
	// database is scratch, so it records whichever it ran with.
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
	client := &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        c,
			MaxIdleConnsPerHost: c,
			IdleConnTimeout:     time.Minute,
		},
	}
	defer client.CloseIdleConnections()
	token, err := benchToken(ctx, client, base, clientID, secret)
	if err != nil {
		return res, err
	}
	issueOne := func(i int) (time.Duration, error) {
		body, _ := json.Marshal(map[string]any{
			"achievementId": achievementID,
			"recipient": map[string]any{
				"email": fmt.Sprintf("learner%07d@bench.example", i),
				"name":  fmt.Sprintf("Bench Learner %d", i),
			},
		})
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/api/v1/credentials", bytes.NewReader(body))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+token)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		// Read the whole response: the latency covers the credential
		// arriving, not just the status line.
		respBody, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		took := time.Since(start)
		if err != nil {
			return took, err
		}
		if resp.StatusCode != http.StatusCreated {
			return took, fmt.Errorf("POST /api/v1/credentials: %s: %s", resp.Status, strings.TrimSpace(string(respBody)))
		}
		return took, nil
	}
	// Warm up: open the c connections and fill the caches (unsealed key,
	// achievement version, JSON-LD contexts) before measuring.
	var wg sync.WaitGroup
	warmErr := make(chan error, c)
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := issueOne(-1 - w); err != nil {
				warmErr <- err
			}
		}()
	}
	wg.Wait()
	close(warmErr)
	if err := <-warmErr; err != nil {
		return res, fmt.Errorf("warm-up request failed: %w", err)
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
	latencies := make([]time.Duration, n)
	var next, failed atomic.Int64
	var firstErr atomic.Value
	start := time.Now()
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				took, err := issueOne(i)
				latencies[i] = took
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if cpuProfile != "" {
		pprof.StopCPUProfile()
	}

	slices.Sort(latencies)
	res.PerS = float64(n) / elapsed.Seconds()
	res.P50ms = percentileMs(latencies, 0.50)
	res.P99ms = percentileMs(latencies, 0.99)
	res.Errors = int(failed.Load())
	res.PeakRSSMB = peakRSSMB()
	kp, err := keys.Generate("")
	if err != nil {
		return res, err
	}
	res.Ed25519PerS = ed25519Rate(kp, max(n, 20000), false)
	res.Ratio = res.PerS / res.Ed25519PerS
	if msg, ok := firstErr.Load().(string); ok {
		res.FirstError = msg
	}
	return res, nil
}

// percentileMs returns the p-quantile of sorted latencies in milliseconds
// (nearest rank).
func percentileMs(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	i = min(max(i, 0), len(sorted)-1)
	return float64(sorted[i].Microseconds()) / 1000
}

// benchSetup creates a fresh organization with one achievement and an API
// client allowed to issue, and returns the achievement id and the client's
// credentials.
func benchSetup(ctx context.Context, a *app) (achievementID, clientID, secret string, err error) {
	suffix := strings.ToLower(rand.Text()[:10])
	org, err := a.issuer.CreateOrganization(ctx, store.Organization{
		Slug:        "bench-" + suffix,
		Name:        "Benchmark Institute " + suffix,
		URL:         "https://bench.example/" + suffix,
		Email:       "bench@bench.example",
		Description: "Organization created by microcred bench issue.",
		Country:     "NL",
	}, "", "system")
	if err != nil {
		return "", "", "", fmt.Errorf("creating the bench organization: %w", err)
	}
	demoOrgs := catalog.DemoCatalogAt(a.baseURL)
	if len(demoOrgs) == 0 || len(demoOrgs[0].Achievements) == 0 {
		return "", "", "", errors.New("the demo catalog is empty")
	}
	ach := demoOrgs[0].Achievements[0]
	ach.Provider = org.Slug
	entry, err := a.issuer.SaveAchievement(ctx, org.ID, &ach, "system")
	if err != nil {
		return "", "", "", fmt.Errorf("saving the bench achievement: %w", err)
	}
	secret, hash := auth.NewToken()
	cl, err := a.store.CreateAPIClient(ctx, store.APIClient{
		ClientID: "bench-" + suffix, SecretHash: hash, OrgID: org.ID, Name: "microcred bench", Scopes: []string{api.ScopeIssue},
	})
	if err != nil {
		return "", "", "", fmt.Errorf("creating the bench API client: %w", err)
	}
	return entry.Achievement.ID, cl.ClientID, secret, nil
}

// benchToken obtains a bearer token with the client credentials grant.
func benchToken(ctx context.Context, client *http.Client, base, clientID, secret string) (string, error) {
	form := url.Values{"grant_type": {"client_credentials"}, "scope": {api.ScopeIssue}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/oauth/token", strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("token request: %w", err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("token request: %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	if err := json.Unmarshal(body, &tok); err != nil || tok.AccessToken == "" {
		return "", fmt.Errorf("token response without access_token: %s", body)
	}
	return tok.AccessToken, nil
}
