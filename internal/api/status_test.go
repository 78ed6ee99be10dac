package api

import (
	"context"
	"strings"
	"testing"

	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/status"
	"github.com/microcred/microcred/internal/store"
)

func TestStatusEndpoints(t *testing.T) {
	for _, b := range backends() {
		t.Run(b, func(t *testing.T) { testStatusEndpoints(t, b) })
	}
}

func testStatusEndpoints(t *testing.T, backend string) {
	e := newEnv(t, backend, store.DIDWeb)
	ctx := context.Background()
	// By default a credential has a revocation entry only: it can be
	// revoked, not suspended.
	plain, _, err := e.svc.Issue(ctx, issue.Request{OrgID: e.org.ID, AchievementID: e.achID, RecipientEmail: "bob@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetSuspension(ctx, e.org.ID, true, "test"); err != nil {
		t.Fatal(err)
	}
	c, _, err := e.svc.Issue(ctx, issue.Request{OrgID: e.org.ID, AchievementID: e.achID, RecipientEmail: "ada@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	// Credentials issued with status entries have them; otherwise add them.
	if sts, _ := e.store.CredentialStatuses(ctx, c.ID); len(sts) == 0 {
		as, err := (&status.Service{Store: e.store}).Allocate(ctx, e.org.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := status.Record(ctx, e.store, e.org.ID, c.ID, as); err != nil {
			t.Fatal(err)
		}
	}
	uuid := strings.TrimPrefix(c.ID, "urn:uuid:")
	tok := bearer(e.token("all"))
	e.addClient("reader", e.org.ID, ScopeCredentialRead)
	readTok := bearer(e.token("reader"))
	e.addClient("other", mustOrg(t, e), ScopeIssue)
	otherTok := bearer(e.token("other"))
	base := "/api/v1/credentials/" + uuid
	e.run(t, []scenario{
		{name: "no token", method: "POST", url: base + "/revoke", body: `{"reason":"x"}`, status: 401},
		{name: "wrong scope", method: "POST", url: base + "/revoke", headers: readTok, body: `{"reason":"x"}`, status: 403},
		{name: "other organization", method: "POST", url: base + "/revoke", headers: otherTok, body: `{"reason":"x"}`, status: 404},
		{name: "unknown credential", method: "POST", url: "/api/v1/credentials/00000000-0000-4000-8000-000000000000/revoke", headers: tok, body: `{"reason":"x"}`, status: 404},
		{name: "missing reason", method: "POST", url: base + "/suspend", headers: tok, body: `{}`, status: 400, contains: []string{`"reason"`}},
		{name: "unknown field", method: "POST", url: base + "/suspend", headers: tok, body: `{"reason":"x","why":"y"}`, status: 400, contains: []string{"why"}},
		{name: "unsuspend active", method: "POST", url: base + "/unsuspend", headers: tok, body: `{"reason":"x"}`, status: 409, contains: []string{"not suspended"}},
		{name: "suspend", method: "POST", url: base + "/suspend", headers: tok, body: `{"reason":"review"}`, status: 200,
			contains: []string{`"status":"suspended"`, `"suspended":true`, `"suspendedAt"`}},
		{name: "unsuspend", method: "POST", url: base + "/unsuspend", headers: tok, body: `{"reason":"done"}`, status: 200, contains: []string{`"status":"active"`}},
		{name: "revoke", method: "POST", url: base + "/revoke", headers: tok, body: `{"reason":"error"}`, status: 200,
			contains: []string{`"status":"revoked"`, `"revokedAt"`}},
		{name: "suspend without a suspension entry", method: "POST", url: "/api/v1/credentials/" + strings.TrimPrefix(plain.ID, "urn:uuid:") + "/suspend",
			headers: tok, body: `{"reason":"review"}`, status: 409, contains: []string{"no suspension entry"}},
		{name: "revoke without a suspension entry", method: "POST", url: "/api/v1/credentials/" + strings.TrimPrefix(plain.ID, "urn:uuid:") + "/revoke",
			headers: tok, body: `{"reason":"error"}`, status: 200, contains: []string{`"status":"revoked"`}},
		{name: "revoke twice", method: "POST", url: base + "/revoke", headers: tok, body: `{"reason":"again"}`, status: 409, contains: []string{"already revoked"}},
	})
}

// mustOrg creates a second organization and returns its id.
func mustOrg(t *testing.T, e *env) string {
	t.Helper()
	o, err := e.svc.CreateOrganization(context.Background(), store.Organization{Slug: "other-org", Name: "Other"}, "", "system")
	if err != nil {
		t.Fatal(err)
	}
	return o.ID
}
