package jsonld

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzCanonicalize feeds arbitrary JSON to both paths: neither may panic,
// and whenever the fast path produces a dataset it must canonicalize to
// exactly the reference output.
func FuzzCanonicalize(f *testing.F) {
	for _, name := range []string{"ob3-credential.json", filepath.Join("clr", "unsigned.json"), filepath.Join("clr", "proof-config.json")} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		`{}`, `[]`, `null`, `"x"`, `[{"@id":"urn:x"}]`,
		`{"@context":"https://www.w3.org/ns/credentials/v2","type":"VerifiableCredential","issuer":"did:x:1","name":{"@value":"n","@language":"en"}}`,
		`{"@context":["https://www.w3.org/ns/credentials/v2",{"@vocab":"https://ex.org/#"}],"id":"urn:a","foo":[1,2.5,true,null,{"bar":"b"}]}`,
		`{"@context":{"p":{"@id":"https://ex.org/p","@container":"@list"}},"@id":"urn:a","p":[[1]]}`,
		`{"@context":{"@protected":true,"p":"https://ex.org/p"},"@id":"urn:a","q":{"@context":{"p":"https://ex.org/q"},"p":1}}`,
		`{"@context":{"p":{"@id":"https://ex.org/p","@type":"@json"}},"@id":"urn:a","p":[1,{"a":2}]}`,
		`{"@context":{"t":{"@id":"https://ex.org/T","@context":{"x":"https://ex.org/x"}},"y":"https://ex.org/y"},"@type":"t","x":{"x":1,"y":2}}`,
		`{"@context":{"@protected":"yes"},"@id":"urn:a"}`,
		`{"@context":{"n":null,"n:x":"urn:y"},"@id":"urn:a","n:x":1}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var doc any
		if err := json.Unmarshal(data, &doc); err != nil {
			return
		}
		ref, refErr := CanonicalizeReference(deepCopy(doc))
		quads, fastErr := ToRDF(deepCopy(doc))
		if fastErr == nil && refErr == nil {
			c, err := Canonicalize(deepCopy(doc))
			if err != nil || c != ref {
				t.Fatalf("fast %q (%v) differs from reference %q", c, err, ref)
			}
		}
		if fastErr == nil && refErr != nil && len(quads) > 0 {
			t.Fatalf("fast path accepted a document the reference refuses: %v", refErr)
		}
		if errors.Is(fastErr, ErrUndefinedTerm) && refErr == nil {
			t.Fatalf("fast path refused (%v) a document the reference accepts", fastErr)
		}
		c, cErr := Canonicalize(deepCopy(doc))
		if (cErr == nil) != (refErr == nil) || c != ref {
			t.Fatalf("Canonicalize = %q, %v; reference = %q, %v", c, cErr, ref, refErr)
		}
		checkWriteCanonical(t, doc, ref, refErr)
	})
}

// FuzzWellFormedIRI holds the one-pass check of wellFormedIRI to the
// grammar (wellFormedIRISlow).
func FuzzWellFormedIRI(f *testing.F) {
	for _, s := range []string{"https://example.edu/a?b#c", "did:key:z6Mk#z6Mk", "urn:x:a b", "https://u@h:1/", "https://[::1]/", "http://h:8x/", "a:%41", "x:#", "https://h/é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if fast, slow := wellFormedIRI(s), wellFormedIRISlow(s); fast != slow {
			t.Fatalf("wellFormedIRI(%q) = %v, grammar says %v", s, fast, slow)
		}
	})
}
