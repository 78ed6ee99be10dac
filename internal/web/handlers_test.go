package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"github.com/microcred/microcred/internal/limit"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/auth"
	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/web"
)

// scenario is one request against a fresh environment, pocketbase style.
type scenario struct {
	name     string
	opts     envOptions
	before   func(t *testing.T, e *env) // may adjust the environment
	req      func(e *env) request
	status   int
	contains []string
	absent   []string
	after    func(t *testing.T, e *env, rec *responseRecorder)
}

type responseRecorder = httptestRecorder

func runScenarios(t *testing.T, list []scenario) {
	t.Helper()
	for _, sc := range list {
		t.Run(sc.name, func(t *testing.T) {
			e := newEnv(t, sc.opts)
			if sc.before != nil {
				sc.before(t, e)
			}
			rec := e.do(sc.req(e))
			if rec.Code != sc.status {
				t.Fatalf("status = %d, want %d; body:\n%s", rec.Code, sc.status, clipBody(rec.Body.String()))
			}
			body := rec.Body.String()
			for _, s := range sc.contains {
				if !strings.Contains(body, s) {
					t.Errorf("body lacks %q; body:\n%s", s, clipBody(body))
				}
			}
			for _, s := range sc.absent {
				if strings.Contains(body, s) {
					t.Errorf("body contains %q", s)
				}
			}
			if sc.after != nil {
				sc.after(t, e, rec)
			}
		})
	}
}

// withField returns a copy of v with one more field.
func withField(v url.Values, name, value string) url.Values {
	c := url.Values{}
	for k, vs := range v {
		c[k] = append([]string(nil), vs...)
	}
	c.Set(name, value)
	return c
}

// noSetupHappened checks that a refused setup wrote no user and no
// organization.
func noSetupHappened(t *testing.T, e *env, _ *responseRecorder) {
	t.Helper()
	orgs, _ := e.store.ListOrganizations(context.Background())
	if _, err := e.store.UserByEmail(context.Background(), "rosa@example.edu"); err == nil || len(orgs) != 0 {
		t.Errorf("a refused setup wrote data: orgs=%d, user err=%v", len(orgs), err)
	}
}

func clipBody(s string) string {
	if len(s) > 4000 {
		return s[:4000] + "…"
	}
	return s
}

func fixed(r request) func(*env) request { return func(*env) request { return r } }

