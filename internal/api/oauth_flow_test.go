package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/auth"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/web"
)

const (
	flowPassword = "correct horse battery staple"
	flowRedirect = "https://wallet.example/callback"
)

// flowEnv is the API inside the whole web server (sessions, consent page,
// CSRF), as microcred serve runs it, with an issuer and a viewer of the
// organization who can sign in.
type flowEnv struct {
	*env
	h       http.Handler
	issuer  store.User
	viewer  store.User
	peer    atomic.Int64 // distinct peer addresses, so registrations are not rate limited across cases
	cookies map[string]string
}

func newFlowEnv(t *testing.T, backend string) *flowEnv {
	t.Helper()
	e := newEnv(t, backend, store.DIDWeb)
	h, err := web.New(web.Config{Store: e.store, Issuer: e.svc, BaseURL: testBase, Extra: e.api.Register,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	f := &flowEnv{env: e, h: h, cookies: map[string]string{}}
	hash, err := auth.HashPassword(flowPassword)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, u := range []struct {
		user *store.User
		role store.Role
		mail string
	}{{&f.issuer, store.RoleIssuer, "issuer@example.org"}, {&f.viewer, store.RoleViewer, "viewer@example.org"}} {
		if *u.user, err = e.store.CreateUser(ctx, store.User{Email: u.mail, Name: string(u.role), PasswordHash: hash}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.store.AddMembership(ctx, store.Membership{OrgID: e.org.ID, UserID: u.user.ID, Role: u.role}); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// send serves one request through the web server. cookie is the session
// token of a signed-in user or "".
func (f *flowEnv) send(method, target, cookie string, headers map[string]string, body string) *httptest.ResponseRecorder {
	f.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	req.RemoteAddr = fmt.Sprintf("192.0.2.%d:1234", f.peer.Add(1)%250+1)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: "microcred_session", Value: cookie})
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec
}

var formCT = map[string]string{"Content-Type": "application/x-www-form-urlencoded"}

// login signs a user in and returns the session cookie value.
func (f *flowEnv) login(email string) string {
	f.t.Helper()
	if c, ok := f.cookies[email]; ok {
		return c
	}
	rec := f.send("POST", "/login", "", formCT, url.Values{"email": {email}, "password": {flowPassword}}.Encode())
	if rec.Code != http.StatusSeeOther {
		f.t.Fatalf("login: %d %s", rec.Code, rec.Body)
	}
	for _, c := range rec.Result().Cookies() {
		if c.Name == "microcred_session" && c.Value != "" {
			f.cookies[email] = c.Value
			return c.Value
		}
	}
	f.t.Fatal("login set no session cookie")
	return ""
}

// registration is a valid registration request body.
func registration(edit func(m map[string]any)) string {
	m := map[string]any{
		"client_name":                "Example Wallet",
		"client_uri":                 "https://wallet.example/",
		"logo_uri":                   "https://wallet.example/logo.png",
		"tos_uri":                    "https://wallet.example/terms",
		"policy_uri":                 "https://wallet.example/privacy",
		"software_id":                "c88b6ed8-269e-448e-99be-7e2ff47167d1",
		"software_version":           "1.0",
		"redirect_uris":              []any{flowRedirect, "http://127.0.0.1:8765/cb"},
		"token_endpoint_auth_method": "client_secret_basic",
		"grant_types":                []any{"authorization_code", "refresh_token"},
		"response_types":             []any{"code"},
		"scope":                      strings.Join([]string{ScopeCredentialRead, ScopeCredentialUpsert, ScopeProfileRead, "offline_access"}, " "),
		"contacts":                   []any{"dev@wallet.example"},
	}
	if edit != nil {
		edit(m)
	}
	b, _ := json.Marshal(m)
	return string(b)
}

type registered struct {
	ClientID              string   `json:"client_id"`
	ClientSecret          string   `json:"client_secret"`
	ClientIDIssuedAt      int64    `json:"client_id_issued_at"`
	ClientSecretExpiresAt *int64   `json:"client_secret_expires_at"`
	RedirectURIs          []string `json:"redirect_uris"`
	AuthMethod            string   `json:"token_endpoint_auth_method"`
	Scope                 string   `json:"scope"`
	ClientName            string   `json:"client_name"`
}

func (f *flowEnv) register(edit func(m map[string]any)) registered {
	f.t.Helper()
	rec := f.send("POST", "/oauth/register", "", map[string]string{"Content-Type": "application/json"}, registration(edit))
	if rec.Code != http.StatusCreated {
		f.t.Fatalf("register: %d %s", rec.Code, rec.Body)
	}
	var r registered
	if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
		f.t.Fatal(err)
	}
	return r
}

// pkce returns a random verifier and its S256 challenge.
func pkce() (verifier, challenge string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	verifier = base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

func authorizeQuery(c registered, scope, challenge string) url.Values {
	return url.Values{
		"response_type": {"code"}, "client_id": {c.ClientID}, "redirect_uri": {flowRedirect}, "scope": {scope},
		"state": {"st-123"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"},
	}
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// consent shows the consent page to the signed-in user and submits
// decision for the organization; it returns the redirect to the client.
func (f *flowEnv) consent(cookie string, q url.Values, decision string) *url.URL {
	f.t.Helper()
	page := f.send("GET", "/oauth/authorize?"+q.Encode(), cookie, nil, "")
	if page.Code != http.StatusOK {
		f.t.Fatalf("consent page: %d %s", page.Code, page.Body)
	}
	m := csrfRE.FindStringSubmatch(page.Body.String())
	if m == nil {
		f.t.Fatalf("no csrf token on the consent page: %s", page.Body)
	}
	form := url.Values{}
	for k, vs := range q {
		form[k] = vs
	}
	form.Set("csrf_token", m[1])
	form.Set("org", f.org.ID)
	form.Set("decision", decision)
	rec := f.send("POST", "/oauth/authorize", cookie, formCT, form.Encode())
	if rec.Code != http.StatusSeeOther {
		f.t.Fatalf("consent submit: %d %s", rec.Code, rec.Body)
	}
	u, err := url.Parse(rec.Header().Get("Location"))
	if err != nil {
		f.t.Fatal(err)
	}
	return u
}

// authorize runs the consent flow as user and returns the code.
func (f *flowEnv) authorize(email string, c registered, scope, challenge string) string {
	f.t.Helper()
	back := f.consent(f.login(email), authorizeQuery(c, scope, challenge), "approve")
	if back.Scheme+"://"+back.Host+back.Path != flowRedirect || back.Query().Get("state") != "st-123" {
		f.t.Fatalf("redirect %s", back)
	}
	code := back.Query().Get("code")
	if code == "" {
		f.t.Fatalf("no code in %s", back)
	}
	return code
}

// tokenRequest posts form to the token endpoint as client c.
func (f *flowEnv) tokenRequest(c registered, form url.Values) *httptest.ResponseRecorder {
	f.t.Helper()
	return f.send("POST", "/oauth/token", "", map[string]string{"Content-Type": "application/x-www-form-urlencoded",
		"Authorization": basic(c.ClientID, c.ClientSecret)}, form.Encode())
}

type tokenPair struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	Scope        string `json:"scope"`
}

func (f *flowEnv) exchange(c registered, code, verifier string) tokenPair {
	f.t.Helper()
	rec := f.tokenRequest(c, url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {flowRedirect}, "code_verifier": {verifier}})
	if rec.Code != http.StatusOK {
		f.t.Fatalf("token: %d %s", rec.Code, rec.Body)
	}
	var p tokenPair
	if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil {
		f.t.Fatal(err)
	}
	return p
}

func (f *flowEnv) getCredentials(tok string) int {
	f.t.Helper()
	return f.send("GET", "/ims/ob/v3p0/credentials", "", map[string]string{"Authorization": "Bearer " + tok}, "").Code
}

func TestOAuthAuthorizationCodeFlow(t *testing.T) {
	for _, backend := range backends() {
		t.Run(backend, func(t *testing.T) {
			f := newFlowEnv(t, backend)
			c := f.register(nil)
			if c.ClientID == "" || c.ClientSecret == "" || c.ClientSecretExpiresAt == nil || *c.ClientSecretExpiresAt != 0 ||
				c.ClientIDIssuedAt == 0 || c.AuthMethod != "client_secret_basic" || len(c.RedirectURIs) != 2 || c.ClientName != "Example Wallet" {
				t.Fatalf("registration response %+v", c)
			}
			stored, err := f.store.APIClient(context.Background(), c.ClientID)
			if err != nil || stored.OrgID != "" || string(stored.SecretHash) != string(auth.HashToken(c.ClientSecret)) {
				t.Fatalf("stored client %+v, %v: want no organization and the secret's digest", stored, err)
			}

			// Not signed in: to the login page and back.
			verifier, challenge := pkce()
			q := authorizeQuery(c, ScopeCredentialRead+" offline_access", challenge)
			rec := f.send("GET", "/oauth/authorize?"+q.Encode(), "", nil, "")
			if loc := rec.Header().Get("Location"); rec.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "/login?next=%2Foauth%2Fauthorize") {
				t.Fatalf("anonymous authorize: %d %q", rec.Code, loc)
			}

			code := f.authorize("issuer@example.org", c, ScopeCredentialRead+" offline_access", challenge)
			pair := f.exchange(c, code, verifier)
			if pair.TokenType != "Bearer" || pair.RefreshToken == "" || pair.ExpiresIn != 3600 || pair.Scope != ScopeCredentialRead+" offline_access" {
				t.Fatalf("token response %+v", pair)
			}
			if got := f.getCredentials(pair.AccessToken); got != http.StatusOK {
				t.Fatalf("getCredentials: %d", got)
			}
			// The token carries only the granted scope.
			if rec := f.send("GET", "/ims/ob/v3p0/profile", "", map[string]string{"Authorization": "Bearer " + pair.AccessToken}, ""); rec.Code != http.StatusForbidden {
				t.Errorf("getProfile without the scope: %d", rec.Code)
			}

			// Refresh rotates: a new pair, and the old refresh token is used up.
			rec = f.tokenRequest(c, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {pair.RefreshToken}})
			if rec.Code != http.StatusOK {
				t.Fatalf("refresh: %d %s", rec.Code, rec.Body)
			}
			next := decode[tokenPair](t, rec)
			if next.RefreshToken == "" || next.RefreshToken == pair.RefreshToken || next.AccessToken == pair.AccessToken {
				t.Fatalf("refresh did not rotate: %+v", next)
			}
			if got := f.getCredentials(next.AccessToken); got != http.StatusOK {
				t.Fatalf("getCredentials with the refreshed token: %d", got)
			}

			// Revoking the refresh token revokes the grant: both access
			// tokens stop working at once, though they are cached.
			rec = f.send("POST", "/oauth/revoke", "", map[string]string{"Content-Type": "application/x-www-form-urlencoded",
				"Authorization": basic(c.ClientID, c.ClientSecret)}, url.Values{"token": {next.RefreshToken}, "token_type_hint": {"refresh_token"}}.Encode())
			if rec.Code != http.StatusOK {
				t.Fatalf("revoke: %d %s", rec.Code, rec.Body)
			}
			for _, tok := range []string{pair.AccessToken, next.AccessToken} {
				if got := f.getCredentials(tok); got != http.StatusUnauthorized {
					t.Errorf("getCredentials after revocation: %d, want 401", got)
				}
			}
			rec = f.tokenRequest(c, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {next.RefreshToken}})
			if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "invalid_grant") {
				t.Errorf("refresh after revocation: %d %s", rec.Code, rec.Body)
			}

			// An access token revokes alone.
			verifier, challenge = pkce()
			third := f.exchange(c, f.authorize("issuer@example.org", c, ScopeCredentialRead, challenge), verifier)
			if got := f.getCredentials(third.AccessToken); got != http.StatusOK {
				t.Fatalf("getCredentials: %d", got)
			}
			rec = f.send("POST", "/oauth/revoke", "", map[string]string{"Content-Type": "application/x-www-form-urlencoded",
				"Authorization": basic(c.ClientID, c.ClientSecret)}, url.Values{"token": {third.AccessToken}}.Encode())
			if rec.Code != http.StatusOK {
				t.Fatalf("revoke access token: %d %s", rec.Code, rec.Body)
			}
			if got := f.getCredentials(third.AccessToken); got != http.StatusUnauthorized {
				t.Errorf("getCredentials after revoking the access token: %d, want 401", got)
			}
			rec = f.tokenRequest(c, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {third.RefreshToken}})
			if rec.Code != http.StatusOK {
				t.Errorf("the grant's refresh token should survive an access token revocation: %d %s", rec.Code, rec.Body)
			}

			// The audit log records the grant, the tokens and the
			// revocations, and no secret.
			events, err := f.store.ListAudit(context.Background(), store.AuditQuery{OrgID: f.org.ID, Limit: 1000})
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, ev := range events {
				seen[ev.Action] = true
				for _, secret := range []string{c.ClientSecret, pair.AccessToken, pair.RefreshToken, code} {
					if strings.Contains(string(ev.Detail), secret) || strings.Contains(ev.Target, secret) {
						t.Errorf("audit event %s holds a secret", ev.Action)
					}
				}
			}
			for _, a := range []string{"oauth.authorize", "oauth.token", "oauth.revoke"} {
				if !seen[a] {
					t.Errorf("no %s audit event (have %v)", a, seen)
				}
			}
		})
	}
}

