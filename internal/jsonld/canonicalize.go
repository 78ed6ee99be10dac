package jsonld

import (
	"fmt"
	"io"
	"sync/atomic"

	"github.com/microcred/microcred/internal/jsonld/rdfc"
)

// Canonicalize returns the RDFC-1.0 canonical N-Quads of the JSON-LD
// document doc (a decoded JSON value). It uses the fast path (ToRDF and
// rdfc.Canonicalize) and, whenever the fast path does not produce a
// dataset, the reference path, so its result and its errors are always
// those of CanonicalizeReference.
func Canonicalize(doc any) (string, error) {
	w := getWalker()
	defer putWalker(w)
	if err := w.run(doc); err != nil {
		fallbacks.Add(1)
		return CanonicalizeReference(doc)
	}
	return rdfc.Canonicalize(w.quads)
}

// WriteCanonical writes what Canonicalize returns for doc to w without
// building the document in memory, for callers that only hash it. Nothing
// is written when canonicalization fails.
func WriteCanonical(w io.Writer, doc any) error {
	wk := getWalker()
	defer putWalker(wk)
	if err := wk.run(doc); err != nil {
		fallbacks.Add(1)
		nq, err := CanonicalizeReference(doc)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(w, nq); err != nil {
			return fmt.Errorf("jsonld: write: %w", err)
		}
		return nil
	}
	// ToRDF refuses IRIs that need escapes, so none has to be scanned.
	return rdfc.WriteCanonicalPlain(w, wk.quads)
}

// fallbacks counts the documents Canonicalize and WriteCanonical handed to
// the reference path.
var fallbacks atomic.Uint64

// FallbackCount returns how many documents, since the process started,
// the fast path did not convert and the reference path (json-gold
// expansion, milliseconds per credential) handled instead — a feature the
// fast path lacks, or a document both paths refuse. Operators can export
// it as a metric; tests use it to prove the fast path covers a corpus.
func FallbackCount() uint64 { return fallbacks.Load() }

// CheckTerms reports, without canonicalizing, whether JSON-LD safe mode
// accepts doc: nil when every term is defined and every IRI is
// well-formed, else Canonicalize's error (wrapping ErrUndefinedTerm for
// data expansion would drop). eddsa-jcs-2022 signs the JSON itself, but a
// credential with a @context is JSON-LD under either suite, and a term no
// context defines means nothing to a JSON-LD verifier: the same document
// must not verify under one suite and be refused under the other.
func CheckTerms(doc any) error {
	w := getWalker()
	defer putWalker(w)
	if err := w.run(doc); err != nil {
		fallbacks.Add(1)
		_, err := referenceRDF(doc)
		return err
	}
	return nil
}
