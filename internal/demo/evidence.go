package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/microcred/microcred/internal/analytics"
	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/evidence"
	"github.com/microcred/microcred/internal/store"
)

// evidenceAchievement is the university's achievement awarded on
// submitted work rather than to a list of names.
const evidenceAchievement = "Data Visualisation Essentials"

// evidenceApplicants are the learners (by number) who apply for it; what
// became of each application, and how many days it took, is a function
// of its position.
var evidenceApplicants = []int{30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41}

// evidence gives the university an achievement awarded on evidence, with
// a rubric, and a year of applications through it: most approved after a
// review of a few days to a few weeks (their credentials issued with the
// rubric's score as results), two waiting in the reviewers' queue, one
// sent back for changes and one still a draft. The impact report then
// shows submissions, approvals and the days from application to award,
// and a reviewer signing in finds work waiting.
func (s *seeder) evidence(ctx context.Context, uni *demoOrg) error {
	var entry *store.CatalogEntry
	for i := range uni.entries {
		if uni.entries[i].Version.Name == evidenceAchievement {
			entry = &uni.entries[i]
		}
	}
	if entry == nil {
		return fmt.Errorf("the demo catalog lacks %q", evidenceAchievement)
	}
	rubric, err := evidence.ParseRubric("Question and audience: Unclear = 0; Stated = 2; Sharp and justified = 4\n"+
		"Choice of charts: Misleading = 0; Adequate = 2; Well chosen = 4\n"+
		"Accessibility: Not considered = 0; Partly = 1; Alt text, contrast and a data table = 2\n", 6)
	if err != nil {
		return fmt.Errorf("the demo rubric: %w", err)
	}
	req := evidence.Requirement{AchievementID: entry.Achievement.ID, OrgID: uni.org.ID, MaxFiles: 3, Rubric: rubric,
		Instructions: "Submit a dashboard or report you built from a public data set: a link to it, a short statement of the question it answers and for whom, and up to three files (screenshots or a PDF)."}
	if err := req.Validate(); err != nil {
		return fmt.Errorf("the demo requirement: %w", err)
	}
	doc, err := json.Marshal(req)
	if err != nil {
		return err
	}
	if err := s.st.PutEvidenceRequirement(ctx, store.EvidenceRequirement{AchievementID: entry.Achievement.ID, OrgID: uni.org.ID, Document: doc}); err != nil {
		return fmt.Errorf("saving the evidence requirement: %w", err)
	}
	names := catalog.DemoLearnerNames(LearnerCount)
	for k, i := range evidenceApplicants {
		learner, err := s.st.UserByEmail(ctx, learnerEmail(names[i], i))
		if err != nil {
			return fmt.Errorf("learner %d: %w", i, err)
		}
		if earlier, err := s.st.ListApplications(ctx, store.ApplicationQuery{LearnerID: learner.ID, AchievementID: entry.Achievement.ID, Limit: 1}); err != nil {
			return fmt.Errorf("applications of %s: %w", learner.Email, err)
		} else if len(earlier) > 0 {
			continue // a resumed seed: this one was made before
		}
		created := s.now.AddDate(0, 0, -(40 + (k*37)%300)).Truncate(time.Hour)
		submitted := created.AddDate(0, 0, 1+k%4)
		decided := submitted.AddDate(0, 0, 2+(k*5)%19)
		app := store.Application{OrgID: uni.org.ID, AchievementID: entry.Achievement.ID, LearnerID: learner.ID, CreatedAt: created,
			Statement: fmt.Sprintf("My dashboard shows %s for %s, so that they can see where to act first.",
				[]string{"hospital waiting times by region", "bus punctuality by line", "energy use of public buildings", "air quality near schools"}[k%4],
				[]string{"the regional health board", "the city's transport planners", "the facilities team", "parents and school boards"}[k%4]),
			Links: []string{fmt.Sprintf("https://portfolio.example/%s/dashboard", learnerEmail(names[i], i)[:8])}}
		state := evidence.Approved
		switch k {
		case 9:
			state = evidence.ChangesRequested
		case 8, 10: // waiting in the reviewers' queue
			state, decided = evidence.Submitted, time.Time{}
		case 11:
			state, submitted = evidence.Draft, time.Time{}
		}
		app.State = string(evidence.Draft)
		if !submitted.IsZero() {
			app.State, app.SubmittedAt = string(evidence.Submitted), &submitted
		}
		app, err = s.st.CreateApplication(ctx, app)
		if err != nil {
			return fmt.Errorf("application of %s: %w", learner.Email, err)
		}
		if !submitted.IsZero() {
			if err := analytics.Record(ctx, s.st, store.Event{OrgID: app.OrgID, AchievementID: app.AchievementID, Kind: analytics.EvidenceSubmitted, At: submitted}); err != nil {
				return err
			}
		}
		switch state {
		case evidence.ChangesRequested:
			if _, err := s.st.AddReview(ctx, store.Review{ApplicationID: app.ID, ReviewerID: uni.owner.ID, Action: string(evidence.RequestChanges), CreatedAt: decided,
				Comment: "The dashboard is clear, but it has no text alternative: add a data table or a description of each chart, then submit again."}); err != nil {
				return fmt.Errorf("reviewing %s: %w", app.ID, err)
			}
			app.State = string(state)
			if err := s.st.UpdateApplication(ctx, app, string(evidence.Submitted)); err != nil {
				return fmt.Errorf("reviewing %s: %w", app.ID, err)
			}
		case evidence.Approved:
			if err := s.approve(ctx, uni, app, learner, req, k, decided); err != nil {
				return err
			}
		}
	}
	return nil
}

