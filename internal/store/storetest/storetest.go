package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/store"
)

// Run runs the conformance suite. open must return a new, migrated, empty
// store for each call.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"MigrateIdempotent", testMigrateIdempotent},
		{"Organizations", testOrganizations},
		{"Users", testUsers},
		{"Memberships", testMemberships},
		{"Sessions", testSessions},
		{"Invitations", testInvitations},
		{"Accounts", testAccounts},
		{"Evidence", testEvidence},
		{"Analytics", testAnalytics},
		{"Wallet", testWallet},
		{"APIClientsAndTokens", testAPIClients},
		{"SigningKeys", testSigningKeys},
		{"Achievements", testAchievements},
		{"CatalogSearch", testCatalogSearch},
		{"Credentials", testCredentials},
		{"Idempotency", testIdempotency},
		{"SharedParts", testSharedParts},
		{"CredentialQueries", testCredentialQueries},
		{"CredentialSearch", testCredentialSearch},
		{"Expiries", testExpiries},
		{"RollupsMonthly", testRollupsMonthly},
		{"TxRollback", testTxRollback},
		{"ConcurrentIssuance", testConcurrentIssuance},
		{"ConcurrentVersions", testConcurrentVersions},
		{"MailOutbox", testMailOutbox},
		{"AuditLog", testAuditLog},
		{"Status", testStatus},
		{"BulkJobs", testBulkJobs},
		{"StatusConcurrent", testStatusConcurrent},
		{"OAuthClients", testOAuthClients}, {"OAuthCodes", testOAuthCodes}, {"OAuthRefreshAndGrants", testOAuthRefreshAndGrants},
		{"LogAppend", testLogAppend}, {"LogConcurrentAppend", testLogConcurrentAppend}, {"LogCheckpoints", testLogCheckpoints},
		{"PathwayDefinitions", testPathwayDefinitions}, {"PathwayProgress", testPathwayProgress}, {"CredentialFacts", testCredentialFacts},
		{"Endorsements", testEndorsements},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

// result holds a call's value and error, so that a test can write
// try(s.Method(...)).must(t).
type result[T any] struct {
	v   T
	err error
}

func try[T any](v T, err error) result[T] { return result[T]{v, err} }

// must fails the test on the error and returns the value.
func (r result[T]) must(t testing.TB) T {
	t.Helper()
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.v
}

