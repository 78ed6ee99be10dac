package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/auth"
	"github.com/microcred/microcred/internal/store"
)

// invitationLifetime is how long an invitation link works.
const (
	invitationLifetime     = 7 * 24 * time.Hour
	invitationLifetimeText = "7 days"
)

// invitationMail is the message that carries the link; the token exists
// only here and in the recipient's mailbox.
func (s *server) invitationMail(inv store.Invitation, org store.Organization, inviter store.User, token string) store.Mail {
	who := inviter.Name
	if who == "" {
		who = inviter.Email
	}
	greeting := "Hello,"
	if inv.Name != "" {
		greeting = "Hello " + inv.Name + ","
	}
	body := fmt.Sprintf(`%s

%s invited you to join %s on microcred as %s (%s).

To accept, open this link:
%s/invite/%s

It works once and until %s. If you did not expect this invitation, ignore this message: nothing changes unless you accept.
`, greeting, who, org.Name, inv.Role, roleMeaning(inv.Role), s.base, url.PathEscape(token), inv.ExpiresAt.UTC().Format("2 January 2006 15:04 MST"))
	return store.Mail{To: inv.Email, Subject: "Invitation to join " + org.Name + " on microcred", Body: body, OrgID: org.ID}
}

// roleMeaning says in plain words what a role allows.
func roleMeaning(r store.Role) string {
	switch r {
	case store.RoleOwner:
		return "everything, including members, signing keys and API clients"
	case store.RoleIssuer:
		return "edit the catalog and issue credentials"
	case store.RoleReviewer:
		return "review evidence and read the organization's records"
	default:
		return "read the organization's records"
	}
}

// inviteData is the invitation page.
type inviteData struct {
	Token   string
	Org     store.Organization
	Inv     store.Invitation
	Meaning string
	// Mode is "create" (no account yet: choose a password), "signin"
	// (an account exists: sign in as it first), "other" (signed in as
	// someone else) or "accept" (signed in as the invited account).
	Mode string
	Name string
}

// loadInvitation finds the usable invitation of the token in the path, or
// renders why there is none and returns false.
func (s *server) loadInvitation(w http.ResponseWriter, r *http.Request) (inviteData, bool) {
	token := r.PathValue("token")
	inv, err := s.store.InvitationByToken(r.Context(), auth.HashToken(token))
	if err == nil && !inv.Usable(s.now()) {
		err = store.ErrNotFound
	}
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrInvalid) {
			s.serverError(w, r, fmt.Errorf("load invitation: %w", err))
			return inviteData{}, false
		}
		s.renderError(w, r, http.StatusNotFound, "This invitation link does not work any more: it was already used, cancelled, or is more than "+invitationLifetimeText+" old. Ask the organization for a new invitation.")
		return inviteData{}, false
	}
	org, err := s.store.Organization(r.Context(), inv.OrgID)
	if err != nil {
		s.serverError(w, r, fmt.Errorf("load organization: %w", err))
		return inviteData{}, false
	}
	d := inviteData{Token: token, Org: org, Inv: inv, Meaning: roleMeaning(inv.Role), Name: inv.Name}
	u, err := s.store.UserByEmail(r.Context(), inv.Email)
	switch v := currentViewer(r); {
	case err != nil && !errors.Is(err, store.ErrNotFound):
		s.serverError(w, r, fmt.Errorf("look up invited account: %w", err))
		return inviteData{}, false
	case err != nil:
		d.Mode = "create"
	case v == nil:
		d.Mode = "signin"
	case v.User.ID != u.ID:
		d.Mode = "other"
	default:
		d.Mode = "accept"
	}
	return d, true
}

func (s *server) invitationPage(w http.ResponseWriter, r *http.Request) {
	d, ok := s.loadInvitation(w, r)
	if !ok {
		return
	}
	w.Header().Set("Referrer-Policy", "no-referrer") // the token is in the URL
	s.render(w, r, http.StatusOK, "invite", "Invitation to "+d.Org.Name, d)
}

