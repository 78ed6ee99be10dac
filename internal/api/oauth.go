package api

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/auth"
	"github.com/microcred/microcred/internal/store"
)

// Scopes. The four OB 3.0 scopes are defined by the Open Badges 3.0 API;
// microcred:issue allows issuing through /credentials/issue and
// /api/v1/credentials.
const (
	ScopeCredentialRead   = store.ScopeOBCredentialRead
	ScopeCredentialUpsert = store.ScopeOBCredentialUpsert
	ScopeProfileRead      = store.ScopeOBProfileRead
	ScopeProfileUpdate    = store.ScopeOBProfileUpdate
	ScopeIssue            = "microcred:issue"
)

// Scopes lists every scope with its description, in the order clients see
// them.
var Scopes = []struct{ Name, Description string }{
	{ScopeCredentialRead, "Permission to read AchievementCredentials for the authenticated entity."},
	{ScopeCredentialUpsert, "Permission to create or update AchievementCredentials for the authenticated entity."},
	{ScopeProfileRead, "Permission to read the profile for the authenticated entity."},
	{ScopeProfileUpdate, "Permission to update the profile for the authenticated entity."},
	{ScopeIssue, "Permission to issue credentials in the name of the organization (VC-API and microcred issuing API)."},
}

// maxTokenForm bounds the token request body; it holds a few short fields.
const maxTokenForm = 64 << 10

// caller is the authenticated API client of a request.
type caller struct {
	client store.APIClient
	org    store.Organization
	scopes []string
	// userID is the user whose grant the token came from; "" for client
	// credentials tokens.
	userID string
}

// parseOAuthForm reads an application/x-www-form-urlencoded OAuth request
// (token, revocation) and refuses repeated parameters (RFC 6749 section
// 3.2).
func parseOAuthForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxTokenForm)
	if ct := mediaType(r.Header.Get("Content-Type")); ct != "application/x-www-form-urlencoded" {
		return nil, &apiError{status: http.StatusBadRequest, code: "invalid_request",
			msg: "the request must be application/x-www-form-urlencoded"}
	}
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, &apiError{status: http.StatusRequestEntityTooLarge, code: "invalid_request",
				msg: fmt.Sprintf("request body exceeds the limit of %d bytes", tooBig.Limit)}
		}
		return nil, &apiError{status: http.StatusBadRequest, code: "invalid_request", msg: "malformed form body"}
	}
	form := r.PostForm
	// RFC 6749 section 3.2: parameters must not be repeated.
	for name, vs := range form {
		if len(vs) > 1 {
			return nil, &apiError{status: http.StatusBadRequest, code: "invalid_request",
				msg: fmt.Sprintf("parameter %s is repeated", name)}
		}
	}
	return form, nil
}

