package api

import (
	"net/http/httptest"
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
