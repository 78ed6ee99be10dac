package web_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// BenchmarkConcurrentWrongLogins sends 200 wrong-password logins at once,
// each from its own address (so the per-address limiter lets every one
// through), and reports the process's peak resident memory (VmHWM) and how
// the requests were answered. Run it alone, in its own process:
//
//	go test -run '^$' -bench ConcurrentWrongLogins -benchtime=1x ./internal/web/
//
// Without a bound on concurrent argon2id computations the peak grows with
// the number of requests (19 MiB each); with one it stays flat.
func BenchmarkConcurrentWrongLogins(b *testing.B) {
	const n = 200
	e := newEnv(b, envOptions{})
	form := url.Values{"email": {"owner@example.edu"}, "password": {"not the password at all"}}.Encode()
	for range b.N {
		codes := map[int]int{}
		var mu sync.Mutex
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Origin", testBase)
				req.RemoteAddr = fmt.Sprintf("198.51.%d.%d:40000", i/250, i%250+1)
				rec := httptest.NewRecorder()
				<-start
				e.handler.ServeHTTP(rec, req)
				mu.Lock()
				codes[rec.Code]++
				mu.Unlock()
			})
		}
		close(start)
		wg.Wait()
		for code, c := range codes {
			b.ReportMetric(float64(c), "status-"+strconv.Itoa(code))
		}
	}
	b.ReportMetric(float64(peakRSSKiB(b))/1024, "peak-RSS-MiB")
}

// peakRSSKiB reads the process's peak resident set size from
// /proc/self/status.
func peakRSSKiB(b *testing.B) int {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Fatalf("read /proc/self/status: %v", err)
	}
	for line := range bytes.Lines(raw) {
		if v, ok := bytes.CutPrefix(line, []byte("VmHWM:")); ok {
			kib, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(string(v)), " kB"))
			if err != nil {
				b.Fatalf("parse VmHWM %q: %v", v, err)
			}
			return kib
		}
	}
	b.Fatal("no VmHWM in /proc/self/status")
	return 0
}
