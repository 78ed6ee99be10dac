package api

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/microcred/microcred/internal/store"
)

// TestOpenAPIMatchesRoutes checks the document against the live mux in both
// directions: every route Register installed is documented, and every
// documented operation is served (not 404 or 405).
func TestOpenAPIMatchesRoutes(t *testing.T) {
	e := newEnv(t, "sqlite", store.DIDWeb)
	doc := openAPIDoc(t, e)
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.0.") {
		t.Errorf("openapi = %q", v)
	}
	documented := map[string]bool{}
	paths, _ := doc["paths"].(map[string]any)
	for path, item := range paths {
		for method := range item.(map[string]any) {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	if len(e.api.registered) == 0 {
		t.Fatal("Register installed no routes")
	}
	for _, pattern := range e.api.registered {
		if !documented[pattern] {
			t.Errorf("route %s is not in the OpenAPI document", pattern)
		}
	}
	for op := range documented {
		if !slices.Contains(e.api.registered, op) {
			t.Errorf("documented operation %s was not registered", op)
		}
		method, path, _ := strings.Cut(op, " ")
		target := strings.ReplaceAll(path, "{uuid}", store.NewID())
		rec := e.do(method, target, map[string]string{"Content-Type": "application/json"}, "{}")
		if rec.Code == 404 && !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") || rec.Code == 405 {
			t.Errorf("%s %s is documented but not served: %d %s", method, target, rec.Code, rec.Body)
		}
	}
	// Every $ref resolves.
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["$ref"].(string); ok {
				if resolveRef(doc, ref) == nil {
					t.Errorf("unresolved $ref %s", ref)
				}
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(doc)
	// Every operation has an id, a summary, and 2xx and 500 responses.
	ids := map[string]bool{}
	for op := range documented {
		method, path, _ := strings.Cut(op, " ")
		o := paths[path].(map[string]any)[strings.ToLower(method)].(map[string]any)
		id, _ := o["operationId"].(string)
		if id == "" || ids[id] {
			t.Errorf("%s: operationId %q missing or repeated", op, id)
		}
		ids[id] = true
		resp := o["responses"].(map[string]any)
		if resp["500"] == nil {
			t.Errorf("%s: no 500 response", op)
		}
		has2xx := false
		for status := range resp {
			has2xx = has2xx || strings.HasPrefix(status, "2")
		}
		if !has2xx {
			t.Errorf("%s: no success response", op)
		}
	}
}

// TestResponsesMatchSchemas sends real requests and checks each response
// body against the schema the document gives for its status.
func TestResponsesMatchSchemas(t *testing.T) {
	e := newEnv(t, "sqlite", store.DIDWeb)
	doc := openAPIDoc(t, e)
	tok := e.token("all")
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Authorization": basic("all", e.secrets["all"])}
	issued := e.do("POST", "/credentials/issue", bearer(tok), mustJSON(t, map[string]any{"credential": vcapiCredential(e.issuerID())}))
	var vc struct {
		VerifiableCredential json.RawMessage `json:"verifiableCredential"`
	}
	if err := json.Unmarshal(issued.Body.Bytes(), &vc); err != nil {
		t.Fatal(err)
	}
	award := mustJSON(t, map[string]any{"achievementId": e.achID, "recipient": map[string]any{"email": "a@example.org"}})
	jwtAward := mustJSON(t, map[string]any{"achievementId": e.achID, "format": "jwt", "recipient": map[string]any{"email": "b@example.org"}})
	cases := []struct {
		method, path string // path as documented
		target       string
		headers      map[string]string
		body         string
		status       int
	}{
		{"POST", "/oauth/token", "/oauth/token", form, "grant_type=client_credentials", 200},
		{"POST", "/oauth/token", "/oauth/token", form, "grant_type=implicit", 400},
		{"GET", "/ims/ob/v3p0/discovery", "/ims/ob/v3p0/discovery", nil, "", 200},
		{"POST", "/oauth/register", "/oauth/register", map[string]string{"Content-Type": "application/json"}, registration(nil), 201},
		{"POST", "/oauth/register", "/oauth/register", map[string]string{"Content-Type": "application/json"}, registration(func(m map[string]any) { delete(m, "client_uri") }), 400},
		{"POST", "/oauth/token", "/oauth/token", form, "grant_type=authorization_code&code=x&redirect_uri=https%3A%2F%2Fa.example%2F&code_verifier=y", 400},
		{"GET", "/.well-known/oauth-authorization-server", "/.well-known/oauth-authorization-server", nil, "", 200},
		{"POST", "/api/v1/credentials", "/api/v1/credentials", bearer(tok), award, 201},
		{"POST", "/api/v1/credentials", "/api/v1/credentials", bearer(tok), jwtAward, 201},
		{"POST", "/api/v1/credentials", "/api/v1/credentials", bearer(tok), `{"recipient":{}}`, 400},
		{"GET", "/ims/ob/v3p0/credentials", "/ims/ob/v3p0/credentials", bearer(tok), "", 200},
		{"GET", "/ims/ob/v3p0/credentials", "/ims/ob/v3p0/credentials?limit=x", bearer(tok), "", 400},
		{"GET", "/ims/ob/v3p0/credentials", "/ims/ob/v3p0/credentials", nil, "", 401},
		{"GET", "/ims/ob/v3p0/profile", "/ims/ob/v3p0/profile", bearer(tok), "", 200},
		{"PUT", "/ims/ob/v3p0/profile", "/ims/ob/v3p0/profile", bearer(tok), `{"name":"New Name"}`, 200},
		{"PUT", "/ims/ob/v3p0/profile", "/ims/ob/v3p0/profile", bearer(tok), `{"phone":"1"}`, 400},
		{"POST", "/credentials/issue", "/credentials/issue", bearer(tok), mustJSON(t, map[string]any{"credential": vcapiCredential(e.issuerID())}), 201},
		{"POST", "/credentials/issue", "/credentials/issue", bearer(tok), `{"credential":{"issuer":"did:example:x"}}`, 400},
		{"POST", "/credentials/issue", "/credentials/issue", nil, `{}`, 401},
		{"POST", "/credentials/verify", "/credentials/verify", nil, `{"verifiableCredential":` + string(vc.VerifiableCredential) + `}`, 200},
		{"POST", "/credentials/verify", "/credentials/verify", nil, `{"verifiableCredential":{"@context":[]}}`, 422},
		{"GET", "/api/v1/achievements", "/api/v1/achievements", nil, "", 200},
		{"GET", "/api/v1/credentials/{uuid}", "/api/v1/credentials/" + store.NewID(), bearer(tok), "", 404},
		{"GET", "/api/openapi.json", "/api/openapi.json", nil, "", 200},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s %s %d", c.method, c.target, c.status), func(t *testing.T) {
			rec := e.do(c.method, c.target, c.headers, c.body)
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, c.status, rec.Body)
			}
			checkAgainstDocument(t, doc, c.method, c.path, rec)
		})
	}
}

