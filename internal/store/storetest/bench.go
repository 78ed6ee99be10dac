package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/store"
)

// benchDocument is a secured credential of realistic size (about 2 KB, the
// size of a typical OB 3.0 credential with an eddsa proof).
var benchDocument = func() string {
	doc := map[string]any{
		"@context":          []string{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"type":              []string{"VerifiableCredential", "OpenBadgeCredential"},
		"issuer":            map[string]any{"id": "did:web:issuer.example", "type": []string{"Profile"}, "name": "Example University"},
		"validFrom":         "2026-01-01T00:00:00Z",
		"name":              "Data Analysis Fundamentals",
		"credentialSubject": map[string]any{"type": []string{"AchievementSubject"}, "identifier": []any{map[string]any{"type": "IdentityObject", "hashed": true, "identityHash": "sha256$" + strings.Repeat("ab", 32), "identityType": "emailAddress", "salt": "s4lt"}}, "achievement": map[string]any{"id": "https://issuer.example/achievements/1", "type": []string{"Achievement"}, "name": "Data Analysis Fundamentals", "description": strings.Repeat("Learners analyse data sets and report findings. ", 12), "criteria": map[string]any{"narrative": "Completed all modules and passed the final assessment."}}},
		"proof":             map[string]any{"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "created": "2026-01-01T00:00:00Z", "verificationMethod": "did:web:issuer.example#key-1", "proofPurpose": "assertionMethod", "proofValue": "z" + strings.Repeat("5", 86)},
	}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return string(b)
}()

// Bench runs the store benchmarks. open must return a new, migrated, empty
// store for each call.
//
//   - InsertCredential/single: one credential per statement, each its own
//     transaction (the API's single-issue path).
//   - InsertCredential/batch-N: N credentials in one WithTx (the bulk
//     issuance path); reports credentials/s.
//   - InsertCredential/idempotent-batch-N: the same with idempotency keys.
func Bench(b *testing.B, open func(tb testing.TB) store.Store) {
	b.Run("InsertCredential/single", func(b *testing.B) {
		s := open(b)
		f := newFixture(b, s, "bench")
		ctx := context.Background()
		c := f.credential("")
		c.Document = benchDocument
		b.ResetTimer()
		start := time.Now()
		for i := 0; b.Loop(); i++ {
			c.ID = fmt.Sprintf("urn:uuid:single-%d", i)
			if _, _, err := s.InsertCredential(ctx, c); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "credentials/s")
	})
	for _, withKey := range []bool{false, true} {
		for _, n := range []int{100, 1000} {
			name := fmt.Sprintf("InsertCredential/batch-%d", n)
			if withKey {
				name = fmt.Sprintf("InsertCredential/idempotent-batch-%d", n)
			}
			b.Run(name, func(b *testing.B) {
				s := open(b)
				f := newFixture(b, s, "bench")
				ctx := context.Background()
				c := f.credential("")
				c.Document = benchDocument
				seq := 0
				b.ResetTimer()
				start := time.Now()
				for b.Loop() {
					err := s.WithTx(ctx, func(tx store.Store) error {
						for range n {
							seq++
							c.ID = fmt.Sprintf("urn:uuid:batch-%d", seq)
							if withKey {
								c.IdempotencyKey = fmt.Sprintf("job-1/row-%d", seq)
							}
							if _, _, err := tx.InsertCredential(ctx, c); err != nil {
								return err
							}
						}
						return nil
					})
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(seq)/time.Since(start).Seconds(), "credentials/s")
			})
		}
	}
}
