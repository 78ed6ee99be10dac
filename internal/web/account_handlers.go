package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/account"
	"github.com/microcred/microcred/internal/analytics"
	"github.com/microcred/microcred/internal/auth"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

// noticeData is a page with a heading, a message and an optional link.
type noticeData struct {
	Heading, Message string
	LinkText, Link   string
}

func (s *server) notice(w http.ResponseWriter, r *http.Request, status int, d noticeData) {
	s.render(w, r, status, "notice", d.Heading, d)
}

// openLink checks a mailed link's token and that it was not used. On
// failure it renders a page that says what to do and returns false.
func (s *server) openLink(w http.ResponseWriter, r *http.Request, purpose string, nfields int, again noticeData) ([]string, time.Time, bool) {
	token := r.PathValue("token")
	fields, exp, err := s.issuer.Links().Open(purpose, token, s.now())
	if err == nil && len(fields) != nfields {
		err = auth.ErrLinkInvalid
	}
	if err == nil {
		// A used link is refused before the page is even shown.
		if used, uerr := s.linkUsed(r, token); uerr != nil {
			s.serverError(w, r, uerr)
			return nil, time.Time{}, false
		} else if used {
			err = errLinkUsed
		}
	}
	if err != nil {
		msg := "This link is not valid: it may have been cut when it was copied. " + again.Message
		switch {
		case errors.Is(err, auth.ErrLinkExpired):
			msg = "This link has expired. " + again.Message
		case errors.Is(err, errLinkUsed):
			msg = "This link was already used: each link works once. " + again.Message
		}
		s.notice(w, r, http.StatusNotFound, noticeData{Heading: again.Heading, Message: msg, LinkText: again.LinkText, Link: again.Link})
		return nil, time.Time{}, false
	}
	w.Header().Set("Referrer-Policy", "no-referrer") // the token is in the URL
	return fields, exp, true
}

var errLinkUsed = errors.New("link already used")

// linkUsed reports whether the token was used, without using it.
func (s *server) linkUsed(r *http.Request, token string) (bool, error) {
	// UseToken inside a transaction that is rolled back tells without
	// writing: the insert conflicts exactly when the token was used.
	probe := errors.New("probe")
	err := s.store.WithTx(r.Context(), func(tx store.Store) error {
		if err := tx.UseToken(r.Context(), auth.HashToken(token), s.now().Add(time.Minute)); err != nil {
			return err
		}
		return probe
	})
	switch {
	case errors.Is(err, probe):
		return false, nil
	case errors.Is(err, store.ErrConflict):
		return true, nil
	}
	return false, fmt.Errorf("check link: %w", err)
}

// useLink marks the token used inside tx; a second use fails with
// errLinkUsed, so two concurrent submissions cannot both succeed.
func (s *server) useLink(r *http.Request, tx store.Store, exp time.Time) error {
	err := tx.UseToken(r.Context(), auth.HashToken(r.PathValue("token")), exp)
	if errors.Is(err, store.ErrConflict) {
		return errLinkUsed
	}
	return err
}

// mailAllowed limits the mail one address or one client can make us send;
// beyond the limit it answers 429 itself and returns false.
func (s *server) mailAllowed(w http.ResponseWriter, r *http.Request, email string) bool {
	if s.mailLimiter.Allow("ip:"+clientIP(r)) && s.mailLimiter.Allow("to:"+store.EmailKey(email)) {
		return true
	}
	w.Header().Set("Retry-After", "60")
	s.renderError(w, r, http.StatusTooManyRequests, "We sent several messages to this address or from your network a moment ago. Wait a minute and try again.")
	return false
}

// hashPassword hashes a new password through the server's gate on
// concurrent argon2id work, answering 503 (and false) when it is full.
func (s *server) hashPassword(w http.ResponseWriter, r *http.Request, pw string) (string, bool) {
	hash, err := s.gate.HashPassword(r.Context(), pw)
	switch {
	case errors.Is(err, auth.ErrBusy):
		s.busy(w, r)
		return "", false
	case err != nil:
		s.serverError(w, r, fmt.Errorf("hash password: %w", err))
		return "", false
	}
	return hash, true
}

