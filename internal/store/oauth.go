package store

import (
	"context"
	"encoding/json"
	"time"
)

// The four scopes of the 1EdTech Open Badges 3.0 API. They are defined here,
// beside the role rules below, because both the API (token endpoint) and
// the web pages (authorization consent) apply those rules.
const (
	ScopeOBCredentialRead   = "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly"
	ScopeOBCredentialUpsert = "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.upsert"
	ScopeOBProfileRead      = "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.readonly"
	ScopeOBProfileUpdate    = "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.update"
	// ScopeOfflineAccess asks for a refresh token. The OB 3.0
	// specification's examples send it; refresh tokens are issued to every
	// client registered for the refresh_token grant, so it grants nothing
	// more, but it is accepted and echoed.
	ScopeOfflineAccess = "offline_access"
)

// Authentication methods a dynamically registered client may use at the
// token endpoint (RFC 7591 section 2).
const (
	AuthClientSecretBasic = "client_secret_basic"
	AuthClientSecretPost  = "client_secret_post"
)

// GrantableRole returns the least role a member of an organization needs to
// grant scope to a client through the authorization code flow, and whether
// the scope can be granted that way at all. Writing (credential.upsert,
// profile.update) needs issuer or owner; reading needs any role.
//
// Learners are not members and cannot grant scopes: the OB 3.0 resource
// endpoints serve an organization's credentials and profile, and a
// learner's own credentials span organizations, so a learner grant would
// need a second, learner-scoped reading of every endpoint.
func GrantableRole(scope string) (Role, bool) {
	switch scope {
	case ScopeOBCredentialUpsert, ScopeOBProfileUpdate:
		return RoleIssuer, true
	case ScopeOBCredentialRead, ScopeOBProfileRead, ScopeOfflineAccess:
		return RoleViewer, true
	}
	return "", false
}

// roleRank orders roles from least to most privileged.
var roleRank = map[Role]int{RoleViewer: 1, RoleReviewer: 2, RoleIssuer: 3, RoleOwner: 4}

// AtLeast reports whether r is need or a more privileged role.
func (r Role) AtLeast(need Role) bool {
	have, ok := roleRank[r]
	return ok && have >= roleRank[need]
}

// OAuthClient is a client registered through OAuth 2.0 Dynamic Client
// Registration (RFC 7591). Its credentials are an APIClient without an
// organization (Client.OrgID is ""): it is bound to an organization only by
// the grants users make to it.
type OAuthClient struct {
	Client       APIClient
	RedirectURIs []string // exact-match redirect URIs
	AuthMethod   string   // AuthClientSecretBasic or AuthClientSecretPost
	GrantTypes   []string // "authorization_code" and optionally "refresh_token"
	// Metadata is the registered client metadata as answered at
	// registration (without the secret), a JSON object.
	Metadata json.RawMessage
}

// AuthorizationCode is an OAuth 2.0 authorization code, stored by digest.
// GrantID names the authorization a user gave: the access and refresh
// tokens issued from the code carry it, so that replaying the code can
// revoke them all (RFC 6749 section 4.1.2).
type AuthorizationCode struct {
	Hash          []byte // 32 bytes, SHA-256 of the code
	GrantID       string // unique; filled in when empty
	ClientID      string
	OrgID         string
	UserID        string
	RedirectURI   string
	Scopes        []string
	CodeChallenge string // PKCE S256 challenge (RFC 7636), base64url without padding
	CreatedAt     time.Time
	ExpiresAt     time.Time
	UsedAt        *time.Time
}

// RefreshToken is an OAuth 2.0 refresh token, stored by digest. Refresh
// tokens rotate: each is redeemed once, for a new access token and a new
// refresh token of the same grant.
type RefreshToken struct {
	Hash      []byte // 32 bytes, SHA-256 of the token
	GrantID   string
	ClientID  string
	OrgID     string
	UserID    string
	Scopes    []string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// AuthEpoch is implemented by stores that count, per process, the changes
// that can invalidate what a bearer token resolves to: token and grant
// revocation, client deletion, membership changes, user deletion and
// organization updates. A cache of validated
// tokens compares the epoch it saw with the current one and drops its
// entries when they differ. The count is local to the process: other nodes
// learn of a revocation only when their cache entries expire.
type AuthEpoch interface {
	AuthEpoch() uint64
}

// OAuthStore keeps dynamically registered clients, authorization codes and
// refresh tokens. Access tokens of all grants are AccessTokens.
type OAuthStore interface {
	// CreateOAuthClient stores the client's credentials (an APIClient
	// without organization) and its registration in one transaction.
	CreateOAuthClient(ctx context.Context, c OAuthClient) (OAuthClient, error)
	// OAuthClient returns a dynamically registered client; ErrNotFound for
	// unknown ids and for clients an organization created.
	OAuthClient(ctx context.Context, clientID string) (OAuthClient, error)

	CreateAuthorizationCode(ctx context.Context, c AuthorizationCode) (AuthorizationCode, error)
	// RedeemAuthorizationCode marks the code used at `at` and returns it.
	// A code that is unknown, or expired at `at`, is ErrNotFound. A code
	// used before is ErrConflict, and the code is returned with the error
	// so that the caller can revoke its grant. Of concurrent redemptions
	// exactly one succeeds.
	RedeemAuthorizationCode(ctx context.Context, hash []byte, at time.Time) (AuthorizationCode, error)

	CreateRefreshToken(ctx context.Context, t RefreshToken) (RefreshToken, error)
	// RefreshToken returns an unused refresh token unexpired at `at`
	// (ErrNotFound otherwise).
	RefreshToken(ctx context.Context, hash []byte, at time.Time) (RefreshToken, error)
	// RedeemRefreshToken is RedeemAuthorizationCode for refresh tokens.
	RedeemRefreshToken(ctx context.Context, hash []byte, at time.Time) (RefreshToken, error)

	// RevokeGrant deletes every access token and refresh token of a grant
	// and reports how many there were.
	RevokeGrant(ctx context.Context, grantID string) (int64, error)
	// DeleteExpiredOAuth deletes refresh tokens expired at now and
	// authorization codes expired a day before now (used codes are kept
	// that long so that a replay still revokes the grant's tokens).
	DeleteExpiredOAuth(ctx context.Context, now time.Time) (int64, error)
}
