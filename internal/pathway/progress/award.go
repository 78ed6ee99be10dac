package progress

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/microcred/microcred/internal/analytics"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/pathway"
	"github.com/microcred/microcred/internal/store"
)

// Issuer is what awarding needs of the issue service.
type Issuer interface {
	Issue(ctx context.Context, req issue.Request) (store.Credential, bool, error)
	PublicURL(c store.Credential) string
}

// AwardStats reports an award run.
type AwardStats struct {
	Issued int `json:"issued"`
	Review int `json:"review"` // newly queued for a registrar
}

// Award acts on every completed pathway whose award is not yet given:
// pathways that ask for review queue the learner for a registrar
// (ApproveAward issues it then); the others issue the stacked credential
// at once. Progress must be current (Recompute first).
func (l *Loaded) Award(ctx context.Context, iss Issuer, base string) (AwardStats, error) {
	var st AwardStats
	for _, o := range l.Orgs {
		for _, d := range o.Pathways {
			p, ok := o.Engine.Pathway(d.Slug)
			if !ok || p.Award == nil {
				continue
			}
			for offset := 0; ; offset += 10000 {
				rows, err := l.svc.Store.ListPathwayProgress(ctx, store.PathwayProgressQuery{OrgID: o.Org.ID, Pathway: p.ID, CompleteOnly: true, Limit: 10000, Offset: offset})
				if err != nil {
					return st, fmt.Errorf("awards of %s: %w", p.ID, err)
				}
				for _, row := range rows {
					if row.AwardState != store.AwardNone {
						continue
					}
					if p.Award.Review {
						err := l.svc.Store.SetPathwayAward(ctx, o.Org.ID, p.ID, row.LearnerKey, store.AwardReview, "", store.AwardNone)
						if errors.Is(err, store.ErrConflict) {
							continue // another node queued it first
						}
						if err != nil {
							return st, err
						}
						st.Review++
						continue
					}
					if _, err := l.issueAward(ctx, iss, base, o, &p, row, "system"); err != nil {
						return st, err
					}
					st.Issued++
				}
				if len(rows) < 10000 {
					break
				}
			}
		}
	}
	return st, nil
}

// ApproveAward issues the award of a completion waiting for review, on a
// registrar's decision. The learner's progress is checked again first: a
// credential revoked since the pathway completed withdraws the award.
func (l *Loaded) ApproveAward(ctx context.Context, iss Issuer, base string, org store.Organization, pathwayID, learnerKey, actor string) (store.Credential, error) {
	o, ok := l.OrgBySlug(org.Slug)
	if !ok {
		return store.Credential{}, fmt.Errorf("approve award: %s has no pathways: %w", org.Slug, store.ErrNotFound)
	}
	p, ok := o.Engine.Pathway(pathwayID)
	if !ok || p.Award == nil {
		return store.Credential{}, fmt.Errorf("approve award: no pathway %q with an award: %w", pathwayID, store.ErrNotFound)
	}
	rows, err := l.svc.Store.ListPathwayProgress(ctx, store.PathwayProgressQuery{OrgID: org.ID, Pathway: pathwayID, LearnerKey: learnerKey, AwardState: store.AwardReview})
	if err != nil {
		return store.Credential{}, err
	}
	if len(rows) != 1 {
		return store.Credential{}, fmt.Errorf("approve award: %s has no award of %s waiting for review: %w", learnerKey, pathwayID, store.ErrNotFound)
	}
	creds, err := l.LearnerCredentials(ctx, learnerKey)
	if err != nil {
		return store.Credential{}, err
	}
	var now = l.now()
	for _, pr := range o.Engine.Progress(now, creds) {
		if pr.ID == pathwayID && pr.Complete {
			row := rows[0]
			row.Used, row.Version = pr.Used, pr.Version
			return l.issueAward(ctx, iss, base, o, &p, row, actor)
		}
	}
	return store.Credential{}, fmt.Errorf("approve award: %s no longer completes %s (a credential stopped verifying): %w", learnerKey, p.Name, store.ErrConflict)
}

