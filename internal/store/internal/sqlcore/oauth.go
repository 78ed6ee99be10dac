package sqlcore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/store"
)

func invalidf(op, format string, args ...any) error {
	return &store.Error{Kind: store.ErrInvalid, Op: "store: " + op, Err: fmt.Errorf(format, args...)}
}

// CreateOAuthClient implements store.OAuthStore.
func (s *Store) CreateOAuthClient(ctx context.Context, c store.OAuthClient) (store.OAuthClient, error) {
	const op = "create OAuth client"
	if c.Client.OrgID != "" {
		return store.OAuthClient{}, invalidf(op, "a dynamically registered client has no organization")
	}
	if len(c.Client.SecretHash) == 0 {
		return store.OAuthClient{}, invalidf(op, "secret hash is required")
	}
	if err := store.ValidateScopes(c.Client.Scopes); err != nil {
		return store.OAuthClient{}, err
	}
	if len(c.RedirectURIs) == 0 {
		return store.OAuthClient{}, invalidf(op, "at least one redirect URI is required")
	}
	for _, u := range c.RedirectURIs {
		if u == "" || strings.ContainsAny(u, " \t\r\n") {
			return store.OAuthClient{}, invalidf(op, "redirect URI %q is empty or contains whitespace", u)
		}
	}
	if c.AuthMethod != store.AuthClientSecretBasic && c.AuthMethod != store.AuthClientSecretPost {
		return store.OAuthClient{}, invalidf(op, "unknown token endpoint auth method %q", c.AuthMethod)
	}
	if err := store.ValidateScopes(c.GrantTypes); err != nil {
		return store.OAuthClient{}, err
	}
	if len(c.Metadata) == 0 {
		c.Metadata = json.RawMessage("{}")
	}
	if !json.Valid(c.Metadata) {
		return store.OAuthClient{}, invalidf(op, "metadata is not JSON")
	}
	if c.Client.ClientID == "" {
		c.Client.ClientID = store.NewID()
	}
	if c.Client.CreatedAt.IsZero() {
		c.Client.CreatedAt = now()
	}
	c.Client.CreatedAt = norm(c.Client.CreatedAt)
	err := s.atomic(ctx, func(tx *Store) error {
		if _, err := tx.w.Exec(ctx, `INSERT INTO api_clients (`+clientCols+`) VALUES (?, ?, NULL, ?, ?, ?)`,
			c.Client.ClientID, c.Client.SecretHash, c.Client.Name, strings.Join(c.Client.Scopes, " "), c.Client.CreatedAt); err != nil {
			return tx.fail(fmt.Sprintf("%s %q", op, c.Client.Name), err)
		}
		_, err := tx.w.Exec(ctx, `INSERT INTO oauth_clients (client_id, redirect_uris, auth_method, grant_types, metadata) VALUES (?, ?, ?, ?, ?)`,
			c.Client.ClientID, strings.Join(c.RedirectURIs, " "), c.AuthMethod, strings.Join(c.GrantTypes, " "), string(c.Metadata))
		return tx.fail(op, err)
	})
	if err != nil {
		return store.OAuthClient{}, err
	}
	return c, nil
}

// OAuthClient implements store.OAuthStore.
func (s *Store) OAuthClient(ctx context.Context, clientID string) (store.OAuthClient, error) {
	var c store.OAuthClient
	var scopes, uris, grants, meta string
	err := s.r.QueryRow(ctx, `SELECT c.client_id, c.secret_hash, c.name, c.scopes, c.created_at,
			o.redirect_uris, o.auth_method, o.grant_types, o.metadata
		FROM api_clients c JOIN oauth_clients o ON o.client_id = c.client_id
		WHERE c.client_id = ?`, clientID).Scan(
		&c.Client.ClientID, &c.Client.SecretHash, &c.Client.Name, &scopes, ts(&c.Client.CreatedAt),
		&uris, &c.AuthMethod, &grants, strDest{&meta})
	if err != nil {
		return store.OAuthClient{}, s.fail(fmt.Sprintf("OAuth client %q", clientID), err)
	}
	c.Client.Scopes = splitScopes(scopes)
	c.RedirectURIs = splitScopes(uris)
	c.GrantTypes = splitScopes(grants)
	c.Metadata = json.RawMessage(meta)
	return c, nil
}

