package web

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/microcred/microcred/internal/auth"
	"github.com/microcred/microcred/internal/bulk"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/status"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/tlog"
)

// Config configures the web server.
type Config struct {
	// Store is the database every handler reads and writes.
	Store store.Store
	// Issuer is the issuance service (organizations, keys, catalog,
	// credentials, verification).
	Issuer *issue.Service
	// BaseURL is the public origin of the server, such as
	// https://badges.example.edu; public links are built from it and the
	// session cookie is marked Secure when it is https.
	BaseURL string
	// Demo turns on demo mode: a "demo" banner and the /admin/outbox page
	// that shows queued mail instead of sending it.
	Demo bool
	// Logger receives one line per request; nil means slog.Default().
	Logger *slog.Logger
	// Status changes credential statuses and publishes status lists; nil
	// means the issuance service's (Issuer.StatusService).
	Status *status.Service
	// Extra registers additional routes (the REST APIs) on the same mux,
	// inside the common middleware.
	Extra func(mux *http.ServeMux)
	// Bulk runs bulk issuance jobs in the background; nil means one built
	// from Store and Issuer. BulkDir is where uploaded CSV files are kept
	// while their jobs run (the data directory's "bulk"); "" means a
	// directory under the system's temporary directory.
	Bulk    *bulk.Manager
	BulkDir string
	// ArtifactsDir is not used by the server.
	ArtifactsDir string
	// SetupToken, when set, must be entered on the first-run /setup form:
	// serve generates one on an empty database and prints it on its
	// terminal only, so that whoever reaches a new server first cannot
	// claim it. "" (the demo, which seeds, and tests) asks for none.
	SetupToken string
}

// Limits on request bodies. Forms are small; the verifier accepts a pasted
// or uploaded credential up to maxCredentialBytes.
const (
	maxFormBytes       = 64 << 10
	maxCredentialBytes = 1 << 20
	sessionLifetime    = 12 * time.Hour
	sessionCookie      = "microcred_session"
	flashCookie        = "microcred_flash"
)

// server holds the dependencies of the handlers.
type server struct {
	store   store.Store
	issuer  *issue.Service
	base    string
	secure  bool
	demo    bool
	log     *slog.Logger
	pages   *pages
	limiter *auth.Limiter
	now     func() time.Time
	// dummyHash is checked against when a login names an unknown email, so
	// that the response time does not reveal which addresses have accounts.
	dummyHash string
	// setupMu serializes first-run setups on this node, so two racing
	// requests cannot both pass the "no organization yet" check.
	setupMu sync.Mutex
	tlog    *tlog.Log // the transparency log, set by logRoutes
	status  *status.Service
	bulk    *bulk.Manager
	bulkDir string
	// setupToken is Config.SetupToken.
	setupToken string
}

// New returns the HTTP handler of the whole server: the HTML pages, their
// JSON twins, the static assets and whatever routes cfg.Extra registers, all
// wrapped in the common middleware.
func New(cfg Config) (http.Handler, error) {
	if cfg.Store == nil {
		return nil, errors.New("web: Config.Store is required")
	}
	if cfg.Issuer == nil {
		return nil, errors.New("web: Config.Issuer is required")
	}
	base := strings.TrimRight(cfg.BaseURL, "/")
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("web: base URL %q must be an absolute http(s) URL", cfg.BaseURL)
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	p, err := loadPages()
	if err != nil {
		return nil, err
	}
	dummy, err := auth.HashPassword("microcred-timing-equalizer")
	if err != nil {
		return nil, fmt.Errorf("web: prepare login: %w", err)
	}
	s := &server{
		store:  cfg.Store,
		issuer: cfg.Issuer,
		base:   base,
		secure: u.Scheme == "https",
		demo:   cfg.Demo,
		log:    logger,
		pages:  p,
		// Ten attempts in a burst, then one every six seconds per address:
		// enough for a person who mistypes, far too slow to guess passwords.
		limiter:   auth.NewLimiter(1.0/6, 10),
		now:       time.Now,
		dummyHash: dummy,
	}
	s.status = cfg.Status
	s.bulk, s.bulkDir = cfg.Bulk, cfg.BulkDir
	s.setupToken = cfg.SetupToken
	if s.status == nil {
		s.status = cfg.Issuer.StatusService()
	}
	mux := http.NewServeMux()
	if err := s.routes(mux); err != nil {
		return nil, err
	}
	if cfg.Extra != nil {
		cfg.Extra(mux)
	}
	return s.middleware(mux), nil
}

