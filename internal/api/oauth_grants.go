package api

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
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

// RefreshTokenLifetime is how long a refresh token stays valid. Each use
// replaces it with a new one that lives as long again, so a client in
// regular use keeps its grant until the user or the client revokes it.
const RefreshTokenLifetime = 30 * 24 * time.Hour

// invalidGrant is the RFC 6749 section 5.2 invalid_grant error.
func invalidGrant(msg string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "invalid_grant", msg: msg}
}

// registeredClient loads the registration of a dynamically registered
// client and checks that it authenticated with the method it registered
// and may use grant.
func (a *API) registeredClient(ctx context.Context, client store.APIClient, method, grant string) (store.OAuthClient, error) {
	oc, err := a.store.OAuthClient(ctx, client.ClientID)
	if errors.Is(err, store.ErrNotFound) {
		return store.OAuthClient{}, &apiError{status: http.StatusBadRequest, code: "unauthorized_client",
			msg: "only dynamically registered clients may use the " + grant + " grant"}
	}
	if err != nil {
		return store.OAuthClient{}, fmt.Errorf("load client registration: %w", err)
	}
	if method != oc.AuthMethod {
		return store.OAuthClient{}, invalidClient("the client registered " + oc.AuthMethod + " as its token endpoint authentication method")
	}
	if !slices.Contains(oc.GrantTypes, grant) {
		return store.OAuthClient{}, &apiError{status: http.StatusBadRequest, code: "unauthorized_client",
			msg: "the client did not register the " + grant + " grant type"}
	}
	return oc, nil
}

// narrowScopes applies an optional scope parameter of a token request: it
// must be a subset of granted (RFC 6749 sections 4.1.3 and 6).
func narrowScopes(param string, granted []string) ([]string, error) {
	if strings.TrimSpace(param) == "" {
		return granted, nil
	}
	var out []string
	for tok := range strings.FieldsSeq(param) {
		if !slices.Contains(granted, tok) {
			return nil, &apiError{status: http.StatusBadRequest, code: "invalid_scope",
				msg: fmt.Sprintf("scope %q was not granted", tok)}
		}
		if !slices.Contains(out, tok) {
			out = append(out, tok)
		}
	}
	return out, nil
}

// verifyPKCE checks a code_verifier (RFC 7636 section 4.1: 43 to 128
// unreserved characters) against an S256 challenge.
func verifyPKCE(verifier, challenge string) error {
	if n := len(verifier); n < 43 || n > 128 {
		return invalidGrant("code_verifier must be 43 to 128 characters")
	}
	for _, c := range []byte(verifier) {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return invalidGrant("code_verifier contains a character outside A-Z a-z 0-9 - . _ ~")
		}
	}
	sum := sha256.Sum256([]byte(verifier))
	got := base64.RawURLEncoding.EncodeToString(sum[:])
	if subtle.ConstantTimeCompare([]byte(got), []byte(challenge)) != 1 {
		return invalidGrant("code_verifier does not match the code_challenge")
	}
	return nil
}

// codeGrant is grant_type=authorization_code (RFC 6749 section 4.1.3 with
// PKCE, RFC 7636). The code is redeemed before anything else is checked,
// so every attempt consumes it: a wrong verifier cannot be retried. A code
// presented a second time revokes every token issued from it.
func (a *API) codeGrant(w http.ResponseWriter, r *http.Request, form url.Values, client store.APIClient, method string) error {
	ctx := r.Context()
	if _, err := a.registeredClient(ctx, client, method, grantAuthorizationCode); err != nil {
		return err
	}
	code, redirect, verifier := form.Get("code"), form.Get("redirect_uri"), form.Get("code_verifier")
	switch {
	case code == "":
		return &apiError{status: http.StatusBadRequest, code: "invalid_request", msg: "code is required"}
	case redirect == "":
		return &apiError{status: http.StatusBadRequest, code: "invalid_request", msg: "redirect_uri is required"}
	case verifier == "":
		return &apiError{status: http.StatusBadRequest, code: "invalid_request", msg: "code_verifier is required (PKCE)"}
	}
	ac, err := a.store.RedeemAuthorizationCode(ctx, auth.HashToken(code), a.now().UTC())
	switch {
	case errors.Is(err, store.ErrConflict):
		a.revokeReplayedGrant(ctx, ac.OrgID, client.ClientID, ac.GrantID, "authorization code")
		return invalidGrant("the authorization code was already used; the tokens issued from it are revoked")
	case errors.Is(err, store.ErrNotFound):
		return invalidGrant("the authorization code is invalid or expired")
	case err != nil:
		return fmt.Errorf("redeem authorization code: %w", err)
	}
	if ac.ClientID != client.ClientID {
		return invalidGrant("the authorization code was issued to another client")
	}
	if ac.RedirectURI != redirect {
		return invalidGrant("redirect_uri differs from the one of the authorization request")
	}
	if err := verifyPKCE(verifier, ac.CodeChallenge); err != nil {
		return err
	}
	scopes, err := narrowScopes(form.Get("scope"), ac.Scopes)
	if err != nil {
		return err
	}
	if err := a.checkGrantRole(ctx, ac.OrgID, ac.UserID, scopes); err != nil {
		return err
	}
	return a.issueGrantTokens(w, r, client, grantAuthorizationCode, ac.GrantID, ac.OrgID, ac.UserID, scopes)
}

