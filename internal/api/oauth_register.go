package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode"

	"github.com/microcred/microcred/internal/auth"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

// Limits on registration metadata.
const (
	maxRegistrationBytes = 32 << 10
	maxMetadataURL       = 2000
	maxMetadataText      = 200
	maxRedirectURIs      = 10
	maxContacts          = 10
)

// Grant and response types a registered client may use.
const (
	grantAuthorizationCode = "authorization_code"
	grantRefreshToken      = "refresh_token"
)

// registeredScopes are the scopes a dynamically registered client may ask
// for: the four OB 3.0 scopes and offline_access.
var registeredScopes = []string{ScopeCredentialRead, ScopeCredentialUpsert, ScopeProfileRead, ScopeProfileUpdate, store.ScopeOfflineAccess}

// clientMetadata is the client metadata of RFC 7591 section 2 that the
// OB 3.0 API uses, as registered (defaults applied).
type clientMetadata struct {
	ClientName              string   `json:"client_name"`
	ClientURI               string   `json:"client_uri"`
	LogoURI                 string   `json:"logo_uri"`
	TosURI                  string   `json:"tos_uri"`
	PolicyURI               string   `json:"policy_uri"`
	SoftwareID              string   `json:"software_id"`
	SoftwareVersion         string   `json:"software_version"`
	RedirectURIs            []string `json:"redirect_uris"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method"`
	GrantTypes              []string `json:"grant_types"`
	ResponseTypes           []string `json:"response_types"`
	Scope                   string   `json:"scope"`
	Contacts                []string `json:"contacts,omitempty"`
}

// fieldList collects field problems.
type fieldList []issue.FieldError

func (l *fieldList) add(field, format string, args ...any) {
	*l = append(*l, issue.FieldError{Field: field, Problem: fmt.Sprintf(format, args...)})
}

// registrationError is the RFC 7591 section 3.2.2 error: the code is
// invalid_redirect_uri when only redirect URIs are wrong, else
// invalid_client_metadata; every problem names its field.
func registrationError(fields []issue.FieldError) *apiError {
	code := "invalid_redirect_uri"
	for _, f := range fields {
		if f.Field != "redirect_uris" && !strings.HasPrefix(f.Field, "redirect_uris[") {
			code = "invalid_client_metadata"
			break
		}
	}
	return &apiError{status: http.StatusBadRequest, code: code, msg: "the client metadata was refused", fields: fields}
}