// readNewPassword reads and checks the password fields of a form.
func readNewPassword(r *http.Request, errs *formErrors) string {
	pw := r.PostFormValue("password")
	if err := auth.ValidatePassword(pw); err != nil {
		errs.add("password", fmt.Sprintf("Choose a password of %d to %d characters.", auth.MinPasswordLen, auth.MaxPasswordLen))
	} else if pw != r.PostFormValue("password_confirm") {
		errs.add("password_confirm", "The two passwords differ.")
	}
	return pw
}

// ---- claim ----------------------------------------------------------------

// claimData is the claim page.
type claimData struct {
	Token, Email, Name string
	CredentialID       string
	Achievement, Org   string
	// Mode: "create" (no account for the address, nobody signed in),
	// "signin" (the address has an account), "mine" (signed in as it),
	// "add" (signed in as another account; the address has none),
	// "other" (signed in, and the address belongs to another account).
	Mode string
}

func (s *server) loadClaim(w http.ResponseWriter, r *http.Request) (claimData, time.Time, bool) {
	fields, exp, ok := s.openLink(w, r, issue.ClaimPurpose, 2, noticeData{
		Heading:  "Add a credential to your wallet",
		Message:  "Your credentials are still yours: sign up with the address they were sent to, or sign in, and they appear in your wallet.",
		LinkText: "Sign up or sign in", Link: "/signup",
	})
	if !ok {
		return claimData{}, exp, false
	}
	c, err := s.store.Credential(r.Context(), fields[0])
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			s.notFound(w, r)
		} else {
			s.serverError(w, r, fmt.Errorf("load credential: %w", err))
		}
		return claimData{}, exp, false
	}
	d := claimData{Token: r.PathValue("token"), Email: fields[1], Name: c.RecipientName, CredentialID: c.ID}
	if org, err := s.store.Organization(r.Context(), c.OrgID); err == nil {
		d.Org = org.Name
	}
	if a, _, err := s.issuer.Achievement(r.Context(), c.AchievementID, c.AchievementVersion); err == nil {
		d.Achievement = a.Name
	}
	u, err := s.store.UserByEmail(r.Context(), d.Email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, fmt.Errorf("look up account: %w", err))
		return claimData{}, exp, false
	}
	v := currentViewer(r)
	switch {
	case err == nil && v == nil:
		d.Mode = "signin"
	case err == nil && v.User.ID == u.ID:
		d.Mode = "mine"
	case err == nil:
		d.Mode = "other"
	case v == nil:
		d.Mode = "create"
	default:
		d.Mode = "add"
	}
	return d, exp, true
}

func (s *server) claimPage(w http.ResponseWriter, r *http.Request) {
	if d, _, ok := s.loadClaim(w, r); ok {
		s.render(w, r, http.StatusOK, "claim", "Add your credential to your wallet", d)
	}
}