// need fails the test on err.
func need(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantErr checks that err matches kind (nil meaning success).
func wantErr(t testing.TB, what string, err, kind error) {
	t.Helper()
	switch {
	case kind == nil && err != nil:
		t.Errorf("%s: unexpected error %v", what, err)
	case kind != nil && !errors.Is(err, kind):
		t.Errorf("%s: error %v, want %v", what, err, kind)
	}
}

func digest(s string) []byte {
	d := sha256.Sum256([]byte(s))
	return d[:]
}

// sameJSON reports whether a and b are equal JSON values.
func sameJSON(t testing.TB, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatalf("unmarshal %s: %v", a, err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatalf("unmarshal %s: %v", b, err)
	}
	return reflect.DeepEqual(x, y)
}

// fixture creates an organization and an achievement to issue under.
type fixture struct {
	org store.Organization
	ach store.CatalogEntry
}

func newFixture(t testing.TB, s store.Store, slug string) fixture {
	t.Helper()
	ctx := context.Background()
	org := try(s.CreateOrganization(ctx, store.Organization{Slug: slug, Name: "Org " + slug})).must(t)
	ach := try(s.CreateAchievement(ctx, store.Achievement{OrgID: org.ID, Slug: "course"},
		store.AchievementVersion{Name: "Course", Document: json.RawMessage(`{"name":"Course"}`)})).must(t)
	return fixture{org: org, ach: ach}
}

func (f fixture) credential(id string) store.Credential {
	return store.Credential{
		ID:                 id,
		OrgID:              f.org.ID,
		AchievementID:      f.ach.Achievement.ID,
		AchievementVersion: f.ach.Achievement.CurrentVersion,
		RecipientEmail:     "learner@example.org",
		RecipientName:      "Learner",
		Format:             store.FormatLDPRDFC,
		Document:           `{"id":"` + id + `","proof":{}}`,
		IssuedAt:           time.Now(),
	}
}

func testMigrateIdempotent(t *testing.T, s store.Store) {
	ctx := context.Background()
	for i := range 2 {
		if err := s.Migrate(ctx); err != nil {
			t.Fatalf("migrate again (%d): %v", i, err)
		}
	}
	// Concurrent migrations must also be safe (advisory lock on PostgreSQL,
	// the single writer on SQLite).
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Go(func() { errs <- s.Migrate(ctx) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent migrate: %v", err)
		}
	}
	try(s.CreateOrganization(ctx, store.Organization{Slug: "after-migrate", Name: "x"})).must(t)
}

func testOrganizations(t *testing.T, s store.Store) {
	ctx := context.Background()
	o := try(s.CreateOrganization(ctx, store.Organization{
		Slug: "uni-a", Name: "University A", URL: "https://a.example", Email: "reg@a.example",
		Description: "A university", ImageURL: "https://a.example/logo.png", Country: "FI",
	})).must(t)
	if o.ID == "" || o.CreatedAt.IsZero() || o.DIDMethod != store.DIDWeb {
		t.Fatalf("create did not fill defaults: %+v", o)
	}
	if got := try(s.Organization(ctx, o.ID)).must(t); !reflect.DeepEqual(got, o) {
		t.Errorf("Organization = %+v, want %+v", got, o)
	}
	if got := try(s.OrganizationBySlug(ctx, "uni-a")).must(t); got.ID != o.ID {
		t.Errorf("OrganizationBySlug = %+v", got)
	}
	o.Name, o.DIDMethod, o.Country, o.Suspension = "University A (renamed)", store.DIDKey, "SE", true
	if err := s.UpdateOrganization(ctx, o); err != nil {
		t.Fatal(err)
	}
	if got := try(s.Organization(ctx, o.ID)).must(t); !reflect.DeepEqual(got, o) {
		t.Errorf("after update = %+v, want %+v", got, o)
	}
	b := try(s.CreateOrganization(ctx, store.Organization{Slug: "b-org", Name: "B"})).must(t)
	list := try(s.ListOrganizations(ctx)).must(t)
	if len(list) != 2 || list[0].ID != b.ID || list[1].ID != o.ID {
		t.Errorf("ListOrganizations = %+v, want B then University A", list)
	}

	cases := []struct {
		name string
		err  error
		kind error
	}{
		{"duplicate slug", second(s.CreateOrganization(ctx, store.Organization{Slug: "uni-a", Name: "Other"})), store.ErrConflict},
		{"duplicate id", second(s.CreateOrganization(ctx, store.Organization{ID: o.ID, Slug: "fresh", Name: "Other"})), store.ErrConflict},
		{"bad slug", second(s.CreateOrganization(ctx, store.Organization{Slug: "Bad Slug", Name: "x"})), store.ErrInvalid},
		{"slug with leading dash", second(s.CreateOrganization(ctx, store.Organization{Slug: "-x", Name: "x"})), store.ErrInvalid},
		{"missing name", second(s.CreateOrganization(ctx, store.Organization{Slug: "noname"})), store.ErrInvalid},
		{"bad DID method", second(s.CreateOrganization(ctx, store.Organization{Slug: "m", Name: "x", DIDMethod: "ion"})), store.ErrInvalid},
		{"unknown id", second(s.Organization(ctx, "nope")), store.ErrNotFound},
		{"unknown slug", second(s.OrganizationBySlug(ctx, "nope")), store.ErrNotFound},
		{"update unknown", s.UpdateOrganization(ctx, store.Organization{ID: "nope", Slug: "nope", Name: "x"}), store.ErrNotFound},
		{"update to taken slug", s.UpdateOrganization(ctx, store.Organization{ID: b.ID, Slug: "uni-a", Name: "B"}), store.ErrConflict},
	}
	for _, c := range cases {
		wantErr(t, c.name, c.err, c.kind)
	}
}

// second returns the error of a two-result call.
func second[T any](_ T, err error) error { return err }

func testUsers(t *testing.T, s store.Store) {
	ctx := context.Background()
	u := try(s.CreateUser(ctx, store.User{Email: "Ada@Example.org", Name: "Ada", PasswordHash: "$argon2id$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA", IsLearner: true})).must(t)
	if got := try(s.User(ctx, u.ID)).must(t); !reflect.DeepEqual(got, u) {
		t.Errorf("User = %+v, want %+v", got, u)
	}
	for _, email := range []string{"ada@example.org", "ADA@EXAMPLE.ORG", " Ada@Example.org "} {
		if got, err := s.UserByEmail(ctx, email); err != nil || got.ID != u.ID {
			t.Errorf("UserByEmail(%q) = %+v, %v", email, got, err)
		}
	}
	wantErr(t, "same email other case", second(s.CreateUser(ctx, store.User{Email: "ADA@example.ORG"})), store.ErrConflict)
	wantErr(t, "bad email", second(s.CreateUser(ctx, store.User{Email: "nobody"})), store.ErrInvalid)
	wantErr(t, "unknown user", second(s.User(ctx, "nope")), store.ErrNotFound)
	wantErr(t, "unknown email", second(s.UserByEmail(ctx, "x@y.z")), store.ErrNotFound)

	u.Name, u.Email, u.IsLearner = "Ada L.", "ada.l@example.org", false
	need(t, s.UpdateUser(ctx, u))
	if got := try(s.UserByEmail(ctx, "ADA.L@example.org")).must(t); !reflect.DeepEqual(got, u) {
		t.Errorf("after update = %+v, want %+v", got, u)
	}
	wantErr(t, "update unknown", s.UpdateUser(ctx, store.User{ID: "nope", Email: "a@b.c"}), store.ErrNotFound)
	other := try(s.CreateUser(ctx, store.User{Email: "other@example.org"})).must(t)
	other.Email = "ADA.L@EXAMPLE.ORG"
	wantErr(t, "update to taken email", s.UpdateUser(ctx, other), store.ErrConflict)

	// Deleting a user removes sessions and memberships and unlinks credentials.
	f := newFixture(t, s, "del-org")
	try(s.AddMembership(ctx, store.Membership{OrgID: f.org.ID, UserID: u.ID, Role: store.RoleIssuer})).must(t)
	try(s.CreateSession(ctx, store.Session{ID: digest("tok"), UserID: u.ID, CSRFSecret: []byte("c"), ExpiresAt: time.Now().Add(time.Hour)})).must(t)
	c := f.credential("urn:uuid:del-1")
	c.LearnerID = u.ID
	try3(s.InsertCredential(ctx, c)).must(t)
	need(t, s.DeleteUser(ctx, u.ID))
	wantErr(t, "deleted user", second(s.User(ctx, u.ID)), store.ErrNotFound)
	wantErr(t, "membership of deleted user", second(s.Membership(ctx, f.org.ID, u.ID)), store.ErrNotFound)
	wantErr(t, "session of deleted user", second(s.Session(ctx, digest("tok"))), store.ErrNotFound)
	if got := try(s.Credential(ctx, c.ID)).must(t); got.LearnerID != "" {
		t.Errorf("credential still linked to deleted user: %q", got.LearnerID)
	}
	wantErr(t, "delete again", s.DeleteUser(ctx, u.ID), store.ErrNotFound)
}

// result3 is result for InsertCredential's three results.
type result3[T any] struct {
	v       T
	existed bool
	err     error
}

func try3[T any](v T, existed bool, err error) result3[T] { return result3[T]{v, existed, err} }

// must fails the test on the error and returns the value and flag.
func (r result3[T]) must(t testing.TB) (T, bool) {
	t.Helper()
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.v, r.existed
}

func testMemberships(t *testing.T, s store.Store) {
	ctx := context.Background()
	org := try(s.CreateOrganization(ctx, store.Organization{Slug: "m-org", Name: "M"})).must(t)
	org2 := try(s.CreateOrganization(ctx, store.Organization{Slug: "m-org2", Name: "M2"})).must(t)
	u1 := try(s.CreateUser(ctx, store.User{Email: "u1@example.org"})).must(t)
	u2 := try(s.CreateUser(ctx, store.User{Email: "u2@example.org"})).must(t)
	t0 := time.Now().Add(-time.Minute)
	m1 := try(s.AddMembership(ctx, store.Membership{OrgID: org.ID, UserID: u1.ID, Role: store.RoleOwner, CreatedAt: t0})).must(t)
	try(s.AddMembership(ctx, store.Membership{OrgID: org.ID, UserID: u2.ID, Role: store.RoleViewer})).must(t)
	try(s.AddMembership(ctx, store.Membership{OrgID: org2.ID, UserID: u1.ID, Role: store.RoleReviewer})).must(t)
	if got := try(s.Membership(ctx, org.ID, u1.ID)).must(t); !reflect.DeepEqual(got, m1) {
		t.Errorf("Membership = %+v, want %+v", got, m1)
	}
	need(t, s.SetMembershipRole(ctx, org.ID, u2.ID, store.RoleIssuer))
	if got := try(s.Membership(ctx, org.ID, u2.ID)).must(t); got.Role != store.RoleIssuer {
		t.Errorf("role after SetMembershipRole = %q", got.Role)
	}
	members := try(s.ListOrgMembers(ctx, org.ID)).must(t)
	if len(members) != 2 || members[0].UserID != u1.ID || members[1].UserID != u2.ID {
		t.Errorf("ListOrgMembers = %+v", members)
	}
	if ms := try(s.ListUserMemberships(ctx, u1.ID)).must(t); len(ms) != 2 {
		t.Errorf("ListUserMemberships = %+v, want 2", ms)
	}
	cases := []struct {
		name string
		err  error
		kind error
	}{
		{"duplicate", second(s.AddMembership(ctx, store.Membership{OrgID: org.ID, UserID: u1.ID, Role: store.RoleViewer})), store.ErrConflict},
		{"unknown role", second(s.AddMembership(ctx, store.Membership{OrgID: org2.ID, UserID: u2.ID, Role: "admin"})), store.ErrInvalid},
		{"unknown user", second(s.AddMembership(ctx, store.Membership{OrgID: org.ID, UserID: "nope", Role: store.RoleViewer})), store.ErrConflict},
		{"unknown org", second(s.AddMembership(ctx, store.Membership{OrgID: "nope", UserID: u2.ID, Role: store.RoleViewer})), store.ErrConflict},
		{"set role unknown membership", s.SetMembershipRole(ctx, org2.ID, u2.ID, store.RoleViewer), store.ErrNotFound},
		{"set bad role", s.SetMembershipRole(ctx, org.ID, u2.ID, "root"), store.ErrInvalid},
		{"remove", s.RemoveMembership(ctx, org.ID, u2.ID), nil},
		{"remove again", s.RemoveMembership(ctx, org.ID, u2.ID), store.ErrNotFound},
		{"get removed", second(s.Membership(ctx, org.ID, u2.ID)), store.ErrNotFound},
	}
	for _, c := range cases {
		wantErr(t, c.name, c.err, c.kind)
	}
}

func testSessions(t *testing.T, s store.Store) {
	ctx := context.Background()
	u := try(s.CreateUser(ctx, store.User{Email: "s@example.org"})).must(t)
	now := time.Now()
	live := try(s.CreateSession(ctx, store.Session{ID: digest("live"), UserID: u.ID, CSRFSecret: []byte("csrf-1"), ExpiresAt: now.Add(time.Hour)})).must(t)
	try(s.CreateSession(ctx, store.Session{ID: digest("old"), UserID: u.ID, CSRFSecret: []byte("csrf-2"), CreatedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Hour)})).must(t)
	try(s.CreateSession(ctx, store.Session{ID: digest("live2"), UserID: u.ID, CSRFSecret: []byte("csrf-3"), ExpiresAt: now.Add(2 * time.Hour)})).must(t)

	if got := try(s.Session(ctx, digest("live"))).must(t); !reflect.DeepEqual(got, live) {
		t.Errorf("Session = %+v, want %+v", got, live)
	}
	wantErr(t, "expired session", second(s.Session(ctx, digest("old"))), store.ErrNotFound)
	wantErr(t, "unknown session", second(s.Session(ctx, digest("nope"))), store.ErrNotFound)
	wantErr(t, "duplicate id", second(s.CreateSession(ctx, store.Session{ID: digest("live"), UserID: u.ID, CSRFSecret: []byte("x"), ExpiresAt: now.Add(time.Hour)})), store.ErrConflict)
	wantErr(t, "raw token as id", second(s.CreateSession(ctx, store.Session{ID: []byte("short-token"), UserID: u.ID, ExpiresAt: now.Add(time.Hour)})), store.ErrInvalid)
	wantErr(t, "no expiry", second(s.CreateSession(ctx, store.Session{ID: digest("e"), UserID: u.ID})), store.ErrInvalid)
	wantErr(t, "unknown user", second(s.CreateSession(ctx, store.Session{ID: digest("u"), UserID: "nope", CSRFSecret: []byte("x"), ExpiresAt: now.Add(time.Hour)})), store.ErrConflict)

	if n := try(s.DeleteExpiredSessions(ctx, now)).must(t); n != 1 {
		t.Errorf("DeleteExpiredSessions removed %d, want 1", n)
	}
	if n := try(s.DeleteExpiredSessions(ctx, now)).must(t); n != 0 {
		t.Errorf("second DeleteExpiredSessions removed %d, want 0", n)
	}
	need(t, s.DeleteSession(ctx, digest("live")))
	wantErr(t, "deleted session", second(s.Session(ctx, digest("live"))), store.ErrNotFound)
	wantErr(t, "delete again", s.DeleteSession(ctx, digest("live")), store.ErrNotFound)
	if n := try(s.DeleteUserSessions(ctx, u.ID)).must(t); n != 1 {
		t.Errorf("DeleteUserSessions removed %d, want 1", n)
	}
}