func TestOAuthFailures(t *testing.T) {
	for _, backend := range backends() {
		t.Run(backend, func(t *testing.T) {
			f := newFlowEnv(t, backend)
			c := f.register(nil)
			post := f.register(func(m map[string]any) { m["token_endpoint_auth_method"] = "client_secret_post" })
			type tokenCase struct {
				name   string
				run    func(t *testing.T) *httptest.ResponseRecorder
				status int
				code   string
				after  func(t *testing.T)
			}
			fresh := func(email, scope string) (code, verifier string) {
				verifier, challenge := pkce()
				return f.authorize(email, c, scope, challenge), verifier
			}
			exchangeForm := func(code, verifier string) url.Values {
				return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {flowRedirect}, "code_verifier": {verifier}}
			}
			var reusedToken string
			var skew time.Duration
			cases := []tokenCase{
				{name: "wrong verifier", status: 400, code: "invalid_grant", run: func(t *testing.T) *httptest.ResponseRecorder {
					code, _ := fresh("issuer@example.org", ScopeCredentialRead)
					other, _ := pkce()
					return f.tokenRequest(c, exchangeForm(code, other))
				}},
				{name: "verifier too short", status: 400, code: "invalid_grant", run: func(t *testing.T) *httptest.ResponseRecorder {
					code, _ := fresh("issuer@example.org", ScopeCredentialRead)
					return f.tokenRequest(c, exchangeForm(code, "short"))
				}},
				{name: "reused code revokes its tokens", status: 400, code: "invalid_grant", run: func(t *testing.T) *httptest.ResponseRecorder {
					code, verifier := fresh("issuer@example.org", ScopeCredentialRead)
					reusedToken = f.exchange(c, code, verifier).AccessToken
					if got := f.getCredentials(reusedToken); got != 200 {
						t.Fatalf("first use: %d", got)
					}
					return f.tokenRequest(c, exchangeForm(code, verifier))
				}, after: func(t *testing.T) {
					if got := f.getCredentials(reusedToken); got != http.StatusUnauthorized {
						t.Errorf("token of a reused code still works: %d", got)
					}
				}},
				{name: "mismatched redirect_uri", status: 400, code: "invalid_grant", run: func(t *testing.T) *httptest.ResponseRecorder {
					code, verifier := fresh("issuer@example.org", ScopeCredentialRead)
					form := exchangeForm(code, verifier)
					form.Set("redirect_uri", "http://127.0.0.1:8765/cb")
					return f.tokenRequest(c, form)
				}},
				{name: "expired code", status: 400, code: "invalid_grant", run: func(t *testing.T) *httptest.ResponseRecorder {
					code, verifier := fresh("issuer@example.org", ScopeCredentialRead)
					// 61 s after now: the web server dates codes by the wall clock.
					skew = time.Now().Add(61 * time.Second).Sub(f.clock.Now())
					f.clock.Advance(skew)
					return f.tokenRequest(c, exchangeForm(code, verifier))
				}, after: func(t *testing.T) {
					// Codes are dated by the web server's wall clock; put the
					// API's clock back for the cases that follow.
					f.clock.Advance(-skew)
				}},
				{name: "code of another client", status: 400, code: "invalid_grant", run: func(t *testing.T) *httptest.ResponseRecorder {
					code, verifier := fresh("issuer@example.org", ScopeCredentialRead)
					form := exchangeForm(code, verifier)
					form.Set("client_id", post.ClientID)
					form.Set("client_secret", post.ClientSecret)
					return f.send("POST", "/oauth/token", "", formCT, form.Encode())
				}},
				{name: "scope wider than granted", status: 400, code: "invalid_scope", run: func(t *testing.T) *httptest.ResponseRecorder {
					code, verifier := fresh("issuer@example.org", ScopeCredentialRead)
					form := exchangeForm(code, verifier)
					form.Set("scope", ScopeCredentialUpsert)
					return f.tokenRequest(c, form)
				}},
				{name: "wrong auth method", status: 401, code: "invalid_client", run: func(t *testing.T) *httptest.ResponseRecorder {
					code, verifier := fresh("issuer@example.org", ScopeCredentialRead)
					form := exchangeForm(code, verifier)
					form.Set("client_id", c.ClientID)
					form.Set("client_secret", c.ClientSecret)
					return f.send("POST", "/oauth/token", "", formCT, form.Encode())
				}},
				{name: "missing verifier", status: 400, code: "invalid_request", run: func(t *testing.T) *httptest.ResponseRecorder {
					code, _ := fresh("issuer@example.org", ScopeCredentialRead)
					form := exchangeForm(code, "")
					form.Del("code_verifier")
					return f.tokenRequest(c, form)
				}},
				{name: "client credentials for a registered client", status: 400, code: "unauthorized_client", run: func(t *testing.T) *httptest.ResponseRecorder {
					return f.tokenRequest(c, url.Values{"grant_type": {"client_credentials"}})
				}},
				{name: "refresh token reuse revokes the grant", status: 400, code: "invalid_grant", run: func(t *testing.T) *httptest.ResponseRecorder {
					code, verifier := fresh("issuer@example.org", ScopeCredentialRead)
					pair := f.exchange(c, code, verifier)
					rec := f.tokenRequest(c, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {pair.RefreshToken}})
					if rec.Code != 200 {
						t.Fatalf("first refresh: %d %s", rec.Code, rec.Body)
					}
					reusedToken = decode[tokenPair](t, rec).AccessToken
					return f.tokenRequest(c, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {pair.RefreshToken}})
				}, after: func(t *testing.T) {
					if got := f.getCredentials(reusedToken); got != http.StatusUnauthorized {
						t.Errorf("token of the rotated grant still works: %d", got)
					}
				}},
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					rec := tc.run(t)
					if rec.Code != tc.status || !strings.Contains(rec.Body.String(), `"error":"`+tc.code+`"`) {
						t.Fatalf("status %d %s, want %d %s", rec.Code, rec.Body, tc.status, tc.code)
					}
					if tc.after != nil {
						tc.after(t)
					}
				})
			}

			// Authorization requests: before the redirect URI is known the
			// error is a page; afterwards a redirect with error.
			_, challenge := pkce()
			cookie := f.login("issuer@example.org")
			authz := []struct {
				name      string
				edit      func(q url.Values)
				page      bool   // shown as a page (400)
				errorCode string // else redirected with this error
			}{
				{"unknown client", func(q url.Values) { q.Set("client_id", "nope") }, true, ""},
				{"unregistered redirect_uri", func(q url.Values) { q.Set("redirect_uri", "https://evil.example/cb") }, true, ""},
				{"missing redirect_uri", func(q url.Values) { q.Del("redirect_uri") }, true, ""},
				{"unknown scope", func(q url.Values) { q.Set("scope", ScopeCredentialRead+" https://example.org/scope/everything") }, false, "invalid_scope"},
				{"scope the client did not register", func(q url.Values) { q.Set("scope", ScopeProfileUpdate) }, false, "invalid_scope"},
				{"plain PKCE", func(q url.Values) { q.Set("code_challenge_method", "plain") }, false, "invalid_request"},
				{"no PKCE", func(q url.Values) { q.Del("code_challenge"); q.Del("code_challenge_method") }, false, "invalid_request"},
				{"token response type", func(q url.Values) { q.Set("response_type", "token") }, false, "unsupported_response_type"},
				{"no state", func(q url.Values) { q.Del("state") }, false, "invalid_request"},
			}
			for _, tc := range authz {
				t.Run("authorize "+tc.name, func(t *testing.T) {
					q := authorizeQuery(c, ScopeCredentialRead, challenge)
					tc.edit(q)
					rec := f.send("GET", "/oauth/authorize?"+q.Encode(), cookie, nil, "")
					if tc.page {
						if rec.Code != http.StatusBadRequest || rec.Header().Get("Location") != "" {
							t.Fatalf("%d %q, want a 400 page", rec.Code, rec.Header().Get("Location"))
						}
						return
					}
					u, err := url.Parse(rec.Header().Get("Location"))
					if rec.Code != http.StatusSeeOther || err != nil || !strings.HasPrefix(u.String(), flowRedirect) {
						t.Fatalf("%d %q, want a redirect to the client", rec.Code, rec.Header().Get("Location"))
					}
					if got := u.Query().Get("error"); got != tc.errorCode {
						t.Errorf("error=%q, want %q", got, tc.errorCode)
					}
					if tc.name != "no state" && u.Query().Get("state") != "st-123" {
						t.Errorf("state not returned: %s", u)
					}
				})
			}

			// Not signed in, an erroneous request is a page, never a redirect:
			// anyone may register a client, and a redirect with an error
			// would make this server an open redirector to any URI a client
			// registered (RFC 9700 section 4.11.2).
			for _, tc := range authz {
				t.Run("anonymous authorize "+tc.name, func(t *testing.T) {
					q := authorizeQuery(c, ScopeCredentialRead, challenge)
					tc.edit(q)
					rec := f.send("GET", "/oauth/authorize?"+q.Encode(), "", nil, "")
					if rec.Code != http.StatusBadRequest || rec.Header().Get("Location") != "" {
						t.Fatalf("%d %q, want a 400 page", rec.Code, rec.Header().Get("Location"))
					}
					if strings.Contains(rec.Body.String(), flowRedirect) {
						t.Errorf("the error page links to the client's redirect URI")
					}
				})
			}

			t.Run("insufficient role", func(t *testing.T) {
				_, challenge := pkce()
				back := f.consent(f.login("viewer@example.org"), authorizeQuery(c, ScopeCredentialUpsert, challenge), "approve")
				if back.Query().Get("error") != "access_denied" || back.Query().Get("code") != "" {
					t.Errorf("viewer granting upsert: %s", back)
				}
			})
			t.Run("viewer may grant read", func(t *testing.T) {
				verifier, challenge := pkce()
				pair := f.exchange(c, f.authorize("viewer@example.org", c, ScopeCredentialRead, challenge), verifier)
				if got := f.getCredentials(pair.AccessToken); got != 200 {
					t.Errorf("getCredentials: %d", got)
				}
				// Losing the membership ends the grant at once on this node.
				if err := f.store.RemoveMembership(context.Background(), f.org.ID, f.viewer.ID); err != nil {
					t.Fatal(err)
				}
				if got := f.getCredentials(pair.AccessToken); got != http.StatusUnauthorized {
					t.Errorf("getCredentials after the user left: %d, want 401", got)
				}
			})
			t.Run("denied", func(t *testing.T) {
				_, challenge := pkce()
				back := f.consent(f.login("issuer@example.org"), authorizeQuery(c, ScopeCredentialRead, challenge), "deny")
				if back.Query().Get("error") != "access_denied" || back.Query().Get("state") != "st-123" {
					t.Errorf("deny: %s", back)
				}
			})
			t.Run("consent without CSRF token", func(t *testing.T) {
				_, challenge := pkce()
				form := authorizeQuery(c, ScopeCredentialRead, challenge)
				form.Set("org", f.org.ID)
				form.Set("decision", "approve")
				rec := f.send("POST", "/oauth/authorize", f.login("issuer@example.org"), formCT, form.Encode())
				if rec.Code != http.StatusForbidden {
					t.Errorf("%d, want 403", rec.Code)
				}
			})
		})
	}
}