func TestSetupAndLogin(t *testing.T) {
	setupForm := url.Values{
		"owner_name": {"Rosa Registrar"}, "owner_email": {"rosa@example.edu"},
		"password": {testPassword}, "password_confirm": {testPassword},
		"name": {"Harbour College"}, "slug": {"harbour"}, "url": {"https://harbour.example.edu"},
		"email": {"office@harbour.example.edu"}, "country": {"NL"}, "did_method": {"web"},
	}
	runScenarios(t, []scenario{
		{
			name:     "setup form on first run",
			opts:     envOptions{empty: true},
			req:      fixed(request{method: "GET", path: "/setup"}),
			status:   200,
			contains: []string{"Set up microcred", `name="owner_email"`, `name="slug"`},
		},
		{
			name:   "setup creates owner and organization and signs in",
			opts:   envOptions{empty: true},
			req:    fixed(request{method: "POST", path: "/setup", form: setupForm}),
			status: http.StatusSeeOther,
			after: func(t *testing.T, e *env, rec *responseRecorder) {
				if got := locationOf(t, rec); got != "/admin/orgs/harbour" {
					t.Errorf("Location = %q", got)
				}
				if !strings.Contains(rec.Header().Get("Set-Cookie"), "microcred_session=") {
					t.Errorf("no session cookie: %q", rec.Header().Get("Set-Cookie"))
				}
				org, err := e.store.OrganizationBySlug(context.Background(), "harbour")
				if err != nil {
					t.Fatal(err)
				}
				u, err := e.store.UserByEmail(context.Background(), "rosa@example.edu")
				if err != nil {
					t.Fatal(err)
				}
				m, err := e.store.Membership(context.Background(), org.ID, u.ID)
				if err != nil || m.Role != store.RoleOwner {
					t.Errorf("membership = %+v, %v; want owner", m, err)
				}
				// First run is over.
				if rec := e.do(request{method: "GET", path: "/setup"}); rec.Code != 404 {
					t.Errorf("GET /setup after setup = %d, want 404", rec.Code)
				}
			},
		},
		{
			name: "setup with bad fields answers 400 with messages and writes nothing",
			opts: envOptions{empty: true},
			req: fixed(request{method: "POST", path: "/setup", form: url.Values{
				"owner_name": {""}, "owner_email": {"not-an-email"}, "password": {"short"}, "password_confirm": {"short"},
				"name": {"X"}, "slug": {"Bad Slug"}, "country": {"Germany"},
			}}),
			status:   400,
			contains: []string{"Enter your name.", "Enter an email address such as", "Choose a password of 10", "lower-case letters, digits and hyphens", "two-letter country code"},
			after: func(t *testing.T, e *env, _ *responseRecorder) {
				orgs, _ := e.store.ListOrganizations(context.Background())
				if _, err := e.store.UserByEmail(context.Background(), "not-an-email"); err == nil || len(orgs) != 0 {
					t.Errorf("a failed setup wrote data: orgs=%d", len(orgs))
				}
			},
		},
		{
			name:     "setup form asks for the setup token when the server has one",
			opts:     envOptions{empty: true, setupToken: "tok-123"},
			req:      fixed(request{method: "GET", path: "/setup"}),
			status:   200,
			contains: []string{`name="setup_token"`, "Setup token"},
			absent:   []string{"tok-123"},
		},
		{
			name:     "setup without the token is refused and writes nothing",
			opts:     envOptions{empty: true, setupToken: "tok-123"},
			req:      fixed(request{method: "POST", path: "/setup", form: setupForm}),
			status:   400,
			contains: []string{"Enter the setup token that microcred printed"},
			after:    noSetupHappened,
		},
		{
			name:     "setup with a wrong token is refused and writes nothing",
			opts:     envOptions{empty: true, setupToken: "tok-123"},
			req:      fixed(request{method: "POST", path: "/setup", form: withField(setupForm, "setup_token", "tok-124")}),
			status:   400,
			contains: []string{"Enter the setup token that microcred printed"},
			absent:   []string{"tok-12"},
			after:    noSetupHappened,
		},
		{
			name:   "setup with the token creates the owner",
			opts:   envOptions{empty: true, setupToken: "tok-123"},
			req:    fixed(request{method: "POST", path: "/setup", form: withField(setupForm, "setup_token", " tok-123 ")}),
			status: http.StatusSeeOther,
			after: func(t *testing.T, e *env, rec *responseRecorder) {
				if _, err := e.store.OrganizationBySlug(context.Background(), "harbour"); err != nil {
					t.Errorf("no organization after setup with the token: %v", err)
				}
			},
		},
		{
			name:   "setup is gone once an organization exists",
			req:    fixed(request{method: "POST", path: "/setup", form: setupForm}),
			status: 404,
		},
		{
			name:   "login with the right password",
			req:    fixed(request{method: "POST", path: "/login", form: url.Values{"email": {"owner@example.edu"}, "password": {testPassword}}}),
			status: http.StatusSeeOther,
			after: func(t *testing.T, e *env, rec *responseRecorder) {
				if got := locationOf(t, rec); got != "/admin" {
					t.Errorf("Location = %q, want /admin", got)
				}
				c := rec.Result().Cookies()
				if len(c) == 0 || c[0].Name != "microcred_session" || !c[0].HttpOnly || c[0].SameSite != http.SameSiteLaxMode {
					t.Errorf("session cookie = %+v", c)
				}
			},
		},
		{
			name:   "login of a learner lands in the wallet",
			req:    fixed(request{method: "POST", path: "/login", form: url.Values{"email": {"learner@example.edu"}, "password": {testPassword}}}),
			status: http.StatusSeeOther,
			after: func(t *testing.T, _ *env, rec *responseRecorder) {
				if got := locationOf(t, rec); got != "/wallet" {
					t.Errorf("Location = %q, want /wallet", got)
				}
			},
		},
		{
			name:     "login with a wrong password",
			req:      fixed(request{method: "POST", path: "/login", form: url.Values{"email": {"owner@example.edu"}, "password": {"wrong password!"}}}),
			status:   401,
			contains: []string{"Email or password is not correct."},
			absent:   []string{"microcred_session"},
		},
		{
			name:     "login with an unknown email gets the same message",
			req:      fixed(request{method: "POST", path: "/login", form: url.Values{"email": {"nobody@example.edu"}, "password": {testPassword}}}),
			status:   401,
			contains: []string{"Email or password is not correct."},
		},
		{
			name:   "logout deletes the session",
			req:    fixed(request{method: "POST", path: "/logout", as: "owner"}),
			status: http.StatusSeeOther,
			after: func(t *testing.T, e *env, _ *responseRecorder) {
				if rec := e.do(request{method: "GET", path: "/admin", as: "owner"}); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login") {
					t.Errorf("GET /admin after logout = %d %q, want redirect to /login", rec.Code, rec.Header().Get("Location"))
				}
			},
		},
		{
			name:   "login redirects only to local paths",
			req:    fixed(request{method: "POST", path: "/login", form: url.Values{"email": {"owner@example.edu"}, "password": {testPassword}, "next": {"//evil.example/x"}}}),
			status: http.StatusSeeOther,
			after: func(t *testing.T, _ *env, rec *responseRecorder) {
				if got := locationOf(t, rec); got != "/admin" {
					t.Errorf("Location = %q, want /admin", got)
				}
			},
		},
	})
}

