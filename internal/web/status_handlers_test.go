package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/microcred/microcred/internal/status"
	"github.com/microcred/microcred/internal/store"
)

// withStatus makes sure the seeded credential has status list entries
// (credentials issued with them already do).
func (e *env) withStatus() string {
	e.t.Helper()
	ctx := context.Background()
	id := "urn:uuid:" + e.credUUID
	sts, err := e.store.CredentialStatuses(ctx, id)
	if err != nil {
		e.t.Fatal(err)
	}
	if len(sts) == 0 {
		svc := &status.Service{Store: e.store}
		as, err := svc.Allocate(ctx, e.org.ID)
		if err != nil {
			e.t.Fatal(err)
		}
		if err := status.Record(ctx, e.store, e.org.ID, id, as); err != nil {
			e.t.Fatal(err)
		}
		sts, _ = e.store.CredentialStatuses(ctx, id)
	}
	for _, s := range sts {
		if s.Purpose == store.PurposeRevocation {
			return "/orgs/city-uni/status/revocation/" + itoa(s.List)
		}
	}
	e.t.Fatal("no revocation entry")
	return ""
}

func TestStatusListEndpoint(t *testing.T) {
	e := newEnv(t, envOptions{})
	listPath := e.withStatus()
	rec := e.do(request{method: "GET", path: listPath})
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s = %d %s", listPath, rec.Code, rec.Body)
	}
	etag := rec.Header().Get("ETag")
	if etag == "" || rec.Header().Get("Cache-Control") != "public, max-age=300" ||
		!strings.Contains(rec.Body.String(), `"BitstringStatusListCredential"`) || !strings.Contains(rec.Body.String(), `"proof"`) {
		t.Fatalf("list response: headers %v body %.200s", rec.Header(), rec.Body)
	}
	if rec := e.do(request{method: "GET", path: listPath, header: map[string]string{"If-None-Match": etag}}); rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("conditional GET = %d with %d bytes, want 304 and none", rec.Code, rec.Body.Len())
	}
	for _, p := range []string{"/orgs/city-uni/status/revocation/9", "/orgs/city-uni/status/refresh/0", "/orgs/nobody/status/revocation/0",
		"/orgs/city-uni/status/revocation/01", "/orgs/city-uni/status/revocation/-1"} {
		if rec := e.do(request{method: "GET", path: p}); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, rec.Code)
		}
	}
	// A revocation changes the list and its ETag.
	if rec := e.do(request{method: "POST", path: "/admin/orgs/city-uni/credentials/" + e.credUUID + "/revoke", as: "issuer",
		form: url.Values{"reason": {"issued in error"}}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("revoke = %d %s", rec.Code, rec.Body)
	}
	rec = e.do(request{method: "GET", path: listPath, header: map[string]string{"If-None-Match": etag}})
	if rec.Code != http.StatusOK || rec.Header().Get("ETag") == etag {
		t.Errorf("after revocation: %d, ETag %s (was %s)", rec.Code, rec.Header().Get("ETag"), etag)
	}
}