func testAPIClients(t *testing.T, s store.Store) {
	ctx := context.Background()
	org := try(s.CreateOrganization(ctx, store.Organization{Slug: "api-org", Name: "API"})).must(t)
	scopes := []string{"https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly", "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.upsert"}
	c := try(s.CreateAPIClient(ctx, store.APIClient{SecretHash: digest("secret"), OrgID: org.ID, Name: "LMS", Scopes: scopes})).must(t)
	if got := try(s.APIClient(ctx, c.ClientID)).must(t); !reflect.DeepEqual(got, c) {
		t.Errorf("APIClient = %+v, want %+v", got, c)
	}
	c2 := try(s.CreateAPIClient(ctx, store.APIClient{ClientID: "fixed-id", SecretHash: digest("s2"), OrgID: org.ID, Name: "No scopes"})).must(t)
	if list := try(s.ListAPIClients(ctx, org.ID)).must(t); len(list) != 2 {
		t.Errorf("ListAPIClients = %+v", list)
	}
	wantErr(t, "duplicate client id", second(s.CreateAPIClient(ctx, store.APIClient{ClientID: "fixed-id", SecretHash: digest("x"), OrgID: org.ID})), store.ErrConflict)
	wantErr(t, "scope with space", second(s.CreateAPIClient(ctx, store.APIClient{SecretHash: digest("x"), OrgID: org.ID, Scopes: []string{"a b"}})), store.ErrInvalid)
	wantErr(t, "unknown org", second(s.CreateAPIClient(ctx, store.APIClient{SecretHash: digest("x"), OrgID: "nope"})), store.ErrConflict)
	wantErr(t, "unknown client", second(s.APIClient(ctx, "nope")), store.ErrNotFound)

	now := time.Now()
	tok := try(s.CreateAccessToken(ctx, store.AccessToken{Hash: digest("t1"), ClientID: c.ClientID, Scopes: scopes[:1], ExpiresAt: now.Add(time.Hour)})).must(t)
	try(s.CreateAccessToken(ctx, store.AccessToken{Hash: digest("t2"), ClientID: c.ClientID, ExpiresAt: now.Add(-time.Second)})).must(t)
	try(s.CreateAccessToken(ctx, store.AccessToken{Hash: digest("t3"), ClientID: c2.ClientID, ExpiresAt: now.Add(time.Hour)})).must(t)
	if got := try(s.AccessToken(ctx, digest("t1"))).must(t); !reflect.DeepEqual(got, tok) {
		t.Errorf("AccessToken = %+v, want %+v", got, tok)
	}
	wantErr(t, "expired token", second(s.AccessToken(ctx, digest("t2"))), store.ErrNotFound)
	wantErr(t, "token of unknown client", second(s.CreateAccessToken(ctx, store.AccessToken{Hash: digest("t4"), ClientID: "nope", ExpiresAt: now.Add(time.Hour)})), store.ErrConflict)
	if n := try(s.DeleteExpiredAccessTokens(ctx, now)).must(t); n != 1 {
		t.Errorf("DeleteExpiredAccessTokens = %d, want 1", n)
	}
	need(t, s.DeleteAccessToken(ctx, digest("t3")))
	wantErr(t, "revoked token", second(s.AccessToken(ctx, digest("t3"))), store.ErrNotFound)
	need(t, s.DeleteAPIClient(ctx, c.ClientID))
	wantErr(t, "token of deleted client", second(s.AccessToken(ctx, digest("t1"))), store.ErrNotFound)
	wantErr(t, "delete client again", s.DeleteAPIClient(ctx, c.ClientID), store.ErrNotFound)
}

