package api

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/auth"
	"github.com/microcred/microcred/internal/store"
)

func TestTokenEndpoint(t *testing.T) {
	for _, b := range backends() {
		t.Run(b, func(t *testing.T) { testTokenEndpoint(t, b) })
	}
}

func testTokenEndpoint(t *testing.T, backend string) {
	e := newEnv(t, backend, store.DIDWeb)
	e.addClient("reader", e.org.ID, ScopeCredentialRead, ScopeProfileRead)
	// A client whose secret is stored as an argon2id PHC string.
	phc, err := auth.HashPassword("phc-secret-0123456789")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.CreateAPIClient(context.Background(), store.APIClient{
		ClientID: "phc", SecretHash: []byte(phc), OrgID: e.org.ID, Name: "phc", Scopes: []string{ScopeProfileRead},
	}); err != nil {
		t.Fatal(err)
	}
	secret := e.secrets["reader"]
	formCT := "application/x-www-form-urlencoded"
	hdr := func(auth string) map[string]string {
		h := map[string]string{"Content-Type": formCT}
		if auth != "" {
			h["Authorization"] = auth
		}
		return h
	}
	form := func(kv ...string) string {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Add(kv[i], kv[i+1])
		}
		return v.Encode()
	}
	grantedScope := func(want string) func(t *testing.T, rec *httptest.ResponseRecorder) {
		return func(t *testing.T, rec *httptest.ResponseRecorder) {
			tok := decode[map[string]any](t, rec)
			if tok["scope"] != want || tok["token_type"] != "Bearer" || tok["expires_in"] != float64(3600) {
				t.Errorf("token response %v, want scope %q", tok, want)
			}
			at, err := e.store.AccessToken(context.Background(), auth.HashToken(tok["access_token"].(string)))
			if err != nil {
				t.Fatalf("token not stored by digest: %v", err)
			}
			if !at.ExpiresAt.Equal(e.clock.Now().Add(time.Hour)) {
				t.Errorf("expires at %v, want now+1h", at.ExpiresAt)
			}
		}
	}
	e.run(t, []scenario{
		{name: "basic auth", method: "POST", url: "/oauth/token", headers: hdr(basic("reader", secret)),
			body: form("grant_type", "client_credentials"), status: 200,
			header: map[string]string{"Cache-Control": "no-store"},
			check:  grantedScope(ScopeCredentialRead + " " + ScopeProfileRead)},
		{name: "post auth with scope subset", method: "POST", url: "/oauth/token", headers: hdr(""),
			body:   form("grant_type", "client_credentials", "client_id", "reader", "client_secret", secret, "scope", ScopeProfileRead),
			status: 200, check: grantedScope(ScopeProfileRead)},
		{name: "argon2id secret", method: "POST", url: "/oauth/token", headers: hdr(basic("phc", "phc-secret-0123456789")),
			body: form("grant_type", "client_credentials"), status: 200, check: grantedScope(ScopeProfileRead)},
		{name: "wrong secret", method: "POST", url: "/oauth/token", headers: hdr(basic("reader", "nope")),
			body: form("grant_type", "client_credentials"), status: 401, contains: []string{`"error":"invalid_client"`},
			check: func(t *testing.T, rec *httptest.ResponseRecorder) {
				if !strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Basic") {
					t.Errorf("WWW-Authenticate = %q", rec.Header().Get("WWW-Authenticate"))
				}
			}},
		{name: "unknown client", method: "POST", url: "/oauth/token", headers: hdr(basic("ghost", secret)),
			body: form("grant_type", "client_credentials"), status: 401, contains: []string{"invalid_client"}},
		{name: "no client authentication", method: "POST", url: "/oauth/token", headers: hdr(""),
			body: form("grant_type", "client_credentials"), status: 401, contains: []string{"invalid_client"}},
		{name: "both basic and post", method: "POST", url: "/oauth/token", headers: hdr(basic("reader", secret)),
			body: form("grant_type", "client_credentials", "client_secret", secret), status: 400, contains: []string{"invalid_request"}},
		{name: "unsupported grant", method: "POST", url: "/oauth/token", headers: hdr(basic("reader", secret)),
			body: form("grant_type", "password"), status: 400, contains: []string{`"error":"unsupported_grant_type"`}},
		{name: "missing grant", method: "POST", url: "/oauth/token", headers: hdr(basic("reader", secret)),
			body: form("scope", ScopeProfileRead), status: 400, contains: []string{`"error":"invalid_request"`, "grant_type"}},
		{name: "repeated parameter", method: "POST", url: "/oauth/token", headers: hdr(basic("reader", secret)),
			body: form("grant_type", "client_credentials", "grant_type", "client_credentials"), status: 400, contains: []string{"repeated"}},
		{name: "scope not granted", method: "POST", url: "/oauth/token", headers: hdr(basic("reader", secret)),
			body: form("grant_type", "client_credentials", "scope", ScopeProfileUpdate), status: 400,
			contains: []string{`"error":"invalid_scope"`}},
		{name: "not a form", method: "POST", url: "/oauth/token",
			headers: map[string]string{"Content-Type": "application/json", "Authorization": basic("reader", secret)},
			body:    `{"grant_type":"client_credentials"}`, status: 400, contains: []string{"invalid_request"}},
		{name: "GET not allowed", method: "GET", url: "/oauth/token", status: 405},
	})
}

