package web_test

import (
	"context"
	"crypto/rand"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/auth"
	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/store/sqlite"
	"github.com/microcred/microcred/internal/web"
)

const (
	testBase     = "http://microcred.test"
	testPassword = "correct horse battery staple"
)

// login is a signed-in browser: the cookie token and the CSRF token of its
// session.
type login struct {
	Token string
	CSRF  string
}

// env is a server on a fresh SQLite database with an organization, its
// staff (owner, issuer, viewer), a learner, one achievement and one issued
// credential.
type env struct {
	t       testing.TB
	store   store.Store
	svc     *issue.Service
	handler http.Handler
	org     store.Organization
	users   map[string]store.User
	logins  map[string]login
	// achievementID is the store id of the seeded achievement.
	achievementID string
	// credUUID is the uuid of the seeded credential, issued to the learner.
	credUUID string
	seeded   []*catalog.Achievement
}

type envOptions struct {
	demo  bool
	empty bool // no users, no organization: first-run state
	// catalogSize is how many demo achievements to seed (default 1).
	catalogSize int
	// gate bounds password hashing; nil means auth.DefaultGate.
	gate *auth.Gate
	// suspension opts the organization in to suspension entries before
	// the seeded credential is issued.
	suspension bool
	// setupToken is web.Config.SetupToken.
	setupToken string
}

func openStore(t testing.TB) store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "microcred.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return st
}

func newService(t testing.TB, st store.Store, base string) *issue.Service {
	t.Helper()
	var mk keys.MasterKey
	if _, err := rand.Read(mk[:]); err != nil {
		t.Fatal(err)
	}
	return &issue.Service{Store: st, Master: mk, BaseURL: base}
}

func testLogger(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func newEnv(t testing.TB, opt envOptions) *env {
	t.Helper()
	ctx := context.Background()
	st := openStore(t)
	svc := newService(t, st, testBase)
	h, err := web.New(web.Config{Store: st, Issuer: svc, BaseURL: testBase, Demo: opt.demo, Logger: testLogger(t), PasswordGate: opt.gate, SetupToken: opt.setupToken})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	e := &env{t: t, store: st, svc: svc, handler: h, users: map[string]store.User{}, logins: map[string]login{}}
	if opt.empty {
		return e
	}
	hash, err := auth.HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"owner", "issuer", "viewer", "learner"} {
		u, err := st.CreateUser(ctx, store.User{Email: who + "@example.edu", Name: strings.ToUpper(who[:1]) + who[1:] + " Person",
			PasswordHash: hash, IsLearner: who == "learner"})
		if err != nil {
			t.Fatalf("create user: %v", err)
		}
		e.users[who] = u
	}
	e.org, err = svc.CreateOrganization(ctx, store.Organization{Name: "City University", Slug: "city-uni", URL: "https://city.example.edu",
		Email: "registrar@city.example.edu", Country: "DE"}, e.users["owner"].ID, e.users["owner"].ID)
	if err != nil {
		t.Fatalf("create org: %v", err)
	}
	for who, role := range map[string]store.Role{"issuer": store.RoleIssuer, "viewer": store.RoleViewer} {
		if _, err := st.AddMembership(ctx, store.Membership{OrgID: e.org.ID, UserID: e.users[who].ID, Role: role}); err != nil {
			t.Fatal(err)
		}
	}
	for who, u := range e.users {
		e.logins[who] = e.startSession(u.ID)
	}
	n := max(opt.catalogSize, 1)
	var all []catalog.Achievement
	for _, o := range catalog.DemoCatalogAt(testBase) {
		all = append(all, o.Achievements...)
	}
	if n > len(all) {
		t.Fatalf("demo catalog has %d achievements, want %d", len(all), n)
	}
	for i := range n {
		a := all[i]
		a.StacksInto = nil // the larger credentials are not seeded here
		entry, err := svc.SaveAchievement(ctx, e.org.ID, &a, e.users["owner"].ID)
		if err != nil {
			t.Fatalf("save achievement %q: %v", a.Name, err)
		}
		e.seeded = append(e.seeded, &a)
		if i == 0 {
			e.achievementID = entry.Achievement.ID
		}
	}
	if opt.suspension {
		if e.org, err = svc.SetSuspension(ctx, e.org.ID, true, e.users["owner"].ID); err != nil {
			t.Fatal(err)
		}
	}
	c, _, err := svc.Issue(ctx, issue.Request{OrgID: e.org.ID, AchievementID: e.achievementID, RecipientEmail: "learner@example.edu",
		RecipientName: "Learner Person", Notify: true, Actor: e.users["owner"].ID})
	if err != nil {
		t.Fatalf("issue: %v", err)
	}
	e.credUUID = svc.CredentialUUID(c.ID)
	return e
}

