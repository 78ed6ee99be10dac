package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/microcred/microcred/internal/api"
	"github.com/microcred/microcred/internal/bulk"
	"github.com/microcred/microcred/internal/fetch"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/mail"
	"github.com/microcred/microcred/internal/ops"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/web"
)

// HTTP server limits. ReadHeaderTimeout stops slow-header (Slowloris)
// clients; the body limits themselves are enforced per handler.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 64 << 10
	shutdownTimeout   = 15 * time.Second
	mailInterval      = 5 * time.Second
	mailBatch         = 20
)

// serveOptions configure one run of the server, shared by serve and demo.
type serveOptions struct {
	addr     string
	baseURL  string // "" derives it from the listening address
	data     *dataFlags
	smtp     string
	mailFrom string
	demo     bool
	// apiRateLimit is passed to api.Config.RateLimit (0: the default).
	apiRateLimit float64
	// fetchAllow is --fetch-allow: hosts and ranges outbound fetches may
	// reach beyond public addresses.
	fetchAllow *fetch.Allowlist
	// changeBaseURL accepts a base URL other than the one the database
	// was created with, and records it (--change-base-url).
	changeBaseURL bool
	// ops are the operations flags (metrics, proxies, log format).
	ops opsFlags
}

// runServe handles "microcred serve --addr HOST:PORT [--base-url URL]
// [--data DIR | --db URL] [--smtp URL --mail-from ADDR]".
func runServe(e *env, args []string) int {
	o, code := parseServe(e, args)
	if code != exitOK {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	return serve(ctx, e, o, nil)
}

// parseServe parses and checks serve's flags.
func parseServe(e *env, args []string) (serveOptions, int) {
	fs := newFlags("serve", e)
	var o serveOptions
	o.data = addDataFlags(fs)
	fs.StringVar(&o.addr, "addr", "", "`HOST:PORT` to listen on, e.g. 127.0.0.1:8080 or :8080 (required)")
	fs.StringVar(&o.baseURL, "base-url", "", "public base `URL` all links and did:web identifiers are built from (default http:// + addr)")
	fs.StringVar(&o.smtp, "smtp", "", "SMTP server `URL` for learner mail, smtp://user:pass@host:port (default: mail stays in the outbox)")
	fs.StringVar(&o.mailFrom, "mail-from", "", "sender `address` of learner mail (required with --smtp)")
	addFetchAllowFlag(fs, &o.fetchAllow)
	fs.BoolVar(&o.changeBaseURL, "change-base-url", false, "accept a --base-url other than the one the database was created with and record it; credentials issued so far keep naming the old one")
	o.ops.add(fs)
	if !parseFlags(fs, args) {
		return o, exitBadInput
	}
	if o.addr == "" {
		return o, fail(e, exitBadInput, "serve: --addr HOST:PORT is required")
	}
	if err := checkServeOptions(o); err != nil {
		return o, fail(e, exitBadInput, "serve: %v", err)
	}
	return o, exitOK
}

// checkServeOptions validates what can be checked before opening anything.
func checkServeOptions(o serveOptions) error {
	if err := o.data.check(); err != nil {
		return err
	}
	if err := o.ops.check(); err != nil {
		return err
	}
	if _, _, err := net.SplitHostPort(o.addr); err != nil {
		return fmt.Errorf("--addr %q is not HOST:PORT", o.addr)
	}
	if o.baseURL != "" {
		if _, err := checkBaseURL(o.baseURL); err != nil {
			return err
		}
	}
	if o.smtp != "" && o.mailFrom == "" {
		return errors.New("--smtp needs --mail-from, the sender address")
	}
	if o.smtp == "" && o.mailFrom != "" {
		return errors.New("--mail-from is only used with --smtp")
	}
	if o.smtp != "" {
		// Checks the URL and the address only; nothing connects yet.
		if _, err := mail.NewSMTPSender(o.smtp, o.mailFrom); err != nil {
			return fmt.Errorf("--smtp: %w", err)
		}
	}
	return nil
}

// checkBaseURL returns the base URL without a trailing slash after checking
// it is an absolute http(s) URL without query or fragment.
func checkBaseURL(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("--base-url %q must be an absolute http:// or https:// URL without query", raw)
	}
	return strings.TrimRight(raw, "/"), nil
}

