package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/auth"
	"github.com/microcred/microcred/internal/store"
)

// TestTokenSecretCheckUnderGate checks that an argon2id client secret is
// checked under the password gate: with every slot taken the token endpoint
// answers 503 with Retry-After instead of computing, and works once a slot
// is free.
func TestTokenSecretCheckUnderGate(t *testing.T) {
	gate := auth.NewGate(1, 0, time.Second)
	e := newEnv(t, "sqlite", store.DIDWeb, func(c *Config) { c.PasswordGate = gate })
	phc, err := auth.HashPassword("an argon2id client secret")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.CreateAPIClient(context.Background(), store.APIClient{ClientID: "argon", SecretHash: []byte(phc),
		OrgID: e.org.ID, Name: "argon client", Scopes: allScopes}); err != nil {
		t.Fatal(err)
	}
	hdr := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Authorization": basic("argon", "an argon2id client secret")}
	body := url.Values{"grant_type": {"client_credentials"}}.Encode()
	release, err := gate.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rec := e.do("POST", "/oauth/token", hdr, body)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("token with the gate full: %d, Retry-After %q; want 503 with Retry-After", rec.Code, rec.Header().Get("Retry-After"))
	}
	release()
	if rec := e.do("POST", "/oauth/token", hdr, body); rec.Code != http.StatusOK {
		t.Errorf("token with the gate free: %d %s", rec.Code, rec.Body)
	}
}

// TestTokenFailuresThrottledByClientAndSource sends a flood of wrong
// secrets for a real client from one address and checks that only that
// address's failures are throttled: the client still gets tokens from
// another address, and from the flooding address too with its right secret.
func TestTokenFailuresThrottledByClientAndSource(t *testing.T) {
	e := newEnv(t, "sqlite", store.DIDWeb)
	tokenFrom := func(addr, secret string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/oauth/token", strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
		req.RemoteAddr = addr
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", basic("all", secret))
		rec := httptest.NewRecorder()
		e.mux.ServeHTTP(rec, req)
		return rec
	}
	const attacker = "203.0.113.7:5555"
	throttled := false
	for range 60 {
		rec := tokenFrom(attacker, "not the secret")
		switch rec.Code {
		case http.StatusUnauthorized:
		case http.StatusTooManyRequests:
			throttled = true
			if rec.Header().Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
		default:
			t.Fatalf("wrong secret: %d %s", rec.Code, rec.Body)
		}
	}
	if !throttled {
		t.Error("60 wrong secrets from one address were never throttled")
	}
	// An IPv6 attacker does not escape by changing the low 64 bits.
	throttled = false
	for i := range 60 {
		if rec := tokenFrom(fmt.Sprintf("[2001:db8:1:2::%x]:5555", i+1), "not the secret"); rec.Code == http.StatusTooManyRequests {
			throttled = true
		}
	}
	if !throttled {
		t.Error("60 wrong secrets from one IPv6 /64 were never throttled")
	}
	for _, addr := range []string{"198.51.100.20:443", attacker, "[2001:db8:9::1]:443"} {
		for range 30 { // successes are never counted
			if rec := tokenFrom(addr, e.secrets["all"]); rec.Code != http.StatusOK {
				t.Fatalf("right secret from %s: %d %s", addr, rec.Code, rec.Body)
			}
		}
	}
}

