package evidence

import (
	"fmt"

	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

// Approval is an approved application with what its credential says.
type Approval struct {
	App     store.Application
	Learner store.User
	OrgName string
	Files   []store.ApplicationFile
	Req     Requirement
	Scored  Scored
	// Comment is the reviewer's assessment, "" when none was written.
	Comment string
	// Actor is the reviewer who approved.
	Actor string
}

// AwardRequest is the issuance of an approved application's credential:
// the statement, links and files as Open Badges 3.0 evidence (files by
// name and digest, not by address: they stay private to the learner and
// the reviewers), the reviewer's assessment, and the rubric's score as
// results. Its idempotency key makes a retry issue nothing new.
func AwardRequest(a Approval) issue.Request {
	var ev []issue.Evidence
	if a.App.Statement != "" {
		ev = append(ev, issue.Evidence{Name: "Learner's statement", Narrative: a.App.Statement, Genre: "Statement"})
	}
	for _, l := range a.App.Links {
		ev = append(ev, issue.Evidence{ID: l, Name: "Submitted link", Genre: "Link"})
	}
	for _, f := range a.Files {
		ev = append(ev, issue.Evidence{Name: f.Name, Description: fmt.Sprintf("File submitted for review (%s, %d bytes, SHA-256 %x); held by %s.", f.MediaType, f.Size, f.SHA256, a.OrgName), Genre: "File"})
	}
	if a.Comment != "" {
		ev = append(ev, issue.Evidence{Name: "Reviewer's assessment", Narrative: a.Comment, Genre: "Assessment"})
	}
	results := []issue.Result{{Value: fmt.Sprintf("%d of %d points (pass mark %d)", a.Scored.Points, a.Scored.MaxPoints, a.Req.Rubric.PassPoints), Status: "Completed"}}
	for _, l := range a.Scored.Lines {
		results = append(results, issue.Result{Value: fmt.Sprintf("%s: %s (%d points)", l.Criterion.Name, l.Level.Name, l.Level.Points)})
	}
	return issue.Request{
		OrgID: a.App.OrgID, AchievementID: a.App.AchievementID, RecipientEmail: a.Learner.Email, RecipientName: a.Learner.Name,
		Evidence: ev, Results: results, IdempotencyKey: "application:" + a.App.ID, Actor: a.Actor, Notify: true,
	}
}