// refreshGrant is grant_type=refresh_token (RFC 6749 section 6). Refresh
// tokens rotate: the one presented is used up and a new one is returned.
// Presenting a used one again means it leaked (or the client lost a
// response), and the whole grant is revoked (OAuth 2.0 Security BCP).
//
// The request is validated against the live token before it is redeemed:
// a request refused for its scope, its client or the user's role leaves the
// refresh token (and the grant) as they were, so a client's mistake does
// not cost the user their grant.
func (a *API) refreshGrant(w http.ResponseWriter, r *http.Request, form url.Values, client store.APIClient, method string) error {
	ctx := r.Context()
	if _, err := a.registeredClient(ctx, client, method, grantRefreshToken); err != nil {
		return err
	}
	tok := form.Get("refresh_token")
	if tok == "" {
		return &apiError{status: http.StatusBadRequest, code: "invalid_request", msg: "refresh_token is required"}
	}
	hash := auth.HashToken(tok)
	live, err := a.store.RefreshToken(ctx, hash, a.now().UTC())
	switch {
	case err == nil:
		if _, err := a.checkRefresh(ctx, live, client, form); err != nil {
			return err
		}
	case !errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("load refresh token: %w", err)
	}
	// Not live (used, expired or unknown): redeeming tells replay from
	// the rest. Live: redeeming settles a race with a concurrent request.
	rt, err := a.store.RedeemRefreshToken(ctx, hash, a.now().UTC())
	switch {
	case errors.Is(err, store.ErrConflict):
		a.revokeReplayedGrant(ctx, rt.OrgID, client.ClientID, rt.GrantID, "refresh token")
		return invalidGrant("the refresh token was already used; the grant is revoked")
	case errors.Is(err, store.ErrNotFound):
		return invalidGrant("the refresh token is invalid, expired or revoked")
	case err != nil:
		return fmt.Errorf("redeem refresh token: %w", err)
	}
	scopes, err := a.checkRefresh(ctx, rt, client, form)
	if err != nil {
		return err
	}
	return a.issueGrantTokens(w, r, client, grantRefreshToken, rt.GrantID, rt.OrgID, rt.UserID, scopes)
}

// checkRefresh checks a refresh request against its token: the client, the
// requested scope and the user's current role. It returns the scopes of the
// new tokens.
func (a *API) checkRefresh(ctx context.Context, rt store.RefreshToken, client store.APIClient, form url.Values) ([]string, error) {
	if rt.ClientID != client.ClientID {
		return nil, invalidGrant("the refresh token was issued to another client")
	}
	scopes, err := narrowScopes(form.Get("scope"), rt.Scopes)
	if err != nil {
		return nil, err
	}
	if err := a.checkGrantRole(ctx, rt.OrgID, rt.UserID, scopes); err != nil {
		return nil, err
	}
	return scopes, nil
}

// revokeReplayedGrant revokes a grant whose code or refresh token was
// presented twice, and audits it. Failures are logged: the request is
// refused either way.
func (a *API) revokeReplayedGrant(ctx context.Context, orgID, clientID, grantID, what string) {
	if grantID == "" {
		return
	}
	n, err := a.store.RevokeGrant(ctx, grantID)
	if err == nil {
		err = a.audit(ctx, a.store, orgID, clientID, "oauth.grant.revoke", grantID, map[string]any{
			"reason": what + " reused", "tokens": n})
	}
	if err != nil {
		a.log.ErrorContext(ctx, "revoke replayed grant", "grant", grantID, "err", err)
		return
	}
	a.log.WarnContext(ctx, "grant revoked after reuse", "grant", grantID, "client", clientID, "what", what)
}

