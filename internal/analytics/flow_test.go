package analytics_test

import (
	"context"
	"encoding/xml"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/analytics"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/store/sqlite"
)

func TestStackingFlow(t *testing.T) {
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
	rec := func(e store.Event) {
		t.Helper()
		e.OrgID, e.At, e.Once = "o", day, true
		if err := analytics.Record(ctx, st, e); err != nil {
			t.Fatal(err)
		}
	}
	// Twelve learners complete pathway "data" from micro-credentials m1
	// (all twelve) and m2 (eight of them), and earn stacked credential s
	// worth 6 ECTS each; three complete "cloud" from m1 and an imported
	// credential (suppressed: fewer than 5), without credit.
	for i := range 12 {
		award := "award-" + string(rune('a'+i))
		rec(store.Event{AchievementID: "m1", CredentialID: award + " m1", Kind: analytics.StackedFrom, Dim: "data"})
		rec(store.Event{AchievementID: "m1", CredentialID: award + " m1", Kind: analytics.StackedFrom, Dim: "data"}) // a retry counts once
		if i < 8 {
			rec(store.Event{AchievementID: "m2", CredentialID: award + " m2", Kind: analytics.StackedFrom, Dim: "data"})
		}
		rec(store.Event{AchievementID: "s", CredentialID: award, Kind: analytics.Stacked, Dim: "data"})
		rec(store.Event{AchievementID: "s", CredentialID: award, Kind: analytics.CreditAwarded, Dim: "data", Value: 6})
	}
	for i := range 3 {
		award := "cloud-" + string(rune('a'+i))
		rec(store.Event{AchievementID: "m1", CredentialID: award + " m1", Kind: analytics.StackedFrom, Dim: "cloud"})
		rec(store.Event{AchievementID: analytics.ExternalAchievement, CredentialID: award + " x", Kind: analytics.StackedFrom, Dim: "cloud"})
		rec(store.Event{AchievementID: "c", CredentialID: award, Kind: analytics.Stacked, Dim: "cloud"})
	}
	rep, err := analytics.Build(ctx, st, "o", time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
		func(id string) string { return "Achievement " + id })
	if err != nil {
		t.Fatal(err)
	}
	rep.PathwayNames = func(id string) string { return "Pathway " + id }
	f := rep.StackingFlow()
	got := map[string]analytics.FlowLink{}
	for _, l := range f.Links {
		got[l.From+">"+l.To] = l
	}
	for _, c := range []struct {
		link       string
		n          int64
		suppressed bool
		credits    float64
	}{
		{"a:m1>p:data", 12, false, 0},
		{"a:m2>p:data", 8, false, 0},
		{"p:data>s:s", 12, false, 0},
		{"s:s>credit", 12, false, 72},
		{"a:m1>p:cloud", 3, true, 0},
		{"a:~external>p:cloud", 3, true, 0},
		{"p:cloud>s:c", 3, true, 0},
	} {
		l, ok := got[c.link]
		if !ok || l.Learners.N != c.n || l.Learners.Suppressed != c.suppressed || l.Credits != c.credits {
			t.Errorf("link %s = %+v (present %v), want %d learners, suppressed %v, %v credits", c.link, l, ok, c.n, c.suppressed, c.credits)
		}
	}
	if len(f.Links) != 7 || f.Nodes[0].ID != "a:m1" || f.Node("p:data").Name != "Pathway data" || f.Node("s:s").Stage != analytics.StageStacked ||
		f.Node("a:~external").Name != "Credentials of other issuers" || f.Node("credit").Stage != analytics.StageCredit {
		t.Errorf("flow = %+v", f)
	}
	for _, m := range rep.Rows {
		if m.AchievementID == analytics.ExternalAchievement {
			t.Error("other issuers' credentials have a row of their own")
		}
		if m.AchievementID == "s" && m.Stacked != 12 || m.AchievementID == "s" && m.CreditAwarded != 72 {
			t.Errorf("stacked credential's metrics = %+v", m)
		}
	}

	// The API's form hides what the page hides.
	j := f.JSON()
	for _, l := range j.Links {
		switch l.From + ">" + l.To {
		case "p:cloud>s:c":
			if l.Learners.Value != nil || !l.Learners.Suppressed {
				t.Errorf("suppressed link served as %+v", l.Learners)
			}
		case "s:s>credit":
			if l.Learners.Value == nil || *l.Learners.Value != 12 || l.Credits == nil || *l.Credits != 72 {
				t.Errorf("credit link served as %+v", l)
			}
		}
	}

	svg := string(analytics.Sankey("s", "Stacking <flow>", "Bands", f))
	if err := xml.Unmarshal([]byte(svg), new(any)); err != nil {
		t.Errorf("not well-formed XML: %v", err)
	}
	for _, want := range []string{`role="img"`, `<title id="s-t">Stacking &lt;flow&gt;</title>`, `<desc id="s-d">`,
		`data-from="a:m1" data-to="p:data" data-value="12"`, `data-from="s:s" data-to="credit" data-value="12"`,
		`data-from="p:cloud" data-to="s:c" data-value="0"`, "fewer than 5 learners"} {
		if !strings.Contains(svg, want) {
			t.Errorf("sankey lacks %q", want)
		}
	}
	if strings.Contains(svg, ": 3 learners") {
		t.Error("sankey shows a suppressed count")
	}
	if empty := string(analytics.Sankey("e", "t", "d", analytics.Flow{})); !strings.Contains(empty, "No stacked credentials") {
		t.Error("an empty flow says nothing")
	}
}
