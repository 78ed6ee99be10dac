package api

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/microcred/microcred/internal/store"
)

// OpenAPI returns the OpenAPI 3.0 document of every route Register
// installs, as served at GET /api/openapi.json.
func (a *API) OpenAPI() []byte {
	a.openapiOnce.Do(func() {
		data, err := json.MarshalIndent(a.openAPIDocument(), "", "  ")
		if err != nil {
			// The document is built from literals of JSON-safe types.
			panic("api: encode OpenAPI document: " + err.Error())
		}
		a.openapi = data
	})
	return a.openapi
}

func (a *API) openAPIHandler(w http.ResponseWriter, _ *http.Request, _ *caller) error {
	w.Header().Set("Cache-Control", "public, max-age=300")
	writeRawJSON(w, http.StatusOK, a.OpenAPI())
	return nil
}

func (a *API) openAPIDocument() map[string]any {
	paths := map[string]any{}
	for _, rt := range a.routes() {
		item, _ := paths[rt.path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[rt.path] = item
		}
		item[strings.ToLower(rt.method)] = operationObject(rt)
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":   "microcred API",
			"version": "1.0",
			"description": "OAuth 2.0 token endpoint, the 1EdTech Open Badges 3.0 REST API, the W3C VC-API issuer and " +
				"verifier endpoints and microcred's issuing API. Bearer tokens come from POST /oauth/token: the " +
				"authorization code grant with PKCE for dynamically registered clients (POST /oauth/register, user consent " +
				"at /oauth/authorize) or the client credentials grant for an organization's API clients.",
		},
		"servers": []any{map[string]any{"url": a.base}},
		"tags": []any{
			map[string]any{"name": tagOAuth},
			map[string]any{"name": tagDiscovery},
			map[string]any{"name": tagOB, "description": "The 1EdTech Open Badges 3.0 API."},
			map[string]any{"name": tagVCAPI, "description": "W3C VC-API issuer and verifier."},
			map[string]any{"name": tagMicrocred},
		},
		"paths": paths,
		"components": map[string]any{
			"schemas": schemas(),
			"headers": headers(),
			"securitySchemes": map[string]any{
				"OAuth2":            a.oauthScheme(Scopes),
				"ClientSecretBasic": map[string]any{"type": "http", "scheme": "basic", "description": "client_secret_basic"},
			},
		},
	}
}

// operationObject is the OpenAPI Operation of rt, with the error responses
// the route's wrapper and style produce.
func operationObject(rt route) map[string]any {
	op := map[string]any{
		"operationId": rt.op.id,
		"summary":     rt.op.summary,
		"tags":        []any{rt.op.tag},
	}
	if rt.op.description != "" {
		op["description"] = rt.op.description
	}
	if len(rt.op.params) > 0 {
		var ps []any
		for _, p := range rt.op.params {
			po := map[string]any{"name": p.name, "in": p.in, "required": p.required, "schema": p.schema}
			if p.description != "" {
				po["description"] = p.description
			}
			ps = append(ps, po)
		}
		op["parameters"] = ps
	}
	if len(rt.op.body) > 0 {
		content := map[string]any{}
		for mt, schema := range rt.op.body {
			content[mt] = map[string]any{"schema": schemaRef(schema)}
		}
		op["requestBody"] = map[string]any{"required": true, "content": content}
	}
	responses := map[string]any{}
	for _, r := range rt.op.responses {
		ro := map[string]any{"description": r.description}
		if len(r.content) > 0 {
			content := map[string]any{}
			for mt, schema := range r.content {
				content[mt] = map[string]any{"schema": schemaRef(schema)}
			}
			ro["content"] = content
		}
		if len(r.headers) > 0 {
			ro["headers"] = r.headers
		}
		responses[strconv.Itoa(r.status)] = ro
	}
	errSchema := map[errorStyle]string{styleJSON: "Error", styleIMS: "Imsx_StatusInfo", styleOAuth: "OAuthError"}[rt.style]
	addErr := func(status int, desc string) {
		key := strconv.Itoa(status)
		if _, ok := responses[key]; !ok {
			responses[key] = map[string]any{"description": desc,
				"content": map[string]any{"application/json": map[string]any{"schema": schemaRef(errSchema)}}}
		}
	}
	if len(rt.op.body) > 0 || len(rt.op.params) > 0 {
		addErr(400, "The request is malformed; the body names the problem (and fields by JSON path).")
	}
	if len(rt.op.body) > 0 {
		addErr(413, "The request body exceeds 1 MiB.")
	}
	switch {
	case rt.scope != "":
		addErr(401, "The bearer token is missing, invalid or expired.")
		addErr(403, "The bearer token lacks the scope "+rt.scope+".")
		addErr(429, "The client's rate limit is exceeded; see Retry-After.")
		op["security"] = []any{map[string]any{"OAuth2": []any{rt.scope}}}
	case rt.style == styleOAuth:
		addErr(401, "Client authentication failed (invalid_client).")
		addErr(429, "Too many failed client authentications from this address; see Retry-After.")
		op["security"] = []any{map[string]any{"ClientSecretBasic": []any{}}, map[string]any{}}
	}
	addErr(500, "An internal error.")
	op["responses"] = responses
	return op
}

