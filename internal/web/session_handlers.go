package web

import (
	"crypto/rand"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"github.com/microcred/microcred/internal/auth"
	"github.com/microcred/microcred/internal/store"
)

// loginData is the login form.
type loginData struct {
	Email string
	Next  string
	Error string
}

func (s *server) loginForm(w http.ResponseWriter, r *http.Request) {
	if currentViewer(r) != nil {
		seeOther(w, r, s.landing(currentViewer(r), r.URL.Query().Get("next")))
		return
	}
	s.render(w, r, http.StatusOK, "login", "Sign in", loginData{Next: localPath(r.URL.Query().Get("next"))})
}

func (s *server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	email := strings.TrimSpace(r.PostFormValue("email"))
	password := r.PostFormValue("password")
	next := localPath(r.PostFormValue("next"))
	// Unknown addresses are throttled like known ones, so the throttle
	// does not tell which addresses have accounts.
	account := strings.ToLower(email)
	if wait := s.accounts.Wait(account); wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		s.render(w, r, http.StatusTooManyRequests, "login", "Sign in", loginData{Email: email, Next: next,
			Error: "Too many failed attempts for this account. Wait a little and try again."})
		return
	}
	u, err := s.store.UserByEmail(r.Context(), email)
	hash := u.PasswordHash
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrInvalid) {
			s.serverError(w, r, fmt.Errorf("look up user: %w", err))
			return
		}
		hash = s.dummyHash
	}
	ok, cerr := s.gate.CheckPassword(r.Context(), hash, password)
	if errors.Is(cerr, auth.ErrBusy) {
		s.busy(w, r)
		return
	}
	if err != nil || cerr != nil || !ok || len(password) > auth.MaxPasswordLen {
		// One message for every failure, so the form does not tell which
		// addresses have accounts.
		s.accounts.Fail(account)
		s.render(w, r, http.StatusUnauthorized, "login", "Sign in", loginData{Email: email, Next: next, Error: "Email or password is not correct."})
		return
	}
	s.accounts.Succeed(account)
	if u.DisabledAt != nil {
		// Said only to whoever knows the password.
		s.render(w, r, http.StatusForbidden, "login", "Sign in", loginData{Email: email, Next: next, Error: "This account is disabled. Ask the people who run this microcred server to enable it again."})
		return
	}
	if err := s.startSession(w, r, u.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	ms, err := s.store.ListUserMemberships(r.Context(), u.ID)
	if err != nil {
		s.serverError(w, r, fmt.Errorf("load memberships: %w", err))
		return
	}
	seeOther(w, r, s.landing(&viewer{User: u, Memberships: ms}, next))
}

// landing is where a user goes after signing in: next when given, else the
// admin dashboard for staff and the wallet for learners.
func (s *server) landing(v *viewer, next string) string {
	if p := localPath(next); p != "" {
		return p
	}
	if v.User.IsLearner && len(v.Memberships) == 0 {
		return "/wallet"
	}
	return "/admin"
}

// localPath accepts only a clean path on this server, so ?next= cannot
// send a user to another site after sign-in. Browsers are lenient in ways
// that turn odd paths into other origins: they drop TAB and newline
// characters ("/\t/evil" becomes "//evil"), read a backslash as a slash and
// may decode percent-escapes before resolving. So the value must start with
// a single "/" and hold no control character, space or backslash; its path
// part (before any query or fragment, which cannot change the origin) must
// keep to that under every level of percent-decoding and never hold "//".
// Anything else gives "".
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.ContainsFunc(p, unsafeInPath) {
		return ""
	}
	path := p
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	for level := 0; ; level++ {
		if !strings.HasPrefix(path, "/") || strings.Contains(path, "//") || strings.ContainsFunc(path, unsafeInPath) {
			return ""
		}
		if !strings.Contains(path, "%") {
			break
		}
		d, err := url.PathUnescape(path)
		if err != nil || level == 3 {
			return "" // malformed, or nested deeper than any honest link
		}
		path = d
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" {
		return ""
	}
	return p
}

// unsafeInPath reports the characters a ?next= path may not hold.
func unsafeInPath(r rune) bool {
	return r <= ' ' || r == 0x7f || r == '\\' || unicode.IsSpace(r) || !unicode.IsPrint(r)
}

// startSession creates a session for userID and sets its cookie. A new
// session per sign-in prevents session fixation.
func (s *server) startSession(w http.ResponseWriter, r *http.Request, userID string) error {
	token, hash := auth.NewToken()
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return fmt.Errorf("csrf secret: %w", err)
	}
	now := s.now()
	_, err := s.store.CreateSession(r.Context(), store.Session{ID: hash, UserID: userID, CSRFSecret: secret, CreatedAt: now, ExpiresAt: now.Add(sessionLifetime)})
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	http.SetCookie(w, &http.Cookie{
		Name: s.cookieName(sessionCookie), Value: token, Path: "/", MaxAge: int(sessionLifetime.Seconds()),
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
	return nil
}

func (s *server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: s.cookieName(sessionCookie), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
}

func (s *server) logout(w http.ResponseWriter, r *http.Request) {
	if v := currentViewer(r); v != nil {
		if err := s.store.DeleteSession(r.Context(), v.Session.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			s.serverError(w, r, fmt.Errorf("delete session: %w", err))
			return
		}
	}
	s.clearSessionCookie(w)
	seeOther(w, r, "/")
}
