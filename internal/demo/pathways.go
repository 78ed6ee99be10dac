package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/pathway/progress"
	"github.com/microcred/microcred/internal/store"
)

// Demo pathways of the university. The programme stacks its own modules
// and the provider's Data Analytics Professional Certificate, counted by
// its ACE credit recommendation; the specialist pathway nests the
// programme; the degree scheme turns the same credentials into US
// semester credit hours with the usual 18-hour cap on micro-credentials.
const (
	demoProgramme = `{
  "id": "applied-data-science",
  "name": "Applied Data Science Programme",
  "description": "Statistics, one advanced module and an industry certificate stack into the Applied Data Science Programme Certificate.",
  "award": {"achievementId": "applied-data-science-programme", "name": "Applied Data Science Programme Certificate", "review": true},
  "root": {"kind": "allOf", "rules": [
    {"id": "statistics", "label": "Statistics for Data Science", "kind": "credential",
     "match": {"issuer": "org:demo-university", "achievement": "statistics-for-data-science"}},
    {"id": "advanced", "label": "One advanced module", "kind": "nOf", "n": 1, "rules": [
      {"id": "ml", "kind": "credential", "match": {"issuer": "org:demo-university", "achievement": "machine-learning-in-practice"}},
      {"id": "engineering", "kind": "credential", "match": {"issuer": "org:demo-university", "achievement": "data-engineering-and-governance"}}]},
    {"id": "industry", "label": "An industry certificate worth 6 ECTS", "kind": "minCredits", "minCredits": 6, "unit": "ECTS", "rules": [
      {"id": "ace", "label": "Northwind Academy certificates with an ACE recommendation", "kind": "credential",
       "match": {"framework": "ACE", "minAmount": 3, "issuers": ["org:northwind-academy"]}}]}]}
}`
	demoSpecialist = `{
  "id": "cloud-data-specialist",
  "name": "Cloud Data Specialist",
  "description": "The Applied Data Science Programme followed by Northwind Academy's Cloud Data Engineering Certificate.",
  "root": {"kind": "allOf", "rules": [
    {"id": "programme", "label": "Applied Data Science Programme", "kind": "pathway", "pathway": "applied-data-science"},
    {"id": "cloud", "label": "Cloud Data Engineering Certificate", "kind": "credential", "prerequisites": ["programme"],
     "match": {"issuer": "org:northwind-academy", "achievement": "cloud-data-engineering-certificate"}}]}
}`
	demoDegree = `{
  "id": "bsc-data-science",
  "name": "BSc Data Science",
  "description": "Credit towards the BSc Data Science for micro-credentials, ours and other providers'.",
  "unit": "SCH",
  "rules": [
    {"id": "northwind-analytics", "label": "Northwind Data Analytics Professional Certificate", "course": "DATA 150", "courseTitle": "Introduction to Data Analytics",
     "group": "micro-credentials", "match": {"issuer": "org:northwind-academy", "achievement": "data-analytics-professional-certificate"}},
    {"id": "northwind-cloud", "label": "Northwind Cloud Data Engineering Certificate", "course": "CLD 310", "courseTitle": "Cloud Data Engineering",
     "group": "micro-credentials", "match": {"issuer": "org:northwind-academy", "achievement": "cloud-data-engineering-certificate"}},
    {"id": "statistics", "label": "Statistics for Data Science", "course": "STAT 210", "courseTitle": "Applied Statistics", "credits": 3,
     "group": "micro-credentials", "match": {"issuer": "org:demo-university", "achievement": "statistics-for-data-science"}},
    {"id": "ml", "label": "Machine Learning in Practice", "course": "DATA 320", "courseTitle": "Machine Learning", "credits": 3,
     "group": "micro-credentials", "match": {"issuer": "org:demo-university", "achievement": "machine-learning-in-practice"}},
    {"id": "engineering", "label": "Data Engineering and Governance", "course": "DATA 330", "courseTitle": "Data Engineering", "credits": 3,
     "group": "micro-credentials", "match": {"issuer": "org:demo-university", "achievement": "data-engineering-and-governance"}},
    {"id": "other-ace", "label": "Other certificates with an ACE recommendation", "maxAgeDays": 3650, "group": "micro-credentials",
     "match": {"framework": "ACE", "minAmount": 1, "levels": ["lower-division baccalaureate", "upper-division baccalaureate"]}},
    {"id": "ncrf", "label": "Certificates with an NCrF recommendation", "maxAgeDays": 3650, "group": "micro-credentials",
     "match": {"framework": "NCrF", "minAmount": 1}}],
  "caps": [{"group": "micro-credentials", "max": 18, "label": "at most 18 credit hours from micro-credentials towards one degree"}]
}`
)

