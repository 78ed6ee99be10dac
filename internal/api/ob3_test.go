package api

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/proof"
	"github.com/microcred/microcred/internal/store"
)

func TestDiscovery(t *testing.T) {
	e := newEnv(t, "sqlite", store.DIDWeb)
	rec := e.do("GET", "/ims/ob/v3p0/discovery", nil, "")
	if rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	var sdd struct {
		OpenAPI string         `json:"openapi"`
		Info    map[string]any `json:"info"`
		Servers []struct {
			URL string `json:"url"`
		} `json:"servers"`
		Paths      map[string]map[string]any `json:"paths"`
		Components struct {
			SecuritySchemes map[string]struct {
				Type            string `json:"type"`
				RegistrationURL string `json:"x-imssf-registrationUrl"`
				RevocationURL   string `json:"x-microcred-revocationUrl"`
				Flows           struct {
					ClientCredentials struct {
						TokenURL string            `json:"tokenUrl"`
						Scopes   map[string]string `json:"scopes"`
					} `json:"clientCredentials"`
					AuthorizationCode struct {
						AuthorizationURL string            `json:"authorizationUrl"`
						TokenURL         string            `json:"tokenUrl"`
						RefreshURL       string            `json:"refreshUrl"`
						Scopes           map[string]string `json:"scopes"`
					} `json:"authorizationCode"`
				} `json:"flows"`
			} `json:"securitySchemes"`
			Schemas map[string]any `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &sdd); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sdd.OpenAPI, "3.0") {
		t.Errorf("openapi %q", sdd.OpenAPI)
	}
	for _, k := range []string{"title", "version", "x-imssf-privacyPolicyUrl", "x-imssf-image"} {
		if s, _ := sdd.Info[k].(string); s == "" {
			t.Errorf("info.%s missing", k)
		}
	}
	if len(sdd.Servers) != 1 || sdd.Servers[0].URL != testBase+"/ims/ob/v3p0" {
		t.Errorf("servers %+v", sdd.Servers)
	}
	for path, methods := range map[string][]string{"/credentials": {"get", "post"}, "/profile": {"get", "put"}, "/discovery": {"get"}} {
		for _, m := range methods {
			if sdd.Paths[path][m] == nil {
				t.Errorf("paths[%s].%s missing", path, m)
			}
		}
	}
	if len(sdd.Paths) != 3 {
		t.Errorf("paths outside the OB API: %v", sdd.Paths)
	}
	oauth := sdd.Components.SecuritySchemes["OAuth2ACG"]
	cc, acg := oauth.Flows.ClientCredentials, oauth.Flows.AuthorizationCode
	if oauth.Type != "oauth2" || cc.TokenURL != testBase+"/oauth/token" {
		t.Errorf("OAuth2ACG scheme %+v", oauth)
	}
	if acg.AuthorizationURL != testBase+"/oauth/authorize" || acg.TokenURL != testBase+"/oauth/token" ||
		acg.RefreshURL != testBase+"/oauth/token" || oauth.RegistrationURL != testBase+"/oauth/register" ||
		oauth.RevocationURL != testBase+"/oauth/revoke" {
		t.Errorf("authorization code flow %+v", oauth)
	}
	for _, s := range []string{ScopeCredentialRead, ScopeCredentialUpsert, ScopeProfileRead, ScopeProfileUpdate} {
		if cc.Scopes[s] == "" || acg.Scopes[s] == "" {
			t.Errorf("scope %s missing", s)
		}
	}
	for path, op := range map[string]string{"/credentials": "get", "/profile": "put"} {
		sec, _ := sdd.Paths[path][op].(map[string]any)["security"].([]any)
		if len(sec) != 1 || sec[0].(map[string]any)["OAuth2ACG"] == nil {
			t.Errorf("%s %s security %v, want OAuth2ACG", op, path, sec)
		}
	}
	for _, s := range []string{"GetOpenBadgeCredentialsResponse", "Imsx_StatusInfo", "Profile", "AchievementCredential"} {
		if sdd.Components.Schemas[s] == nil {
			t.Errorf("schema %s missing", s)
		}
	}
}

func TestGetCredentialsPaging(t *testing.T) {
	for _, b := range backends() {
		t.Run(b, func(t *testing.T) { testGetCredentialsPaging(t, b) })
	}
}

func testGetCredentialsPaging(t *testing.T, backend string) {
	e := newEnv(t, backend, store.DIDWeb)
	ctx := context.Background()
	var times []time.Time
	for i := range 5 {
		format := store.FormatLDPRDFC
		if i == 4 {
			format = store.FormatJWT
		}
		if _, _, err := e.svc.Issue(ctx, issue.Request{OrgID: e.org.ID, AchievementID: e.achID,
			RecipientEmail: "learner" + string(rune('a'+i)) + "@example.org", Format: format}); err != nil {
			t.Fatal(err)
		}
		times = append(times, e.clock.Now())
		e.clock.Advance(time.Minute)
	}
	e.addClient("reader", e.org.ID, ScopeCredentialRead)
	tok := e.token("reader")
	page := func(nJSON, nJWT int) func(t *testing.T, rec *httptest.ResponseRecorder) {
		return func(t *testing.T, rec *httptest.ResponseRecorder) {
			var body struct {
				Credential       []map[string]any `json:"credential"`
				CompactJwsString []string         `json:"compactJwsString"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			if len(body.Credential) != nJSON || len(body.CompactJwsString) != nJWT {
				t.Errorf("got %d JSON and %d JWT credentials, want %d and %d", len(body.Credential), len(body.CompactJwsString), nJSON, nJWT)
			}
			for _, c := range body.Credential {
				if c["proof"] == nil {
					t.Errorf("credential without proof: %v", c["id"])
				}
			}
			for _, j := range body.CompactJwsString {
				if !compactJWS(j) {
					t.Errorf("not a compact JWS: %s", j)
				}
			}
		}
	}
	links := func(want map[string]int) func(t *testing.T, rec *httptest.ResponseRecorder) {
		return func(t *testing.T, rec *httptest.ResponseRecorder) {
			got := parseLinks(t, rec.Header().Get("Link"))
			if len(got) != len(want) {
				t.Errorf("links %v, want rels %v", got, want)
			}
			for rel, off := range want {
				if got[rel] != off {
					t.Errorf("rel %s offset %d, want %d (Link: %s)", rel, got[rel], off, rec.Header().Get("Link"))
				}
			}
		}
	}
	both := func(fs ...func(t *testing.T, rec *httptest.ResponseRecorder)) func(t *testing.T, rec *httptest.ResponseRecorder) {
		return func(t *testing.T, rec *httptest.ResponseRecorder) {
			for _, f := range fs {
				f(t, rec)
			}
		}
	}
	since := url.QueryEscape(times[1].Format(time.RFC3339))
	ep := "/ims/ob/v3p0/credentials"
	e.run(t, []scenario{
		{name: "all", method: "GET", url: ep, headers: bearer(tok), status: 200,
			header: map[string]string{"X-Total-Count": "5"}, check: both(page(4, 1), links(map[string]int{"first": 0, "last": 0}))},
		{name: "first page", method: "GET", url: ep + "?limit=2", headers: bearer(tok), status: 200,
			header: map[string]string{"X-Total-Count": "5"},
			// Newest first: the JWT was issued last.
			check: both(page(1, 1), links(map[string]int{"next": 2, "last": 4, "first": 0}))},
		{name: "middle page", method: "GET", url: ep + "?limit=2&offset=2", headers: bearer(tok), status: 200,
			check: both(page(2, 0), links(map[string]int{"next": 4, "last": 4, "first": 0, "prev": 0}))},
		{name: "last page", method: "GET", url: ep + "?limit=2&offset=4", headers: bearer(tok), status: 200,
			check: both(page(1, 0), links(map[string]int{"last": 4, "first": 0, "prev": 2}))},
		{name: "past the end", method: "GET", url: ep + "?limit=2&offset=10", headers: bearer(tok), status: 200,
			header: map[string]string{"X-Total-Count": "5"}, check: page(0, 0)},
		{name: "since", method: "GET", url: ep + "?since=" + since + "&limit=2", headers: bearer(tok), status: 200,
			header: map[string]string{"X-Total-Count": "3"},
			check:  both(page(1, 1), links(map[string]int{"next": 2, "last": 2, "first": 0}))},
		{name: "limit zero", method: "GET", url: ep + "?limit=0", headers: bearer(tok), status: 400,
			contains: []string{`"imsx_codeMajor":"failure"`, `"imsx_codeMinorFieldValue":"invalid_query_parameter"`, "limit"}},
		{name: "limit not a number", method: "GET", url: ep + "?limit=ten", headers: bearer(tok), status: 400,
			contains: []string{"limit: must be an integer"}},
		{name: "negative offset", method: "GET", url: ep + "?offset=-1", headers: bearer(tok), status: 400,
			contains: []string{"offset"}},
		{name: "bad since", method: "GET", url: ep + "?since=yesterday", headers: bearer(tok), status: 400,
			contains: []string{"since"}},
		{name: "no token", method: "GET", url: ep, status: 401, contains: []string{"unauthorizedrequest"}},
		{name: "wrong scope", method: "GET", url: ep, headers: bearer(e.token("all", ScopeProfileRead)), status: 403},
	})

	// Another organization's client sees none of these.
	other, err := e.svc.CreateOrganization(ctx, store.Organization{Slug: "other-org", Name: "Other"}, "", "system")
	if err != nil {
		t.Fatal(err)
	}
	e.addClient("other", other.ID, ScopeCredentialRead)
	e.run(t, []scenario{{name: "other org", method: "GET", url: ep, headers: bearer(e.token("other")), status: 200,
		header: map[string]string{"X-Total-Count": "0"}, check: page(0, 0)}})
}

