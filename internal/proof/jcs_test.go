package proof

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"testing"

	"github.com/microcred/microcred/internal/canonjson"
	"github.com/microcred/microcred/internal/jsonld"
)

// TestCanonicalJSONSample: the sample credential, a document with every
// kind of value the issuer writes, comes out the same from the direct
// writer and the reference path (package canonjson tests the rest).
func TestCanonicalJSONSample(t *testing.T) {
	fast, err1 := canonjson.Marshal(SampleCredential())
	ref, err2 := canonjson.MarshalReference(SampleCredential())
	if err1 != nil || err2 != nil || !bytes.Equal(fast, ref) {
		t.Fatalf("JCS paths differ:\n fast %s (%v)\n  ref %s (%v)", fast, err1, ref, err2)
	}
}

// TestJCSRefusesLoneSurrogates is issue item f (first part): RFC 8785
// §3.1 requires I-JSON input, whose strings "MUST NOT include code points
// that identify Surrogates or Noncharacters" (RFC 7493 §2.1). A lone
// surrogate reaches Go either as invalid UTF-8 in a string (refused by the
// writer, never replaced by U+FFFD) or as a "\ud800" escape in JSON text
// (refused by canonjson.CheckText before encoding/json replaces it; tested
// there).
func TestJCSRefusesLoneSurrogates(t *testing.T) {
	doc := SampleCredential()
	doc["name"] = "x\xed\xa0\x80"
	if _, err := Sign(doc, testKey("jcs-surrogate"), Options{Suite: SuiteJCS}); !errors.Is(err, ErrCanonicalize) {
		t.Fatalf("Sign: err = %v, want ErrCanonicalize", err)
	}
}

// TestJCSRefusesUndefinedTerms is issue item f (second part): a credential
// with a property its contexts do not define is refused under
// eddsa-jcs-2022 as under eddsa-rdfc-2022, when signing and when
// verifying, since VC Data Model 2.0 §4.3 requires its terms to be
// defined whichever suite secures it.
func TestJCSRefusesUndefinedTerms(t *testing.T) {
	key := testKey("jcs-undefined")
	doc := SampleCredential()
	doc["notDefinedAnywhere"] = "x"
	for _, suite := range []string{SuiteRDFC, SuiteJCS} {
		_, err := Sign(doc, key, Options{Suite: suite})
		if !errors.Is(err, ErrCanonicalize) || !errors.Is(err, jsonld.ErrUndefinedTerm) {
			t.Errorf("Sign %s: err = %v, want ErrCanonicalize and ErrUndefinedTerm", suite, err)
		}
	}
	// A proof made over the raw JCS bytes (as a signer without the check
	// would) does not verify.
	proof := map[string]any{
		"type": ProofType, "cryptosuite": SuiteJCS, "created": "2026-01-01T00:00:00Z",
		"verificationMethod": key.ID, "proofPurpose": "assertionMethod", "@context": doc["@context"],
	}
	docHash, err := jcsHash(doc)
	if err != nil {
		t.Fatal(err)
	}
	config, err := configDocument(doc, proof, SuiteJCS)
	if err != nil {
		t.Fatal(err)
	}
	configHash, err := jcsHash(config)
	if err != nil {
		t.Fatal(err)
	}
	proof["proofValue"] = encodeProofValue(ed25519.Sign(key.Private, hashData(docHash, configHash)))
	signed := shallowCopy(doc)
	signed["proof"] = proof
	results, err := Verify(context.Background(), signed, resolverFor(key), VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 1 || results[0].Verified || !errors.Is(results[0].Err, ErrCanonicalize) {
		t.Fatalf("results = %+v, want one failed with ErrCanonicalize", results)
	}
	delete(signed, "notDefinedAnywhere")
	if results, _ := Verify(context.Background(), signed, resolverFor(key), VerifyOptions{}); len(results) != 1 || results[0].Verified {
		t.Fatalf("changed document verified: %+v", results)
	}
}