func TestBearerAuthentication(t *testing.T) {
	e := newEnv(t, "sqlite", store.DIDWeb)
	e.addClient("profile-only", e.org.ID, ScopeProfileRead)
	good := e.token("profile-only")
	// A token that expired: issued now, checked two hours later.
	expiring := e.token("profile-only")
	e.addClient("deleted", e.org.ID, ScopeProfileRead)
	orphan := e.token("deleted")
	if err := e.store.DeleteAPIClient(context.Background(), "deleted"); err != nil {
		t.Fatal(err)
	}
	wwwAuth := func(want string) func(t *testing.T, rec *httptest.ResponseRecorder) {
		return func(t *testing.T, rec *httptest.ResponseRecorder) {
			if got := rec.Header().Get("WWW-Authenticate"); !strings.Contains(got, want) {
				t.Errorf("WWW-Authenticate = %q, want it to contain %q", got, want)
			}
		}
	}
	e.run(t, []scenario{
		{name: "good token", method: "GET", url: "/ims/ob/v3p0/profile", headers: bearer(good), status: 200,
			contains: []string{`"name"`}},
		{name: "no token", method: "GET", url: "/ims/ob/v3p0/profile", status: 401,
			contains: []string{"unauthorizedrequest"}, check: wwwAuth(`Bearer realm="microcred"`)},
		{name: "not bearer", method: "GET", url: "/ims/ob/v3p0/profile",
			headers: map[string]string{"Authorization": "Basic abc"}, status: 401, check: wwwAuth("Bearer")},
		{name: "unknown token", method: "GET", url: "/ims/ob/v3p0/profile", headers: bearer("bogus"), status: 401,
			check: wwwAuth(`error="invalid_token"`)},
		{name: "deleted client", method: "GET", url: "/ims/ob/v3p0/profile", headers: bearer(orphan), status: 401,
			check: wwwAuth(`error="invalid_token"`)},
		{name: "wrong scope", method: "PUT", url: "/ims/ob/v3p0/profile", headers: bearer(good), body: `{}`, status: 403,
			contains: []string{"forbidden"}, check: wwwAuth(`error="insufficient_scope"`)},
		{name: "wrong scope on JSON route", method: "POST", url: "/credentials/issue", headers: bearer(good), body: `{}`,
			status: 403, contains: []string{`"error":"the access token lacks the scope microcred:issue"`}},
		{name: "no token on JSON route", method: "POST", url: "/credentials/issue", body: `{}`, status: 401,
			contains: []string{`"error":"a bearer token is required"`}},
	})
	e.clock.Advance(2 * time.Hour)
	e.run(t, []scenario{
		{name: "expired token", method: "GET", url: "/ims/ob/v3p0/profile", headers: bearer(expiring), status: 401,
			check: wwwAuth(`error="invalid_token"`)},
	})
}

func TestRateLimit(t *testing.T) {
	e := newEnv(t, "sqlite", store.DIDWeb, func(c *Config) { c.RateLimit, c.RateBurst = 0.001, 3 })
	tok := e.token("all")
	for i := range 3 {
		if rec := e.do("GET", "/ims/ob/v3p0/profile", bearer(tok), ""); rec.Code != 200 {
			t.Fatalf("request %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	rec := e.do("GET", "/ims/ob/v3p0/profile", bearer(tok), "")
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("4th request: %d, want 429", rec.Code)
	}
	if ra := rec.Header().Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("Retry-After = %q", ra)
	}
	if !strings.Contains(rec.Body.String(), "server_busy") {
		t.Errorf("429 body on an OB route should be Imsx_StatusInfo with server_busy: %s", rec.Body)
	}
	// Another client has its own bucket.
	e.addClient("other", e.org.ID, ScopeProfileRead)
	if rec := e.do("GET", "/ims/ob/v3p0/profile", bearer(e.token("other")), ""); rec.Code != 200 {
		t.Errorf("other client: %d", rec.Code)
	}
	// Public routes are not limited per client.
	if rec := e.do("GET", "/ims/ob/v3p0/discovery", nil, ""); rec.Code != 200 {
		t.Errorf("discovery: %d", rec.Code)
	}
}

func TestBodyLimit(t *testing.T) {
	e := newEnv(t, "sqlite", store.DIDWeb)
	tok := e.token("all")
	big := `{"credential": {"x": "` + strings.Repeat("a", MaxBodyBytes) + `"}}`
	rec := e.do("POST", "/credentials/issue", bearer(tok), big)
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "1 MiB") {
		t.Fatalf("%d %s", rec.Code, rec.Body.String()[:min(200, rec.Body.Len())])
	}
}
