package proof

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/did"
	"github.com/microcred/microcred/internal/keys"
)

// signDraft2022 secures doc with a DataIntegrityProof of cryptosuite
// eddsa-2022, the draft name of eddsa-rdfc-2022, as the implementations of
// the 2022 drafts produced it: same transformation and hashing, only the
// name differs. Sign does not produce it, so the test builds it.
func signDraft2022(t *testing.T, doc map[string]any, key *keys.KeyPair) map[string]any {
	t.Helper()
	proof := map[string]any{
		"type":               ProofType,
		"cryptosuite":        SuiteEdDSA2022,
		"created":            "2023-03-01T10:00:00Z",
		"verificationMethod": key.ID,
		"proofPurpose":       "assertionMethod",
	}
	docHash, err := transformHash(doc, SuiteEdDSA2022)
	if err != nil {
		t.Fatal(err)
	}
	configHash, err := proofConfigHash(doc, proof, SuiteEdDSA2022)
	if err != nil {
		t.Fatal(err)
	}
	proof["proofValue"] = encodeProofValue(ed25519.Sign(key.Private, hashData(docHash, configHash)))
	out := shallowCopy(doc)
	out["proof"] = proof
	return out
}

func TestEdDSA2022(t *testing.T) {
	key := testKey("issuer")
	signed := signDraft2022(t, SampleCredential(), key)
	res := mustVerify(t, signed, resolverFor(key), VerifyOptions{Now: testNow})
	if res[0].Suite != SuiteEdDSA2022 {
		t.Errorf("suite %q", res[0].Suite)
	}
	// The draft name is part of the signed proof configuration: renaming
	// it to the final name breaks the signature.
	renamed := deepCopy(signed).(map[string]any)
	renamed["proof"].(map[string]any)["cryptosuite"] = SuiteRDFC
	res, err := Verify(context.Background(), renamed, resolverFor(key), VerifyOptions{Now: testNow})
	if err != nil || res[0].Verified || !errors.Is(res[0].Err, ErrSignature) {
		t.Fatalf("renamed suite: %+v %v", res, err)
	}
	if _, err := Sign(SampleCredential(), key, Options{Suite: SuiteEdDSA2022}); !errors.Is(err, ErrUnsupportedSuite) {
		t.Errorf("Sign with the draft name: %v, want ErrUnsupportedSuite", err)
	}
}