// issueAward issues the stacked credential, naming in its narrative the
// credentials it was built from, and records it. The idempotency key
// makes a retry, or a second node, return the same credential.
func (l *Loaded) issueAward(ctx context.Context, iss Issuer, base string, o *Org, p *pathway.Pathway, row store.PathwayProgress, actor string) (store.Credential, error) {
	a, err := l.svc.awardEntry(ctx, o.Org, p.Award.AchievementID)
	if err != nil {
		return store.Credential{}, fmt.Errorf("award %s: %w", p.ID, err)
	}
	achID := a.ID
	var from []string
	var sources []string // achievements of the credentials used, for the stacking flow
	for _, id := range row.Used {
		c, err := l.svc.Store.Credential(ctx, id)
		if err != nil {
			return store.Credential{}, fmt.Errorf("award %s: source credential %s: %w", p.ID, id, err)
		}
		from = append(from, "- "+iss.PublicURL(c))
		src := analytics.ExternalAchievement
		if c.OrgID == o.Org.ID && c.AchievementID != "" {
			src = c.AchievementID
		}
		if !slices.Contains(sources, src) {
			sources = append(sources, src)
		}
	}
	narrative := fmt.Sprintf("Awarded for completing the pathway “%s” (version %d) of %s. It was built from these credentials:\n\n%s",
		p.Name, row.Version, o.Org.Name, strings.Join(from, "\n"))
	c, _, err := iss.Issue(ctx, issue.Request{
		OrgID: o.Org.ID, AchievementID: achID, RecipientEmail: row.LearnerKey,
		Narrative:      narrative,
		EvidenceURL:    strings.TrimRight(base, "/") + "/pathways/" + o.Org.Slug + "/" + p.ID,
		IdempotencyKey: fmt.Sprintf("pathway:%s:v%d:%s", p.ID, row.Version, row.LearnerKey),
		Actor:          actor, Notify: true,
	})
	if err != nil {
		return store.Credential{}, fmt.Errorf("award %s to %s: %w", p.ID, row.LearnerKey, err)
	}
	// Counted before the award is marked given, so that a failure here is
	// retried by the next run; each event counts once per award
	// credential, so a retry does not count twice.
	if err := l.recordStacking(ctx, o.Org.ID, p.ID, a, c, sources); err != nil {
		return store.Credential{}, fmt.Errorf("award %s to %s: %w", p.ID, row.LearnerKey, err)
	}
	if err := l.svc.Store.SetPathwayAward(ctx, o.Org.ID, p.ID, row.LearnerKey, store.AwardIssued, c.ID, store.AwardNone, store.AwardReview); err != nil &&
		!errors.Is(err, store.ErrConflict) {
		return store.Credential{}, err
	}
	return c, nil
}

// recordStacking counts an awarded stacked credential for the impact
// report's stacking flow: the learner flowed from each achievement of the
// credentials used into the pathway (analytics.StackedFrom), from the
// pathway to the stacked credential (analytics.Stacked) and, when the
// stacked credential carries ECTS credits, on to credit
// (analytics.CreditAwarded, its value the credits).
func (l *Loaded) recordStacking(ctx context.Context, orgID, pathwayID string, a store.Achievement, c store.Credential, sources []string) error {
	at := c.IssuedAt
	for _, src := range sources {
		// The once-key names the award and the source achievement: one
		// count per learner and achievement, however many credentials of
		// it the award used.
		if err := analytics.Record(ctx, l.svc.Store, store.Event{OrgID: orgID, AchievementID: src, CredentialID: c.ID + " " + src,
			Kind: analytics.StackedFrom, Dim: pathwayID, Once: true, At: at}); err != nil {
			return err
		}
	}
	if err := analytics.Record(ctx, l.svc.Store, store.Event{OrgID: orgID, AchievementID: a.ID, CredentialID: c.ID,
		Kind: analytics.Stacked, Dim: pathwayID, Once: true, At: at}); err != nil {
		return err
	}
	v, err := l.svc.Store.AchievementVersion(ctx, a.ID, c.AchievementVersion)
	if err != nil {
		return fmt.Errorf("credits of %s: %w", a.ID, err)
	}
	if v.ECTS <= 0 {
		return nil
	}
	return analytics.Record(ctx, l.svc.Store, store.Event{OrgID: orgID, AchievementID: a.ID, CredentialID: c.ID,
		Kind: analytics.CreditAwarded, Dim: pathwayID, Value: v.ECTS, Once: true, At: at})
}
