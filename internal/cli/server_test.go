package cli

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is an io.Writer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestMigrate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	code, out, errs := run(t, nil, "migrate", "--data", dir)
	if code != exitOK {
		t.Fatalf("migrate: exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "schema created") || !strings.Contains(out, filepath.Join(dir, dbFileName)) {
		t.Fatalf("migrate printed %q", out)
	}
	info, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o700 {
		t.Errorf("data directory mode %04o, want 0700", info.Mode().Perm())
	}
	code, out, errs = run(t, nil, "migrate", "--db", "sqlite:"+filepath.Join(dir, dbFileName))
	if code != exitOK || !strings.Contains(out, "schema was present") {
		t.Fatalf("second migrate: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

// The issue's acceptance path: demo --seed-only on a fresh directory, then
// catalog list --json; a second seed changes nothing.
func TestDemoSeedOnlyAndCatalog(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	code, out, errs := run(t, nil, "demo", "--seed-only", "--data", dir)
	if code != exitOK {
		t.Fatalf("demo --seed-only: exit %d: %s", code, errs)
	}
	for _, want := range []string{"admin@demo-university.example", "password:", "client_secret:",
		"http://127.0.0.1:8080/catalog", "http://127.0.0.1:8080/c/", "http://127.0.0.1:8080/admin/outbox", "50 learners"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	if info, err := os.Stat(filepath.Join(dir, masterKeyName)); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("master key file: %v, %v", info, err)
	}

	code, out, errs = run(t, nil, "catalog", "list", "--json", "--data", dir)
	if code != exitOK {
		t.Fatalf("catalog list: exit %d: %s", code, errs)
	}
	var items []map[string]any
	if err := json.Unmarshal([]byte(out), &items); err != nil {
		t.Fatalf("catalog list --json: %v\n%s", err, out)
	}
	if len(items) < 8 {
		t.Fatalf("catalog lists %d achievements, want ≥ 8", len(items))
	}
	orgs := map[string]int{}
	for _, it := range items {
		for _, f := range []string{"id", "org", "name"} {
			if s, _ := it[f].(string); s == "" {
				t.Errorf("item without %s: %v", f, it)
			}
		}
		if _, ok := it["creditFrameworks"].([]any); !ok {
			t.Errorf("item without creditFrameworks array: %v", it)
		}
		orgs[it["org"].(string)]++
	}
	if orgs["demo-university"] == 0 || orgs["northwind-academy"] == 0 {
		t.Fatalf("organizations in the catalog: %v", orgs)
	}

	code, out, _ = run(t, nil, "catalog", "list", "--json", "--org", "northwind-academy", "--data", dir)
	var provider []map[string]any
	if code != exitOK || json.Unmarshal([]byte(out), &provider) != nil || len(provider) != orgs["northwind-academy"] {
		t.Fatalf("catalog list --org northwind-academy: exit %d, %d items, want %d", code, len(provider), orgs["northwind-academy"])
	}
	code, out, _ = run(t, nil, "catalog", "list", "--data", dir)
	if code != exitOK || !strings.HasPrefix(out, "ID ") || strings.Count(out, "\n") != len(items)+1 {
		t.Fatalf("catalog list table: exit %d:\n%s", code, out)
	}

	code, out, errs = run(t, nil, "demo", "--seed-only", "--data", dir)
	if code != exitOK || !strings.Contains(out, "already seeded") || strings.Contains(out, "password:") {
		t.Fatalf("second demo --seed-only: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	code, out, _ = run(t, nil, "catalog", "list", "--json", "--data", dir)
	var again []map[string]any
	if code != exitOK || json.Unmarshal([]byte(out), &again) != nil || len(again) != len(items) {
		t.Fatalf("catalog after the second seed: %d items, want %d", len(again), len(items))
	}
}

func TestNewVerbsBadInput(t *testing.T) {
	empty := t.TempDir()
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"unknown flag", []string{"migrate", "--bogus"}, exitBadInput, "-bogus"},
		{"stray argument", []string{"migrate", "now"}, exitBadInput, "unexpected argument"},
		{"bad db URL", []string{"migrate", "--db", "mysql://x/y"}, exitBadInput, "--db"},
		{"serve without addr", []string{"serve"}, exitBadInput, "--addr"},
		{"serve bad addr", []string{"serve", "--addr", "localhost"}, exitBadInput, "HOST:PORT"},
		{"serve smtp without from", []string{"serve", "--addr", "127.0.0.1:0", "--smtp", "smtp://mail.example:25"}, exitBadInput, "--mail-from"},
		{"serve from without smtp", []string{"serve", "--addr", "127.0.0.1:0", "--mail-from", "a@b.example"}, exitBadInput, "--smtp"},
		{"serve bad base URL", []string{"serve", "--addr", "127.0.0.1:0", "--base-url", "ftp://x.example"}, exitBadInput, "--base-url"},
		{"demo bad addr", []string{"demo", "--addr", "nope", "--seed-only"}, exitBadInput, "HOST:PORT"},
		{"serve bad fetch-allow", []string{"serve", "--addr", "127.0.0.1:0", "--fetch-allow", "10.0.0.0/33"}, exitBadInput, "fetch allow list"},
		{"demo bad fetch-allow", []string{"demo", "--fetch-allow", "http://x", "--seed-only"}, exitBadInput, "fetch allow list"},
		{"catalog without list", []string{"catalog"}, exitBadInput, "catalog list"},
		{"catalog stray argument", []string{"catalog", "list", "extra"}, exitBadInput, "unexpected argument"},
		{"catalog without database", []string{"catalog", "list", "--data", empty}, exitFailed, "no database"},
		{"bench issue n", []string{"bench", "issue", "-n", "0"}, exitBadInput, "-n"},
		{"bench issue c", []string{"bench", "issue", "-c", "0"}, exitBadInput, "-c"},
		{"bench unknown", []string{"bench", "frobnicate"}, exitBadInput, "issue"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := run(t, nil, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d (stdout %q, stderr %q)", code, tc.code, out, errs)
			}
			if !strings.Contains(errs, tc.want) {
				t.Fatalf("stderr %q does not mention %q", errs, tc.want)
			}
			if n := strings.Count(strings.TrimSpace(errs), "\n"); n > 0 {
				t.Fatalf("stderr has %d lines, want one: %q", n+1, errs)
			}
			if strings.Contains(errs, "goroutine ") || strings.Contains(errs, "panic") {
				t.Fatalf("stack trace on stderr: %s", errs)
			}
		})
	}

	t.Run("unknown org", func(t *testing.T) {
		dir := t.TempDir()
		if code, _, errs := run(t, nil, "migrate", "--data", dir); code != exitOK {
			t.Fatal(errs)
		}
		code, _, errs := run(t, nil, "catalog", "list", "--org", "nope", "--data", dir)
		if code != exitBadInput || !strings.Contains(errs, `"nope"`) {
			t.Fatalf("exit %d, stderr %q", code, errs)
		}
	})
}

func TestBaseURLFor(t *testing.T) {
	for _, tc := range []struct{ addr, want string }{
		{"127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"0.0.0.0:80", "http://127.0.0.1:80"},
		{"[::]:8443", "http://127.0.0.1:8443"},
		{"192.0.2.7:9000", "http://192.0.2.7:9000"},
		{"[2001:db8::1]:8080", "http://[2001:db8::1]:8080"},
	} {
		a, err := net.ResolveTCPAddr("tcp", tc.addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := baseURLFor(a); got != tc.want {
			t.Errorf("baseURLFor(%s) = %s, want %s", tc.addr, got, tc.want)
		}
	}
}

func TestMasterKeyFromEnv(t *testing.T) {
	dir := t.TempDir()
	d := &dataFlags{dir: dir}
	t.Setenv(masterKeyEnv, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	m, err := d.masterKey()
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range m {
		if int(b) != i {
			t.Fatalf("master key byte %d = %d", i, b)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, masterKeyName)); !os.IsNotExist(err) {
		t.Fatal("master key file written although the environment supplies the key")
	}
	t.Setenv(masterKeyEnv, "c2hvcnQ=")
	if _, err := d.masterKey(); err == nil || !strings.Contains(err.Error(), "want 32") {
		t.Fatalf("short key: %v", err)
	}
}

// serve runs the real server on 127.0.0.1:0 until its context ends, and
// shuts down cleanly.
func TestServe(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	o, code := parseServe(&env{stdout: io.Discard, stderr: io.Discard}, []string{"--addr", "127.0.0.1:0", "--data", dir})
	if code != exitOK {
		t.Fatalf("parseServe: exit %d", code)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	ready := make(chan string, 1)
	done := make(chan int, 1)
	go func() {
		done <- serve(ctx, &env{stdout: &stdout, stderr: &stderr}, o, func(base string) { ready <- base })
	}()
	var base string
	select {
	case base = <-ready:
	case code := <-done:
		t.Fatalf("serve exited with %d: %s", code, stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	for _, tc := range []struct {
		path string
		want int
	}{
		{"/", http.StatusOK},
		{"/api/openapi.json", http.StatusOK},
		{"/ims/ob/v3p0/discovery", http.StatusOK},
		{"/no/such/page", http.StatusNotFound},
	} {
		resp, err := http.Get(base + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("GET %s: %s, want %d: %.200s", tc.path, resp.Status, tc.want, body)
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Fatalf("serve exited with %d: %s", code, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not shut down")
	}
	if !strings.Contains(stderr.String(), "microcred listening") {
		t.Errorf("no startup log line: %s", stderr.String())
	}
}

// demo serves what it seeded: the credential page it prints answers.
func TestDemoServes(t *testing.T) {
	d := startDemo(t)
	base, credURL := d.base, d.credURL
	for _, u := range []string{base + "/catalog", credURL, credURL + ".json", base + "/orgs/demo-university/did.json"} {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %s: %.200s", u, resp.Status, body)
		}
		if u == credURL && !strings.Contains(string(body), "Verified") {
			t.Errorf("credential page does not show the verdict: %.300s", body)
		}
	}
	d.stop(t)
}

// demoServer is "microcred demo" running in-process for a test, on a fresh
// data directory and a free loopback port.
type demoServer struct {
	dir, base, credURL string
	stderr             syncBuffer
	cancel             context.CancelFunc
	done               chan int
}

// startDemo seeds and serves the demo and returns once it answers, with the
// base URL and the sample credential URL the demo printed.
func startDemo(t *testing.T) *demoServer {
	t.Helper()
	d := &demoServer{dir: filepath.Join(t.TempDir(), "data"), done: make(chan int, 1)}
	o, _, code := parseDemo(&env{stdout: io.Discard, stderr: io.Discard}, []string{"--addr", "127.0.0.1:0", "--data", d.dir})
	if code != exitOK {
		t.Fatalf("parseDemo: exit %d", code)
	}
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel = cancel
	t.Cleanup(cancel)
	var stdout syncBuffer
	ready := make(chan string, 1)
	go func() {
		d.done <- demoMain(ctx, &env{stdout: &stdout, stderr: &d.stderr}, o, false, func(base string) { ready <- base })
	}()
	select {
	case d.base = <-ready:
	case code := <-d.done:
		t.Fatalf("demo exited with %d: %s", code, d.stderr.String())
	case <-time.After(60 * time.Second):
		t.Fatal("demo did not start")
	}
	for _, line := range strings.Split(stdout.String(), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "credential" {
			d.credURL = f[1]
		}
	}
	if !strings.HasPrefix(d.credURL, d.base+"/c/") {
		t.Fatalf("demo printed no credential URL under %s:\n%s", d.base, stdout.String())
	}
	return d
}

// stop shuts the demo down and fails the test unless it exited cleanly.
func (d *demoServer) stop(t *testing.T) {
	t.Helper()
	d.cancel()
	if code := <-d.done; code != exitOK {
		t.Fatalf("demo exited with %d: %s", code, d.stderr.String())
	}
}

func TestBenchIssueJSON(t *testing.T) {
	code, out, errs := run(t, nil, "bench", "issue", "-n", "50", "-c", "4", "--json")
	if code != exitOK {
		t.Fatalf("bench issue: exit %d: %s", code, errs)
	}
	var res map[string]any
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &res); err != nil {
		t.Fatalf("bench issue printed %q: %v", out, err)
	}
	if res["op"] != "issue" || res["db"] != "sqlite" || res["n"] != 50.0 || res["concurrency"] != 4.0 || res["errors"] != 0.0 {
		t.Fatalf("bench issue: %v", res)
	}
	for _, f := range []string{"per_s", "p50_ms", "p99_ms", "ed25519_per_s", "ratio"} {
		v, ok := res[f].(float64)
		if !ok || v <= 0 {
			t.Errorf("%s = %v, want a positive number", f, res[f])
		}
	}
	if res["p99_ms"].(float64) < res["p50_ms"].(float64) {
		t.Errorf("p99 %v < p50 %v", res["p99_ms"], res["p50_ms"])
	}
}

func TestBenchVerifyHTTPJSON(t *testing.T) {
	code, out, errs := run(t, nil, "bench", "verify-http", "-n", "40", "-c", "4", "--json")
	if code != exitOK {
		t.Fatalf("bench verify-http: exit %d: %s", code, errs)
	}
	var res verifyHTTPBenchResult
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &res); err != nil {
		t.Fatalf("bench verify-http printed %q: %v", out, err)
	}
	if res.Op != "verify-http" || res.N != 40 || res.Concurrency != 4 || res.Verified != 40 || res.Errors != 0 || res.Busy != 0 {
		t.Fatalf("bench verify-http: %+v", res)
	}
	if res.PerS <= 0 || res.P50ms <= 0 || res.P99ms < res.P50ms || res.Ed25519PerS <= 0 || res.Ratio <= 0 || res.PeakRSSMB <= 0 ||
		res.CPUMicros <= 0 || res.CapacityPerS <= 0 {
		t.Errorf("figures: %+v", res)
	}
	if res.CredentialBytes < 1500 || res.CredentialBytes > 4096 {
		t.Errorf("credential of %d bytes, want a realistic ~2-3 KB one", res.CredentialBytes)
	}
	if code, _, errs := run(t, nil, "bench", "verify-http", "-c", "0"); code != exitBadInput || !strings.Contains(errs, "-c") {
		t.Errorf("-c 0: exit %d %s", code, errs)
	}
}

// TestBenchMixedJSON runs the mixed load for two seconds and checks its
// report: every operation ran, nothing failed, resources were sampled.
func TestBenchMixedJSON(t *testing.T) {
	code, out, errs := run(t, nil, "bench", "mixed", "--duration", "2s", "-c", "2", "--json")
	if code != exitOK {
		t.Fatalf("bench mixed: exit %d\n%s%s", code, out, errs)
	}
	var res mixedBenchResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("bench mixed --json: %v: %s", err, out)
	}
	if res.Op != "mixed" || res.DB != "sqlite" || res.Errors != 0 || len(res.Ops) != 4 || res.PerS <= 0 {
		t.Fatalf("bench mixed result: %+v", res)
	}
	for _, o := range res.Ops {
		if o.N == 0 || o.Errors != 0 || o.P50ms <= 0 || o.P99ms < o.P50ms {
			t.Errorf("operation %+v", o)
		}
	}
	if res.GoroutinesStart <= 0 || res.FDsStart <= 0 || res.GoroutinesMax < res.GoroutinesStart || res.PeakRSSMB <= 0 || res.Ed25519VerifyPerS <= 0 {
		t.Errorf("resource figures: %+v", res)
	}
	if code, _, errs := run(t, nil, "bench", "mixed", "--duration", "0s"); code != exitBadInput || !strings.Contains(errs, "--duration") {
		t.Errorf("bench mixed --duration 0s: exit %d: %s", code, errs)
	}
}
