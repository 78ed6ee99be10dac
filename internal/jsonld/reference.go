package jsonld

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

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
// JSON-LD document doc (a decoded JSON value), computed by json-gold with
// the shipped contexts only. It is the slow, trusted path that Canonicalize
// is measured against.
//
// Safe mode: the document is refused with an error wrapping
// ErrUndefinedTerm when expansion or RDF conversion would silently drop any
// part of it (an undefined property, a relative @type or @id, an IRI or
// language tag json-gold considers invalid), because dropped data is not
// covered by a signature and could be altered freely.
func CanonicalizeReference(doc any) (out string, err error) {
	// json-gold panics on some malformed contexts (a non-boolean @protected,
	// a compact IRI whose prefix is null); report those as errors.
	defer func() {
		if r := recover(); r != nil {
			out, err = "", fmt.Errorf("jsonld: json-gold failed on the document: %v", r)
		}
	}()
	proc := ld.NewJsonLdProcessor()
	opts := referenceOptions()
	expanded, err := proc.Expand(doc, opts)
	if err != nil {
		return "", referenceError(doc, err)
	}
	if err := checkExpanded(expanded, "$"); err != nil {
		return "", err
	}
	nq, err := proc.Normalize(expanded, opts)
	if err != nil {
		return "", referenceError(doc, err)
	}
	s, ok := nq.(string)
	if !ok {
		return "", fmt.Errorf("jsonld: json-gold returned %T, want N-Quads text", nq)
	}
	return s, nil
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

// checkExpanded walks an expanded JSON-LD document and refuses anything
// json-gold's RDF conversion would silently drop.
func checkExpanded(v any, path string) error {
	switch v := v.(type) {
	case []any:
		for i, e := range v {
			if err := checkExpanded(e, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		if _, ok := v["@value"]; ok {
			return checkValue(v, path)
		}
		if l, ok := v["@list"]; ok {
			return checkExpanded(l, path+".@list")
		}
		if id, ok := v["@id"]; ok {
			s, _ := id.(string)
			if err := checkNodeIRI(s, path+".@id", "@id"); err != nil {
				return err
			}
		}
		for key, val := range v {
			p := path + "." + key
			switch key {
			case "@id", "@index":
			case "@type":
				types, _ := val.([]any)
				for _, t := range types {
					s, _ := t.(string)
					if err := checkNodeIRI(s, p, "@type"); err != nil {
						return err
					}
				}
			case "@graph", "@included":
				if err := checkExpanded(val, p); err != nil {
					return err
				}
			case "@reverse":
				m, _ := val.(map[string]any)
				for prop, rv := range m {
					if err := checkPredicate(prop, p+"."+prop); err != nil {
						return err
					}
					if err := checkExpanded(rv, p+"."+prop); err != nil {
						return err
					}
				}
			default:
				if strings.HasPrefix(key, "@") {
					if !ld.IsKeyword(key) {
						// json-gold keeps a key such as "@:x" through
						// expansion and then drops it with its value.
						return fmt.Errorf("jsonld: %s: property %q is not an IRI and would be dropped (safe mode): %w", p, key, ErrUndefinedTerm)
					}
					continue
				}
				if err := checkPredicate(key, p); err != nil {
					return err
				}
				if err := checkExpanded(val, p); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func checkValue(v map[string]any, path string) error {
	if _, ok := v["@direction"]; ok {
		return fmt.Errorf("jsonld: %s: @direction has no RDF form without rdfDirection: %w", path, ErrUnsupported)
	}
	if lang, ok := v["@language"].(string); ok && !validLanguage.MatchString(lang) {
		return fmt.Errorf("jsonld: %s: invalid language tag %q would be dropped: %w", path, lang, ErrUndefinedTerm)
	}
	dt, ok := v["@type"].(string)
	if !ok {
		return nil
	}
	if dt == "@json" {
		switch v["@value"].(type) {
		case map[string]any, bool:
			return nil
		}
		return fmt.Errorf("jsonld: %s: @json literal that is not an object: %w", path, ErrUnsupported)
	}
	if !ld.IsAbsoluteIri(dt) || strings.HasPrefix(dt, "_:") || !validIRISlow(dt) {
		return fmt.Errorf("jsonld: %s: datatype %q is not an absolute IRI: %w", path, dt, ErrUndefinedTerm)
	}
	return nil
}

// checkNodeIRI checks a subject, object or type IRI: a blank node label or
// an absolute IRI that json-gold keeps.
func checkNodeIRI(s, path, what string) error {
	if strings.HasPrefix(s, "_:") {
		return nil
	}
	if !ld.IsAbsoluteIri(s) || !validIRISlow(s) {
		return fmt.Errorf("jsonld: %s: %s value %q is not an absolute IRI and would be dropped: %w", path, what, s, ErrUndefinedTerm)
	}
	return nil
}

func checkPredicate(s, path string) error {
	if strings.HasPrefix(s, "_:") || !ld.IsAbsoluteIri(s) || !validIRISlow(s) {
		return fmt.Errorf("jsonld: %s: property %q does not expand to an absolute IRI and would be dropped: %w", path, s, ErrUndefinedTerm)
	}
	return nil
}

// validIRISlow is json-gold's own test for IRIs it keeps in RDF output.
func validIRISlow(s string) bool {
	return !ld.InvalidNode(ld.NewIRI(s))
}