func TestOAuthRegistrationErrors(t *testing.T) {
	f := newFlowEnv(t, "sqlite")
	cases := []struct {
		name  string
		edit  func(m map[string]any)
		code  string
		field string
	}{
		{"no client_name", func(m map[string]any) { delete(m, "client_name") }, "invalid_client_metadata", "client_name"},
		{"client_name not a string", func(m map[string]any) { m["client_name"] = 7 }, "invalid_client_metadata", "client_name"},
		{"http client_uri", func(m map[string]any) { m["client_uri"] = "http://wallet.example/" }, "invalid_client_metadata", "client_uri"},
		{"relative logo_uri", func(m map[string]any) { m["logo_uri"] = "/logo.png" }, "invalid_client_metadata", "logo_uri"},
		{"no tos_uri", func(m map[string]any) { delete(m, "tos_uri") }, "invalid_client_metadata", "tos_uri"},
		{"no policy_uri", func(m map[string]any) { m["policy_uri"] = "" }, "invalid_client_metadata", "policy_uri"},
		{"no software_id", func(m map[string]any) { delete(m, "software_id") }, "invalid_client_metadata", "software_id"},
		{"no software_version", func(m map[string]any) { delete(m, "software_version") }, "invalid_client_metadata", "software_version"},
		{"no redirect_uris", func(m map[string]any) { delete(m, "redirect_uris") }, "invalid_redirect_uri", "redirect_uris"},
		{"empty redirect_uris", func(m map[string]any) { m["redirect_uris"] = []any{} }, "invalid_redirect_uri", "redirect_uris"},
		{"http redirect", func(m map[string]any) { m["redirect_uris"] = []any{"http://wallet.example/cb"} }, "invalid_redirect_uri", "redirect_uris[0]"},
		{"fragment", func(m map[string]any) { m["redirect_uris"] = []any{flowRedirect, "https://wallet.example/cb#x"} }, "invalid_redirect_uri", "redirect_uris[1]"},
		{"custom scheme", func(m map[string]any) { m["redirect_uris"] = []any{"wallet:/cb"} }, "invalid_redirect_uri", "redirect_uris[0]"},
		{"auth method none", func(m map[string]any) { m["token_endpoint_auth_method"] = "none" }, "invalid_client_metadata", "token_endpoint_auth_method"},
		{"implicit grant", func(m map[string]any) { m["grant_types"] = []any{"implicit"} }, "invalid_client_metadata", "grant_types"},
		{"token response", func(m map[string]any) { m["response_types"] = []any{"token"} }, "invalid_client_metadata", "response_types"},
		{"unknown scope", func(m map[string]any) { m["scope"] = "admin" }, "invalid_client_metadata", "scope"},
		{"no scope", func(m map[string]any) { delete(m, "scope") }, "invalid_client_metadata", "scope"},
		{"bad contact", func(m map[string]any) { m["contacts"] = []any{"not-an-email"} }, "invalid_client_metadata", "contacts[0]"},
		{"grant_types not an array", func(m map[string]any) { m["grant_types"] = "authorization_code" }, "invalid_client_metadata", "grant_types"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := f.send("POST", "/oauth/register", "", map[string]string{"Content-Type": "application/json"}, registration(tc.edit))
			if rec.Code != http.StatusBadRequest {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
			var body struct {
				Error       string `json:"error"`
				Description string `json:"error_description"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatal(err)
			}
			if body.Error != tc.code || !strings.Contains(body.Description, tc.field+": ") {
				t.Errorf("got %s %q, want %s naming %s", body.Error, body.Description, tc.code, tc.field)
			}
		})
	}
	t.Run("unknown members are ignored", func(t *testing.T) {
		c := f.register(func(m map[string]any) { m["jwks_uri"] = "https://wallet.example/jwks" })
		if c.ClientID == "" {
			t.Fatal("no client id")
		}
	})
	t.Run("not JSON", func(t *testing.T) {
		rec := f.send("POST", "/oauth/register", "", map[string]string{"Content-Type": "application/json"}, "[1]")
		if rec.Code != 400 || !strings.Contains(rec.Body.String(), "invalid_client_metadata") {
			t.Errorf("%d %s", rec.Code, rec.Body)
		}
	})
	t.Run("rate limited per address", func(t *testing.T) {
		var last int
		for range 8 {
			req := httptest.NewRequest("POST", "/oauth/register", strings.NewReader(registration(nil)))
			req.Header.Set("Content-Type", "application/json")
			req.RemoteAddr = "198.51.100.7:999"
			rec := httptest.NewRecorder()
			f.h.ServeHTTP(rec, req)
			last = rec.Code
		}
		if last != http.StatusTooManyRequests {
			t.Errorf("eighth registration from one address: %d, want 429", last)
		}
	})
}