// errInvitationUsed reports a link that another request used first.
var errInvitationUsed = errors.New("invitation already used")

// invitationSubmit accepts or declines. Accepting with a new account sets
// the password the person chose (the mail proved they hold the address);
// accepting with an existing account needs that account signed in.
func (s *server) invitationSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	d, ok := s.loadInvitation(w, r)
	if !ok {
		return
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	decline := r.PostFormValue("action") == "decline"
	switch d.Mode {
	case "signin", "other":
		if decline && d.Mode == "signin" {
			break // declining needs no account: the link proves the address
		}
		s.render(w, r, http.StatusForbidden, "invite", "Invitation to "+d.Org.Name, d)
		return
	}
	if decline {
		err := s.store.WithTx(r.Context(), func(tx store.Store) error {
			if err := tx.RevokeInvitation(r.Context(), d.Inv.OrgID, d.Inv.ID, s.now()); err != nil {
				return err
			}
			return appendAudit(r, tx, d.Inv.OrgID, "invitee", "member.invite.decline", d.Inv.ID, map[string]any{"email": d.Inv.Email})
		})
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			s.serverError(w, r, err)
			return
		}
		s.setFlash(w, "You declined the invitation to "+d.Org.Name+".")
		seeOther(w, r, "/")
		return
	}
	var errs formErrors
	var hash, password string
	if d.Mode == "create" {
		d.Name = strings.TrimSpace(r.PostFormValue("name"))
		password = r.PostFormValue("password")
		if d.Name == "" {
			errs.add("name", "Enter your name.")
		}
		if err := auth.ValidatePassword(password); err != nil {
			errs.add("password", fmt.Sprintf("Choose a password of %d to %d characters.", auth.MinPasswordLen, auth.MaxPasswordLen))
		} else if password != r.PostFormValue("password_confirm") {
			errs.add("password_confirm", "The two passwords differ.")
		}
		if errs.Any() {
			s.renderForm(w, r, "invite", "Invitation to "+d.Org.Name, d, errs)
			return
		}
		var ok bool
		if hash, ok = s.hashPassword(w, r, password); !ok {
			return
		}
	}
	var userID string
	err := s.store.WithTx(r.Context(), func(tx store.Store) error {
		if err := tx.AcceptInvitation(r.Context(), d.Inv.ID, s.now()); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return errInvitationUsed
			}
			return fmt.Errorf("accept invitation: %w", err)
		}
		if d.Mode == "create" {
			u, err := tx.CreateUser(r.Context(), store.User{Email: d.Inv.Email, Name: d.Name, PasswordHash: hash})
			if err != nil {
				// An account for the address appeared since the page was
				// shown: it must be signed in to accept.
				if errors.Is(err, store.ErrConflict) {
					return errInvitationUsed
				}
				return fmt.Errorf("create account: %w", err)
			}
			userID = u.ID
			if _, err := tx.LinkLearnerCredentials(r.Context(), u.Email, u.ID); err != nil {
				return fmt.Errorf("link credentials: %w", err)
			}
		} else {
			userID = currentViewer(r).User.ID
		}
		if _, err := tx.AddMembership(r.Context(), store.Membership{OrgID: d.Inv.OrgID, UserID: userID, Role: d.Inv.Role}); err != nil && !errors.Is(err, store.ErrConflict) {
			return fmt.Errorf("add membership: %w", err)
		}
		return appendAudit(r, tx, d.Inv.OrgID, userID, "member.add", userID, map[string]any{"email": d.Inv.Email, "role": d.Inv.Role, "invitation": d.Inv.ID, "new_account": d.Mode == "create"})
	})
	switch {
	case errors.Is(err, errInvitationUsed):
		s.renderError(w, r, http.StatusConflict, "This invitation was used a moment ago, or an account for "+d.Inv.Email+" was just created. Sign in, then open the link again if you still need to accept.")
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
	s.setFlash(w, "Welcome to "+d.Org.Name+": you are now a member as "+string(d.Inv.Role)+".")
	seeOther(w, r, "/admin/orgs/"+d.Org.Slug)
}