func TestAccessControl(t *testing.T) {
	runScenarios(t, []scenario{
		{
			name:   "anonymous admin goes to login",
			req:    fixed(request{method: "GET", path: "/admin/orgs/city-uni"}),
			status: http.StatusSeeOther,
			after: func(t *testing.T, _ *env, rec *responseRecorder) {
				if got := locationOf(t, rec); got != "/login?next=%2Fadmin%2Forgs%2Fcity-uni" {
					t.Errorf("Location = %q", got)
				}
			},
		},
		{
			name:     "owner sees the overview",
			req:      fixed(request{method: "GET", path: "/admin/orgs/city-uni", as: "owner"}),
			status:   200,
			contains: []string{"City University", "did:web:microcred.test:orgs:city-uni", "credentials issued"},
		},
		{
			name:     "viewer sees the overview",
			req:      fixed(request{method: "GET", path: "/admin/orgs/city-uni", as: "viewer"}),
			status:   200,
			contains: []string{"City University"},
			absent:   []string{"/admin/orgs/city-uni/issue"},
		},
		{
			name:     "viewer cannot open the issue form",
			req:      fixed(request{method: "GET", path: "/admin/orgs/city-uni/issue", as: "viewer"}),
			status:   403,
			contains: []string{"Your role in City University is viewer"},
		},
		{
			name: "viewer cannot issue",
			req: func(e *env) request {
				return request{method: "POST", path: "/admin/orgs/city-uni/issue", as: "viewer", form: url.Values{
					"achievement_id": {e.achievementID}, "recipient_email": {"a@example.org"}, "recipient_name": {"A"}, "idempotency_key": {"k1"}}}
			},
			status: 403,
			after: func(t *testing.T, e *env, _ *responseRecorder) {
				if n := e.countCredentials(); n != 1 {
					t.Errorf("credentials = %d, want 1", n)
				}
			},
		},
		{
			name:   "issuer cannot manage members",
			req:    fixed(request{method: "GET", path: "/admin/orgs/city-uni/members", as: "issuer"}),
			status: 403,
		},
		{
			name:   "learner is not a member",
			req:    fixed(request{method: "GET", path: "/admin/orgs/city-uni", as: "learner"}),
			status: 404,
		},
		{
			name:   "learner cannot create organizations",
			req:    fixed(request{method: "POST", path: "/admin/orgs/new", as: "learner", form: url.Values{"name": {"L"}, "slug": {"learner-org"}, "country": {"DE"}}}),
			status: 403,
		},
		{
			name:     "POST without CSRF token is refused",
			req:      fixed(request{method: "POST", path: "/admin/orgs/city-uni/keys/rotate", as: "owner", noCSRF: true}),
			status:   403,
			contains: []string{"csrf_token"},
			after: func(t *testing.T, e *env, _ *responseRecorder) {
				list, _ := e.store.ListSigningKeys(context.Background(), e.org.ID)
				if len(list) != 1 {
					t.Errorf("keys = %d, want 1 (no rotation)", len(list))
				}
			},
		},
		{
			name: "POST with a token of another session is refused",
			req: func(e *env) request {
				return request{method: "POST", path: "/logout", as: "owner", noCSRF: true, form: url.Values{"csrf_token": {e.logins["viewer"].CSRF}}}
			},
			status: 403,
		},
		{
			name:   "body over 64 KiB is refused with 413",
			req:    fixed(request{method: "POST", path: "/login", form: url.Values{"email": {"owner@example.edu"}, "password": {strings.Repeat("x", 70<<10)}}}),
			status: 413,
		},
		{
			name:   "signed-in body over 64 KiB is refused with 413",
			req:    fixed(request{method: "POST", path: "/admin/orgs/city-uni/clients", as: "owner", form: url.Values{"name": {strings.Repeat("x", 70<<10)}}}),
			status: 413,
		},
		{
			name:   "outbox is absent outside demo mode",
			req:    fixed(request{method: "GET", path: "/admin/outbox", as: "owner"}),
			status: 404,
		},
		{
			name:     "outbox shows queued mail in demo mode",
			opts:     envOptions{demo: true},
			req:      fixed(request{method: "GET", path: "/admin/outbox", as: "owner"}),
			status:   200,
			contains: []string{"learner@example.edu", ">demo<"},
		},
		{
			name:     "unknown page is a 404 page",
			req:      fixed(request{method: "GET", path: "/no/such/page"}),
			status:   404,
			contains: []string{"404", "nothing at this address"},
		},
	})
}

func TestCatalogAdmin(t *testing.T) {
	runScenarios(t, []scenario{
		{
			name:     "new achievement form has every field",
			req:      fixed(request{method: "GET", path: "/admin/orgs/city-uni/achievements/new", as: "issuer"}),
			status:   200,
			contains: []string{`name="learningOutcomes"`, `name="workload.ects"`, `name="eqfLevel"`, `name="nsqfLevel"`, `name="assessment.identityVerified"`, `name="qualityAssurance.url"`, `name="prerequisites"`, `name="creditRecommendations[2].validUntil"`, `name="skills[2].ref"`, `name="format"`},
		},
		{
			name: "invalid achievement answers 400 with field messages",
			req: func(*env) request {
				f := validAchievementForm()
				f.Set("name", "")
				f.Set("workload.hours", "sixty")
				f.Set("eqfLevel", "9")
				f.Set("creditRecommendations[0].framework", "XYZ")
				f.Set("skills[0].ref", "15-2051")
				return request{method: "POST", path: "/admin/orgs/city-uni/achievements/new", as: "issuer", form: f}
			},
			status: 400,
			contains: []string{
				`<span class="field-name">name</span>: required`,
				`<span class="field-name">workload.hours</span>: Enter a number`,
				`<span class="field-name">eqfLevel</span>: must be between 1 and 8`,
				`<span class="field-name">creditRecommendations[0].framework</span>: must be one of`,
				`<span class="field-name">skills[0].code</span>: not an O*NET-SOC code`,
				`value="sixty"`, // the rejected value is shown back
			},
			after: func(t *testing.T, e *env, _ *responseRecorder) {
				entries, _ := e.store.SearchAchievements(context.Background(), store.AchievementQuery{OrgID: e.org.ID})
				if len(entries) != 1 {
					t.Errorf("achievements = %d, want 1 (nothing written)", len(entries))
				}
			},
		},
		{
			name:   "valid achievement is created",
			req:    fixed(request{method: "POST", path: "/admin/orgs/city-uni/achievements/new", as: "issuer", form: validAchievementForm()}),
			status: http.StatusSeeOther,
			after: func(t *testing.T, e *env, rec *responseRecorder) {
				loc := locationOf(t, rec)
				id := strings.TrimPrefix(loc, "/achievements/")
				a, entry, err := e.svc.Achievement(context.Background(), id, 0)
				if err != nil {
					t.Fatal(err)
				}
				if a.Name != "Applied Data Visualisation" || a.EQFLevel != 6 || a.Workload.ECTS != 2 || len(a.LearningOutcomes) != 2 ||
					len(a.CreditRecommendations) != 1 || a.CreditRecommendations[0].Level != "first cycle" ||
					len(a.Skills) != 1 || a.Skills[0].Code != "15-2051.00" || entry.Version.Version != 1 {
					t.Errorf("stored achievement = %+v", a)
				}
				page := e.do(request{method: "GET", path: loc})
				for _, want := range []string{"Applied Data Visualisation", "Critique a dashboard", "first cycle", "City University Senate", "Data Scientists", "15-2051.00"} {
					if !strings.Contains(page.Body.String(), want) {
						t.Errorf("achievement page lacks %q", want)
					}
				}
			},
		},
		{
			name: "editing makes a new version",
			req: func(e *env) request {
				f := validAchievementForm()
				f.Set("name", "Renamed achievement")
				return request{method: "POST", path: "/admin/orgs/city-uni/achievements/" + e.achievementID + "/edit", as: "owner", form: f}
			},
			status: http.StatusSeeOther,
			after: func(t *testing.T, e *env, _ *responseRecorder) {
				a, _, err := e.svc.Achievement(context.Background(), e.achievementID, 0)
				if err != nil || a.Name != "Renamed achievement" || a.Version != 2 {
					t.Errorf("after edit: %v %q v%d", err, a.Name, a.Version)
				}
			},
		},
		{
			name: "edit form is prefilled",
			req: func(e *env) request {
				return request{method: "GET", path: "/admin/orgs/city-uni/achievements/" + e.achievementID + "/edit", as: "owner"}
			},
			status: 200,
			after: func(t *testing.T, e *env, rec *responseRecorder) {
				if !strings.Contains(rec.Body.String(), e.seeded[0].LearningOutcomes[0]) {
					t.Errorf("edit form lacks the first learning outcome %q", e.seeded[0].LearningOutcomes[0])
				}
			},
		},
	})
}

