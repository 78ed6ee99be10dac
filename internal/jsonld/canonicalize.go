package jsonld

import "github.com/microcred/microcred/internal/jsonld/rdfc"

// Canonicalize returns the RDFC-1.0 canonical N-Quads of the JSON-LD
// document doc (a decoded JSON value). It uses the fast path (ToRDF and
// rdfc.Canonicalize) and, whenever the fast path does not produce a
// dataset, the reference path, so its result and its errors are always
// those of CanonicalizeReference.
func Canonicalize(doc any) (string, error) {
	quads, err := ToRDF(doc)
	if err != nil {
		return CanonicalizeReference(doc)
	}
	return rdfc.Canonicalize(quads)
}
