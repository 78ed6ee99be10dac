package ops

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/store/sqlite"
)

func openStore(t *testing.T) store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "microcred.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return st
}

func get(t *testing.T, h http.Handler, path, auth string) (int, string) {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	body, _ := io.ReadAll(rec.Body)
	return rec.Code, string(body)
}

func TestMetrics(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	if _, err := st.EnqueueMail(ctx, store.Mail{To: "a@example.org", Subject: "s", Body: "b"}); err != nil {
		t.Fatal(err)
	}
	m := NewMetrics(st, time.Hour)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /c/{file}", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	h := m.Instrument(mux, mux)
	for _, p := range []string{"/c/one", "/c/two", "/nowhere"} {
		get(t, h, p, "")
	}
	m.Verified("verified")
	m.Verified("not_verified")
	m.Verified("not_verified")

	mh := m.Handler("s3cret")
	for _, auth := range []string{"", "Bearer wrong", "Basic s3cret", "Bearer s3cret2"} {
		if code, _ := get(t, mh, "/metrics", auth); code != http.StatusUnauthorized {
			t.Errorf("metrics with Authorization %q: %d, want 401", auth, code)
		}
	}
	code, body := get(t, mh, "/metrics", "Bearer s3cret")
	if code != http.StatusOK {
		t.Fatalf("metrics with the token: %d", code)
	}
	for _, want := range []string{
		`microcred_http_requests_total{code="418",route="GET /c/{file}"} 2`,
		`microcred_http_requests_total{code="404",route="unmatched"} 1`,
		`microcred_http_request_duration_seconds_count{route="GET /c/{file}"} 2`,
		`microcred_verifications_total{verdict="not_verified"} 2`,
		`microcred_verifications_total{verdict="unusable"} 0`,
		`microcred_outbox_depth 1`,
		`microcred_bulk_queue_depth 0`,
		`microcred_credentials_issued_total 0`,
		`go_goroutines`,
		`process_resident_memory_bytes`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if strings.Contains(body, "/c/one") {
		t.Error("metrics label requests by path, not by pattern")
	}
	// Without a token the handler is open (it is then bound to a
	// private address by the caller).
	if code, _ := get(t, m.Handler(""), "/metrics", ""); code != http.StatusOK {
		t.Errorf("metrics without a token configured: %d", code)
	}
}

func TestHealth(t *testing.T) {
	st := openStore(t)
	h := &Health{Store: st}
	if code, _ := get(t, http.HandlerFunc(h.Live), "/healthz", ""); code != http.StatusOK {
		t.Errorf("healthz: %d", code)
	}
	if code, body := get(t, http.HandlerFunc(h.Ready), "/readyz", ""); code != http.StatusServiceUnavailable || !strings.Contains(body, "migrations") {
		t.Errorf("readyz before migrations: %d %q", code, body)
	}
	h.SetMigrated()
	if code, _ := get(t, http.HandlerFunc(h.Ready), "/readyz", ""); code != http.StatusOK {
		t.Errorf("readyz: %d", code)
	}
	st.Close()
	if code, body := get(t, http.HandlerFunc(h.Ready), "/readyz", ""); code != http.StatusServiceUnavailable || !strings.Contains(body, "database") {
		t.Errorf("readyz with the database closed: %d %q", code, body)
	}
	if code, _ := get(t, http.HandlerFunc(h.Live), "/healthz", ""); code != http.StatusOK {
		t.Errorf("healthz with the database closed: %d", code)
	}
}
