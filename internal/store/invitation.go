package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Invitation asks a person, by email, to join an organization with a role.
// The link carries a random token of which only the SHA-256 digest is
// stored; it works once and until ExpiresAt. Whoever adds a member never
// sees a password or the link: it goes to the invited address, so only the
// holder of that mailbox (and, for an existing account, its holder signed
// in) can accept.
type Invitation struct {
	ID         string
	TokenHash  []byte // 32 bytes, SHA-256 of the link's token
	OrgID      string
	Email      string
	Name       string // suggested name for a new account
	Role       Role
	InvitedBy  string // user id
	CreatedAt  time.Time
	ExpiresAt  time.Time
	AcceptedAt *time.Time
	RevokedAt  *time.Time
}

// Usable reports whether the invitation can still be accepted at now.
func (i *Invitation) Usable(now time.Time) bool {
	return i.AcceptedAt == nil && i.RevokedAt == nil && now.Before(i.ExpiresAt)
}

// Validate checks the invitation before it is written.
func (i *Invitation) Validate() error {
	const op = "store: validate invitation"
	switch {
	case len(i.TokenHash) != 32:
		return invalid(op, fmt.Sprintf("token digest is %d bytes, want 32", len(i.TokenHash)))
	case i.OrgID == "":
		return invalid(op, "organization is required")
	case !strings.Contains(strings.TrimSpace(i.Email), "@"):
		return invalid(op, fmt.Sprintf("email %q is not an address", i.Email))
	case !i.Role.Valid():
		return invalid(op, fmt.Sprintf("role %q is not one of owner, issuer, reviewer, viewer", i.Role))
	case i.ExpiresAt.IsZero():
		return invalid(op, "expiry is required")
	}
	return nil
}

// InvitationStore keeps invitations to organizations.
type InvitationStore interface {
	CreateInvitation(ctx context.Context, inv Invitation) (Invitation, error)
	// InvitationByToken finds an invitation by its token digest, used or
	// not; callers check Usable.
	InvitationByToken(ctx context.Context, hash []byte) (Invitation, error)
	// AcceptInvitation marks the invitation used at `at`. It fails with
	// ErrConflict when it was already accepted or revoked, so two
	// concurrent acceptances of one link cannot both succeed.
	AcceptInvitation(ctx context.Context, id string, at time.Time) error
	// RevokeInvitation cancels a pending invitation of the organization.
	RevokeInvitation(ctx context.Context, orgID, id string, at time.Time) error
	// ListPendingInvitations returns the organization's invitations that
	// are neither accepted nor revoked nor expired at now, newest first.
	ListPendingInvitations(ctx context.Context, orgID string, now time.Time) ([]Invitation, error)
	// ListInvitationsForEmail returns the usable invitations addressed to
	// email (compared as EmailKey), newest first.
	ListInvitationsForEmail(ctx context.Context, email string, now time.Time) ([]Invitation, error)
}

// UserEmail is an additional address of an account, proven by a link sent
// to it. The account's primary address is User.Email.
type UserEmail struct {
	Email     string
	UserID    string
	CreatedAt time.Time
}

// AccountStore holds what accounts need beyond the User row.
type AccountStore interface {
	// AddUserEmail records a verified additional address of userID. It
	// fails with ErrConflict when any account (this one included) already
	// has the address, as primary or additional.
	AddUserEmail(ctx context.Context, userID, email string) (UserEmail, error)
	// ListUserEmails returns the additional addresses of userID, oldest
	// first.
	ListUserEmails(ctx context.Context, userID string) ([]UserEmail, error)
	// SetUserDisabled disables the account at `at`, or enables it when at
	// is nil. Disabling also ends its sessions.
	SetUserDisabled(ctx context.Context, userID string, at *time.Time) error
	// ListUsers returns accounts ordered by email, up to limit (default
	// 100, at most 1000) after offset.
	ListUsers(ctx context.Context, limit, offset int) ([]User, error)
	// UseToken records that the token with this digest was used. It
	// fails with ErrConflict when it was used before, which makes a signed
	// link single-use; expires says how long the record must be kept.
	UseToken(ctx context.Context, hash []byte, expires time.Time) error
	// DeleteExpiredTokens forgets used tokens that expired at or before
	// now: they are refused for their age anyway.
	DeleteExpiredTokens(ctx context.Context, now time.Time) (int64, error)
}
