package sqlcore

import (
	"context"
	"fmt"
	"time"

	"github.com/microcred/microcred/internal/store"
)

const invitationCols = `id, token_hash, org_id, email, name, role, invited_by, created_at, expires_at, accepted_at, revoked_at`

func scanInvitation(r Row) (store.Invitation, error) {
	var i store.Invitation
	var role string
	err := r.Scan(&i.ID, &i.TokenHash, &i.OrgID, &i.Email, &i.Name, &role, &i.InvitedBy,
		ts(&i.CreatedAt), ts(&i.ExpiresAt), tsOpt(&i.AcceptedAt), tsOpt(&i.RevokedAt))
	i.Role = store.Role(role)
	return i, err
}

// CreateInvitation implements store.Store.
func (s *Store) CreateInvitation(ctx context.Context, i store.Invitation) (store.Invitation, error) {
	if err := i.Validate(); err != nil {
		return store.Invitation{}, err
	}
	if i.ID == "" {
		i.ID = store.NewID()
	}
	if i.CreatedAt.IsZero() {
		i.CreatedAt = now()
	}
	i.CreatedAt, i.ExpiresAt = norm(i.CreatedAt), norm(i.ExpiresAt)
	i.AcceptedAt, i.RevokedAt = nil, nil
	_, err := s.w.Exec(ctx, `INSERT INTO invitations (id, token_hash, org_id, email, email_key, name, role, invited_by, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		i.ID, i.TokenHash, i.OrgID, i.Email, store.EmailKey(i.Email), i.Name, string(i.Role), i.InvitedBy, i.CreatedAt, i.ExpiresAt)
	if err != nil {
		return store.Invitation{}, s.fail("create invitation", err)
	}
	return i, nil
}

// InvitationByToken implements store.Store.
func (s *Store) InvitationByToken(ctx context.Context, hash []byte) (store.Invitation, error) {
	if err := checkDigest("invitation", hash); err != nil {
		return store.Invitation{}, err
	}
	i, err := scanInvitation(s.r.QueryRow(ctx, `SELECT `+invitationCols+` FROM invitations WHERE token_hash = ?`, hash))
	return i, s.fail("invitation", err)
}

// AcceptInvitation implements store.Store.
func (s *Store) AcceptInvitation(ctx context.Context, id string, at time.Time) error {
	n, err := s.w.Exec(ctx, `UPDATE invitations SET accepted_at = ? WHERE id = ? AND accepted_at IS NULL AND revoked_at IS NULL`, norm(at), id)
	if err != nil {
		return s.fail("accept invitation", err)
	}
	if n != 1 {
		return &store.Error{Kind: store.ErrConflict, Op: "store: accept invitation", Err: fmt.Errorf("invitation %q is already used, revoked or unknown", id)}
	}
	return nil
}

// RevokeInvitation implements store.Store.
func (s *Store) RevokeInvitation(ctx context.Context, orgID, id string, at time.Time) error {
	n, err := s.w.Exec(ctx, `UPDATE invitations SET revoked_at = ? WHERE id = ? AND org_id = ? AND accepted_at IS NULL AND revoked_at IS NULL`, norm(at), id, orgID)
	return expectOne(fmt.Sprintf("revoke invitation %q", id), n, err, s)
}

// ListPendingInvitations implements store.Store.
func (s *Store) ListPendingInvitations(ctx context.Context, orgID string, at time.Time) ([]store.Invitation, error) {
	rows, err := s.r.Query(ctx, `SELECT `+invitationCols+` FROM invitations
		WHERE org_id = ? AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?
		ORDER BY created_at DESC, id LIMIT 1000`, orgID, norm(at))
	if err != nil {
		return nil, s.fail("list invitations", err)
	}
	return collect(rows, scanInvitation, s, "list invitations")
}

// ListInvitationsForEmail implements store.Store.
func (s *Store) ListInvitationsForEmail(ctx context.Context, email string, at time.Time) ([]store.Invitation, error) {
	rows, err := s.r.Query(ctx, `SELECT `+invitationCols+` FROM invitations
		WHERE email_key = ? AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?
		ORDER BY created_at DESC, id LIMIT 100`, store.EmailKey(email), norm(at))
	if err != nil {
		return nil, s.fail("list invitations", err)
	}
	return collect(rows, scanInvitation, s, "list invitations")
}
