package proof

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"
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
