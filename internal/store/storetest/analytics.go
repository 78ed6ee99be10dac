package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/store"
)

func testAnalytics(t *testing.T, s store.Store) {
	ctx := context.Background()
	jan := time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)
	feb := time.Date(2026, 2, 3, 10, 0, 0, 0, time.UTC)
	need(t, s.AddRollups(ctx, []store.Rollup{{OrgID: "o", AchievementID: "a", Day: "2026-01-15", Kind: "issued", N: 10}}))
	need(t, s.AddRollups(ctx, []store.Rollup{{OrgID: "o", AchievementID: "a", Day: "2026-01-15", Kind: "issued", N: 5}, {OrgID: "o", AchievementID: "b", Day: "2026-02-01", Kind: "issued", N: 2}}))
	wantErr(t, "rollup without a day", s.AddRollups(ctx, []store.Rollup{{OrgID: "o", Kind: "issued", N: 1}}), store.ErrInvalid)

	// Once-per-credential events count once, even when recorded together.
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.RecordEvent(ctx, store.Event{OrgID: "o", AchievementID: "a", CredentialID: "c1", Kind: "claimed", Once: true, At: jan}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	need(t, s.RecordEvent(ctx, store.Event{OrgID: "o", AchievementID: "a", CredentialID: "c1", Kind: "verified", Dim: "page", Domain: "acme.example", At: jan}))
	need(t, s.RecordEvent(ctx, store.Event{OrgID: "o", AchievementID: "a", CredentialID: "c1", Kind: "verified", Dim: "api", Domain: "acme.example", At: feb}))
	need(t, s.RecordEvent(ctx, store.Event{OrgID: "o", AchievementID: "b", CredentialID: "c2", Kind: "verified", Dim: "api", Domain: "other.example", At: feb, Value: 2}))
	wantErr(t, "once without credential", s.RecordEvent(ctx, store.Event{OrgID: "o", Kind: "claimed", Once: true}), store.ErrInvalid)

	rs := try(s.RollupsByMonth(ctx, store.RollupQuery{OrgID: "o", From: "2026-01-01", To: "2027-01-01"})).must(t)
	got := map[string]int64{}
	for _, r := range rs {
		got[r.AchievementID+"/"+r.Day+"/"+r.Kind+"/"+r.Dim] += r.N
	}
	want := map[string]int64{"a/2026-01/issued/": 15, "b/2026-02/issued/": 2, "a/2026-01/claimed/": 1, "a/2026-01/verified/page": 1, "a/2026-02/verified/api": 1, "b/2026-02/verified/api": 1}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("rollup %s = %d, want %d (all: %v)", k, got[k], v, got)
		}
	}
	if len(got) != len(want) {
		t.Errorf("rollups = %v", got)
	}
	if rs := try(s.RollupsByMonth(ctx, store.RollupQuery{OrgID: "o", AchievementID: "b", From: "2026-01-01", To: "2026-02-01"})).must(t); len(rs) != 0 {
		t.Errorf("range excludes February: %v", rs)
	}
	d := try(s.VerifierDomains(ctx, store.RollupQuery{OrgID: "o", From: "2026-01-01", To: "2027-01-01"})).must(t)
	if d["a"] != 1 || d["b"] != 1 || d["*"] != 2 {
		t.Errorf("verifier domains = %v", d)
	}
}
