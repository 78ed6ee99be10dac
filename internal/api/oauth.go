package api

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/microcred/microcred/internal/auth"
	"github.com/microcred/microcred/internal/store"
)

// Scopes. The four OB 3.0 scopes are defined by the Open Badges 3.0 API;
// microcred:issue allows issuing through /credentials/issue and
// /api/v1/credentials.
const (
	ScopeCredentialRead   = "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.readonly"
	ScopeCredentialUpsert = "https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.upsert"
	ScopeProfileRead      = "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.readonly"
	ScopeProfileUpdate    = "https://purl.imsglobal.org/spec/ob/v3p0/scope/profile.update"
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
}

// token is POST /oauth/token: the OAuth 2.0 client credentials grant
// (RFC 6749 section 4.4) with client_secret_basic or client_secret_post
// client authentication.
func (a *API) token(w http.ResponseWriter, r *http.Request, _ *caller) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxTokenForm)
	if ct := mediaType(r.Header.Get("Content-Type")); ct != "application/x-www-form-urlencoded" {
		return &apiError{status: http.StatusBadRequest, code: "invalid_request",
			msg: "the token request must be application/x-www-form-urlencoded"}
	}
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return &apiError{status: http.StatusRequestEntityTooLarge, code: "invalid_request",
				msg: fmt.Sprintf("request body exceeds the limit of %d bytes", tooBig.Limit)}
		}
		return &apiError{status: http.StatusBadRequest, code: "invalid_request", msg: "malformed form body"}
	}
	form := r.PostForm
	// RFC 6749 section 3.2: parameters must not be repeated.
	for name, vs := range form {
		if len(vs) > 1 {
			return &apiError{status: http.StatusBadRequest, code: "invalid_request",
				msg: fmt.Sprintf("parameter %s is repeated", name)}
		}
	}
	switch gt := form.Get("grant_type"); gt {
	case "client_credentials":
	case "":
		return &apiError{status: http.StatusBadRequest, code: "invalid_request", msg: "grant_type is required"}
	default:
		return &apiError{status: http.StatusBadRequest, code: "unsupported_grant_type",
			msg: fmt.Sprintf("grant_type %q is not supported; use client_credentials", gt)}
	}

	client, err := a.authenticateClient(r, form)
	if err != nil {
		return err
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
	if _, err := a.store.CreateAccessToken(r.Context(), store.AccessToken{
		Hash: hash, ClientID: client.ClientID, Scopes: scopes, CreatedAt: now, ExpiresAt: now.Add(TokenLifetime),
	}); err != nil {
		return fmt.Errorf("store access token: %w", err)
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
// fields (never both, RFC 6749 section 2.3).
func (a *API) authenticateClient(r *http.Request, form url.Values) (store.APIClient, error) {
	basicID, basicSecret, hasBasic := r.BasicAuth()
	formID, formSecret := form.Get("client_id"), form.Get("client_secret")
	var id, secret string
	switch {
	case hasBasic && formSecret != "":
		return store.APIClient{}, &apiError{status: http.StatusBadRequest, code: "invalid_request",
			msg: "use either HTTP Basic or client_secret, not both"}
	case hasBasic:
		// RFC 6749 section 2.3.1: both parts are form-urlencoded before
		// Basic encoding.
		var err1, err2 error
		id, err1 = url.QueryUnescape(basicID)
		secret, err2 = url.QueryUnescape(basicSecret)
		if err1 != nil || err2 != nil {
			return store.APIClient{}, invalidClient("malformed HTTP Basic credentials")
		}
		if formID != "" && formID != id {
			return store.APIClient{}, &apiError{status: http.StatusBadRequest, code: "invalid_request",
				msg: "client_id does not match the HTTP Basic user"}
		}
	case formID != "" || formSecret != "":
		id, secret = formID, formSecret
	default:
		return store.APIClient{}, invalidClient("client authentication is required (HTTP Basic or client_id and client_secret)")
	}
	if id == "" || secret == "" {
		return store.APIClient{}, invalidClient("client_id and client_secret are required")
	}
	if !a.tokenLimiter.Allow(id) {
		return store.APIClient{}, &apiError{status: http.StatusTooManyRequests, code: "slow_down",
			msg: "too many token requests for this client", header: http.Header{"Retry-After": {"1"}}}
	}
	client, err := a.store.APIClient(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return store.APIClient{}, invalidClient("unknown client or wrong secret")
	}
	if err != nil {
		return store.APIClient{}, fmt.Errorf("load API client: %w", err)
	}
	ok, err := checkSecret(client.SecretHash, secret)
	if err != nil {
		return store.APIClient{}, fmt.Errorf("check secret of client %s: %w", client.ClientID, err)
	}
	if !ok {
		return store.APIClient{}, invalidClient("unknown client or wrong secret")
	}
	return client, nil
}

// checkSecret compares secret with a stored hash: an argon2id PHC string or
// a SHA-256 digest.
func checkSecret(stored []byte, secret string) (bool, error) {
	if strings.HasPrefix(string(stored), "$argon2id$") {
		return auth.CheckPassword(string(stored), secret)
	}
	return subtle.ConstantTimeCompare(stored, auth.HashToken(secret)) == 1, nil
}

// invalidClient is the RFC 6749 invalid_client error: 401 with a Basic
// challenge, since the client may authenticate with HTTP Basic.
func invalidClient(msg string) *apiError {
	return &apiError{status: http.StatusUnauthorized, code: "invalid_client", msg: msg,
		header: http.Header{"Www-Authenticate": {`Basic realm="microcred", charset="UTF-8"`}}}
}

// authenticate resolves the request's bearer token to its client and
// organization, checks that the token carries scope, and applies the
// client's rate limit.
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
	invalid := func(msg string) error {
		return &apiError{status: http.StatusUnauthorized, code: "unauthorizedrequest", msg: msg,
			header: http.Header{"Www-Authenticate": {`Bearer realm="microcred", error="invalid_token", error_description="` + msg + `"`}}}
	}
	ctx := r.Context()
	at, err := a.store.AccessToken(ctx, auth.HashToken(tok))
	if errors.Is(err, store.ErrNotFound) {
		return nil, invalid("the access token is invalid or expired")
	}
	if err != nil {
		return nil, fmt.Errorf("load access token: %w", err)
	}
	if !a.now().Before(at.ExpiresAt) {
		return nil, invalid("the access token is invalid or expired")
	}
	client, err := a.store.APIClient(ctx, at.ClientID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, invalid("the access token's client no longer exists")
	}
	if err != nil {
		return nil, fmt.Errorf("load API client: %w", err)
	}
	if a.limiter != nil && !a.limiter.Allow(client.ClientID) {
		return nil, &apiError{status: http.StatusTooManyRequests, msg: "rate limit exceeded; retry later",
			header: http.Header{"Retry-After": {a.retryAfter}}}
	}
	if !slices.Contains(at.Scopes, scope) {
		return nil, &apiError{status: http.StatusForbidden, code: "forbidden",
			msg:    fmt.Sprintf("the access token lacks the scope %s", scope),
			header: http.Header{"Www-Authenticate": {`Bearer realm="microcred", error="insufficient_scope", scope="` + scope + `"`}}}
	}
	org, err := a.store.Organization(ctx, client.OrgID)
	if err != nil {
		return nil, fmt.Errorf("load organization of client %s: %w", client.ClientID, err)
	}
	return &caller{client: client, org: org, scopes: at.Scopes}, nil
}

// mediaType returns the lower-cased media type of a Content-Type value,
// without parameters.
func mediaType(ct string) string {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}