func testSigningKeys(t *testing.T, s store.Store) {
	ctx := context.Background()
	org := try(s.CreateOrganization(ctx, store.Organization{Slug: "key-org", Name: "K"})).must(t)
	wantErr(t, "no key yet", second(s.ActiveSigningKey(ctx, org.ID)), store.ErrNotFound)
	t0 := time.Now().Add(-time.Hour)
	k1 := try(s.CreateSigningKey(ctx, store.SigningKey{OrgID: org.ID, VerificationMethod: "did:web:k.example#key-1",
		PublicKeyMultibase: "z6MkOne", SealedPrivateKey: []byte{1, 2, 3}, Suite: "eddsa-rdfc-2022", CreatedAt: t0})).must(t)
	if got := try(s.SigningKey(ctx, k1.ID)).must(t); !reflect.DeepEqual(got, k1) {
		t.Errorf("SigningKey = %+v, want %+v", got, k1)
	}
	k2 := try(s.CreateSigningKey(ctx, store.SigningKey{OrgID: org.ID, VerificationMethod: "did:web:k.example#key-2",
		PublicKeyMultibase: "z6MkTwo", SealedPrivateKey: []byte{4, 5, 6}, Suite: "eddsa-jcs-2022"})).must(t)
	if got := try(s.ActiveSigningKey(ctx, org.ID)).must(t); got.ID != k2.ID {
		t.Errorf("ActiveSigningKey = %s, want newest %s", got.ID, k2.ID)
	}
	retired := time.Now()
	need(t, s.RetireSigningKey(ctx, k2.ID, retired))
	if got := try(s.ActiveSigningKey(ctx, org.ID)).must(t); got.ID != k1.ID {
		t.Errorf("ActiveSigningKey after retiring k2 = %s, want %s", got.ID, k1.ID)
	}
	need(t, s.RetireSigningKey(ctx, k2.ID, retired.Add(time.Hour)))
	got := try(s.SigningKeyByVerificationMethod(ctx, "did:web:k.example#key-2")).must(t)
	if got.RetiredAt == nil || !got.RetiredAt.Equal(retired.UTC().Truncate(time.Microsecond)) {
		t.Errorf("retired key RetiredAt = %v, want first retirement %v", got.RetiredAt, retired)
	}
	need(t, s.RetireSigningKey(ctx, k1.ID, retired))
	wantErr(t, "all retired", second(s.ActiveSigningKey(ctx, org.ID)), store.ErrNotFound)
	if list := try(s.ListSigningKeys(ctx, org.ID)).must(t); len(list) != 2 || list[0].ID != k1.ID || list[1].ID != k2.ID {
		t.Errorf("ListSigningKeys = %+v, want both keys, oldest first", list)
	}
	wantErr(t, "duplicate verification method", second(s.CreateSigningKey(ctx, store.SigningKey{OrgID: org.ID,
		VerificationMethod: "did:web:k.example#key-1", PublicKeyMultibase: "z", SealedPrivateKey: []byte{1}})), store.ErrConflict)
	wantErr(t, "missing sealed key", second(s.CreateSigningKey(ctx, store.SigningKey{OrgID: org.ID,
		VerificationMethod: "did:web:k.example#key-3", PublicKeyMultibase: "z"})), store.ErrInvalid)
	wantErr(t, "retire unknown", s.RetireSigningKey(ctx, "nope", retired), store.ErrNotFound)
	wantErr(t, "unknown vm", second(s.SigningKeyByVerificationMethod(ctx, "did:web:nope#1")), store.ErrNotFound)
}

func testAchievements(t *testing.T, s store.Store) {
	ctx := context.Background()
	org := try(s.CreateOrganization(ctx, store.Organization{Slug: "cat-org", Name: "Catalog"})).must(t)
	org2 := try(s.CreateOrganization(ctx, store.Organization{Slug: "cat-org2", Name: "Catalog 2"})).must(t)
	doc1 := json.RawMessage(`{"type":["Achievement"],"name":"Data Basics","criteria":{"narrative":"Pass the exam"},"ects":5}`)
	e := try(s.CreateAchievement(ctx, store.Achievement{OrgID: org.ID, Slug: "data-basics"}, store.AchievementVersion{
		Document: doc1, Name: "Data Basics", Description: "Intro", EQFLevel: 5, NSQFLevel: 5, ECTS: 5,
		CreditFrameworks: []string{"ECTS", "NCrF", "ECTS"}, Skills: []string{"http://data.europa.eu/esco/skill/s1", "15-2051.00"},
	})).must(t)
	if e.Achievement.CurrentVersion != 1 || e.Version.Version != 1 || e.Version.AchievementID != e.Achievement.ID {
		t.Fatalf("CreateAchievement = %+v", e)
	}
	if !reflect.DeepEqual(e.Version.CreditFrameworks, []string{"ECTS", "NCrF"}) {
		t.Errorf("frameworks not de-duplicated in order: %v", e.Version.CreditFrameworks)
	}
	v1 := try(s.AchievementVersion(ctx, e.Achievement.ID, 1)).must(t)
	if !sameJSON(t, v1.Document, doc1) {
		t.Errorf("document = %s, want %s", v1.Document, doc1)
	}
	v1.Document = e.Version.Document
	if !reflect.DeepEqual(v1, e.Version) {
		t.Errorf("AchievementVersion = %+v, want %+v", v1, e.Version)
	}
	v2 := try(s.AddAchievementVersion(ctx, e.Achievement.ID, store.AchievementVersion{
		Document: json.RawMessage(`{"name":"Data Basics 2"}`), Name: "Data Basics", EQFLevel: 6, Skills: []string{"http://data.europa.eu/esco/skill/s2"},
	})).must(t)
	if v2.Version != 2 {
		t.Errorf("second version number = %d", v2.Version)
	}
	a := try(s.Achievement(ctx, e.Achievement.ID)).must(t)
	if a.CurrentVersion != 2 || a.UpdatedAt.Before(a.CreatedAt) {
		t.Errorf("after AddAchievementVersion: %+v", a)
	}
	if got := try(s.AchievementBySlug(ctx, org.ID, "data-basics")).must(t); got.ID != a.ID {
		t.Errorf("AchievementBySlug = %+v", got)
	}
	vs := try(s.ListAchievementVersions(ctx, a.ID)).must(t)
	if len(vs) != 2 || vs[0].Version != 1 || vs[1].Version != 2 || vs[0].EQFLevel != 5 || vs[1].EQFLevel != 6 ||
		!reflect.DeepEqual(vs[1].Skills, []string{"http://data.europa.eu/esco/skill/s2"}) || vs[1].CreditFrameworks != nil {
		t.Errorf("ListAchievementVersions = %+v", vs)
	}
	// Without a slug, and the same slug in another organization, are fine.
	try(s.CreateAchievement(ctx, store.Achievement{OrgID: org.ID}, store.AchievementVersion{Name: "N", Document: json.RawMessage(`{}`)})).must(t)
	try(s.CreateAchievement(ctx, store.Achievement{OrgID: org.ID}, store.AchievementVersion{Name: "N2", Document: json.RawMessage(`{}`)})).must(t)
	try(s.CreateAchievement(ctx, store.Achievement{OrgID: org2.ID, Slug: "data-basics"}, store.AchievementVersion{Name: "N", Document: json.RawMessage(`{}`)})).must(t)

	good := store.AchievementVersion{Name: "X", Document: json.RawMessage(`{}`)}
	cases := []struct {
		name string
		err  error
		kind error
	}{
		{"duplicate slug in org", second(s.CreateAchievement(ctx, store.Achievement{OrgID: org.ID, Slug: "data-basics"}, good)), store.ErrConflict},
		{"unknown org", second(s.CreateAchievement(ctx, store.Achievement{OrgID: "nope"}, good)), store.ErrConflict},
		{"bad slug", second(s.CreateAchievement(ctx, store.Achievement{OrgID: org.ID, Slug: "A B"}, good)), store.ErrInvalid},
		{"bad JSON", second(s.CreateAchievement(ctx, store.Achievement{OrgID: org.ID}, store.AchievementVersion{Name: "X", Document: json.RawMessage(`{`)})), store.ErrInvalid},
		{"EQF 9", second(s.CreateAchievement(ctx, store.Achievement{OrgID: org.ID}, store.AchievementVersion{Name: "X", Document: json.RawMessage(`{}`), EQFLevel: 9})), store.ErrInvalid},
		{"no name", second(s.AddAchievementVersion(ctx, a.ID, store.AchievementVersion{Document: json.RawMessage(`{}`)})), store.ErrInvalid},
		{"version of unknown", second(s.AddAchievementVersion(ctx, "nope", good)), store.ErrNotFound},
		{"unknown achievement", second(s.Achievement(ctx, "nope")), store.ErrNotFound},
		{"unknown slug", second(s.AchievementBySlug(ctx, org.ID, "nope")), store.ErrNotFound},
		{"unknown version", second(s.AchievementVersion(ctx, a.ID, 3)), store.ErrNotFound},
	}
	for _, c := range cases {
		wantErr(t, c.name, c.err, c.kind)
	}
	// Failed creates leave nothing half-written.
	if list := try(s.SearchAchievements(ctx, store.AchievementQuery{OrgID: org.ID})).must(t); len(list) != 3 {
		t.Errorf("catalog of org has %d entries after failed creates, want 3", len(list))
	}
}

