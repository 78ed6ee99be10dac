package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/microcred/microcred/internal/auth"
	"github.com/microcred/microcred/internal/store"
)

// orgForm is the organization part of the setup and new-organization forms.
type orgForm struct {
	Name, Slug, URL, Email, Country, DIDMethod, Description string
}

// setupData is the first-run form.
type setupData struct {
	OwnerName, OwnerEmail string
	Org                   orgForm
	// NeedToken shows the setup token field (see Config.SetupToken).
	NeedToken bool
}

// setupDone reports whether the first run is over. The first run creates an
// owner and an organization together, so an existing organization means
// there is a user too.
func (s *server) setupDone(ctx context.Context) (bool, error) {
	orgs, err := s.store.ListOrganizations(ctx)
	if err != nil {
		return false, fmt.Errorf("list organizations: %w", err)
	}
	return len(orgs) > 0, nil
}

// setupAllowed answers 404 once the first run is over and reports whether
// the handler may go on.
func (s *server) setupAllowed(w http.ResponseWriter, r *http.Request) bool {
	done, err := s.setupDone(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return false
	}
	if done {
		s.notFound(w, r)
		return false
	}
	return true
}

func (s *server) setupForm(w http.ResponseWriter, r *http.Request) {
	if !s.setupAllowed(w, r) {
		return
	}
	s.render(w, r, http.StatusOK, "setup", "Set up microcred", setupData{Org: orgForm{DIDMethod: "web"}, NeedToken: s.setupToken != ""})
}

func (s *server) setupSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	s.setupMu.Lock()
	defer s.setupMu.Unlock()
	if !s.setupAllowed(w, r) {
		return
	}
	d := setupData{
		OwnerName:  strings.TrimSpace(r.PostFormValue("owner_name")),
		OwnerEmail: strings.TrimSpace(r.PostFormValue("owner_email")),
		Org:        readOrgForm(r),
		NeedToken:  s.setupToken != "",
	}
	password := r.PostFormValue("password")
	var errs formErrors
	// The token first: a wrong one costs no password hashing.
	if d.NeedToken && !s.setupTokenMatches(r.PostFormValue("setup_token")) {
		errs.add("setup_token", "Enter the setup token that microcred printed when the server started (it is on the server's terminal or in its service log).")
		s.renderForm(w, r, "setup", "Set up microcred", d, errs)
		return
	}
	if d.OwnerName == "" {
		errs.add("owner_name", "Enter your name.")
	}
	if !plausibleEmail(d.OwnerEmail) {
		errs.add("owner_email", "Enter an email address such as registrar@example.edu.")
	}
	if err := auth.ValidatePassword(password); err != nil {
		errs.add("password", fmt.Sprintf("Choose a password of %d to %d characters.", auth.MinPasswordLen, auth.MaxPasswordLen))
	} else if password != r.PostFormValue("password_confirm") {
		errs.add("password_confirm", "The two passwords differ.")
	}
	validateOrgForm(d.Org, &errs)
	if errs.Any() {
		s.renderForm(w, r, "setup", "Set up microcred", d, errs)
		return
	}
	hash, err := s.gate.HashPassword(r.Context(), password)
	if errors.Is(err, auth.ErrBusy) {
		s.busy(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, fmt.Errorf("hash password: %w", err))
		return
	}
	// The owner and the organization are two writes: the organization,
	// its membership, first key and audit event commit together inside
	// CreateOrganization. Should that fail, the owner account is removed
	// again, so a failed setup leaves the server in first-run state.
	owner, err := s.store.CreateUser(r.Context(), store.User{Email: d.OwnerEmail, Name: d.OwnerName, PasswordHash: hash})
	if err != nil {
		s.serverError(w, r, fmt.Errorf("setup: create owner: %w", err))
		return
	}
	if _, err := s.issuer.CreateOrganization(r.Context(), d.Org.organization(), owner.ID, owner.ID); err != nil {
		if derr := s.store.DeleteUser(r.Context(), owner.ID); derr != nil {
			s.log.Error("setup: remove owner after failure", "err", derr)
		}
		if errs.addError(err) {
			s.renderForm(w, r, "setup", "Set up microcred", d, errs)
			return
		}
		s.serverError(w, r, fmt.Errorf("setup: %w", err))
		return
	}
	if err := s.startSession(w, r, owner.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.setFlash(w, "Welcome. Your organization is ready: add achievements to its catalog, then issue credentials.")
	seeOther(w, r, "/admin/orgs/"+d.Org.Slug)
}

// setupTokenMatches compares the entered setup token with the server's in
// constant time: both are hashed first, so neither the content nor the
// length of the token leaks through timing.
func (s *server) setupTokenMatches(entered string) bool {
	want := sha256.Sum256([]byte(s.setupToken))
	got := sha256.Sum256([]byte(strings.TrimSpace(entered)))
	return subtle.ConstantTimeCompare(want[:], got[:]) == 1
}

func readOrgForm(r *http.Request) orgForm {
	m := strings.TrimSpace(r.PostFormValue("did_method"))
	if m == "" {
		m = "web"
	}
	return orgForm{
		Name:        strings.TrimSpace(r.PostFormValue("name")),
		Slug:        strings.ToLower(strings.TrimSpace(r.PostFormValue("slug"))),
		URL:         strings.TrimSpace(r.PostFormValue("url")),
		Email:       strings.TrimSpace(r.PostFormValue("email")),
		Country:     strings.ToUpper(strings.TrimSpace(r.PostFormValue("country"))),
		Description: strings.TrimSpace(r.PostFormValue("description")),
		DIDMethod:   m,
	}
}

func (f orgForm) organization() store.Organization {
	return store.Organization{Name: f.Name, Slug: f.Slug, URL: f.URL, Email: f.Email, Country: f.Country,
		Description: f.Description, DIDMethod: store.DIDMethod(f.DIDMethod)}
}

func validateOrgForm(f orgForm, errs *formErrors) {
	if f.Name == "" {
		errs.add("name", "Enter the organization's name.")
	}
	if !validSlug(f.Slug) {
		errs.add("slug", "Use 2 to 63 lower-case letters, digits and hyphens, such as city-university.")
	}
	if f.URL != "" && safeURL(f.URL) == "" {
		errs.add("url", "Enter a web address starting with https:// or http://.")
	}
	if f.Email != "" && !plausibleEmail(f.Email) {
		errs.add("email", "Enter an email address.")
	}
	if len(f.Country) != 2 || strings.Trim(f.Country, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		errs.add("country", "Enter the two-letter country code (ISO 3166-1), such as DE or IN.")
	}
	if f.DIDMethod != "web" && f.DIDMethod != "key" {
		errs.add("did_method", "Choose did:web or did:key.")
	}
}

func validSlug(s string) bool {
	if len(s) < 2 || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for _, c := range s {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// plausibleEmail is a light syntax check; the address is proven only by
// mail reaching it.
func plausibleEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	return at > 0 && at < len(s)-3 && strings.Contains(s[at:], ".") && !strings.ContainsAny(s, " \t\r\n<>,;") && len(s) <= 254
}
