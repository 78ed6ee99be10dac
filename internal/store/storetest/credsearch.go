package storetest

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/store"
)

func testCredentialSearch(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s, "search-org")
	g := newFixture(t, s, "search-org2")
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	now := base.Add(48 * time.Hour)
	add := func(fx fixture, id, name, email string, minute int, validUntil *time.Time) {
		c := fx.credential(id)
		c.RecipientName, c.RecipientEmail, c.IssuedAt, c.ValidUntil = name, email, base.Add(time.Duration(minute)*time.Minute), validUntil
		try3(s.InsertCredential(ctx, c)).must(t)
	}
	past := base.Add(time.Hour)
	add(f, "s1", "Ada Lovelace", "ada@example.org", 1, nil)
	add(f, "s2", "adam Smith", "adam@example.org", 2, &past) // expired
	add(f, "s3", "Grace Hopper", "Grace@Example.org", 3, nil)
	add(f, "s4", "Ada Byron", "byron@example.org", 3, nil) // same second as s3: the id breaks the tie
	add(f, "s5", "Émile Zola", "emile@example.org", 5, nil)
	add(g, "s6", "Ada Other", "ada@example.org", 6, nil)
	// s3 revoked, s5 suspended.
	for i, x := range []struct{ id, purpose string }{{"s3", store.PurposeRevocation}, {"s5", store.PurposeSuspension}} {
		slot := try(s.ReserveStatusSlots(ctx, f.org.ID, x.purpose, 1, 16)).must(t)[0]
		need(t, s.InsertCredentialStatus(ctx, store.CredentialStatus{CredentialID: f.credential(x.id).ID, OrgID: f.org.ID, Purpose: x.purpose, List: slot.List, Index: i, Seq: slot.Seq}))
		try(s.SetCredentialStatus(ctx, f.credential(x.id).ID, x.purpose, false, true, base)).must(t)
	}
	id := func(x string) string { return f.credential(x).ID }
	q := func(mod func(*store.CredentialSearch)) store.CredentialSearch {
		c := store.CredentialSearch{OrgID: f.org.ID, Now: now}
		if mod != nil {
			mod(&c)
		}
		return c
	}
	for _, c := range []struct {
		name string
		q    store.CredentialSearch
		want []string
	}{
		{"all, newest first", q(nil), []string{"s5", id("s4") + "|s4", "s2", "s1"}},
		{"name prefix, any case", q(func(c *store.CredentialSearch) { c.Name = "ADA" }), []string{"s4", "s2", "s1"}},
		{"name prefix with a space", q(func(c *store.CredentialSearch) { c.Name = "ada l" }), []string{"s1"}},
		{"non-ASCII prefix", q(func(c *store.CredentialSearch) { c.Name = "Émi" }), []string{"s5"}},
		{"email, any case", q(func(c *store.CredentialSearch) { c.Email = "grace@example.ORG" }), []string{"s3"}},
		{"id", q(func(c *store.CredentialSearch) { c.ID = id("s2") }), []string{"s2"}},
		{"revoked", q(func(c *store.CredentialSearch) { c.Status = store.StatusRevoked }), []string{"s3"}},
		{"suspended", q(func(c *store.CredentialSearch) { c.Status = store.StatusSuspended }), []string{"s5"}},
		{"expired", q(func(c *store.CredentialSearch) { c.Status = store.StatusExpired }), []string{"s2"}},
		{"active", q(func(c *store.CredentialSearch) { c.Status = store.StatusActive }), []string{"s4", "s1"}},
		{"issued between", q(func(c *store.CredentialSearch) {
			c.IssuedFrom, c.IssuedTo = base.Add(2*time.Minute), base.Add(3*time.Minute)
		}), []string{"s2"}},
		{"achievement of another org", q(func(c *store.CredentialSearch) { c.AchievementID = g.ach.Achievement.ID }), nil},
		{"expired, one achievement", q(func(c *store.CredentialSearch) { c.Status, c.AchievementID = store.StatusExpired, f.ach.Achievement.ID }), []string{"s2"}},
		{"expired, another org's achievement", q(func(c *store.CredentialSearch) { c.Status, c.AchievementID = store.StatusExpired, g.ach.Achievement.ID }), nil},
		{"name prefix and active", q(func(c *store.CredentialSearch) { c.Name, c.Status = "ada", store.StatusActive }), []string{"s4", "s1"}},
		{"name prefix and expired", q(func(c *store.CredentialSearch) { c.Name, c.Status = "ada", store.StatusExpired }), []string{"s2"}},
		{"revoked, issued between", q(func(c *store.CredentialSearch) {
			c.Status, c.IssuedFrom, c.IssuedTo = store.StatusRevoked, base.Add(3*time.Minute), base.Add(4*time.Minute)
		}), []string{"s3"}},
		{"suspended, one achievement, after s5", q(func(c *store.CredentialSearch) {
			c.Status, c.AchievementID = store.StatusSuspended, f.ach.Achievement.ID
			c.After = &store.CredentialCursor{IssuedAt: base.Add(5 * time.Minute), ID: id("s5")}
		}), nil},
		{"active after s4", q(func(c *store.CredentialSearch) {
			c.Status, c.After = store.StatusActive, &store.CredentialCursor{IssuedAt: base.Add(3 * time.Minute), ID: id("s4")}
		}), []string{"s1"}},
	} {
		got := try(s.SearchCredentials(ctx, c.q)).must(t)
		var ids []string
		for _, x := range got {
			ids = append(ids, x.ID)
		}
		var want []string
		for _, w := range c.want {
			if w == id("s4")+"|s4" {
				// s3 and s4 share a second; the larger id comes first.
				a, b := id("s3"), id("s4")
				if a < b {
					a, b = b, a
				}
				want = append(want, a, b)
				continue
			}
			want = append(want, id(w))
		}
		if !reflect.DeepEqual(ids, want) {
			t.Errorf("%s: got %q, want %q", c.name, ids, want)
		}
	}
	// Keyset paging visits every row once, in order.
	var seen []string
	var after *store.CredentialCursor
	for {
		page := try(s.SearchCredentials(ctx, q(func(c *store.CredentialSearch) { c.Limit, c.After = 2, after }))).must(t)
		if len(page) == 0 {
			break
		}
		for _, x := range page {
			seen = append(seen, x.ID)
		}
		last := page[len(page)-1]
		after = &store.CredentialCursor{IssuedAt: last.IssuedAt, ID: last.ID}
	}
	if all := try(s.SearchCredentials(ctx, q(nil))).must(t); len(seen) != 5 || !reflect.DeepEqual(seen[:len(all)], func() []string {
		var ids []string
		for _, x := range all {
			ids = append(ids, x.ID)
		}
		return ids
	}()) {
		t.Errorf("paged = %q", seen)
	}
	if got := try(s.SearchCredentials(ctx, q(func(c *store.CredentialSearch) { c.ID = id("s3") }))).must(t); len(got) != 1 || !got[0].Revoked || got[0].Suspended {
		t.Errorf("s3 flags = %+v", got)
	}
	// The status filters follow every change of a bit: lifting s5's
	// suspension makes it active again, and an entry stored already set
	// (s1, revoked) counts at once.
	try(s.SetCredentialStatus(ctx, id("s5"), store.PurposeSuspension, true, false, now)).must(t)
	slot := try(s.ReserveStatusSlots(ctx, f.org.ID, store.PurposeRevocation, 1, 16)).must(t)[0]
	need(t, s.InsertCredentialStatus(ctx, store.CredentialStatus{CredentialID: id("s1"), OrgID: f.org.ID, Purpose: store.PurposeRevocation, List: slot.List, Index: 7, Seq: slot.Seq, Set: true}))
	for status, want := range map[string][]string{
		store.StatusSuspended: nil,
		store.StatusRevoked:   {id("s3"), id("s1")},
		store.StatusActive:    {id("s5"), id("s4")},
	} {
		var ids []string
		for _, x := range try(s.SearchCredentials(ctx, q(func(c *store.CredentialSearch) { c.Status = status }))).must(t) {
			ids = append(ids, x.ID)
		}
		if !reflect.DeepEqual(ids, want) {
			t.Errorf("%s after the changes: got %q, want %q", status, ids, want)
		}
	}
	// The expired filter's walk starts at now minus the shortest validity
	// period stored: a later credential with a shorter one moves the
	// start, and an organization without validity ends finds nothing.
	soon := base.Add(20 * time.Minute)
	add(f, "s7", "Short Course", "short@example.org", 10, &soon)
	later := now.Add(time.Hour)
	add(f, "s8", "Long Course", "long@example.org", 11, &later)
	var expired []string
	for _, x := range try(s.SearchCredentials(ctx, q(func(c *store.CredentialSearch) { c.Status = store.StatusExpired }))).must(t) {
		expired = append(expired, x.ID)
	}
	if want := []string{id("s7"), id("s2")}; !reflect.DeepEqual(expired, want) {
		t.Errorf("expired after a shorter validity: got %q, want %q", expired, want)
	}
	if got := try(s.SearchCredentials(ctx, store.CredentialSearch{OrgID: g.org.ID, Now: now, Status: store.StatusExpired})).must(t); len(got) != 0 {
		t.Errorf("expired in an organization without validity ends: %+v", got)
	}
	_, err := s.SearchCredentials(ctx, q(func(c *store.CredentialSearch) { c.Status = "lost" }))
	wantErr(t, "unknown status", err, store.ErrInvalid)
}