// schemaRef turns a schema name into a $ref; inline schemas pass through.
func schemaRef(s any) any {
	if name, ok := s.(string); ok {
		return map[string]any{"$ref": "#/components/schemas/" + name}
	}
	return s
}

// oauthScheme describes the OAuth 2.0 security scheme: the authorization
// code grant with PKCE and dynamic client registration that the OB 3.0 API
// requires (for platforms acting for a user), and the client credentials
// grant for an organization's own API clients.
func (a *API) oauthScheme(scopes []struct{ Name, Description string }) map[string]any {
	sc := map[string]any{}
	acg := map[string]any{}
	for _, s := range scopes {
		sc[s.Name] = s.Description
		if _, ok := store.GrantableRole(s.Name); ok {
			acg[s.Name] = s.Description
		}
	}
	return map[string]any{
		"type": "oauth2",
		"description": "OAuth 2.0 Authorization Code Grant with PKCE (S256): register at x-imssf-registrationUrl, send the " +
			"user to authorizationUrl, exchange the code at tokenUrl. Tokens revoke at x-microcred-revocationUrl (RFC 7009). " +
			"An organization owner may also create API clients that use the client credentials grant.",
		"x-imssf-name":              "microcred",
		"x-imssf-privacyPolicyUrl":  a.privacyURL,
		"x-imssf-registrationUrl":   a.base + "/oauth/register",
		"x-imssf-termsOfServiceUrl": a.base + "/terms",
		"x-microcred-revocationUrl": a.base + "/oauth/revoke",
		"flows": map[string]any{
			"authorizationCode": map[string]any{
				"authorizationUrl": a.base + "/oauth/authorize",
				"tokenUrl":         a.base + "/oauth/token",
				"refreshUrl":       a.base + "/oauth/token",
				"scopes":           acg,
			},
			"clientCredentials": map[string]any{"tokenUrl": a.base + "/oauth/token", "scopes": sc},
		},
	}
}

// serverMetadata is GET /.well-known/oauth-authorization-server (RFC 8414),
// which generic OAuth clients read to find the endpoints.
func (a *API) serverMetadata(w http.ResponseWriter, _ *http.Request, _ *caller) error {
	var scopes []string
	for _, s := range Scopes {
		scopes = append(scopes, s.Name)
	}
	scopes = append(scopes, store.ScopeOfflineAccess)
	methods := []string{store.AuthClientSecretBasic, store.AuthClientSecretPost}
	w.Header().Set("Cache-Control", "public, max-age=300")
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                     a.base,
		"authorization_endpoint":                     a.base + "/oauth/authorize",
		"token_endpoint":                             a.base + "/oauth/token",
		"registration_endpoint":                      a.base + "/oauth/register",
		"revocation_endpoint":                        a.base + "/oauth/revoke",
		"scopes_supported":                           scopes,
		"response_types_supported":                   []string{"code"},
		"grant_types_supported":                      []string{"authorization_code", "refresh_token", "client_credentials"},
		"token_endpoint_auth_methods_supported":      methods,
		"revocation_endpoint_auth_methods_supported": methods,
		"code_challenge_methods_supported":           []string{"S256"},
		"service_documentation":                      a.base + "/api/openapi.json",
	})
	return nil
}

