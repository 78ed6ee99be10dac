// Package ops holds what operators and their tools talk to rather than
// people: liveness and readiness endpoints, Prometheus metrics, and the
// rule for which forwarded client address to believe behind a reverse
// proxy.
package ops

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/microcred/microcred/internal/store"
)

// Metrics is the server's Prometheus registry and the collectors the
// server feeds.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	verified *prometheus.CounterVec
}

// Router finds the route pattern a request matches, such as
// "GET /c/{file}" (an *http.ServeMux's Handler method). Labelling by
// pattern, never by path, keeps the number of series bounded.
type Router interface {
	Handler(r *http.Request) (h http.Handler, pattern string)
}

// NewMetrics registers the collectors. The database-derived gauges (bulk
// queue, outbox, credentials issued) are read from st at scrape time,
// each at most once per cacheFor, so scrapes from several Prometheus
// servers cost one query.
func NewMetrics(st store.Store, cacheFor time.Duration) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "microcred_http_requests_total",
		Help: "HTTP requests served, by route pattern (method and path pattern) and status code.",
	}, []string{"route", "code"})
	m.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "microcred_http_request_duration_seconds",
		Help:    "Time to serve an HTTP request, by route pattern.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route"})
	m.verified = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "microcred_verifications_total",
		Help: "Credentials verified by this node (web verifier and VC-API), by verdict: verified, not_verified, unusable.",
	}, []string{"verdict"})
	for _, v := range []string{"verified", "not_verified", "unusable"} {
		m.verified.WithLabelValues(v)
	}
	m.reg.MustRegister(m.requests, m.latency, m.verified)
	q := &dbGauges{st: st, every: cacheFor}
	m.reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "microcred_credentials_issued_total",
			Help: "Credentials issued, in the whole database (every node, every path: single, API, bulk, renewals).",
		}, func() float64 { return q.get().issued }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "microcred_bulk_queue_depth",
			Help: "Bulk issuance jobs waiting or running (pending, validating, running, paused).",
		}, func() float64 { return q.get().bulk }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "microcred_outbox_depth",
			Help: "Mail messages still to send.",
		}, func() float64 { return q.get().outbox }),
	)
	return m
}

// Verified counts one verification verdict (issue.Service.OnVerify).
func (m *Metrics) Verified(verdict string) { m.verified.WithLabelValues(verdict).Inc() }

// Instrument wraps h, counting requests and their latency by the route
// pattern router matches ("unmatched" when none does).
func (m *Metrics) Instrument(h http.Handler, router Router) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		route := "unmatched"
		if router != nil {
			if _, p := router.Handler(r); p != "" {
				route = p
			}
		}
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		m.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
		m.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

// Handler serves the metrics in the Prometheus text format. With a
// non-empty token it answers 401 unless the request carries
// "Authorization: Bearer <token>".
func (m *Metrics) Handler(token string) http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	if token == "" {
		return h
	}
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		sum := sha256.Sum256([]byte(got))
		if !ok || subtle.ConstantTimeCompare(want[:], sum[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "metrics need the bearer token given to --metrics-token", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// statusWriter records the status code a handler wrote. It passes
// Flush through for streamed responses (bulk progress).
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// dbGauges caches the figures read from the database.
type dbGauges struct {
	st    store.Store
	every time.Duration
	mu    sync.Mutex
	at    time.Time
	last  dbFigures
}

type dbFigures struct{ issued, bulk, outbox float64 }

// get returns figures at most every old; a failed read keeps the last
// figures (a scrape must not fail because the database is slow).
func (g *dbGauges) get() dbFigures {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.at.IsZero() && time.Since(g.at) < g.every {
		return g.last
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if n, err := g.st.CountCredentials(ctx, store.CredentialQuery{}); err == nil {
		g.last.issued = float64(n)
	}
	if jobs, err := g.st.ListBulkJobs(ctx, "", store.BulkPending, store.BulkValidating, store.BulkRunning, store.BulkPaused); err == nil {
		g.last.bulk = float64(len(jobs))
	}
	if n, err := g.st.OutboxDepth(ctx); err == nil {
		g.last.outbox = float64(n)
	}
	g.at = time.Now()
	return g.last
}
