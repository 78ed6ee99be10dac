package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/microcred/microcred/internal/store"
)

// TestRenewFormRefusals checks that the renew form goes through
// issue.Service.Renew: a credential renewed already, or revoked, is not
// renewed again, and the form says why; a renewal without a date keeps the
// old credential's validity period (none here) and is audited.
func TestRenewFormRefusals(t *testing.T) {
	e := newEnv(t, envOptions{})
	e.withStatus()
	manage := "/admin/orgs/city-uni/credentials/" + e.credUUID
	rec := e.do(request{method: "POST", path: manage + "/renew", as: "owner", form: url.Values{"valid_until": {"2001-01-01"}}})
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "after the start of validity") {
		t.Errorf("renewal ending in the past = %d\n%.300s", rec.Code, rec.Body)
	}
	rec = e.do(request{method: "POST", path: manage + "/renew", as: "issuer", form: url.Values{"valid_until": {""}}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("renew = %d %s", rec.Code, rec.Body)
	}
	loc := locationOf(t, rec)
	newUUID := loc[strings.LastIndex(loc, "/")+1:]
	ctx := context.Background()
	nc, err := e.store.Credential(ctx, "urn:uuid:"+newUUID)
	if err != nil || nc.Replaces != "urn:uuid:"+e.credUUID || nc.ValidUntil != nil {
		t.Fatalf("renewal %+v, %v", nc, err)
	}
	events, err := e.store.ListAudit(ctx, store.AuditQuery{OrgID: e.org.ID, Action: "credential.renew"})
	if err != nil || len(events) != 1 || events[0].Target != nc.ID {
		t.Errorf("renewal audit %+v, %v", events, err)
	}
	newManage := "/admin/orgs/city-uni/credentials/" + newUUID
	steps := []struct {
		name string
		req  request
		code int
		body string
	}{
		{"renewed already", request{method: "POST", path: manage + "/renew", as: "owner", form: url.Values{"valid_until": {"2035-01-01"}}},
			http.StatusBadRequest, "Cannot renew: urn:uuid:" + e.credUUID + " is already renewed by " + nc.ID},
		{"revoke the renewal", request{method: "POST", path: newManage + "/revoke", as: "owner", form: url.Values{"reason": {"error"}}},
			http.StatusSeeOther, ""},
		{"revoked", request{method: "POST", path: newManage + "/renew", as: "owner", form: url.Values{"valid_until": {"2035-01-01"}}},
			http.StatusBadRequest, "is revoked"},
	}
	for _, s := range steps {
		rec := e.do(s.req)
		if rec.Code != s.code {
			t.Errorf("%s: %d, want %d\n%.300s", s.name, rec.Code, s.code, rec.Body)
			continue
		}
		if s.body != "" && !strings.Contains(rec.Body.String(), htmlEscape(s.body)) && !strings.Contains(rec.Body.String(), s.body) {
			t.Errorf("%s: body lacks %q", s.name, s.body)
		}
	}
}
