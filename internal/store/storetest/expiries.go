package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/analytics"
	"github.com/microcred/microcred/internal/store"
)

// testExpiries: ExpiredCredentials walks the credentials whose validUntil
// falls in a range, in order, across pages and ties; RecordExpiries counts
// each expiry once, on its own day, and carries on from where it stopped.
func testExpiries(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s, "expiry-org")
	base := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	// 1,003 credentials expiring in 1,003 consecutive minutes from base,
	// the first three at the same instant (ties broken by id), so the
	// walk crosses a page; and one with no end and one far ahead.
	const n = 1003
	need(t, s.WithTx(ctx, func(tx store.Store) error {
		for i := range n {
			c := f.credential(fmt.Sprintf("exp-%04d", i))
			at := base.Add(time.Duration(max(i, 2)) * time.Minute)
			c.ValidUntil = &at
			if _, _, err := tx.InsertCredential(ctx, c); err != nil {
				return err
			}
		}
		if _, _, err := tx.InsertCredential(ctx, f.credential("exp-forever")); err != nil {
			return err
		}
		later := base.AddDate(5, 0, 0)
		c := f.credential("exp-later")
		c.ValidUntil = &later
		_, _, err := tx.InsertCredential(ctx, c)
		return err
	}))

	var got []store.ExpiredCredential
	need(t, s.ExpiredCredentials(ctx, base, base.Add(time.Duration(n)*time.Minute), func(c store.ExpiredCredential) error {
		got = append(got, c)
		return nil
	}))
	if len(got) != n {
		t.Fatalf("ExpiredCredentials returned %d credentials, want %d", len(got), n)
	}
	for i, c := range got {
		if want := fmt.Sprintf("exp-%04d", i); c.ID != want || c.OrgID != f.org.ID || c.AchievementID != f.ach.Achievement.ID {
			t.Fatalf("credential %d = %+v, want %s of the fixture", i, c, want)
		}
	}
	// (after, upTo]: the lower end is excluded, the upper included.
	var ids []string
	need(t, s.ExpiredCredentials(ctx, base.Add(2*time.Minute), base.Add(4*time.Minute), func(c store.ExpiredCredential) error {
		ids = append(ids, c.ID)
		return nil
	}))
	if fmt.Sprint(ids) != "[exp-0003 exp-0004]" {
		t.Errorf("ExpiredCredentials(2 min, 4 min] = %v, want [exp-0003 exp-0004]", ids)
	}

	// The sweep: first up to base+10 min (11 credentials), then again
	// (the day before the last sweep is looked at again), then on to the
	// end; each is counted once, on the day it expired.
	first, err := analytics.RecordExpiries(ctx, s, base.Add(10*time.Minute))
	need(t, err)
	again, err := analytics.RecordExpiries(ctx, s, base.Add(10*time.Minute))
	need(t, err)
	// A credential stored late, already expired before the last sweep,
	// is still counted by the next.
	late := f.credential("exp-late")
	lateAt := base.Add(5 * time.Minute)
	late.ValidUntil = &lateAt
	try3(s.InsertCredential(ctx, late)).must(t)
	rest, err := analytics.RecordExpiries(ctx, s, base.AddDate(1, 0, 0))
	need(t, err)
	if first != 11 || again != 11 || rest != n+1 {
		t.Errorf("RecordExpiries looked at %d, %d, %d credentials; want 11, 11, %d", first, again, rest, n+1)
	}
	rs := try(s.RollupsByMonth(ctx, store.RollupQuery{OrgID: f.org.ID, From: "2026-01-01", To: "2027-01-01"})).must(t)
	var expired int64
	for _, r := range rs {
		if r.Kind == analytics.Expired {
			expired += r.N
			if r.Day != "2026-04" {
				t.Errorf("expiries counted in %s, want 2026-04", r.Day)
			}
		}
	}
	if expired != n+1 {
		t.Errorf("expired rollups = %d, want %d", expired, n+1)
	}
}
