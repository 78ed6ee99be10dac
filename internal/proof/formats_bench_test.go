package proof

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/did"
)

// BenchmarkVerifyPublicSamples verifies the legacy and dual-proof samples
// of other issuers (testdata), beside the raw Ed25519 verification that
// bounds them, so the ratio shows what canonicalization costs.
func BenchmarkVerifyPublicSamples(b *testing.B) {
	keys := &did.Resolver{}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b.Run("raw-ed25519", func(b *testing.B) {
		pub, priv, _ := ed25519.GenerateKey(nil)
		msg := make([]byte, 64)
		sig := ed25519.Sign(priv, msg)
		for b.Loop() {
			if !ed25519.Verify(pub, msg, sig) {
				b.Fatal("raw verify failed")
			}
		}
		perSecond(b)
	})
	for name, file := range map[string]string{
		"Ed25519Signature2020-w3c":  "w3c/ed25519-signature-2020-signed.json",
		"Ed25519Signature2020-ob3":  "dcc/v2NoStatus.json",
		"dual-rdfc-and-2020-ob3":    "dcc/v2DoubleSigWithValidStatus.json",
		"Ed25519Signature2020-vc11": "dcc/v1NoStatus.json",
	} {
		b.Run(name, func(b *testing.B) {
			var doc map[string]any
			if err := json.Unmarshal(readFile(b, "testdata", filepath.FromSlash(file)), &doc); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				res, err := Verify(context.Background(), doc, keys, VerifyOptions{Now: now})
				if err != nil || !res[0].Verified {
					b.Fatal(err, res)
				}
			}
			perSecond(b)
		})
	}
}

// BenchmarkCheckJWT verifies the JWT fixtures of each algorithm in both
// formats (keys from a DID document held in memory).
func BenchmarkCheckJWT(b *testing.B) {
	keys, fetcher := jwtFixtureEnv(b)
	var cases []jwtCase
	if err := json.Unmarshal(readFile(b, "testdata", "jwt", "cases.json"), &cases); err != nil {
		b.Fatal(err)
	}
	for _, c := range cases {
		if c.Want != "verified" || c.KeySource != KeyFromKID {
			continue
		}
		b.Run(c.Name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				res, err := CheckJWT(context.Background(), c.Token, keys, JWTOptions{Now: jwtNow, Keys: fetcher})
				if err != nil || !res.Verified {
					b.Fatal(err, res)
				}
			}
			perSecond(b)
		})
	}
}