// registrationProperties are the client metadata members of registration
// requests and responses.
func registrationProperties() map[string]any {
	strs := arrayOf(map[string]any{"type": "string"})
	return map[string]any{
		"client_name":                str("The client's name, shown to users."),
		"client_uri":                 str("The client's home page (https)."),
		"logo_uri":                   str("The client's logo (https)."),
		"tos_uri":                    str("The client's terms of service (https)."),
		"policy_uri":                 str("The client's privacy policy (https)."),
		"software_id":                str("An identifier of the client software."),
		"software_version":           str("The version of the client software."),
		"redirect_uris":              strs,
		"token_endpoint_auth_method": map[string]any{"type": "string", "enum": []any{store.AuthClientSecretBasic, store.AuthClientSecretPost}},
		"grant_types":                strs,
		"response_types":             strs,
		"scope":                      str("Space-separated: Open Badges 3.0 scopes and optionally offline_access."),
		"contacts":                   strs,
	}
}

// serviceDescription is the OB 3.0 Service Description Document: an
// OpenAPI 3.0 document of the OB 3.0 routes, relative to the server URL
// BaseURL/ims/ob/v3p0.
func (a *API) serviceDescription() map[string]any {
	paths := map[string]any{}
	for _, rt := range a.routes() {
		rel, ok := strings.CutPrefix(rt.path, obPrefix)
		if !ok {
			continue
		}
		item, _ := paths[rel].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[rel] = item
		}
		op := operationObject(rt)
		if rt.scope != "" {
			op["security"] = []any{map[string]any{"OAuth2ACG": []any{rt.scope}}}
		}
		item[strings.ToLower(rt.method)] = op
	}
	// Only the schemas the OB operations refer to, and what those refer to.
	all := schemas()
	used := map[string]any{}
	var visit func(v any)
	visit = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			if ref, ok := t["$ref"].(string); ok {
				if name, ok := strings.CutPrefix(ref, "#/components/schemas/"); ok {
					if _, seen := used[name]; !seen {
						used[name] = all[name]
						visit(all[name])
					}
				}
			}
			keys := make([]string, 0, len(t))
			for k := range t {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				visit(t[k])
			}
		case []any:
			for _, x := range t {
				visit(x)
			}
		}
	}
	visit(paths)
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{
			"title":                    "microcred Open Badges 3.0 API",
			"description":              "The 1EdTech Open Badges 3.0 REST API of this microcred server.",
			"version":                  "3.0",
			"termsOfService":           a.base + "/terms",
			"x-imssf-privacyPolicyUrl": a.privacyURL,
			"x-imssf-image":            a.imageURL,
		},
		"servers": []any{map[string]any{"url": a.base + obPrefix, "description": "Open Badges 3.0 API"}},
		"tags":    []any{map[string]any{"name": tagOB}, map[string]any{"name": tagDiscovery}},
		"paths":   paths,
		"components": map[string]any{
			"schemas":         used,
			"headers":         headers(),
			"securitySchemes": map[string]any{"OAuth2ACG": a.oauthScheme(Scopes[:4])},
		},
	}
}

func headers() map[string]any {
	return map[string]any{
		"X-Total-Count": map[string]any{"description": "The total number of resources available.",
			"schema": map[string]any{"type": "integer", "format": "int32"}},
		"Link": map[string]any{"description": "RFC 8288 links with rel first, last, and next and prev where they apply.",
			"schema": map[string]any{"type": "string"}},
	}
}

func str(desc string) map[string]any {
	return map[string]any{"type": "string", "description": desc}
}

func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

func arrayOf(items any) map[string]any { return map[string]any{"type": "array", "items": items} }