func TestIssuance(t *testing.T) {
	issueForm := func(e *env) url.Values {
		return url.Values{"achievement_id": {e.achievementID}, "recipient_email": {"new.learner@example.org"},
			"recipient_name": {"Ada Learner"}, "valid_from": {"2025-01-15"}, "notify": {"1"}, "idempotency_key": {"form-abc"}}
	}
	runScenarios(t, []scenario{
		{
			name:     "issue form lists the catalog",
			req:      fixed(request{method: "GET", path: "/admin/orgs/city-uni/issue", as: "issuer"}),
			status:   200,
			contains: []string{`name="idempotency_key" value="form-`, `name="recipient_email"`},
		},
		{
			name: "issue, then the public page says Verified",
			req: func(e *env) request {
				return request{method: "POST", path: "/admin/orgs/city-uni/issue", as: "issuer", form: issueForm(e)}
			},
			status: http.StatusSeeOther,
			after: func(t *testing.T, e *env, rec *responseRecorder) {
				loc := locationOf(t, rec)
				if !strings.HasPrefix(loc, "/c/") {
					t.Fatalf("Location = %q", loc)
				}
				if n := e.countCredentials(); n != 2 {
					t.Errorf("credentials = %d, want 2", n)
				}
				page := e.do(request{method: "GET", path: loc})
				if page.Code != 200 {
					t.Fatalf("credential page = %d", page.Code)
				}
				body := page.Body.String()
				for _, want := range []string{"✔ Verified", "Ada Learner", e.seeded[0].Name, `property="og:title"`, `property="og:url" content="http://microcred.test` + loc,
					loc + "/share/linkedin", loc + ".json"} {
					if !strings.Contains(body, want) {
						t.Errorf("credential page lacks %q", want)
					}
				}
				// The LinkedIn button counts the share, then goes on to
				// LinkedIn's form with the certification filled in.
				share := e.do(request{method: "GET", path: loc + "/share/linkedin"})
				if to := share.Header().Get("Location"); share.Code != http.StatusSeeOther || !strings.HasPrefix(to, "https://www.linkedin.com/profile/add?") ||
					!strings.Contains(to, "certUrl=http%3A%2F%2Fmicrocred.test%2Fc%2F") {
					t.Errorf("LinkedIn share = %d %q", share.Code, to)
				}
				// The same form submitted again issues nothing new.
				again := e.do(request{method: "POST", path: "/admin/orgs/city-uni/issue", as: "issuer", form: issueForm(e)})
				if again.Code != http.StatusSeeOther || locationOf(t, again) != loc {
					t.Errorf("second submit = %d %q, want redirect to %q", again.Code, again.Header().Get("Location"), loc)
				}
				if n := e.countCredentials(); n != 2 {
					t.Errorf("after double submit credentials = %d, want 2", n)
				}
			},
		},
		{
			name: "invalid issue answers 400 and writes nothing",
			req: func(e *env) request {
				f := issueForm(e)
				f.Set("recipient_email", "not an email")
				f.Set("valid_from", "15/01/2025")
				return request{method: "POST", path: "/admin/orgs/city-uni/issue", as: "issuer", form: f}
			},
			status:   400,
			contains: []string{`data-field="recipient_email"`, `<span class="field-name">valid_from</span>: Enter a date as YYYY-MM-DD.`},
			after: func(t *testing.T, e *env, _ *responseRecorder) {
				if n := e.countCredentials(); n != 1 {
					t.Errorf("credentials = %d, want 1 (nothing half-written)", n)
				}
			},
		},
		{
			name: "issuing an achievement of another organization fails without writing",
			before: func(t *testing.T, e *env) {
				other, err := e.svc.CreateOrganization(context.Background(), store.Organization{Name: "Other", Slug: "other", Country: "FR"}, "", "system")
				if err != nil {
					t.Fatal(err)
				}
				a := *e.seeded[0]
				a.ID = ""
				entry, err := e.svc.SaveAchievement(context.Background(), other.ID, &a, "system")
				if err != nil {
					t.Fatal(err)
				}
				e.achievementID = entry.Achievement.ID
			},
			req: func(e *env) request {
				return request{method: "POST", path: "/admin/orgs/city-uni/issue", as: "issuer", form: issueForm(e)}
			},
			status: 400,
			after: func(t *testing.T, e *env, _ *responseRecorder) {
				if n := e.countCredentials(); n != 1 {
					t.Errorf("credentials = %d, want 1", n)
				}
			},
		},
	})
}

