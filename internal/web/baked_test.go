package web_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/url"
	"strings"
	"testing"

	"github.com/microcred/microcred/internal/bake"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/verify"
)

// TestBakedBadges: /c/{id}.png and .svg carry the stored credential byte
// for byte in the places Open Badges 3.0 baking defines, and what is
// unbaked verifies.
func TestBakedBadges(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	c, err := e.store.Credential(ctx, "urn:uuid:"+e.credUUID)
	if err != nil {
		t.Fatal(err)
	}
	for ext, mediaType := range map[string]string{"png": "image/png", "svg": "image/svg+xml"} {
		rec := e.do(request{method: "GET", path: "/c/" + e.credUUID + "." + ext})
		if rec.Code != 200 || rec.Header().Get("Content-Type") != mediaType {
			t.Fatalf("%s: %d %q", ext, rec.Code, rec.Header().Get("Content-Type"))
		}
		b, err := bake.Unbake(rec.Body.Bytes())
		if err != nil {
			t.Fatalf("%s: unbake: %v", ext, err)
		}
		if string(b.Credential) != c.Document || b.Version != bake.OB3 {
			t.Errorf("%s: unbaked credential differs from the stored one", ext)
		}
		rep, err := e.svc.Verify(ctx, b.Credential)
		if err != nil || rep.Verdict != verify.Verified {
			t.Errorf("%s: unbaked credential: %v %+v", ext, err, rep)
		}
	}
	if svg := e.do(request{method: "GET", path: "/c/" + e.credUUID + ".svg"}); !strings.Contains(svg.Header().Get("Content-Security-Policy"), "sandbox") {
		t.Error("the baked SVG is served without a sandbox policy")
	}
	if rec := e.do(request{method: "GET", path: "/c/" + e.credUUID + ".gif"}); rec.Code != 404 {
		t.Errorf(".gif: %d", rec.Code)
	}
	if page := e.do(request{method: "GET", path: "/c/" + e.credUUID}).Body.String(); !strings.Contains(page, `id="baked-png"`) {
		t.Error("the credential page does not offer the baked badge")
	}
}

func TestOrganizationLogo(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	upload := func(as, name string, data []byte) *httptestRecorder {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		_ = mw.WriteField("csrf_token", e.logins[as].CSRF)
		fw, _ := mw.CreateFormFile("file", name)
		_, _ = fw.Write(data)
		_ = mw.Close()
		return e.do(request{method: "POST", path: "/admin/orgs/city-uni/logo", as: as, body: body.String(), contentType: mw.FormDataContentType()})
	}
	if rec := upload("issuer", "logo.png", testPNG); rec.Code != 403 {
		t.Errorf("an issuer changed the logo: %d", rec.Code)
	}
	if rec := upload("owner", "logo.txt", []byte("hello")); rec.Code != 400 || !strings.Contains(rec.Body.String(), "neither a PNG nor an SVG") {
		t.Errorf("text as logo: %d", rec.Code)
	}
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10" onload="alert(1)"><script>alert(2)</script><circle cx="5" cy="5" r="4"/></svg>`)
	if rec := upload("owner", "logo.svg", svg); rec.Code != 303 {
		t.Fatalf("logo upload: %d %s", rec.Code, rec.Body.String())
	}
	org, err := e.store.OrganizationBySlug(ctx, "city-uni")
	if err != nil || !strings.HasPrefix(org.ImageURL, "data:image/svg+xml") {
		t.Fatalf("logo not stored: %q %v", org.ImageURL, err)
	}
	if strings.Contains(org.ImageURL, "alert") || strings.Contains(org.ImageURL, "script") {
		t.Error("the stored logo kept a script")
	}
	events, _ := e.store.ListAudit(ctx, store.AuditQuery{OrgID: org.ID, Action: "org.logo.update"})
	if len(events) != 1 {
		t.Errorf("logo change audited %d times", len(events))
	}
}

// TestVerifyPageOpenBadges2: an Open Badges 2.0 assertion pasted on the
// verification page goes to the Open Badges 2.0 verifier; its issuer's
// site is not reachable from here (the test host is not public), so the
// verdict says "could not be checked", in plain words, never "false".
func TestVerifyPageOpenBadges2(t *testing.T) {
	e := newEnv(t, envOptions{})
	assertion := `{"@context":"https://w3id.org/openbadges/v2","type":"Assertion","id":"https://127.0.0.1:1/assertions/1",
		"recipient":{"type":"email","hashed":false,"identity":"kim@example.org"},"badge":"https://127.0.0.1:1/badges/5",
		"verification":{"type":"hosted"},"issuedOn":"2018-02-15T00:00:00Z"}`
	rec := e.do(request{method: "POST", path: "/verify", form: url.Values{"credential": {assertion}}})
	body := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(body, "Could not be checked") || !strings.Contains(body, "website could not be asked") || !strings.Contains(body, "loopback range") {
		t.Fatalf("OB 2.0 on the verify page: %d %s", rec.Code, body)
	}
	if strings.Contains(body, "Not verified") {
		t.Error("an unreachable OB 2.0 issuer was called not verified")
	}
}