func testCatalogSearch(t *testing.T, s store.Store) {
	ctx := context.Background()
	uni := try(s.CreateOrganization(ctx, store.Organization{Slug: "uni", Name: "Uni"})).must(t)
	mooc := try(s.CreateOrganization(ctx, store.Organization{Slug: "mooc", Name: "MOOC"})).must(t)
	type item struct {
		org   string
		name  string
		desc  string
		eqf   int
		nsqf  int
		fws   []string
		skill []string
	}
	items := []item{
		{uni.ID, "Applied Statistics", "Regression and inference", 6, 0, []string{"ECTS"}, []string{"esco:stats", "15-2041.00"}},
		{uni.ID, "Cloud Security", "Securing 100% of workloads", 7, 0, []string{"ECTS"}, []string{"esco:security"}},
		{mooc.ID, "Python for Data", "Pandas, NumPy_basics", 4, 4, []string{"ACE", "NCrF"}, []string{"esco:python", "esco:stats"}},
		{mooc.ID, "Übersicht Datenbanken", "SQL", 5, 5, []string{"NCrF"}, nil},
	}
	ids := map[string]string{}
	for _, it := range items {
		e := try(s.CreateAchievement(ctx, store.Achievement{OrgID: it.org}, store.AchievementVersion{
			Name: it.name, Description: it.desc, Document: json.RawMessage(`{"name":` + fmt.Sprintf("%q", it.name) + `}`),
			EQFLevel: it.eqf, NSQFLevel: it.nsqf, CreditFrameworks: it.fws, Skills: it.skill,
		})).must(t)
		ids[e.Achievement.ID] = it.name
	}
	// A later version that no longer teaches esco:security: search sees only
	// current versions.
	var cloudID string
	for id, n := range ids {
		if n == "Cloud Security" {
			cloudID = id
		}
	}
	try(s.AddAchievementVersion(ctx, cloudID, store.AchievementVersion{Name: "Cloud Security", Description: "Securing 100% of workloads", Document: json.RawMessage(`{}`),
		EQFLevel: 7, CreditFrameworks: []string{"ECTS"}, Skills: []string{"esco:cloud"}})).must(t)

	cases := []struct {
		name string
		q    store.AchievementQuery
		want []string
	}{
		{"all", store.AchievementQuery{}, []string{"Applied Statistics", "Cloud Security", "Python for Data", "Übersicht Datenbanken"}},
		{"provider", store.AchievementQuery{OrgID: mooc.ID}, []string{"Python for Data", "Übersicht Datenbanken"}},
		{"text in name, any case", store.AchievementQuery{Text: "STATIST"}, []string{"Applied Statistics"}},
		{"text in description", store.AchievementQuery{Text: "inference"}, []string{"Applied Statistics"}},
		{"non-ASCII case folding", store.AchievementQuery{Text: "übersicht"}, []string{"Übersicht Datenbanken"}},
		{"percent is literal", store.AchievementQuery{Text: "100%"}, []string{"Cloud Security"}},
		{"underscore is literal", store.AchievementQuery{Text: "y_b"}, []string{"Python for Data"}},
		{"wildcard does not match", store.AchievementQuery{Text: "a%s"}, nil},
		{"EQF", store.AchievementQuery{EQFLevel: 6}, []string{"Applied Statistics"}},
		{"NSQF", store.AchievementQuery{NSQFLevel: 4}, []string{"Python for Data"}},
		{"skill URI", store.AchievementQuery{Skill: "esco:stats"}, []string{"Applied Statistics", "Python for Data"}},
		{"skill code", store.AchievementQuery{Skill: "15-2041.00"}, []string{"Applied Statistics"}},
		{"skill only in old version", store.AchievementQuery{Skill: "esco:security"}, nil},
		{"skill in current version", store.AchievementQuery{Skill: "esco:cloud"}, []string{"Cloud Security"}},
		{"credit framework", store.AchievementQuery{CreditFramework: "NCrF"}, []string{"Python for Data", "Übersicht Datenbanken"}},
		{"combined", store.AchievementQuery{OrgID: uni.ID, CreditFramework: "ECTS", Skill: "esco:stats"}, []string{"Applied Statistics"}},
		{"no match", store.AchievementQuery{OrgID: uni.ID, CreditFramework: "ACE"}, nil},
		{"limit", store.AchievementQuery{Limit: 2}, []string{"Applied Statistics", "Cloud Security"}},
		{"offset", store.AchievementQuery{Limit: 2, Offset: 3}, []string{"Übersicht Datenbanken"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := try(s.SearchAchievements(ctx, c.q)).must(t)
			var names []string
			for _, e := range got {
				names = append(names, e.Version.Name)
				if e.Version.Version != e.Achievement.CurrentVersion {
					t.Errorf("%s: returned version %d, current is %d", e.Version.Name, e.Version.Version, e.Achievement.CurrentVersion)
				}
			}
			if !reflect.DeepEqual(names, c.want) {
				t.Errorf("got %q, want %q", names, c.want)
			}
		})
	}
	// Skills and frameworks come back with search results.
	got := try(s.SearchAchievements(ctx, store.AchievementQuery{Text: "python"})).must(t)
	if len(got) != 1 || !reflect.DeepEqual(got[0].Version.Skills, []string{"esco:python", "esco:stats"}) ||
		!reflect.DeepEqual(got[0].Version.CreditFrameworks, []string{"ACE", "NCrF"}) || got[0].Version.EQFLevel != 4 {
		t.Errorf("search result = %+v", got)
	}
}

func testCredentials(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s, "cred-org")
	learner := try(s.CreateUser(ctx, store.User{Email: "learner@example.org", IsLearner: true})).must(t)
	until := time.Now().AddDate(1, 0, 0)
	c := f.credential("urn:uuid:0b6f1e2a-0000-4000-8000-000000000001")
	// Byte-exact storage matters: whitespace and key order are part of what
	// a JCS or JWT proof covers.
	c.Document = "{\"b\": 1,  \"a\":\"\u00e9\\u00e9\",\n\"proof\":{}}"
	c.LearnerID, c.ValidUntil, c.Format = learner.ID, &until, store.FormatLDPJCS
	stored, existed := try3(s.InsertCredential(ctx, c)).must(t)
	if existed {
		t.Error("fresh insert reported existed")
	}
	got := try(s.Credential(ctx, c.ID)).must(t)
	if got.Document != c.Document {
		t.Errorf("document changed in storage:\n got %q\nwant %q", got.Document, c.Document)
	}
	if !reflect.DeepEqual(got, stored) {
		t.Errorf("Credential = %+v\nwant %+v", got, stored)
	}
	if !got.ValidFrom.Equal(got.IssuedAt) {
		t.Errorf("ValidFrom %v did not default to IssuedAt %v", got.ValidFrom, got.IssuedAt)
	}

	// A credential records the achievement version it was issued under.
	v2 := try(s.AddAchievementVersion(ctx, f.ach.Achievement.ID, store.AchievementVersion{Name: "Course v2", Document: json.RawMessage(`{}`)})).must(t)
	c2 := f.credential("urn:uuid:second")
	c2.AchievementVersion = v2.Version
	c2.Replaces = c.ID
	try3(s.InsertCredential(ctx, c2)).must(t)
	if a, b := try(s.Credential(ctx, c.ID)).must(t), try(s.Credential(ctx, c2.ID)).must(t); a.AchievementVersion != 1 || b.AchievementVersion != 2 || b.Replaces != c.ID {
		t.Errorf("versions recorded: %d and %d (replaces %q), want 1 and 2", a.AchievementVersion, b.AchievementVersion, b.Replaces)
	}

	bad := func(mod func(*store.Credential)) store.Credential {
		x := f.credential("urn:uuid:bad")
		mod(&x)
		return x
	}
	cases := []struct {
		name string
		c    store.Credential
		kind error
	}{
		{"duplicate id", f.credential(c.ID), store.ErrConflict},
		{"duplicate id with fresh key", bad(func(x *store.Credential) { x.ID, x.IdempotencyKey = c.ID, "k-new" }), store.ErrConflict},
		{"unknown version", bad(func(x *store.Credential) { x.AchievementVersion = 9 }), store.ErrConflict},
		{"unknown achievement", bad(func(x *store.Credential) { x.AchievementID = "nope" }), store.ErrConflict},
		{"unknown learner", bad(func(x *store.Credential) { x.LearnerID = "nope" }), store.ErrConflict},
		{"unknown replaced credential", bad(func(x *store.Credential) { x.Replaces = "urn:uuid:nope" }), store.ErrConflict},
		{"unknown format", bad(func(x *store.Credential) { x.Format = "cbor" }), store.ErrInvalid},
		{"no document", bad(func(x *store.Credential) { x.Document = "" }), store.ErrInvalid},
		{"no id", bad(func(x *store.Credential) { x.ID = "" }), store.ErrInvalid},
		{"no issue time", bad(func(x *store.Credential) { x.IssuedAt = time.Time{} }), store.ErrInvalid},
	}
	for _, tc := range cases {
		_, _, err := s.InsertCredential(ctx, tc.c)
		wantErr(t, tc.name, err, tc.kind)
	}
	wantErr(t, "unknown credential", second(s.Credential(ctx, "urn:uuid:nope")), store.ErrNotFound)

	need(t, s.SetCredentialPrivate(ctx, c.ID, true))
	if got := try(s.Credential(ctx, c.ID)).must(t); !got.Private {
		t.Error("SetCredentialPrivate(true) did not stick")
	}
	wantErr(t, "private unknown", s.SetCredentialPrivate(ctx, "nope", true), store.ErrNotFound)
}