func TestPublicCredential(t *testing.T) {
	makePrivate := func(t *testing.T, e *env) {
		if err := e.store.SetCredentialPrivate(context.Background(), "urn:uuid:"+e.credUUID, true); err != nil {
			t.Fatal(err)
		}
	}
	runScenarios(t, []scenario{
		{
			name:     "public credential page",
			req:      func(e *env) request { return request{method: "GET", path: "/c/" + e.credUUID} },
			status:   200,
			contains: []string{"✔ Verified", "Learner Person", "City University", `property="og:type"`},
		},
		{
			name:   "private credential is 404 for anonymous visitors",
			before: makePrivate,
			req:    func(e *env) request { return request{method: "GET", path: "/c/" + e.credUUID} },
			status: 404,
		},
		{
			name:   "private credential JSON is 404 for anonymous visitors",
			before: makePrivate,
			req:    func(e *env) request { return request{method: "GET", path: "/c/" + e.credUUID + ".json"} },
			status: 404,
		},
		{
			name:     "private credential is visible to its learner",
			before:   makePrivate,
			req:      func(e *env) request { return request{method: "GET", path: "/c/" + e.credUUID, as: "learner"} },
			status:   200,
			contains: []string{"private"},
		},
		{
			name:   "private credential is visible to the issuing organization",
			before: makePrivate,
			req:    func(e *env) request { return request{method: "GET", path: "/c/" + e.credUUID, as: "viewer"} },
			status: 200,
		},
		{
			name:   "credential JSON is the stored document byte for byte",
			req:    func(e *env) request { return request{method: "GET", path: "/c/" + e.credUUID + ".json"} },
			status: 200,
			after: func(t *testing.T, e *env, rec *responseRecorder) {
				c, err := e.store.Credential(context.Background(), "urn:uuid:"+e.credUUID)
				if err != nil {
					t.Fatal(err)
				}
				if rec.Body.String() != c.Document {
					t.Error("JSON differs from the stored document")
				}
				if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
					t.Errorf("Content-Type = %q", ct)
				}
				etag := rec.Header().Get("ETag")
				again := e.do(request{method: "GET", path: "/c/" + e.credUUID + ".json", header: map[string]string{"If-None-Match": etag}})
				if etag == "" || again.Code != http.StatusNotModified {
					t.Errorf("conditional GET = %d with ETag %q, want 304", again.Code, etag)
				}
			},
		},
		{
			name:   "no JWT for a Data Integrity credential",
			req:    func(e *env) request { return request{method: "GET", path: "/c/" + e.credUUID + ".jwt"} },
			status: 404,
		},
		{
			name: "learner makes a credential private",
			req: func(e *env) request {
				return request{method: "POST", path: "/wallet/" + e.credUUID + "/private", as: "learner", form: url.Values{"private": {"1"}}}
			},
			status: http.StatusSeeOther,
			after: func(t *testing.T, e *env, _ *responseRecorder) {
				if rec := e.do(request{method: "GET", path: "/c/" + e.credUUID}); rec.Code != 404 {
					t.Errorf("anonymous GET after private = %d, want 404", rec.Code)
				}
			},
		},
		{
			name: "someone else cannot make it private",
			req: func(e *env) request {
				return request{method: "POST", path: "/wallet/" + e.credUUID + "/private", as: "owner", form: url.Values{"private": {"1"}}}
			},
			status: 403,
		},
		{
			name:     "wallet lists the learner's credentials",
			req:      fixed(request{method: "GET", path: "/wallet", as: "learner"}),
			status:   200,
			contains: []string{"City University", "Make its page private"},
		},
		{
			name: "verifier accepts a pasted credential",
			req: func(e *env) request {
				return request{method: "POST", path: "/verify", form: url.Values{"credential": {e.document()}}}
			},
			status:   200,
			contains: []string{"✔ Verified", "Learner Person"},
		},
		{
			name: "verifier rejects a tampered credential",
			req: func(e *env) request {
				return request{method: "POST", path: "/verify", form: url.Values{"credential": {strings.Replace(e.document(), "Learner Person", "Mallory Person", 1)}}}
			},
			status:   200,
			contains: []string{"✘ Not verified", "fail", "What it claims (unverified)", "<details><summary>Technical detail</summary>", "The digital signature does not match"},
		},
		{
			name: "verifier says could not be checked for a proof suite it does not implement",
			req: func(e *env) request {
				return request{method: "POST", path: "/verify", form: url.Values{"credential": {strings.Replace(e.document(), `"eddsa-rdfc-2022"`, `"ecdsa-rdfc-2019"`, 1)}}}
			},
			status:   200,
			contains: []string{"? Could not be checked", "does not mean the credential is false", "not checked", "What it claims (unverified)"},
		},
		{
			name:     "verifier reports unusable input as a field error",
			req:      fixed(request{method: "POST", path: "/verify", form: url.Values{"credential": {"hello"}}}),
			status:   400,
			contains: []string{"cannot be read as a credential (JSON or JWT)"},
		},
		{
			name: "verifier accepts an uploaded file",
			req: func(e *env) request {
				var buf bytes.Buffer
				mw := multipart.NewWriter(&buf)
				fw, _ := mw.CreateFormFile("file", "credential.json")
				fw.Write([]byte(e.document()))
				mw.Close()
				return request{method: "POST", path: "/verify", body: buf.String(), contentType: mw.FormDataContentType()}
			},
			status:   200,
			contains: []string{"✔ Verified"},
		},
		{
			name: "verifier answers 429 when every slot is taken",
			req: func(e *env) request {
				e.svc.VerifyGate = limit.NewGate(1, 0, time.Hour)
				release, err := e.svc.AdmitVerify(context.Background(), 1, 1)
				if err != nil {
					e.t.Fatal(err)
				}
				e.t.Cleanup(release)
				return request{method: "POST", path: "/verify", form: url.Values{"credential": {e.document()}}}
			},
			status:   http.StatusTooManyRequests,
			contains: []string{"Wait a moment"},
			after: func(t *testing.T, _ *env, rec *responseRecorder) {
				if rec.Header().Get("Retry-After") != "1" {
					t.Errorf("Retry-After = %q", rec.Header().Get("Retry-After"))
				}
			},
		},
	})
}

func (e *env) document() string {
	c, err := e.store.Credential(context.Background(), "urn:uuid:"+e.credUUID)
	if err != nil {
		e.t.Fatal(err)
	}
	return c.Document
}

