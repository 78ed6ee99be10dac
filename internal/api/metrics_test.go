package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/microcred/microcred/internal/analytics"
	"github.com/microcred/microcred/internal/store"
)

func TestMetrics(t *testing.T) {
	e := newEnv(t, "sqlite", store.DIDKey)
	ctx := context.Background()
	now := e.clock.Now()
	day := now.Format("2006-01-02")
	if err := e.store.AddRollups(ctx, []store.Rollup{{OrgID: e.org.ID, AchievementID: e.achID, Day: day, Kind: analytics.Issued, N: 100}}); err != nil {
		t.Fatal(err)
	}
	for i := range 72 {
		ev := store.Event{OrgID: e.org.ID, AchievementID: e.achID, CredentialID: fmt.Sprintf("urn:uuid:%d", i), Kind: analytics.Claimed, At: now}
		if err := analytics.Record(ctx, e.store, ev); err != nil {
			t.Fatal(err)
		}
	}
	for range 3 {
		if err := analytics.Record(ctx, e.store, store.Event{OrgID: e.org.ID, AchievementID: e.achID, Kind: analytics.Verified, Dim: "api", At: now}); err != nil {
			t.Fatal(err)
		}
	}
	// Six learners stacked this achievement into pathway "data" (named
	// from its definition), and the stacked credential carried 5 ECTS.
	if _, err := e.store.SavePathwayDefinition(ctx, store.PathwayDefinition{OrgID: e.org.ID, Kind: store.PathwayKindPathway, Slug: "data", Name: "Data Pathway",
		Document: json.RawMessage(`{"id": "data", "name": "Data Pathway", "root": {"kind": "allOf", "rules": []}}`)}); err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		award := fmt.Sprintf("urn:uuid:award-%d", i)
		for _, ev := range []store.Event{
			{CredentialID: award + " a", Kind: analytics.StackedFrom},
			{CredentialID: award, Kind: analytics.Stacked},
			{CredentialID: award, Kind: analytics.CreditAwarded, Value: 5},
		} {
			ev.OrgID, ev.AchievementID, ev.Dim, ev.Once, ev.At = e.org.ID, e.achID, "data", true, now
			if err := analytics.Record(ctx, e.store, ev); err != nil {
				t.Fatal(err)
			}
		}
	}
	tok := e.token("all")
	rec := e.do("GET", "/api/v1/orgs/"+e.org.Slug+"/metrics?achievement="+e.achID, bearer(tok), "")
	if rec.Code != http.StatusOK {
		t.Fatalf("metrics = %d %s", rec.Code, rec.Body)
	}
	var got analytics.ReportJSON
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	cr := got.Total.ClaimRate
	if got.Total.Issued.Value == nil || *got.Total.Issued.Value != 100 || cr.Rate == nil || *cr.Rate != 0.72 || *cr.Low95 != 0.6251 || *cr.High95 != 0.7986 {
		t.Errorf("total = %+v, claim rate %+v", got.Total, cr)
	}
	// Three verifications are suppressed, as on the dashboard.
	if v := got.Total.Verifications; v.Value != nil || !v.Suppressed {
		t.Errorf("3 verifications served as %+v", v)
	}
	if len(got.Months) != 12 || got.Months[11].Issued.Value == nil || *got.Months[11].Issued.Value != 100 || len(got.Achievements) != 1 {
		t.Errorf("months = %d, achievements = %d", len(got.Months), len(got.Achievements))
	}
	flow := got.StackingFlow
	links := map[string]analytics.FlowLinkJSON{}
	for _, l := range flow.Links {
		links[l.From+">"+l.To] = l
	}
	names := map[string]string{}
	for _, n := range flow.Nodes {
		names[n.ID] = n.Name + " (" + n.Stage + ")"
	}
	if l := links["a:"+e.achID+">p:data"]; l.Learners.Value == nil || *l.Learners.Value != 6 ||
		names["p:data"] != "Data Pathway (pathway)" || names["credit"] != "Credit awarded (credit)" {
		t.Errorf("stacking flow = %+v", flow)
	}
	if l := links["s:"+e.achID+">credit"]; l.Credits == nil || *l.Credits != 30 || *l.Learners.Value != 6 {
		t.Errorf("credit band = %+v", l)
	}
	for _, c := range []struct {
		target string
		status int
	}{
		{"/api/v1/orgs/" + e.org.Slug + "/metrics?from=2026-13-01&to=2026-12-31", http.StatusBadRequest},
		{"/api/v1/orgs/" + e.org.Slug + "/metrics?period=forever", http.StatusBadRequest},
		{"/api/v1/orgs/" + e.org.Slug + "/metrics?achievement=nope", http.StatusNotFound},
		{"/api/v1/orgs/another-org/metrics", http.StatusNotFound},
		{"/api/v1/orgs/" + e.org.Slug + "/metrics?period=all", http.StatusOK},
	} {
		if r := e.do("GET", c.target, bearer(tok), ""); r.Code != c.status {
			t.Errorf("%s = %d %s, want %d", c.target, r.Code, r.Body, c.status)
		}
	}
	if r := e.do("GET", "/api/v1/orgs/"+e.org.Slug+"/metrics", nil, ""); r.Code != http.StatusUnauthorized {
		t.Errorf("without a token = %d", r.Code)
	}
}
