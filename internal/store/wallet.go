package store

import (
	"context"
	"time"
)

// WalletItem is a credential a learner imported into their wallet.
type WalletItem struct {
	ID           string
	UserID       string
	Digest       []byte // SHA-256 that detects the same credential imported twice
	CredentialID string // the credential's own id, when it has one
	Document     string // as imported: JSON, or a compact JWT
	Format       string // "json" or "jwt"
	Name         string // what it is, for lists (from the credential)
	IssuerName   string
	AddedAt      time.Time
}

// WalletMeta is the learner's filing of one credential of their wallet:
// Ref is an issued credential's id or an imported item's id.
type WalletMeta struct {
	UserID, Ref string
	Collection  string
	OnProfile   bool
}

// Profile is a learner's public profile.
type Profile struct {
	UserID    string
	Handle    string
	Headline  string
	CreatedAt time.Time
}

// ShareLink is a revocable, possibly expiring link to one credential of a
// wallet (Ref as in WalletMeta).
type ShareLink struct {
	ID        string
	TokenHash []byte
	UserID    string
	Ref       string
	CreatedAt time.Time
	ExpiresAt *time.Time
	RevokedAt *time.Time
}

// Usable reports whether the link works at now.
func (l *ShareLink) Usable(now time.Time) bool {
	return l.RevokedAt == nil && (l.ExpiresAt == nil || now.Before(*l.ExpiresAt))
}

// HolderKey is a learner's did:key for presentations.
type HolderKey struct {
	UserID             string
	DID                string
	PublicKeyMultibase string
	SealedPrivateKey   []byte
	CreatedAt          time.Time
}

// WalletStore keeps learners' wallets.
type WalletStore interface {
	// AddWalletItem stores an import; ErrConflict when the learner holds
	// one with the same digest.
	AddWalletItem(ctx context.Context, it WalletItem) (WalletItem, error)
	WalletItems(ctx context.Context, userID string) ([]WalletItem, error)
	WalletItem(ctx context.Context, userID, id string) (WalletItem, error)
	DeleteWalletItem(ctx context.Context, userID, id string) error
	SetWalletMeta(ctx context.Context, m WalletMeta) error
	// WalletMetas returns the learner's filing, keyed by Ref.
	WalletMetas(ctx context.Context, userID string) (map[string]WalletMeta, error)

	// PutProfile creates or changes the learner's profile; ErrConflict
	// when another learner has the handle.
	PutProfile(ctx context.Context, p Profile) error
	Profile(ctx context.Context, userID string) (Profile, error)
	ProfileByHandle(ctx context.Context, handle string) (Profile, error)

	CreateShareLink(ctx context.Context, l ShareLink) (ShareLink, error)
	ShareLinkByToken(ctx context.Context, hash []byte) (ShareLink, error)
	ListShareLinks(ctx context.Context, userID string) ([]ShareLink, error)
	RevokeShareLink(ctx context.Context, userID, id string, at time.Time) error

	// CreateHolderKey stores the learner's holder key unless one exists;
	// it returns the stored key either way.
	CreateHolderKey(ctx context.Context, k HolderKey) (HolderKey, error)
	HolderKey(ctx context.Context, userID string) (HolderKey, error)

	// EraseUser deletes an account and its personal data: the user row
	// with its addresses, sessions, memberships, wallet, profile, share
	// links, holder key, applications and their files, and unsent mail to
	// its addresses. Credentials issued to it stay (the issuer's record,
	// still verifiable) but lose their link to the account.
	EraseUser(ctx context.Context, userID string) error
}
