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
	// PasswordGate bounds concurrent password hashing; nil means
	// auth.DefaultGate, which the API shares.
	PasswordGate *auth.Gate
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
	// hstsValue keeps browsers on https for a year once they have seen the
	// server over https. Subdomains are not included: they may be other
	// services of the institution.
	hstsValue = "max-age=31536000"
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
	// mailLimiter bounds the mail that sign-up, password reset and address
	// confirmation send, per client address and per recipient.
	mailLimiter *auth.Limiter
	// accounts backs off sign-in attempts per email address, whatever
	// addresses they come from.
	accounts *auth.Backoff
	now      func() time.Time
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
	gate    *auth.Gate // bounds concurrent argon2id work
	// origins tells same-origin form posts from cross-site ones
	// (checkFormOrigin).
	origins *http.CrossOriginProtection
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
		limiter: auth.NewLimiter(1.0/6, 10),
		// Three messages in a burst, then one a minute.
		mailLimiter: auth.NewLimiter(1.0/60, 3),
		accounts:    auth.NewBackoff(),
		now:         time.Now,
		dummyHash:   dummy,
	}
	s.status = cfg.Status
	s.bulk, s.bulkDir = cfg.Bulk, cfg.BulkDir
	s.origins = http.NewCrossOriginProtection()
	// Behind a reverse proxy the Host header may differ from the public
	// origin; the base URL is the origin browsers send.
	if err := s.origins.AddTrustedOrigin(u.Scheme + "://" + u.Host); err != nil {
		return nil, fmt.Errorf("web: base URL %q as trusted origin: %w", cfg.BaseURL, err)
	}
	s.gate = cfg.PasswordGate
	if s.gate == nil {
		s.gate = auth.DefaultGate
	}
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
	mux.Handle("GET /static/", cacheStatic(http.StripPrefix("/static/", s.noListing(http.FileServerFS(static)))))
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
	mux.HandleFunc("POST /admin/orgs/{slug}/invitations/{id}/revoke", s.orgRoute(ownerOnly, s.revokeInvitation))
	mux.HandleFunc("GET /invite/{token}", s.invitationPage)
	mux.HandleFunc("POST /invite/{token}", s.invitationSubmit)
	mux.HandleFunc("GET /admin/orgs/{slug}/achievements/{id}/evidence", s.orgRoute(catalogRoles, s.requirementForm))
	mux.HandleFunc("POST /admin/orgs/{slug}/achievements/{id}/evidence", s.orgRoute(catalogRoles, s.requirementSubmit))
	mux.HandleFunc("GET /admin/orgs/{slug}/reviews", s.orgRoute(reviewRoles, s.reviewQueue))
	mux.HandleFunc("GET /admin/orgs/{slug}/reviews/{id}", s.orgRoute(reviewRoles, s.reviewPage))
	mux.HandleFunc("POST /admin/orgs/{slug}/reviews/{id}/assign", s.orgRoute(reviewRoles, s.assignReview))
	mux.HandleFunc("POST /admin/orgs/{slug}/reviews/{id}/decide", s.orgRoute(reviewRoles, s.decide))
	mux.HandleFunc("POST /apply/{id}", s.requireUser(s.apply))
	mux.HandleFunc("GET /applications", s.requireUser(s.myApplications))
	mux.HandleFunc("GET /applications/{id}", s.requireUser(s.applicationPage))
	mux.HandleFunc("POST /applications/{id}", s.requireUser(s.saveApplication))
	mux.HandleFunc("POST /applications/{id}/files", s.requireUser(s.uploadEvidence))
	mux.HandleFunc("GET /applications/{id}/files/{fileID}", s.requireUser(s.evidenceFile))
	mux.HandleFunc("POST /applications/{id}/files/{fileID}/delete", s.requireUser(s.deleteEvidence))
	mux.HandleFunc("POST /applications/{id}/submit", s.requireUser(s.submitApplication))
	mux.HandleFunc("GET /claim/{token}", s.claimPage)
	mux.HandleFunc("POST /claim/{token}", s.claimSubmit)
	mux.HandleFunc("GET /signup", s.signupForm)
	mux.HandleFunc("POST /signup", s.signupSubmit)
	mux.HandleFunc("GET /signup/{token}", s.signupAccountForm)
	mux.HandleFunc("POST /signup/{token}", s.signupAccountSubmit)
	mux.HandleFunc("GET /reset", s.resetForm)
	mux.HandleFunc("POST /reset", s.resetSubmit)
	mux.HandleFunc("GET /reset/{token}", s.resetPasswordForm)
	mux.HandleFunc("POST /reset/{token}", s.resetPasswordSubmit)
	mux.HandleFunc("GET /account", s.requireUser(s.account))
	mux.HandleFunc("POST /account/emails", s.requireUser(s.addEmailSubmit))
	mux.HandleFunc("GET /account/emails/{token}", s.requireUser(s.confirmEmail))
	mux.HandleFunc("POST /account/password", s.requireUser(s.changePassword))
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
	mux.HandleFunc("GET /admin/orgs/{slug}/achievements/{id}/badge", s.orgRoute(catalogRoles, s.badgeForm))
	mux.HandleFunc("POST /admin/orgs/{slug}/achievements/{id}/badge", s.orgRoute(catalogRoles, s.badgeSubmit))
	mux.HandleFunc("GET /admin/orgs/{slug}/issue", s.orgRoute(catalogRoles, s.issueForm))
	mux.HandleFunc("POST /admin/orgs/{slug}/issue", s.orgRoute(catalogRoles, s.issueSubmit))
	mux.HandleFunc("GET /admin/orgs/{slug}/credentials", s.orgRoute(anyRole, s.orgCredentials))
	mux.HandleFunc("GET /admin/orgs/{slug}/credentials.csv", s.orgRoute(anyRole, s.orgCredentialsCSV))
	mux.HandleFunc("GET /admin/orgs/{slug}/impact", s.orgRoute(anyRole, s.impact))
	mux.HandleFunc("GET /admin/orgs/{slug}/impact.csv", s.orgRoute(anyRole, s.impactCSV))
	mux.HandleFunc("GET /admin/orgs/{slug}/audit", s.orgRoute(ownerOnly, s.audit))
	mux.HandleFunc("GET /admin/orgs/{slug}/outbox", s.orgRoute(ownerOnly, s.orgOutbox))
	mux.HandleFunc("POST /admin/orgs/{slug}/settings", s.orgRoute(ownerOnly, s.orgSettings))
	mux.HandleFunc("POST /admin/orgs/{slug}/logo", s.orgRoute(ownerOnly, s.orgLogo))

	mux.HandleFunc("GET /wallet", s.requireUser(s.walletPage))
	mux.HandleFunc("POST /wallet/import", s.requireUser(s.importCredential))
	mux.HandleFunc("GET /wallet/items/{id}", s.requireUser(s.walletItemPage))
	mux.HandleFunc("POST /wallet/items/{id}/delete", s.requireUser(s.deleteWalletItem))
	mux.HandleFunc("POST /wallet/file", s.requireUser(s.fileCredential))
	mux.HandleFunc("POST /wallet/share", s.requireUser(s.createShareLink))
	mux.HandleFunc("POST /wallet/share/{id}/revoke", s.requireUser(s.revokeShareLink))
	mux.HandleFunc("GET /wallet/export", s.requireUser(s.exportWallet))
	mux.HandleFunc("POST /wallet/profile", s.requireUser(s.saveProfile))
	mux.HandleFunc("GET /wallet/present", s.requireUser(s.presentForm))
	mux.HandleFunc("POST /wallet/present", s.requireUser(s.presentSubmit))
	mux.HandleFunc("POST /account/delete", s.requireUser(s.deleteAccount))
	mux.HandleFunc("GET /s/{token}", s.sharedPage)
	mux.HandleFunc("GET /u/{handle}", s.profilePage)
	mux.HandleFunc("POST /wallet/{uuid}/private", s.requireUser(s.setPrivate))

	mux.HandleFunc("GET /catalog", s.catalog)
	mux.HandleFunc("GET /catalog.json", s.catalogJSON)
	mux.HandleFunc("GET /achievements/{file}", s.achievementPage)
	mux.HandleFunc("GET /achievements/{id}/image", s.achievementImage)
	mux.HandleFunc("GET /orgs/{slug}", s.orgProfile)
	mux.HandleFunc("GET /orgs/{slug}/did.json", s.orgDID)
	mux.HandleFunc("GET /orgs/{slug}/profile.json", s.orgProfileJSON)
	mux.HandleFunc("GET /c/{file}", s.credentialPage)
	mux.HandleFunc("GET /c/{uuid}/share/linkedin", s.shareLinkedIn)
	mux.HandleFunc("GET /c/{uuid}/share/email", s.shareEmail)
	mux.HandleFunc("GET /c/{uuid}/embed", s.credentialEmbed)
	mux.HandleFunc("GET /verify", s.verifyForm)
	mux.HandleFunc("POST /verify", s.verifySubmit)
	mux.HandleFunc("POST /verify/pulse", s.verifyPulse)
	s.logRoutes(mux)
	mux.HandleFunc("GET /transparency", s.transparency)
	s.statusRoutes(mux)
	s.bulkRoutes(mux)
	s.pathwayRoutes(mux)
	s.endorsementRoutes(mux)
	return nil
}

// cookieName is the name of a cookie: with the __Host- prefix when the
// server runs on https, so that the browser accepts it only with Secure,
// Path=/ and no Domain, and a sibling subdomain cannot plant or overwrite
// it (session fixation across subdomains).
func (s *server) cookieName(name string) string {
	if s.secure {
		return "__Host-" + name
	}
	return name
}

// noListing answers 404 for a directory instead of listing its files.
// Requests for a directory end in "/" (the file server redirects to that
// form), and no asset has a name ending so.
func (s *server) noListing(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "" || strings.HasSuffix(r.URL.Path, "/") {
			s.notFound(w, r)
			return
		}
		h.ServeHTTP(w, r)
	})
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
