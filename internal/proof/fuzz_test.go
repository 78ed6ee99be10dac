package proof

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/did"
)

// effectiveDocument is what a proof's signature covers of the document
// itself: the document without proofs, with the proof's @context in place
// of the document's when the proof carries one (the rule of both EdDSA
// suites, which lets later contexts be appended to a signed document).
func effectiveDocument(doc, proof map[string]any) map[string]any {
	u := shallowCopy(doc)
	delete(u, "proof")
	if ctx, ok := proof["@context"]; ok {
		u["@context"] = ctx
	}
	return u
}

// FuzzVerify mutates signed credentials (both suites, a proof set and a
// chain). Verify must not panic, and a proof may verify only if the
// canonical form of the mutated document equals the original's: a change
// that canonicalizes to the same bytes is not a change.
func FuzzVerify(f *testing.F) {
	k1, k2 := testKey("issuer"), testKey("co-signer")
	resolver := resolverFor(k1, k2)
	original := SampleCredential()
	want := map[string][]byte{}
	for _, suite := range []string{SuiteRDFC, SuiteJCS} {
		canon, err := Transform(original, suite)
		if err != nil {
			f.Fatal(err)
		}
		want[suite] = canon
	}
	add := func(doc map[string]any) {
		b, err := json.Marshal(doc)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	created := testNow.Add(-time.Hour)
	rdfc := signSample(f, k1, Options{Suite: SuiteRDFC, ID: "urn:uuid:a", Created: created})
	jcs := signSample(f, k1, Options{Suite: SuiteJCS, Created: created})
	set, err := Sign(rdfc, k2, Options{Suite: SuiteJCS, Created: created})
	if err != nil {
		f.Fatal(err)
	}
	chain, err := Sign(rdfc, k2, Options{Suite: SuiteJCS, PreviousProof: "urn:uuid:a", Created: created})
	if err != nil {
		f.Fatal(err)
	}
	for _, d := range []map[string]any{rdfc, jcs, set, chain} {
		add(d)
	}
	f.Add([]byte(`{"proof":{}}`))
	f.Add([]byte(`{"@context":"https://www.w3.org/ns/credentials/v2","proof":[{"type":"DataIntegrityProof","cryptosuite":"eddsa-jcs-2022","proofValue":"z1"}]}`))

	f.Fuzz(func(t *testing.T, data []byte) {
		var doc map[string]any
		if err := json.Unmarshal(data, &doc); err != nil || doc == nil {
			return
		}
		res, err := Verify(context.Background(), doc, resolver, VerifyOptions{Now: testNow})
		if err != nil {
			return
		}
		proofs, _ := proofList(doc["proof"])
		for i, r := range res {
			if !r.Verified {
				continue
			}
			got, err := Transform(effectiveDocument(doc, proofs[i]), r.Suite)
			if err != nil {
				t.Fatalf("proof %d verified but the document does not canonicalize: %v", i+1, err)
			}
			if !bytes.Equal(got, want[r.Suite]) {
				t.Fatalf("proof %d (%s) verified a changed document:\n%s", i+1, r.Suite, got)
			}
		}
	})
}

// FuzzVerifyJWT mutates a VC-JWT. VerifyJWT must not panic and must accept
// only the token exactly as signed.
func FuzzVerifyJWT(f *testing.F) {
	key := testKey("issuer")
	token, err := SignJWT(SampleCredential(), key, "")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(token)
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add("a.b.c")
	resolver := resolverFor(key)
	f.Fuzz(func(t *testing.T, s string) {
		doc, err := VerifyJWT(context.Background(), s, resolver)
		if err == nil && s != token {
			t.Fatalf("verified a modified token %q", s)
		}
		if (err == nil) != (doc != nil) {
			t.Fatalf("VerifyJWT returned doc=%v with err=%v", doc != nil, err)
		}
	})
}

// FuzzVerifyLegacy mutates the W3C Ed25519Signature2020 vector and a DCC
// proof set of Ed25519Signature2020 and eddsa-rdfc-2022. Verify must not
// panic, and an Ed25519Signature2020 proof may verify only if the
// document's canonical form (under the suite context) is unchanged.
func FuzzVerifyLegacy(f *testing.F) {
	// did:key resolves offline; the samples need no other document.
	keys := &did.Resolver{}
	canonical := func(doc map[string]any) ([sha256.Size]byte, error) {
		u := shallowCopy(doc)
		delete(u, "proof")
		if c, added := legacyContext(u["@context"]); added {
			u["@context"] = c
		}
		return transformHash(u, SuiteRDFC)
	}
	want := map[[sha256.Size]byte]bool{}
	for _, file := range []string{"w3c/ed25519-signature-2020-signed.json", "dcc/v2DoubleSigWithValidStatus.json"} {
		b := readFile(f, "testdata", filepath.FromSlash(file))
		f.Add(b)
		var doc map[string]any
		if err := json.Unmarshal(b, &doc); err != nil {
			f.Fatal(err)
		}
		h, err := canonical(doc)
		if err != nil {
			f.Fatal(err)
		}
		want[h] = true
	}
	f.Add([]byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"proof":{"type":"Ed25519Signature2020","proofPurpose":"assertionMethod","verificationMethod":"did:key:z6Mk#z6Mk","proofValue":"z1"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var doc map[string]any
		if err := json.Unmarshal(data, &doc); err != nil || doc == nil {
			return
		}
		res, err := Verify(context.Background(), doc, keys, VerifyOptions{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
		if err != nil {
			return
		}
		for i, r := range res {
			if r.Verified && r.Unsupported {
				t.Fatalf("proof %d both verified and unsupported", i+1)
			}
			if !r.Verified || r.Suite != ProofTypeEd25519Signature2020 {
				continue
			}
			h, err := canonical(doc)
			if err != nil || !want[h] {
				t.Fatalf("proof %d verified a changed document (%v)", i+1, err)
			}
		}
	})
}

// FuzzCheckJWT mutates the JWT fixtures (both formats, three algorithms).
// CheckJWT must not panic, its outcome must be one of the three, and only
// a token exactly as signed may verify.
func FuzzCheckJWT(f *testing.F) {
	keys, fetcher := jwtFixtureEnv(f)
	var cases []jwtCase
	if err := json.Unmarshal(readFile(f, "testdata", "jwt", "cases.json"), &cases); err != nil {
		f.Fatal(err)
	}
	signed := map[string]bool{}
	for _, c := range cases {
		f.Add(c.Token)
		if c.Want == "verified" {
			signed[c.Token] = true
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		res, err := CheckJWT(context.Background(), s, keys, JWTOptions{Now: jwtNow, Keys: fetcher})
		if err != nil {
			if res != nil || !errors.Is(err, ErrMalformedJWT) {
				t.Fatalf("result %v with error %v", res, err)
			}
			return
		}
		if res.Verified && (res.Err != nil || res.CouldNotCheck || res.Credential == nil) {
			t.Fatalf("inconsistent verified result %+v", res)
		}
		if !res.Verified && res.Err == nil {
			t.Fatal("not verified without a reason")
		}
		if res.Verified && !signed[s] {
			t.Fatalf("verified a modified token %q", s)
		}
	})
}
