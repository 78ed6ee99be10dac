package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/auth"
	"github.com/microcred/microcred/internal/badge"
	"github.com/microcred/microcred/internal/evidence"
	"github.com/microcred/microcred/internal/store"
)

// contentSecurityPolicy allows only same-origin resources (plus data: images
// for embedded badge images), no inline styles or scripts, and no framing.
const contentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

// viewer is the signed-in user of a request, loaded from the session cookie.
type viewer struct {
	User        store.User
	Session     store.Session
	Memberships []store.Membership
}

// role returns the viewer's role in the organization, or "".
func (v *viewer) role(orgID string) store.Role {
	if v == nil {
		return ""
	}
	for _, m := range v.Memberships {
		if m.OrgID == orgID {
			return m.Role
		}
	}
	return ""
}

type ctxKey int

const (
	viewerKey ctxKey = iota
	orgKey
)

// currentViewer returns the signed-in user of r, or nil.
func currentViewer(r *http.Request) *viewer {
	v, _ := r.Context().Value(viewerKey).(*viewer)
	return v
}

// statusWriter records the status and size of a response for the log.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
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
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// middleware wraps h, outermost first: logging, recovery, headers, body
// limits, rate limits, session loading and the CSRF check.
func (s *server) middleware(h http.Handler) http.Handler {
	h = s.checkCSRF(h)
	h = s.extendUploadDeadline(h)
	h = s.loadSession(h)
	h = s.rateLimit(h)
	h = s.checkFormOrigin(h)
	h = limitBody(h)
	h = securityHeaders(h, s.secure)
	h = s.recoverPanic(h)
	return s.logRequests(h)
}

// logRequests writes one line per request. Only the path is logged: query
// strings may carry tokens, and bodies carry passwords and personal data.
func (s *server) logRequests(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		s.log.LogAttrs(r.Context(), levelFor(sw.status), "http request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", sw.status),
			slog.Int64("bytes", sw.bytes),
			slog.Duration("duration", time.Since(start)),
		)
	})
}

// recoverPanic turns a panic in a handler into a logged 500 page, so one bad
// request cannot take the server down or leak a stack trace to the client.
func (s *server) recoverPanic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			rec := recover()
			if rec == nil {
				return
			}
			if rec == http.ErrAbortHandler {
				panic(rec)
			}
			s.log.Error("panic in handler", "path", r.URL.Path, "panic", fmt.Sprint(rec), "stack", string(debug.Stack()))
			s.renderError(w, r, http.StatusInternalServerError, "Something went wrong on our side. The problem has been logged.")
		}()
		h.ServeHTTP(w, r)
	})
}

// securityHeaders sets the headers every answer carries; HSTS only when
// the server runs on https (browsers ignore it over http anyway).
func securityHeaders(h http.Handler, secure bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		if secure {
			hd.Set("Strict-Transport-Security", hstsValue)
		}
		hd.Set("Content-Security-Policy", contentSecurityPolicy)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("X-Frame-Options", "DENY")
		h.ServeHTTP(w, r)
	})
}

// limitBody caps form bodies at 64 KiB; the verifier, which takes a whole
// credential, gets 1 MiB plus room for the form around it. Other bodies
// (the JSON APIs) are limited by the handlers that read them.
func limitBody(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil && r.Method != http.MethodGet && r.Method != http.MethodHead {
			ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
			switch {
			case isBulkUpload(r):
				r.Body = http.MaxBytesReader(w, r.Body, maxBulkUploadBytes)
			case isBadgeUpload(r):
				r.Body = http.MaxBytesReader(w, r.Body, badge.MaxUpload+maxFormBytes)
			case isEvidenceUpload(r):
				r.Body = http.MaxBytesReader(w, r.Body, evidence.MaxFileBytes+maxFormBytes)
			case r.URL.Path == "/verify" || r.URL.Path == "/wallet/import":
				r.Body = http.MaxBytesReader(w, r.Body, maxCredentialBytes+maxFormBytes)
			case ct == "application/x-www-form-urlencoded" || ct == "multipart/form-data":
				r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			}
		}
		h.ServeHTTP(w, r)
	})
}

