package sqlcore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/store"
)

func checkDigest(op string, b []byte) error {
	if len(b) != 32 {
		return &store.Error{Kind: store.ErrInvalid, Op: "store: " + op, Err: fmt.Errorf("digest is %d bytes, want 32 (SHA-256)", len(b))}
	}
	return nil
}

const sessionCols = `id, user_id, csrf_secret, created_at, expires_at`

func scanSession(r Row) (store.Session, error) {
	var x store.Session
	err := r.Scan(&x.ID, &x.UserID, &x.CSRFSecret, ts(&x.CreatedAt), ts(&x.ExpiresAt))
	return x, err
}

// CreateSession implements store.Store.
func (s *Store) CreateSession(ctx context.Context, x store.Session) (store.Session, error) {
	const op = "create session"
	if err := checkDigest(op, x.ID); err != nil {
		return store.Session{}, err
	}
	if x.ExpiresAt.IsZero() {
		return store.Session{}, &store.Error{Kind: store.ErrInvalid, Op: "store: " + op, Err: fmt.Errorf("expiry is required")}
	}
	if x.CreatedAt.IsZero() {
		x.CreatedAt = now()
	}
	x.CreatedAt, x.ExpiresAt = norm(x.CreatedAt), norm(x.ExpiresAt)
	_, err := s.w.Exec(ctx, `INSERT INTO sessions (`+sessionCols+`) VALUES (?, ?, ?, ?, ?)`,
		x.ID, x.UserID, x.CSRFSecret, x.CreatedAt, x.ExpiresAt)
	if err != nil {
		return store.Session{}, s.fail(op, err)
	}
	return x, nil
}

// Session implements store.Store.
func (s *Store) Session(ctx context.Context, id []byte) (store.Session, error) {
	x, err := scanSession(s.r.QueryRow(ctx, `SELECT `+sessionCols+` FROM sessions WHERE id = ? AND expires_at > ?`, id, now()))
	return x, s.fail("session", err)
}

// DeleteSession implements store.Store.
func (s *Store) DeleteSession(ctx context.Context, id []byte) error {
	n, err := s.w.Exec(ctx, `DELETE FROM sessions WHERE id = ?`, id)
	return expectOne("delete session", n, err, s)
}

// DeleteUserSessions implements store.Store: sign a user out everywhere.
func (s *Store) DeleteUserSessions(ctx context.Context, userID string) (int64, error) {
	n, err := s.w.Exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
	return n, s.fail(fmt.Sprintf("delete sessions of %q", userID), err)
}

// DeleteExpiredSessions implements store.Store: sessions with expiry at or
// before now.
func (s *Store) DeleteExpiredSessions(ctx context.Context, at time.Time) (int64, error) {
	n, err := s.w.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, norm(at))
	return n, s.fail("delete expired sessions", err)
}

// splitScopes undoes the space-joined storage form.
func splitScopes(s string) []string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return nil
	}
	return f
}

const clientCols = `client_id, secret_hash, org_id, name, scopes, created_at`

func scanClient(r Row) (store.APIClient, error) {
	var c store.APIClient
	var scopes string
	// org_id is NULL for dynamically registered clients (see oauth.go).
	err := r.Scan(&c.ClientID, &c.SecretHash, strDest{&c.OrgID}, &c.Name, &scopes, ts(&c.CreatedAt))
	c.Scopes = splitScopes(scopes)
	return c, err
}

// CreateAPIClient implements store.Store.
func (s *Store) CreateAPIClient(ctx context.Context, c store.APIClient) (store.APIClient, error) {
	if err := store.ValidateScopes(c.Scopes); err != nil {
		return store.APIClient{}, err
	}
	if c.ClientID == "" {
		c.ClientID = store.NewID()
	}
	if len(c.SecretHash) == 0 {
		return store.APIClient{}, &store.Error{Kind: store.ErrInvalid, Op: "store: create API client", Err: fmt.Errorf("secret hash is required")}
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now()
	}
	c.CreatedAt = norm(c.CreatedAt)
	_, err := s.w.Exec(ctx, `INSERT INTO api_clients (`+clientCols+`) VALUES (?, ?, ?, ?, ?, ?)`,
		c.ClientID, c.SecretHash, c.OrgID, c.Name, strings.Join(c.Scopes, " "), c.CreatedAt)
	if err != nil {
		return store.APIClient{}, s.fail(fmt.Sprintf("create API client %q", c.Name), err)
	}
	return c, nil
}

