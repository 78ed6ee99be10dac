package api

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

func TestPathwayAPI(t *testing.T) {
	e := newEnv(t, "sqlite", store.DIDWeb)
	tok := e.token("all", ScopeIssue)
	readTok := e.token("all", ScopeCredentialRead)
	doc := `{"id":"stats-track","name":"Statistics track","root":{"kind":"allOf","rules":[
		{"kind":"credential","match":{"issuer":"org:demo-university","achievement":"statistics-for-data-science"}}]}}`
	scheme := `{"id":"bsc","name":"BSc","unit":"SCH","rules":[{"course":"STAT 101","credits":3,
		"match":{"issuer":"org:demo-university","achievement":"statistics-for-data-science"}}]}`
	if _, _, err := e.svc.Issue(context.Background(), issue.Request{OrgID: e.org.ID, AchievementID: e.achID, RecipientEmail: "ada@example.org", Actor: "system"}); err != nil {
		t.Fatal(err)
	}
	// A credential of another organization stays out of this one's audit.
	nw := catalog.DemoCatalogAt(testBase)[1]
	other, err := e.svc.CreateOrganization(context.Background(), store.Organization{Slug: nw.Slug, Name: nw.Name}, "", "system")
	if err != nil {
		t.Fatal(err)
	}
	ach := nw.Achievements[0]
	entry, err := e.svc.SaveAchievement(context.Background(), other.ID, &ach, "system")
	if err != nil {
		t.Fatal(err)
	}
	foreign, _, err := e.svc.Issue(context.Background(), issue.Request{OrgID: other.ID, AchievementID: entry.Achievement.ID, RecipientEmail: "ada@example.org", Actor: "system"})
	if err != nil {
		t.Fatal(err)
	}
	version := func(want int) func(*testing.T, *httptest.ResponseRecorder) {
		return func(t *testing.T, rec *httptest.ResponseRecorder) {
			if v := decode[definitionRecord](t, rec).Version; v != want {
				t.Errorf("version %d, want %d", v, want)
			}
		}
	}
	e.run(t, []scenario{
		{name: "create", method: "POST", url: "/api/v1/pathways", headers: bearer(tok), body: doc, status: 201,
			contains: []string{`"org":"demo-university"`, `"url":"` + testBase + `/pathways/demo-university/stats-track"`}, check: version(1)},
		{name: "create again makes version 2", method: "POST", url: "/api/v1/pathways", headers: bearer(tok), body: strings.Replace(doc, "Statistics track", "Stats", 1), status: 201, check: version(2)},
		{name: "update", method: "PUT", url: "/api/v1/pathways/stats-track", headers: bearer(tok), body: doc, status: 201, check: version(3)},
		{name: "update with another id", method: "PUT", url: "/api/v1/pathways/stats-track", headers: bearer(tok),
			body: strings.Replace(doc, "stats-track", "other", 1), status: 400, contains: []string{`"field":"id"`}},
		{name: "update unknown", method: "PUT", url: "/api/v1/pathways/nothing", headers: bearer(tok), body: doc, status: 404},
		{name: "a bad rule names its field", method: "POST", url: "/api/v1/pathways", headers: bearer(tok),
			body: strings.Replace(doc, `"kind":"allOf"`, `"kind":"nOf","n":3`, 1), status: 400,
			contains: []string{`"field":"root.n"`, "must be between 1 and the number of child rules"}},
		{name: "an unknown field", method: "POST", url: "/api/v1/pathways", headers: bearer(tok), body: `{"id":"x","name":"x","root":{"kind":"allOf"},"colour":"red"}`,
			status: 400, contains: []string{"unknown field"}},
		{name: "read-only token", method: "POST", url: "/api/v1/pathways", headers: bearer(readTok), body: doc, status: 403},
		{name: "no token", method: "POST", url: "/api/v1/pathways", body: doc, status: 401},
		{name: "scheme", method: "POST", url: "/api/v1/credit-schemes", headers: bearer(tok), body: scheme, status: 201, contains: []string{`"kind":"scheme"`}},
		{name: "list", method: "GET", url: "/api/v1/pathways", status: 200, contains: []string{`"id":"stats-track"`, `"version":3`}},
		{name: "list of an unknown organization", method: "GET", url: "/api/v1/pathways?org=nowhere", status: 404},
		{name: "an old version", method: "GET", url: "/api/v1/pathways/demo-university/stats-track?version=2", status: 200, contains: []string{`"name":"Stats"`}},
		{name: "a missing version", method: "GET", url: "/api/v1/pathways/demo-university/stats-track?version=9", status: 404},
		{name: "a bad version", method: "GET", url: "/api/v1/pathways/demo-university/stats-track?version=zero", status: 400, contains: []string{`"field":"version"`}},
		{name: "schemes are apart", method: "GET", url: "/api/v1/credit-schemes/demo-university/stats-track", status: 404},
		{name: "audit", method: "GET", url: "/api/v1/audit?learner=Ada@Example.org", headers: bearer(readTok), status: 200,
			contains: []string{`"learner":"ada@example.org"`, `"complete":true`, `"total":3`, "met by Statistics for Data Science"}},
		{name: "audit leaves out other issuers", method: "GET", url: "/api/v1/audit?learner=ada@example.org", headers: bearer(readTok), status: 200,
			check: func(t *testing.T, rec *httptest.ResponseRecorder) {
				if strings.Contains(rec.Body.String(), foreign.ID) {
					t.Error("the audit shows another organization's credential")
				}
			}},
		{name: "clr", method: "GET", url: "/api/v1/clr?learner=ada@example.org", headers: bearer(readTok), status: 200,
			contains: []string{`"ClrCredential"`, `"ClrSubject"`, `"proof"`, `"eddsa-rdfc-2022"`,
				// The scheme's credit: STAT 101, 3 SCH, related to the
				// statistics credential's achievement.
				`"achievementType":"Course"`, `"humanCode":"STAT 101"`, `"creditsAvailable":3`, `"associationType":"isRelatedTo"`},
			check: func(t *testing.T, rec *httptest.ResponseRecorder) {
				if strings.Contains(rec.Body.String(), foreign.ID) {
					t.Error("the record holds another organization's credential")
				}
				if err := credential.ValidateClr(rec.Body.Bytes()); err != nil {
					t.Errorf("the record fails 1EdTech's CLR 2.0 JSON Schema: %v", err)
				}
				// The VC-API verifier checks the record and each
				// credential in it.
				v := e.do("POST", "/credentials/verify", map[string]string{"Content-Type": "application/json"},
					`{"verifiableCredential":`+rec.Body.String()+`}`)
				var res struct {
					Verdict         string `json:"verdict"`
					EmbeddedVerdict string `json:"embeddedVerdict"`
					Embedded        []struct {
						Name    string `json:"name"`
						Verdict string `json:"verdict"`
					} `json:"embedded"`
				}
				if err := json.Unmarshal(v.Body.Bytes(), &res); err != nil || v.Code != 200 || res.Verdict != "verified" ||
					res.EmbeddedVerdict != "verified" || len(res.Embedded) != 1 || res.Embedded[0].Verdict != "verified" || res.Embedded[0].Name == "" {
					t.Errorf("verify the record: %d %v\n%s", v.Code, err, v.Body)
				}
			}},
		{name: "no record of a learner with none of the organization's credentials", method: "GET", url: "/api/v1/clr?learner=bob@example.org",
			headers: bearer(readTok), status: 404, contains: []string{"no valid credential of this organization"}},
		{name: "clr needs the read scope", method: "GET", url: "/api/v1/clr?learner=ada@example.org", headers: bearer(tok), status: 403},
		{name: "audit needs a learner", method: "GET", url: "/api/v1/audit", headers: bearer(readTok), status: 400, contains: []string{`"field":"learner"`}},
		{name: "audit needs the read scope", method: "GET", url: "/api/v1/audit?learner=ada@example.org", headers: bearer(tok), status: 403},
	})
	events, err := e.store.ListAudit(context.Background(), store.AuditQuery{Action: "pathway.save"})
	if err != nil || len(events) != 4 || events[0].Actor != "all" {
		t.Errorf("audit events: %d, %v", len(events), err)
	}
}