// isEvidenceUpload reports a learner's file upload to an application.
func isEvidenceUpload(r *http.Request) bool {
	rest, ok := strings.CutPrefix(r.URL.Path, "/applications/")
	return ok && r.Method == http.MethodPost && strings.HasSuffix(rest, "/files") && strings.Count(rest, "/") == 1
}

// rateLimit slows password guessing: POST /login and POST /setup are
// limited per client IP.
func (s *server) rateLimit(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && (r.URL.Path == "/login" || r.URL.Path == "/setup") {
			if !s.limiter.Allow(clientIP(r)) {
				w.Header().Set("Retry-After", "10")
				s.renderError(w, r, http.StatusTooManyRequests, "Too many attempts from your address. Wait a few seconds and try again.")
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// signsIn reports the forms that can start a session without one: sign-in,
// setup, and the mailed links that create an account (invitation, claim,
// sign-up, password reset).
func signsIn(path string) bool {
	if path == "/login" || path == "/setup" {
		return true
	}
	for _, p := range []string{"/invite/", "/claim/", "/signup/", "/reset/"} {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// checkFormOrigin refuses a sign-in or first-run setup form posted from
// another site. Those forms have no session yet, so the CSRF token check
// does not apply, and a forged sign-in would put the victim's browser into
// the attacker's account (login CSRF): whatever the victim then uploads
// or imports lands there. Browsers say where a form comes from
// (Sec-Fetch-Site, Origin); requests without either header are not from a
// browser and cannot ride on a victim's session.
func (s *server) checkFormOrigin(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && signsIn(r.URL.Path) {
			if err := s.origins.Check(r); err != nil {
				s.renderError(w, r, http.StatusForbidden, "This form was sent from another site. Open the sign-in page of this server and try again.")
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// clientIP is the rate-limiter key of the peer address: the IPv4 address,
// or the /64 of an IPv6 address (auth.AddrKey). Forwarding headers are not
// trusted: any client can set them, and a limiter keyed on them is no
// limiter.
func clientIP(r *http.Request) string {
	return auth.AddrKey(r.RemoteAddr)
}

// loadSession resolves the session cookie into the signed-in user and their
// memberships. An unknown or expired cookie is cleared and the request goes
// on anonymously.
func (s *server) loadSession(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(s.cookieName(sessionCookie))
		if err != nil || c.Value == "" || r.Header.Get("Authorization") != "" || strings.HasPrefix(r.URL.Path, "/static/") {
			h.ServeHTTP(w, r)
			return
		}
		ctx := r.Context()
		sess, err := s.store.Session(ctx, auth.HashToken(c.Value))
		if err != nil {
			if !errors.Is(err, store.ErrNotFound) {
				s.serverError(w, r, fmt.Errorf("load session: %w", err))
				return
			}
			s.clearSessionCookie(w)
			h.ServeHTTP(w, r)
			return
		}
		u, err := s.store.User(ctx, sess.UserID)
		if err == nil && u.DisabledAt != nil {
			err = store.ErrNotFound // a disabled account is signed out
		}
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				s.clearSessionCookie(w)
				h.ServeHTTP(w, r)
				return
			}
			s.serverError(w, r, fmt.Errorf("load session user: %w", err))
			return
		}
		ms, err := s.store.ListUserMemberships(ctx, u.ID)
		if err != nil {
			s.serverError(w, r, fmt.Errorf("load memberships: %w", err))
			return
		}
		v := &viewer{User: u, Session: sess, Memberships: ms}
		h.ServeHTTP(w, r.WithContext(context.WithValue(ctx, viewerKey, v)))
	})
}

// extendUploadDeadline gives a signed-in bulk upload bulkUploadTimeout to
// send its body and get its answer, in place of the server's read and
// write timeouts (30 s and 60 s), which a 100 MiB file on a slow link
// outlasts. Every other request keeps the server's timeouts, and an
// anonymous request to the upload route is refused before its body is
// read.
func (s *server) extendUploadDeadline(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isBulkUpload(r) && currentViewer(r) != nil {
			rc := http.NewResponseController(w)
			deadline := time.Now().Add(bulkUploadTimeout)
			if err := rc.SetReadDeadline(deadline); err != nil && !errors.Is(err, http.ErrNotSupported) {
				s.log.Warn("bulk upload: extend read deadline", "err", err)
			}
			if err := rc.SetWriteDeadline(deadline); err != nil && !errors.Is(err, http.ErrNotSupported) {
				s.log.Warn("bulk upload: extend write deadline", "err", err)
			}
		}
		h.ServeHTTP(w, r)
	})
}

// checkCSRF refuses a state-changing request authenticated by the session
// cookie unless it carries the session's CSRF token. Requests without a
// session, or authenticated by an Authorization header, cannot ride on a
// victim's cookie and are not checked.
func (s *server) checkCSRF(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := currentViewer(r)
		if v == nil || isSafeMethod(r.Method) {
			h.ServeHTTP(w, r)
			return
		}
		token := r.Header.Get("X-CSRF-Token")
		if token == "" {
			if !s.parseForm(w, r) {
				return
			}
			token = r.PostFormValue("csrf_token")
		}
		if !auth.CheckCSRF(v.Session.CSRFSecret, token) {
			s.renderError(w, r, http.StatusForbidden, "The form's security token (csrf_token) is missing or does not match your session. Reload the page and submit the form again.")
			return
		}
		h.ServeHTTP(w, r)
	})
}

func isSafeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// parseForm parses a urlencoded or multipart form, answering 413 when the
// body is over its limit and 400 when it cannot be read. It reports whether
// the handler may go on.
func (s *server) parseForm(w http.ResponseWriter, r *http.Request) bool {
	var err error
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		err = r.ParseMultipartForm(maxCredentialBytes)
	} else {
		err = r.ParseForm()
	}
	if err == nil {
		return true
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		s.renderError(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("The request is too large: at most %d bytes are accepted here.", tooBig.Limit))
		return false
	}
	s.renderError(w, r, http.StatusBadRequest, "The form could not be read.")
	return false
}

// requireUser sends anonymous visitors to the login page and back.
func (s *server) requireUser(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if currentViewer(r) == nil {
			s.redirectToLogin(w, r)
			return
		}
		h(w, r)
	}
}

func (s *server) redirectToLogin(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		s.renderError(w, r, http.StatusUnauthorized, "Sign in first.")
		return
	}
	http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
}

// Role sets for orgRoute.
var (
	anyRole      = []store.Role{store.RoleOwner, store.RoleIssuer, store.RoleReviewer, store.RoleViewer}
	catalogRoles = []store.Role{store.RoleOwner, store.RoleIssuer}
	ownerOnly    = []store.Role{store.RoleOwner}
)

// orgContext is the organization an admin route works on and the viewer's
// role in it.
type orgContext struct {
	Org  store.Organization
	Role store.Role
}

// currentOrg returns the organization orgRoute loaded.
func currentOrg(r *http.Request) orgContext {
	oc, _ := r.Context().Value(orgKey).(orgContext)
	return oc
}

// orgRoute loads the organization named by {slug} and checks that the viewer
// holds one of roles in it: 404 when the organization does not exist or the
// viewer is not a member (its admin pages are not for outsiders to probe),
// 403 when the viewer's role is not enough.
func (s *server) orgRoute(roles []store.Role, h http.HandlerFunc) http.HandlerFunc {
	return s.requireUser(func(w http.ResponseWriter, r *http.Request) {
		org, err := s.store.OrganizationBySlug(r.Context(), r.PathValue("slug"))
		if err != nil {
			if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) {
				s.notFound(w, r)
				return
			}
			s.serverError(w, r, fmt.Errorf("load organization: %w", err))
			return
		}
		role := currentViewer(r).role(org.ID)
		if role == "" {
			s.notFound(w, r)
			return
		}
		if !slices.Contains(roles, role) {
			s.renderError(w, r, http.StatusForbidden, fmt.Sprintf("Your role in %s is %s; this page needs the role %s.", org.Name, role, joinRoles(roles)))
			return
		}
		ctx := context.WithValue(r.Context(), orgKey, orgContext{Org: org, Role: role})
		h(w, r.WithContext(ctx))
	})
}

func joinRoles(roles []store.Role) string {
	s := make([]string, len(roles))
	for i, r := range roles {
		s[i] = string(r)
	}
	return strings.Join(s, " or ")
}

// levelFor logs server errors at error level and everything else at info.
func levelFor(status int) slog.Level {
	if status >= 500 {
		return slog.LevelError
	}
	return slog.LevelInfo
}