const codeCols = `hash, grant_id, client_id, org_id, user_id, redirect_uri, scopes, code_challenge, created_at, expires_at, used_at`

func scanCode(r Row) (store.AuthorizationCode, error) {
	var c store.AuthorizationCode
	var scopes string
	err := r.Scan(&c.Hash, &c.GrantID, &c.ClientID, &c.OrgID, &c.UserID, &c.RedirectURI, &scopes, &c.CodeChallenge,
		ts(&c.CreatedAt), ts(&c.ExpiresAt), tsOpt(&c.UsedAt))
	c.Scopes = splitScopes(scopes)
	return c, err
}

// CreateAuthorizationCode implements store.OAuthStore.
func (s *Store) CreateAuthorizationCode(ctx context.Context, c store.AuthorizationCode) (store.AuthorizationCode, error) {
	const op = "create authorization code"
	if err := checkDigest(op, c.Hash); err != nil {
		return store.AuthorizationCode{}, err
	}
	if err := store.ValidateScopes(c.Scopes); err != nil {
		return store.AuthorizationCode{}, err
	}
	switch {
	case c.ClientID == "" || c.OrgID == "" || c.UserID == "":
		return store.AuthorizationCode{}, invalidf(op, "client, organization and user are required")
	case c.RedirectURI == "" || c.CodeChallenge == "":
		return store.AuthorizationCode{}, invalidf(op, "redirect URI and code challenge are required")
	case c.ExpiresAt.IsZero():
		return store.AuthorizationCode{}, invalidf(op, "expiry is required")
	}
	if c.GrantID == "" {
		c.GrantID = store.NewID()
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now()
	}
	c.CreatedAt, c.ExpiresAt, c.UsedAt = norm(c.CreatedAt), norm(c.ExpiresAt), nil
	_, err := s.w.Exec(ctx, `INSERT INTO authorization_codes (`+codeCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
		c.Hash, c.GrantID, c.ClientID, c.OrgID, c.UserID, c.RedirectURI, strings.Join(c.Scopes, " "), c.CodeChallenge,
		c.CreatedAt, c.ExpiresAt)
	if err != nil {
		return store.AuthorizationCode{}, s.fail(op, err)
	}
	return c, nil
}

// redeem marks the row of table with hash used at `at` when it is unused
// and unexpired, then reads it back: one conditional UPDATE decides which
// of several concurrent redemptions wins, on either database.
func redeem[T any](ctx context.Context, s *Store, op, table, cols string, scan func(Row) (T, error), used func(T) bool,
	hash []byte, at time.Time) (T, error) {
	var zero T
	if err := checkDigest(op, hash); err != nil {
		return zero, err
	}
	at = norm(at)
	n, err := s.w.Exec(ctx, `UPDATE `+table+` SET used_at = ? WHERE hash = ? AND used_at IS NULL AND expires_at > ?`, at, hash, at)
	if err != nil {
		return zero, s.fail(op, err)
	}
	v, err := scan(s.w.QueryRow(ctx, `SELECT `+cols+` FROM `+table+` WHERE hash = ?`, hash))
	if err != nil {
		return zero, s.fail(op, err)
	}
	switch {
	case n == 1:
		return v, nil
	case used(v):
		return v, &store.Error{Kind: store.ErrConflict, Op: "store: " + op, Err: errors.New("already used")}
	}
	return zero, notFound(op) // expired
}

// RedeemAuthorizationCode implements store.OAuthStore.
func (s *Store) RedeemAuthorizationCode(ctx context.Context, hash []byte, at time.Time) (store.AuthorizationCode, error) {
	return redeem(ctx, s, "redeem authorization code", "authorization_codes", codeCols, scanCode,
		func(c store.AuthorizationCode) bool { return c.UsedAt != nil }, hash, at)
}

const refreshCols = `hash, grant_id, client_id, org_id, user_id, scopes, created_at, expires_at, used_at`