// token is POST /oauth/token: the client credentials grant (RFC 6749
// section 4.4) for an organization's API clients, and the authorization
// code (section 4.1, with PKCE) and refresh token (section 6) grants for
// dynamically registered clients (oauth_grants.go). Clients authenticate
// with client_secret_basic or client_secret_post.
func (a *API) token(w http.ResponseWriter, r *http.Request, _ *caller) error {
	form, err := parseOAuthForm(w, r)
	if err != nil {
		return err
	}
	gt := form.Get("grant_type")
	switch gt {
	case "client_credentials", "authorization_code", "refresh_token":
	case "":
		return &apiError{status: http.StatusBadRequest, code: "invalid_request", msg: "grant_type is required"}
	default:
		return &apiError{status: http.StatusBadRequest, code: "unsupported_grant_type",
			msg: fmt.Sprintf("grant_type %q is not supported; use client_credentials, authorization_code or refresh_token", gt)}
	}
	client, method, err := a.authenticateClient(r, form)
	if err != nil {
		return err
	}
	switch gt {
	case "authorization_code":
		return a.codeGrant(w, r, form, client, method)
	case "refresh_token":
		return a.refreshGrant(w, r, form, client, method)
	}
	if client.OrgID == "" {
		return &apiError{status: http.StatusBadRequest, code: "unauthorized_client",
			msg: "a dynamically registered client uses the authorization_code grant; client_credentials is for an organization's API clients"}
	}

	scopes := client.Scopes
	if s := strings.TrimSpace(form.Get("scope")); s != "" {
		scopes = nil
		for tok := range strings.FieldsSeq(s) {
			if !slices.Contains(client.Scopes, tok) {
				return &apiError{status: http.StatusBadRequest, code: "invalid_scope",
					msg: fmt.Sprintf("scope %q is not granted to this client", tok)}
			}
			if !slices.Contains(scopes, tok) {
				scopes = append(scopes, tok)
			}
		}
	}
	if len(scopes) == 0 {
		return &apiError{status: http.StatusBadRequest, code: "invalid_scope", msg: "the client has no scopes"}
	}

	tok, hash := auth.NewToken()
	now := a.now().UTC()
	err = a.store.WithTx(r.Context(), func(tx store.Store) error {
		if _, err := tx.CreateAccessToken(r.Context(), store.AccessToken{
			Hash: hash, ClientID: client.ClientID, Scopes: scopes, CreatedAt: now, ExpiresAt: now.Add(TokenLifetime),
		}); err != nil {
			return fmt.Errorf("store access token: %w", err)
		}
		return a.audit(r.Context(), tx, client.OrgID, client.ClientID, "oauth.token", client.ClientID, map[string]any{
			"grant_type": "client_credentials", "scope": strings.Join(scopes, " ")})
	})
	if err != nil {
		return err
	}
	a.log.InfoContext(r.Context(), "access token issued", "client", client.ClientID, "scope", strings.Join(scopes, " "))
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok,
		"token_type":   "Bearer",
		"expires_in":   int(TokenLifetime.Seconds()),
		"scope":        strings.Join(scopes, " "),
	})
	return nil
}

// authenticateClient checks the client's credentials, given either in an
// HTTP Basic Authorization header or as client_id and client_secret form
// fields (never both, RFC 6749 section 2.3), and returns the method used.
// A dynamically registered client must use the method it registered.
func (a *API) authenticateClient(r *http.Request, form url.Values) (store.APIClient, string, error) {
	basicID, basicSecret, hasBasic := r.BasicAuth()
	formID, formSecret := form.Get("client_id"), form.Get("client_secret")
	var id, secret, method string
	switch {
	case hasBasic && formSecret != "":
		return store.APIClient{}, "", &apiError{status: http.StatusBadRequest, code: "invalid_request",
			msg: "use either HTTP Basic or client_secret, not both"}
	case hasBasic:
		// RFC 6749 section 2.3.1: both parts are form-urlencoded before
		// Basic encoding.
		var err1, err2 error
		id, err1 = url.QueryUnescape(basicID)
		secret, err2 = url.QueryUnescape(basicSecret)
		if err1 != nil || err2 != nil {
			return store.APIClient{}, "", invalidClient("malformed HTTP Basic credentials")
		}
		if formID != "" && formID != id {
			return store.APIClient{}, "", &apiError{status: http.StatusBadRequest, code: "invalid_request",
				msg: "client_id does not match the HTTP Basic user"}
		}
		method = store.AuthClientSecretBasic
	case formID != "" || formSecret != "":
		id, secret, method = formID, formSecret, store.AuthClientSecretPost
	default:
		return store.APIClient{}, "", invalidClient("client authentication is required (HTTP Basic or client_id and client_secret)")
	}
	if id == "" || secret == "" {
		return store.APIClient{}, "", invalidClient("client_id and client_secret are required")
	}
	client, err := a.store.APIClient(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return store.APIClient{}, "", a.clientAuthFailed(r, id)
	}
	if err != nil {
		return store.APIClient{}, "", fmt.Errorf("load API client: %w", err)
	}
	ok, err := a.checkSecret(r.Context(), client.SecretHash, secret)
	if errors.Is(err, auth.ErrBusy) {
		return store.APIClient{}, "", &apiError{status: http.StatusServiceUnavailable, code: "temporarily_unavailable",
			msg: "the server is busy; retry shortly", header: http.Header{"Retry-After": {"2"}}}
	}
	if err != nil {
		return store.APIClient{}, "", fmt.Errorf("check secret of client %s: %w", client.ClientID, err)
	}
	if !ok {
		return store.APIClient{}, "", a.clientAuthFailed(r, id)
	}
	return client, method, nil
}

