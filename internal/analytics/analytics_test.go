package analytics_test

import (
	"context"
	"encoding/xml"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/analytics"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/store/sqlite"
)

func TestWilson(t *testing.T) {
	for _, c := range []struct {
		k, n      int64
		low, high float64
	}{
		{5, 10, 0.2366, 0.7634},   // symmetric at one half
		{0, 20, 0, 0.1611},        // never below zero
		{20, 20, 0.8389, 1},       // never above one
		{72, 100, 0.6251, 0.7986}, // the employers' 72%
	} {
		p := analytics.NewProportion(c.k, c.n)
		if p.Suppressed || math.Abs(p.Low-c.low) > 1e-4 || math.Abs(p.High-c.high) > 1e-4 || p.Low > p.P || p.P > p.High {
			t.Errorf("%d/%d: %+v, want [%.4f, %.4f]", c.k, c.n, p, c.low, c.high)
		}
	}
	if p := analytics.NewProportion(3, 4); !p.Suppressed {
		t.Error("a proportion of 4 learners is shown")
	}
	for n, want := range map[int64]bool{0: false, 1: true, 4: true, 5: false} {
		if analytics.NewCount(n).Suppressed != want {
			t.Errorf("count %d suppressed = %v", n, !want)
		}
	}
}

func TestVerifierDomain(t *testing.T) {
	for in, want := range map[string]string{
		"https://www.Acme.example/careers?x=1": "acme.example",
		"hr.bank.example":                      "hr.bank.example",
		"http://user:pw@jobs.example:8443/a":   "jobs.example",
		"":                                     "",
		"not a domain!":                        "",
		"javascript:alert(1)":                  "",
	} {
		if got := analytics.VerifierDomain(in); got != want {
			t.Errorf("VerifierDomain(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestBuildReport(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	if err := st.AddRollups(ctx, []store.Rollup{{OrgID: "o", AchievementID: "a", Day: "2026-03-10", Kind: analytics.Issued, N: 40}, {OrgID: "o", AchievementID: "b", Day: "2026-04-02", Kind: analytics.Issued, N: 3}}); err != nil {
		t.Fatal(err)
	}
	rec := func(e store.Event) {
		t.Helper()
		if e.At.IsZero() {
			e.At = day
		}
		if err := analytics.Record(ctx, st, e); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 30 {
		id := "c" + string(rune('A'+i))
		rec(store.Event{OrgID: "o", AchievementID: "a", CredentialID: id, Kind: analytics.Claimed})
		rec(store.Event{OrgID: "o", AchievementID: "a", CredentialID: id, Kind: analytics.Claimed}) // counted once
		if i < 10 {
			rec(store.Event{OrgID: "o", AchievementID: "a", CredentialID: id, Kind: analytics.Shared, Dim: "linkedin"})
			rec(store.Event{OrgID: "o", AchievementID: "a", CredentialID: id, Kind: analytics.Shared, Dim: "link"})
			rec(store.Event{OrgID: "o", AchievementID: "a", CredentialID: id, Kind: analytics.Verified, Dim: "page", Domain: []string{"acme.example", "bank.example"}[i%2]})
		}
		ans := "yes"
		if i%3 == 0 {
			ans = "no"
		}
		rec(store.Event{OrgID: "o", AchievementID: "a", Kind: analytics.PulseStandout, Dim: ans})
	}
	rec(store.Event{OrgID: "o", AchievementID: "a", Kind: analytics.EvidenceApproved, Value: 4})
	rec(store.Event{OrgID: "o", AchievementID: "a", Kind: analytics.EvidenceApproved, Value: 8})
	rep, err := analytics.Build(ctx, st, "o", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		func(id string) string { return "Achievement " + id })
	if err != nil {
		t.Fatal(err)
	}
	a := rep.Rows[0]
	if a.AchievementID != "a" || a.Name != "Achievement a" || a.Issued.N != 40 || a.Claimed.N != 30 || a.ClaimRate.P != 0.75 ||
		a.ShareRate.K != 10 || a.Shares["linkedin"] != 10 || a.Shares["link"] != 10 || a.VerifiedRate.K != 10 || a.Verifications.N != 10 ||
		a.VerifierDomains.N != 2 || a.MeanDaysToAward != 6 || a.StandsOut.N != 30 || a.StandsOut.K != 20 {
		t.Errorf("metrics of a = %+v", a)
	}
	b := rep.Rows[1]
	if !b.Issued.Suppressed || !b.ClaimRate.Suppressed {
		t.Errorf("3 credentials are shown: %+v", b)
	}
	if rep.Total.Issued.N != 43 || rep.Total.VerifierDomains.N != 2 {
		t.Errorf("total = %+v", rep.Total)
	}
	if len(rep.Months) != 12 || rep.Months[2].Issued != 40 || rep.Months[3].Issued != 3 || rep.Months[0].Issued != 0 {
		t.Errorf("months = %+v", rep.Months)
	}
}

func TestChartsAreWellFormedAndAccessible(t *testing.T) {
	labels := []string{"Jan", "Feb", "Mar <&>"}
	for name, svg := range map[string]string{
		"bars":   string(analytics.Bars("b", "Issued per month", "Bars of issued credentials", labels, []int64{3, 0, 12})),
		"lines":  string(analytics.Lines("l", "Verifications", "Lines", labels, map[string][]int64{"page": {1, 2, 3}, "api": {0, 5, 1}}, []string{"page", "api"})),
		"funnel": string(analytics.Funnel("f", "From issue to employer", "Funnel", []analytics.Stage{{Name: "Issued", Count: analytics.NewCount(100)}, {Name: "Claimed", Count: analytics.NewCount(3)}})),
	} {
		if err := xml.Unmarshal([]byte(svg), new(any)); err != nil {
			d := xml.NewDecoder(strings.NewReader(svg))
			for {
				if _, err := d.Token(); err != nil {
					if err.Error() != "EOF" {
						t.Errorf("%s: not well-formed XML: %v", name, err)
					}
					break
				}
			}
		}
		if !strings.Contains(svg, `role="img"`) || !strings.Contains(svg, "<title id=") || !strings.Contains(svg, "<desc id=") {
			t.Errorf("%s lacks its accessible name", name)
		}
		if strings.Contains(svg, "<&>") {
			t.Errorf("%s does not escape labels", name)
		}
	}
	if f := string(analytics.Funnel("f", "t", "d", []analytics.Stage{{Name: "Claimed", Count: analytics.NewCount(3)}})); strings.Contains(f, "Claimed: 3") || !strings.Contains(f, "fewer than 5") {
		t.Error("funnel shows a suppressed count")
	}
	if b := string(analytics.Bars("b", "t", "d", []string{"x"}, []int64{12})); !strings.Contains(b, `data-value="12"`) {
		t.Error("bars do not carry their values")
	}
}
