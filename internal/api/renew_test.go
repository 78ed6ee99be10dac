package api

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

func TestRenewEndpoint(t *testing.T) {
	for _, b := range backends() {
		t.Run(b, func(t *testing.T) { testRenewEndpoint(t, b) })
	}
}

func testRenewEndpoint(t *testing.T, backend string) {
	e := newEnv(t, backend, store.DIDWeb)
	ctx := context.Background()
	doc := openAPIDoc(t, e)
	issueOne := func() (store.Credential, string) {
		c, _, err := e.svc.Issue(ctx, issue.Request{OrgID: e.org.ID, AchievementID: e.achID, RecipientEmail: "ada@example.org",
			RecipientName: "Ada", ValidUntil: e.clock.Now().Add(24 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		return c, "/api/v1/credentials/" + strings.TrimPrefix(c.ID, "urn:uuid:") + "/renew"
	}
	c, renew := issueOne()
	revoked, renewRevoked := issueOne()
	if _, err := e.svc.StatusService().Revoke(ctx, revoked.ID, "issued in error", "test"); err != nil {
		t.Fatal(err)
	}
	tok := bearer(e.token("all"))
	e.addClient("reader", e.org.ID, ScopeCredentialRead)
	readTok := bearer(e.token("reader"))
	e.addClient("other", mustOrg(t, e), ScopeIssue)
	otherTok := bearer(e.token("other"))
	const path = "/api/v1/credentials/{uuid}/renew"
	documented := func(t *testing.T, rec *httptest.ResponseRecorder) { checkAgainstDocument(t, doc, "POST", path, rec) }
	until := e.clock.Now().AddDate(1, 0, 0).Format(time.RFC3339)
	e.run(t, []scenario{
		{name: "no token", method: "POST", url: renew, body: `{}`, status: 401},
		{name: "wrong scope", method: "POST", url: renew, headers: readTok, body: `{}`, status: 403},
		{name: "other organization", method: "POST", url: renew, headers: otherTok, body: `{}`, status: 404, check: documented},
		{name: "unknown credential", method: "POST", url: "/api/v1/credentials/00000000-0000-4000-8000-000000000000/renew", headers: tok, body: `{}`, status: 404},
		{name: "empty body", method: "POST", url: renew, headers: tok, status: 400, contains: []string{"empty"}},
		{name: "unknown field", method: "POST", url: renew, headers: tok, body: `{"validFrom":"2030-01-01T00:00:00Z"}`, status: 400, contains: []string{"validFrom"}},
		{name: "malformed date", method: "POST", url: renew, headers: tok, body: `{"validUntil":"soon"}`, status: 400, contains: []string{`"validUntil"`}},
		{name: "date in the past", method: "POST", url: renew, headers: tok, body: `{"validUntil":"2001-01-01T00:00:00Z"}`, status: 400,
			contains: []string{`"validUntil"`, "after the start of validity"}},
		{name: "revoked", method: "POST", url: renewRevoked, headers: tok, body: `{}`, status: 409, contains: []string{"revoked"}, check: documented},
		{name: "renew", method: "POST", url: renew, headers: tok, body: `{"validUntil":"` + until + `"}`, status: 201,
			contains: []string{`"replaces":"` + c.ID + `"`, `"validUntil":"` + until + `"`, `"url":"` + testBase + `/c/`},
			check: func(t *testing.T, rec *httptest.ResponseRecorder) {
				documented(t, rec)
				r := decode[renewalRecord](t, rec)
				if loc := rec.Header().Get("Location"); loc != testBase+"/api/v1/credentials/"+strings.TrimPrefix(r.ID, "urn:uuid:") {
					t.Errorf("Location %s for %s", loc, r.ID)
				}
				nc, err := e.store.Credential(ctx, r.ID)
				if err != nil || nc.Replaces != c.ID || nc.RecipientEmail != c.RecipientEmail {
					t.Errorf("stored renewal %+v, %v", nc, err)
				}
				events, err := e.store.ListAudit(ctx, store.AuditQuery{OrgID: e.org.ID, Action: "credential.renew"})
				if err != nil || len(events) != 1 || events[0].Actor != "all" || events[0].Target != r.ID {
					t.Errorf("renewal audit %+v, %v", events, err)
				}
			}},
		{name: "renew twice", method: "POST", url: renew, headers: tok, body: `{}`, status: 409, contains: []string{"already renewed"}},
	})
}