// clientAuthFailed records a failed client authentication against the
// client id with the source address, and against the source address alone
// (a source trying many client ids), and returns invalid_client, or 429
// once the source has failed too often. Only the failing source is slowed
// down: the real client, elsewhere, keeps getting tokens.
func (a *API) clientAuthFailed(r *http.Request, clientID string) error {
	src := auth.AddrKey(r.RemoteAddr)
	pair := a.tokenFailures.Allow(clientID + "\x00" + src)
	addr := a.tokenFailuresByAddr.Allow(src)
	if !pair || !addr {
		return &apiError{status: http.StatusTooManyRequests, code: "slow_down",
			msg: "too many failed client authentications from this address; wait before retrying", header: http.Header{"Retry-After": {"3"}}}
	}
	return invalidClient("unknown client or wrong secret")
}

// checkSecret compares secret with a stored hash: an argon2id PHC string or
// a SHA-256 digest. An argon2id check runs under the password gate and
// fails with auth.ErrBusy when the server has too many in hand.
func (a *API) checkSecret(ctx context.Context, stored []byte, secret string) (bool, error) {
	if strings.HasPrefix(string(stored), "$argon2id$") {
		return a.gate.CheckPassword(ctx, string(stored), secret)
	}
	return subtle.ConstantTimeCompare(stored, auth.HashToken(secret)) == 1, nil
}

// invalidClient is the RFC 6749 invalid_client error: 401 with a Basic
// challenge, since the client may authenticate with HTTP Basic.
func invalidClient(msg string) *apiError {
	return &apiError{status: http.StatusUnauthorized, code: "invalid_client", msg: msg,
		header: http.Header{"Www-Authenticate": {`Basic realm="microcred", charset="UTF-8"`}}}
}

// authenticate resolves the request's bearer token to its client,
// organization and (for the authorization code grant) user, checks that the
// token carries scope, and applies the client's rate limit. Validated
// tokens are cached briefly (tokenCache), so most requests read nothing
// from the store here.
func (a *API) authenticate(r *http.Request, scope string) (*caller, error) {
	h := r.Header.Get("Authorization")
	scheme, tok, _ := strings.Cut(h, " ")
	tok = strings.TrimSpace(tok)
	if h == "" || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		// RFC 6750 section 3.1: a request without credentials gets a bare
		// challenge, without an error code.
		msg := "a bearer token is required"
		if h != "" {
			msg = "the Authorization header must be \"Bearer <token>\""
		}
		return nil, &apiError{status: http.StatusUnauthorized, code: "unauthorizedrequest", msg: msg,
			header: http.Header{"Www-Authenticate": {`Bearer realm="microcred"`}}}
	}
	var key [32]byte
	copy(key[:], auth.HashToken(tok))
	now := a.now()
	c, ok := a.tokens.get(key, now, a.authEpoch())
	if !ok {
		// Read the epoch before the store: a revocation that lands while
		// the token is being resolved moves it, and the entry is dropped.
		epoch := a.authEpoch()
		var expires time.Time
		var err error
		if c, expires, err = a.resolveToken(r.Context(), key[:], now); err != nil {
			return nil, err
		}
		a.tokens.put(key, c, expires, now, epoch)
	}
	if a.limiter != nil && !a.limiter.Allow(c.client.ClientID) {
		return nil, &apiError{status: http.StatusTooManyRequests, msg: "rate limit exceeded; retry later",
			header: http.Header{"Retry-After": {a.retryAfter}}}
	}
	if !slices.Contains(c.scopes, scope) {
		return nil, &apiError{status: http.StatusForbidden, code: "forbidden",
			msg:    fmt.Sprintf("the access token lacks the scope %s", scope),
			header: http.Header{"Www-Authenticate": {`Bearer realm="microcred", error="insufficient_scope", scope="` + scope + `"`}}}
	}
	return c, nil
}