func TestPublicCatalogAndOrg(t *testing.T) {
	opts := envOptions{catalogSize: 5}
	runScenarios(t, []scenario{
		{
			name:   "did.json lists the signing key",
			req:    fixed(request{method: "GET", path: "/orgs/city-uni/did.json"}),
			status: 200,
			after: func(t *testing.T, e *env, rec *responseRecorder) {
				var doc struct {
					ID                 string `json:"id"`
					VerificationMethod []struct {
						ID, Controller, PublicKeyMultibase string
					} `json:"verificationMethod"`
					AssertionMethod []any `json:"assertionMethod"`
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
					t.Fatal(err)
				}
				k, err := e.store.ActiveSigningKey(context.Background(), e.org.ID)
				if err != nil {
					t.Fatal(err)
				}
				if doc.ID != "did:web:microcred.test:orgs:city-uni" || len(doc.VerificationMethod) != 1 ||
					doc.VerificationMethod[0].ID != k.VerificationMethod || doc.VerificationMethod[0].PublicKeyMultibase != k.PublicKeyMultibase ||
					len(doc.AssertionMethod) != 1 {
					t.Errorf("did.json = %s", rec.Body.String())
				}
			},
		},
		{
			name:   "key rotation keeps the retired key in did.json",
			req:    fixed(request{method: "POST", path: "/admin/orgs/city-uni/keys/rotate", as: "owner"}),
			status: http.StatusSeeOther,
			after: func(t *testing.T, e *env, _ *responseRecorder) {
				rec := e.do(request{method: "GET", path: "/orgs/city-uni/did.json"})
				if n := strings.Count(rec.Body.String(), `"publicKeyMultibase"`); n != 2 {
					t.Errorf("did.json has %d keys, want 2", n)
				}
				page := e.do(request{method: "GET", path: "/admin/orgs/city-uni/keys", as: "owner"})
				if !strings.Contains(page.Body.String(), "retired") {
					t.Error("keys page does not show the retired key")
				}
				// The credential signed with the old key still verifies.
				if c := e.do(request{method: "GET", path: "/c/" + e.credUUID}); !strings.Contains(c.Body.String(), "✔ Verified") {
					t.Error("old credential no longer verifies after rotation")
				}
			},
		},
		{
			name:     "profile.json is the issuer profile",
			req:      fixed(request{method: "GET", path: "/orgs/city-uni/profile.json"}),
			status:   200,
			contains: []string{`"id": "did:web:microcred.test:orgs:city-uni"`, `"Profile"`, `"name": "City University"`},
		},
		{
			name:     "organization page lists its catalog",
			opts:     opts,
			req:      fixed(request{method: "GET", path: "/orgs/city-uni"}),
			status:   200,
			contains: []string{"City University", "did:web:microcred.test:orgs:city-uni"},
			after: func(t *testing.T, e *env, rec *responseRecorder) {
				for _, a := range e.seeded {
					if !strings.Contains(rec.Body.String(), htmlEscape(a.Name)) {
						t.Errorf("org page lacks %q", a.Name)
					}
				}
			},
		},
		{
			name: "achievement JSON has catalog entry and OB 3.0 achievement",
			req: func(e *env) request {
				return request{method: "GET", path: "/achievements/" + e.achievementID + ".json"}
			},
			status: 200,
			after: func(t *testing.T, e *env, rec *responseRecorder) {
				var got struct {
					ID         string              `json:"id"`
					Org        string              `json:"org"`
					Catalog    catalog.Achievement `json:"catalog"`
					OpenBadges map[string]any      `json:"openBadges"`
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
					t.Fatal(err)
				}
				if got.ID != e.achievementID || got.Org != "city-uni" || got.Catalog.Name != e.seeded[0].Name ||
					got.OpenBadges["id"] != testBase+"/achievements/"+e.achievementID {
					t.Errorf("achievement JSON = %s", clipBody(rec.Body.String()))
				}
			},
		},
		{
			name:   "unknown achievement is 404",
			req:    fixed(request{method: "GET", path: "/achievements/nope.json"}),
			status: 404,
		},
	})

	// Catalog filters: the expected result of each query is computed with
	// catalog.Filter, the reference the store's SQL implements.
	e := newEnv(t, opts)
	var skill, framework string
	eqf := 0
	for _, a := range e.seeded {
		sf := a.SearchFields()
		if skill == "" && len(sf.Skills) > 0 {
			skill = sf.Skills[0]
		}
		if framework == "" && slices.Contains(sf.Frameworks, "ACE") {
			framework = "ACE"
		}
		if eqf == 0 && a.EQFLevel > 0 {
			eqf = a.EQFLevel
		}
	}
	if framework == "" {
		framework = "ECTS"
	}
	word := strings.Fields(e.seeded[1].Name)[0]
	cases := []struct {
		query  url.Values
		filter catalog.Filter
	}{
		{url.Values{}, catalog.Filter{}},
		{url.Values{"q": {word}}, catalog.Filter{Text: word}},
		{url.Values{"eqf": {itoa(eqf)}}, catalog.Filter{EQFLevel: eqf}},
		{url.Values{"skill": {skill}}, catalog.Filter{Skill: skill}},
		{url.Values{"framework": {framework}}, catalog.Filter{CreditFramework: framework}},
		{url.Values{"org": {"city-uni"}}, catalog.Filter{}},
		{url.Values{"org": {"no-such-org"}}, catalog.Filter{Provider: "no-such-org"}},
	}
	for _, c := range cases {
		t.Run("catalog.json?"+c.query.Encode(), func(t *testing.T) {
			rec := e.do(request{method: "GET", path: "/catalog.json?" + c.query.Encode()})
			if rec.Code != 200 {
				t.Fatalf("status %d", rec.Code)
			}
			var rows []struct {
				ID, Org, Name, URL    string
				CreditRecommendations []catalog.CreditRecommendation
				Skills                []catalog.Skill
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &rows); err != nil {
				t.Fatalf("%v: %s", err, rec.Body.String())
			}
			var want, got []string
			for _, a := range e.seeded {
				b := *a
				b.Provider = "city-uni"
				if c.filter.Match(&b) {
					want = append(want, a.Name)
				}
			}
			for _, r := range rows {
				got = append(got, r.Name)
				if r.Org != "city-uni" || !strings.HasPrefix(r.URL, testBase+"/achievements/") {
					t.Errorf("row %+v", r)
				}
			}
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(want, got) {
				t.Errorf("names = %q, want %q", got, want)
			}
			html := e.do(request{method: "GET", path: "/catalog?" + c.query.Encode()})
			for _, n := range want {
				if !strings.Contains(html.Body.String(), htmlEscape(n)) {
					t.Errorf("catalog page lacks %q", n)
				}
			}
		})
	}
}