func (s *server) claimSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	d, exp, ok := s.loadClaim(w, r)
	if !ok {
		return
	}
	var errs formErrors
	var hash string
	switch d.Mode {
	case "signin", "other":
		s.render(w, r, http.StatusForbidden, "claim", "Add your credential to your wallet", d)
		return
	case "create":
		d.Name = strings.TrimSpace(r.PostFormValue("name"))
		if d.Name == "" {
			errs.add("name", "Enter your name.")
		}
		pw := readNewPassword(r, &errs)
		if errs.Any() {
			s.renderForm(w, r, "claim", "Add your credential to your wallet", d, errs)
			return
		}
		var ok bool
		if hash, ok = s.hashPassword(w, r, pw); !ok {
			return
		}
	}
	var userID string
	var linked int64
	err := s.store.WithTx(r.Context(), func(tx store.Store) error {
		if err := s.useLink(r, tx, exp); err != nil {
			return err
		}
		switch d.Mode {
		case "create":
			u, err := tx.CreateUser(r.Context(), store.User{Email: d.Email, Name: d.Name, PasswordHash: hash, IsLearner: true})
			if err != nil {
				return fmt.Errorf("create account: %w", err)
			}
			userID = u.ID
		case "add":
			userID = currentViewer(r).User.ID
			if _, err := tx.AddUserEmail(r.Context(), userID, d.Email); err != nil {
				return fmt.Errorf("add address: %w", err)
			}
		default: // "mine"
			userID = currentViewer(r).User.ID
		}
		n, err := tx.LinkLearnerCredentials(r.Context(), d.Email, userID)
		linked = n
		if err != nil {
			return fmt.Errorf("link credentials: %w", err)
		}
		return appendAudit(r, tx, "", userID, "credential.claim", "", map[string]any{"mode": d.Mode, "linked": n})
	})
	switch {
	case errors.Is(err, errLinkUsed), errors.Is(err, store.ErrConflict):
		s.notice(w, r, http.StatusConflict, noticeData{Heading: "Add a credential to your wallet",
			Message: "This link was used a moment ago, or an account for " + d.Email + " was just created. Sign in to see your credentials.", LinkText: "Sign in", Link: "/login?next=/wallet"})
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	if d.Mode == "create" {
		if err := s.startSession(w, r, userID); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	if c, err := s.store.Credential(r.Context(), d.CredentialID); err == nil {
		s.recordEvent(r, credentialEvent(c, analytics.Claimed, ""))
		// The one-question pulse, asked once, when claiming.
		if a := r.PostFormValue("pulse_standout"); a == "yes" || a == "no" {
			s.recordEvent(r, store.Event{OrgID: c.OrgID, AchievementID: c.AchievementID, Kind: analytics.PulseStandout, Dim: a})
		}
	}
	msg := "Your credential is in your wallet."
	if linked > 1 {
		msg = fmt.Sprintf("Your wallet now holds the %d credentials issued to %s.", linked, d.Email)
	}
	s.setFlash(w, msg)
	seeOther(w, r, "/wallet")
}

// ---- sign-up ----------------------------------------------------------------

// signupData is the sign-up pages: the address form, then the account form
// behind the mailed link.
type signupData struct {
	Email, Name, Token string
}

func (s *server) signupForm(w http.ResponseWriter, r *http.Request) {
	if v := currentViewer(r); v != nil {
		seeOther(w, r, s.landing(v, ""))
		return
	}
	s.render(w, r, http.StatusOK, "signup", "Create an account", signupData{})
}

// signupSubmit mails a link to the address. The answer is the same whether
// or not an account exists, so the form does not reveal who has one; the
// mail itself says which it is.
func (s *server) signupSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	d := signupData{Email: strings.TrimSpace(r.PostFormValue("email"))}
	if !plausibleEmail(d.Email) {
		var errs formErrors
		errs.add("email", "Enter your email address, such as name@example.org.")
		s.renderForm(w, r, "signup", "Create an account", d, errs)
		return
	}
	if !s.mailAllowed(w, r, d.Email) {
		return
	}
	m := store.Mail{To: d.Email}
	if _, err := s.store.UserByEmail(r.Context(), d.Email); err == nil {
		m.Subject = "Your microcred account"
		m.Body = fmt.Sprintf("Hello,\n\nSomeone asked to create a microcred account for %s, but this address already has one.\n\nSign in: %s/login\nForgot your password? Choose a new one: %s/reset\n\nIf it was not you, ignore this message.\n", d.Email, s.base, s.base)
	} else if errors.Is(err, store.ErrNotFound) {
		tok := s.issuer.Links().Sign(account.SignupPurpose, s.now().Add(account.SignupLinkLifetime), d.Email)
		m.Subject = "Confirm your address to create your microcred account"
		m.Body = fmt.Sprintf("Hello,\n\nTo create your microcred account for %s, open this link (it works once, for 24 hours):\n%s/signup/%s\n\nCredentials already issued to this address appear in your wallet as soon as the account exists.\n\nIf it was not you, ignore this message: no account is created.\n", d.Email, s.base, url.PathEscape(tok))
	} else {
		s.serverError(w, r, fmt.Errorf("look up account: %w", err))
		return
	}
	if _, err := s.store.EnqueueMail(r.Context(), m); err != nil {
		s.serverError(w, r, fmt.Errorf("queue mail: %w", err))
		return
	}
	s.notice(w, r, http.StatusOK, noticeData{Heading: "Check your mail",
		Message: "We sent a message to " + d.Email + ". Open the link in it to continue. It may take a minute to arrive; look in your spam folder too."})
}