// issueGrantTokens stores and answers an access token and, when the client
// registered the refresh_token grant, a new refresh token, for a user's
// grant.
func (a *API) issueGrantTokens(w http.ResponseWriter, r *http.Request, client store.APIClient, grantType, grantID, orgID, userID string, scopes []string) error {
	ctx := r.Context()
	oc, err := a.store.OAuthClient(ctx, client.ClientID)
	if err != nil {
		return fmt.Errorf("load client registration: %w", err)
	}
	access, accessHash := auth.NewToken()
	var refresh string
	var refreshHash []byte
	if slices.Contains(oc.GrantTypes, grantRefreshToken) {
		refresh, refreshHash = auth.NewToken()
	}
	now := a.now().UTC()
	err = a.store.WithTx(ctx, func(tx store.Store) error {
		if _, err := tx.CreateAccessToken(ctx, store.AccessToken{Hash: accessHash, ClientID: client.ClientID, Scopes: scopes,
			CreatedAt: now, ExpiresAt: now.Add(TokenLifetime), OrgID: orgID, UserID: userID, GrantID: grantID}); err != nil {
			return fmt.Errorf("store access token: %w", err)
		}
		if refreshHash != nil {
			if _, err := tx.CreateRefreshToken(ctx, store.RefreshToken{Hash: refreshHash, GrantID: grantID, ClientID: client.ClientID,
				OrgID: orgID, UserID: userID, Scopes: scopes, CreatedAt: now, ExpiresAt: now.Add(RefreshTokenLifetime)}); err != nil {
				return fmt.Errorf("store refresh token: %w", err)
			}
		}
		return a.audit(ctx, tx, orgID, client.ClientID, "oauth.token", grantID, map[string]any{
			"grant_type": grantType, "user": userID, "scope": strings.Join(scopes, " "), "refresh_token": refreshHash != nil})
	})
	if err != nil {
		return err
	}
	a.log.InfoContext(ctx, "access token issued", "client", client.ClientID, "grant_type", grantType, "grant", grantID)
	body := map[string]any{
		"access_token": access,
		"token_type":   "Bearer",
		"expires_in":   int(TokenLifetime.Seconds()),
		"scope":        strings.Join(scopes, " "),
	}
	if refresh != "" {
		body["refresh_token"] = refresh
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, body)
	return nil
}

// revokeToken is POST /oauth/revoke: OAuth 2.0 Token Revocation (RFC 7009). The
// client authenticates as at the token endpoint. Revoking a refresh token
// revokes its whole grant, access tokens included (section 2.1); revoking
// an access token revokes that token. A token that is unknown, expired or
// issued to another client is answered 200 like a revoked one, so the
// endpoint tells a client nothing about other clients' tokens.
func (a *API) revokeToken(w http.ResponseWriter, r *http.Request, _ *caller) error {
	form, err := parseOAuthForm(w, r)
	if err != nil {
		return err
	}
	client, _, err := a.authenticateClient(r, form)
	if err != nil {
		return err
	}
	tok := form.Get("token")
	if tok == "" {
		return &apiError{status: http.StatusBadRequest, code: "invalid_request", msg: "token is required"}
	}
	hint := form.Get("token_type_hint")
	switch hint {
	case "", "access_token", "refresh_token":
	default:
		return &apiError{status: http.StatusBadRequest, code: "unsupported_token_type",
			msg: fmt.Sprintf("token_type_hint %q is not supported; use access_token or refresh_token", hint)}
	}
	ctx := r.Context()
	hash := auth.HashToken(tok)
	// The hint only orders the lookups (RFC 7009 section 2.1).
	kinds := []string{"access_token", "refresh_token"}
	if hint == "refresh_token" {
		slices.Reverse(kinds)
	}
	for _, kind := range kinds {
		done, err := a.revokeKind(ctx, kind, hash, client)
		if err != nil {
			return err
		}
		if done {
			break
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	return nil
}

// revokeKind revokes hash if it is a token of kind issued to client, and
// reports whether it was.
func (a *API) revokeKind(ctx context.Context, kind string, hash []byte, client store.APIClient) (bool, error) {
	switch kind {
	case "access_token":
		at, err := a.store.AccessToken(ctx, hash)
		if errors.Is(err, store.ErrNotFound) || (err == nil && at.ClientID != client.ClientID) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("load access token: %w", err)
		}
		err = a.store.WithTx(ctx, func(tx store.Store) error {
			if err := tx.DeleteAccessToken(ctx, hash); err != nil && !errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("revoke access token: %w", err)
			}
			return a.audit(ctx, tx, firstNonEmpty(at.OrgID, client.OrgID), client.ClientID, "oauth.revoke", client.ClientID,
				map[string]any{"token_type": "access_token", "grant": at.GrantID})
		})
		return err == nil, err
	default:
		rt, err := a.store.RefreshToken(ctx, hash, a.now().UTC())
		if errors.Is(err, store.ErrNotFound) || (err == nil && rt.ClientID != client.ClientID) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("load refresh token: %w", err)
		}
		err = a.store.WithTx(ctx, func(tx store.Store) error {
			n, err := tx.RevokeGrant(ctx, rt.GrantID)
			if err != nil {
				return fmt.Errorf("revoke grant: %w", err)
			}
			return a.audit(ctx, tx, rt.OrgID, client.ClientID, "oauth.revoke", rt.GrantID,
				map[string]any{"token_type": "refresh_token", "tokens": n})
		})
		return err == nil, err
	}
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