// TestEd25519Signature2020Negative changes the W3C test vector in each way
// that must make its legacy proof fail, and checks the reason.
func TestEd25519Signature2020Negative(t *testing.T) {
	vector := readJSON(t, "testdata", "w3c", "ed25519-signature-2020-signed.json")
	pair := multikeyPair(t, readJSON(t, "testdata", "w3c", "keyPair.json"))
	other := testKey("other")
	now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	set := func(k string, v any) func(d, p map[string]any) {
		return func(_, p map[string]any) { p[k] = v }
	}
	tests := []struct {
		name     string
		mutate   func(d, p map[string]any)
		resolver *mapResolver
		opt      VerifyOptions
		want     error
	}{
		{"untouched", nil, nil, VerifyOptions{}, nil},
		{"tampered subject", func(d, _ map[string]any) {
			d["credentialSubject"].(map[string]any)["alumniOf"] = "The School of Forgeries"
		}, nil, VerifyOptions{}, ErrSignature},
		{"tampered validFrom", func(d, _ map[string]any) { d["validFrom"] = "2020-01-01T00:00:00Z" }, nil, VerifyOptions{}, ErrSignature},
		{"tampered created", set("created", "2023-02-24T23:36:39Z"), nil, VerifyOptions{}, ErrSignature},
		{"wrong key", nil, resolverFor().add(pair.ID, other.Public), VerifyOptions{}, ErrSignature},
		{"key unknown", nil, resolverFor(), VerifyOptions{}, ErrKey},
		{"proofValue of another proof", set("proofValue", "z3vG9cHevmrtMiTfb8e7qSPtKyZz1ziPbcxePqcYJ5Rtx5asWsHFq6rPfj8GaPxXkYqvb7qu2dFYg9amc1dpqQhsY"), nil, VerifyOptions{}, ErrSignature},
		{"proofValue base64", set("proofValue", "uAAAA"), nil, VerifyOptions{}, ErrProofValue},
		{"expired", set("expires", "2023-12-31T00:00:00Z"), nil, VerifyOptions{}, ErrProofDate},
		{"created in the future", nil, nil, VerifyOptions{Now: time.Date(2023, 2, 1, 0, 0, 0, 0, time.UTC)}, ErrProofDate},
		{"other purpose expected", nil, nil, VerifyOptions{ProofPurpose: "authentication"}, ErrProofPurpose},
		{"no verificationMethod", func(_, p map[string]any) { delete(p, "verificationMethod") }, nil, VerifyOptions{}, ErrMalformedProof},
		{"suite context removed", func(d, _ map[string]any) {
			// Without the suite context in the document, the verifier
			// adds it, as jsonld-signatures does; the canonical form is
			// then the signed one.
			d["@context"] = d["@context"].([]any)[:2]
		}, nil, VerifyOptions{}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := deepCopy(vector).(map[string]any)
			if tc.mutate != nil {
				tc.mutate(doc, doc["proof"].(map[string]any))
			}
			r := tc.resolver
			if r == nil {
				r = resolverFor(pair)
			}
			opt := tc.opt
			if opt.Now.IsZero() {
				opt.Now = now
			}
			res, err := Verify(context.Background(), doc, r, opt)
			if err != nil {
				t.Fatal(err)
			}
			if len(res) != 1 || res[0].Suite != ProofTypeEd25519Signature2020 || res[0].Unsupported {
				t.Fatalf("results %+v", res)
			}
			if tc.want == nil {
				if !res[0].Verified {
					t.Fatalf("not verified: %v", res[0].Err)
				}
				return
			}
			if res[0].Verified || !errors.Is(res[0].Err, tc.want) {
				t.Fatalf("verified %v err %v, want %v", res[0].Verified, res[0].Err, tc.want)
			}
		})
	}
}

