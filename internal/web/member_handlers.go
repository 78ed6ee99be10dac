package web

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/microcred/microcred/internal/auth"
	"github.com/microcred/microcred/internal/store"
)

// memberRow is one member of an organization.
type memberRow struct {
	User store.User
	Role store.Role
}

// membersData is the members page; NewPassword is shown once, right after a
// new account was created.
type membersData struct {
	Org         store.Organization
	Role        store.Role
	Members     []memberRow
	Roles       []store.Role
	Email, Name string
	NewRole     string
	NewPassword string
	NewEmail    string
}

func (s *server) loadMembers(r *http.Request, org store.Organization) ([]memberRow, error) {
	ms, err := s.store.ListOrgMembers(r.Context(), org.ID)
	if err != nil {
		return nil, fmt.Errorf("list members: %w", err)
	}
	rows := make([]memberRow, 0, len(ms))
	for _, m := range ms {
		u, err := s.store.User(r.Context(), m.UserID)
		if err != nil {
			return nil, fmt.Errorf("load member: %w", err)
		}
		rows = append(rows, memberRow{User: u, Role: m.Role})
	}
	return rows, nil
}

func (s *server) renderMembers(w http.ResponseWriter, r *http.Request, d membersData, errs formErrors) {
	oc := currentOrg(r)
	rows, err := s.loadMembers(r, oc.Org)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.Org, d.Role, d.Members, d.Roles = oc.Org, oc.Role, rows, anyRole
	s.renderForm(w, r, "members", "Members of "+oc.Org.Name, d, errs)
}

func (s *server) members(w http.ResponseWriter, r *http.Request) {
	s.renderMembers(w, r, membersData{NewRole: string(store.RoleIssuer)}, nil)
}

// addMember gives an existing account a role, or creates the account with a
// random initial password that the owner passes on; the password is shown
// once and only its hash is stored.
func (s *server) addMember(w http.ResponseWriter, r *http.Request) {
	oc := currentOrg(r)
	actor := currentViewer(r).User.ID
	d := membersData{
		Email:   strings.TrimSpace(r.PostFormValue("email")),
		Name:    strings.TrimSpace(r.PostFormValue("name")),
		NewRole: r.PostFormValue("role"),
	}
	var errs formErrors
	if !plausibleEmail(d.Email) {
		errs.add("email", "Enter the person's email address.")
	}
	role, ok := parseRole(d.NewRole)
	if !ok {
		errs.add("role", "Choose owner, issuer, reviewer or viewer.")
	}
	if errs.Any() {
		s.renderMembers(w, r, d, errs)
		return
	}
	var password string
	err := s.store.WithTx(r.Context(), func(tx store.Store) error {
		u, err := tx.UserByEmail(r.Context(), d.Email)
		if errors.Is(err, store.ErrNotFound) {
			if d.Name == "" {
				return errNeedName
			}
			password = randomPassword()
			hash, err := auth.HashPassword(password)
			if err != nil {
				return fmt.Errorf("hash password: %w", err)
			}
			if u, err = tx.CreateUser(r.Context(), store.User{Email: d.Email, Name: d.Name, PasswordHash: hash}); err != nil {
				return fmt.Errorf("create user: %w", err)
			}
		} else if err != nil {
			return fmt.Errorf("look up user: %w", err)
		}
		if _, err := tx.AddMembership(r.Context(), store.Membership{OrgID: oc.Org.ID, UserID: u.ID, Role: role}); err != nil {
			return fmt.Errorf("add membership: %w", err)
		}
		return appendAudit(r, tx, oc.Org.ID, actor, "member.add", u.ID, map[string]any{"email": u.Email, "role": role, "new_account": password != ""})
	})
	switch {
	case errors.Is(err, errNeedName):
		errs.add("name", "There is no account for this email yet: enter the person's name to create one.")
	case errors.Is(err, store.ErrConflict):
		errs.add("email", "This person is already a member; change their role in the list below.")
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	if errs.Any() {
		s.renderMembers(w, r, d, errs)
		return
	}
	if password == "" {
		s.setFlash(w, d.Email+" was added as "+string(role)+".")
		seeOther(w, r, "/admin/orgs/"+oc.Org.Slug+"/members")
		return
	}
	// The initial password is rendered directly (not redirected through a
	// cookie) so it never leaves this one response.
	s.renderMembers(w, r, membersData{NewRole: string(store.RoleIssuer), NewEmail: d.Email, NewPassword: password}, nil)
}

var errNeedName = errors.New("name needed for a new account")

func (s *server) setMemberRole(w http.ResponseWriter, r *http.Request) {
	oc := currentOrg(r)
	userID := r.PathValue("userID")
	role, ok := parseRole(r.PostFormValue("role"))
	if !ok {
		s.renderError(w, r, http.StatusBadRequest, "Choose owner, issuer, reviewer or viewer.")
		return
	}
	err := s.store.WithTx(r.Context(), func(tx store.Store) error {
		if role != store.RoleOwner {
			if err := ensureAnotherOwner(r, tx, oc.Org.ID, userID); err != nil {
				return err
			}
		}
		if err := tx.SetMembershipRole(r.Context(), oc.Org.ID, userID, role); err != nil {
			return err
		}
		return appendAudit(r, tx, oc.Org.ID, currentViewer(r).User.ID, "member.role", userID, map[string]any{"role": role})
	})
	if !s.memberChangeDone(w, r, err) {
		return
	}
	s.setFlash(w, "Role changed.")
	seeOther(w, r, "/admin/orgs/"+oc.Org.Slug+"/members")
}

func (s *server) removeMember(w http.ResponseWriter, r *http.Request) {
	oc := currentOrg(r)
	userID := r.PathValue("userID")
	err := s.store.WithTx(r.Context(), func(tx store.Store) error {
		if err := ensureAnotherOwner(r, tx, oc.Org.ID, userID); err != nil {
			return err
		}
		if err := tx.RemoveMembership(r.Context(), oc.Org.ID, userID); err != nil {
			return err
		}
		return appendAudit(r, tx, oc.Org.ID, currentViewer(r).User.ID, "member.remove", userID, nil)
	})
	if !s.memberChangeDone(w, r, err) {
		return
	}
	s.setFlash(w, "Member removed.")
	seeOther(w, r, "/admin/orgs/"+oc.Org.Slug+"/members")
}

func (s *server) memberChangeDone(w http.ResponseWriter, r *http.Request, err error) bool {
	switch {
	case err == nil:
		return true
	case errors.Is(err, errLastOwner):
		s.renderError(w, r, http.StatusConflict, "An organization needs at least one owner: make someone else owner first.")
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r)
	default:
		s.serverError(w, r, err)
	}
	return false
}

