package proof

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/microcred/microcred/internal/jsonld"
)

var jcsCases = []string{
	`{"b":1,"a":[true,false,null],"c":{"z":"\u0000\u001f\b\t\n\f\r\"\\/","y":"<>&\u2028\u2029"}}`,
	`{"numbers":[0,-0,1,-1,0.1,1e21,1e-7,123456789012345680000,5e-324,1.7976931348623157e308,333333333.33333329,1E30,4.50,2e-3,0.000001]}`,
	`{"\u20ac":"euro","\r":"cr","1":"one","\ud83d\ude00":"emoji","\ue000":"private use","\u00fc":"u-umlaut","a\u0080":"c1","":"empty"}`,
	`{"peach":"This sorting order","péché":"is wrong according to French","pêche":"but canonicalization MUST","sin":"ignore locale"}`,
	`[[],{},"",[[[{"deep":[1,[2,[3]]]}]]]]`,
	`"just a string"`,
	`1.5`,
}

// TestCanonicalJSONPaths checks the direct JCS writer against encoding/json
// followed by jcs.Transform, including RFC 8785's own examples.
func TestCanonicalJSONPaths(t *testing.T) {
	for _, in := range jcsCases {
		var v any
		if err := json.Unmarshal([]byte(in), &v); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		assertSameJCS(t, v)
		dec := json.NewDecoder(bytes.NewReader([]byte(in)))
		dec.UseNumber()
		var n any
		if err := dec.Decode(&n); err != nil {
			t.Fatal(err)
		}
		assertSameJCS(t, n)
	}
	// Non-decoded Go values take the reference path.
	assertSameJCS(t, map[string]any{"list": []string{"b", "a"}, "n": 3, "m": map[string]int{"y": 1, "x": 2}})
	assertSameJCS(t, SampleCredential())

	got, err := canonicalJSON(map[string]any{"\u20ac": 1, "\r": 2, "\ufb33": 3, "1": 4, "\U0001f600": 5, "\u0080": 6, "\u00f6": 7})
	// RFC 8785, section 3.2.3: sorting by UTF-16 code units.
	if want := "{\"\\r\":2,\"1\":4,\"\u0080\":6,\"\u00f6\":7,\"\u20ac\":1,\"\U0001f600\":5,\"\ufb33\":3}"; err != nil || string(got) != want {
		t.Fatalf("got %s, %v\nwant %s", got, err, want)
	}
	if _, err := canonicalJSON(map[string]any{"x": math.NaN()}); err == nil {
		t.Fatal("NaN was serialized")
	}
}

func assertSameJCS(t testing.TB, v any) {
	t.Helper()
	fast, err1 := canonicalJSON(v)
	ref, err2 := referenceCanonicalJSON(v)
	if (err1 == nil) != (err2 == nil) || !bytes.Equal(fast, ref) {
		t.Fatalf("JCS paths differ:\n fast %s (%v)\n  ref %s (%v)", fast, err1, ref, err2)
	}
}

// FuzzCanonicalJSON checks the direct JCS writer against the reference path
// on arbitrary JSON.
func FuzzCanonicalJSON(f *testing.F) {
	for _, c := range jcsCases {
		f.Add([]byte(c))
	}
	f.Add(sampleCredential)
	f.Fuzz(func(t *testing.T, data []byte) {
		var v any
		if json.Unmarshal(data, &v) != nil {
			return
		}
		assertSameJCS(t, v)
	})
}

// TestJCSRefusesLoneSurrogates is issue item f (first part): RFC 8785
// §3.1 requires I-JSON input, whose strings "MUST NOT include code points
// that identify Surrogates or Noncharacters" (RFC 7493 §2.1). A lone
// surrogate reaches Go either as invalid UTF-8 in a string (refused by the
// writer, never replaced by U+FFFD) or as a "\ud800" escape in JSON text
// (refused by CheckIJSONText before encoding/json replaces it).
func TestJCSRefusesLoneSurrogates(t *testing.T) {
	for _, v := range []any{"a\xed\xa0\x80b", map[string]any{"\xff": 1}, []any{"ok", "\xc3"}} {
		if out, err := canonicalJSON(v); err == nil {
			t.Errorf("%q serialized as %s", v, out)
		}
	}
	doc := SampleCredential()
	doc["name"] = "x\xed\xa0\x80"
	if _, err := Sign(doc, testKey("jcs-surrogate"), Options{Suite: SuiteJCS}); !errors.Is(err, ErrCanonicalize) {
		t.Fatalf("Sign: err = %v, want ErrCanonicalize", err)
	}
	for _, tc := range []struct {
		text string
		ok   bool
	}{
		{`{"a":"\ud83d\ude00"}`, true},
		{`{"a":"\uD83D\uDE00 and \u00e9 \\ud800"}`, true}, // "\\ud800" is a backslash and text
		{`{"a":"\ud800"}`, false},
		{`{"a":"\ud800x"}`, false},
		{`{"a":"\udc00"}`, false},
		{`{"a":"\ud800\u0041"}`, false},
		{`{"\ud800":1}`, false},
		{"{\"a\":\"\xff\"}", false},
		{`{"a":"ok"}`, true},
	} {
		if err := CheckIJSONText([]byte(tc.text)); (err == nil) != tc.ok {
			t.Errorf("CheckIJSONText(%s) = %v, want ok=%v", tc.text, err, tc.ok)
		}
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
