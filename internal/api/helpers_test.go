package api

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/microcred/microcred/internal/auth"
	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/store/postgres"
	"github.com/microcred/microcred/internal/store/sqlite"
)

const testBase = "http://127.0.0.1:8080"

// allScopes is every scope, for a client that may do everything.
var allScopes = []string{ScopeCredentialRead, ScopeCredentialUpsert, ScopeProfileRead, ScopeProfileUpdate, ScopeIssue}

// backends lists the databases to run against: SQLite always, PostgreSQL
// when MICROCRED_TEST_POSTGRES is set.
func backends() []string {
	if os.Getenv("MICROCRED_TEST_POSTGRES") != "" {
		return []string{"sqlite", "postgres"}
	}
	return []string{"sqlite"}
}

func openStore(tb testing.TB, backend string) store.Store {
	tb.Helper()
	ctx := context.Background()
	var s store.Store
	var err error
	switch backend {
	case "sqlite":
		s, err = sqlite.Open(ctx, filepath.Join(tb.TempDir(), "microcred.db"))
	case "postgres":
		s, err = openPostgres(tb)
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Error(err)
		}
	})
	if err := s.Migrate(ctx); err != nil {
		tb.Fatal(err)
	}
	return s
}

// openPostgres opens a store in a fresh schema dropped when the test ends.
func openPostgres(tb testing.TB) (store.Store, error) {
	ctx := context.Background()
	base := os.Getenv("MICROCRED_TEST_POSTGRES")
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	schema := "api_" + hex.EncodeToString(rnd[:])
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		return nil, err
	}
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close(ctx)
		return nil, err
	}
	tb.Cleanup(func() {
		if _, err := admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close(ctx)
	})
	u, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return postgres.Open(ctx, u.String())
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is a running API on a real store with one organization, one catalog
// achievement and API clients.
type env struct {
	t     testing.TB
	store store.Store
	svc   *issue.Service
	api   *API
	mux   *http.ServeMux
	clock *clock
	org   store.Organization
	achID string // store id of the organization's achievement
	// secrets of the clients created by addClient, by client id
	secrets map[string]string
}

type envOption func(*Config)

func newEnv(t testing.TB, backend string, didMethod store.DIDMethod, opts ...envOption) *env {
	t.Helper()
	ctx := context.Background()
	s := openStore(t, backend)
	clk := &clock{t: time.Now().UTC().Truncate(time.Second)}
	var master keys.MasterKey
	_, _ = rand.Read(master[:])
	svc := &issue.Service{Store: s, Master: master, BaseURL: testBase, Now: clk.Now}
	demo := catalog.DemoCatalogAt(testBase)[0]
	org, err := svc.CreateOrganization(ctx, store.Organization{
		Slug: demo.Slug, Name: demo.Name, URL: demo.URL, Email: demo.Email, Description: demo.Description,
		Country: demo.Country, DIDMethod: didMethod,
	}, "", "system")
	if err != nil {
		t.Fatalf("create organization: %v", err)
	}
	ach := demo.Achievements[0]
	entry, err := svc.SaveAchievement(ctx, org.ID, &ach, "system")
	if err != nil {
		t.Fatalf("save achievement: %v", err)
	}
	cfg := Config{Store: s, Issuer: svc, BaseURL: testBase, Now: clk.Now}
	for _, o := range opts {
		o(&cfg)
	}
	a := New(cfg)
	mux := http.NewServeMux()
	a.Register(mux)
	e := &env{t: t, store: s, svc: svc, api: a, mux: mux, clock: clk, org: org, achID: entry.Achievement.ID, secrets: map[string]string{}}
	e.addClient("all", org.ID, allScopes...)
	return e
}

// addClient creates an API client with a random secret stored as its
// SHA-256 digest.
func (e *env) addClient(id, orgID string, scopes ...string) {
	e.t.Helper()
	secret, hash := auth.NewToken()
	if _, err := e.store.CreateAPIClient(context.Background(), store.APIClient{
		ClientID: id, SecretHash: hash, OrgID: orgID, Name: "test client " + id, Scopes: scopes,
	}); err != nil {
		e.t.Fatalf("create client: %v", err)
	}
	e.secrets[id] = secret
}

// token obtains a bearer token for client with the given scopes (all of
// the client's when none).
func (e *env) token(client string, scopes ...string) string {
	e.t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}}
	if len(scopes) > 0 {
		form.Set("scope", strings.Join(scopes, " "))
	}
	rec := e.do("POST", "/oauth/token", map[string]string{
		"Content-Type":  "application/x-www-form-urlencoded",
		"Authorization": basic(client, e.secrets[client]),
	}, form.Encode())
	if rec.Code != http.StatusOK {
		e.t.Fatalf("token for %s: %d %s", client, rec.Code, rec.Body)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &tok); err != nil {
		e.t.Fatal(err)
	}
	return tok.AccessToken
}

func basic(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

func bearer(tok string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + tok, "Content-Type": "application/json"}
}

// do sends a request through the mux.
func (e *env) do(method, target string, headers map[string]string, body string) *httptest.ResponseRecorder {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	e.mux.ServeHTTP(rec, req)
	return rec
}

// scenario is one HTTP exchange of a table-driven test.
type scenario struct {
	name    string
	method  string
	url     string
	headers map[string]string
	body    string
	status  int
	// contains lists substrings the response body must contain.
	contains []string
	// header lists response headers that must have these values.
	header map[string]string
	check  func(t *testing.T, rec *httptest.ResponseRecorder)
}

func (e *env) run(t *testing.T, scenarios []scenario) {
	t.Helper()
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			rec := e.do(sc.method, sc.url, sc.headers, sc.body)
			if rec.Code != sc.status {
				t.Fatalf("%s %s: status %d, want %d; body: %s", sc.method, sc.url, rec.Code, sc.status, rec.Body)
			}
			for _, want := range sc.contains {
				if !strings.Contains(rec.Body.String(), want) {
					t.Errorf("body lacks %q: %s", want, rec.Body)
				}
			}
			for k, v := range sc.header {
				if got := rec.Header().Get(k); got != v {
					t.Errorf("header %s = %q, want %q", k, got, v)
				}
			}
			if sc.check != nil {
				sc.check(t, rec)
			}
		})
	}
}

// decode unmarshals a JSON response body.
func decode[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("decode %s: %v", rec.Body, err)
	}
	return v
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// issuerID returns the organization's issuer id.
func (e *env) issuerID() string {
	e.t.Helper()
	id, err := e.svc.IssuerID(context.Background(), e.org)
	if err != nil {
		e.t.Fatal(err)
	}
	return id
}

// vcapiCredential is an unsigned credential in the shape the W3C VC test
// suites send, issued by issuer.
func vcapiCredential(issuer string) map[string]any {
	return map[string]any{
		"@context":          []any{"https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"},
		"type":              []any{"VerifiableCredential"},
		"issuer":            issuer,
		"credentialSubject": map[string]any{"id": "did:example:ebfeb1f712ebc6f1c276e12ec21"},
	}
}
