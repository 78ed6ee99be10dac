package jsonld_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/microcred/microcred/internal/jsonld"
	"github.com/microcred/microcred/internal/jsonld/rdfc"
	"github.com/microcred/microcred/internal/proof"
)

// TestVariedDifferential drives the fast path and the reference path
// (json-gold's expansion, then the spec's RDF conversion) with generated
// credentials of 1.5–18 KB: Unicode in many scripts, inline contexts,
// nested arrays, lists, @json, language maps, numbers up to 10^21 and
// beyond, up to 30 blank nodes. The fast path must handle every one (no
// fallback) and give the reference's canonical N-Quads byte for byte.
func TestVariedDifferential(t *testing.T) {
	n := 300
	if testing.Short() {
		n = 40
	}
	docs := proof.VariedCredentials(17, n, proof.VariedOptions{MinBytes: 1536, MaxBytes: 18 << 10, MaxBlankNodes: 30, InlineShare: 0.5})
	before := jsonld.FallbackCount()
	for i, doc := range docs {
		raw, _ := json.Marshal(doc)
		if len(raw) < 1536 || len(raw) > 20<<10 {
			t.Errorf("credential %d: %d bytes", i, len(raw))
		}
		quads, err := jsonld.ToRDF(doc)
		if err != nil {
			t.Fatalf("credential %d: fast path: %v\n%s", i, err, raw)
		}
		fast, err := rdfc.Canonicalize(quads)
		if err != nil {
			t.Fatal(err)
		}
		ref, err := jsonld.CanonicalizeReference(doc)
		if err != nil {
			t.Fatalf("credential %d: reference: %v", i, err)
		}
		if fast != ref {
			t.Fatalf("credential %d: fast path differs from the reference:\nfast:\n%s\nref:\n%s\ndoc: %s", i, fast, ref, raw)
		}
		if _, err := rdfc.ParseNQuads(fast); err != nil {
			t.Fatalf("credential %d: output is not N-Quads: %v", i, err)
		}
		got, err := jsonld.Canonicalize(doc)
		if err != nil || got != ref {
			t.Fatalf("credential %d: Canonicalize: %v", i, err)
		}
	}
	if f := jsonld.FallbackCount() - before; f != 0 {
		t.Fatalf("%d credentials took the fallback", f)
	}
}

// TestVariedGeneratorDeterministic: the same seed gives the same
// credentials, which the interop test and the benchmark rely on.
func TestVariedGeneratorDeterministic(t *testing.T) {
	a, _ := json.Marshal(proof.VariedCredentials(5, 10, proof.BenchVariedOptions))
	b, _ := json.Marshal(proof.VariedCredentials(5, 10, proof.BenchVariedOptions))
	c, _ := json.Marshal(proof.VariedCredentials(6, 10, proof.BenchVariedOptions))
	if string(a) != string(b) || string(a) == string(c) {
		t.Fatal("generator is not a function of its seed")
	}
	for _, doc := range proof.VariedCredentials(7, 50, proof.BenchVariedOptions) {
		if _, err := jsonld.ToRDF(doc); errors.Is(err, jsonld.ErrUnsupported) || err != nil {
			t.Fatalf("generated credential refused: %v", err)
		}
	}
}