var errLastOwner = errors.New("last owner")

// ensureAnotherOwner refuses to demote or remove userID when they are the
// organization's only owner, which would leave nobody able to manage it.
func ensureAnotherOwner(r *http.Request, tx store.Store, orgID, userID string) error {
	ms, err := tx.ListOrgMembers(r.Context(), orgID)
	if err != nil {
		return fmt.Errorf("list members: %w", err)
	}
	owners, target := 0, false
	for _, m := range ms {
		if m.Role == store.RoleOwner {
			owners++
			target = target || m.UserID == userID
		}
	}
	if target && owners == 1 {
		return errLastOwner
	}
	return nil
}

func parseRole(s string) (store.Role, bool) {
	switch r := store.Role(s); r {
	case store.RoleOwner, store.RoleIssuer, store.RoleReviewer, store.RoleViewer:
		return r, true
	}
	return "", false
}

// randomPassword returns 16 characters from an alphabet without look-alike
// characters: about 90 bits, easy to read out and type.
func randomPassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 16)
	for i := range b {
		b[i] = alphabet[randIntn(len(alphabet))]
	}
	return string(b)
}

// randIntn returns a uniform random number in [0, n) from crypto/rand.
func randIntn(n int) int {
	var b [1]byte
	for {
		if _, err := rand.Read(b[:]); err != nil {
			panic(fmt.Sprintf("crypto/rand: %v", err))
		}
		// Reject values beyond the largest multiple of n to avoid bias.
		if int(b[0]) < 256-256%n {
			return int(b[0]) % n
		}
	}
}

// appendAudit records a privileged action through tx.
func appendAudit(r *http.Request, tx store.Store, orgID, actor, action, target string, detail map[string]any) error {
	var raw json.RawMessage
	if detail != nil {
		b, err := json.Marshal(detail)
		if err != nil {
			return fmt.Errorf("audit detail: %w", err)
		}
		raw = b
	}
	if _, err := tx.AppendAudit(r.Context(), store.AuditEvent{OrgID: orgID, Actor: actor, Action: action, Target: target, Detail: raw}); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}
