package store

import (
	"context"
	"encoding/json"
	"time"
)

// EvidenceRequirement is what an achievement asks applicants to submit;
// Document is an evidence.Requirement as JSON (the store does not read it).
type EvidenceRequirement struct {
	AchievementID string
	OrgID         string
	Document      json.RawMessage
	UpdatedAt     time.Time
}

// Application is a learner's request for an evidence-based credential.
type Application struct {
	ID            string
	OrgID         string
	AchievementID string
	LearnerID     string
	State         string // an evidence.State
	Statement     string
	Links         []string
	AssignedTo    string // reviewer user id, "" when unassigned
	CredentialID  string // set on approval
	CreatedAt     time.Time
	UpdatedAt     time.Time
	SubmittedAt   *time.Time
}

// ApplicationQuery filters applications; zero fields do not filter.
type ApplicationQuery struct {
	OrgID, LearnerID, AchievementID, State, AssignedTo string
	Limit, Offset                                      int // default 100, at most 1000
}

// ApplicationFile is an uploaded file of an application; its content is
// stored once per SHA-256.
type ApplicationFile struct {
	ID            string
	ApplicationID string
	Name          string
	MediaType     string
	Size          int64
	SHA256        []byte
	CreatedAt     time.Time
}

// Review is one reviewer action on an application: a decision or a comment.
type Review struct {
	ID            string
	ApplicationID string
	ReviewerID    string
	Action        string // an evidence.Action, or "comment" / "assign"
	Comment       string
	Scores        json.RawMessage // {criterion id: level index}, or nil
	Points        *int
	CreatedAt     time.Time
}

// EvidenceStore keeps requirements, applications, their files and reviews.
type EvidenceStore interface {
	// PutEvidenceRequirement creates or replaces the requirement of an
	// achievement.
	PutEvidenceRequirement(ctx context.Context, r EvidenceRequirement) error
	EvidenceRequirement(ctx context.Context, achievementID string) (EvidenceRequirement, error)
	DeleteEvidenceRequirement(ctx context.Context, achievementID string) error

	CreateApplication(ctx context.Context, a Application) (Application, error)
	Application(ctx context.Context, id string) (Application, error)
	// UpdateApplication writes a's state, statement, links, assignment,
	// credential and times, provided the stored state is still fromState;
	// otherwise it fails with ErrConflict, so two reviewers deciding at
	// once cannot both win.
	UpdateApplication(ctx context.Context, a Application, fromState string) error
	// ListApplications returns matching applications, those submitted
	// longest ago first, then the newest drafts.
	ListApplications(ctx context.Context, q ApplicationQuery) ([]Application, error)

	// AddApplicationFile stores data (once per SHA-256) and records the
	// file; f.SHA256 and f.Size are computed here.
	AddApplicationFile(ctx context.Context, f ApplicationFile, data []byte) (ApplicationFile, error)
	ApplicationFiles(ctx context.Context, applicationID string) ([]ApplicationFile, error)
	// ApplicationFileData returns a file of the application with its
	// content.
	ApplicationFileData(ctx context.Context, applicationID, fileID string) (ApplicationFile, []byte, error)
	DeleteApplicationFile(ctx context.Context, applicationID, fileID string) error

	AddReview(ctx context.Context, r Review) (Review, error)
	ListReviews(ctx context.Context, applicationID string) ([]Review, error)
}