func TestStatusForms(t *testing.T) {
	e := newEnv(t, envOptions{suspension: true})
	e.withStatus()
	manage := "/admin/orgs/city-uni/credentials/" + e.credUUID
	public := "/c/" + e.credUUID
	steps := []struct {
		name   string
		req    request
		code   int
		body   string
		absent string
	}{
		{"viewer may not manage", request{method: "GET", path: manage, as: "viewer"}, http.StatusForbidden, "", ""},
		{"anonymous may not manage", request{method: "POST", path: manage + "/revoke", form: url.Values{"reason": {"x"}}}, http.StatusUnauthorized, "", ""},
		{"manage page", request{method: "GET", path: manage, as: "issuer"}, http.StatusOK, "Status: active", ""},
		{"public page offers management to staff", request{method: "GET", path: public, as: "owner"}, http.StatusOK, manage, ""},
		{"public page hides management from others", request{method: "GET", path: public}, http.StatusOK, "", manage},
		{"no CSRF", request{method: "POST", path: manage + "/suspend", as: "issuer", noCSRF: true, form: url.Values{"reason": {"x"}}}, http.StatusForbidden, "", ""},
		{"no reason", request{method: "POST", path: manage + "/suspend", as: "issuer", form: url.Values{"reason": {" "}}}, http.StatusBadRequest, "Give a reason", ""},
		{"unsuspend active", request{method: "POST", path: manage + "/unsuspend", as: "issuer", form: url.Values{"reason": {"x"}}}, http.StatusBadRequest, "not suspended", ""},
		{"suspend", request{method: "POST", path: manage + "/suspend", as: "issuer", form: url.Values{"reason": {"secret review"}}}, http.StatusSeeOther, "", ""},
		{"public page says suspended", request{method: "GET", path: public}, http.StatusOK, "Suspended since", "secret review"},
		{"unsuspend", request{method: "POST", path: manage + "/unsuspend", as: "owner", form: url.Values{"reason": {"ok"}}}, http.StatusSeeOther, "", ""},
		{"revoke", request{method: "POST", path: manage + "/revoke", as: "owner", form: url.Values{"reason": {"fraudulent evidence"}}}, http.StatusSeeOther, "", ""},
		{"public page says revoked, not why", request{method: "GET", path: public}, http.StatusOK, "Revoked on", "fraudulent evidence"},
		{"revoke twice", request{method: "POST", path: manage + "/revoke", as: "owner", form: url.Values{"reason": {"x"}}}, http.StatusBadRequest, "already revoked", ""},
		{"unknown action", request{method: "POST", path: manage + "/delete", as: "owner", form: url.Values{"reason": {"x"}}}, http.StatusNotFound, "", ""},
		{"unknown credential", request{method: "GET", path: "/admin/orgs/city-uni/credentials/00000000-0000-4000-8000-000000000000", as: "owner"}, http.StatusNotFound, "", ""},
		{"bad renewal date", request{method: "POST", path: manage + "/renew", as: "owner", form: url.Values{"valid_until": {"soon"}}}, http.StatusBadRequest, "2030-12-31", ""},
	}
	for _, s := range steps {
		rec := e.do(s.req)
		if rec.Code != s.code {
			t.Errorf("%s: %s %s = %d, want %d\n%.300s", s.name, s.req.method, s.req.path, rec.Code, s.code, rec.Body)
			continue
		}
		if s.body != "" && !strings.Contains(rec.Body.String(), htmlEscape(s.body)) && !strings.Contains(rec.Body.String(), s.body) {
			t.Errorf("%s: body lacks %q", s.name, s.body)
		}
		if s.absent != "" && strings.Contains(rec.Body.String(), s.absent) {
			t.Errorf("%s: body shows %q", s.name, s.absent)
		}
	}
	// The reasons are in the audit log.
	events, err := e.store.ListAudit(context.Background(), store.AuditQuery{OrgID: e.org.ID})
	if err != nil {
		t.Fatal(err)
	}
	var reasons []string
	for _, ev := range events {
		if strings.HasPrefix(ev.Action, "credential.") && strings.Contains(string(ev.Detail), "reason") {
			reasons = append(reasons, ev.Action)
		}
	}
	if strings.Join(reasons, ",") != "credential.suspend,credential.unsuspend,credential.revoke" {
		t.Errorf("audited status changes: %v", reasons)
	}
}

