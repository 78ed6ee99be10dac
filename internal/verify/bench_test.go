package verify

import (
	"context"
	"crypto/ed25519"
	"testing"

	"github.com/microcred/microcred/internal/did"
	"github.com/microcred/microcred/internal/proof"
)

// BenchmarkCredential measures the whole pipeline (decode, proof, data
// model, issuer, validity) on the realistic sample credential, beside raw
// Ed25519 verification as the baseline of the same run.
func BenchmarkCredential(b *testing.B) {
	kp := testKey(b)
	for _, suite := range []string{proof.SuiteRDFC, proof.SuiteJCS, "jwt"} {
		data := signed(b, kp, suite, sample(kp))
		b.Run(suite, func(b *testing.B) {
			opt := Options{Keys: &did.Resolver{}, Now: testNow}
			for b.Loop() {
				rep, err := Credential(context.Background(), data, opt)
				if err != nil || !rep.Verified {
					b.Fatalf("not verified: %v %s", err, dump(rep))
				}
			}
		})
	}
	b.Run("baseline-ed25519", func(b *testing.B) {
		msg := make([]byte, 64)
		sig := ed25519.Sign(kp.Private, msg)
		for b.Loop() {
			if !ed25519.Verify(kp.Public, msg, sig) {
				b.Fatal("baseline signature")
			}
		}
	})
}