func openAPIDoc(t *testing.T, e *env) map[string]any {
	t.Helper()
	rec := e.do("GET", "/api/openapi.json", nil, "")
	if rec.Code != 200 {
		t.Fatalf("openapi.json: %d", rec.Code)
	}
	if string(e.api.OpenAPI()) != strings.TrimSpace(rec.Body.String()) {
		t.Error("served document differs from OpenAPI()")
	}
	return decode[map[string]any](t, rec)
}

// checkAgainstDocument validates a JSON response against the schema the
// document declares for the operation and status.
func checkAgainstDocument(t *testing.T, doc map[string]any, method, path string, rec *httptest.ResponseRecorder) {
	t.Helper()
	op, _ := doc["paths"].(map[string]any)[path].(map[string]any)[strings.ToLower(method)].(map[string]any)
	if op == nil {
		t.Fatalf("%s %s not documented", method, path)
	}
	resp, _ := op["responses"].(map[string]any)[strconv.Itoa(rec.Code)].(map[string]any)
	if resp == nil {
		t.Fatalf("status %d of %s %s not documented", rec.Code, method, path)
	}
	hdrs, _ := resp["headers"].(map[string]any)
	for name, h := range hdrs {
		if name != "Location" && rec.Header().Get(name) == "" {
			t.Errorf("documented header %s missing (%v)", name, h)
		}
	}
	content, _ := resp["content"].(map[string]any)
	mt := mediaType(rec.Header().Get("Content-Type"))
	media, _ := content[mt].(map[string]any)
	if media == nil {
		t.Fatalf("content type %s of status %d not documented", mt, rec.Code)
	}
	var body any
	if mt == "application/json" {
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatal(err)
		}
	} else {
		body = rec.Body.String()
	}
	if errs := validateSchema(doc, media["schema"], body, "$"); len(errs) > 0 {
		t.Errorf("response does not match its schema:\n%s\nbody: %s", strings.Join(errs, "\n"), rec.Body)
	}
}

