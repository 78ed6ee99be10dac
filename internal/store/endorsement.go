package store

import (
	"context"
	"time"
)

// Endorsement directions: one an organization issued here, or one issued
// elsewhere that an organization attached to its own achievement or
// profile.
const (
	EndorsementGiven    = "given"
	EndorsementReceived = "received"
)

// Endorsement subject kinds.
const (
	EndorsedAchievement = "achievement"
	EndorsedProfile     = "profile"
)

// Endorsement is an Open Badges 3.0 EndorsementCredential kept by the
// server. OrgID is the organization that holds it: the endorser for a
// given one (signed here), the endorsed organization for a received one
// (signed elsewhere, attached by it). SubjectID is the credentialSubject id
// exactly as in the document; SubjectOrgID and SubjectAchievementID name
// the organization and catalog achievement of this server it endorses,
// "" for an external subject.
type Endorsement struct {
	ID                   string // the credential's id
	OrgID                string
	Direction            string // EndorsementGiven or EndorsementReceived
	SubjectKind          string // EndorsedAchievement or EndorsedProfile
	SubjectID            string
	SubjectOrgID         string
	SubjectAchievementID string
	SubjectName          string // for listings
	EndorserID           string // the issuer id in the document
	EndorserName         string
	Comment              string // endorsementComment
	Document             string // the secured credential, byte for byte
	IssuedAt             time.Time
	ValidFrom            time.Time
	ValidUntil           *time.Time
	CreatedBy            string
	CreatedAt            time.Time
}

// EndorsementQuery filters endorsements; zero fields do not filter, and
// SubjectIDs matches any of its ids. Results are newest first.
type EndorsementQuery struct {
	OrgID                string
	Direction            string
	SubjectIDs           []string
	SubjectOrgID         string
	SubjectAchievementID string
	SubjectKind          string // EndorsedAchievement or EndorsedProfile; "" for both
	Limit                int    // default 100, at most 1000
	Offset               int
}

// EndorsementStore keeps endorsements. A given endorsement is withdrawn
// through its status list entry (StatusStore), like any credential; a
// received one is removed by the organization that attached it.
type EndorsementStore interface {
	// InsertEndorsement stores e; ErrConflict when its id is stored
	// already (the same credential attached twice).
	InsertEndorsement(ctx context.Context, e Endorsement) (Endorsement, error)
	Endorsement(ctx context.Context, id string) (Endorsement, error)
	ListEndorsements(ctx context.Context, q EndorsementQuery) ([]Endorsement, error)
	// DeleteEndorsement removes a received endorsement of the
	// organization; ErrNotFound for any other.
	DeleteEndorsement(ctx context.Context, orgID, id string) error
}
