package api

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/microcred/microcred/internal/auth"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/status"
	"github.com/microcred/microcred/internal/store"
)

// Limits and lifetimes.
const (
	// MaxBodyBytes bounds every API request body.
	MaxBodyBytes = 1 << 20
	// TokenLifetime is how long an access token is valid.
	TokenLifetime = time.Hour
	// DefaultRateLimit is the default number of requests per second each
	// API client may make on average; DefaultRateBurst is its burst.
	DefaultRateLimit = 200
	DefaultRateBurst = 400
	// maxPageSize caps limit on list endpoints (the store's own maximum).
	maxPageSize = 1000
)

// Config configures the API.
type Config struct {
	Store   store.Store
	Issuer  *issue.Service
	BaseURL string // public base URL without trailing slash, e.g. "https://badges.example.edu"
	Logger  *slog.Logger
	Now     func() time.Time // nil means time.Now
	// Status changes credential statuses; nil means the issuance
	// service's (Issuer.StatusService).
	Status *status.Service

	// RateLimit is the average number of bearer-authenticated requests per
	// second each API client may make, and RateBurst the burst it may use
	// at once. A zero RateLimit means DefaultRateLimit, a zero RateBurst
	// the larger of DefaultRateBurst and twice the rate; a negative
	// RateLimit turns the limit off (benchmarks on loopback).
	RateLimit float64
	RateBurst int

	// PrivacyPolicyURL and ImageURL are published in the OB 3.0 service
	// description document; empty means BaseURL+"/privacy" and
	// BaseURL+"/static/logo.svg".
	PrivacyPolicyURL string
	ImageURL         string

	// NoTokenCache turns off the cache of validated bearer tokens
	// (tokencache.go), so that every request reads its token from the
	// store; benchmarks use it to measure the cache.
	NoTokenCache bool

	// PasswordGate bounds concurrent argon2id work (client secrets stored
	// as argon2id hashes); nil means auth.DefaultGate, which the web pages
	// share.
	PasswordGate *auth.Gate
}

// API holds the handlers. Create it with New.
type API struct {
	store   store.Store
	issuer  *issue.Service
	status  *status.Service
	base    string
	log     *slog.Logger
	now     func() time.Time
	limiter *auth.Limiter // nil when rate limiting is off
	// tokenFailures counts failed client authentications per client id
	// and source address (and per source address alone), so that a source
	// that keeps sending wrong secrets is answered 429. It counts only
	// failures, and only after the secret is checked: a flood of wrong
	// secrets for a client id cannot lock the real client out.
	tokenFailures, tokenFailuresByAddr *auth.Limiter
	// registerLimiter slows down dynamic client registration, keyed by
	// the peer address (registrations are anonymous).
	registerLimiter *auth.Limiter
	retryAfter      string // Retry-After seconds when limiter refuses
	tokens          *tokenCache
	gate            *auth.Gate

	privacyURL, imageURL string

	openapiOnce sync.Once
	openapi     []byte

	// registered records the patterns Register installed, for tests.
	registered []string
}

// New returns the API for cfg.
func New(cfg Config) *API {
	a := &API{
		store:      cfg.Store,
		issuer:     cfg.Issuer,
		base:       strings.TrimRight(cfg.BaseURL, "/"),
		log:        cfg.Logger,
		now:        cfg.Now,
		privacyURL: cfg.PrivacyPolicyURL,
		imageURL:   cfg.ImageURL,
	}
	a.gate = cfg.PasswordGate
	if a.gate == nil {
		a.gate = auth.DefaultGate
	}
	if a.log == nil {
		a.log = slog.New(slog.DiscardHandler)
	}
	a.status = cfg.Status
	if a.status == nil && cfg.Issuer != nil {
		a.status = cfg.Issuer.StatusService()
	}
	if a.now == nil {
		a.now = time.Now
	}
	if a.privacyURL == "" {
		a.privacyURL = a.base + "/privacy"
	}
	if a.imageURL == "" {
		a.imageURL = a.base + "/static/logo.svg"
	}
	rate, burst := cfg.RateLimit, cfg.RateBurst
	if rate == 0 {
		rate = DefaultRateLimit
	}
	if burst <= 0 {
		burst = max(DefaultRateBurst, int(2*rate))
	}
	if rate > 0 {
		a.limiter = auth.NewLimiter(rate, burst)
		// Whole seconds until one token has refilled, at least one.
		secs := int(1/rate + 0.999)
		a.retryAfter = strconv.Itoa(max(secs, 1))
	}
	// Twenty failures at once, then one every three seconds, per client
	// and source: a misconfigured client is told quickly, and a guesser
	// gets nothing a 256-bit secret would fear anyway; the work of the
	// checks themselves is bounded by the password gate.
	// A source address alone gets five times that, for a host running
	// several clients.
	a.tokenFailures = auth.NewLimiter(1.0/3, 20)
	a.tokenFailuresByAddr = auth.NewLimiter(5.0/3, 100)
	// A client registers once; one registration per address every ten
	// seconds after a burst of five leaves room for retries and keeps the
	// client table from being flooded.
	a.registerLimiter = auth.NewLimiter(0.1, 5)
	_, hasEpoch := cfg.Store.(store.AuthEpoch)
	a.tokens = newTokenCache(hasEpoch && !cfg.NoTokenCache)
	return a
}

// Register installs every API route on mux with Go 1.22 method and path
// patterns. The web server wraps mux in its logging, recovery and security
// header middleware.
func (a *API) Register(mux *http.ServeMux) {
	for _, rt := range a.routes() {
		pattern := rt.method + " " + rt.path
		mux.Handle(pattern, a.handler(rt))
		a.registered = append(a.registered, pattern)
	}
}

// handler wraps a route's handler with body limits, authentication, scope
// checks, rate limiting and error rendering.
func (a *API) handler(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		}
		var c *caller
		if rt.scope != "" {
			var err error
			if c, err = a.authenticate(r, rt.scope); err != nil {
				a.writeError(w, r, rt.style, err)
				return
			}
		}
		if err := rt.handle(a, w, r, c); err != nil {
			a.writeError(w, r, rt.style, err)
		}
	})
}