func TestMembersAndClients(t *testing.T) {
	runScenarios(t, []scenario{
		{
			name:   "adding a person sends an invitation and shows no password",
			req:    fixed(request{method: "POST", path: "/admin/orgs/city-uni/members", as: "owner", form: url.Values{"email": {"new.issuer@example.edu"}, "name": {"New Issuer"}, "role": {"issuer"}}}),
			status: http.StatusSeeOther,
			after: func(t *testing.T, e *env, rec *responseRecorder) {
				if _, err := e.store.UserByEmail(context.Background(), "new.issuer@example.edu"); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("an account was created before the person accepted: %v", err)
				}
				page := e.do(request{method: "GET", path: "/admin/orgs/city-uni/members", as: "owner"}).Body.String()
				if !strings.Contains(page, "new.issuer@example.edu") || !strings.Contains(page, "Cancel invitation") {
					t.Errorf("members page does not list the pending invitation")
				}
				if strings.Contains(page, "/invite/") {
					t.Errorf("members page shows the invitation link to the owner")
				}
			},
		},
		{
			name:     "an invitation needs a valid email",
			req:      fixed(request{method: "POST", path: "/admin/orgs/city-uni/members", as: "owner", form: url.Values{"email": {"x"}, "role": {"viewer"}}}),
			status:   400,
			contains: []string{"Enter the person&#39;s email address."},
		},
		{
			name: "the last owner cannot be removed",
			req: func(e *env) request {
				return request{method: "POST", path: "/admin/orgs/city-uni/members/" + e.users["owner"].ID + "/remove", as: "owner"}
			},
			status:   409,
			contains: []string{"at least one owner"},
		},
		{
			name: "role change",
			req: func(e *env) request {
				return request{method: "POST", path: "/admin/orgs/city-uni/members/" + e.users["viewer"].ID + "/role", as: "owner", form: url.Values{"role": {"issuer"}}}
			},
			status: http.StatusSeeOther,
			after: func(t *testing.T, e *env, _ *responseRecorder) {
				m, _ := e.store.Membership(context.Background(), e.org.ID, e.users["viewer"].ID)
				if m.Role != store.RoleIssuer {
					t.Errorf("role = %q", m.Role)
				}
				events, _ := e.store.ListAudit(context.Background(), store.AuditQuery{OrgID: e.org.ID, Action: "member.role"})
				if len(events) != 1 {
					t.Errorf("audit events = %d", len(events))
				}
			},
		},
		{
			name: "API client secret is shown once and stored hashed",
			req: fixed(request{method: "POST", path: "/admin/orgs/city-uni/clients", as: "owner", form: url.Values{"name": {"SIS"},
				"scope": {"microcred:issue", "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly"}}}),
			status:   200,
			contains: []string{"client_secret", "shown only once"},
			after: func(t *testing.T, e *env, rec *responseRecorder) {
				list, err := e.store.ListAPIClients(context.Background(), e.org.ID)
				if err != nil || len(list) != 1 {
					t.Fatalf("clients %v %v", list, err)
				}
				body := rec.Body.String()
				i := strings.Index(body, "client_secret: <code class=\"big\">")
				secret := body[i+len("client_secret: <code class=\"big\">"):]
				secret = secret[:strings.Index(secret, "<")]
				if !bytes.Equal(list[0].SecretHash, auth.HashToken(secret)) || len(list[0].Scopes) != 2 {
					t.Errorf("stored client %+v does not match secret", list[0])
				}
			},
		},
		{
			name:     "API client needs a scope",
			req:      fixed(request{method: "POST", path: "/admin/orgs/city-uni/clients", as: "owner", form: url.Values{"name": {"SIS"}}}),
			status:   400,
			contains: []string{"Choose at least one scope."},
		},
		{
			name:     "audit log shows privileged actions",
			req:      fixed(request{method: "GET", path: "/admin/orgs/city-uni/audit", as: "owner"}),
			status:   200,
			contains: []string{"org.create", "achievement.create", "credential.issue"},
		},
		{
			name:     "an organization can be created by staff",
			req:      fixed(request{method: "POST", path: "/admin/orgs/new", as: "issuer", form: url.Values{"name": {"Issuer Org"}, "slug": {"issuer-org"}, "country": {"IN"}, "did_method": {"key"}}}),
			status:   http.StatusSeeOther,
			contains: nil,
			after: func(t *testing.T, e *env, _ *responseRecorder) {
				org, err := e.store.OrganizationBySlug(context.Background(), "issuer-org")
				if err != nil || org.DIDMethod != store.DIDKey {
					t.Fatalf("org %+v %v", org, err)
				}
				if rec := e.do(request{method: "GET", path: "/orgs/issuer-org/did.json"}); rec.Code != 404 {
					t.Errorf("did.json of a did:key org = %d, want 404", rec.Code)
				}
			},
		},
		{
			name:     "a taken slug is a field error",
			req:      fixed(request{method: "POST", path: "/admin/orgs/new", as: "owner", form: url.Values{"name": {"Again"}, "slug": {"city-uni"}, "country": {"DE"}}}),
			status:   400,
			contains: []string{`<span class="field-name">slug</span>: is already used`},
		},
	})
}