// baseURLFor derives the base URL from the address the server listens on:
// an unspecified host (":8080", "0.0.0.0:8080") becomes 127.0.0.1, which
// works from the same machine.
func baseURLFor(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// app is an opened, migrated database with the issuance service and the
// HTTP handler on top of it.
type app struct {
	store   store.Store
	issuer  *issue.Service
	handler http.Handler
	baseURL string
	// setupToken is the first-run setup token (appOptions.setupToken),
	// "" when none is needed.
	setupToken string
	// previousBaseURL is the base URL the database recorded before
	// --change-base-url replaced it, "" when it did not change.
	previousBaseURL string
	// metrics is the Prometheus registry the handler feeds; health
	// answers the probes.
	metrics *ops.Metrics
	health  *ops.Health
}

// appOptions are the choices of openAppWith beyond openApp's arguments.
type appOptions struct {
	// baseURL says what to do when the database recorded another base
	// URL: refuse (the default), record the new one (--change-base-url),
	// or, for benchmarks on a scratch database, overwrite it silently.
	baseURL baseURLPolicy
	// setupToken generates a setup token when the database has no
	// organization yet (serve; the demo seeds and needs none).
	setupToken bool
	// ops configures health, metrics and proxies (see opsFlags).
	ops opsFlags
	// skipKeyCheck leaves out the check that the master key opens the
	// stored signing keys: benchmarks add organizations of their own,
	// under a throwaway key each run, to a database they treat as scratch.
	skipKeyCheck bool
	// fetchAllow is --fetch-allow: hosts and ranges outbound fetches may
	// reach beyond public addresses (nil: public addresses only).
	fetchAllow *fetch.Allowlist
}

type baseURLPolicy int

const (
	baseURLRefuseChange baseURLPolicy = iota
	baseURLChange
	baseURLOverwrite
)

// openApp opens and migrates the database, loads the master key and builds
// the issuance service and the web server with the APIs registered. It
// refuses a base URL other than the one the database was created with.
func openApp(ctx context.Context, data *dataFlags, baseURL string, demoMode bool, apiRate float64, logger *slog.Logger) (*app, error) {
	return openAppWith(ctx, data, baseURL, demoMode, apiRate, logger, appOptions{})
}

// openAppWith is openApp with options.
func openAppWith(ctx context.Context, data *dataFlags, baseURL string, demoMode bool, apiRate float64, logger *slog.Logger, opt appOptions) (*app, error) {
	_, hadKey, err := data.existingMasterKeyIfAny()
	if err != nil {
		return nil, err
	}
	st, err := data.openStore(ctx, true)
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("migrating %s: %w", data.describe(), err)
	}
	master, err := masterKeyFor(ctx, st, data, hadKey, opt.skipKeyCheck)
	if err != nil {
		st.Close()
		return nil, err
	}
	// The probes: the schema is migrated by now, and the listener serves
	// nothing before this returns, so a node is never ready too early.
	health := &ops.Health{Store: st, Logger: logger}
	health.SetMigrated()
	// Command-line verbs (credentials list) build public addresses from
	// the recorded base URL too.
	previous, err := recordBaseURL(ctx, st, baseURL, opt.baseURL)
	if err != nil {
		st.Close()
		return nil, err
	}
	var setupToken string
	if opt.setupToken {
		if setupToken, err = newSetupToken(ctx, st); err != nil {
			st.Close()
			return nil, err
		}
	}
	svc := &issue.Service{Store: st, Master: master, BaseURL: baseURL, Fetch: newFetchClient(opt.fetchAllow)}
	metrics := ops.NewMetrics(st, metricsCacheFor)
	svc.OnVerify = metrics.Verified
	stat := svc.StatusService()
	// Bulk jobs run in this process; jobs a crashed or stopped server left
	// running resume now (their uploaded files live in the data directory).
	bulkJobs := &bulk.Manager{Runner: &bulk.Runner{Store: st, Issuer: svc}, Logger: logger}
	if n, err := bulk.ResumeAll(ctx, bulkJobs); err != nil {
		logger.Error("resuming bulk jobs", "err", err)
	} else if n > 0 {
		logger.Info("resumed bulk jobs", "jobs", n)
	}
	apis := api.New(api.Config{Store: st, Issuer: svc, BaseURL: baseURL, Logger: logger, RateLimit: apiRate, Status: stat})
	var mux *http.ServeMux
	h, err := web.New(web.Config{
		Store:   st,
		Issuer:  svc,
		BaseURL: baseURL,
		Demo:    demoMode,
		Status:  stat,
		Logger:  logger,
		Bulk:    bulkJobs,
		BulkDir: filepath.Join(data.dir, "bulk"),
		// The mux is kept: the metrics label requests by its patterns.
		Extra: func(m *http.ServeMux) { mux = m; apis.Register(m) },

		SetupToken: setupToken,
	})
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("building the web server: %w", err)
	}
	h = opt.ops.mount(h, mux, health, metrics)
	return &app{store: st, issuer: svc, handler: h, baseURL: baseURL, setupToken: setupToken, previousBaseURL: previous, metrics: metrics, health: health}, nil
}

