package store

import (
	"context"
	"time"
)

// Store is the persistence interface. Every method takes a context first and
// returns errors wrapping ErrNotFound, ErrConflict or ErrInvalid where those
// apply. Create methods fill in a missing ID and CreatedAt and return the
// record as stored.
//
// A Store is safe for concurrent use. The Store handed to WithTx's function
// is bound to one transaction and must not outlive it.
type Store interface {
	StatusStore
	BulkStore
	OAuthStore
	InvitationStore
	AccountStore
	EvidenceStore
	AnalyticsStore
	WalletStore
	PathwayStore
	CredentialSearcher
	EndorsementStore
	// WithTx runs fn inside one database transaction and commits when fn
	// returns nil; any error (or panic) rolls back everything fn wrote.
	// fn must use only the Store it is given: on SQLite, writing through the
	// outer Store from inside fn waits for the connection fn holds and
	// deadlocks. Nested WithTx calls use savepoints, so an inner failure
	// undoes only the inner work when the outer fn chooses to continue.
	WithTx(ctx context.Context, fn func(Store) error) error
	// Migrate applies the embedded schema migrations not yet recorded in
	// schema_migrations, each in its own transaction. It is idempotent and
	// safe to run from several processes at once.
	Migrate(ctx context.Context) error
	// Close releases the database handles. It is an error inside WithTx.
	Close() error

	// Organizations.
	CreateOrganization(ctx context.Context, o Organization) (Organization, error)
	Organization(ctx context.Context, id string) (Organization, error)
	OrganizationBySlug(ctx context.Context, slug string) (Organization, error)
	UpdateOrganization(ctx context.Context, o Organization) error
	ListOrganizations(ctx context.Context) ([]Organization, error)

	// Users and memberships.
	CreateUser(ctx context.Context, u User) (User, error)
	User(ctx context.Context, id string) (User, error)
	UserByEmail(ctx context.Context, email string) (User, error)
	UpdateUser(ctx context.Context, u User) error
	DeleteUser(ctx context.Context, id string) error
	AddMembership(ctx context.Context, m Membership) (Membership, error)
	Membership(ctx context.Context, orgID, userID string) (Membership, error)
	SetMembershipRole(ctx context.Context, orgID, userID string, role Role) error
	RemoveMembership(ctx context.Context, orgID, userID string) error
	ListOrgMembers(ctx context.Context, orgID string) ([]Membership, error)
	ListUserMemberships(ctx context.Context, userID string) ([]Membership, error)

	// Sessions. Session returns ErrNotFound for an expired session.
	CreateSession(ctx context.Context, s Session) (Session, error)
	Session(ctx context.Context, id []byte) (Session, error)
	DeleteSession(ctx context.Context, id []byte) error
	DeleteUserSessions(ctx context.Context, userID string) (int64, error)
	DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error)

	// OAuth 2.0 clients and access tokens. AccessToken returns ErrNotFound
	// for an expired token.
	CreateAPIClient(ctx context.Context, c APIClient) (APIClient, error)
	APIClient(ctx context.Context, clientID string) (APIClient, error)
	ListAPIClients(ctx context.Context, orgID string) ([]APIClient, error)
	DeleteAPIClient(ctx context.Context, clientID string) error
	CreateAccessToken(ctx context.Context, t AccessToken) (AccessToken, error)
	AccessToken(ctx context.Context, hash []byte) (AccessToken, error)
	DeleteAccessToken(ctx context.Context, hash []byte) error
	DeleteExpiredAccessTokens(ctx context.Context, now time.Time) (int64, error)

	// Signing keys. ActiveSigningKey is the newest key of the organization
	// that is not retired.
	CreateSigningKey(ctx context.Context, k SigningKey) (SigningKey, error)
	SigningKey(ctx context.Context, id string) (SigningKey, error)
	SigningKeyByVerificationMethod(ctx context.Context, vm string) (SigningKey, error)
	ActiveSigningKey(ctx context.Context, orgID string) (SigningKey, error)
	ListSigningKeys(ctx context.Context, orgID string) ([]SigningKey, error)
	RetireSigningKey(ctx context.Context, id string, at time.Time) error

	// Catalog. CreateAchievement stores version 1; AddAchievementVersion
	// allocates the next version number in the database and makes it
	// current.
	CreateAchievement(ctx context.Context, a Achievement, v AchievementVersion) (CatalogEntry, error)
	AddAchievementVersion(ctx context.Context, achievementID string, v AchievementVersion) (AchievementVersion, error)
	Achievement(ctx context.Context, id string) (Achievement, error)
	AchievementBySlug(ctx context.Context, orgID, slug string) (Achievement, error)
	AchievementVersion(ctx context.Context, achievementID string, version int) (AchievementVersion, error)
	ListAchievementVersions(ctx context.Context, achievementID string) ([]AchievementVersion, error)
	SearchAchievements(ctx context.Context, q AchievementQuery) ([]CatalogEntry, error)

	// Credentials. InsertCredential is idempotent per (OrgID,
	// IdempotencyKey): when the key is already used it stores nothing and
	// returns the existing credential with existed set.
	InsertCredential(ctx context.Context, c Credential) (stored Credential, existed bool, err error)
	Credential(ctx context.Context, id string) (Credential, error)
	CredentialByIdempotencyKey(ctx context.Context, orgID, key string) (Credential, error)
	ListCredentials(ctx context.Context, q CredentialQuery) ([]Credential, error)
	// CountCredentials counts the credentials ListCredentials would return
	// for q without its Limit and Offset, for paging.
	CountCredentials(ctx context.Context, q CredentialQuery) (int64, error)
	SetCredentialPrivate(ctx context.Context, id string, private bool) error
	LinkLearnerCredentials(ctx context.Context, email, learnerID string) (int64, error)

	// Mail outbox. ClaimMail leases up to limit unsent messages for the
	// given duration, so that several nodes never send the same message at
	// once; a message whose lease ran out is claimable again.
	// MarkMailFailed records a failed attempt and holds the message back
	// until retryAt (the caller's back-off). After MaxMailAttempts failures
	// a message is no longer offered.
	EnqueueMail(ctx context.Context, m Mail) (Mail, error)
	ClaimMail(ctx context.Context, limit int, lease time.Duration) ([]Mail, error)
	MarkMailSent(ctx context.Context, id int64, at time.Time) error
	MarkMailFailed(ctx context.Context, id int64, sendErr string, retryAt time.Time) error
	// ListMail returns up to limit messages of the outbox, sent or not,
	// newest first (the demo outbox page and operators read it).
	ListMail(ctx context.Context, limit int) ([]Mail, error)
	// ListOrgMail is ListMail restricted to one organization's messages.
	ListOrgMail(ctx context.Context, orgID string, limit int) ([]Mail, error)
	// OutboxDepth counts the messages still to send: unsent and not yet
	// given up on (fewer than MaxMailAttempts failures). Metrics read it.
	OutboxDepth(ctx context.Context) (int64, error)

	// Audit log, append-only: there is no update or delete, and the schema
	// refuses both.
	AppendAudit(ctx context.Context, e AuditEvent) (AuditEvent, error)
	ListAudit(ctx context.Context, q AuditQuery) ([]AuditEvent, error)

	LogStore
}