func (s *server) signupLink(w http.ResponseWriter, r *http.Request) (string, time.Time, bool) {
	fields, exp, ok := s.openLink(w, r, account.SignupPurpose, 1, noticeData{Heading: "Create an account",
		Message: "Ask for a new link.", LinkText: "Create an account", Link: "/signup"})
	if !ok {
		return "", exp, false
	}
	return fields[0], exp, true
}

func (s *server) signupAccountForm(w http.ResponseWriter, r *http.Request) {
	if email, _, ok := s.signupLink(w, r); ok {
		s.render(w, r, http.StatusOK, "signup", "Create an account", signupData{Email: email, Token: r.PathValue("token")})
	}
}

func (s *server) signupAccountSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	email, exp, ok := s.signupLink(w, r)
	if !ok {
		return
	}
	d := signupData{Email: email, Token: r.PathValue("token"), Name: strings.TrimSpace(r.PostFormValue("name"))}
	var errs formErrors
	if d.Name == "" {
		errs.add("name", "Enter your name.")
	}
	pw := readNewPassword(r, &errs)
	if errs.Any() {
		s.renderForm(w, r, "signup", "Create an account", d, errs)
		return
	}
	hash, ok := s.hashPassword(w, r, pw)
	if !ok {
		return
	}
	var u store.User
	err := s.store.WithTx(r.Context(), func(tx store.Store) error {
		if err := s.useLink(r, tx, exp); err != nil {
			return err
		}
		var err error
		if u, err = tx.CreateUser(r.Context(), store.User{Email: email, Name: d.Name, PasswordHash: hash, IsLearner: true}); err != nil {
			return fmt.Errorf("create account: %w", err)
		}
		if _, err := tx.LinkLearnerCredentials(r.Context(), email, u.ID); err != nil {
			return fmt.Errorf("link credentials: %w", err)
		}
		return appendAudit(r, tx, "", u.ID, "account.create", u.ID, nil)
	})
	switch {
	case errors.Is(err, errLinkUsed), errors.Is(err, store.ErrConflict):
		s.notice(w, r, http.StatusConflict, noticeData{Heading: "Create an account", Message: "An account for " + email + " exists already. Sign in, or choose a new password if you forgot it.", LinkText: "Sign in", Link: "/login"})
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	if err := s.startSession(w, r, u.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.setFlash(w, "Welcome! Your account is ready. Credentials issued to "+email+" are in your wallet.")
	seeOther(w, r, "/wallet")
}

// ---- password reset ---------------------------------------------------------

// resetData is the password-reset pages.
type resetData struct {
	Email, Token string
}

func (s *server) resetForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "reset", "Choose a new password", resetData{})
}

func (s *server) resetSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	d := resetData{Email: strings.TrimSpace(r.PostFormValue("email"))}
	if !plausibleEmail(d.Email) {
		var errs formErrors
		errs.add("email", "Enter the email address of your account.")
		s.renderForm(w, r, "reset", "Choose a new password", d, errs)
		return
	}
	if !s.mailAllowed(w, r, d.Email) {
		return
	}
	u, err := s.store.UserByEmail(r.Context(), d.Email)
	switch {
	case err == nil && u.DisabledAt == nil:
		link := account.ResetURL(s.issuer.Links(), s.base, u, s.now(), account.ResetLinkLifetime)
		m := store.Mail{To: d.Email, Subject: "Choose a new microcred password",
			Body: fmt.Sprintf("Hello,\n\nTo choose a new password for your microcred account, open this link (it works once, for one hour):\n%s\n\nIf you did not ask for it, ignore this message: your password stays as it is.\n", link)}
		if _, err := s.store.EnqueueMail(r.Context(), m); err != nil {
			s.serverError(w, r, fmt.Errorf("queue mail: %w", err))
			return
		}
	case err != nil && !errors.Is(err, store.ErrNotFound):
		s.serverError(w, r, fmt.Errorf("look up account: %w", err))
		return
	}
	s.notice(w, r, http.StatusOK, noticeData{Heading: "Check your mail",
		Message: "If " + d.Email + " has an account, we sent it a link to choose a new password. It works for one hour."})
}