// invalidToken is the RFC 6750 invalid_token error.
func invalidToken(msg string) error {
	return &apiError{status: http.StatusUnauthorized, code: "unauthorizedrequest", msg: msg,
		header: http.Header{"Www-Authenticate": {`Bearer realm="microcred", error="invalid_token", error_description="` + msg + `"`}}}
}

// resolveToken loads what a bearer token stands for from the store and
// returns it with the token's expiry. A token of a user's grant is checked
// against the user's current role: a user who lost the role that allowed a
// scope can no longer lend it to a client.
func (a *API) resolveToken(ctx context.Context, hash []byte, now time.Time) (*caller, time.Time, error) {
	at, err := a.store.AccessToken(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return nil, time.Time{}, invalidToken("the access token is invalid or expired")
	}
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("load access token: %w", err)
	}
	if !now.Before(at.ExpiresAt) {
		return nil, time.Time{}, invalidToken("the access token is invalid or expired")
	}
	client, err := a.store.APIClient(ctx, at.ClientID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, time.Time{}, invalidToken("the access token's client no longer exists")
	}
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("load API client: %w", err)
	}
	orgID := client.OrgID
	if at.OrgID != "" {
		orgID = at.OrgID
		if at.UserID != "" {
			if err := a.checkGrantRole(ctx, orgID, at.UserID, at.Scopes); err != nil {
				var e *apiError
				if errors.As(err, &e) {
					return nil, time.Time{}, invalidToken("the access token's grant is no longer valid: " + e.msg)
				}
				return nil, time.Time{}, err
			}
		}
	}
	if orgID == "" {
		return nil, time.Time{}, invalidToken("the access token is not bound to an organization")
	}
	org, err := a.store.Organization(ctx, orgID)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("load organization %s of client %s: %w", orgID, client.ClientID, err)
	}
	return &caller{client: client, org: org, scopes: at.Scopes, userID: at.UserID}, at.ExpiresAt, nil
}

// checkGrantRole checks that the user still holds, in the organization, a
// role that may grant every scope. A failure is an *apiError naming the
// problem.
func (a *API) checkGrantRole(ctx context.Context, orgID, userID string, scopes []string) error {
	m, err := a.store.Membership(ctx, orgID, userID)
	if errors.Is(err, store.ErrNotFound) {
		return &apiError{status: http.StatusBadRequest, code: "invalid_grant", msg: "the user who authorized the client is no longer a member of the organization"}
	}
	if err != nil {
		return fmt.Errorf("load membership: %w", err)
	}
	for _, sc := range scopes {
		need, ok := store.GrantableRole(sc)
		if !ok || !m.Role.AtLeast(need) {
			return &apiError{status: http.StatusBadRequest, code: "invalid_grant",
				msg: fmt.Sprintf("the user's role %s no longer allows the scope %s", m.Role, sc)}
		}
	}
	return nil
}

// authEpoch is the store's count of token-invalidating changes, or 0 when
// the store does not keep one (and the cache is then off, see New).
func (a *API) authEpoch() uint64 {
	if e, ok := a.store.(store.AuthEpoch); ok {
		return e.AuthEpoch()
	}
	return 0
}

// audit appends an audit event through st (a transaction, usually).
// detail must never hold a secret, a token or a code.
func (a *API) audit(ctx context.Context, st store.Store, orgID, actor, action, target string, detail map[string]any) error {
	var raw json.RawMessage
	if detail != nil {
		b, err := json.Marshal(detail)
		if err != nil {
			return fmt.Errorf("audit %s: %w", action, err)
		}
		raw = b
	}
	if _, err := st.AppendAudit(ctx, store.AuditEvent{OrgID: orgID, Actor: actor, Action: action, Target: target,
		Detail: raw, CreatedAt: a.now().UTC()}); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// mediaType returns the lower-cased media type of a Content-Type value,
// without parameters.
func mediaType(ct string) string {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}
