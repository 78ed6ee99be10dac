package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

func httpGet(t *testing.T, u, bearer string) (int, string) {
	t.Helper()
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestServeOperations checks the probes, the metrics behind their token,
// the verification counter fed by the VC-API, and JSON logs.
func TestServeOperations(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	p := startServe(t, "--addr", "127.0.0.1:0", "--data", dir, "--metrics-token", "m-token", "--log-format", "json",
		"--trusted-proxies", "10.0.0.0/8")
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/": 200, "/c/nope": 404} {
		if code, body := httpGet(t, p.base+path, ""); code != want {
			t.Errorf("GET %s: %d %q", path, code, body)
		}
	}
	resp, err := http.Post(p.base+"/credentials/verify", "application/json", strings.NewReader(`{"verifiableCredential":"not.a.jwt"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if code, _ := httpGet(t, p.base+"/metrics", ""); code != http.StatusUnauthorized {
		t.Errorf("/metrics without the token: %d, want 401", code)
	}
	code, body := httpGet(t, p.base+"/metrics", "m-token")
	if code != http.StatusOK {
		t.Fatalf("/metrics with the token: %d", code)
	}
	for _, want := range []string{
		`microcred_http_requests_total{code="200",route="GET /{$}"} 1`,
		`microcred_http_requests_total{code="404",route="GET /c/{file}"} 1`,
		`route="POST /credentials/verify"`,
		`microcred_verifications_total{verdict="unusable"} 1`,
		"microcred_outbox_depth", "microcred_bulk_queue_depth", "microcred_credentials_issued_total",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	p.stop(t)
	lines := 0
	for _, l := range strings.Split(strings.TrimSpace(p.stderr.String()), "\n") {
		if !strings.HasPrefix(l, "{") {
			continue // the setup token notice is for people, not a log line
		}
		var rec map[string]any
		if err := json.Unmarshal([]byte(l), &rec); err != nil || rec["msg"] == nil || rec["level"] == nil {
			t.Errorf("log line is not slog JSON: %q (%v)", l, err)
		}
		lines++
	}
	if lines < 3 {
		t.Errorf("only %d JSON log lines:\n%s", lines, p.stderr.String())
	}
}

// TestServeMetricsAddr checks that --metrics-addr serves the metrics on
// their own listener and not on the public one.
func TestServeMetricsAddr(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	maddr := ln.Addr().String()
	ln.Close()
	p := startServe(t, "--addr", "127.0.0.1:0", "--data", filepath.Join(t.TempDir(), "data"), "--metrics-addr", maddr)
	if code, _ := httpGet(t, p.base+"/metrics", ""); code != http.StatusNotFound {
		t.Errorf("/metrics on the public address with --metrics-addr: %d, want 404", code)
	}
	if code, body := httpGet(t, fmt.Sprintf("http://%s/metrics", maddr), ""); code != http.StatusOK || !strings.Contains(body, "microcred_http_requests_total") {
		t.Errorf("/metrics on --metrics-addr: %d", code)
	}
	if code, _ := httpGet(t, fmt.Sprintf("http://%s/readyz", maddr), ""); code != http.StatusOK {
		t.Errorf("/readyz on --metrics-addr: %d", code)
	}
	p.stop(t)
	for _, bad := range [][]string{{"--log-format", "xml"}, {"--metrics-addr", "nope"}, {"--trusted-proxies", "10.0.0.0/99"}} {
		args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir()}, bad...)
		if code, _, errs := run(t, nil, args...); code != exitBadInput || !strings.Contains(errs, bad[0]) {
			t.Errorf("serve %v: exit %d: %s", bad, code, errs)
		}
	}
}
