package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/auth"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/web"
)

// TestLoginRefusedWhenHashingIsFull holds every slot of the password gate
// and checks that a login is answered 503 with Retry-After at once instead
// of starting another 19 MiB argon2id computation, and that logins work
// again once the slot is free.
func TestLoginRefusedWhenHashingIsFull(t *testing.T) {
	gate := auth.NewGate(1, 0, time.Second)
	e := newEnv(t, envOptions{gate: gate})
	form := url.Values{"email": {"owner@example.edu"}, "password": {"wrong password here"}}
	release, err := gate.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rec := e.do(request{method: http.MethodPost, path: "/login", form: form})
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("login with the gate full: %d, Retry-After %q; want 503 with Retry-After", rec.Code, rec.Header().Get("Retry-After"))
	}
	release()
	rec = e.do(request{method: http.MethodPost, path: "/login", form: form})
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("wrong password with the gate free: %d, want 401", rec.Code)
	}
	form.Set("password", testPassword)
	rec = e.do(request{method: http.MethodPost, path: "/login", form: form})
	if rec.Code != http.StatusSeeOther {
		t.Errorf("right password: %d, want 303", rec.Code)
	}
}

// TestLoginNextIsSameOrigin signs in with next values that browsers would
// follow off-site (after dropping a TAB or reading a backslash as a slash)
// and checks that only clean local paths are kept, on the form page, after
// the sign-in and for a visitor already signed in.
func TestLoginNextIsSameOrigin(t *testing.T) {
	e := newEnv(t, envOptions{})
	tests := []struct {
		next string
		want string // "" means refused: the default landing page
	}{
		{"/admin/orgs/city-uni", "/admin/orgs/city-uni"},
		{"/admin/orgs/city-uni/issue?x=1#top", "/admin/orgs/city-uni/issue?x=1#top"},
		{"/oauth/authorize?client_id=a%20b&state=x", "/oauth/authorize?client_id=a%20b&state=x"},
		{"//evil.example/x", ""},
		{"/\t/evil.example/x", ""},
		{"/%09/evil.example/x", ""},
		{"/%2509/evil.example/x", ""},
		{"/\\evil.example", ""},
		{"\\/evil.example", ""},
		{"/%5Cevil.example", ""},
		{"/%2F/evil.example", ""},
		{"/%2f%2fevil.example", ""},
		{"https://evil.example/", ""},
		{"javascript:alert(1)", ""},
		{"/\r\nSet-Cookie: x=y", ""},
		{"/\x00/evil.example", ""},
		{"/\x7f/evil.example", ""},
		{" /evil", ""},
		{"/ /evil.example", ""},
		{"evil.example", ""},
		{"/%zz", ""},
	}
	for i, tt := range tests {
		t.Run(url.QueryEscape(tt.next), func(t *testing.T) {
			want := tt.want
			if want == "" {
				want = "/admin"
			}
			form := url.Values{"email": {"owner@example.edu"}, "password": {testPassword}, "next": {tt.next}}
			rec := e.do(request{method: http.MethodPost, path: "/login", form: form, remote: fmt.Sprintf("192.0.2.%d:1234", i+10)})
			if got := rec.Header().Get("Location"); rec.Code != http.StatusSeeOther || got != want {
				t.Errorf("POST /login: %d Location %q, want 303 %q", rec.Code, got, want)
			}
			rec = e.do(request{method: http.MethodGet, path: "/login?next=" + url.QueryEscape(tt.next), as: "owner"})
			if got := rec.Header().Get("Location"); got != want {
				t.Errorf("GET /login signed in: Location %q, want %q", got, want)
			}
			rec = e.do(request{method: http.MethodGet, path: "/login?next=" + url.QueryEscape(tt.next)})
			hidden := `name="next" value="` + htmlEscape(tt.want) + `"`
			if tt.want == "" {
				if strings.Contains(rec.Body.String(), "evil") {
					t.Errorf("GET /login carries the refused next into the form")
				}
			} else if !strings.Contains(rec.Body.String(), hidden) {
				t.Errorf("GET /login form lacks %s", hidden)
			}
		})
	}
}

