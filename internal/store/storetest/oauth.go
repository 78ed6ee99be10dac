package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/store"
)

// oauthFixture is an organization, a member and a dynamically registered
// client.
type oauthFixture struct {
	org    store.Organization
	user   store.User
	client store.OAuthClient
}

func newOAuthFixture(t *testing.T, s store.Store) oauthFixture {
	t.Helper()
	ctx := context.Background()
	org := try(s.CreateOrganization(ctx, store.Organization{Slug: "oauth-org", Name: "OAuth"})).must(t)
	u := try(s.CreateUser(ctx, store.User{Email: "issuer@example.org", Name: "Issuer"})).must(t)
	try(s.AddMembership(ctx, store.Membership{OrgID: org.ID, UserID: u.ID, Role: store.RoleIssuer})).must(t)
	c := try(s.CreateOAuthClient(ctx, store.OAuthClient{
		Client:       store.APIClient{SecretHash: digest("dyn-secret"), Name: "Wallet", Scopes: []string{store.ScopeOBCredentialRead}},
		RedirectURIs: []string{"https://wallet.example/cb", "http://127.0.0.1:8765/cb"},
		AuthMethod:   store.AuthClientSecretBasic,
		GrantTypes:   []string{"authorization_code", "refresh_token"},
		Metadata:     json.RawMessage(`{"client_name":"Wallet"}`),
	})).must(t)
	return oauthFixture{org: org, user: u, client: c}
}

func testOAuthClients(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newOAuthFixture(t, s)
	got := try(s.OAuthClient(ctx, f.client.Client.ClientID)).must(t)
	if !sameJSON(t, got.Metadata, f.client.Metadata) {
		t.Errorf("metadata = %s, want %s", got.Metadata, f.client.Metadata)
	}
	got.Metadata = f.client.Metadata
	if !reflect.DeepEqual(got, f.client) {
		t.Errorf("OAuthClient = %+v, want %+v", got, f.client)
	}
	// The credentials are an API client without organization.
	api := try(s.APIClient(ctx, f.client.Client.ClientID)).must(t)
	if api.OrgID != "" || !reflect.DeepEqual(api, f.client.Client) {
		t.Errorf("APIClient = %+v, want %+v", api, f.client.Client)
	}
	if list := try(s.ListAPIClients(ctx, f.org.ID)).must(t); len(list) != 0 {
		t.Errorf("dynamic client listed under an organization: %+v", list)
	}
	// An organization's client is not a registered one.
	org := try(s.CreateAPIClient(ctx, store.APIClient{SecretHash: digest("x"), OrgID: f.org.ID, Name: "LMS"})).must(t)
	wantErr(t, "OAuthClient of an org client", second(s.OAuthClient(ctx, org.ClientID)), store.ErrNotFound)
	wantErr(t, "OAuthClient unknown", second(s.OAuthClient(ctx, "nope")), store.ErrNotFound)

	base := store.OAuthClient{Client: store.APIClient{SecretHash: digest("y")}, RedirectURIs: []string{"https://a.example/cb"},
		AuthMethod: store.AuthClientSecretPost, GrantTypes: []string{"authorization_code"}}
	bad := []struct {
		name string
		edit func(c *store.OAuthClient)
		kind error
	}{
		{"with organization", func(c *store.OAuthClient) { c.Client.OrgID = f.org.ID }, store.ErrInvalid},
		{"no secret", func(c *store.OAuthClient) { c.Client.SecretHash = nil }, store.ErrInvalid},
		{"no redirect", func(c *store.OAuthClient) { c.RedirectURIs = nil }, store.ErrInvalid},
		{"space in redirect", func(c *store.OAuthClient) { c.RedirectURIs = []string{"https://a b"} }, store.ErrInvalid},
		{"auth method", func(c *store.OAuthClient) { c.AuthMethod = "none" }, store.ErrInvalid},
		{"metadata", func(c *store.OAuthClient) { c.Metadata = json.RawMessage("{") }, store.ErrInvalid},
		{"duplicate id", func(c *store.OAuthClient) { c.Client.ClientID = f.client.Client.ClientID }, store.ErrConflict},
	}
	for _, tc := range bad {
		c := base
		tc.edit(&c)
		wantErr(t, tc.name, second(s.CreateOAuthClient(ctx, c)), tc.kind)
	}

	// Deleting the client deletes its registration.
	need(t, s.DeleteAPIClient(ctx, f.client.Client.ClientID))
	wantErr(t, "OAuthClient after delete", second(s.OAuthClient(ctx, f.client.Client.ClientID)), store.ErrNotFound)
}

