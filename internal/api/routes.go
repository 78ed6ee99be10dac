package api

import "net/http"

// route is one endpoint: what Register installs and what OpenAPI
// describes.
type route struct {
	method, path string
	// scope is the scope a bearer token needs; "" means the route is
	// public (the token endpoint authenticates clients itself).
	scope  string
	style  errorStyle
	handle func(*API, http.ResponseWriter, *http.Request, *caller) error
	op     operation
}

// operation is the OpenAPI description of a route. Error responses are
// added by the generator from the route's style, scope and request body.
type operation struct {
	id, summary, description string
	tag                      string
	params                   []param
	// body maps request media types to schema names of components.
	body      map[string]string
	responses []response
}

type param struct {
	name, in, description string
	required              bool
	schema                map[string]any
}

type response struct {
	status      int
	description string
	// content maps media types to schema names (or inline schemas).
	content map[string]any
	headers map[string]any
}

// Tags of the OpenAPI document.
const (
	tagOAuth     = "OAuth 2.0"
	tagOB        = "OpenBadgeCredentials"
	tagDiscovery = "Discovery"
	tagVCAPI     = "VC-API"
	tagMicrocred = "microcred"
)

func jsonBody(schema string) map[string]any { return map[string]any{"application/json": schema} }

// routes is the route table.
func (a *API) routes() []route {
	pagingHeaders := map[string]any{
		"X-Total-Count": map[string]any{"$ref": "#/components/headers/X-Total-Count"},
		"Link":          map[string]any{"$ref": "#/components/headers/Link"},
	}
	jws := map[string]any{"$ref": "#/components/schemas/CompactJws"}
	rs := []route{
		{
			method: "POST", path: "/oauth/token", style: styleOAuth, handle: (*API).token,
			op: operation{
				id: "token", tag: tagOAuth, summary: "Obtain an access token (client credentials, authorization code, refresh token)",
				description: "RFC 6749. The client authenticates with HTTP Basic (client_secret_basic) or with client_id and " +
					"client_secret form fields (client_secret_post); a registered client must use the method it registered. " +
					"client_credentials (section 4.4) is for an organization's API clients: scope is optional and must be a " +
					"subset of the client's scopes. authorization_code (section 4.1) needs code, redirect_uri and the PKCE " +
					"code_verifier (RFC 7636, S256); a code works once, and a second use revokes the tokens issued from it. " +
					"refresh_token (section 6) rotates: the answer carries a new refresh token and the old one stops working. " +
					"Access tokens expire after one hour, refresh tokens after 30 days.",
				body: map[string]string{"application/x-www-form-urlencoded": "TokenRequest"},
				responses: []response{{status: 200, description: "The access token.",
					content: jsonBody("TokenResponse")}},
			},
		},
		{
			method: "POST", path: "/oauth/register", style: styleOAuth, handle: (*API).register,
			op: operation{
				id: "registerClient", tag: tagOAuth, summary: "Register a client (OAuth 2.0 Dynamic Client Registration)",
				description: "RFC 7591 as the Open Badges 3.0 API uses it. client_name, client_uri, logo_uri, tos_uri, policy_uri, " +
					"software_id, software_version, redirect_uris and scope are required. Redirect URIs must be https (http only " +
					"on loopback hosts) without a fragment. The client secret is shown only in this response. The client " +
					"belongs to no organization until a user authorizes it at /oauth/authorize. Rate limited per address.",
				body: map[string]string{"application/json": "RegistrationRequest"},
				responses: []response{
					{status: 201, description: "The client is registered.", content: jsonBody("RegistrationResponse")},
				},
			},
		},
		{
			method: "POST", path: "/oauth/revoke", style: styleOAuth, handle: (*API).revokeToken,
			op: operation{
				id: "revokeToken", tag: tagOAuth, summary: "Revoke an access or refresh token (RFC 7009)",
				description: "The client authenticates as at the token endpoint. Revoking a refresh token revokes its grant, " +
					"access tokens included. Unknown tokens, and tokens of other clients, are answered 200 without effect.",
				body:      map[string]string{"application/x-www-form-urlencoded": "RevocationRequest"},
				responses: []response{{status: 200, description: "The token is revoked (or was not valid)."}},
			},
		},
		{
			method: "GET", path: "/.well-known/oauth-authorization-server", style: styleJSON, handle: (*API).serverMetadata,
			op: operation{
				id: "getAuthorizationServerMetadata", tag: tagOAuth, summary: "OAuth 2.0 Authorization Server Metadata (RFC 8414)",
				responses: []response{{status: 200, description: "The metadata.", content: jsonBody("AuthorizationServerMetadata")}},
			},
		},
		{
			method: "GET", path: obPrefix + "/discovery", style: styleIMS, handle: (*API).discovery,
			op: operation{
				id: "getServiceDescription", tag: tagDiscovery, summary: "The Open Badges 3.0 Service Description Document",
				description: "Public, as the specification requires. An OpenAPI 3.0 document of the OB 3.0 endpoints with the " +
					"OAuth 2.0 security scheme and scopes.",
				responses: []response{{status: 200, description: "The service description document.",
					content: jsonBody("ServiceDescriptionDocument")}},
			},
		},
		{
			method: "GET", path: obPrefix + "/credentials", scope: ScopeCredentialRead, style: styleIMS, handle: (*API).getCredentials,
			op: operation{
				id: "getCredentials", tag: tagOB, summary: "The organization's credentials (getCredentials)",
				description: "Newest first. Data Integrity credentials are in credential, VC-JWTs in compactJwsString. " +
					"limit above 1000 is served as 1000 (the Link header carries the limit used).",
				params: []param{
					{name: "limit", in: "query", description: "The maximum number of credentials per page (default 100).",
						schema: map[string]any{"type": "integer", "format": "int32", "minimum": 1}},
					{name: "offset", in: "query", description: "The index of the first credential to return (zero indexed).",
						schema: map[string]any{"type": "integer", "format": "int32", "minimum": 0}},
					{name: "since", in: "query", description: "Only credentials issued after this time.",
						schema: map[string]any{"type": "string", "format": "date-time"}},
				},
				responses: []response{{status: 200, description: "A page of credentials.",
					content: jsonBody("GetOpenBadgeCredentialsResponse"), headers: pagingHeaders}},
			},
		},
		{
			method: "POST", path: obPrefix + "/credentials", scope: ScopeCredentialUpsert, style: styleIMS, handle: (*API).upsertCredential,
			op: operation{
				id: "upsertCredential", tag: tagOB, summary: "Store a credential issued by the organization (upsertCredential)",
				description: "The credential must verify, be issued by the organization and award one of its catalog " +
					"achievements. Issued credentials are immutable: resubmitting a stored credential answers 200 with it; " +
					"different content under a stored id is refused with 409.",
				body: map[string]string{"application/json": "AchievementCredential", "text/plain": "CompactJws"},
				responses: []response{
					{status: 200, description: "The credential was already stored unchanged.",
						content: map[string]any{"application/json": "AchievementCredential", "text/plain": jws}},
					{status: 201, description: "The credential was stored.",
						content: map[string]any{"application/json": "AchievementCredential", "text/plain": jws}},
					{status: 409, description: "A different credential with this id is stored.", content: jsonBody("Imsx_StatusInfo")},
					{status: 415, description: "The body is neither JSON nor a compact JWS.", content: jsonBody("Imsx_StatusInfo")},
				},
			},
		},
		{
			method: "GET", path: obPrefix + "/profile", scope: ScopeProfileRead, style: styleIMS, handle: (*API).getProfile,
			op: operation{
				id: "getProfile", tag: tagOB, summary: "The organization's issuer Profile (getProfile)",
				responses: []response{{status: 200, description: "The Profile.", content: jsonBody("Profile")}},
			},
		},
		{
			method: "PUT", path: obPrefix + "/profile", scope: ScopeProfileUpdate, style: styleIMS, handle: (*API).putProfile,
			op: operation{
				id: "putProfile", tag: tagOB, summary: "Replace the organization's issuer Profile (putProfile)",
				description: "The body is the entire Profile. name, url, email, description and image are stored (absent ones " +
					"are cleared); id and type must not change; other members are refused with 400 naming them.",
				body:      map[string]string{"application/json": "Profile"},
				responses: []response{{status: 200, description: "The updated Profile.", content: jsonBody("Profile")}},
			},
		},
		{
			method: "POST", path: "/credentials/issue", scope: ScopeIssue, style: styleJSON, handle: (*API).issueCredential,
			op: operation{
				id: "issueCredential", tag: tagVCAPI, summary: "Sign a credential as the organization (W3C VC-API)",
				description: "The issuer and id must be absent (they are filled in) or valid URLs, the issuer the organization's " +
					"issuer id; null is refused. VC 2.0 and VC 1.1 (issuanceDate) credentials are signed as given. The subject must " +
					"not be empty; credentialStatus, termsOfUse, evidence, refreshService and credentialSchema objects need a type; " +
					"relatedResource digests must be well formed and match the published digest when this server knows one " +
					"(nothing is fetched). Open Badges credentials must match the OB 3.0 rules and 1EdTech's JSON Schema. " +
					"options.cryptosuite is eddsa-rdfc-2022 (default) or eddsa-jcs-2022; both refuse invalid JSON-LD. A " +
					"credential refused on its content is answered 400 naming each field and its problem.",
				body: jsonBody2("IssueCredentialRequest"),
				responses: []response{
					{status: 201, description: "The signed credential.", content: jsonBody("IssueCredentialResponse")},
				},
			},
		},
		{
			method: "POST", path: "/credentials/verify", style: styleJSON, handle: (*API).verifyCredential,
			op: operation{
				id: "verifyCredential", tag: tagVCAPI, summary: "Verify a credential (W3C VC-API)",
				description: "Public. Runs every check (proofs, issuer key, validity period, status). verdict is verified, " +
					"not_verified (a check failed) or could_not_check (a check could not be carried out). 200 only when the " +
					"credential is verified; 422 with the reasons otherwise; 400 when it cannot be read, including a string " +
					"that is not a compact JWS.",
				body: jsonBody2("VerifyCredentialRequest"),
				responses: []response{
					{status: 200, description: "The credential verifies.", content: jsonBody("VerificationResult")},
					{status: 422, description: "The credential does not verify.", content: jsonBody("VerificationResult")},
					{status: 429, description: "Too many verifications in progress; retry after the Retry-After seconds."},
				},
			},
		},
		{
			method: "POST", path: "/presentations/verify", style: styleJSON, handle: (*API).verifyPresentation,
			op: operation{
				id: "verifyPresentation", tag: tagVCAPI, summary: "Verify a presentation (W3C VC-API)",
				description: "Public. Checks the holder's proof (purpose authentication; options.challenge and options.domain " +
					"must match when given) and every embedded credential, each with its own verdict: verified, not_verified " +
					"or could_not_check. 200 only when everything is verified; 422 otherwise; 400 when it cannot be read.",
				body: jsonBody2("VerifyPresentationRequest"),
				responses: []response{
					{status: 200, description: "The presentation and its credentials verify.", content: jsonBody("PresentationVerificationResult")},
					{status: 422, description: "Something did not verify or could not be checked.", content: jsonBody("PresentationVerificationResult")},
				},
			},
		},
		{
			method: "POST", path: "/api/v1/credentials", scope: ScopeIssue, style: styleJSON, handle: (*API).award,
			op: operation{
				id: "awardCredential", tag: tagMicrocred, summary: "Award a catalog achievement to a recipient",
				description: "Builds, signs and stores an OpenBadgeCredential embedding the achievement, and mails the recipient " +
					"unless notify is false. With an Idempotency-Key header a retry returns the first credential with 200.",
				params: []param{{name: "Idempotency-Key", in: "header", description: "Makes retries safe (at most 256 characters).",
					schema: map[string]any{"type": "string", "maxLength": 256}}},
				body: jsonBody2("AwardRequest"),
				responses: []response{
					{status: 200, description: "The credential issued earlier under this Idempotency-Key.", content: jsonBody("CredentialRecord")},
					{status: 201, description: "The credential was issued.", content: jsonBody("CredentialRecord"),
						headers: map[string]any{"Location": map[string]any{"description": "The credential's API URL.", "schema": map[string]any{"type": "string"}}}},
				},
			},
		},
		{
			method: "GET", path: "/api/v1/credentials/{uuid}", scope: ScopeCredentialRead, style: styleJSON, handle: (*API).getCredential,
			op: operation{
				id: "getCredential", tag: tagMicrocred, summary: "One credential of the organization",
				params: []param{{name: "uuid", in: "path", required: true, description: "The UUID of the credential's urn:uuid id.",
					schema: map[string]any{"type": "string"}}},
				responses: []response{
					{status: 200, description: "The credential.", content: jsonBody("CredentialRecord")},
					{status: 404, description: "No such credential in this organization.", content: jsonBody("Error")},
				},
			},
		},
		{
			method: "GET", path: "/api/v1/achievements", style: styleJSON, handle: (*API).achievements,
			op: operation{
				id: "listAchievements", tag: tagMicrocred, summary: "The public catalog",
				params: []param{
					{name: "q", in: "query", description: "Text in the name or description.", schema: map[string]any{"type": "string"}},
					{name: "eqf", in: "query", description: "EQF level.", schema: map[string]any{"type": "integer", "minimum": 1, "maximum": 8}},
					{name: "nsqf", in: "query", description: "NSQF level.", schema: map[string]any{"type": "integer", "minimum": 1, "maximum": 10}},
					{name: "skill", in: "query", description: "An ESCO skill URI or O*NET-SOC code.", schema: map[string]any{"type": "string"}},
					{name: "framework", in: "query", description: "A credit framework: ACE, ECTS or NCrF.", schema: map[string]any{"type": "string"}},
					{name: "provider", in: "query", description: "An organization slug.", schema: map[string]any{"type": "string"}},
					{name: "limit", in: "query", schema: map[string]any{"type": "integer", "minimum": 1}},
					{name: "offset", in: "query", schema: map[string]any{"type": "integer", "minimum": 0}},
				},
				responses: []response{{status: 200, description: "Matching achievements.",
					content: map[string]any{"application/json": map[string]any{"type": "array", "items": map[string]any{"$ref": "#/components/schemas/CatalogEntry"}}}}},
			},
		},
		{
			method: "GET", path: "/api/openapi.json", style: styleJSON, handle: (*API).openAPIHandler,
			op: operation{
				id: "getOpenAPI", tag: tagMicrocred, summary: "This OpenAPI document",
				responses: []response{{status: 200, description: "The OpenAPI 3.0 document.",
					content: map[string]any{"application/json": map[string]any{"type": "object", "required": []any{"openapi", "info", "paths"}}}}},
			},
		},
	}
	rs = append(rs, a.statusRoutes()...)
	rs = append(rs, a.renewRoutes()...)
	rs = append(rs, a.settingsRoutes()...)
	rs = append(rs, a.pathwayRoutes()...)
	rs = append(rs, a.endorsementRoutes()...)
	rs = append(rs, a.metricsRoutes()...)
	return rs
}

// jsonBody2 is a request body map of one JSON schema.
func jsonBody2(schema string) map[string]string { return map[string]string{"application/json": schema} }
