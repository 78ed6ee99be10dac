package store

import (
	"encoding/json"
	"time"
)

// DIDMethod is the DID method an organization's issuer identifier uses.
type DIDMethod string

// DID methods an organization may use.
const (
	DIDWeb DIDMethod = "web"
	DIDKey DIDMethod = "key"
)

// Organization is an issuing institution or provider.
type Organization struct {
	ID          string
	Slug        string // unique, [a-z0-9-]
	Name        string
	URL         string
	Email       string
	Description string
	ImageURL    string
	Country     string    // ISO 3166-1 alpha-2, as supplied
	DIDMethod   DIDMethod // "web" when empty
	CreatedAt   time.Time
	// Suspension: credentials issued from now on get a second
	// credentialStatus entry, for suspension, besides the revocation one.
	// Off by default, because Open Badges 3.0 allows one entry (0..1).
	Suspension bool
}

// User is a person who signs in: staff of an organization, a learner, or both.
type User struct {
	ID           string
	Email        string // unique without regard to case
	Name         string
	PasswordHash string // argon2id PHC string, produced by the caller
	IsLearner    bool
	CreatedAt    time.Time
	// DisabledAt is set when an operator disabled the account: it cannot
	// sign in and its sessions end.
	DisabledAt *time.Time
}

// Role is a user's role within one organization.
type Role string

// Roles, from most to least privileged.
const (
	RoleOwner    Role = "owner"
	RoleIssuer   Role = "issuer"
	RoleReviewer Role = "reviewer"
	RoleViewer   Role = "viewer"
)

// Membership gives a user a role in an organization; at most one per pair.
type Membership struct {
	OrgID     string
	UserID    string
	Role      Role
	CreatedAt time.Time
}

// Session is a signed-in browser session. ID is the SHA-256 digest of the
// cookie token: a leaked database cannot be replayed as cookies.
type Session struct {
	ID         []byte // 32 bytes, SHA-256 of the cookie token
	UserID     string
	CSRFSecret []byte
	CreatedAt  time.Time
	ExpiresAt  time.Time
}

// APIClient is an OAuth 2.0 client-credentials client of one organization.
type APIClient struct {
	ClientID   string
	SecretHash []byte // produced by the caller
	OrgID      string
	Name       string
	Scopes     []string // scope tokens; none may contain spaces
	CreatedAt  time.Time
}

// AccessToken is an issued OAuth 2.0 bearer token, stored by digest only.
// A client credentials token acts for its client's organization and has
// no OrgID, UserID or GrantID; a token of the authorization code grant
// carries the organization and user that authorized the client and the
// grant it came from (see AuthorizationCode).
type AccessToken struct {
	Hash      []byte // 32 bytes, SHA-256 of the bearer token
	ClientID  string
	Scopes    []string
	CreatedAt time.Time
	ExpiresAt time.Time
	OrgID     string
	UserID    string
	GrantID   string
}

// SigningKey is an issuer key. The private half arrives already sealed by the
// caller (envelope encryption); the store never sees it in the clear. A
// retired key is no longer used to sign but stays listed so that credentials
// it signed still verify.
type SigningKey struct {
	ID                 string
	OrgID              string
	VerificationMethod string // verification method URL, unique
	PublicKeyMultibase string
	SealedPrivateKey   []byte
	Suite              string // cryptosuite hint, e.g. "eddsa-rdfc-2022"
	CreatedAt          time.Time
	RetiredAt          *time.Time
}