func TestRenewForm(t *testing.T) {
	e := newEnv(t, envOptions{})
	manage := "/admin/orgs/city-uni/credentials/" + e.credUUID
	rec := e.do(request{method: "POST", path: manage + "/renew", as: "issuer", form: url.Values{"valid_until": {"2035-06-30"}}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("renew = %d %s", rec.Code, rec.Body)
	}
	loc := locationOf(t, rec)
	newUUID := loc[strings.LastIndex(loc, "/")+1:]
	if newUUID == e.credUUID || !strings.HasPrefix(loc, "/admin/orgs/city-uni/credentials/") {
		t.Fatalf("renewal redirected to %s", loc)
	}
	nc, err := e.store.Credential(context.Background(), "urn:uuid:"+newUUID)
	if err != nil {
		t.Fatal(err)
	}
	if nc.Replaces != "urn:uuid:"+e.credUUID || nc.ValidUntil == nil || nc.ValidUntil.Format("2006-01-02") != "2035-06-30" ||
		nc.RecipientEmail != "learner@example.edu" {
		t.Errorf("renewal = replaces %q, until %v, to %s", nc.Replaces, nc.ValidUntil, nc.RecipientEmail)
	}
	if rec := e.do(request{method: "GET", path: "/c/" + e.credUUID}); !strings.Contains(rec.Body.String(), "has been renewed") ||
		!strings.Contains(rec.Body.String(), "/c/"+newUUID) {
		t.Errorf("old page does not point to its renewal")
	}
	rec = e.do(request{method: "GET", path: "/c/" + newUUID})
	if !strings.Contains(rec.Body.String(), "renews") || !strings.Contains(rec.Body.String(), "/c/"+e.credUUID) {
		t.Errorf("new page does not say what it renews")
	}
	if !strings.Contains(rec.Body.String(), "Verified") {
		t.Errorf("renewed credential does not verify on its page")
	}
}

// TestSuspensionSetting: by default a credential can be revoked, not
// suspended; the owner's setting gives credentials issued afterwards a
// suspension entry, and only the owner may change it.
func TestSuspensionSetting(t *testing.T) {
	e := newEnv(t, envOptions{})
	manage := "/admin/orgs/city-uni/credentials/" + e.credUUID
	settings := "/admin/orgs/city-uni/settings"
	steps := []struct {
		name   string
		req    request
		code   int
		body   string
		absent string
	}{
		{"manage page offers revocation only", request{method: "GET", path: manage, as: "issuer"}, http.StatusOK, "can be revoked but not suspended", manage + "/suspend"},
		{"suspend refused", request{method: "POST", path: manage + "/suspend", as: "issuer", form: url.Values{"reason": {"x"}}}, http.StatusBadRequest, "no suspension entry", ""},
		{"owner sees the setting", request{method: "GET", path: "/admin/orgs/city-uni", as: "owner"}, http.StatusOK, "Allow suspending credentials", ""},
		{"issuer does not", request{method: "GET", path: "/admin/orgs/city-uni", as: "issuer"}, http.StatusOK, "", "Allow suspending credentials"},
		{"issuer may not change it", request{method: "POST", path: settings, as: "issuer", form: url.Values{"suspension": {"on"}}}, http.StatusForbidden, "", ""},
		{"no CSRF", request{method: "POST", path: settings, as: "owner", noCSRF: true, form: url.Values{"suspension": {"on"}}}, http.StatusForbidden, "", ""},
		{"bad value", request{method: "POST", path: settings, as: "owner", form: url.Values{"suspension": {"maybe"}}}, http.StatusBadRequest, "on or off", ""},
		{"owner turns it on", request{method: "POST", path: settings, as: "owner", form: url.Values{"suspension": {"on"}}}, http.StatusSeeOther, "", ""},
		{"setting shown on", request{method: "GET", path: "/admin/orgs/city-uni", as: "owner"}, http.StatusOK, `value="on" checked`, ""},
		{"the credential issued before still cannot be suspended", request{method: "POST", path: manage + "/suspend", as: "issuer", form: url.Values{"reason": {"x"}}}, http.StatusBadRequest, "no suspension entry", ""},
		{"revoking it works", request{method: "POST", path: manage + "/revoke", as: "issuer", form: url.Values{"reason": {"x"}}}, http.StatusSeeOther, "", ""},
	}
	for _, s := range steps {
		rec := e.do(s.req)
		if rec.Code != s.code {
			t.Errorf("%s: %s %s = %d, want %d\n%.300s", s.name, s.req.method, s.req.path, rec.Code, s.code, rec.Body)
			continue
		}
		if s.body != "" && !strings.Contains(rec.Body.String(), htmlEscape(s.body)) && !strings.Contains(rec.Body.String(), s.body) {
			t.Errorf("%s: body lacks %q", s.name, s.body)
		}
		if s.absent != "" && strings.Contains(rec.Body.String(), s.absent) {
			t.Errorf("%s: body shows %q", s.name, s.absent)
		}
	}
	org, err := e.store.Organization(context.Background(), e.org.ID)
	if err != nil || !org.Suspension {
		t.Fatalf("setting not saved: %+v %v", org, err)
	}
	events, err := e.store.ListAudit(context.Background(), store.AuditQuery{OrgID: e.org.ID})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, ev := range events {
		found = found || (ev.Action == "org.settings.update" && strings.Contains(string(ev.Detail), `"suspension":true`))
	}
	if !found {
		t.Error("the setting change is not in the audit log")
	}
}
