package proof

import (
	"context"
	"crypto/ed25519"
	"testing"
	"time"
)

func BenchmarkSign(b *testing.B) {
	key := testKey("issuer")
	doc := SampleCredential()
	for _, suite := range []string{SuiteRDFC, SuiteJCS} {
		b.Run(suite, func(b *testing.B) {
			opt := Options{Suite: suite, Created: testNow}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Sign(doc, key, opt); err != nil {
					b.Fatal(err)
				}
			}
			perSecond(b)
		})
	}
}

// BenchmarkSignNewConfig signs with a new creation time every time, so
// that the proof configuration is canonicalized for every signature
// instead of being remembered (see configHashes): the cost when no two
// credentials share a proof configuration.
func BenchmarkSignNewConfig(b *testing.B) {
	key := testKey("issuer")
	doc := SampleCredential()
	b.ReportAllocs()
	created := testNow
	for b.Loop() {
		created = created.Add(time.Second)
		if _, err := Sign(doc, key, Options{Suite: SuiteRDFC, Created: created}); err != nil {
			b.Fatal(err)
		}
	}
	perSecond(b)
}

func BenchmarkVerify(b *testing.B) {
	key := testKey("issuer")
	resolver := resolverFor(key)
	for _, suite := range []string{SuiteRDFC, SuiteJCS} {
		b.Run(suite, func(b *testing.B) {
			signed := signSample(b, key, Options{Suite: suite})
			opt := VerifyOptions{Now: testNow}
			b.ReportAllocs()
			for b.Loop() {
				res, err := Verify(context.Background(), signed, resolver, opt)
				if err != nil || !res[0].Verified {
					b.Fatal(err, res)
				}
			}
			perSecond(b)
		})
	}
}

func BenchmarkJWT(b *testing.B) {
	key := testKey("issuer")
	doc := SampleCredential()
	b.Run("sign", func(b *testing.B) {
		for b.Loop() {
			if _, err := SignJWT(doc, key, ""); err != nil {
				b.Fatal(err)
			}
		}
		perSecond(b)
	})
	token, err := SignJWT(doc, key, "")
	if err != nil {
		b.Fatal(err)
	}
	resolver := resolverFor(key)
	b.Run("verify", func(b *testing.B) {
		for b.Loop() {
			if _, err := VerifyJWT(context.Background(), token, resolver); err != nil {
				b.Fatal(err)
			}
		}
		perSecond(b)
	})
}

// BenchmarkEd25519Sign and BenchmarkEd25519Verify are the floor: the
// signature alone over the 64 bytes of hash data a proof signs.
func BenchmarkEd25519Sign(b *testing.B) {
	key := testKey("issuer")
	msg := make([]byte, 64)
	for b.Loop() {
		ed25519.Sign(key.Private, msg)
	}
	perSecond(b)
}

func BenchmarkEd25519Verify(b *testing.B) {
	key := testKey("issuer")
	msg := make([]byte, 64)
	sig := ed25519.Sign(key.Private, msg)
	for b.Loop() {
		if !ed25519.Verify(key.Public, msg, sig) {
			b.Fatal("verify failed")
		}
	}
	perSecond(b)
}

// perSecond reports the throughput as credentials (or signatures) per
// second, the unit the performance targets are written in. Run with -cpu 1
// for the per-core figure.
func perSecond(b *testing.B) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

// BenchmarkSignVaried signs the mix of "microcred bench sign --varied":
// generated credentials of 1.5–5 KB with up to 30 blank nodes, a third
// with inline contexts.
func BenchmarkSignVaried(b *testing.B) {
	key := testKey("issuer")
	docs := VariedCredentials(1, 500, BenchVariedOptions)
	for _, suite := range []string{SuiteRDFC, SuiteJCS} {
		b.Run(suite, func(b *testing.B) {
			opt := Options{Suite: suite, Created: testNow}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, err := Sign(docs[i%len(docs)], key, opt); err != nil {
					b.Fatal(err)
				}
				i++
			}
			perSecond(b)
		})
	}
}

// BenchmarkVerifyVaried verifies the same mix (eddsa-rdfc-2022).
func BenchmarkVerifyVaried(b *testing.B) {
	key := testKey("issuer")
	docs := VariedCredentials(1, 500, BenchVariedOptions)
	signed := make([]map[string]any, len(docs))
	for i, d := range docs {
		s, err := Sign(d, key, Options{Created: testNow})
		if err != nil {
			b.Fatal(err)
		}
		signed[i] = s
	}
	r := resolverFor(key)
	opt := VerifyOptions{Now: testNow.Add(time.Hour)}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		res, err := Verify(context.Background(), signed[i%len(signed)], r, opt)
		if err != nil || !res[0].Verified {
			b.Fatalf("%v %+v", err, res)
		}
		i++
	}
	perSecond(b)
}
