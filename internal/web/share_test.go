package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestShareOptions: a valid credential offers LinkedIn (every field
// filled), email, a link and an embeddable card; once revoked, none of
// the sharing routes work and the page offers none, while the card shows
// the live status.
func TestShareOptions(t *testing.T) {
	e := newEnv(t, envOptions{})
	page := "/c/" + e.credUUID

	body := e.do(request{method: "GET", path: page}).Body.String()
	for _, want := range []string{`id="share-linkedin"`, `id="share-email"`, `id="share-link"`, `id="embed-code"`, "/embed&#34;"} {
		if !strings.Contains(body, want) {
			t.Errorf("valid credential page lacks %s", want)
		}
	}
	rec := e.do(request{method: "GET", path: page + "/share/linkedin"})
	li, err := url.Parse(rec.Header().Get("Location"))
	if rec.Code != http.StatusSeeOther || err != nil {
		t.Fatalf("linkedin: %d %v", rec.Code, err)
	}
	for _, k := range []string{"name", "organizationName", "issueYear", "issueMonth", "certUrl", "certId"} {
		if li.Query().Get(k) == "" {
			t.Errorf("LinkedIn link lacks %s: %s", k, li)
		}
	}
	rec = e.do(request{method: "GET", path: page + "/share/email"})
	if loc := rec.Header().Get("Location"); rec.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "mailto:?") ||
		!strings.Contains(loc, url.QueryEscape("http://microcred.test"+page)) || strings.Contains(loc, "+") {
		t.Errorf("email share: %d %s", rec.Code, loc)
	}
	rec = e.do(request{method: "GET", path: page + "/embed"})
	card := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(card, "Valid") || !strings.Contains(card, "City University") || strings.Contains(card, "<script") ||
		rec.Header().Get("X-Frame-Options") != "" || strings.Contains(rec.Header().Get("Content-Security-Policy"), "frame-ancestors") {
		t.Errorf("embed: %d %v\n%s", rec.Code, rec.Header(), card)
	}

	if rec := e.do(request{method: "POST", path: "/admin/orgs/city-uni/credentials/" + e.credUUID + "/revoke", as: "issuer",
		form: url.Values{"reason": {"issued in error"}}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("revoke = %d %s", rec.Code, rec.Body)
	}
	body = e.do(request{method: "GET", path: page}).Body.String()
	if strings.Contains(body, "share-linkedin") || strings.Contains(body, "linkedin.com") || strings.Contains(body, "share-email") ||
		!strings.Contains(body, "Sharing is switched off while this credential is revoked") {
		t.Errorf("revoked credential page still offers sharing")
	}
	for _, p := range []string{"/share/linkedin", "/share/email"} {
		if rec := e.do(request{method: "GET", path: page + p}); rec.Code != http.StatusGone {
			t.Errorf("revoked %s = %d, want 410", p, rec.Code)
		}
	}
	if card := e.do(request{method: "GET", path: page + "/embed"}).Body.String(); !strings.Contains(card, "Revoked") {
		t.Errorf("embed of a revoked credential does not say so:\n%s", card)
	}
}
