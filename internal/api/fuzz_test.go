package api

import (
	"encoding/json"
	"errors"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/microcred/microcred/internal/store"
)

// FuzzVerifyRequest feeds arbitrary bodies to the public verifier: it must
// answer 200, 400, 413 or 422 and never fail internally.
func FuzzVerifyRequest(f *testing.F) {
	for _, seed := range []string{
		`{"verifiableCredential":{}}`,
		`{"verifiableCredential":"a.b.c","options":{"checks":["proof"]}}`,
		`{"verifiableCredential":{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],"issuer":"did:key:z6Mk","credentialSubject":{},"proof":{"type":"DataIntegrityProof","cryptosuite":"eddsa-rdfc-2022","proofValue":"z1"}}}`,
		`{"verifiableCredential":{"a":1,"a":2}}`,
		`{"verifiableCredential":null}`,
		`[]`, `"x"`, `{`, ``,
	} {
		f.Add(seed)
	}
	e := newEnv(f, "sqlite", store.DIDWeb)
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest("POST", "/credentials/verify", strings.NewReader(body))
		rec := httptest.NewRecorder()
		e.mux.ServeHTTP(rec, req)
		switch rec.Code {
		case 200, 400, 413, 422:
		default:
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body)
		}
	})
}

// FuzzAwardRequest feeds arbitrary bodies to the issuing API's decoder.
func FuzzAwardRequest(f *testing.F) {
	for _, seed := range []string{
		`{"achievementId":"x","recipient":{"email":"a@example.org"}}`,
		`{"achievementId":1}`,
		`{"recipient":{"email":"a@example.org","x":1}}`,
		`{"validFrom":"2026-01-01T00:00:00Z","recipient":{}}`,
		`{} {}`, `null`,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var in awardRequest
		err := decodeStrict([]byte(body), &in, "")
		if err == nil {
			return
		}
		ae, ok := err.(*apiError)
		if !ok || ae.status != 400 || ae.msg == "" {
			t.Fatalf("decodeStrict(%q) = %v, want a 400 apiError", body, err)
		}
	})
}

// FuzzParseRegistration checks that the registration parser never panics,
// that whatever it accepts satisfies the redirect URI and scope rules, and
// that accepted metadata parses again to itself.
func FuzzParseRegistration(f *testing.F) {
	f.Add([]byte(registration(nil)))
	f.Add([]byte(registration(func(m map[string]any) { m["redirect_uris"] = []any{"http://[::1]:9/cb", "https://a.example/x?y=1"} })))
	f.Add([]byte(registration(func(m map[string]any) { m["redirect_uris"] = []any{"https://a.example/#f"} })))
	f.Add([]byte(registration(func(m map[string]any) { delete(m, "grant_types"); delete(m, "response_types") })))
	f.Add([]byte(`{"client_name":null,"redirect_uris":"x"}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"a":1}{"b":2}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := parseRegistration(data)
		if err != nil {
			var e *apiError
			if !errors.As(err, &e) || e.status != 400 || (e.code != "invalid_client_metadata" && e.code != "invalid_redirect_uri") {
				t.Fatalf("error %v is not a registration error", err)
			}
			return
		}
		if len(m.RedirectURIs) == 0 || m.Scope == "" {
			t.Fatalf("accepted without redirect URIs or scope: %+v", m)
		}
		for _, u := range m.RedirectURIs {
			if p := checkRedirectURI(u); p != "" {
				t.Fatalf("accepted redirect URI %q: %s", u, p)
			}
		}
		for tok := range strings.FieldsSeq(m.Scope) {
			if !slices.Contains(registeredScopes, tok) {
				t.Fatalf("accepted scope %q", tok)
			}
		}
		again, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		m2, err := parseRegistration(again)
		if err != nil || !reflect.DeepEqual(m, m2) {
			t.Fatalf("re-parse of %s: %+v, %v; want %+v", again, m2, err, m)
		}
	})
}