// serve listens, opens the application and serves until ctx ends; then it
// drains requests for up to shutdownTimeout. ready, when set, is called
// with the base URL once the server accepts connections.
func serve(ctx context.Context, e *env, o serveOptions, ready func(baseURL string)) int {
	name := "serve"
	if o.demo {
		name = "demo"
	}
	logger := o.ops.logger(e.stderr)
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return fail(e, exitFailed, "%s: listening on %s: %v", name, o.addr, err)
	}
	defer ln.Close()
	base := o.baseURL
	if base == "" {
		base = baseURLFor(ln.Addr())
	} else if base, err = checkBaseURL(base); err != nil {
		return fail(e, exitBadInput, "%s: %v", name, err)
	}
	opt := appOptions{setupToken: !o.demo, ops: o.ops, fetchAllow: o.fetchAllow}
	if o.changeBaseURL {
		opt.baseURL = baseURLChange
	}
	a, err := openAppWith(ctx, o.data, base, o.demo, o.apiRateLimit, logger, opt)
	if isBaseURLChanged(err) {
		return fail(e, exitBadInput, "%s: %v", name, err)
	}
	if err != nil {
		return fail(e, exitFailed, "%s: %v", name, err)
	}
	defer a.store.Close()
	announceApp(e, a)
	if o.ops.metricsAddr != "" {
		mln, err := net.Listen("tcp", o.ops.metricsAddr)
		if err != nil {
			return fail(e, exitFailed, "%s: --metrics-addr: listening on %s: %v", name, o.ops.metricsAddr, err)
		}
		msrv := &http.Server{Handler: o.ops.metricsHandler(a.health, a.metrics), ReadHeaderTimeout: readHeaderTimeout,
			ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
		go msrv.Serve(mln)
		defer msrv.Close()
		logger.Info("metrics listening", "addr", mln.Addr().String())
	}
	return runServer(ctx, e, name, ln, a, o, logger, ready)
}

// runServer serves a on ln until ctx ends, with the mail worker running when
// SMTP is configured and the sweeper of expired sessions and tokens.
func runServer(ctx context.Context, e *env, name string, ln net.Listener, a *app, o serveOptions, logger *slog.Logger, ready func(string)) int {
	tuneServerGC()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workerDone := make(chan struct{})
	switch {
	case o.smtp != "" && !o.demo:
		sender, err := mail.NewSMTPSender(o.smtp, o.mailFrom)
		if err != nil {
			return fail(e, exitBadInput, "%s: --smtp: %v", name, err)
		}
		w := &mail.Worker{Store: a.store, Sender: sender, Interval: mailInterval, Batch: mailBatch, Logger: logger}
		go func() {
			defer close(workerDone)
			w.Run(ctx)
		}()
	case o.demo:
		close(workerDone)
		logger.Info("demo mode: mail is not sent; read it at " + a.baseURL + "/admin/outbox")
	default:
		close(workerDone)
		logger.Warn("no --smtp given: learner mail stays queued in the outbox")
	}
	sweeperDone := make(chan struct{})
	go func() {
		defer close(sweeperDone)
		runSweeper(ctx, a.store, sweepInterval, logger)
	}()
	defer func() { cancel(); <-sweeperDone }()
	srv := &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.Info("microcred listening", "addr", ln.Addr().String(), "base_url", a.baseURL, "database", o.data.describe())
	if ready != nil {
		ready(a.baseURL)
	}
	select {
	case err := <-errc:
		cancel()
		<-workerDone
		return fail(e, exitFailed, "%s: %v", name, err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx, scancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer scancel()
	err := srv.Shutdown(sctx)
	<-workerDone
	if err != nil {
		return fail(e, exitFailed, "%s: shutdown: %v", name, err)
	}
	return exitOK
}