// parseRegistration decodes and validates a registration request body. The
// OB 3.0 API requires client_name, client_uri, logo_uri, tos_uri,
// policy_uri, software_id, software_version, redirect_uris and scope;
// token_endpoint_auth_method, grant_types, response_types and contacts are
// optional. Members it does not know are ignored, as RFC 7591 section 2
// requires. The returned error is an *apiError listing every problem.
func parseRegistration(body []byte) (clientMetadata, error) {
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&raw); err != nil || raw == nil {
		return clientMetadata{}, &apiError{status: http.StatusBadRequest, code: "invalid_client_metadata",
			msg: "the body must be a JSON object of client metadata"}
	}
	if dec.More() {
		return clientMetadata{}, &apiError{status: http.StatusBadRequest, code: "invalid_client_metadata",
			msg: "unexpected data after the JSON object"}
	}
	var m clientMetadata
	var fe fieldList
	str := func(name string, required bool, check func(string) string) string {
		v, present := raw[name]
		if !present || string(v) == "null" {
			if required {
				fe.add(name, "is required")
			}
			return ""
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			fe.add(name, "must be a string")
			return ""
		}
		if required && strings.TrimSpace(s) == "" {
			fe.add(name, "must not be empty")
			return ""
		}
		if problem := check(s); problem != "" {
			fe.add(name, "%s", problem)
			return ""
		}
		return s
	}
	list := func(name string, max int) ([]string, bool) {
		v, present := raw[name]
		if !present || string(v) == "null" {
			return nil, false
		}
		var l []string
		if err := json.Unmarshal(v, &l); err != nil {
			fe.add(name, "must be an array of strings")
			return nil, true
		}
		if len(l) > max {
			fe.add(name, "has %d entries; at most %d are allowed", len(l), max)
			return nil, true
		}
		return l, true
	}

	m.ClientName = str("client_name", true, checkText)
	m.ClientURI = str("client_uri", true, checkWebURL)
	m.LogoURI = str("logo_uri", true, checkWebURL)
	m.TosURI = str("tos_uri", true, checkWebURL)
	m.PolicyURI = str("policy_uri", true, checkWebURL)
	m.SoftwareID = str("software_id", true, checkText)
	m.SoftwareVersion = str("software_version", true, checkText)

	uris, present := list("redirect_uris", maxRedirectURIs)
	switch {
	case !present:
		fe.add("redirect_uris", "is required")
	case uris != nil && len(uris) == 0:
		fe.add("redirect_uris", "must list at least one redirect URI")
	}
	for i, u := range uris {
		if problem := checkRedirectURI(u); problem != "" {
			fe.add(fmt.Sprintf("redirect_uris[%d]", i), "%s", problem)
		} else if !slices.Contains(m.RedirectURIs, u) {
			m.RedirectURIs = append(m.RedirectURIs, u)
		}
	}

	m.TokenEndpointAuthMethod = str("token_endpoint_auth_method", false, func(s string) string {
		if s != store.AuthClientSecretBasic && s != store.AuthClientSecretPost {
			return "must be client_secret_basic or client_secret_post"
		}
		return ""
	})
	if m.TokenEndpointAuthMethod == "" {
		m.TokenEndpointAuthMethod = store.AuthClientSecretBasic
	}

	grants, present := list("grant_types", 4)
	if !present {
		grants = []string{grantAuthorizationCode, grantRefreshToken}
	}
	for _, g := range grants {
		switch {
		case g != grantAuthorizationCode && g != grantRefreshToken:
			fe.add("grant_types", "%q is not supported; use authorization_code and refresh_token", g)
		case !slices.Contains(m.GrantTypes, g):
			m.GrantTypes = append(m.GrantTypes, g)
		}
	}
	if present && grants != nil && !slices.Contains(grants, grantAuthorizationCode) {
		fe.add("grant_types", "must include authorization_code")
	}

	responses, present := list("response_types", 4)
	if !present {
		responses = []string{"code"}
	}
	for _, rt := range responses {
		if rt != "code" {
			fe.add("response_types", "%q is not supported; use code", rt)
		}
	}
	if present && responses != nil && len(responses) == 0 {
		fe.add("response_types", "must include code")
	}
	m.ResponseTypes = []string{"code"}

	m.Scope = str("scope", true, func(s string) string {
		var seen []string
		for tok := range strings.FieldsSeq(s) {
			if !slices.Contains(registeredScopes, tok) {
				return fmt.Sprintf("scope %q is not offered; use the Open Badges 3.0 scopes", tok)
			}
			if !slices.Contains(seen, tok) {
				seen = append(seen, tok)
			}
		}
		if len(seen) == 0 {
			return "must name at least one scope"
		}
		return ""
	})
	m.Scope = strings.Join(strings.Fields(m.Scope), " ")

	contacts, _ := list("contacts", maxContacts)
	for i, c := range contacts {
		at := strings.IndexByte(c, '@')
		if at <= 0 || at == len(c)-1 || len(c) > 254 || strings.IndexFunc(c, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
			fe.add(fmt.Sprintf("contacts[%d]", i), "must be an email address")
			continue
		}
		m.Contacts = append(m.Contacts, c)
	}
	if len(fe) > 0 {
		return clientMetadata{}, registrationError(fe)
	}
	return m, nil
}

// checkText accepts a short human-readable string without control
// characters.
func checkText(s string) string {
	switch {
	case len(s) > maxMetadataText:
		return fmt.Sprintf("is longer than %d bytes", maxMetadataText)
	case strings.IndexFunc(s, unicode.IsControl) >= 0:
		return "must not contain control characters"
	}
	return ""
}