// approve scores application number k, issues its credential dated at
// the decision and records the approval with the days it took.
func (s *seeder) approve(ctx context.Context, uni *demoOrg, app store.Application, learner store.User, req evidence.Requirement, k int, decided time.Time) error {
	score := evidence.Score{"c1": 1 + k%2, "c2": 2 - k%3/2, "c3": k % 3}
	scored, err := req.Rubric.Apply(score)
	if err != nil {
		return fmt.Errorf("scoring %s: %w", app.ID, err)
	}
	if !scored.Passed {
		score = evidence.Score{"c1": 2, "c2": 2, "c3": 2}
		if scored, err = req.Rubric.Apply(score); err != nil {
			return err
		}
	}
	scores, err := json.Marshal(score)
	if err != nil {
		return err
	}
	points := scored.Points
	comment := "A clear question for a named audience, and charts that answer it."
	if _, err := s.st.AddReview(ctx, store.Review{ApplicationID: app.ID, ReviewerID: uni.owner.ID, Action: string(evidence.Approve),
		Comment: comment, Scores: scores, Points: &points, CreatedAt: decided}); err != nil {
		return fmt.Errorf("reviewing %s: %w", app.ID, err)
	}
	ireq := evidence.AwardRequest(evidence.Approval{App: app, Learner: learner, OrgName: uni.org.Name, Req: req, Scored: scored, Comment: comment, Actor: uni.owner.ID})
	ireq.ValidFrom = decided
	c, _, err := s.svc.Issue(ctx, ireq)
	if err != nil {
		return fmt.Errorf("awarding %s: %w", app.ID, err)
	}
	app.State, app.CredentialID = string(evidence.Approved), c.ID
	if err := s.st.UpdateApplication(ctx, app, string(evidence.Submitted)); err != nil && !errors.Is(err, store.ErrConflict) {
		return fmt.Errorf("recording the award of %s: %w", app.ID, err)
	}
	s.res.Credentials++
	s.res.CredentialIDs = append(s.res.CredentialIDs, c.ID)
	return analytics.Record(ctx, s.st, store.Event{OrgID: app.OrgID, AchievementID: app.AchievementID, CredentialID: c.ID,
		Kind: analytics.EvidenceApproved, Value: decided.Sub(app.CreatedAt).Hours() / 24, At: decided})
}