// TestProofSetUnsupported mixes proofs microcred checks with proofs it
// cannot: those are Unsupported (not checked), never reported as failing
// signatures, and do not affect the verdict on the others.
func TestProofSetUnsupported(t *testing.T) {
	key := testKey("issuer")
	signed := signSample(t, key, Options{})
	good := signed["proof"].(map[string]any)
	foreign := []map[string]any{
		{"type": "EcdsaSecp256k1Signature2019", "created": "2026-07-01T11:00:00Z", "verificationMethod": "did:example:issuer#k", "proofPurpose": "assertionMethod", "jws": "eyJhbGciOiJFUzI1NksifQ..c2ln"},
		{"type": ProofType, "cryptosuite": "ecdsa-rdfc-2019", "created": "2026-07-01T11:00:00Z", "verificationMethod": "did:example:issuer#p256", "proofPurpose": "assertionMethod", "proofValue": "z3FXQ"},
		{"type": ProofType, "cryptosuite": "bbs-2023", "verificationMethod": "did:example:issuer#bls", "proofPurpose": "assertionMethod", "proofValue": "u2V0ChVhA"},
	}
	doc := shallowCopy(signed)
	list := []any{good}
	for _, f := range foreign {
		list = append(list, f)
	}
	doc["proof"] = list
	res, err := Verify(context.Background(), doc, resolverFor(key), VerifyOptions{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 4 || !res[0].Verified || res[0].Unsupported {
		t.Fatalf("first proof: %+v", res)
	}
	wantNames := []string{`type "EcdsaSecp256k1Signature2019"`, `cryptosuite "ecdsa-rdfc-2019"`, `cryptosuite "bbs-2023"`}
	for i, r := range res[1:] {
		if r.Verified || !r.Unsupported || errors.Is(r.Err, ErrSignature) {
			t.Errorf("proof %d: %+v, want Unsupported", i+2, r)
		}
		if !errors.Is(r.Err, ErrUnknownProofType) && !errors.Is(r.Err, ErrUnsupportedSuite) {
			t.Errorf("proof %d: %v", i+2, r.Err)
		}
		if !strings.Contains(r.Err.Error(), wantNames[i]) {
			t.Errorf("proof %d: %q does not name %s", i+2, r.Err, wantNames[i])
		}
	}
}

// TestMalformedProofMessages checks that a proof lacking members is
// reported as malformed (not Unsupported) with a message naming the member
// and never Go's <nil> or empty quotes.
func TestMalformedProofMessages(t *testing.T) {
	key := testKey("issuer")
	signed := signSample(t, key, Options{})
	tests := []struct {
		name   string
		mutate func(p map[string]any)
		want   string
	}{
		{"no type", func(p map[string]any) { delete(p, "type") }, "type is missing"},
		{"type list", func(p map[string]any) { p["type"] = []any{"A", "B"} }, `type is the JSON value ["A","B"]`},
		{"no cryptosuite", func(p map[string]any) { delete(p, "cryptosuite") }, "cryptosuite is missing"},
		{"empty verificationMethod", func(p map[string]any) { p["verificationMethod"] = "" }, "verificationMethod is an empty string"},
		{"no proofPurpose", func(p map[string]any) { delete(p, "proofPurpose") }, "proofPurpose is missing"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := deepCopy(signed).(map[string]any)
			tc.mutate(doc["proof"].(map[string]any))
			res, err := Verify(context.Background(), doc, resolverFor(key), VerifyOptions{Now: testNow})
			if err != nil {
				t.Fatal(err)
			}
			r := res[0]
			if r.Verified || r.Unsupported || !errors.Is(r.Err, ErrMalformedProof) {
				t.Fatalf("%+v", r)
			}
			msg := r.Err.Error()
			if !strings.Contains(msg, tc.want) || strings.Contains(msg, "<nil>") || strings.Contains(msg, `""`) {
				t.Errorf("message %q, want it to contain %q", msg, tc.want)
			}
		})
	}
}

// TestCouldNotCheck classifies the errors of proofs microcred cannot check
// apart from those of proofs that are false.
func TestCouldNotCheck(t *testing.T) {
	key := testKey("issuer")
	signed := signSample(t, key, Options{})
	unshipped := deepCopy(signed).(map[string]any)
	unshipped["@context"] = append(unshipped["@context"].([]any), "https://w3id.org/security/suites/jws-2020/v1")
	foreign := deepCopy(signed).(map[string]any)
	foreign["proof"].(map[string]any)["cryptosuite"] = "ecdsa-rdfc-2019"
	tampered := deepCopy(signed).(map[string]any)
	tampered["name"] = "Forged"
	for _, tc := range []struct {
		name string
		doc  map[string]any
		want bool
	}{
		{"context not shipped", unshipped, true},
		{"unsupported cryptosuite", foreign, true},
		{"tampered", tampered, false},
	} {
		res, err := Verify(context.Background(), tc.doc, resolverFor(key), VerifyOptions{Now: testNow})
		if err != nil {
			t.Fatal(err)
		}
		if res[0].Verified || CouldNotCheck(res[0].Err) != tc.want {
			t.Errorf("%s: CouldNotCheck(%v) = %v, want %v", tc.name, res[0].Err, !tc.want, tc.want)
		}
	}
	fetchFailed := fmt.Errorf("%w: kid did:web:gone.example#k: %w", ErrKey, did.ErrFetch)
	if !CouldNotCheck(fetchFailed) || CouldNotCheck(ErrSignature) || CouldNotCheck(nil) {
		t.Error("classification of key and signature errors")
	}
}
