package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/microcred/microcred/internal/analytics"
	"github.com/microcred/microcred/internal/store"
)

// events gives the seeded credentials a year of history for the impact
// report. The demo back-dates its credentials (their validFrom spreads
// over the past year) while the database issued them today, so the
// issued counts move to the validFrom day; then each credential is
// claimed, shared, viewed and verified by third parties at plausible
// rates and delays after it, and learners and employers answer the
// pulse questions. Every choice is a function of the credential's
// position, so the same demo gets the same report.
func (s *seeder) events(ctx context.Context) error {
	domains := []string{"acme-robotics.example", "northwind-bank.example", "city-hospital.example", "contoso-software.example", "fabrikam-logistics.example"}
	channels := []string{"linkedin", "linkedin", "link", "email", "pdf"}
	sources := []string{"page", "page", "api", "qr"}
	for i, id := range s.res.CredentialIDs {
		c, err := s.st.Credential(ctx, id)
		if err != nil {
			return fmt.Errorf("loading credential %s: %w", id, err)
		}
		from := c.ValidFrom.UTC()
		if !from.Before(c.IssuedAt.Add(-24 * time.Hour)) {
			continue // not back-dated: its counts are already where they belong
		}
		if err := s.st.AddRollups(ctx, []store.Rollup{
			{OrgID: c.OrgID, AchievementID: c.AchievementID, Day: from.Format(time.DateOnly), Kind: analytics.Issued, N: 1},
			{OrgID: c.OrgID, AchievementID: c.AchievementID, Day: c.IssuedAt.UTC().Format(time.DateOnly), Kind: analytics.Issued, N: -1},
		}); err != nil {
			return fmt.Errorf("dating the issue of %s: %w", id, err)
		}
		at := func(days int) time.Time {
			t := from.AddDate(0, 0, days).Add(time.Duration(i%9) * time.Hour)
			if t.After(s.now) {
				return s.now.Add(-time.Hour)
			}
			return t
		}
		rec := func(kind, dim, domain string, days int, value float64) error {
			e := store.Event{OrgID: c.OrgID, AchievementID: c.AchievementID, CredentialID: c.ID, Kind: kind, Dim: dim, Domain: domain, Value: value, At: at(days)}
			if kind == analytics.PulseStandout || kind == analytics.PulseHire {
				e.CredentialID = "" // answers are anonymous
			}
			if err := analytics.Record(ctx, s.st, e); err != nil {
				return fmt.Errorf("recording %s of %s: %w", kind, id, err)
			}
			return nil
		}
		if i%5 == 4 { // one in five never claims
			continue
		}
		steps := []struct {
			ok                bool
			kind, dim, domain string
			days              int
		}{
			{true, analytics.Claimed, "", "", 1 + i%6},
			{i%4 != 3, analytics.PulseStandout, map[bool]string{true: "yes", false: "no"}[i%10 != 2], "", 1 + i%6},
			{i%3 != 2, analytics.Shared, channels[i%len(channels)], "", 3 + i%20},
			{i%3 == 0, analytics.Viewed, "", "", 10 + i%30},
			{i%3 != 2 && i%2 == 0, analytics.Verified, sources[i%len(sources)], domains[i%len(domains)], 20 + i%60},
			{i%3 != 2 && i%2 == 0 && i%5 != 1, analytics.PulseHire, map[bool]string{true: "yes", false: "no"}[i%7 != 3], "", 20 + i%60},
			{i%6 == 0, analytics.Verified, sources[(i+1)%len(sources)], domains[(i+2)%len(domains)], 90 + i%90},
		}
		for _, st := range steps {
			if !st.ok {
				continue
			}
			if err := rec(st.kind, st.dim, st.domain, st.days, 0); err != nil {
				return err
			}
		}
	}
	return nil
}