// startSession creates a session straight in the store, as a sign-in would.
func (e *env) startSession(userID string) login {
	token, hash := auth.NewToken()
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		e.t.Fatal(err)
	}
	now := time.Now()
	if _, err := e.store.CreateSession(context.Background(), store.Session{ID: hash, UserID: userID, CSRFSecret: secret,
		CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		e.t.Fatalf("create session: %v", err)
	}
	return login{Token: token, CSRF: auth.CSRFToken(secret)}
}

// request describes one request of a scenario.
type request struct {
	method string
	path   string
	form   url.Values
	// body, when set, is sent as is with contentType.
	body        string
	contentType string
	as          string // "" (anonymous), "owner", "issuer", "viewer", "learner"
	noCSRF      bool
	header      map[string]string
	// remote is the peer address ("192.0.2.1:1234" when empty); distinct
	// addresses keep the per-address login limiter out of a test's way.
	remote string
}

// do sends r and returns the recorded response. A signed-in POST carries
// the session's CSRF token unless noCSRF is set.
func (e *env) do(r request) *httptest.ResponseRecorder {
	e.t.Helper()
	var body io.Reader
	ct := r.contentType
	switch {
	case r.body != "":
		body = strings.NewReader(r.body)
	case r.form != nil || r.method == http.MethodPost:
		f := url.Values{}
		for k, v := range r.form {
			f[k] = v
		}
		if r.as != "" && !r.noCSRF {
			f.Set("csrf_token", e.logins[r.as].CSRF)
		}
		body = strings.NewReader(f.Encode())
		ct = "application/x-www-form-urlencoded"
	}
	req := httptest.NewRequest(r.method, r.path, body)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	if r.remote != "" {
		req.RemoteAddr = r.remote
	}
	if r.as != "" {
		l, ok := e.logins[r.as]
		if !ok {
			e.t.Fatalf("no login %q", r.as)
		}
		req.AddCookie(&http.Cookie{Name: "microcred_session", Value: l.Token})
	}
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	return rec
}

func (e *env) countCredentials() int64 {
	e.t.Helper()
	n, err := e.store.CountCredentials(context.Background(), store.CredentialQuery{OrgID: e.org.ID})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// validAchievementForm is a complete catalog form.
func validAchievementForm() url.Values {
	return url.Values{
		"name":                               {"Applied Data Visualisation"},
		"description":                        {"Design honest charts and dashboards for decision makers."},
		"achievementType":                    {"MicroCredential"},
		"criteria.narrative":                 {"Pass the portfolio assessment of three dashboards."},
		"tag":                                {"data, visualisation"},
		"inLanguage":                         {"en"},
		"learningOutcomes":                   {"Choose a chart type for a question\nCritique a dashboard for misleading encodings"},
		"workload.hours":                     {"60"},
		"workload.ects":                      {"2"},
		"eqfLevel":                           {"6"},
		"assessment.type":                    {"portfolio"},
		"assessment.description":             {"Three dashboards reviewed by two assessors."},
		"participation":                      {"online"},
		"qualityAssurance.body":              {"City University Quality Office"},
		"qualityAssurance.description":       {"Internal programme review under the national accreditation framework."},
		"country":                            {"DE"},
		"format":                             {"ldp-rdfc"},
		"creditRecommendations[0].framework": {"ECTS"},
		"creditRecommendations[0].amount":    {"2"},
		"creditRecommendations[0].level":     {"first cycle"},
		"creditRecommendations[0].recommendingBody": {"City University Senate"},
		"skills[0].framework":                       {"O*NET-SOC"},
		"skills[0].ref":                             {"15-2051.00"},
		"skills[0].name":                            {"Data Scientists"},
	}
}

func locationOf(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	loc := rec.Header().Get("Location")
	if loc == "" {
		t.Fatalf("no Location header; status %d body %s", rec.Code, rec.Body.String())
	}
	return loc
}

type httptestRecorder = httptest.ResponseRecorder

// htmlEscape escapes s as html/template does in text.
func htmlEscape(s string) string { return template.HTMLEscapeString(s) }

func itoa(n int) string { return strconv.Itoa(n) }