func (s *server) resetLink(w http.ResponseWriter, r *http.Request) (store.User, time.Time, bool) {
	again := noticeData{Heading: "Choose a new password", Message: "Ask for a new link.", LinkText: "Ask for a new link", Link: "/reset"}
	fields, exp, ok := s.openLink(w, r, account.ResetPurpose, 2, again)
	if !ok {
		return store.User{}, exp, false
	}
	u, err := s.store.User(r.Context(), fields[0])
	if err != nil || u.DisabledAt != nil || account.PasswordFingerprint(u.PasswordHash) != fields[1] {
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			s.serverError(w, r, fmt.Errorf("load account: %w", err))
			return store.User{}, exp, false
		}
		s.notice(w, r, http.StatusNotFound, noticeData{Heading: again.Heading, Message: "This link no longer works: the password was changed since it was sent. " + again.Message, LinkText: again.LinkText, Link: again.Link})
		return store.User{}, exp, false
	}
	return u, exp, true
}

func (s *server) resetPasswordForm(w http.ResponseWriter, r *http.Request) {
	if u, _, ok := s.resetLink(w, r); ok {
		s.render(w, r, http.StatusOK, "reset", "Choose a new password", resetData{Email: u.Email, Token: r.PathValue("token")})
	}
}

func (s *server) resetPasswordSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	u, exp, ok := s.resetLink(w, r)
	if !ok {
		return
	}
	var errs formErrors
	pw := readNewPassword(r, &errs)
	if errs.Any() {
		s.renderForm(w, r, "reset", "Choose a new password", resetData{Email: u.Email, Token: r.PathValue("token")}, errs)
		return
	}
	hash, ok := s.hashPassword(w, r, pw)
	if !ok {
		return
	}
	err := s.store.WithTx(r.Context(), func(tx store.Store) error {
		if err := s.useLink(r, tx, exp); err != nil {
			return err
		}
		return setPassword(r, tx, u, hash, "account.password.reset")
	})
	switch {
	case errors.Is(err, errLinkUsed):
		s.notice(w, r, http.StatusConflict, noticeData{Heading: "Choose a new password", Message: "This link was already used.", LinkText: "Sign in", Link: "/login"})
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	if err := s.startSession(w, r, u.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.setFlash(w, "Your password was changed, and every other session of your account was signed out.")
	seeOther(w, r, "/account")
}

// setPassword stores a new password hash and ends every session of the
// account, inside tx.
func setPassword(r *http.Request, tx store.Store, u store.User, hash, action string) error {
	u.PasswordHash = hash
	if err := tx.UpdateUser(r.Context(), u); err != nil {
		return fmt.Errorf("update password: %w", err)
	}
	if _, err := tx.DeleteUserSessions(r.Context(), u.ID); err != nil {
		return fmt.Errorf("end sessions: %w", err)
	}
	return appendAudit(r, tx, "", u.ID, action, u.ID, nil)
}

// ---- the account page -------------------------------------------------------

// accountData is the account page.
type accountData struct {
	Emails   []store.UserEmail
	NewEmail string
}

func (s *server) renderAccount(w http.ResponseWriter, r *http.Request, d accountData, errs formErrors) {
	emails, err := s.store.ListUserEmails(r.Context(), currentViewer(r).User.ID)
	if err != nil {
		s.serverError(w, r, fmt.Errorf("list addresses: %w", err))
		return
	}
	d.Emails = emails
	s.renderForm(w, r, "account", "Your account", d, errs)
}

func (s *server) account(w http.ResponseWriter, r *http.Request) {
	s.renderAccount(w, r, accountData{}, nil)
}

// addEmailSubmit mails a confirmation link to another address of the
// learner; credentials issued to it join the wallet once it is confirmed.
func (s *server) addEmailSubmit(w http.ResponseWriter, r *http.Request) {
	v := currentViewer(r)
	d := accountData{NewEmail: strings.TrimSpace(r.PostFormValue("email"))}
	var errs formErrors
	if !plausibleEmail(d.NewEmail) {
		errs.add("email", "Enter the address to add, such as name@example.org.")
		s.renderAccount(w, r, d, errs)
		return
	}
	if !s.mailAllowed(w, r, d.NewEmail) {
		return
	}
	tok := s.issuer.Links().Sign(account.EmailPurpose, s.now().Add(account.EmailLinkLifetime), v.User.ID, d.NewEmail)
	m := store.Mail{To: d.NewEmail, Subject: "Confirm your address on microcred",
		Body: fmt.Sprintf("Hello,\n\nTo add %s to the microcred account of %s, open this link (it works once, for 24 hours):\n%s/account/emails/%s\n\nCredentials issued to this address will then appear in that wallet. If it was not you, ignore this message.\n", d.NewEmail, v.User.Email, s.base, url.PathEscape(tok))}
	if _, err := s.store.EnqueueMail(r.Context(), m); err != nil {
		s.serverError(w, r, fmt.Errorf("queue mail: %w", err))
		return
	}
	s.setFlash(w, "We sent a link to "+d.NewEmail+": open it to add the address to your account.")
	seeOther(w, r, "/account")
}

// confirmEmail adds the address of a confirmation link to the signed-in
// account it was made for.
func (s *server) confirmEmail(w http.ResponseWriter, r *http.Request) {
	fields, exp, ok := s.openLink(w, r, account.EmailPurpose, 2, noticeData{Heading: "Add an address", Message: "Ask for a new link on your account page.", LinkText: "Your account", Link: "/account"})
	if !ok {
		return
	}
	v := currentViewer(r)
	if v.User.ID != fields[0] {
		s.renderError(w, r, http.StatusForbidden, "This link was made for another account. Sign in as the account that asked to add the address, then open the link again.")
		return
	}
	email := fields[1]
	var linked int64
	err := s.store.WithTx(r.Context(), func(tx store.Store) error {
		if err := s.useLink(r, tx, exp); err != nil {
			return err
		}
		if _, err := tx.AddUserEmail(r.Context(), v.User.ID, email); err != nil {
			return err
		}
		n, err := tx.LinkLearnerCredentials(r.Context(), email, v.User.ID)
		linked = n
		if err != nil {
			return fmt.Errorf("link credentials: %w", err)
		}
		return appendAudit(r, tx, "", v.User.ID, "account.email.add", v.User.ID, map[string]any{"email": email})
	})
	switch {
	case errors.Is(err, errLinkUsed):
		s.renderError(w, r, http.StatusConflict, "This link was already used.")
		return
	case errors.Is(err, store.ErrConflict):
		s.renderError(w, r, http.StatusConflict, email+" already belongs to an account. Sign in with it instead.")
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	s.setFlash(w, fmt.Sprintf("%s was added to your account; %d credential(s) issued to it joined your wallet.", email, linked))
	seeOther(w, r, "/account")
}

// changePassword changes the signed-in account's password after checking
// the current one.
func (s *server) changePassword(w http.ResponseWriter, r *http.Request) {
	v := currentViewer(r)
	var errs formErrors
	if ok, err := s.gate.CheckPassword(r.Context(), v.User.PasswordHash, r.PostFormValue("current_password")); errors.Is(err, auth.ErrBusy) {
		s.busy(w, r)
		return
	} else if err != nil || !ok {
		errs.add("current_password", "Your current password is not correct.")
	}
	pw := readNewPassword(r, &errs)
	if errs.Any() {
		s.renderAccount(w, r, accountData{}, errs)
		return
	}
	hash, ok := s.hashPassword(w, r, pw)
	if !ok {
		return
	}
	if err := s.store.WithTx(r.Context(), func(tx store.Store) error {
		return setPassword(r, tx, v.User, hash, "account.password.change")
	}); err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.startSession(w, r, v.User.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.setFlash(w, "Your password was changed, and every other session of your account was signed out.")
	seeOther(w, r, "/account")
}