// testRollupsMonthly checks that ranges reading whole months from the
// monthly rollups and partial ones from the daily rollups count the same
// as the days they cover.
func testRollupsMonthly(t *testing.T, s store.Store) {
	ctx := context.Background()
	var rs []store.Rollup
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for d := range 120 { // 1 January to 30 April
		rs = append(rs, store.Rollup{OrgID: "m", AchievementID: []string{"a", "b"}[d%2], Day: day.AddDate(0, 0, d).Format(time.DateOnly), Kind: "issued", N: int64(d + 1), Total: 0.5})
	}
	need(t, s.AddRollups(ctx, rs))
	sum := func(from, to, ach string) (n int64, total float64) {
		for _, r := range rs {
			if r.Day >= from && r.Day < to && (ach == "" || r.AchievementID == ach) {
				n, total = n+r.N, total+r.Total
			}
		}
		return
	}
	for _, c := range []struct{ from, to, ach string }{
		{"2026-01-01", "2026-05-01", ""},  // whole months only
		{"2026-01-15", "2026-04-10", ""},  // partial at both ends
		{"2026-02-01", "2026-03-20", "b"}, // one whole month, a partial one, one achievement
		{"2026-03-03", "2026-03-09", ""},  // inside one month
		{"2025-12-20", "2026-01-01", ""},  // nothing
	} {
		got := try(s.RollupsByMonth(ctx, store.RollupQuery{OrgID: "m", AchievementID: c.ach, From: c.from, To: c.to})).must(t)
		var n int64
		var total float64
		months := map[string]int64{}
		for _, r := range got {
			n, total = n+r.N, total+r.Total
			months[r.Day] += r.N
		}
		wn, wt := sum(c.from, c.to, c.ach)
		if n != wn || total != wt {
			t.Errorf("%+v: n %d total %v, want %d %v (months %v)", c, n, total, wn, wt, months)
		}
		for i := 1; i < len(got); i++ {
			if got[i-1].Day > got[i].Day {
				t.Errorf("%+v: months out of order: %v", c, got)
			}
		}
	}
}
