package web

import (
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

// membersData is the members page.
type membersData struct {
	Org         store.Organization
	Role        store.Role
	Members     []memberRow
	Invitations []store.Invitation
	Roles       []store.Role
	Email, Name string
	NewRole     string
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
	invs, err := s.store.ListPendingInvitations(r.Context(), oc.Org.ID, s.now())
	if err != nil {
		s.serverError(w, r, fmt.Errorf("list invitations: %w", err))
		return
	}
	d.Org, d.Role, d.Members, d.Invitations, d.Roles = oc.Org, oc.Role, rows, invs, anyRole
	s.renderForm(w, r, "members", "Members of "+oc.Org.Name, d, errs)
}

func (s *server) members(w http.ResponseWriter, r *http.Request) {
	s.renderMembers(w, r, membersData{NewRole: string(store.RoleIssuer)}, nil)
}

// addMember invites a person by email. It never creates an account or a
// password and never shows the invitation link: the link goes only to the
// invited address, so nobody but the holder of that mailbox can set the new
// account's password, and an existing account joins only when its holder,
// signed in, accepts. (Showing an owner a generated password, or joining an
// existing account without its consent, let anyone who could create an
// organization take over accounts that other organizations later added.)
func (s *server) addMember(w http.ResponseWriter, r *http.Request) {
	oc := currentOrg(r)
	v := currentViewer(r)
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
	err := s.store.WithTx(r.Context(), func(tx store.Store) error {
		if u, err := tx.UserByEmail(r.Context(), d.Email); err == nil {
			if _, err := tx.Membership(r.Context(), oc.Org.ID, u.ID); err == nil {
				return store.ErrConflict
			} else if !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("look up membership: %w", err)
			}
		} else if !errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrInvalid) {
			return fmt.Errorf("look up user: %w", err)
		}
		token, hash := auth.NewToken()
		now := s.now()
		inv, err := tx.CreateInvitation(r.Context(), store.Invitation{
			TokenHash: hash, OrgID: oc.Org.ID, Email: d.Email, Name: d.Name, Role: role,
			InvitedBy: v.User.ID, CreatedAt: now, ExpiresAt: now.Add(invitationLifetime),
		})
		if err != nil {
			return fmt.Errorf("create invitation: %w", err)
		}
		if _, err := tx.EnqueueMail(r.Context(), s.invitationMail(inv, oc.Org, v.User, token)); err != nil {
			return fmt.Errorf("queue invitation mail: %w", err)
		}
		return appendAudit(r, tx, oc.Org.ID, v.User.ID, "member.invite", inv.ID, map[string]any{"email": inv.Email, "role": role})
	})
	switch {
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
	s.setFlash(w, "An invitation was sent to "+d.Email+". They become a member as "+string(role)+" when they accept it; the link works once and for "+invitationLifetimeText+".")
	seeOther(w, r, "/admin/orgs/"+oc.Org.Slug+"/members")
}

// revokeInvitation cancels a pending invitation so its link stops working.
func (s *server) revokeInvitation(w http.ResponseWriter, r *http.Request) {
	oc := currentOrg(r)
	id := r.PathValue("id")
	err := s.store.WithTx(r.Context(), func(tx store.Store) error {
		if err := tx.RevokeInvitation(r.Context(), oc.Org.ID, id, s.now()); err != nil {
			return err
		}
		return appendAudit(r, tx, oc.Org.ID, currentViewer(r).User.ID, "member.invite.revoke", id, nil)
	})
	if !s.memberChangeDone(w, r, err) {
		return
	}
	s.setFlash(w, "Invitation cancelled: its link no longer works.")
	seeOther(w, r, "/admin/orgs/"+oc.Org.Slug+"/members")
}

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
