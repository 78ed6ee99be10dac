package api

import (
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
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
				"verifier endpoints and microcred's issuing API. Bearer tokens come from POST /oauth/token " +
				"(client credentials grant).",
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
		addErr(429, "Too many token requests for this client.")
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

// oauthScheme describes the OAuth 2.0 security scheme. The server offers
// the client credentials grant; the OB 3.0 specification's authorization
// code grant with dynamic client registration (for platforms acting on a
// learner's behalf) is not implemented, so the scheme names only the flow
// that works.
func (a *API) oauthScheme(scopes []struct{ Name, Description string }) map[string]any {
	sc := map[string]any{}
	for _, s := range scopes {
		sc[s.Name] = s.Description
	}
	return map[string]any{
		"type": "oauth2",
		"description": "OAuth 2.0 client credentials grant. An organization owner creates an API client with scopes; " +
			"the client exchanges its id and secret for a bearer token at the token URL.",
		"x-imssf-name":             "microcred",
		"x-imssf-privacyPolicyUrl": a.privacyURL,
		"flows": map[string]any{
			"clientCredentials": map[string]any{"tokenUrl": a.base + "/oauth/token", "scopes": sc},
		},
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
		item[strings.ToLower(rt.method)] = operationObject(rt)
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
			"securitySchemes": map[string]any{"OAuth2": a.oauthScheme(Scopes[:4])},
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
					"invalid_scope", "unauthorized_client", "unsupported_grant_type", "slow_down", "server_error"}},
				"error_description": str("A human-readable explanation."),
			},
		},
		"TokenRequest": map[string]any{
			"type": "object", "required": []any{"grant_type"},
			"properties": map[string]any{
				"grant_type":    map[string]any{"type": "string", "enum": []any{"client_credentials"}},
				"scope":         str("Space-separated scopes, a subset of the client's; default all of them."),
				"client_id":     str("For client_secret_post."),
				"client_secret": str("For client_secret_post."),
			},
		},
		"TokenResponse": map[string]any{
			"type": "object", "required": []any{"access_token", "token_type", "expires_in", "scope"},
			"properties": map[string]any{
				"access_token": str("The bearer token."),
				"token_type":   map[string]any{"type": "string", "enum": []any{"Bearer"}},
				"expires_in":   map[string]any{"type": "integer", "description": "Lifetime in seconds."},
				"scope":        str("The granted scopes, space-separated."),
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
		"VerificationResult": map[string]any{
			"type": "object", "required": []any{"verified", "checks", "warnings", "errors"},
			"properties": map[string]any{
				"verified": map[string]any{"type": "boolean"},
				"checks":   arrayOf(map[string]any{"type": "string", "description": "The name of a check that passed."}),
				"warnings": arrayOf(ref("Problem")),
				"errors":   arrayOf(ref("Problem")),
				"report": arrayOf(map[string]any{"type": "object", "required": []any{"name", "ok", "detail"},
					"description": "Every check with its plain-language detail."}),
			},
		},
		"Problem": map[string]any{
			"type": "object", "required": []any{"name", "detail"},
			"properties": map[string]any{"name": str("The check."), "detail": str("What was found.")},
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
