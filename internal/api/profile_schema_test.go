package api

import (
	"testing"

	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/store"
)

// TestProfileMatchesSchema: the issuer Profile the OB 3.0 API serves
// matches 1EdTech's Profile JSON Schema, for both DID methods.
func TestProfileMatchesSchema(t *testing.T) {
	for _, method := range []store.DIDMethod{store.DIDWeb, store.DIDKey} {
		e := newEnv(t, "sqlite", method)
		rec := e.do("GET", "/ims/ob/v3p0/profile", bearer(e.token("all")), "")
		if rec.Code != 200 {
			t.Fatalf("%s: getProfile %d %s", method, rec.Code, rec.Body)
		}
		if err := credential.ValidateSchema(credential.SchemaProfile, rec.Body.Bytes()); err != nil {
			t.Errorf("%s: the Profile does not match the OB 3.0 schema: %v\n%s", method, err, rec.Body)
		}
	}
}
