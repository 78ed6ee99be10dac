package store

import (
	"context"
	"time"
)

// Credential statuses the registrar's list filters by.
const (
	StatusActive    = "active"    // neither revoked, suspended nor expired
	StatusRevoked   = "revoked"   // revocation bit set
	StatusSuspended = "suspended" // suspension bit set
	StatusExpired   = "expired"   // validUntil passed
)

// CredentialSearch selects an organization's credentials for the
// registrar's list, newest first, one page at a time.
type CredentialSearch struct {
	OrgID string
	// Name is a prefix of the recipient's name, regardless of the case of
	// ASCII letters; Email an
	// exact address (any case); ID an exact credential id. Zero fields do
	// not filter.
	Name, Email, ID string
	AchievementID   string
	Status          string    // "" or one of the Status constants
	IssuedFrom      time.Time // inclusive; zero: no bound
	IssuedTo        time.Time // exclusive; zero: no bound
	Now             time.Time // for StatusActive and StatusExpired
	// After continues after this credential (keyset paging on issued_at,
	// id): the last row of the previous page.
	After *CredentialCursor
	Limit int // default 100, at most 1000
}

// CredentialCursor is a position in the list.
type CredentialCursor struct {
	IssuedAt time.Time
	ID       string
}

// CredentialListing is a credential as the list shows it: no document.
type CredentialListing struct {
	ID, OrgID, AchievementID      string
	RecipientName, RecipientEmail string
	Format                        Format
	IssuedAt                      time.Time
	ValidUntil                    *time.Time
	Revoked, Suspended            bool
}

// CredentialSearcher is the registrar's search over credentials.
type CredentialSearcher interface {
	// SearchCredentials returns one page of matching credentials, newest
	// first; its cost depends on the page, not on the organization's size.
	SearchCredentials(ctx context.Context, q CredentialSearch) ([]CredentialListing, error)
}
