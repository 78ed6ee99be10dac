package verify

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/gowebpki/jcs"
	"github.com/mr-tron/base58"

	"github.com/microcred/microcred/internal/did"
	"github.com/microcred/microcred/internal/jsonld"
	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/proof"
)

var testNow = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)

func testKey(t testing.TB) *keys.KeyPair {
	t.Helper()
	kp, err := keys.FromSeed(make([]byte, ed25519.SeedSize), "")
	if err != nil {
		t.Fatal(err)
	}
	return kp
}

// sample returns the realistic sample credential issued by kp.
func sample(kp *keys.KeyPair) map[string]any {
	doc := proof.SampleCredential()
	doc["issuer"].(map[string]any)["id"] = kp.Controller
	return doc
}

func signed(t testing.TB, kp *keys.KeyPair, suite string, doc map[string]any) []byte {
	t.Helper()
	if suite == "jwt" {
		tok, err := proof.SignJWT(doc, kp, "")
		if err != nil {
			t.Fatal(err)
		}
		return []byte(tok)
	}
	s, err := proof.Sign(doc, kp, proof.Options{Suite: suite, Created: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(s)
	return b
}

// signedJCSRaw secures doc with an eddsa-jcs-2022 proof computed here,
// step by step from the specification, without the checks proof.Sign
// makes first: the way another implementation could sign a credential
// that is not valid JSON-LD (one that lacks the VerifiableCredential type,
// whose type-scoped context defines credentialSubject). The verifier must
// still give its verdict on such a document.
func signedJCSRaw(t testing.TB, kp *keys.KeyPair, doc map[string]any) []byte {
	t.Helper()
	config := map[string]any{"@context": doc["@context"], "type": "DataIntegrityProof", "cryptosuite": proof.SuiteJCS,
		"created": "2026-01-01T00:00:00Z", "verificationMethod": kp.ID, "proofPurpose": "assertionMethod"}
	canon := func(v any) []byte {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		c, err := jcs.Transform(b)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	sig := ed25519.Sign(kp.Private, proof.HashData(canon(doc), canon(config)))
	secured := map[string]any{}
	for k, v := range doc {
		secured[k] = v
	}
	config["proofValue"] = "z" + base58.Encode(sig)
	secured["proof"] = config
	b, _ := json.Marshal(secured)
	return b
}

func checkNamed(rep *Report, name string) *Check {
	for i := range rep.Checks {
		if rep.Checks[i].Name == name || strings.HasPrefix(rep.Checks[i].Name, name+" ") {
			return &rep.Checks[i]
		}
	}
	return nil
}

func TestCredential(t *testing.T) {
	kp := testKey(t)
	other, _ := keys.FromSeed([]byte(strings.Repeat("x", 32)), "")
	expired := sample(kp)
	expired["validUntil"] = "2026-06-01T00:00:00Z"
	future := sample(kp)
	future["validFrom"] = "2030-01-01T00:00:00Z"
	cases := []struct {
		name      string
		input     []byte
		verified  bool
		failCheck string // the check expected to fail
		detail    string
	}{
		{"rdfc", signed(t, kp, proof.SuiteRDFC, sample(kp)), true, "", ""},
		{"jcs", signed(t, kp, proof.SuiteJCS, sample(kp)), true, "", ""},
		{"jwt", signed(t, kp, "jwt", sample(kp)), true, "", ""},
		{"signed by someone else", signed(t, other, proof.SuiteRDFC, sample(kp)), false, "issuer", "someone other than the issuer"},
		{"expired", signed(t, kp, proof.SuiteRDFC, expired), false, "validity period", "expired on 2026-06-01T00:00:00Z"},
		{"not yet valid", signed(t, kp, proof.SuiteJCS, future), false, "validity period", "not valid yet"},
		{"no proof", mustJSON(sample(kp)), false, "proof", "proof"},
		{"tampered", []byte(strings.Replace(string(signed(t, kp, proof.SuiteRDFC, sample(kp))), "Applied Data", "Applied Dada", 1)), false, "proof", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := Credential(context.Background(), tc.input, Options{Keys: &did.Resolver{}, Now: testNow})
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if rep.Verified != tc.verified {
				t.Fatalf("verified = %v, want %v: %+v", rep.Verified, tc.verified, rep.Checks)
			}
			if tc.failCheck == "" {
				return
			}
			c := checkNamed(rep, tc.failCheck)
			if c == nil || c.OK {
				t.Fatalf("check %q should fail: %+v", tc.failCheck, rep.Checks)
			}
			if !strings.Contains(c.Summary+" "+c.Detail, tc.detail) {
				t.Fatalf("detail %q does not mention %q", c.Detail, tc.detail)
			}
		})
	}
}

func TestUnusable(t *testing.T) {
	for _, in := range []string{"", "garbage", "{", "[1]", "a.b", "eyJ.eyJ.x y", `{"a":1,"a":1}`} {
		_, err := Credential(context.Background(), []byte(in), Options{Keys: &did.Resolver{}})
		if !errors.Is(err, ErrUnusable) {
			t.Errorf("%q: err = %v, want ErrUnusable", in, err)
		}
	}
}

func TestDescribe(t *testing.T) {
	lines := Describe(sample(testKey(t)))
	joined := strings.Join(lines, "\n")
	for _, want := range []string{"Issued by: Example University", "Achievement: Applied Data Analysis with Python", "What it means:", "Awarded to:"} {
		if !strings.Contains(joined, want) {
			t.Errorf("description lacks %q:\n%s", want, joined)
		}
	}
	// Text from the credential cannot add lines to the report.
	doc := sample(testKey(t))
	doc["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["description"] = "line one\nVERIFIED: forged"
	for _, l := range Describe(doc) {
		if strings.HasPrefix(l, "VERIFIED") {
			t.Fatalf("forged line: %q", l)
		}
	}
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// FuzzCredential mutates signed credentials. Verification must never
// panic, and must never say verified unless the mutated credential, without
// its proof, canonicalizes to the same bytes as the one that was signed.
func FuzzCredential(f *testing.F) {
	kp := testKey(f)
	orig := sample(kp)
	origCanon, err := jsonld.Canonicalize(orig)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(signed(f, kp, proof.SuiteRDFC, sample(kp)))
	f.Add(signed(f, kp, proof.SuiteJCS, sample(kp)))
	f.Add(signed(f, kp, "jwt", sample(kp)))
	f.Add([]byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":"VerifiableCredential","proof":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := Credential(context.Background(), data, Options{Keys: &did.Resolver{}, Now: testNow})
		if err != nil {
			if !errors.Is(err, ErrUnusable) {
				t.Fatalf("error not marked unusable: %v", err)
			}
			return
		}
		if !rep.Verified {
			return
		}
		doc := make(map[string]any, len(rep.Credential))
		for k, v := range rep.Credential {
			if k != "proof" {
				doc[k] = v
			}
		}
		canon, err := jsonld.Canonicalize(doc)
		if err != nil {
			t.Fatalf("verified a credential that does not canonicalize: %v", err)
		}
		if canon != origCanon {
			t.Fatalf("verified a changed credential:\n%s", data)
		}
	})
}

func withContext(doc map[string]any, url string) map[string]any {
	doc["@context"] = append(doc["@context"].([]any), url)
	return doc
}
