package rdfc

import (
	"github.com/microcred/microcred/internal/testutil"
	"math/rand/v2"
	"path/filepath"
	"testing"
)

// benchInputs are realistic credentials: the canonical documents of the
// shared vectors with random blank node labels, shuffled.
func benchInputs(b *testing.B) map[string][]Quad {
	root := testutil.Vectors(b)
	rng := rand.New(rand.NewPCG(8, 9))
	return map[string][]Quad{
		"ob3":    relabel(mustParse(b, readFile(b, filepath.Join(root, "ob3/obv3p0/document-canon.txt"))), rng),
		"employ": relabel(mustParse(b, readFile(b, filepath.Join(root, "vc-di-eddsa/eddsa-rdfc-2022/employ/canonDocDataInt.txt"))), rng),
	}
}

func BenchmarkCanonicalize(b *testing.B) {
	for name, quads := range benchInputs(b) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Canonicalize(quads); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkJSONGoldNormalize measures the reference implementation on the
// same inputs, from N-Quads text (its parse is included; it has no other
// entry point for quads).
func BenchmarkJSONGoldNormalize(b *testing.B) {
	for name, quads := range benchInputs(b) {
		doc := SerializeNQuads(quads)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := goldNormalize(doc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParseAndCanonicalize is our figure comparable to the one above.
func BenchmarkParseAndCanonicalize(b *testing.B) {
	for name, quads := range benchInputs(b) {
		doc := SerializeNQuads(quads)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				q, err := ParseNQuads(doc)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := Canonicalize(q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPoison measures a W3C poison graph that needs permutations.
func BenchmarkPoison(b *testing.B) {
	quads := mustParse(b, readFile(b, "testdata/rdfc10/test044-in.nq"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Canonicalize(quads); err != nil {
			b.Fatal(err)
		}
	}
}