// TestLoginThrottledPerAccount guesses one account's password from many
// addresses (each within its own per-address allowance) and checks that the
// account itself starts refusing attempts, with Retry-After, while another
// account is unaffected.
func TestLoginThrottledPerAccount(t *testing.T) {
	e := newEnv(t, envOptions{})
	wrong := url.Values{"email": {"Owner@Example.edu"}, "password": {"a wrong guess"}}
	var refused *httptestRecorder
	for i := range 20 {
		rec := e.do(request{method: http.MethodPost, path: "/login", form: wrong, remote: fmt.Sprintf("198.51.100.%d:1000", i+1)})
		if rec.Code == http.StatusTooManyRequests {
			refused = rec
			break
		}
		if rec.Code != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i, rec.Code)
		}
	}
	if refused == nil {
		t.Fatal("20 wrong passwords for one account from 20 addresses were never throttled")
	}
	if refused.Header().Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	// The right password waits out the backoff too: the guesser cannot
	// tell a right guess from a wrong one while the account is throttled.
	right := url.Values{"email": {"owner@example.edu"}, "password": {testPassword}}
	if rec := e.do(request{method: http.MethodPost, path: "/login", form: right, remote: "198.51.100.200:1000"}); rec.Code != http.StatusTooManyRequests {
		t.Errorf("right password during the backoff: %d, want 429", rec.Code)
	}
	other := url.Values{"email": {"issuer@example.edu"}, "password": {testPassword}}
	if rec := e.do(request{method: http.MethodPost, path: "/login", form: other, remote: "198.51.100.201:1000"}); rec.Code != http.StatusSeeOther {
		t.Errorf("another account: %d, want 303", rec.Code)
	}
}

// TestLoginLimiterGroupsIPv6 sends logins from addresses of one IPv6 /64:
// they share one per-address allowance.
func TestLoginLimiterGroupsIPv6(t *testing.T) {
	e := newEnv(t, envOptions{})
	limited := false
	for i := range 30 {
		form := url.Values{"email": {fmt.Sprintf("nobody%d@example.edu", i)}, "password": {"a wrong guess"}}
		rec := e.do(request{method: http.MethodPost, path: "/login", form: form, remote: fmt.Sprintf("[2001:db8:5:6::%x]:1000", i+1)})
		if rec.Code == http.StatusTooManyRequests {
			limited = true
			break
		}
	}
	if !limited {
		t.Error("30 logins from one IPv6 /64 were never limited")
	}
}