func resolveRef(doc map[string]any, ref string) map[string]any {
	var cur any = doc
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[part]
	}
	m, _ := cur.(map[string]any)
	return m
}

// validateSchema checks the parts of OpenAPI 3.0 schemas this document
// uses: $ref, oneOf, type, enum, required, properties,
// additionalProperties: false, items and minItems.
func validateSchema(doc map[string]any, s any, v any, at string) []string {
	schema, _ := s.(map[string]any)
	if schema == nil {
		return nil
	}
	if ref, ok := schema["$ref"].(string); ok {
		return validateSchema(doc, resolveRef(doc, ref), v, at)
	}
	if alts, ok := schema["oneOf"].([]any); ok {
		for _, alt := range alts {
			if len(validateSchema(doc, alt, v, at)) == 0 {
				return nil
			}
		}
		return []string{at + ": matches no oneOf alternative"}
	}
	var errs []string
	switch typ, _ := schema["type"].(string); typ {
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			return []string{at + ": not an object"}
		}
		for _, r := range asList(schema["required"]) {
			if _, ok := obj[r.(string)]; !ok {
				errs = append(errs, at+": required property "+r.(string)+" missing")
			}
		}
		props, _ := schema["properties"].(map[string]any)
		for k, pv := range obj {
			ps, known := props[k]
			if !known && schema["additionalProperties"] == false {
				errs = append(errs, at+": property "+k+" not allowed")
			}
			errs = append(errs, validateSchema(doc, ps, pv, at+"."+k)...)
		}
	case "array":
		arr, ok := v.([]any)
		if !ok {
			return []string{at + ": not an array"}
		}
		if m, ok := schema["minItems"].(float64); ok && float64(len(arr)) < m {
			errs = append(errs, at+": too few items")
		}
		for i, x := range arr {
			errs = append(errs, validateSchema(doc, schema["items"], x, fmt.Sprintf("%s[%d]", at, i))...)
		}
	case "string":
		if _, ok := v.(string); !ok {
			return []string{at + ": not a string"}
		}
	case "integer":
		if f, ok := v.(float64); !ok || f != math.Trunc(f) {
			return []string{at + ": not an integer"}
		}
	case "number":
		if _, ok := v.(float64); !ok {
			return []string{at + ": not a number"}
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return []string{at + ": not a boolean"}
		}
	}
	if enum := asList(schema["enum"]); enum != nil && !slices.Contains(enum, v) {
		errs = append(errs, fmt.Sprintf("%s: %v not in enum", at, v))
	}
	return errs
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// TestServedRoutesUnknownPath makes sure the consistency test above can
// fail: a path outside the table is answered by the mux with 404.
func TestServedRoutesUnknownPath(t *testing.T) {
	e := newEnv(t, "sqlite", store.DIDWeb)
	rec := e.do("GET", "/ims/ob/v3p0/nothing", nil, "")
	if rec.Code != 404 || strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Errorf("%d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	rec = e.do("DELETE", "/credentials/issue", nil, "")
	if rec.Code != 405 {
		t.Errorf("DELETE: %d", rec.Code)
	}
}

// TestValidateSchema shows the schema checker finds what it must.
func TestValidateSchema(t *testing.T) {
	e := newEnv(t, "sqlite", store.DIDWeb)
	doc := openAPIDoc(t, e)
	ref := map[string]any{"$ref": "#/components/schemas/TokenResponse"}
	for _, tc := range []struct {
		name string
		body string
		errs int
	}{
		{"valid", `{"access_token":"a","token_type":"Bearer","expires_in":3600,"scope":"s"}`, 0},
		{"missing", `{"access_token":"a","token_type":"Bearer","expires_in":3600}`, 1},
		{"wrong enum and type", `{"access_token":"a","token_type":"MAC","expires_in":"1","scope":"s"}`, 2},
		{"not an object", `[]`, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var v any
			if err := json.Unmarshal([]byte(tc.body), &v); err != nil {
				t.Fatal(err)
			}
			if errs := validateSchema(doc, ref, v, "$"); len(errs) != tc.errs {
				t.Errorf("errors %v, want %d", errs, tc.errs)
			}
		})
	}
	imsx := map[string]any{"$ref": "#/components/schemas/Imsx_StatusInfo"}
	var v any
	_ = json.Unmarshal([]byte(`{"imsx_codeMajor":"failure","imsx_severity":"error","extra":1}`), &v)
	if errs := validateSchema(doc, imsx, v, "$"); len(errs) != 1 {
		t.Errorf("additionalProperties false not enforced: %v", errs)
	}
}
