package web

import (
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

// authorizationCodeLifetime is how long an authorization code may wait to
// be exchanged at the token endpoint (RFC 6749 section 4.1.2 recommends at
// most ten minutes; a client exchanges it at once).
const authorizationCodeLifetime = 60 * time.Second

// scopeDescriptions say in plain words what each grantable scope lets a
// client do, for the consent page.
var scopeDescriptions = map[string]string{
	store.ScopeOBCredentialRead:   "Read the credentials the organization has issued",
	store.ScopeOBCredentialUpsert: "Store credentials signed by the organization",
	store.ScopeOBProfileRead:      "Read the organization's issuer profile",
	store.ScopeOBProfileUpdate:    "Change the organization's issuer profile",
	store.ScopeOfflineAccess:      "Keep access while you are away (refresh tokens)",
}

// authzRequest is a validated OAuth 2.0 authorization request (RFC 6749
// section 4.1.1 with PKCE, RFC 7636).
type authzRequest struct {
	Client        store.OAuthClient
	ClientName    string
	ClientURI     string
	RedirectURI   string
	State         string
	Scopes        []string
	CodeChallenge string
}

// authzError is a failure of an authorization request. redirect is false
// while the client or redirect URI are not established, and the error is
// then shown to the user instead of being sent to the client (RFC 6749
// section 4.1.2.1).
type authzError struct {
	redirect bool
	code     string
	msg      string
}

func (e *authzError) Error() string { return e.code + ": " + e.msg }

// parseAuthzRequest validates the request parameters, given in the query
// (GET) or the consent form (POST).
func (s *server) parseAuthzRequest(r *http.Request, params url.Values) (*authzRequest, error) {
	for name, vs := range params {
		if len(vs) > 1 && name != "csrf_token" {
			return nil, &authzError{code: "invalid_request", msg: fmt.Sprintf("The parameter %s is repeated.", name)}
		}
	}
	clientID := params.Get("client_id")
	if clientID == "" {
		return nil, &authzError{code: "invalid_request", msg: "The request names no client (client_id is missing)."}
	}
	oc, err := s.store.OAuthClient(r.Context(), clientID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, &authzError{code: "invalid_client", msg: "The application that sent you here is not registered with this server."}
	}
	if err != nil {
		return nil, fmt.Errorf("load client %s: %w", clientID, err)
	}
	redirect := params.Get("redirect_uri")
	if redirect == "" || !slices.Contains(oc.RedirectURIs, redirect) {
		return nil, &authzError{code: "invalid_request", msg: "The redirect_uri is missing or is not one the application registered, so you cannot be sent back to it."}
	}
	req := &authzRequest{Client: oc, RedirectURI: redirect, State: params.Get("state"), CodeChallenge: params.Get("code_challenge")}
	var meta struct {
		ClientName string `json:"client_name"`
		ClientURI  string `json:"client_uri"`
	}
	_ = json.Unmarshal(oc.Metadata, &meta) // written by the registration endpoint
	req.ClientName, req.ClientURI = meta.ClientName, meta.ClientURI
	if req.ClientName == "" {
		req.ClientName = oc.Client.Name
	}
	fail := func(code, msg string) (*authzRequest, error) {
		return req, &authzError{redirect: true, code: code, msg: msg}
	}
	if rt := params.Get("response_type"); rt != "code" {
		return fail("unsupported_response_type", "response_type must be code")
	}
	if req.State == "" {
		return fail("invalid_request", "state is required")
	}
	if m := params.Get("code_challenge_method"); m != "S256" {
		return fail("invalid_request", "code_challenge_method must be S256 (PKCE is required)")
	}
	if !validChallenge(req.CodeChallenge) {
		return fail("invalid_request", "code_challenge must be the 43-character base64url SHA-256 of the code verifier")
	}
	scope := params.Get("scope")
	for tok := range strings.FieldsSeq(scope) {
		if _, ok := store.GrantableRole(tok); !ok {
			return fail("invalid_scope", fmt.Sprintf("unknown scope %q", tok))
		}
		if !slices.Contains(oc.Client.Scopes, tok) {
			return fail("invalid_scope", fmt.Sprintf("the client did not register the scope %q", tok))
		}
		if !slices.Contains(req.Scopes, tok) {
			req.Scopes = append(req.Scopes, tok)
		}
	}
	if len(req.Scopes) == 0 {
		return fail("invalid_scope", "scope is required")
	}
	return req, nil
}

// validChallenge reports whether c looks like an S256 code challenge:
// base64url without padding of 32 bytes.
func validChallenge(c string) bool {
	if len(c) != 43 {
		return false
	}
	for _, b := range []byte(c) {
		if !(b >= 'A' && b <= 'Z' || b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '-' || b == '_') {
			return false
		}
	}
	return true
}

// neededRole is the least role that may grant every scope of req.
func (req *authzRequest) neededRole() store.Role {
	need := store.RoleViewer
	for _, sc := range req.Scopes {
		if r, _ := store.GrantableRole(sc); r.AtLeast(need) {
			need = r
		}
	}
	return need
}

// redirectBack sends the browser to the client's redirect URI with params
// added to its query (RFC 6749 section 4.1.2).
func redirectBack(w http.ResponseWriter, r *http.Request, redirectURI string, params url.Values) {
	u, err := url.Parse(redirectURI)
	if err != nil {
		// Registered URIs were validated at registration.
		http.Error(w, "bad redirect URI", http.StatusInternalServerError)
		return
	}
	q := u.Query()
	for k, vs := range params {
		q[k] = vs
	}
	u.RawQuery = q.Encode()
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}

// authzFailure answers a failed authorization request: a page while the
// redirect URI is not established, a redirect with error afterwards.
func (s *server) authzFailure(w http.ResponseWriter, r *http.Request, req *authzRequest, err error) {
	var ae *authzError
	if !errors.As(err, &ae) {
		s.serverError(w, r, err)
		return
	}
	if !ae.redirect {
		s.renderError(w, r, http.StatusBadRequest, "This authorization request cannot be completed: "+ae.msg)
		return
	}
	params := url.Values{"error": {ae.code}, "error_description": {ae.msg}}
	if req.State != "" {
		params.Set("state", req.State)
	}
	redirectBack(w, r, req.RedirectURI, params)
}

// consentOrg is an organization the viewer may choose on the consent page.
type consentOrg struct {
	ID, Name string
	Role     store.Role
	Allowed  bool
}

// authorizeForm is GET /oauth/authorize: the consent page of the OAuth 2.0
// authorization code flow. A visitor who is not signed in is sent to the
// login page and back.
func (s *server) authorizeForm(w http.ResponseWriter, r *http.Request) {
	req, err := s.parseAuthzRequest(r, r.URL.Query())
	v := currentViewer(r)
	if err != nil && v == nil {
		// Anyone may register a client and its redirect URIs, so redirecting
		// an anonymous visitor with an error would make this server an open
		// redirector (RFC 9700 section 4.11.2): show the error instead.
		var ae *authzError
		if errors.As(err, &ae) {
			ae.redirect = false
		}
	}
	if err != nil {
		s.authzFailure(w, r, req, err)
		return
	}
	if v == nil {
		s.redirectToLogin(w, r)
		return
	}
	need := req.neededRole()
	var orgs []consentOrg
	anyAllowed := false
	for _, m := range v.Memberships {
		org, err := s.store.Organization(r.Context(), m.OrgID)
		if err != nil {
			s.serverError(w, r, fmt.Errorf("load organization: %w", err))
			return
		}
		ok := m.Role.AtLeast(need)
		anyAllowed = anyAllowed || ok
		orgs = append(orgs, consentOrg{ID: org.ID, Name: org.Name, Role: m.Role, Allowed: ok})
	}
	type scopeLine struct{ Scope, Description string }
	var lines []scopeLine
	for _, sc := range req.Scopes {
		lines = append(lines, scopeLine{sc, scopeDescriptions[sc]})
	}
	// The form posts here and the answer redirects to the client: browsers
	// apply form-action to that redirect too, so the client's origin must
	// be allowed for this page.
	if u, err := url.Parse(req.RedirectURI); err == nil {
		w.Header().Set("Content-Security-Policy", strings.Replace(contentSecurityPolicy,
			"form-action 'self'", "form-action 'self' "+u.Scheme+"://"+u.Host, 1))
	}
	s.render(w, r, http.StatusOK, "oauth_authorize", "Authorize "+req.ClientName, map[string]any{
		"Req":        req,
		"Scopes":     lines,
		"Orgs":       orgs,
		"AnyAllowed": anyAllowed,
		"NeedRole":   need,
		"Params":     authzParams(r.URL.Query()),
	})
}

// authzParams are the request parameters the consent form carries back.
func authzParams(q url.Values) []struct{ Name, Value string } {
	var out []struct{ Name, Value string }
	for _, name := range []string{"response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method"} {
		out = append(out, struct{ Name, Value string }{name, q.Get(name)})
	}
	return out
}

// authorizeSubmit is POST /oauth/authorize: the user's decision. The
// middleware has checked the CSRF token. Approval issues a single-use code
// for the chosen organization, stored by digest, and redirects to the
// client with it.
func (s *server) authorizeSubmit(w http.ResponseWriter, r *http.Request) {
	v := currentViewer(r)
	if v == nil {
		s.renderError(w, r, http.StatusUnauthorized, "Sign in first.")
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	req, err := s.parseAuthzRequest(r, r.PostForm)
	if err != nil {
		s.authzFailure(w, r, req, err)
		return
	}
	if r.PostFormValue("decision") != "approve" {
		s.authzFailure(w, r, req, &authzError{redirect: true, code: "access_denied", msg: "the user denied the request"})
		return
	}
	orgID := r.PostFormValue("org")
	role := v.role(orgID)
	if role == "" {
		s.authzFailure(w, r, req, &authzError{redirect: true, code: "access_denied", msg: "the user chose no organization they belong to"})
		return
	}
	if need := req.neededRole(); !role.AtLeast(need) {
		s.authzFailure(w, r, req, &authzError{redirect: true, code: "access_denied",
			msg: fmt.Sprintf("the user's role %s in the organization cannot grant these scopes (%s or higher is needed)", role, need)})
		return
	}
	code, hash := auth.NewToken()
	now := s.now().UTC()
	err = s.store.WithTx(r.Context(), func(tx store.Store) error {
		ac, err := tx.CreateAuthorizationCode(r.Context(), store.AuthorizationCode{
			Hash: hash, ClientID: req.Client.Client.ClientID, OrgID: orgID, UserID: v.User.ID, RedirectURI: req.RedirectURI,
			Scopes: req.Scopes, CodeChallenge: req.CodeChallenge, CreatedAt: now, ExpiresAt: now.Add(authorizationCodeLifetime),
		})
		if err != nil {
			return fmt.Errorf("store authorization code: %w", err)
		}
		detail, err := json.Marshal(map[string]any{"grant": ac.GrantID, "scope": strings.Join(req.Scopes, " "),
			"client_name": req.ClientName, "redirect_uri": req.RedirectURI})
		if err != nil {
			return fmt.Errorf("audit detail: %w", err)
		}
		_, err = tx.AppendAudit(r.Context(), store.AuditEvent{OrgID: orgID, Actor: v.User.ID, Action: "oauth.authorize",
			Target: req.Client.Client.ClientID, Detail: detail, CreatedAt: now})
		return err
	})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	redirectBack(w, r, req.RedirectURI, url.Values{"code": {code}, "state": {req.State}, "scope": {strings.Join(req.Scopes, " ")}})
}