func scanRefresh(r Row) (store.RefreshToken, error) {
	var t store.RefreshToken
	var scopes string
	err := r.Scan(&t.Hash, &t.GrantID, &t.ClientID, &t.OrgID, &t.UserID, &scopes,
		ts(&t.CreatedAt), ts(&t.ExpiresAt), tsOpt(&t.UsedAt))
	t.Scopes = splitScopes(scopes)
	return t, err
}

// CreateRefreshToken implements store.OAuthStore.
func (s *Store) CreateRefreshToken(ctx context.Context, t store.RefreshToken) (store.RefreshToken, error) {
	const op = "create refresh token"
	if err := checkDigest(op, t.Hash); err != nil {
		return store.RefreshToken{}, err
	}
	if err := store.ValidateScopes(t.Scopes); err != nil {
		return store.RefreshToken{}, err
	}
	switch {
	case t.GrantID == "" || t.ClientID == "" || t.OrgID == "" || t.UserID == "":
		return store.RefreshToken{}, invalidf(op, "grant, client, organization and user are required")
	case t.ExpiresAt.IsZero():
		return store.RefreshToken{}, invalidf(op, "expiry is required")
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = now()
	}
	t.CreatedAt, t.ExpiresAt, t.UsedAt = norm(t.CreatedAt), norm(t.ExpiresAt), nil
	_, err := s.w.Exec(ctx, `INSERT INTO refresh_tokens (`+refreshCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
		t.Hash, t.GrantID, t.ClientID, t.OrgID, t.UserID, strings.Join(t.Scopes, " "), t.CreatedAt, t.ExpiresAt)
	if err != nil {
		return store.RefreshToken{}, s.fail(op, err)
	}
	return t, nil
}

// RefreshToken implements store.OAuthStore.
func (s *Store) RefreshToken(ctx context.Context, hash []byte, at time.Time) (store.RefreshToken, error) {
	t, err := scanRefresh(s.r.QueryRow(ctx, `SELECT `+refreshCols+` FROM refresh_tokens
		WHERE hash = ? AND used_at IS NULL AND expires_at > ?`, hash, norm(at)))
	return t, s.fail("refresh token", err)
}

// RedeemRefreshToken implements store.OAuthStore.
func (s *Store) RedeemRefreshToken(ctx context.Context, hash []byte, at time.Time) (store.RefreshToken, error) {
	return redeem(ctx, s, "redeem refresh token", "refresh_tokens", refreshCols, scanRefresh,
		func(t store.RefreshToken) bool { return t.UsedAt != nil }, hash, at)
}

// RevokeGrant implements store.OAuthStore.
func (s *Store) RevokeGrant(ctx context.Context, grantID string) (int64, error) {
	if grantID == "" {
		return 0, invalidf("revoke grant", "grant id is required")
	}
	var total int64
	err := s.atomic(ctx, func(tx *Store) error {
		for _, table := range []string{"access_tokens", "refresh_tokens"} {
			n, err := tx.w.Exec(ctx, `DELETE FROM `+table+` WHERE grant_id = ?`, grantID)
			if err != nil {
				return tx.fail("revoke grant", err)
			}
			total += n
		}
		tx.authChanged()
		return nil
	})
	if err != nil {
		return 0, err
	}
	s.authChanged()
	return total, nil
}

// usedCodeRetention is how long used authorization codes are kept after
// they expire, so that a replay still finds them: at least the lifetime of
// the access tokens issued from them.
const usedCodeRetention = 24 * time.Hour

// DeleteExpiredOAuth implements store.OAuthStore.
func (s *Store) DeleteExpiredOAuth(ctx context.Context, at time.Time) (int64, error) {
	at = norm(at)
	var total int64
	for _, q := range []struct {
		sql string
		arg time.Time
	}{
		{`DELETE FROM refresh_tokens WHERE expires_at <= ?`, at},
		{`DELETE FROM authorization_codes WHERE expires_at <= ?`, at.Add(-usedCodeRetention)},
	} {
		n, err := s.w.Exec(ctx, q.sql, q.arg)
		if err != nil {
			return total, s.fail("delete expired OAuth codes and tokens", err)
		}
		total += n
	}
	return total, nil
}