func (s *server) routes(mux *http.ServeMux) error {
	static, err := fs.Sub(assets, "static")
	if err != nil {
		return fmt.Errorf("web: static assets: %w", err)
	}
	mux.Handle("GET /static/", cacheStatic(http.StripPrefix("/static/", http.FileServerFS(static))))
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("/", s.notFoundHandler)
	mux.HandleFunc("GET /privacy", s.privacy)

	mux.HandleFunc("GET /setup", s.setupForm)
	mux.HandleFunc("POST /setup", s.setupSubmit)
	mux.HandleFunc("GET /login", s.loginForm)
	mux.HandleFunc("POST /login", s.loginSubmit)
	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("GET /oauth/authorize", s.authorizeForm)
	mux.HandleFunc("POST /oauth/authorize", s.authorizeSubmit)

	mux.HandleFunc("GET /admin", s.requireUser(s.adminHome))
	mux.HandleFunc("GET /admin/orgs/new", s.requireUser(s.newOrgForm))
	mux.HandleFunc("POST /admin/orgs/new", s.requireUser(s.newOrgSubmit))
	mux.HandleFunc("GET /admin/outbox", s.requireUser(s.outbox))
	mux.HandleFunc("GET /admin/orgs/{slug}", s.orgRoute(anyRole, s.orgOverview))
	mux.HandleFunc("GET /admin/orgs/{slug}/members", s.orgRoute(ownerOnly, s.members))
	mux.HandleFunc("POST /admin/orgs/{slug}/members", s.orgRoute(ownerOnly, s.addMember))
	mux.HandleFunc("POST /admin/orgs/{slug}/members/{userID}/role", s.orgRoute(ownerOnly, s.setMemberRole))
	mux.HandleFunc("POST /admin/orgs/{slug}/members/{userID}/remove", s.orgRoute(ownerOnly, s.removeMember))
	mux.HandleFunc("GET /admin/orgs/{slug}/keys", s.orgRoute(ownerOnly, s.keys))
	mux.HandleFunc("POST /admin/orgs/{slug}/keys/rotate", s.orgRoute(ownerOnly, s.rotateKey))
	mux.HandleFunc("GET /admin/orgs/{slug}/clients", s.orgRoute(ownerOnly, s.clients))
	mux.HandleFunc("POST /admin/orgs/{slug}/clients", s.orgRoute(ownerOnly, s.createClient))
	mux.HandleFunc("POST /admin/orgs/{slug}/clients/{clientID}/delete", s.orgRoute(ownerOnly, s.deleteClient))
	mux.HandleFunc("GET /admin/orgs/{slug}/achievements", s.orgRoute(anyRole, s.achievements))
	mux.HandleFunc("GET /admin/orgs/{slug}/achievements/new", s.orgRoute(catalogRoles, s.newAchievementForm))
	mux.HandleFunc("POST /admin/orgs/{slug}/achievements/new", s.orgRoute(catalogRoles, s.newAchievementSubmit))
	mux.HandleFunc("GET /admin/orgs/{slug}/achievements/{id}/edit", s.orgRoute(catalogRoles, s.editAchievementForm))
	mux.HandleFunc("POST /admin/orgs/{slug}/achievements/{id}/edit", s.orgRoute(catalogRoles, s.editAchievementSubmit))
	mux.HandleFunc("GET /admin/orgs/{slug}/issue", s.orgRoute(catalogRoles, s.issueForm))
	mux.HandleFunc("POST /admin/orgs/{slug}/issue", s.orgRoute(catalogRoles, s.issueSubmit))
	mux.HandleFunc("GET /admin/orgs/{slug}/credentials", s.orgRoute(anyRole, s.orgCredentials))
	mux.HandleFunc("GET /admin/orgs/{slug}/audit", s.orgRoute(ownerOnly, s.audit))

	mux.HandleFunc("GET /wallet", s.requireUser(s.wallet))
	mux.HandleFunc("POST /wallet/{uuid}/private", s.requireUser(s.setPrivate))

	mux.HandleFunc("GET /catalog", s.catalog)
	mux.HandleFunc("GET /catalog.json", s.catalogJSON)
	mux.HandleFunc("GET /achievements/{file}", s.achievementPage)
	mux.HandleFunc("GET /orgs/{slug}", s.orgProfile)
	mux.HandleFunc("GET /orgs/{slug}/did.json", s.orgDID)
	mux.HandleFunc("GET /orgs/{slug}/profile.json", s.orgProfileJSON)
	mux.HandleFunc("GET /c/{file}", s.credentialPage)
	mux.HandleFunc("GET /verify", s.verifyForm)
	mux.HandleFunc("POST /verify", s.verifySubmit)
	s.logRoutes(mux)
	s.statusRoutes(mux)
	s.bulkRoutes(mux)
	return nil
}

// cacheStatic lets browsers keep the stylesheet for an hour.
func cacheStatic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(w, r)
	})
}

// home is the landing page.
func (s *server) home(w http.ResponseWriter, r *http.Request) {
	orgs, err := s.store.ListOrganizations(r.Context())
	if err != nil {
		s.serverError(w, r, fmt.Errorf("list organizations: %w", err))
		return
	}
	s.render(w, r, http.StatusOK, "home", "microcred", map[string]any{
		"Orgs":      orgs,
		"NeedSetup": len(orgs) == 0,
	})
}

// privacy says what the server stores; the OB 3.0 service discovery
// document links to it.
func (s *server) privacy(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "privacy", "Privacy", nil)
}

func (s *server) notFoundHandler(w http.ResponseWriter, r *http.Request) {
	s.notFound(w, r)
}
