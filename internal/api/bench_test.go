package api

import (
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/microcred/microcred/internal/store"
)

// BenchmarkAward measures one issuance through POST /api/v1/credentials,
// in process (no network), including bearer authentication.
func BenchmarkAward(b *testing.B) {
	e := newEnv(b, "sqlite", store.DIDWeb, func(c *Config) { c.RateLimit = -1 })
	tok := e.token("all")
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		body := fmt.Sprintf(`{"achievementId":%q,"recipient":{"email":"l%d@example.org"},"notify":false}`, e.achID, i)
		req := httptest.NewRequest("POST", "/api/v1/credentials", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		e.mux.ServeHTTP(rec, req)
		if rec.Code != 201 {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
	}
}

// BenchmarkAuthenticate measures bearer authentication alone, with the
// cache of validated tokens and without it (every request reads the token,
// the client and the organization from the store).
func BenchmarkAuthenticate(b *testing.B) {
	for _, bc := range []struct {
		name    string
		noCache bool
	}{{"cached", false}, {"uncached", true}} {
		b.Run(bc.name, func(b *testing.B) {
			e := newEnv(b, "sqlite", store.DIDWeb, func(c *Config) { c.RateLimit = -1; c.NoTokenCache = bc.noCache })
			tok := e.token("all")
			req := httptest.NewRequest("GET", "/ims/ob/v3p0/profile", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			for b.Loop() {
				if _, err := e.api.authenticate(req, ScopeProfileRead); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