func testOAuthCodes(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newOAuthFixture(t, s)
	now := time.Now().UTC().Truncate(time.Microsecond)
	code := store.AuthorizationCode{
		Hash: digest("code-1"), ClientID: f.client.Client.ClientID, OrgID: f.org.ID, UserID: f.user.ID,
		RedirectURI: "https://wallet.example/cb", Scopes: []string{store.ScopeOBCredentialRead, store.ScopeOBProfileRead},
		CodeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", CreatedAt: now, ExpiresAt: now.Add(time.Minute),
	}
	code = try(s.CreateAuthorizationCode(ctx, code)).must(t)
	if code.GrantID == "" {
		t.Fatal("no grant id assigned")
	}
	wantErr(t, "duplicate code", second(s.CreateAuthorizationCode(ctx, code)), store.ErrConflict)
	wantErr(t, "unknown user", second(s.CreateAuthorizationCode(ctx, store.AuthorizationCode{Hash: digest("c2"),
		ClientID: code.ClientID, OrgID: f.org.ID, UserID: "nope", RedirectURI: "x", CodeChallenge: "y", ExpiresAt: now.Add(time.Minute)})), store.ErrConflict)
	wantErr(t, "short hash", second(s.CreateAuthorizationCode(ctx, store.AuthorizationCode{Hash: []byte("x")})), store.ErrInvalid)

	wantErr(t, "redeem unknown", second(s.RedeemAuthorizationCode(ctx, digest("nope"), now)), store.ErrNotFound)
	wantErr(t, "redeem expired", second(s.RedeemAuthorizationCode(ctx, code.Hash, now.Add(time.Minute))), store.ErrNotFound)
	got := try(s.RedeemAuthorizationCode(ctx, code.Hash, now.Add(time.Second))).must(t)
	if got.UsedAt == nil || !got.UsedAt.Equal(now.Add(time.Second)) {
		t.Errorf("UsedAt = %v", got.UsedAt)
	}
	got.UsedAt = nil
	if !reflect.DeepEqual(got, code) {
		t.Errorf("redeemed %+v, want %+v", got, code)
	}
	again, err := s.RedeemAuthorizationCode(ctx, code.Hash, now.Add(2*time.Second))
	wantErr(t, "redeem twice", err, store.ErrConflict)
	if again.GrantID != code.GrantID {
		t.Errorf("reused code returned grant %q, want %q", again.GrantID, code.GrantID)
	}
	// Still a conflict once expired: a replay must be recognised as one.
	wantErr(t, "redeem used and expired", second(s.RedeemAuthorizationCode(ctx, code.Hash, now.Add(time.Hour))), store.ErrConflict)

	// Of concurrent redemptions exactly one wins.
	race := try(s.CreateAuthorizationCode(ctx, store.AuthorizationCode{Hash: digest("race"), ClientID: code.ClientID,
		OrgID: f.org.ID, UserID: f.user.ID, RedirectURI: code.RedirectURI, Scopes: code.Scopes, CodeChallenge: "c",
		ExpiresAt: now.Add(time.Minute)})).must(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins, conflicts := 0, 0
	for range 8 {
		wg.Go(func() {
			_, err := s.RedeemAuthorizationCode(ctx, race.Hash, now)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case errors.Is(err, store.ErrConflict):
				conflicts++
			default:
				t.Errorf("concurrent redeem: %v", err)
			}
		})
	}
	wg.Wait()
	if wins != 1 || conflicts != 7 {
		t.Errorf("concurrent redemptions: %d won, %d conflicts; want 1 and 7", wins, conflicts)
	}

	// Expired codes are kept a day, then deleted.
	try(s.DeleteExpiredOAuth(ctx, now.Add(time.Hour))).must(t)
	wantErr(t, "used code kept", second(s.RedeemAuthorizationCode(ctx, code.Hash, now)), store.ErrConflict)
	if n := try(s.DeleteExpiredOAuth(ctx, now.Add(48*time.Hour))).must(t); n != 2 {
		t.Errorf("DeleteExpiredOAuth deleted %d, want 2", n)
	}
	wantErr(t, "code deleted", second(s.RedeemAuthorizationCode(ctx, code.Hash, now)), store.ErrNotFound)
}