// TestRefreshRefusedForScopeKeepsToken asks for a wider scope with a refresh
// token: the request is refused, and the refresh token still works.
func TestRefreshRefusedForScopeKeepsToken(t *testing.T) {
	f := newFlowEnv(t, "sqlite")
	c := f.register(nil)
	verifier, challenge := pkce()
	pair := f.exchange(c, f.authorize("issuer@example.org", c, ScopeCredentialRead+" offline_access", challenge), verifier)
	rec := f.tokenRequest(c, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {pair.RefreshToken}, "scope": {ScopeCredentialUpsert}})
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"error":"invalid_scope"`) {
		t.Fatalf("wider scope: %d %s, want 400 invalid_scope", rec.Code, rec.Body)
	}
	if got := f.getCredentials(pair.AccessToken); got != http.StatusOK {
		t.Errorf("the grant's access token stopped working after a refused refresh: %d", got)
	}
	rec = f.tokenRequest(c, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {pair.RefreshToken}})
	if rec.Code != http.StatusOK {
		t.Fatalf("refresh after a refused one: %d %s", rec.Code, rec.Body)
	}
	// Another client presenting the token does not use it up either.
	other := f.register(nil)
	rec = f.tokenRequest(other, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {decode[tokenPair](t, rec).RefreshToken}})
	if rec.Code != http.StatusBadRequest {
		t.Errorf("refresh token of another client: %d, want 400", rec.Code)
	}
}

// TestCredentialIDCaseAndTenantOracle issues credentials with caller-chosen
// ids: an urn:uuid that differs only in case is the same id, and the answer
// for an id another organization uses is the same as for one's own, so it
// does not reveal that the other organization's credential exists.
func TestCredentialIDCaseAndTenantOracle(t *testing.T) {
	e := newEnv(t, "sqlite", store.DIDWeb)
	ctx := context.Background()
	other, err := e.svc.CreateOrganization(ctx, store.Organization{Slug: "other-college", Name: "Other College",
		URL: "https://other.example", Email: "office@other.example", Country: "FR"}, "", "system")
	if err != nil {
		t.Fatal(err)
	}
	e.addClient("other", other.ID, allScopes...)
	tok, otherTok := e.token("all"), e.token("other")
	issue := func(tok, issuer, id string) *httptest.ResponseRecorder {
		cred := vcapiCredential(issuer)
		cred["id"] = id
		return e.do("POST", "/credentials/issue", bearer(tok), mustJSON(t, map[string]any{"credential": cred}))
	}
	const upper = "urn:uuid:6B4E0C2A-93E1-4F5B-8D8C-2E7A1A0C9F11"
	rec := issue(tok, e.issuerID(), upper)
	if rec.Code != http.StatusCreated {
		t.Fatalf("issue: %d %s", rec.Code, rec.Body)
	}
	vc := decode[map[string]map[string]any](t, rec)["verifiableCredential"]
	if vc["id"] != strings.ToLower(upper) {
		t.Errorf("issued id %v, want the lower-case form", vc["id"])
	}
	if _, err := e.store.Credential(ctx, strings.ToLower(upper)); err != nil {
		t.Errorf("stored under the lower-case id: %v", err)
	}
	own := issue(tok, e.issuerID(), strings.ToLower(upper))
	// Content refusals of the issue endpoint are 400 with the field named.
	if own.Code != http.StatusBadRequest || !strings.Contains(own.Body.String(), `"credential.id"`) {
		t.Fatalf("same id in lower case: %d %s, want 400 naming credential.id", own.Code, own.Body)
	}
	otherIssuer, err := e.svc.IssuerID(ctx, other)
	if err != nil {
		t.Fatal(err)
	}
	foreign := issue(otherTok, otherIssuer, "URN:UUID:6b4e0c2a-93e1-4f5b-8d8c-2e7a1a0c9f11")
	if foreign.Code != own.Code || foreign.Body.String() != own.Body.String() {
		t.Errorf("the answer for another organization's id differs from the answer for one's own:\n own     %d %s\n foreign %d %s",
			own.Code, own.Body, foreign.Code, foreign.Body)
	}
	if strings.Contains(foreign.Body.String(), "another credential") {
		t.Errorf("the answer says another credential holds the id: %s", foreign.Body)
	}
}

// TestIssuerProfileComesFromOrganization tries to have credentials name
// another organization as their issuer: through the VC-API (an issuer
// object with a foreign name), through putProfile (taking another
// organization's name or URL) and through upsertCredential (a credential
// signed with a foreign name). Each is overridden or refused.
func TestIssuerProfileComesFromOrganization(t *testing.T) {
	e := newEnv(t, "sqlite", store.DIDWeb)
	ctx := context.Background()
	if _, err := e.svc.CreateOrganization(ctx, store.Organization{Slug: "other-college", Name: "Other College",
		URL: "https://other.example", Email: "office@other.example", Country: "FR"}, "", "system"); err != nil {
		t.Fatal(err)
	}
	tok := e.token("all")
	issuer := e.issuerID()

	// VC-API: the issuer object's display fields are the organization's.
	var doc map[string]any
	if err := json.Unmarshal([]byte(e.signedOB(e.org.ID, "urn:uuid:"+store.NewID(), "Data Analysis", false)), &doc); err != nil {
		t.Fatal(err)
	}
	delete(doc, "proof")
	delete(doc, "id")
	doc["issuer"] = map[string]any{"id": issuer, "type": []any{"Profile"}, "name": "Other College", "url": "https://other.example",
		"image": map[string]any{"id": "https://other.example/logo.png", "type": "Image"}}
	rec := e.do("POST", "/credentials/issue", bearer(tok), mustJSON(t, map[string]any{"credential": doc}))
	if rec.Code != http.StatusCreated {
		t.Fatalf("issue: %d %s", rec.Code, rec.Body)
	}
	got := decode[map[string]map[string]any](t, rec)["verifiableCredential"]["issuer"].(map[string]any)
	if got["name"] != e.org.Name || got["url"] != e.org.URL || strings.Contains(mustJSON(t, got), "other.example") {
		t.Errorf("issued credential's issuer %v, want the organization's profile (%s, %s)", got, e.org.Name, e.org.URL)
	}
	// A plain VC's issuer object is reduced to the organization's name.
	vc := vcapiCredential(issuer)
	vc["issuer"] = map[string]any{"id": issuer, "name": "Other College"}
	rec = e.do("POST", "/credentials/issue", bearer(tok), mustJSON(t, map[string]any{"credential": vc}))
	if rec.Code != http.StatusCreated || strings.Contains(rec.Body.String(), "Other College") {
		t.Errorf("plain VC with a foreign issuer name: %d %s", rec.Code, rec.Body)
	}

	// putProfile: another organization's name or URL is refused.
	put := func(name, url string) *httptest.ResponseRecorder {
		return e.do("PUT", "/ims/ob/v3p0/profile", bearer(tok), mustJSON(t, map[string]any{"id": issuer, "type": "Profile",
			"name": name, "url": url, "email": "registrar@example.edu"}))
	}
	for _, tc := range []struct{ name, url, field string }{
		{"Other College", "https://demo.example.edu", "name"},
		{"  other   COLLEGE ", "https://demo.example.edu", "name"},
		{"Demo Institute", "https://other.example/", "url"},
	} {
		if rec := put(tc.name, tc.url); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), tc.field+": ") {
			t.Errorf("put profile %q %q: %d %s, want 400 naming %s", tc.name, tc.url, rec.Code, rec.Body, tc.field)
		}
	}
	if rec := put("Demo Institute", "https://demo.example.edu"); rec.Code != http.StatusOK {
		t.Errorf("put a profile of its own: %d %s", rec.Code, rec.Body)
	}

	// upsertCredential: a credential signed with a name that is not the
	// organization's is refused.
	org, err := e.store.Organization(ctx, e.org.ID)
	if err != nil {
		t.Fatal(err)
	}
	forged := org
	forged.Name = "Other College"
	if err := e.store.UpdateOrganization(ctx, forged); err != nil {
		t.Fatal(err)
	}
	e.svc.OrganizationChanged(org.ID)
	signed := e.signedOB(e.org.ID, "urn:uuid:"+store.NewID(), "Data Analysis", false)
	if err := e.store.UpdateOrganization(ctx, org); err != nil {
		t.Fatal(err)
	}
	e.svc.OrganizationChanged(org.ID)
	rec = e.do("POST", "/ims/ob/v3p0/credentials", bearer(tok), signed)
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "issuer.name") {
		t.Errorf("upsert with a foreign issuer name: %d %s, want 400 naming issuer.name", rec.Code, rec.Body)
	}
	if rec := e.do("POST", "/ims/ob/v3p0/credentials", bearer(tok), e.signedOB(e.org.ID, "urn:uuid:"+store.NewID(), "Data Analysis", false)); rec.Code != http.StatusCreated {
		t.Errorf("upsert with the organization's profile: %d %s", rec.Code, rec.Body)
	}
}