// Achievement is a catalog entry. Its content lives in numbered versions; a
// credential records the version it was issued under.
type Achievement struct {
	ID             string
	OrgID          string
	Slug           string // optional; unique per organization when set
	CurrentVersion int
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// AchievementVersion is one immutable revision of an achievement. Document is
// the full catalog entry (OB 3.0 Achievement, EU micro-credential elements,
// credit recommendations, skills); the other fields are extracted from it by
// the caller so the catalog can be filtered without parsing JSON.
type AchievementVersion struct {
	AchievementID    string
	Version          int
	Document         json.RawMessage
	Name             string
	Description      string
	EQFLevel         int     // 0 when not set, else 1..8
	NSQFLevel        int     // 0 when not set, else 1..10 (NSQF has levels 1..8; 4.5 style levels are rounded by the caller)
	ECTS             float64 // 0 when not set
	CreditFrameworks []string
	Skills           []string // skill URIs (ESCO) or codes (O*NET-SOC)
	CreatedAt        time.Time
}

// CatalogEntry is an achievement together with its current version, as
// returned by catalog search.
type CatalogEntry struct {
	Achievement Achievement
	Version     AchievementVersion
}

// AchievementQuery filters catalog search. Zero fields do not filter. Only
// the current version of each achievement is searched.
type AchievementQuery struct {
	OrgID           string // provider
	Text            string // case-insensitive substring of name or description
	EQFLevel        int
	NSQFLevel       int
	Skill           string // exact skill URI or code
	CreditFramework string // exact framework name, e.g. "ECTS"
	Limit           int    // default 100, at most 1000
	Offset          int
	// ExcludeSlugs leaves out the achievements with these slugs (the
	// issuer's bookkeeping entries, which are not part of the catalog).
	ExcludeSlugs []string
}

// Format is the securing mechanism of a stored credential.
type Format string

// Credential formats.
const (
	FormatLDPRDFC Format = "ldp-rdfc" // Data Integrity eddsa-rdfc-2022
	FormatLDPJCS  Format = "ldp-jcs"  // Data Integrity eddsa-jcs-2022
	FormatJWT     Format = "jwt"      // VC-JOSE-COSE
)

// Credential is an issued, secured credential.
type Credential struct {
	ID                 string // the credential's id: a URL or urn:uuid
	OrgID              string
	AchievementID      string
	AchievementVersion int
	LearnerID          string // "" when no account is linked
	RecipientEmail     string
	RecipientName      string
	Format             Format
	Document           string // the secured credential, byte for byte
	IssuedAt           time.Time
	ValidFrom          time.Time // IssuedAt when zero
	ValidUntil         *time.Time
	Private            bool   // hidden by the learner from public pages
	Replaces           string // id of the credential this one renews, or ""
	IdempotencyKey     string // unique per organization when set
	// SharedPart, when set, is a stretch of Document that many credentials
	// share byte for byte — the achievement they embed, several kilobytes
	// of each one — starting at byte SharedAt. It is a hint for inserts: a
	// store may keep the stretch once instead of in every row. Document is
	// still the whole document, and reads return it whole; a hint that
	// does not match Document is ignored. Reads leave both fields empty.
	SharedPart string
	SharedAt   int
}

// CredentialQuery filters credential listings. Zero fields do not filter.
// Results are ordered by issue time, newest first.
type CredentialQuery struct {
	OrgID          string
	LearnerID      string
	RecipientEmail string // matched without regard to case
	AchievementID  string
	PublicOnly     bool // leave out credentials the learner made private
	Limit          int  // default 100, at most 1000
	Offset         int
}

// MaxMailAttempts is how many failed sends a message gets before the outbox
// stops offering it.
const MaxMailAttempts = 10

// Mail is a message in the outbox. Mail is written in the same transaction
// as the change it reports and sent afterwards, so a rolled-back request
// sends nothing and a crash loses nothing.
type Mail struct {
	ID           int64
	OrgID        string // the organization the message is about; "" for none
	To           string
	Subject      string
	Body         string
	CreatedAt    time.Time
	SentAt       *time.Time
	Attempts     int
	Error        string    // last send error
	ClaimedUntil time.Time // zero when not claimed
}

// AuditEvent is one entry of the append-only audit log. ID is allocated by
// the database and increases with insertion order.
type AuditEvent struct {
	ID        int64
	OrgID     string // "" for events outside any organization
	Actor     string // user id, client id or "system"
	Action    string // e.g. "credential.issue"
	Target    string
	Detail    json.RawMessage // JSON object or nil
	CreatedAt time.Time
}

// AuditQuery filters the audit log. Zero fields do not filter.
type AuditQuery struct {
	OrgID      string
	Actor      string
	Action     string
	AfterID    int64 // only events with a larger id (ascending paging)
	BeforeID   int64 // only events with a smaller id (descending paging)
	Descending bool  // newest first
	Limit      int   // default 100, at most 1000
}