// APIClient implements store.Store.
func (s *Store) APIClient(ctx context.Context, clientID string) (store.APIClient, error) {
	c, err := scanClient(s.r.QueryRow(ctx, `SELECT `+clientCols+` FROM api_clients WHERE client_id = ?`, clientID))
	return c, s.fail(fmt.Sprintf("API client %q", clientID), err)
}

// ListAPIClients implements store.Store, oldest first.
func (s *Store) ListAPIClients(ctx context.Context, orgID string) ([]store.APIClient, error) {
	rows, err := s.r.Query(ctx, `SELECT `+clientCols+` FROM api_clients WHERE org_id = ? ORDER BY created_at, client_id`, orgID)
	if err != nil {
		return nil, s.fail("list API clients", err)
	}
	return collect(rows, scanClient, s, "list API clients")
}

// DeleteAPIClient implements store.Store; the client's tokens go with it.
func (s *Store) DeleteAPIClient(ctx context.Context, clientID string) error {
	n, err := s.w.Exec(ctx, `DELETE FROM api_clients WHERE client_id = ?`, clientID)
	s.authChanged()
	return expectOne(fmt.Sprintf("delete API client %q", clientID), n, err, s)
}

const tokenCols = `hash, client_id, scopes, created_at, expires_at, org_id, user_id, grant_id`

func scanToken(r Row) (store.AccessToken, error) {
	var t store.AccessToken
	var scopes string
	err := r.Scan(&t.Hash, &t.ClientID, &scopes, ts(&t.CreatedAt), ts(&t.ExpiresAt),
		strDest{&t.OrgID}, strDest{&t.UserID}, strDest{&t.GrantID})
	t.Scopes = splitScopes(scopes)
	return t, err
}

// CreateAccessToken implements store.Store.
func (s *Store) CreateAccessToken(ctx context.Context, t store.AccessToken) (store.AccessToken, error) {
	const op = "create access token"
	if err := checkDigest(op, t.Hash); err != nil {
		return store.AccessToken{}, err
	}
	if err := store.ValidateScopes(t.Scopes); err != nil {
		return store.AccessToken{}, err
	}
	if t.ExpiresAt.IsZero() {
		return store.AccessToken{}, &store.Error{Kind: store.ErrInvalid, Op: "store: " + op, Err: fmt.Errorf("expiry is required")}
	}
	if t.CreatedAt.IsZero() {
		t.CreatedAt = now()
	}
	t.CreatedAt, t.ExpiresAt = norm(t.CreatedAt), norm(t.ExpiresAt)
	_, err := s.w.Exec(ctx, `INSERT INTO access_tokens (`+tokenCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		t.Hash, t.ClientID, strings.Join(t.Scopes, " "), t.CreatedAt, t.ExpiresAt, nstr(t.OrgID), nstr(t.UserID), nstr(t.GrantID))
	if err != nil {
		return store.AccessToken{}, s.fail(op, err)
	}
	return t, nil
}

// AccessToken implements store.Store.
func (s *Store) AccessToken(ctx context.Context, hash []byte) (store.AccessToken, error) {
	t, err := scanToken(s.r.QueryRow(ctx, `SELECT `+tokenCols+` FROM access_tokens WHERE hash = ? AND expires_at > ?`, hash, now()))
	return t, s.fail("access token", err)
}

// DeleteAccessToken implements store.Store (revocation).
func (s *Store) DeleteAccessToken(ctx context.Context, hash []byte) error {
	n, err := s.w.Exec(ctx, `DELETE FROM access_tokens WHERE hash = ?`, hash)
	s.authChanged()
	return expectOne("delete access token", n, err, s)
}

// DeleteExpiredAccessTokens implements store.Store.
func (s *Store) DeleteExpiredAccessTokens(ctx context.Context, at time.Time) (int64, error) {
	n, err := s.w.Exec(ctx, `DELETE FROM access_tokens WHERE expires_at <= ?`, norm(at))
	return n, s.fail("delete expired access tokens", err)
}

