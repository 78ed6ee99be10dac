package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/auth"
	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/proof"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/verify"
)

// foreignCredential is an Open Badges 3.0 credential from an issuer on
// another system: a did:key signs it, offline-verifiable.
func foreignCredential(t *testing.T) string {
	t.Helper()
	kp, err := keys.Generate("")
	if err != nil {
		t.Fatal(err)
	}
	doc := proof.SampleCredential()
	iss := doc["issuer"].(map[string]any)
	iss["id"], iss["name"] = kp.Controller, "Industry Academy"
	doc["validFrom"] = "2025-01-01T00:00:00Z"
	signed, err := proof.Sign(doc, kp, proof.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(signed)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWalletFlow(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	issuedID := "urn:uuid:" + e.credUUID

	page := e.do(request{method: "GET", path: "/wallet", as: "learner"}).Body.String()
	if !strings.Contains(page, htmlEscape(e.seeded[0].Name)) || !strings.Contains(page, "✔ Verified") {
		t.Fatalf("wallet lacks the issued credential with its verdict")
	}

	// Import from anywhere: checked, kept once, bad input named.
	foreign := foreignCredential(t)
	rec := e.do(request{method: "POST", path: "/wallet/import", as: "learner", form: url.Values{"credential": {foreign}}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("import: %d %s", rec.Code, rec.Body.String())
	}
	items, _ := e.store.WalletItems(ctx, e.users["learner"].ID)
	if len(items) != 1 || items[0].IssuerName != "Industry Academy" {
		t.Fatalf("imported items = %+v", items)
	}
	e.do(request{method: "POST", path: "/wallet/import", as: "learner", form: url.Values{"credential": {foreign}}})
	if items, _ := e.store.WalletItems(ctx, e.users["learner"].ID); len(items) != 1 {
		t.Errorf("the same credential was imported twice")
	}
	if rec := e.do(request{method: "POST", path: "/wallet/import", as: "learner", form: url.Values{"credential": {"hello"}}}); rec.Code != 400 || !strings.Contains(rec.Body.String(), "neither a credential in JSON nor a JWT") {
		t.Errorf("bad import: %d", rec.Code)
	}
	if p := e.do(request{method: "GET", path: "/wallet", as: "learner"}).Body.String(); strings.Count(p, "✔ Verified") < 2 || !strings.Contains(p, "Industry Academy") {
		t.Error("wallet does not show the import verified")
	}
	if p := e.do(request{method: "GET", path: "/wallet/items/" + items[0].ID, as: "viewer"}); p.Code != http.StatusNotFound {
		t.Errorf("another account opened an imported credential: %d", p.Code)
	}

	// Collections and the public profile.
	for _, ref := range []string{issuedID, items[0].ID} {
		if rec := e.do(request{method: "POST", path: "/wallet/file", as: "learner", form: url.Values{"ref": {ref}, "collection": {"Data"}, "on_profile": {"1"}}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("file %s: %d", ref, rec.Code)
		}
	}
	if rec := e.do(request{method: "POST", path: "/wallet/file", as: "viewer", form: url.Values{"ref": {issuedID}, "collection": {"Mine"}}}); rec.Code != http.StatusNotFound {
		t.Errorf("another account filed the learner's credential: %d", rec.Code)
	}
	if p := e.do(request{method: "GET", path: "/wallet?collection=Data", as: "learner"}).Body.String(); !strings.Contains(p, `aria-current="page">Data`) {
		t.Error("collection filter not shown")
	}
	if rec := e.do(request{method: "POST", path: "/wallet/profile", as: "learner", form: url.Values{"handle": {"Bad Handle"}}}); rec.Code != 400 {
		t.Errorf("bad handle: %d", rec.Code)
	}
	e.do(request{method: "POST", path: "/wallet/profile", as: "learner", form: url.Values{"handle": {"learner-person"}, "headline": {"Data analyst"}}})
	prof := e.do(request{method: "GET", path: "/u/learner-person"}).Body.String()
	if !strings.Contains(prof, "Data analyst") || !strings.Contains(prof, "Industry Academy") || !strings.Contains(prof, htmlEscape(e.seeded[0].Name)) {
		t.Errorf("public profile lacks the chosen credentials")
	}

	// Share links: work for anyone until revoked or expired.
	rec = e.do(request{method: "POST", path: "/wallet/share", as: "learner", form: url.Values{"ref": {issuedID}, "days": {"7"}}})
	m := regexp.MustCompile(`/s/([A-Za-z0-9_-]+)`).FindStringSubmatch(rec.Body.String())
	if rec.Code != 200 || m == nil {
		t.Fatalf("share: %d", rec.Code)
	}
	if p := e.do(request{method: "GET", path: "/s/" + m[1]}); p.Code != 200 || !strings.Contains(p.Body.String(), "✔ Verified") {
		t.Errorf("share link page: %d", p.Code)
	}
	links, _ := e.store.ListShareLinks(ctx, e.users["learner"].ID)
	e.do(request{method: "POST", path: "/wallet/share/" + links[0].ID + "/revoke", as: "learner"})
	if p := e.do(request{method: "GET", path: "/s/" + m[1]}); p.Code != http.StatusNotFound {
		t.Errorf("revoked share link: %d", p.Code)
	}
	tok, hash := auth.NewToken()
	past := time.Now().Add(-time.Minute)
	if _, err := e.store.CreateShareLink(ctx, store.ShareLink{TokenHash: hash, UserID: e.users["learner"].ID, Ref: issuedID, ExpiresAt: &past}); err != nil {
		t.Fatal(err)
	}
	if p := e.do(request{method: "GET", path: "/s/" + tok}); p.Code != http.StatusNotFound {
		t.Errorf("expired share link: %d", p.Code)
	}

	// Export everything.
	exp := e.do(request{method: "GET", path: "/wallet/export", as: "learner"})
	var bundle struct {
		Credentials []struct {
			Source  string
			Verdict string
		}
	}
	if err := json.Unmarshal(exp.Body.Bytes(), &bundle); err != nil || len(bundle.Credentials) != 2 {
		t.Fatalf("export: %v %s", err, exp.Body.String())
	}

	// A presentation bound to the verifier's challenge and domain.
	if rec := e.do(request{method: "POST", path: "/wallet/present", as: "learner", form: url.Values{"ref": {issuedID}}}); rec.Code != 400 || !strings.Contains(rec.Body.String(), "challenge is missing") {
		t.Errorf("presentation without a challenge: %d", rec.Code)
	}
	rec = e.do(request{method: "POST", path: "/wallet/present", as: "learner", form: url.Values{"ref": {issuedID, items[0].ID}, "request": {`{"challenge":"c-123","domain":"employer.example"}`}}})
	if rec.Code != 200 {
		t.Fatalf("present: %d %s", rec.Code, rec.Body.String())
	}
	vp := rec.Body.Bytes()
	for _, c := range []struct {
		challenge, domain string
		want              verify.Verdict
	}{
		{"c-123", "employer.example", verify.Verified},
		{"c-999", "employer.example", verify.NotVerified}, // replayed
		{"c-123", "other.example", verify.NotVerified},    // re-targeted
	} {
		rep, err := e.svc.VerifyPresentation(ctx, vp, verify.PresentationOptions{Challenge: c.challenge, Domain: c.domain})
		if err != nil || rep.Verdict != c.want {
			t.Errorf("presentation for %s/%s: %v %+v, want %s", c.challenge, c.domain, err, rep, c.want)
		}
	}

	// Delete the account: personal data goes, the credential stays valid.
	if rec := e.do(request{method: "POST", path: "/account/delete", as: "learner", form: url.Values{"current_password": {"wrong"}}}); rec.Code != 400 {
		t.Errorf("delete with a wrong password: %d", rec.Code)
	}
	if rec := e.do(request{method: "POST", path: "/account/delete", as: "viewer", form: url.Values{"current_password": {testPassword}}}); rec.Code != http.StatusConflict {
		t.Errorf("an organization member deleted their account: %d", rec.Code)
	}
	if rec := e.do(request{method: "POST", path: "/account/delete", as: "learner", form: url.Values{"current_password": {testPassword}}}); rec.Code != 200 {
		t.Fatalf("delete: %d %s", rec.Code, rec.Body.String())
	}
	if _, err := e.store.UserByEmail(ctx, "learner@example.edu"); err == nil {
		t.Error("the account still exists")
	}
	if p := e.do(request{method: "GET", path: "/u/learner-person"}); p.Code != http.StatusNotFound {
		t.Errorf("profile after deletion: %d", p.Code)
	}
	if p := e.do(request{method: "GET", path: "/c/" + e.credUUID}); p.Code != 200 || !strings.Contains(p.Body.String(), "✔ Verified") {
		t.Errorf("issued credential after the account's deletion: %d", p.Code)
	}
}

func TestWalletImportByLinkAndBakedImage(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	// Another learner's credential, by the link to its page on this server.
	other := e.issueTo("someone.else@example.org")
	link := testBase + "/c/" + e.svc.CredentialUUID(other.ID)
	if rec := e.do(request{method: "POST", path: "/wallet/import", as: "viewer", form: url.Values{"credential": {link}}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("import by link: %d %s", rec.Code, rec.Body.String())
	}
	items, _ := e.store.WalletItems(ctx, e.users["viewer"].ID)
	if len(items) != 1 || items[0].Document != other.Document {
		t.Fatalf("imported by link: %+v", items)
	}
	// A link elsewhere goes through the guarded client, which refuses a
	// private address in plain words.
	if rec := e.do(request{method: "POST", path: "/wallet/import", as: "viewer", form: url.Values{"credential": {"https://10.1.2.3/badge.json"}}}); rec.Code != 400 || !strings.Contains(rec.Body.String(), "The link could not be used") {
		t.Errorf("private link: %d", rec.Code)
	}
	// A baked badge image.
	png := e.do(request{method: "GET", path: "/c/" + e.credUUID + ".png"}).Body.Bytes()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf_token", e.logins["viewer"].CSRF)
	fw, _ := mw.CreateFormFile("file", "badge.png")
	_, _ = fw.Write(png)
	_ = mw.Close()
	if rec := e.do(request{method: "POST", path: "/wallet/import", as: "viewer", body: body.String(), contentType: mw.FormDataContentType()}); rec.Code != http.StatusSeeOther {
		t.Fatalf("import baked PNG: %d %s", rec.Code, rec.Body.String())
	}
	if items, _ := e.store.WalletItems(ctx, e.users["viewer"].ID); len(items) != 2 {
		t.Fatalf("after the baked import: %d items", len(items))
	}
	// The export carries the PDF certificate of credentials issued here.
	exp := e.do(request{method: "GET", path: "/wallet/export", as: "learner"})
	var bundle struct {
		Credentials []struct {
			Source         string
			CertificatePDF []byte `json:"certificatePdf"`
		}
	}
	if err := json.Unmarshal(exp.Body.Bytes(), &bundle); err != nil || len(bundle.Credentials) == 0 {
		t.Fatalf("export: %v", err)
	}
	for _, c := range bundle.Credentials {
		if c.Source == "issued" && !bytes.HasPrefix(c.CertificatePDF, []byte("%PDF-")) {
			t.Errorf("issued credential exported without its PDF certificate")
		}
	}
}
