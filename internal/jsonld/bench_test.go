package jsonld

import (
	"path/filepath"
	"testing"
)

func benchDoc(b *testing.B) any {
	return readJSON(b, filepath.Join("testdata", "ob3-credential.json"))
}

func BenchmarkCanonicalizeFast(b *testing.B) {
	doc := benchDoc(b)
	if _, err := ToRDF(doc); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Canonicalize(doc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkToRDF(b *testing.B) {
	doc := benchDoc(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ToRDF(doc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCanonicalizeReference(b *testing.B) {
	doc := benchDoc(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := CanonicalizeReference(doc); err != nil {
			b.Fatal(err)
		}
	}
}
