package demo

import (
	"context"
	"fmt"

	"github.com/microcred/microcred/internal/endorse"
	"github.com/microcred/microcred/internal/store"
)

// endorsements has the industry provider endorse the university's first
// achievement and the university itself, so that the achievement page,
// its credentials' pages and both admin Endorsements pages show them. A
// seed that stopped half-way and runs again finds them made.
func (s *seeder) endorsements(ctx context.Context, uni, provider *demoOrg) error {
	have, err := s.st.ListEndorsements(ctx, store.EndorsementQuery{OrgID: provider.org.ID, Direction: store.EndorsementGiven})
	if err != nil {
		return fmt.Errorf("listing demo endorsements: %w", err)
	}
	if len(have) > 0 || len(uni.entries) == 0 {
		return nil
	}
	svc := &endorse.Service{Store: s.st, Issuer: s.svc, Now: s.svc.Now}
	for _, r := range []endorse.Request{
		{AchievementID: uni.entries[0].Achievement.ID,
			Comment: "We hire graduates of this course as junior analysts: it teaches the statistics our data teams use every day, and its assessment matches our own technical interview."},
		{OrgSlug: uni.org.Slug,
			Comment: "A trusted partner: its micro-credentials count toward our Professional Certificate, and we review its assessments each year."},
	} {
		r.OrgID, r.Actor = provider.org.ID, provider.owner.ID
		if _, err := svc.Issue(ctx, r); err != nil {
			return fmt.Errorf("demo endorsement: %w", err)
		}
	}
	return nil
}