// checkWebURL accepts an absolute https URL (or http on a loopback host,
// for development), as client_uri, logo_uri, tos_uri and policy_uri must be
// pages a user can open.
func checkWebURL(s string) string {
	_, problem := parseClientURL(s)
	return problem
}

// checkRedirectURI applies the redirect URI rules: an absolute https URL,
// or http only on a loopback host (RFC 8252 section 7.3 native apps), and
// no fragment (RFC 6749 section 3.1.2).
func checkRedirectURI(s string) string {
	u, problem := parseClientURL(s)
	if problem != "" {
		return problem
	}
	if u.Fragment != "" || strings.Contains(s, "#") {
		return "must not contain a fragment"
	}
	return ""
}

func parseClientURL(s string) (*url.URL, string) {
	if len(s) > maxMetadataURL {
		return nil, fmt.Sprintf("is longer than %d bytes", maxMetadataURL)
	}
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return nil, "must not contain spaces or control characters"
	}
	u, err := url.Parse(s)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		return nil, "must be an absolute URL"
	}
	if u.User != nil {
		return nil, "must not contain user information"
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return nil, "must use https (http is allowed only for loopback hosts such as 127.0.0.1)"
		}
	default:
		return nil, "must use https"
	}
	return u, ""
}

// isLoopback reports whether host is localhost or a loopback IP address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// register is POST /oauth/register: OAuth 2.0 Dynamic Client Registration
// (RFC 7591) as the OB 3.0 API uses it. The client gets an id and a secret,
// shown only in this response and stored as a SHA-256 digest; the secret
// does not expire. The client belongs to no organization: a user binds it
// to one by authorizing it.
func (a *API) register(w http.ResponseWriter, r *http.Request, _ *caller) error {
	if !a.registerLimiter.Allow(peerIP(r)) {
		return &apiError{status: http.StatusTooManyRequests, code: "slow_down",
			msg: "too many registrations from this address", header: http.Header{"Retry-After": {"10"}}}
	}
	if mt := mediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return &apiError{status: http.StatusBadRequest, code: "invalid_client_metadata",
			msg: "the registration request must be application/json"}
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxRegistrationBytes)
	body, err := readBody(r)
	if err != nil {
		return err
	}
	m, err := parseRegistration(body)
	if err != nil {
		return err
	}
	meta, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("encode client metadata: %w", err)
	}
	secret, hash := auth.NewToken()
	now := a.now().UTC()
	var c store.OAuthClient
	err = a.store.WithTx(r.Context(), func(tx store.Store) error {
		var err error
		c, err = tx.CreateOAuthClient(r.Context(), store.OAuthClient{
			Client:       store.APIClient{SecretHash: hash, Name: m.ClientName, Scopes: strings.Fields(m.Scope), CreatedAt: now},
			RedirectURIs: m.RedirectURIs, AuthMethod: m.TokenEndpointAuthMethod, GrantTypes: m.GrantTypes, Metadata: meta,
		})
		if err != nil {
			return fmt.Errorf("store client: %w", err)
		}
		return a.audit(r.Context(), tx, "", c.Client.ClientID, "oauth.client.register", c.Client.ClientID, map[string]any{
			"client_name": m.ClientName, "client_uri": m.ClientURI, "software_id": m.SoftwareID,
			"redirect_uris": m.RedirectURIs, "scope": m.Scope})
	})
	if err != nil {
		return err
	}
	a.log.InfoContext(r.Context(), "client registered", "client", c.Client.ClientID, "name", m.ClientName)
	resp := map[string]any{}
	_ = json.Unmarshal(meta, &resp)
	resp["client_id"] = c.Client.ClientID
	resp["client_secret"] = secret
	resp["client_id_issued_at"] = c.Client.CreatedAt.Unix()
	resp["client_secret_expires_at"] = 0
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusCreated, resp)
	return nil
}

// peerIP is the rate-limiter key of the request's peer address (IPv6
// grouped by /64, auth.AddrKey). Forwarding headers are not trusted: any
// client can set them.
func peerIP(r *http.Request) string {
	return auth.AddrKey(r.RemoteAddr)
}
