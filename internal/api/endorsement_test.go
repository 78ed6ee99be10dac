package api

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/store"
)

func TestEndorsementAPI(t *testing.T) {
	e := newEnv(t, "sqlite", store.DIDWeb)
	ctx := context.Background()
	nw := catalog.DemoCatalogAt(testBase)[1]
	other, err := e.svc.CreateOrganization(ctx, store.Organization{Slug: nw.Slug, Name: nw.Name}, "", "system")
	if err != nil {
		t.Fatal(err)
	}
	ach := nw.Achievements[0]
	entry, err := e.svc.SaveAchievement(ctx, other.ID, &ach, "system")
	if err != nil {
		t.Fatal(err)
	}
	tok := e.token("all", ScopeIssue)
	readTok := e.token("all", ScopeCredentialRead)
	var created endorsementRecord
	keep := func(t *testing.T, rec *httptest.ResponseRecorder) { created = decode[endorsementRecord](t, rec) }
	e.run(t, []scenario{
		{name: "endorse another's achievement", method: "POST", url: "/api/v1/endorsements", headers: bearer(tok),
			body: `{"achievementId":"` + entry.Achievement.ID + `","comment":"Industry-relevant.","validUntil":"2099-01-01T00:00:00Z"}`, status: 201,
			contains: []string{`"direction":"given"`, `"label":"Verified"`, `"verdict":"verified"`, `"EndorsementCredential"`, `"url":"` + testBase + `/endorsements/`}, check: keep},
		{name: "endorse an organization", method: "POST", url: "/api/v1/endorsements", headers: bearer(tok),
			body: `{"organization":"` + nw.Slug + `","comment":"Trusted."}`, status: 201, contains: []string{`"subjectKind":"profile"`}},
		{name: "self-endorsement", method: "POST", url: "/api/v1/endorsements", headers: bearer(tok),
			body: `{"achievementId":"` + e.achID + `","comment":"Ours."}`, status: 400, contains: []string{`"field":"achievementId"`, "adds no trust"}},
		{name: "no comment", method: "POST", url: "/api/v1/endorsements", headers: bearer(tok),
			body: `{"organization":"` + nw.Slug + `"}`, status: 400, contains: []string{`"field":"comment"`}},
		{name: "an unknown field", method: "POST", url: "/api/v1/endorsements", headers: bearer(tok),
			body: `{"organization":"x","comment":"y","stars":5}`, status: 400, contains: []string{"unknown field"}},
		{name: "read-only token may not endorse", method: "POST", url: "/api/v1/endorsements", headers: bearer(readTok),
			body: `{"organization":"` + nw.Slug + `","comment":"x"}`, status: 403},
		{name: "no token", method: "POST", url: "/api/v1/endorsements", body: `{}`, status: 401},
		{name: "list", method: "GET", url: "/api/v1/endorsements?direction=given", headers: bearer(readTok), status: 200,
			contains: []string{`"comment":"Industry-relevant."`, `"comment":"Trusted."`}},
		{name: "paged: the second of two", method: "GET", url: "/api/v1/endorsements?direction=given&limit=1&offset=1", headers: bearer(readTok), status: 200,
			check: func(t *testing.T, rec *httptest.ResponseRecorder) {
				if got := decode[[]endorsementRecord](t, rec); len(got) != 1 || got[0].Comment == "" {
					t.Errorf("second page of one: %+v", got)
				}
			}},
		{name: "paged: past the end", method: "GET", url: "/api/v1/endorsements?direction=given&limit=1&offset=2", headers: bearer(readTok), status: 200,
			check: func(t *testing.T, rec *httptest.ResponseRecorder) {
				if got := decode[[]endorsementRecord](t, rec); len(got) != 0 {
					t.Errorf("third page of one: %+v", got)
				}
			}},
		{name: "a bad limit", method: "GET", url: "/api/v1/endorsements?limit=0", headers: bearer(readTok), status: 400, contains: []string{"limit"}},
		{name: "a bad direction", method: "GET", url: "/api/v1/endorsements?direction=up", headers: bearer(readTok), status: 400, contains: []string{`"field":"direction"`}},
	})
	id := strings.TrimPrefix(created.ID, "urn:uuid:")
	e.run(t, []scenario{
		// A body that cannot be read withdraws nothing (the next step
		// still can); no body at all is a withdrawal without a reason.
		{name: "withdraw with a broken body", method: "POST", url: "/api/v1/endorsements/" + id + "/withdraw", headers: bearer(tok), body: `{"reason":`, status: 400},
		{name: "withdraw an unknown one without a body", method: "POST", url: "/api/v1/endorsements/00000000-0000-4000-8000-000000000000/withdraw", headers: bearer(tok), status: 404},
		{name: "withdraw", method: "POST", url: "/api/v1/endorsements/" + id + "/withdraw", headers: bearer(tok), body: `{"reason":"Course retired"}`, status: 200,
			contains: []string{`"label":"Withdrawn"`, `"verdict":"not_verified"`}},
		{name: "withdraw again", method: "POST", url: "/api/v1/endorsements/" + id + "/withdraw", headers: bearer(tok), body: `{"reason":"x"}`, status: 409},
		{name: "withdraw an unknown one", method: "POST", url: "/api/v1/endorsements/00000000-0000-4000-8000-000000000000/withdraw", headers: bearer(tok), body: `{}`, status: 404},
		{name: "attach a credential that is not an endorsement", method: "POST", url: "/api/v1/endorsements/attach", headers: bearer(tok),
			body: `{"credential":{"type":["VerifiableCredential"]}}`, status: 400, contains: []string{`"field":"credential"`, "not an EndorsementCredential"}},
		{name: "attach one about someone else", method: "POST", url: "/api/v1/endorsements/attach", headers: bearer(tok),
			body: `{"credential":` + string(created.Credential) + `}`, status: 400, contains: []string{`"field":"credential"`}},
	})
}
