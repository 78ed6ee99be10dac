package store

import (
	"context"
	"encoding/json"
	"time"
)

// PathwayKind is the kind of a pathway definition.
type PathwayKind string

// Pathway definition kinds: a stacking pathway or a credit articulation
// scheme (see internal/pathway).
const (
	PathwayKindPathway PathwayKind = "pathway"
	PathwayKindScheme  PathwayKind = "scheme"
)

// Valid reports whether k is a pathway definition kind.
func (k PathwayKind) Valid() bool { return k == PathwayKindPathway || k == PathwayKindScheme }

// PathwayDefinition is one immutable version of a pathway or scheme of an
// organization. Slug is the definition's id within the organization and
// kind; Document is its JSON; Name is extracted by the caller for
// listings.
type PathwayDefinition struct {
	OrgID     string
	Kind      PathwayKind
	Slug      string
	Version   int // allocated by SavePathwayDefinition
	Name      string
	Document  json.RawMessage
	CreatedBy string
	CreatedAt time.Time
}

// Award states of a pathway's stacked credential.
const (
	AwardNone   = ""
	AwardReview = "review" // waiting for a registrar's decision
	AwardIssued = "issued"
)

// PathwayProgress is the last computed progress of one learner, known by
// the email key (EmailKey) their credentials are addressed to, along one
// pathway.
type PathwayProgress struct {
	OrgID      string
	Pathway    string // the pathway's slug
	LearnerKey string
	Version    int // the pathway version computed against
	Progress   float64
	Complete   bool
	Used       []string // the credentials the result rests on
	// AwardState and AwardCredentialID are kept by SetPathwayAward;
	// SavePathwayProgress leaves them alone.
	AwardState        string
	AwardCredentialID string
	UpdatedAt         time.Time
}

// PathwayProgressQuery filters progress rows; zero fields do not filter.
// Results are ordered by organization, pathway and learner key.
type PathwayProgressQuery struct {
	OrgID        string
	Pathway      string
	LearnerKey   string
	AwardState   string // AwardReview or AwardIssued
	CompleteOnly bool
	Limit        int // default 100, at most 10000
	Offset       int
}

// CredentialFact is what an audit needs of a stored credential, without
// its document: the learner, the achievement, the dates and whether its
// issuer revoked or suspended it.
type CredentialFact struct {
	ID                 string
	OrgID              string
	AchievementID      string
	AchievementVersion int
	LearnerKey         string // EmailKey of the recipient email
	IssuedAt           time.Time
	ValidFrom          time.Time
	ValidUntil         *time.Time
	Revoked            bool
	Suspended          bool
}

// PathwayStore keeps pathway definitions, learners' progress, and reads
// credentials in the shape audits need.
type PathwayStore interface {
	// SavePathwayDefinition stores d as the next version of its
	// definition (version 1 when new), allocating the number in the
	// database, and returns it as stored.
	SavePathwayDefinition(ctx context.Context, d PathwayDefinition) (PathwayDefinition, error)
	// PathwayDefinition returns one version (0: the current one).
	PathwayDefinition(ctx context.Context, orgID string, kind PathwayKind, slug string, version int) (PathwayDefinition, error)
	// ListPathwayDefinitions returns the current version of each
	// definition of kind of the organization ("" for every organization),
	// ordered by organization and slug.
	ListPathwayDefinitions(ctx context.Context, orgID string, kind PathwayKind) ([]PathwayDefinition, error)
	// ListPathwayDefinitionVersions returns every version, newest first.
	ListPathwayDefinitionVersions(ctx context.Context, orgID string, kind PathwayKind, slug string) ([]PathwayDefinition, error)

	// SavePathwayProgress creates or updates progress rows, leaving their
	// award state alone. DeletePathwayProgress removes the rows of a
	// learner for pathways not in keep (they have no progress any more).
	SavePathwayProgress(ctx context.Context, rows []PathwayProgress) error
	DeletePathwayProgress(ctx context.Context, orgID, learnerKey string, keep []string) error
	// PrunePathwayProgress removes the rows without an award that were
	// last saved before the given time: after a full recomputation, the
	// learners who no longer have progress on a pathway.
	PrunePathwayProgress(ctx context.Context, before time.Time) (int64, error)
	ListPathwayProgress(ctx context.Context, q PathwayProgressQuery) ([]PathwayProgress, error)
	// SetPathwayAward moves a progress row's award state from one of from
	// to state; ErrConflict when the row is in another state (two nodes
	// awarding the same completion), ErrNotFound when there is no row.
	SetPathwayAward(ctx context.Context, orgID, pathway, learnerKey, state, credentialID string, from ...string) error

	// CredentialFacts calls fn for the credentials of the learner key
	// (every credential when learnerKey is ""), ordered by learner key,
	// then issue time and id, so that a learner's credentials arrive
	// together.
	CredentialFacts(ctx context.Context, learnerKey string, fn func(CredentialFact) error) error
}