// TestDemoOutboxPerOrganization checks that the demo outbox shows an
// organization's mail to its owners only: not to its other staff, not to a
// learner, not to the owner of another organization.
func TestDemoOutboxPerOrganization(t *testing.T) {
	e := newEnv(t, envOptions{demo: true})
	ctx := context.Background()
	other, err := e.store.CreateUser(ctx, store.User{Email: "owner@other.example", Name: "Other Owner"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.CreateOrganization(ctx, store.Organization{Name: "Other College", Slug: "other-college",
		URL: "https://other.example", Email: "office@other.example", Country: "FR"}, other.ID, other.ID); err != nil {
		t.Fatal(err)
	}
	e.logins["other"] = e.startSession(other.ID)
	const mail = "You have earned: "
	tests := []struct {
		as, path string
		status   int
		sees     bool
	}{
		{"owner", "/admin/outbox", http.StatusOK, true},
		{"owner", "/admin/orgs/city-uni/outbox", http.StatusOK, true},
		{"issuer", "/admin/outbox", http.StatusNotFound, false},
		{"issuer", "/admin/orgs/city-uni/outbox", http.StatusForbidden, false},
		{"viewer", "/admin/outbox", http.StatusNotFound, false},
		{"learner", "/admin/outbox", http.StatusNotFound, false},
		{"learner", "/admin/orgs/city-uni/outbox", http.StatusNotFound, false},
		{"other", "/admin/outbox", http.StatusOK, false},
		{"other", "/admin/orgs/other-college/outbox", http.StatusOK, false},
		{"other", "/admin/orgs/city-uni/outbox", http.StatusNotFound, false},
	}
	for _, tt := range tests {
		t.Run(tt.as+" "+tt.path, func(t *testing.T) {
			rec := e.do(request{method: http.MethodGet, path: tt.path, as: tt.as})
			if rec.Code != tt.status {
				t.Errorf("status %d, want %d", rec.Code, tt.status)
			}
			if got := strings.Contains(rec.Body.String(), mail); got != tt.sees {
				t.Errorf("sees the learner's mail: %v, want %v", got, tt.sees)
			}
		})
	}
}

// TestSecureDeploymentHeadersAndCookies runs a server whose base URL is
// https: HSTS on every answer, and the session cookie under the __Host-
// prefix (Secure, Path=/, no Domain), which a sibling subdomain cannot set.
// Over http neither applies (the cookie could not be stored).
func TestSecureDeploymentHeadersAndCookies(t *testing.T) {
	for _, tc := range []struct {
		base, cookie string
		hsts         bool
	}{
		{"https://badges.example.edu", "__Host-microcred_session", true},
		{testBase, "microcred_session", false},
	} {
		t.Run(tc.base, func(t *testing.T) {
			st := openStore(t)
			svc := newService(t, st, tc.base)
			h, err := web.New(web.Config{Store: st, Issuer: svc, BaseURL: tc.base, Logger: testLogger(t)})
			if err != nil {
				t.Fatal(err)
			}
			hash, err := auth.HashPassword(testPassword)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.CreateUser(context.Background(), store.User{Email: "a@example.edu", Name: "A", PasswordHash: hash}); err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
			if got := rec.Header().Get("Strict-Transport-Security"); (got != "") != tc.hsts || tc.hsts && !strings.Contains(got, "max-age=") {
				t.Errorf("Strict-Transport-Security %q, want present: %v", got, tc.hsts)
			}
			req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(url.Values{"email": {"a@example.edu"}, "password": {testPassword}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			rec = httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			var session *http.Cookie
			for _, c := range rec.Result().Cookies() {
				if strings.HasSuffix(c.Name, "microcred_session") {
					session = c
				}
			}
			if rec.Code != http.StatusSeeOther || session == nil {
				t.Fatalf("login: %d, cookies %v", rec.Code, rec.Result().Cookies())
			}
			if session.Name != tc.cookie || session.Secure != tc.hsts || session.Path != "/" || session.Domain != "" {
				t.Errorf("session cookie %+v, want name %s, Secure %v, Path /, no Domain", session, tc.cookie, tc.hsts)
			}
			// The cookie signs the next request in.
			req = httptest.NewRequest(http.MethodGet, "/admin", nil)
			req.AddCookie(&http.Cookie{Name: session.Name, Value: session.Value})
			rec = httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				t.Errorf("GET /admin with the session cookie: %d", rec.Code)
			}
		})
	}
}

// TestLoginCSRF posts the login form from another site: a browser sends
// Origin or Sec-Fetch-Site, and such a sign-in (which would put the
// victim's browser into the attacker's account) is refused.
func TestLoginCSRF(t *testing.T) {
	e := newEnv(t, envOptions{})
	form := url.Values{"email": {"owner@example.edu"}, "password": {testPassword}}
	tests := []struct {
		name   string
		header map[string]string
		status int
	}{
		{"no browser headers (curl, tests)", nil, http.StatusSeeOther},
		{"same origin", map[string]string{"Origin": testBase, "Sec-Fetch-Site": "same-origin"}, http.StatusSeeOther},
		{"same origin, Origin only", map[string]string{"Origin": testBase}, http.StatusSeeOther},
		{"typed by the user", map[string]string{"Sec-Fetch-Site": "none"}, http.StatusSeeOther},
		{"cross site", map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"cross site, Origin only", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"same site sibling", map[string]string{"Origin": "http://evil.microcred.test", "Sec-Fetch-Site": "same-site"}, http.StatusForbidden},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.do(request{method: http.MethodPost, path: "/login", form: form, header: tt.header, remote: fmt.Sprintf("192.0.2.%d:1", 100+i)})
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d", rec.Code, tt.status)
			}
			if set := strings.Contains(rec.Header().Get("Set-Cookie"), "microcred_session="); set != (tt.status == http.StatusSeeOther) {
				t.Errorf("session cookie set: %v", set)
			}
		})
	}
	// Setup is guarded the same way.
	empty := newEnv(t, envOptions{empty: true})
	rec := empty.do(request{method: http.MethodPost, path: "/setup", form: url.Values{"owner_name": {"X"}},
		header: map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}})
	if rec.Code != http.StatusForbidden {
		t.Errorf("cross-site setup: %d, want 403", rec.Code)
	}
}

func TestStaticDirectoryNotListed(t *testing.T) {
	e := newEnv(t, envOptions{empty: true})
	for _, tc := range []struct {
		path   string
		status int
	}{
		{"/static/", http.StatusNotFound},
		{"/static/style.css", http.StatusOK},
		{"/static/nothing.css", http.StatusNotFound},
	} {
		rec := e.do(request{method: http.MethodGet, path: tc.path})
		if rec.Code != tc.status || strings.Contains(rec.Body.String(), `href="style.css"`) {
			t.Errorf("GET %s: %d, want %d without a listing", tc.path, rec.Code, tc.status)
		}
	}
}

func TestReservedOrganizationSlugs(t *testing.T) {
	e := newEnv(t, envOptions{})
	for _, slug := range []string{"new", "admin", "static", "api"} {
		form := url.Values{"name": {"Org " + slug}, "slug": {slug}, "url": {"https://" + slug + ".example"}, "email": {"x@" + slug + ".example"},
			"country": {"DE"}, "did_method": {"web"}}
		rec := e.do(request{method: http.MethodPost, path: "/admin/orgs/new", form: form, as: "owner"})
		if rec.Code == http.StatusSeeOther || !strings.Contains(rec.Body.String(), "reserved") {
			t.Errorf("organization slug %q: %d, want the form again saying the word is reserved", slug, rec.Code)
		}
	}
}