func testOAuthRefreshAndGrants(t *testing.T, s store.Store) {
	ctx := context.Background()
	f := newOAuthFixture(t, s)
	now := time.Now().UTC().Truncate(time.Microsecond)
	cid := f.client.Client.ClientID
	grant := "grant-1"
	at := try(s.CreateAccessToken(ctx, store.AccessToken{Hash: digest("at-1"), ClientID: cid, Scopes: []string{store.ScopeOBCredentialRead},
		CreatedAt: now, ExpiresAt: now.Add(time.Hour), OrgID: f.org.ID, UserID: f.user.ID, GrantID: grant})).must(t)
	if got := try(s.AccessToken(ctx, at.Hash)).must(t); !reflect.DeepEqual(got, at) {
		t.Errorf("AccessToken = %+v, want %+v", got, at)
	}
	rt := try(s.CreateRefreshToken(ctx, store.RefreshToken{Hash: digest("rt-1"), GrantID: grant, ClientID: cid, OrgID: f.org.ID,
		UserID: f.user.ID, Scopes: at.Scopes, CreatedAt: now, ExpiresAt: now.Add(30 * 24 * time.Hour)})).must(t)
	wantErr(t, "refresh without grant", second(s.CreateRefreshToken(ctx, store.RefreshToken{Hash: digest("rt-x"), ClientID: cid,
		OrgID: f.org.ID, UserID: f.user.ID, ExpiresAt: now.Add(time.Hour)})), store.ErrInvalid)
	if got := try(s.RefreshToken(ctx, rt.Hash, now)).must(t); !reflect.DeepEqual(got, rt) {
		t.Errorf("RefreshToken = %+v, want %+v", got, rt)
	}
	wantErr(t, "refresh expired", second(s.RefreshToken(ctx, rt.Hash, rt.ExpiresAt)), store.ErrNotFound)

	epoch, hasEpoch := s.(store.AuthEpoch)
	var before uint64
	if hasEpoch {
		before = epoch.AuthEpoch()
	}
	try(s.RedeemRefreshToken(ctx, rt.Hash, now)).must(t)
	wantErr(t, "used refresh token", second(s.RefreshToken(ctx, rt.Hash, now)), store.ErrNotFound)
	wantErr(t, "refresh reuse", second(s.RedeemRefreshToken(ctx, rt.Hash, now)), store.ErrConflict)
	next := try(s.CreateRefreshToken(ctx, store.RefreshToken{Hash: digest("rt-2"), GrantID: grant, ClientID: cid, OrgID: f.org.ID,
		UserID: f.user.ID, Scopes: at.Scopes, ExpiresAt: now.Add(time.Hour)})).must(t)

	// Revoking the grant removes its access and refresh tokens, and only
	// those.
	other := try(s.CreateAccessToken(ctx, store.AccessToken{Hash: digest("at-2"), ClientID: cid, Scopes: at.Scopes,
		ExpiresAt: now.Add(time.Hour), OrgID: f.org.ID, UserID: f.user.ID, GrantID: "grant-2"})).must(t)
	if n := try(s.RevokeGrant(ctx, grant)).must(t); n != 3 {
		t.Errorf("RevokeGrant removed %d rows, want 3 (one access token, two refresh tokens)", n)
	}
	wantErr(t, "access token of revoked grant", second(s.AccessToken(ctx, at.Hash)), store.ErrNotFound)
	wantErr(t, "refresh token of revoked grant", second(s.RefreshToken(ctx, next.Hash, now)), store.ErrNotFound)
	try(s.AccessToken(ctx, other.Hash)).must(t)
	if hasEpoch && epoch.AuthEpoch() == before {
		t.Error("AuthEpoch did not move on RevokeGrant")
	}

	// Revocation inside a transaction moves the epoch again at commit.
	if hasEpoch {
		var inTx uint64
		need(t, s.WithTx(ctx, func(tx store.Store) error {
			err := tx.DeleteAccessToken(ctx, other.Hash)
			inTx = epoch.AuthEpoch()
			return err
		}))
		if epoch.AuthEpoch() == inTx {
			t.Error("AuthEpoch did not move when the revoking transaction committed")
		}
	}

	// Deleting the user deletes the grants' tokens.
	third := try(s.CreateAccessToken(ctx, store.AccessToken{Hash: digest("at-3"), ClientID: cid, Scopes: at.Scopes,
		ExpiresAt: now.Add(time.Hour), OrgID: f.org.ID, UserID: f.user.ID, GrantID: "grant-3"})).must(t)
	need(t, s.DeleteUser(ctx, f.user.ID))
	wantErr(t, "token of deleted user", second(s.AccessToken(ctx, third.Hash)), store.ErrNotFound)
	wantErr(t, "revoke without id", second(s.RevokeGrant(ctx, "")), store.ErrInvalid)
}