// demoStages gives four learners the credentials that put them at
// different stages of the programme (their other demo credentials come
// on top): learner 0 keeps what the demo gave them, two of three
// requirements; learner 1 completes the programme; learner 2 holds only
// the industry certificate (credit, one requirement); learner 3
// completes both pathways and reaches the credit cap.
var demoStages = map[int][]struct{ org, slug string }{
	1: {{UniversitySlug, "statistics-for-data-science"}, {UniversitySlug, "machine-learning-in-practice"}, {ProviderSlug, "data-analytics-professional-certificate"}},
	2: {{ProviderSlug, "data-analytics-professional-certificate"}},
	3: {{UniversitySlug, "statistics-for-data-science"}, {UniversitySlug, "data-engineering-and-governance"},
		{ProviderSlug, "data-analytics-professional-certificate"}, {ProviderSlug, "cloud-data-engineering-certificate"}},
}

// A cohort of twelve more learners completed the programme this year
// (half with the machine-learning module, half with data engineering) and
// the registrar approved their awards, so that the impact report's
// stacking flow has bands of at least five learners to show; learners 1
// and 3 still wait for review.
const demoCohortFirst, demoCohortSize = 10, 12

// demoStage is the credentials learner i is given for the pathways.
func demoStage(i int) []struct{ org, slug string } {
	if st, ok := demoStages[i]; ok {
		return st
	}
	if i < demoCohortFirst || i >= demoCohortFirst+demoCohortSize {
		return nil
	}
	advanced := "machine-learning-in-practice"
	if i-demoCohortFirst >= 6 {
		advanced = "data-engineering-and-governance"
	}
	return []struct{ org, slug string }{{UniversitySlug, "statistics-for-data-science"}, {UniversitySlug, advanced},
		{ProviderSlug, "data-analytics-professional-certificate"}}
}

// pathways defines the demo pathways and credit scheme, issues the
// credentials of demoStages and records every learner's progress.
func (s *seeder) pathways(ctx context.Context, orgs []*demoOrg) error {
	uni := orgs[0]
	ps := &progress.Service{Store: s.st, IssuerID: s.svc.IssuerID, AchievementURL: s.svc.AchievementURL}
	for _, d := range []struct {
		kind store.PathwayKind
		doc  string
	}{{store.PathwayKindPathway, demoProgramme}, {store.PathwayKindPathway, demoSpecialist}, {store.PathwayKindScheme, demoDegree}} {
		if _, err := ps.Define(ctx, uni.org, d.kind, []byte(d.doc), uni.owner.ID); err != nil {
			return fmt.Errorf("defining the demo %s: %w", d.kind, err)
		}
	}
	bySlug := map[string]*demoOrg{}
	for _, o := range orgs {
		bySlug[o.org.Slug] = o
	}
	names := catalog.DemoLearnerNames(LearnerCount)
	for i := 0; i < len(names) && i < demoCohortFirst+demoCohortSize; i++ {
		if demoStage(i) == nil {
			continue
		}
		email := learnerEmail(names[i], i)
		for k, want := range demoStage(i) {
			o := bySlug[want.org]
			var achID string
			for _, e := range o.entries {
				if e.Achievement.Slug == want.slug {
					achID = e.Achievement.ID
				}
			}
			if achID == "" {
				return fmt.Errorf("the demo catalog of %s has no %s", want.org, want.slug)
			}
			issued := s.now.AddDate(0, 0, -(20 + 40*k)).Truncate(time.Hour)
			req := issue.Request{OrgID: o.org.ID, AchievementID: achID, RecipientEmail: email, RecipientName: names[i],
				ValidFrom: issued, IdempotencyKey: fmt.Sprintf("demo-pathway-%d-%d", i, k), Actor: o.owner.ID, Notify: true}
			if o.org.Slug == ProviderSlug {
				req.ValidUntil = issued.AddDate(3, 0, 0)
			}
			c, _, err := s.svc.Issue(ctx, req)
			if err != nil {
				return fmt.Errorf("issuing %s to %s: %w", want.slug, email, err)
			}
			s.res.Credentials++
			s.res.CredentialIDs = append(s.res.CredentialIDs, c.ID)
		}
		u, err := s.st.UserByEmail(ctx, email)
		if err != nil {
			return fmt.Errorf("looking up %s: %w", email, err)
		}
		if _, err := s.st.LinkLearnerCredentials(ctx, email, u.ID); err != nil {
			return fmt.Errorf("linking the credentials of %s: %w", email, err)
		}
	}
	l, err := ps.Load(ctx)
	if err != nil {
		return fmt.Errorf("loading the demo pathways: %w", err)
	}
	if _, err := l.Recompute(ctx, s.now); err != nil {
		return fmt.Errorf("recording the demo learners' progress: %w", err)
	}
	// The programme asks for review: its completions wait for the
	// registrar on the admin pathways page.
	if _, err := l.Award(ctx, s.svc, s.svc.BaseURL); err != nil {
		return fmt.Errorf("queueing the demo awards: %w", err)
	}
	for i := demoCohortFirst; i < len(names) && i < demoCohortFirst+demoCohortSize; i++ {
		c, err := l.ApproveAward(ctx, s.svc, s.svc.BaseURL, uni.org, "applied-data-science", store.EmailKey(learnerEmail(names[i], i)), uni.owner.ID)
		if err != nil {
			return fmt.Errorf("approving the demo award of learner %d: %w", i, err)
		}
		s.res.Credentials++
		s.res.CredentialIDs = append(s.res.CredentialIDs, c.ID)
	}
	return nil
}
