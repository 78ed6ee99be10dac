package jsonld

import (
	"errors"
	"fmt"
	"regexp"

	"github.com/microcred/microcred/internal/jsonld/rdfc"
	"github.com/piprate/json-gold/ld"
)

// validLanguage is the language-tag test json-gold applies when it turns a
// literal into RDF; a tag failing it makes json-gold drop the statement.
var validLanguage = regexp.MustCompile(`^[a-zA-Z]+(-[a-zA-Z0-9]+)*$`)

// referenceOptions returns the json-gold options every reference call uses.
func referenceOptions() *ld.JsonLdOptions {
	opts := ld.NewJsonLdOptions("")
	opts.ProcessingMode = ld.JsonLd_1_1
	opts.DocumentLoader = Loader()
	opts.Algorithm = ld.AlgorithmURDNA2015
	opts.Format = "application/n-quads"
	opts.SafeMode = true
	return opts
}

// CanonicalizeReference returns the RDFC-1.0 canonical N-Quads of the
// JSON-LD document doc (a decoded JSON value): json-gold's JSON-LD 1.1
// expansion with the shipped contexts only, then expandedToRDF and
// rdfc.Canonicalize. It is the slow, trusted path that Canonicalize is
// measured against and falls back to. json-gold's own RDF conversion and
// serialization are not used: they write control characters and IRIs
// unescaped, turn integers from 2^63 to 10^21 into doubles and refuse
// @json values that are not objects, so the bytes they give are not
// always canonical N-Quads (see DISAGREEMENTS.md).
//
// Safe mode: the document is refused with an error wrapping
// ErrUndefinedTerm when expansion or RDF conversion would silently drop any
// part of it (an undefined property, a relative @type or @id, an IRI that
// is not well-formed, an invalid language tag), because dropped data is
// not covered by a signature and could be altered freely.
func CanonicalizeReference(doc any) (string, error) {
	quads, err := referenceRDF(doc)
	if err != nil {
		return "", err
	}
	return rdfc.Canonicalize(quads)
}

// referenceRDF is the dataset of the reference path.
func referenceRDF(doc any) (quads []rdfc.Quad, err error) {
	// json-gold panics on some malformed contexts (a non-boolean @protected,
	// a compact IRI whose prefix is null); report those as errors.
	defer func() {
		if r := recover(); r != nil {
			quads, err = nil, fmt.Errorf("jsonld: json-gold failed on the document: %v", r)
		}
	}()
	proc := ld.NewJsonLdProcessor()
	opts := referenceOptions()
	expanded, err := proc.Expand(doc, opts)
	if err != nil {
		return nil, referenceError(doc, err)
	}
	return expandedToRDF(expanded)
}

// referenceError wraps a json-gold error. A property dropped in safe mode
// is reported as ErrUndefinedTerm; json-gold does not say which property,
// so the fast path, which knows, is asked for the name.
func referenceError(doc any, err error) error {
	if errors.Is(err, ErrRemoteContext) {
		return fmt.Errorf("jsonld: %w", err)
	}
	var jerr *ld.JsonLdError
	if errors.As(err, &jerr) {
		if inner, ok := jerr.Details.(error); ok && errors.Is(inner, ErrRemoteContext) {
			return fmt.Errorf("jsonld: %w", inner)
		}
		if jerr.Code == ld.InvalidProperty {
			if _, ferr := ToRDF(doc); errors.Is(ferr, ErrUndefinedTerm) {
				return ferr
			}
			return fmt.Errorf("jsonld: a property has no definition in the document's contexts (safe mode): %w", ErrUndefinedTerm)
		}
	}
	return fmt.Errorf("jsonld: json-gold: %w", err)
}