// schemas are the component schemas. The OB 3.0 ones follow the
// specification's names and required properties (for VC 2.0 credentials:
// validFrom instead of issuanceDate).
func baseSchemas() map[string]any {
	credentialProps := map[string]any{
		"@context":          map[string]any{"type": "array", "minItems": 1, "items": map[string]any{}},
		"id":                str("The credential's id (urn:uuid or URL)."),
		"type":              map[string]any{"type": "array", "minItems": 1, "items": map[string]any{"type": "string"}},
		"issuer":            map[string]any{"description": "The issuer's id or Profile."},
		"validFrom":         map[string]any{"type": "string", "format": "date-time"},
		"validUntil":        map[string]any{"type": "string", "format": "date-time"},
		"credentialSubject": map[string]any{"type": "object"},
		"proof":             map[string]any{"description": "One or more Data Integrity proofs."},
	}
	return map[string]any{
		"Error": map[string]any{
			"type": "object", "required": []any{"error"},
			"properties": map[string]any{
				"error":  str("What went wrong."),
				"fields": arrayOf(ref("FieldError")),
			},
		},
		"FieldError": map[string]any{
			"type": "object", "required": []any{"field", "problem"},
			"properties": map[string]any{
				"field":   str("The JSON path of the field, e.g. credential.issuer or recipient.email."),
				"problem": str("What is wrong with it."),
			},
		},
		"OAuthError": map[string]any{
			"type": "object", "required": []any{"error"},
			"properties": map[string]any{
				"error": map[string]any{"type": "string", "enum": []any{"invalid_request", "invalid_client", "invalid_grant",
					"invalid_scope", "unauthorized_client", "unsupported_grant_type", "unsupported_token_type", "slow_down",
					"server_error", "invalid_client_metadata", "invalid_redirect_uri"}},
				"error_description": str("A human-readable explanation; registration errors name every refused field."),
			},
		},
		"RegistrationRequest": map[string]any{
			"type": "object",
			"required": []any{"client_name", "client_uri", "logo_uri", "tos_uri", "policy_uri", "software_id", "software_version",
				"redirect_uris", "scope"},
			"properties": registrationProperties(),
		},
		"RegistrationResponse": map[string]any{
			"type": "object",
			"required": []any{"client_id", "client_secret", "client_id_issued_at", "client_secret_expires_at", "client_name",
				"redirect_uris", "token_endpoint_auth_method", "grant_types", "response_types", "scope"},
			"properties": func() map[string]any {
				p := registrationProperties()
				p["client_id"] = str("The client identifier.")
				p["client_secret"] = str("The client secret; shown only here, stored as a hash.")
				p["client_id_issued_at"] = map[string]any{"type": "integer", "description": "Seconds since the Unix epoch."}
				p["client_secret_expires_at"] = map[string]any{"type": "integer", "description": "0: the secret does not expire."}
				return p
			}(),
		},
		"RevocationRequest": map[string]any{
			"type": "object", "required": []any{"token"},
			"properties": map[string]any{
				"token":           str("The access or refresh token."),
				"token_type_hint": map[string]any{"type": "string", "enum": []any{"access_token", "refresh_token"}},
				"client_id":       str("For client_secret_post."),
				"client_secret":   str("For client_secret_post."),
			},
		},
		"AuthorizationServerMetadata": map[string]any{
			"type": "object", "required": []any{"issuer", "authorization_endpoint", "token_endpoint", "response_types_supported"},
			"properties": map[string]any{
				"issuer":                                     str("The server's base URL."),
				"authorization_endpoint":                     str("The authorization endpoint (a web page)."),
				"token_endpoint":                             str("The token endpoint."),
				"registration_endpoint":                      str("The dynamic client registration endpoint."),
				"revocation_endpoint":                        str("The token revocation endpoint."),
				"scopes_supported":                           arrayOf(map[string]any{"type": "string"}),
				"response_types_supported":                   arrayOf(map[string]any{"type": "string"}),
				"grant_types_supported":                      arrayOf(map[string]any{"type": "string"}),
				"token_endpoint_auth_methods_supported":      arrayOf(map[string]any{"type": "string"}),
				"revocation_endpoint_auth_methods_supported": arrayOf(map[string]any{"type": "string"}),
				"code_challenge_methods_supported":           arrayOf(map[string]any{"type": "string"}),
			},
		},
		"TokenRequest": map[string]any{
			"type": "object", "required": []any{"grant_type"},
			"properties": map[string]any{
				"grant_type":    map[string]any{"type": "string", "enum": []any{"client_credentials", "authorization_code", "refresh_token"}},
				"scope":         str("Space-separated scopes, a subset of the client's (or of the grant's); default all of them."),
				"code":          str("authorization_code: the code from the authorization response."),
				"redirect_uri":  str("authorization_code: the redirect_uri of the authorization request."),
				"code_verifier": str("authorization_code: the PKCE code verifier (RFC 7636)."),
				"refresh_token": str("refresh_token: the refresh token."),
				"client_id":     str("For client_secret_post."),
				"client_secret": str("For client_secret_post."),
			},
		},
		"TokenResponse": map[string]any{
			"type": "object", "required": []any{"access_token", "token_type", "expires_in", "scope"},
			"properties": map[string]any{
				"access_token":  str("The bearer token."),
				"token_type":    map[string]any{"type": "string", "enum": []any{"Bearer"}},
				"expires_in":    map[string]any{"type": "integer", "description": "Lifetime in seconds."},
				"scope":         str("The granted scopes, space-separated."),
				"refresh_token": str("authorization_code and refresh_token grants: the next refresh token."),
			},
		},
		"Imsx_StatusInfo": map[string]any{
			"type": "object", "required": []any{"imsx_codeMajor", "imsx_severity"}, "additionalProperties": false,
			"properties": map[string]any{
				"imsx_codeMajor":   map[string]any{"type": "string", "enum": []any{"failure", "processing", "success", "unsupported"}},
				"imsx_severity":    map[string]any{"type": "string", "enum": []any{"error", "status", "warning"}},
				"imsx_description": str("A human readable description."),
				"imsx_codeMinor":   ref("Imsx_CodeMinor"),
			},
		},
		"Imsx_CodeMinor": map[string]any{
			"type": "object", "required": []any{"imsx_codeMinorField"}, "additionalProperties": false,
			"properties": map[string]any{"imsx_codeMinorField": map[string]any{"type": "array", "minItems": 1, "items": ref("Imsx_CodeMinorField")}},
		},
		"Imsx_CodeMinorField": map[string]any{
			"type": "object", "required": []any{"imsx_codeMinorFieldName", "imsx_codeMinorFieldValue"}, "additionalProperties": false,
			"properties": map[string]any{
				"imsx_codeMinorFieldName": str("The system that produced the code."),
				"imsx_codeMinorFieldValue": map[string]any{"type": "string", "enum": []any{"forbidden", "fullsuccess",
					"internal_server_error", "invalid_data", "invalid_query_parameter", "misdirected_request", "not_acceptable",
					"not_allowed", "not_modified", "server_busy", "unauthorizedrequest", "unknown"}},
			},
		},
		"CompactJws": map[string]any{
			"type": "string", "pattern": `^[a-zA-Z0-9_-]+\.[a-zA-Z0-9_-]*\.[a-zA-Z0-9_-]+$`,
			"description": "A compact JWS (RFC 7515): a VC-JWT.",
		},
		"AchievementCredential": map[string]any{
			"type": "object", "required": []any{"@context", "type", "id", "issuer", "credentialSubject", "proof"},
			"properties": credentialProps, "additionalProperties": true,
			"description": "An OpenBadgeCredential (VC 2.0) secured with Data Integrity proofs.",
		},
		"VerifiableCredential": map[string]any{
			"type": "object", "required": []any{"@context", "type", "credentialSubject"},
			"properties": credentialProps, "additionalProperties": true,
		},
		"Profile": map[string]any{
			"type": "object", "required": []any{"id", "type"}, "additionalProperties": true,
			"properties": map[string]any{
				"@context":    map[string]any{"type": "array", "items": map[string]any{}},
				"id":          str("The issuer id (a DID)."),
				"type":        map[string]any{"description": `"Profile" or an array including it.`},
				"name":        str("The organization's name."),
				"url":         str("Its home page."),
				"email":       str("Its contact address."),
				"description": str("What it is."),
				"image":       map[string]any{"description": "A URL or an Image object with id and type."},
			},
		},
		"GetOpenBadgeCredentialsResponse": map[string]any{
			"type": "object", "additionalProperties": false,
			"properties": map[string]any{
				"credential":       arrayOf(ref("AchievementCredential")),
				"compactJwsString": arrayOf(ref("CompactJws")),
			},
		},
		"ServiceDescriptionDocument": map[string]any{
			"type": "object", "required": []any{"openapi", "info", "components"}, "additionalProperties": true,
			"properties": map[string]any{
				"openapi": str("The OpenAPI version."),
				"info": map[string]any{"type": "object", "required": []any{"title", "version", "x-imssf-privacyPolicyUrl"},
					"additionalProperties": true},
				"components": map[string]any{"type": "object", "required": []any{"securitySchemes"}, "additionalProperties": true},
			},
		},
		"IssueCredentialRequest": map[string]any{
			"type": "object", "required": []any{"credential"}, "additionalProperties": false,
			"properties": map[string]any{"credential": ref("VerifiableCredential"), "options": ref("IssueOptions")},
		},
		"IssueOptions": map[string]any{
			"type": "object", "additionalProperties": false,
			"properties": map[string]any{
				"type":         map[string]any{"type": "string", "enum": []any{"DataIntegrityProof"}},
				"cryptosuite":  map[string]any{"type": "string", "enum": []any{"eddsa-rdfc-2022", "eddsa-jcs-2022"}},
				"credentialId": str("The id to give a credential that has none."),
				"created": map[string]any{"type": "string", "format": "date-time",
					"description": "The Data Integrity proof's creation time, in whole seconds; the time of signing when absent."},
			},
		},
		"IssueCredentialResponse": map[string]any{
			"type": "object", "required": []any{"verifiableCredential"},
			"properties": map[string]any{"verifiableCredential": ref("AchievementCredential")},
		},
		"VerifyCredentialRequest": map[string]any{
			"type": "object", "required": []any{"verifiableCredential"}, "additionalProperties": false,
			"properties": map[string]any{
				"verifiableCredential": map[string]any{"oneOf": []any{map[string]any{"type": "object"}, ref("CompactJws")}},
				"options": map[string]any{"type": "object", "additionalProperties": false, "properties": map[string]any{
					"checks":    arrayOf(map[string]any{"type": "string"}),
					"challenge": map[string]any{"type": "string"},
					"domain":    map[string]any{"type": "string"},
				}},
			},
		},
		"VerifyPresentationRequest": map[string]any{
			"type": "object", "required": []any{"verifiablePresentation"}, "additionalProperties": false,
			"properties": map[string]any{
				"verifiablePresentation": map[string]any{"type": "object"},
				"options": map[string]any{"type": "object", "additionalProperties": false, "properties": map[string]any{
					"checks":    arrayOf(map[string]any{"type": "string"}),
					"challenge": map[string]any{"type": "string"},
					"domain":    map[string]any{"type": "string"},
				}},
			},
		},
		"PresentationVerificationResult": map[string]any{
			"allOf": []any{ref("VerificationResult"), map[string]any{
				"type": "object", "required": []any{"presentationResult", "credentialResults"},
				"properties": map[string]any{
					"presentationResult": ref("VerificationResult"),
					"credentialResults":  arrayOf(ref("VerificationResult")),
				},
			}},
		},
		"VerificationResult": map[string]any{
			"type": "object", "required": []any{"verified", "verdict", "checks", "warnings", "errors"},
			"properties": map[string]any{
				"verified": map[string]any{"type": "boolean"},
				"verdict": map[string]any{"type": "string", "enum": []any{"verified", "not_verified", "could_not_check"},
					"description": "not_verified: a check failed; could_not_check: nothing failed but a check could not be carried out."},
				"summary":  str("The verdict in one plain sentence."),
				"checks":   arrayOf(map[string]any{"type": "string", "description": "The name of a check that passed."}),
				"warnings": arrayOf(ref("Problem")),
				"errors":   arrayOf(ref("Problem")),
				"report": arrayOf(map[string]any{"type": "object", "required": []any{"name", "state", "ok", "summary", "detail"},
					"description": "Every check: state passed, failed, not_checked or warning; summary in plain words; detail technical."}),
				"embeddedVerdict": map[string]any{"type": "string", "enum": []any{"verified", "not_verified", "could_not_check"},
					"description": "For a learner record (CLR 2.0): the worst verdict among the credentials in it. The record's own verdict does not include them."},
				"embedded": arrayOf(map[string]any{"type": "object", "required": []any{"index", "name", "verdict", "summary", "errors"},
					"description": "For a learner record (CLR 2.0): each credential in it (credentialSubject.verifiableCredential[index]), verified on its own.",
					"properties": map[string]any{"index": map[string]any{"type": "integer"}, "name": str("What it was awarded for."),
						"issuer": str("Who issued it, as it says."), "verdict": map[string]any{"type": "string", "enum": []any{"verified", "not_verified", "could_not_check"}},
						"summary": str("Its verdict in one plain sentence."), "errors": arrayOf(ref("Problem"))}}),
			},
		},
		"Problem": map[string]any{
			"type": "object", "required": []any{"name", "detail"},
			"properties": map[string]any{"name": str("The check."), "state": str("failed, not_checked or warning."),
				"summary": str("What was found, in plain words."), "detail": str("What was found, technically.")},
		},
		"AwardRequest": map[string]any{
			"type": "object", "required": []any{"achievementId", "recipient"}, "additionalProperties": false,
			"properties": map[string]any{
				"achievementId": str("The achievement's id or its URL BaseURL/achievements/<id>."),
				"recipient":     ref("AwardRecipient"),
				"validFrom":     map[string]any{"type": "string", "format": "date-time"},
				"validUntil":    map[string]any{"type": "string", "format": "date-time"},
				"narrative":     str("How the recipient earned it (Markdown)."),
				"evidenceUrl":   str("A URL of evidence."),
				"format":        map[string]any{"type": "string", "enum": []any{"ldp-rdfc", "ldp-jcs", "jwt"}},
				"notify":        map[string]any{"type": "boolean", "description": "Mail the recipient (default true)."},
			},
		},
		"AwardRecipient": map[string]any{
			"type": "object", "required": []any{"email"}, "additionalProperties": false,
			"properties": map[string]any{
				"email": str("The recipient's email address (stored hashed in the credential)."),
				"name":  str("The recipient's name."),
				"did":   str("The recipient's DID, which becomes credentialSubject.id."),
			},
		},
		"CredentialRecord": map[string]any{
			"type": "object", "required": []any{"id", "url", "credential"},
			"properties": map[string]any{
				"id":         str("The credential's id (urn:uuid)."),
				"url":        str("Its public page."),
				"credential": map[string]any{"oneOf": []any{ref("AchievementCredential"), ref("CompactJws")}},
			},
		},
		"CatalogEntry": map[string]any{
			"type": "object", "required": []any{"id", "org", "name", "description", "version", "creditFrameworks", "skills"},
			"properties": map[string]any{
				"id":               str("The achievement id."),
				"org":              str("The provider's slug."),
				"name":             map[string]any{"type": "string"},
				"description":      map[string]any{"type": "string"},
				"version":          map[string]any{"type": "integer"},
				"eqfLevel":         map[string]any{"type": "integer"},
				"nsqfLevel":        map[string]any{"type": "integer"},
				"ects":             map[string]any{"type": "number"},
				"creditFrameworks": arrayOf(map[string]any{"type": "string"}),
				"skills":           arrayOf(map[string]any{"type": "string"}),
			},
		},
	}
}