// parseLinks maps the rel of each Link header entry to its offset.
func parseLinks(t *testing.T, h string) map[string]int {
	t.Helper()
	out := map[string]int{}
	if h == "" {
		return out
	}
	for _, part := range strings.Split(h, ", ") {
		target, rel, ok := strings.Cut(part, `>; rel="`)
		if !ok {
			t.Fatalf("bad link %q", part)
		}
		u, err := url.Parse(strings.TrimPrefix(target, "<"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(target, "<"+testBase+"/ims/ob/v3p0/credentials?") {
			t.Errorf("link target %s", target)
		}
		off, err := strconv.Atoi(u.Query().Get("offset"))
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimSuffix(rel, `"`)] = off
	}
	return out
}

// signedOB signs an OpenBadgeCredential for the organization's achievement
// with the organization's active key, outside the server, as another system
// of the same institution would before upserting it.
func (e *env) signedOB(orgID, id, name string, jwt bool) string {
	return e.signedOBWith(orgID, id, name, jwt, nil)
}

// signedOBWith is signedOB with change applied to the document before
// signing.
func (e *env) signedOBWith(orgID, id, name string, jwt bool, change func(map[string]any)) string {
	e.t.Helper()
	ctx := context.Background()
	org, err := e.store.Organization(ctx, orgID)
	if err != nil {
		e.t.Fatal(err)
	}
	profile, err := e.svc.Profile(ctx, org)
	if err != nil {
		e.t.Fatal(err)
	}
	kp, _, err := e.svc.ActiveKey(ctx, orgID)
	if err != nil {
		e.t.Fatal(err)
	}
	doc := map[string]any{
		"@context":  []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"id":        id,
		"type":      []any{"VerifiableCredential", "OpenBadgeCredential"},
		"name":      name,
		"issuer":    profile,
		"validFrom": e.clock.Now().Add(-time.Hour).Format(time.RFC3339),
		"credentialSubject": map[string]any{
			"type": []any{"AchievementSubject"},
			"name": "Ada Lovelace",
			"identifier": []any{map[string]any{"type": "IdentityObject", "identityType": "emailAddress", "hashed": true,
				"identityHash": credential.HashedEmail("ada@example.org", "0f1e2d3c").IdentityHash, "salt": "0f1e2d3c"}},
			"achievement": map[string]any{
				"id": e.svc.AchievementURL(e.achID), "type": []any{"Achievement"}, "name": name,
				"description": "Analyses data.", "criteria": map[string]any{"narrative": "Pass the exam."},
			},
		},
	}
	if change != nil {
		change(doc)
	}
	if jwt {
		tok, err := proof.SignJWT(doc, kp, "")
		if err != nil {
			e.t.Fatal(err)
		}
		return tok
	}
	signed, err := proof.Sign(doc, kp, proof.Options{Suite: proof.SuiteJCS, Created: e.clock.Now().Add(-time.Hour)})
	if err != nil {
		e.t.Fatal(err)
	}
	b, err := json.Marshal(signed)
	if err != nil {
		e.t.Fatal(err)
	}
	return string(b)
}

func TestUpsertCredential(t *testing.T) {
	for _, b := range backends() {
		t.Run(b, func(t *testing.T) { testUpsertCredential(t, b) })
	}
}

func testUpsertCredential(t *testing.T, backend string) {
	e := newEnv(t, backend, store.DIDWeb)
	ctx := context.Background()
	tok := e.token("all", ScopeCredentialUpsert)
	e.addClient("reader", e.org.ID, ScopeCredentialRead)
	id := "urn:uuid:" + store.NewID()
	cred := e.signedOB(e.org.ID, id, "Data Analytics", false)
	changed := e.signedOB(e.org.ID, id, "Data Analytics (renamed)", false)
	jwtID := "urn:uuid:" + store.NewID()
	jwt := e.signedOB(e.org.ID, jwtID, "Data Analytics", true)
	tampered := strings.Replace(cred, "Ada Lovelace", "Mallory", 1)
	other, err := e.svc.CreateOrganization(ctx, store.Organization{Slug: "other-org", Name: "Other"}, "", "system")
	if err != nil {
		t.Fatal(err)
	}
	foreign := e.signedOB(other.ID, "urn:uuid:"+store.NewID(), "Data Analytics", false)
	// Signed and verifying, but not what the OB 3.0 schema asks for: an
	// activity date without a time (the JSON-LD context allows xsd:date,
	// so verifiers accept it; the schema wants a date-time).
	offSchema := e.signedOBWith(e.org.ID, "urn:uuid:"+store.NewID(), "Data Analytics", false, func(d map[string]any) {
		d["credentialSubject"].(map[string]any)["activityEndDate"] = "2026-05-29"
	})
	var unknownAch map[string]any
	if err := json.Unmarshal([]byte(cred), &unknownAch); err != nil {
		t.Fatal(err)
	}
	text := map[string]string{"Authorization": "Bearer " + tok, "Content-Type": "text/plain"}
	stored := func(wantFormat store.Format) func(t *testing.T, rec *httptest.ResponseRecorder) {
		return func(t *testing.T, rec *httptest.ResponseRecorder) {
			var c store.Credential
			var err error
			if wantFormat == store.FormatJWT {
				c, err = e.store.Credential(ctx, jwtID)
			} else {
				c, err = e.store.Credential(ctx, id)
			}
			if err != nil {
				t.Fatalf("not stored: %v", err)
			}
			if c.Format != wantFormat || c.AchievementID != e.achID || c.AchievementVersion != 1 || c.RecipientName != "Ada Lovelace" {
				t.Errorf("stored %+v", c)
			}
			if strings.TrimSpace(rec.Body.String()) != c.Document {
				t.Errorf("response is not the stored credential")
			}
			// What is stored and served validates against 1EdTech's
			// schema, apart from the single proof object the signer chose.
			err = credential.ValidateIssued(c.Document)
			if ve, _ := err.(credential.ValidationErrors); err != nil && !(len(ve) == 1 && ve[0].Path == "proof") {
				t.Errorf("stored credential does not match the OB 3.0 schema: %v", err)
			}
		}
	}
	ep := "/ims/ob/v3p0/credentials"
	e.run(t, []scenario{
		{name: "new JSON credential", method: "POST", url: ep, headers: bearer(tok), body: cred, status: 201,
			check: stored(store.FormatLDPJCS)},
		{name: "same credential again", method: "POST", url: ep, headers: bearer(tok), body: "\n" + cred + "\n", status: 200,
			contains: []string{id}},
		{name: "different content under the same id", method: "POST", url: ep, headers: bearer(tok), body: changed, status: 409,
			contains: []string{"immutable", `"imsx_codeMinorFieldValue":"invalid_data"`}},
		{name: "new JWT credential", method: "POST", url: ep, headers: text, body: jwt, status: 201,
			header: map[string]string{"Content-Type": "text/plain; charset=utf-8"}, check: stored(store.FormatJWT)},
		{name: "tampered", method: "POST", url: ep, headers: bearer(tok), body: tampered, status: 400,
			contains: []string{"does not verify"}},
		{name: "other organization's credential", method: "POST", url: ep, headers: bearer(tok), body: foreign, status: 400,
			contains: []string{"not issued by this organization"}},
		{name: "not OB 3.0", method: "POST", url: ep, headers: bearer(tok), body: offSchema, status: 400,
			contains: []string{"JSON Schema", `credentialSubject.activityEndDate`}},
		{name: "not a JWS", method: "POST", url: ep, headers: text, body: "hello world", status: 400,
			contains: []string{"compact JWS"}},
		{name: "unsupported media type", method: "POST", url: ep,
			headers: map[string]string{"Authorization": "Bearer " + tok, "Content-Type": "application/xml"}, body: "<x/>", status: 415},
		{name: "empty body", method: "POST", url: ep, headers: bearer(tok), status: 400, contains: []string{"empty"}},
		{name: "no token", method: "POST", url: ep, body: cred, status: 401},
		{name: "read-only token", method: "POST", url: ep, headers: bearer(e.token("reader")), body: cred, status: 403},
	})
	events, err := e.store.ListAudit(ctx, store.AuditQuery{OrgID: e.org.ID, Action: "credential.upsert"})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 || events[0].Actor != "all" {
		t.Errorf("audit events %+v, want two by client all", events)
	}
	// The upserted credentials are listed by getCredentials.
	rec := e.do("GET", ep, bearer(e.token("reader")), "")
	if rec.Header().Get("X-Total-Count") != "2" || !strings.Contains(rec.Body.String(), jwt) {
		t.Errorf("after upsert: %s %s", rec.Header().Get("X-Total-Count"), rec.Body)
	}
}

func TestProfile(t *testing.T) {
	for _, b := range backends() {
		t.Run(b, func(t *testing.T) { testProfile(t, b) })
	}
}

func testProfile(t *testing.T, backend string) {
	e := newEnv(t, backend, store.DIDWeb)
	ctx := context.Background()
	tok := e.token("all")
	e.addClient("reader", e.org.ID, ScopeProfileRead)
	readTok := e.token("reader")
	issuer := e.issuerID()
	profile := func(extra map[string]any) string {
		p := map[string]any{
			"@context": []any{"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
			"id":       issuer, "type": "Profile", "name": "Renamed University",
			"url": "https://renamed.example.edu", "email": "registrar@renamed.example.edu",
			"image": map[string]any{"id": "https://renamed.example.edu/logo.png", "type": "Image"},
		}
		for k, v := range extra {
			if v == nil {
				delete(p, k)
			} else {
				p[k] = v
			}
		}
		return mustJSON(t, p)
	}
	ep := "/ims/ob/v3p0/profile"
	e.run(t, []scenario{
		{name: "get", method: "GET", url: ep, headers: bearer(readTok), status: 200,
			contains: []string{`"id":"` + issuer + `"`, `"Profile"`, `"name":"` + e.org.Name + `"`, "context-3.0.3.json"}},
		{name: "put without update scope", method: "PUT", url: ep, headers: bearer(readTok), body: profile(nil), status: 403},
		{name: "put unknown member", method: "PUT", url: ep, headers: bearer(tok), body: profile(map[string]any{"phone": "111-222-3333"}),
			status: 400, contains: []string{"phone: is not supported"}},
		{name: "put other id", method: "PUT", url: ep, headers: bearer(tok), body: profile(map[string]any{"id": "did:web:evil.example"}),
			status: 400, contains: []string{"id: must stay " + issuer}},
		{name: "put without name", method: "PUT", url: ep, headers: bearer(tok), body: profile(map[string]any{"name": nil}),
			status: 400, contains: []string{"name: is required"}},
		{name: "put bad email and url", method: "PUT", url: ep, headers: bearer(tok),
			body: profile(map[string]any{"email": "nobody", "url": "ftp://x"}), status: 400, contains: []string{"email: must be", "url: must be"}},
		{name: "put wrong type", method: "PUT", url: ep, headers: bearer(tok), body: profile(map[string]any{"type": "Person"}),
			status: 400, contains: []string{"type: must"}},
		{name: "put not JSON", method: "PUT", url: ep, headers: bearer(tok), body: "name=x", status: 400},
		{name: "put", method: "PUT", url: ep, headers: bearer(tok), body: profile(nil), status: 200,
			contains: []string{`"name":"Renamed University"`, `"email":"registrar@renamed.example.edu"`, "logo.png"},
			check: func(t *testing.T, rec *httptest.ResponseRecorder) {
				p := decode[map[string]any](t, rec)
				if _, ok := p["description"]; ok {
					t.Errorf("description absent from the PUT must be cleared: %v", p)
				}
			}},
		{name: "get after put", method: "GET", url: ep, headers: bearer(readTok), status: 200,
			contains: []string{`"name":"Renamed University"`}},
	})
	org, err := e.store.Organization(ctx, e.org.ID)
	if err != nil {
		t.Fatal(err)
	}
	if org.Name != "Renamed University" || org.ImageURL != "https://renamed.example.edu/logo.png" || org.Description != "" {
		t.Errorf("stored organization %+v", org)
	}
	events, err := e.store.ListAudit(ctx, store.AuditQuery{OrgID: e.org.ID, Action: "org.profile.update"})
	if err != nil || len(events) != 1 {
		t.Errorf("audit %v %v", events, err)
	}
	// New credentials carry the new name at once.
	rec := e.do("POST", "/api/v1/credentials", bearer(tok),
		mustJSON(t, map[string]any{"achievementId": e.achID, "recipient": map[string]any{"email": "x@example.org"}}))
	if rec.Code != 201 || !strings.Contains(rec.Body.String(), "Renamed University") {
		t.Errorf("issue after rename: %d %s", rec.Code, rec.Body)
	}
}