func TestMiddleware(t *testing.T) {
	st := openStore(t)
	svc := newService(t, st, testBase)
	h, err := web.New(web.Config{Store: st, Issuer: svc, BaseURL: testBase, Logger: testLogger(t), Extra: func(mux *http.ServeMux) {
		mux.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) { panic("boom") })
		mux.HandleFunc("POST /api/echo", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusAccepted) })
	}})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, store: st, svc: svc, handler: h, logins: map[string]login{}}

	rec := e.do(request{method: "GET", path: "/boom"})
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), "Something went wrong") || strings.Contains(rec.Body.String(), "boom") {
		t.Errorf("panic: %d %s", rec.Code, rec.Body.String())
	}
	rec = e.do(request{method: "GET", path: "/"})
	for k, want := range map[string]string{
		"Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; frame-ancestors 'none'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "same-origin",
	} {
		if got := rec.Header().Get(k); !strings.HasPrefix(got, want) {
			t.Errorf("%s = %q, want prefix %q", k, got, want)
		}
	}
	if !strings.Contains(rec.Body.String(), "/setup") {
		t.Error("home page of an empty server does not point to setup")
	}
	// Extra routes share the mux; a bearer-authenticated POST is not a
	// cookie-authenticated one and needs no CSRF token.
	rec = e.do(request{method: "POST", path: "/api/echo", body: "{}", contentType: "application/json", header: map[string]string{"Authorization": "Bearer x"}})
	if rec.Code != http.StatusAccepted {
		t.Errorf("extra route = %d", rec.Code)
	}
	for path, want := range map[string]string{"/privacy": "text/html", "/static/logo.svg": "image/svg+xml"} {
		if rec := e.do(request{method: "GET", path: path}); rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), want) {
			t.Errorf("GET %s = %d %q", path, rec.Code, rec.Header().Get("Content-Type"))
		}
	}
	rec = e.do(request{method: "GET", path: "/static/style.css"})
	if rec.Code != 200 || !strings.Contains(rec.Header().Get("Content-Type"), "text/css") {
		t.Errorf("stylesheet = %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	if _, err := web.New(web.Config{Store: st, Issuer: svc, BaseURL: "not a url"}); err == nil {
		t.Error("New accepted a bad base URL")
	}
}

func TestLoginRateLimit(t *testing.T) {
	e := newEnv(t, envOptions{empty: true})
	limited := false
	for range 15 {
		rec := e.do(request{method: "POST", path: "/login", form: url.Values{"email": {"a@example.edu"}, "password": {"whatever-password"}}})
		if rec.Code == http.StatusTooManyRequests {
			limited = true
			break
		}
	}
	if !limited {
		t.Error("15 rapid logins from one address were never limited")
	}
}

// TestBadgeImageShown: the seeded achievement's data: image appears on the
// achievement, catalog and credential pages (not as "#ZgotmplZ"), has an
// address of its own for og:image, and is served there with its type.
func TestBadgeImageShown(t *testing.T) {
	e := newEnv(t, envOptions{})
	if e.seeded[0].Image == nil {
		t.Fatal("the first demo achievement has no image")
	}
	for _, path := range []string{"/achievements/" + e.achievementID, "/catalog", "/c/" + e.credUUID} {
		rec := e.do(request{method: "GET", path: path})
		body := rec.Body.String()
		if rec.Code != 200 || strings.Contains(body, "ZgotmplZ") || !strings.Contains(body, `src="data:image/svg`) {
			t.Errorf("%s: %d, no data: image shown:\n%s", path, rec.Code, body)
		}
		if path != "/catalog" && !strings.Contains(body, `<meta property="og:image" content="`+testBase+"/achievements/"+e.achievementID+`/image">`) {
			t.Errorf("%s: no og:image", path)
		}
	}
	rec := e.do(request{method: "GET", path: "/achievements/" + e.achievementID + "/image"})
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(rec.Body.String(), "<svg") ||
		!strings.Contains(rec.Header().Get("Content-Security-Policy"), "sandbox") {
		t.Errorf("image: %d %v %.80s", rec.Code, rec.Header(), rec.Body.String())
	}
}

// TestCredentialPageNegotiates: /c/{uuid} answers a client that asks for
// the credential by media type with the credential itself.
func TestCredentialPageNegotiates(t *testing.T) {
	e := newEnv(t, envOptions{})
	c, err := e.store.Credential(context.Background(), "urn:uuid:"+e.credUUID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		accept, wantType string
		wantCode         int
		wantBody         string
	}{
		{"application/ld+json", "application/ld+json", 200, c.Document},
		{"application/vc+ld+json", "application/vc+ld+json", 200, c.Document},
		{"application/vc+jwt", "", 406, ""},
		{"text/html", "text/html; charset=utf-8", 200, ""},
	} {
		rec := e.do(request{method: "GET", path: "/c/" + e.credUUID, header: map[string]string{"Accept": tt.accept}})
		if rec.Code != tt.wantCode || (tt.wantType != "" && rec.Header().Get("Content-Type") != tt.wantType) ||
			(tt.wantBody != "" && rec.Body.String() != tt.wantBody) || !strings.Contains(rec.Header().Get("Vary"), "Accept") {
			t.Errorf("Accept %s: %d %q %.60s", tt.accept, rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
		}
	}
}

// TestWalletShowsBadge: the learner's wallet shows each credential's badge.
func TestWalletShowsBadge(t *testing.T) {
	e := newEnv(t, envOptions{})
	body := e.do(request{method: "GET", path: "/wallet", as: "learner"}).Body.String()
	if !strings.Contains(body, `class="row-badge" src="data:image/svg`) {
		t.Errorf("wallet shows no badge:\n%s", body)
	}
}