const keyCols = `id, org_id, verification_method, public_key_multibase, sealed_private_key, suite, created_at, retired_at`

func scanKey(r Row) (store.SigningKey, error) {
	var k store.SigningKey
	err := r.Scan(&k.ID, &k.OrgID, &k.VerificationMethod, &k.PublicKeyMultibase, &k.SealedPrivateKey, &k.Suite,
		ts(&k.CreatedAt), tsOpt(&k.RetiredAt))
	return k, err
}

// CreateSigningKey implements store.Store.
func (s *Store) CreateSigningKey(ctx context.Context, k store.SigningKey) (store.SigningKey, error) {
	const op = "create signing key"
	if k.VerificationMethod == "" || k.PublicKeyMultibase == "" || len(k.SealedPrivateKey) == 0 {
		return store.SigningKey{}, &store.Error{Kind: store.ErrInvalid, Op: "store: " + op,
			Err: fmt.Errorf("verification method, public key and sealed private key are required")}
	}
	if k.ID == "" {
		k.ID = store.NewID()
	}
	if k.CreatedAt.IsZero() {
		k.CreatedAt = now()
	}
	k.CreatedAt, k.RetiredAt = norm(k.CreatedAt), normPtr(k.RetiredAt)
	_, err := s.w.Exec(ctx, `INSERT INTO signing_keys (`+keyCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		k.ID, k.OrgID, k.VerificationMethod, k.PublicKeyMultibase, k.SealedPrivateKey, k.Suite, k.CreatedAt, tsArg(k.RetiredAt))
	if err != nil {
		return store.SigningKey{}, s.fail(fmt.Sprintf("%s %q", op, k.VerificationMethod), err)
	}
	return k, nil
}

// SigningKey implements store.Store.
func (s *Store) SigningKey(ctx context.Context, id string) (store.SigningKey, error) {
	k, err := scanKey(s.r.QueryRow(ctx, `SELECT `+keyCols+` FROM signing_keys WHERE id = ?`, id))
	return k, s.fail(fmt.Sprintf("signing key %q", id), err)
}

// SigningKeyByVerificationMethod implements store.Store; retired keys are
// found too, since verification still needs them.
func (s *Store) SigningKeyByVerificationMethod(ctx context.Context, vm string) (store.SigningKey, error) {
	k, err := scanKey(s.r.QueryRow(ctx, `SELECT `+keyCols+` FROM signing_keys WHERE verification_method = ?`, vm))
	return k, s.fail(fmt.Sprintf("signing key %q", vm), err)
}

// ActiveSigningKey implements store.Store.
func (s *Store) ActiveSigningKey(ctx context.Context, orgID string) (store.SigningKey, error) {
	k, err := scanKey(s.r.QueryRow(ctx, `SELECT `+keyCols+` FROM signing_keys
		WHERE org_id = ? AND retired_at IS NULL ORDER BY created_at DESC, id DESC LIMIT 1`, orgID))
	return k, s.fail(fmt.Sprintf("active signing key of %q", orgID), err)
}

// ListSigningKeys implements store.Store: every key of the organization,
// retired ones included, oldest first.
func (s *Store) ListSigningKeys(ctx context.Context, orgID string) ([]store.SigningKey, error) {
	rows, err := s.r.Query(ctx, `SELECT `+keyCols+` FROM signing_keys WHERE org_id = ? ORDER BY created_at, id`, orgID)
	if err != nil {
		return nil, s.fail("list signing keys", err)
	}
	return collect(rows, scanKey, s, "list signing keys")
}

// RetireSigningKey implements store.Store. Retiring a retired key keeps its
// first retirement time.
func (s *Store) RetireSigningKey(ctx context.Context, id string, at time.Time) error {
	n, err := s.w.Exec(ctx, `UPDATE signing_keys SET retired_at = COALESCE(retired_at, ?) WHERE id = ?`, norm(at), id)
	return expectOne(fmt.Sprintf("retire signing key %q", id), n, err, s)
}