func testIdempotency(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s, "idem-org")
	g := newFixture(t, s, "idem-org2")
	first := f.credential("urn:uuid:idem-1")
	first.IdempotencyKey = "req-42"
	got, existed := try3(s.InsertCredential(ctx, first)).must(t)
	if existed || got.ID != first.ID {
		t.Fatalf("first insert: %+v existed=%v", got, existed)
	}
	// A retried request builds a new credential (new id, new signature) but
	// must get the original back and store nothing.
	retry := f.credential("urn:uuid:idem-retry")
	retry.IdempotencyKey = "req-42"
	got, existed = try3(s.InsertCredential(ctx, retry)).must(t)
	if !existed || got.ID != first.ID || got.Document != first.Document {
		t.Errorf("retry: got %q existed=%v, want original %q and existed", got.ID, existed, first.ID)
	}
	wantErr(t, "retry's id was not stored", second(s.Credential(ctx, retry.ID)), store.ErrNotFound)
	if c := try(s.CredentialByIdempotencyKey(ctx, f.org.ID, "req-42")).must(t); c.ID != first.ID {
		t.Errorf("CredentialByIdempotencyKey = %q", c.ID)
	}
	// Keys are scoped to an organization.
	other := g.credential("urn:uuid:idem-other-org")
	other.IdempotencyKey = "req-42"
	if _, existed := try3(s.InsertCredential(ctx, other)).must(t); existed {
		t.Error("same key in another organization reported existed")
	}
	// No key: no deduplication.
	for _, id := range []string{"urn:uuid:nokey-1", "urn:uuid:nokey-2"} {
		if _, existed := try3(s.InsertCredential(ctx, f.credential(id))).must(t); existed {
			t.Errorf("%s without key reported existed", id)
		}
	}
	wantErr(t, "unknown key", second(s.CredentialByIdempotencyKey(ctx, f.org.ID, "nope")), store.ErrNotFound)
	// Inside a transaction the same rules hold.
	err := s.WithTx(ctx, func(tx store.Store) error {
		c := f.credential("urn:uuid:idem-tx")
		c.IdempotencyKey = "req-42"
		got, existed, err := tx.InsertCredential(ctx, c)
		if err != nil {
			return err
		}
		if !existed || got.ID != first.ID {
			return fmt.Errorf("in tx: got %q existed=%v", got.ID, existed)
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}

func testCredentialQueries(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s, "q-org")
	g := newFixture(t, s, "q-org2")
	learner := try(s.CreateUser(ctx, store.User{Email: "kim@example.org", IsLearner: true})).must(t)
	base := time.Now().Add(-time.Hour)
	add := func(fx fixture, id, email string, minute int, private bool, learnerID string) {
		c := fx.credential(id)
		c.RecipientEmail, c.IssuedAt, c.Private, c.LearnerID = email, base.Add(time.Duration(minute)*time.Minute), private, learnerID
		try3(s.InsertCredential(ctx, c)).must(t)
	}
	add(f, "c1", "Kim@Example.org", 1, false, "")
	add(f, "c2", "kim@example.org", 2, true, "")
	add(f, "c3", "lee@example.org", 3, false, "")
	add(g, "c4", "kim@example.org", 4, false, learner.ID)

	if n := try(s.LinkLearnerCredentials(ctx, "KIM@example.org", learner.ID)).must(t); n != 2 {
		t.Errorf("LinkLearnerCredentials linked %d, want 2 (c4 was already linked)", n)
	}
	cases := []struct {
		name string
		q    store.CredentialQuery
		want []string
	}{
		{"org, newest first", store.CredentialQuery{OrgID: f.org.ID}, []string{"c3", "c2", "c1"}},
		{"learner", store.CredentialQuery{LearnerID: learner.ID}, []string{"c4", "c2", "c1"}},
		{"learner, public only", store.CredentialQuery{LearnerID: learner.ID, PublicOnly: true}, []string{"c4", "c1"}},
		{"email any case", store.CredentialQuery{RecipientEmail: "LEE@example.org"}, []string{"c3"}},
		{"achievement", store.CredentialQuery{AchievementID: g.ach.Achievement.ID}, []string{"c4"}},
		{"limit and offset", store.CredentialQuery{Limit: 2, Offset: 1}, []string{"c3", "c2"}},
		{"nothing", store.CredentialQuery{OrgID: "nope"}, nil},
	}
	for _, c := range cases {
		got := try(s.ListCredentials(ctx, c.q)).must(t)
		var ids []string
		for _, x := range got {
			ids = append(ids, x.ID)
		}
		if !reflect.DeepEqual(ids, c.want) {
			t.Errorf("%s: got %q, want %q", c.name, ids, c.want)
		}
	}
	counts := []struct {
		name string
		q    store.CredentialQuery
		want int64
	}{
		{"all", store.CredentialQuery{}, 4},
		{"org", store.CredentialQuery{OrgID: f.org.ID}, 3},
		{"learner, public only", store.CredentialQuery{LearnerID: learner.ID, PublicOnly: true}, 2},
		{"email any case", store.CredentialQuery{RecipientEmail: "KIM@example.org"}, 3},
		{"limit and offset ignored", store.CredentialQuery{OrgID: f.org.ID, Limit: 1, Offset: 2}, 3},
		{"nothing", store.CredentialQuery{OrgID: "nope"}, 0},
	}
	for _, c := range counts {
		if got := try(s.CountCredentials(ctx, c.q)).must(t); got != c.want {
			t.Errorf("CountCredentials %s = %d, want %d", c.name, got, c.want)
		}
	}
}

func testTxRollback(t *testing.T, s store.Store) {
	ctx := context.Background()
	boom := errors.New("boom")
	err := s.WithTx(ctx, func(tx store.Store) error {
		o := try(tx.CreateOrganization(ctx, store.Organization{Slug: "tx-org", Name: "T"})).must(t)
		try(tx.CreateUser(ctx, store.User{Email: "tx@example.org"})).must(t)
		try(tx.CreateAchievement(ctx, store.Achievement{OrgID: o.ID}, store.AchievementVersion{Name: "A", Document: json.RawMessage(`{}`)})).must(t)
		try(tx.AppendAudit(ctx, store.AuditEvent{Actor: "system", Action: "tx.test"})).must(t)
		try(tx.EnqueueMail(ctx, store.Mail{To: "tx@example.org"})).must(t)
		// Reads inside the transaction see its writes.
		if _, err := tx.OrganizationBySlug(ctx, "tx-org"); err != nil {
			t.Errorf("read own write inside tx: %v", err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("WithTx returned %v, want fn's error", err)
	}
	wantErr(t, "org after rollback", second(s.OrganizationBySlug(ctx, "tx-org")), store.ErrNotFound)
	wantErr(t, "user after rollback", second(s.UserByEmail(ctx, "tx@example.org")), store.ErrNotFound)
	if a := try(s.ListAudit(ctx, store.AuditQuery{})).must(t); len(a) != 0 {
		t.Errorf("audit events after rollback: %+v", a)
	}
	if m := try(s.ClaimMail(ctx, 10, time.Minute)).must(t); len(m) != 0 {
		t.Errorf("mail after rollback: %+v", m)
	}
	if c := try(s.SearchAchievements(ctx, store.AchievementQuery{})).must(t); len(c) != 0 {
		t.Errorf("achievements after rollback: %+v", c)
	}

	// A panic rolls back too, and propagates.
	func() {
		defer func() {
			if recover() == nil {
				t.Error("panic inside WithTx did not propagate")
			}
		}()
		_ = s.WithTx(ctx, func(tx store.Store) error {
			try(tx.CreateOrganization(ctx, store.Organization{Slug: "panic-org", Name: "P"})).must(t)
			panic("boom")
		})
	}()
	wantErr(t, "org after panic", second(s.OrganizationBySlug(ctx, "panic-org")), store.ErrNotFound)

	// Nested WithTx: an inner failure undoes only the inner work.
	err = s.WithTx(ctx, func(tx store.Store) error {
		try(tx.CreateOrganization(ctx, store.Organization{Slug: "outer", Name: "O"})).must(t)
		inner := tx.WithTx(ctx, func(tx2 store.Store) error {
			try(tx2.CreateOrganization(ctx, store.Organization{Slug: "inner", Name: "I"})).must(t)
			return boom
		})
		if !errors.Is(inner, boom) {
			return fmt.Errorf("inner WithTx returned %v", inner)
		}
		return tx.WithTx(ctx, func(tx2 store.Store) error {
			_, err := tx2.CreateOrganization(ctx, store.Organization{Slug: "inner-ok", Name: "I"})
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	try(s.OrganizationBySlug(ctx, "outer")).must(t)
	try(s.OrganizationBySlug(ctx, "inner-ok")).must(t)
	wantErr(t, "rolled-back inner", second(s.OrganizationBySlug(ctx, "inner")), store.ErrNotFound)

	// Committed work is visible afterwards; Close and Migrate are refused
	// inside a transaction.
	err = s.WithTx(ctx, func(tx store.Store) error {
		if tx.Close() == nil || tx.Migrate(ctx) == nil {
			return errors.New("store accepted Close or Migrate inside a transaction")
		}
		_, err := tx.CreateOrganization(ctx, store.Organization{Slug: "committed", Name: "C"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	try(s.OrganizationBySlug(ctx, "committed")).must(t)
}

func testConcurrentIssuance(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s, "conc-org")
	const workers, perWorker, keys = 8, 25, 20
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		fresh   = map[string]string{} // key -> id that was stored
		existed int
		errs    []error
	)
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				c := f.credential(fmt.Sprintf("urn:uuid:w%d-%d", w, i))
				c.IdempotencyKey = fmt.Sprintf("key-%d", (w*perWorker+i)%keys)
				var got store.Credential
				var ex bool
				var err error
				if i%2 == 0 {
					got, ex, err = s.InsertCredential(ctx, c)
				} else {
					// Half the inserts run inside explicit transactions.
					err = s.WithTx(ctx, func(tx store.Store) error {
						var e error
						got, ex, e = tx.InsertCredential(ctx, c)
						return e
					})
				}
				mu.Lock()
				switch {
				case err != nil:
					errs = append(errs, err)
				case ex:
					existed++
					if fresh[c.IdempotencyKey] != "" && fresh[c.IdempotencyKey] != got.ID {
						errs = append(errs, fmt.Errorf("key %s returned %s, stored %s", c.IdempotencyKey, got.ID, fresh[c.IdempotencyKey]))
					}
				default:
					if prev := fresh[c.IdempotencyKey]; prev != "" {
						errs = append(errs, fmt.Errorf("key %s stored twice: %s and %s", c.IdempotencyKey, prev, got.ID))
					}
					fresh[c.IdempotencyKey] = got.ID
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		t.Error(err)
	}
	if len(fresh) != keys || existed != workers*perWorker-keys {
		t.Errorf("stored %d keys and %d duplicates, want %d and %d", len(fresh), existed, keys, workers*perWorker-keys)
	}
	all := try(s.ListCredentials(ctx, store.CredentialQuery{OrgID: f.org.ID, Limit: 1000})).must(t)
	if len(all) != keys {
		t.Errorf("%d credentials in the database, want exactly one per key (%d)", len(all), keys)
	}
	for _, c := range all {
		if fresh[c.IdempotencyKey] != c.ID {
			t.Errorf("stored %s under %s, callers were told %s", c.ID, c.IdempotencyKey, fresh[c.IdempotencyKey])
		}
	}
}

func testConcurrentVersions(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newFixture(t, s, "ver-org")
	const workers = 8
	var wg sync.WaitGroup
	versions := make(chan int, workers)
	for w := range workers {
		wg.Go(func() {
			v, err := s.AddAchievementVersion(ctx, f.ach.Achievement.ID, store.AchievementVersion{
				Name: fmt.Sprintf("edit %d", w), Document: json.RawMessage(`{}`)})
			if err != nil {
				t.Error(err)
				return
			}
			versions <- v.Version
		})
	}
	wg.Wait()
	close(versions)
	var got []int
	for v := range versions {
		got = append(got, v)
	}
	sort.Ints(got)
	want := []int{2, 3, 4, 5, 6, 7, 8, 9}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("concurrent versions = %v, want %v", got, want)
	}
	if a := try(s.Achievement(ctx, f.ach.Achievement.ID)).must(t); a.CurrentVersion != 9 {
		t.Errorf("current version = %d, want 9", a.CurrentVersion)
	}
}

func testMailOutbox(t *testing.T, s store.Store) {
	ctx := context.Background()
	mailIDs := func(ms []store.Mail) []int64 {
		var out []int64
		for _, m := range ms {
			out = append(out, m.ID)
		}
		return out
	}
	var ids []int64
	for i := range 5 {
		m := try(s.EnqueueMail(ctx, store.Mail{To: fmt.Sprintf("r%d@example.org", i), Subject: "Your credential", Body: "Hello",
			OrgID: []string{"", "org-a", "org-b"}[i%3]})).must(t)
		if m.ID == 0 || m.CreatedAt.IsZero() {
			t.Fatalf("EnqueueMail = %+v", m)
		}
		if len(ids) > 0 && m.ID <= ids[len(ids)-1] {
			t.Errorf("mail ids not increasing: %d after %d", m.ID, ids[len(ids)-1])
		}
		ids = append(ids, m.ID)
	}
	wantErr(t, "no recipient", second(s.EnqueueMail(ctx, store.Mail{Subject: "x"})), store.ErrInvalid)
	if got := mailIDs(try(s.ListMail(ctx, 3)).must(t)); !reflect.DeepEqual(got, []int64{ids[4], ids[3], ids[2]}) {
		t.Errorf("ListMail(3) = %v, want the three newest of %v, newest first", got, ids)
	}
	// Each organization sees its own messages: ids[1] and ids[4] are org-a's.
	if got := mailIDs(try(s.ListOrgMail(ctx, "org-a", 10)).must(t)); !reflect.DeepEqual(got, []int64{ids[4], ids[1]}) {
		t.Errorf("ListOrgMail(org-a) = %v, want %v", got, []int64{ids[4], ids[1]})
	}
	if got := try(s.ListOrgMail(ctx, "org-c", 10)).must(t); len(got) != 0 {
		t.Errorf("ListOrgMail of an organization without mail = %v", mailIDs(got))
	}

	// A zero lease expires at once, so the first two are offered again.
	first := try(s.ClaimMail(ctx, 2, 0)).must(t)
	if len(first) != 2 || first[0].ID != ids[0] || first[1].ID != ids[1] || first[0].Subject != "Your credential" || first[0].ClaimedUntil.IsZero() {
		t.Fatalf("ClaimMail(2) = %+v", first)
	}
	if got := mailIDs(try(s.ClaimMail(ctx, 10, time.Hour)).must(t)); !reflect.DeepEqual(got, ids) {
		t.Fatalf("second ClaimMail = %v, want all of %v", got, ids)
	}
	if again := try(s.ClaimMail(ctx, 10, time.Hour)).must(t); len(again) != 0 {
		t.Errorf("leased mail offered again: %+v", again)
	}
	sent := time.Now()
	need(t, s.MarkMailSent(ctx, ids[0], sent))
	if all := try(s.ListMail(ctx, 0)).must(t); len(all) != 5 || all[4].ID != ids[0] || all[4].SentAt == nil || all[0].SentAt != nil {
		t.Errorf("ListMail after a send = %+v", all)
	}
	need(t, s.MarkMailFailed(ctx, ids[1], "550 mailbox unavailable", time.Now()))
	need(t, s.MarkMailFailed(ctx, ids[2], "421 try later", time.Now().Add(time.Hour)))
	wantErr(t, "mark unknown", s.MarkMailSent(ctx, 999999, sent), store.ErrNotFound)
	wantErr(t, "fail unknown", s.MarkMailFailed(ctx, 999999, "x", sent), store.ErrNotFound)
	m := try(s.EnqueueMail(ctx, store.Mail{To: "late@example.org"})).must(t)
	again := try(s.ClaimMail(ctx, 100, time.Hour)).must(t)
	if got, want := mailIDs(again), []int64{ids[1], m.ID}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after failures ClaimMail = %v, want %v (due retry and new mail only)", got, want)
	}
	if again[0].Attempts != 1 || again[0].Error != "550 mailbox unavailable" || again[0].SentAt != nil {
		t.Errorf("failed mail = %+v", again[0])
	}
	// A message that failed MaxMailAttempts times is given up.
	for range store.MaxMailAttempts {
		need(t, s.MarkMailFailed(ctx, m.ID, "boom", time.Now()))
	}
	if got := try(s.ClaimMail(ctx, 100, time.Hour)).must(t); len(got) != 0 {
		t.Errorf("mail offered after %d failures: %+v", store.MaxMailAttempts, got)
	}
	// Still to send: ids[1..4] (one sent, one given up).
	if n := try(s.OutboxDepth(ctx)).must(t); n != 4 {
		t.Errorf("OutboxDepth = %d, want 4 (unsent and not given up)", n)
	}

	// Concurrent claimers never get the same message, and between them
	// they get every one. (A claim may come back short while another
	// claimer holds rows it picked — PostgreSQL re-checks a row it waited
	// for — so each claimer goes on until a claim finds nothing.)
	for i := range 40 {
		try(s.EnqueueMail(ctx, store.Mail{To: fmt.Sprintf("bulk%d@example.org", i)})).must(t)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := map[int64]int{}
	for range 4 {
		wg.Go(func() {
			for range 100 {
				ms, err := s.ClaimMail(ctx, 3, time.Hour)
				if err != nil {
					t.Error(err)
					return
				}
				if len(ms) == 0 {
					return
				}
				mu.Lock()
				for _, x := range ms {
					seen[x.ID]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != 40 {
		t.Errorf("concurrent claimers got %d distinct messages, want 40", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("message %d claimed %d times", id, n)
		}
	}
}

func testAuditLog(t *testing.T, s store.Store) {
	ctx := context.Background()
	org := try(s.CreateOrganization(ctx, store.Organization{Slug: "audit-org", Name: "A"})).must(t)
	var events []store.AuditEvent
	for i := range 6 {
		e := store.AuditEvent{Actor: "user-1", Action: "credential.issue", Target: fmt.Sprintf("urn:uuid:%d", i),
			Detail: json.RawMessage(fmt.Sprintf(`{"n": %d, "tags": ["a", "b"]}`, i))}
		switch i % 3 {
		case 0:
			e.OrgID = org.ID
		case 1:
			e.Actor, e.Action, e.Detail = "system", "session.cleanup", nil
		case 2:
			e.OrgID, e.Actor = org.ID, "client-9"
		}
		events = append(events, try(s.AppendAudit(ctx, e)).must(t))
	}
	for i := 1; i < len(events); i++ {
		if events[i].ID <= events[i-1].ID {
			t.Fatalf("audit ids not increasing: %d then %d", events[i-1].ID, events[i].ID)
		}
	}
	all := try(s.ListAudit(ctx, store.AuditQuery{})).must(t)
	if len(all) != 6 {
		t.Fatalf("ListAudit returned %d events", len(all))
	}
	for i, e := range all {
		want := events[i]
		if e.Detail != nil || want.Detail != nil {
			if !sameJSON(t, e.Detail, want.Detail) {
				t.Errorf("event %d detail %s, want %s", i, e.Detail, want.Detail)
			}
			e.Detail, want.Detail = nil, nil
		}
		if !reflect.DeepEqual(e, want) {
			t.Errorf("event %d = %+v, want %+v", i, e, want)
		}
	}
	idsOf := func(es []store.AuditEvent) []int64 {
		var out []int64
		for _, e := range es {
			out = append(out, e.ID)
		}
		return out
	}
	ev := idsOf(events)
	cases := []struct {
		name string
		q    store.AuditQuery
		want []int64
	}{
		{"org", store.AuditQuery{OrgID: org.ID}, []int64{ev[0], ev[2], ev[3], ev[5]}},
		{"actor", store.AuditQuery{Actor: "system"}, []int64{ev[1], ev[4]}},
		{"action", store.AuditQuery{Action: "credential.issue", Actor: "client-9"}, []int64{ev[2], ev[5]}},
		{"after", store.AuditQuery{AfterID: ev[3]}, []int64{ev[4], ev[5]}},
		{"newest first", store.AuditQuery{Descending: true, Limit: 3}, []int64{ev[5], ev[4], ev[3]}},
		{"newest before", store.AuditQuery{Descending: true, BeforeID: ev[3], Limit: 2}, []int64{ev[2], ev[1]}},
	}
	for _, c := range cases {
		if got := idsOf(try(s.ListAudit(ctx, c.q)).must(t)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
	wantErr(t, "no actor", second(s.AppendAudit(ctx, store.AuditEvent{Action: "x"})), store.ErrInvalid)
	wantErr(t, "bad detail", second(s.AppendAudit(ctx, store.AuditEvent{Actor: "a", Action: "x", Detail: json.RawMessage(`{"`)})), store.ErrInvalid)
	// The interface offers no way to change the log.
	st := reflect.TypeFor[store.Store]()
	for i := range st.NumMethod() {
		if name := st.Method(i).Name; strings.Contains(name, "Audit") && name != "AppendAudit" && name != "ListAudit" {
			t.Errorf("Store.%s: the audit log must stay append-only", name)
		}
	}
}
