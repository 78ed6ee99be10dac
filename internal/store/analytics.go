package store

import (
	"context"
	"time"
)

// Event is one thing that happened to a credential or an application, for
// the impact report. Dim qualifies the kind (a share channel, a
// verification source, a pulse answer); Domain is a third-party verifier's
// domain when known; Value carries a number (days to award, credits).
type Event struct {
	OrgID, AchievementID, CredentialID string
	Kind, Dim, Domain                  string
	Value                              float64
	// Once makes the event count once per credential and kind (the first
	// claim, share or third-party verification): it is recorded, and its
	// "first." rollup counted, only the first time.
	Once bool
	At   time.Time
}

// Rollup is a count (and a sum of values) of one kind of event on one UTC
// day, per organization and achievement ("" for events of none).
type Rollup struct {
	OrgID, AchievementID string
	Day                  string // YYYY-MM-DD, or YYYY-MM from RollupsByMonth
	Kind, Dim            string
	N                    int64
	Total                float64
}

// RollupQuery selects rollups of an organization between two days
// (inclusive From, exclusive To, both YYYY-MM-DD); AchievementID "" means
// every achievement.
type RollupQuery struct {
	OrgID, AchievementID string
	From, To             string
}

// AnalyticsStore records events and reads their rollups.
type AnalyticsStore interface {
	// RecordEvent appends e and counts it in the rollups, atomically.
	// A Once event already recorded for its credential is ignored.
	RecordEvent(ctx context.Context, e Event) error
	// AddRollups adds pre-counted rollups (issuance adds one per
	// organization, achievement and day of each committed batch).
	AddRollups(ctx context.Context, rs []Rollup) error
	// RollupsByMonth returns the matching rollups summed per achievement,
	// month (Day holds YYYY-MM), kind and dim.
	RollupsByMonth(ctx context.Context, q RollupQuery) ([]Rollup, error)
	// VerifierDomains counts the distinct third-party verifier domains per
	// achievement in the range, and under the key "*" over all of them.
	VerifierDomains(ctx context.Context, q RollupQuery) (map[string]int, error)
	// ExpiredCredentials calls fn, in order of expiry, for each credential
	// whose validUntil falls in (after, upTo].
	ExpiredCredentials(ctx context.Context, after, upTo time.Time, fn func(ExpiredCredential) error) error
}

// ExpiredCredential is a credential that reached its validUntil.
type ExpiredCredential struct {
	ID, OrgID, AchievementID string
	ValidUntil               time.Time
}
