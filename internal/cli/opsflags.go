package cli

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/microcred/microcred/internal/ops"
)

// metricsCacheFor bounds how often a scrape reads the database-derived
// metrics (credentials issued, bulk queue, outbox).
const metricsCacheFor = 10 * time.Second

// opsFlags are serve's operations flags.
type opsFlags struct {
	metricsToken   string
	metricsAddr    string
	trustedProxies string
	logFormat      string
	proxies        ops.TrustedProxies
}

func (o *opsFlags) add(fs *flag.FlagSet) {
	fs.StringVar(&o.metricsToken, "metrics-token", "", "serve Prometheus metrics at /metrics to requests with \"Authorization: Bearer `TOKEN`\" (on --metrics-addr when given, else on --addr)")
	fs.StringVar(&o.metricsAddr, "metrics-addr", "", "serve /metrics (and /healthz, /readyz) on a separate `HOST:PORT`, e.g. 127.0.0.1:9090; without it and without --metrics-token there is no /metrics")
	fs.StringVar(&o.trustedProxies, "trusted-proxies", "", "`CIDR,...` of the reverse proxies in front of the server: only from these peers is X-Forwarded-For read for the client address")
	fs.StringVar(&o.logFormat, "log-format", "text", "log `format` on stderr: text or json (log/slog)")
}

func (o *opsFlags) check() error {
	if o.logFormat != "" && o.logFormat != "text" && o.logFormat != "json" {
		return fmt.Errorf("--log-format %q: want text or json", o.logFormat)
	}
	if o.metricsAddr != "" {
		if _, _, err := net.SplitHostPort(o.metricsAddr); err != nil {
			return fmt.Errorf("--metrics-addr %q is not HOST:PORT", o.metricsAddr)
		}
	}
	p, err := ops.ParseTrustedProxies(o.trustedProxies)
	if err != nil {
		return err
	}
	o.proxies = p
	return nil
}

// logger returns the server's logger writing to w in the chosen format.
func (o *opsFlags) logger(w io.Writer) *slog.Logger {
	if o.logFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

// mount puts the probes and, when asked for on the main address, the
// metrics in front of the application handler h, counts every request by
// the route pattern of mux, and applies the trusted-proxy rule first so
// that everything behind sees the client's address.
func (o *opsFlags) mount(h http.Handler, mux *http.ServeMux, health *ops.Health, m *ops.Metrics) http.Handler {
	var router ops.Router
	if mux != nil {
		router = mux
	}
	outer := http.NewServeMux()
	outer.HandleFunc("GET /healthz", health.Live)
	outer.HandleFunc("GET /readyz", health.Ready)
	if o.metricsAddr == "" && o.metricsToken != "" {
		outer.Handle("GET /metrics", m.Handler(o.metricsToken))
	}
	outer.Handle("/", m.Instrument(h, router))
	return o.proxies.Wrap(outer)
}

// metricsHandler is what --metrics-addr serves.
func (o *opsFlags) metricsHandler(health *ops.Health, m *ops.Metrics) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.Handler(o.metricsToken))
	mux.HandleFunc("GET /healthz", health.Live)
	mux.HandleFunc("GET /readyz", health.Ready)
	return mux
}
