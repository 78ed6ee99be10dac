package jsonld

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/gowebpki/jcs"
	"github.com/microcred/microcred/internal/jsonld/rdfc"
)

// inlineDoc is a document with an inline context defining ex:v (plain),
// ex:j (@json), ex:i (@id) and ex:d (xsd:double); value is set on prop.
func inlineDoc(prop string, value any) map[string]any {
	return map[string]any{
		"@context": map[string]any{
			"ex": "https://example.org/ns#",
			"v":  "ex:v",
			"j":  map[string]any{"@id": "ex:j", "@type": "@json"},
			"i":  map[string]any{"@id": "ex:i", "@type": "@id"},
			"d":  map[string]any{"@id": "ex:d", "@type": "http://www.w3.org/2001/XMLSchema#double"},
		},
		"@id": "https://example.org/s",
		prop:  value,
	}
}

// bothPaths canonicalizes doc on the fast path and on the reference path
// and requires the same result from both, which must parse back as
// N-Quads. It returns the result and the error.
func bothPaths(t *testing.T, doc any) (string, error) {
	t.Helper()
	quads, fastErr := ToRDF(deepCopy(doc))
	ref, refErr := CanonicalizeReference(deepCopy(doc))
	if fastErr != nil {
		if errors.Is(fastErr, ErrUnsupported) {
			t.Fatalf("fast path does not handle the document: %v", fastErr)
		}
		if refErr == nil {
			t.Fatalf("fast path refused (%v), reference accepted:\n%s", fastErr, ref)
		}
		return "", fastErr
	}
	fast, err := rdfc.Canonicalize(quads)
	if err != nil {
		t.Fatal(err)
	}
	if refErr != nil {
		t.Fatalf("reference refused (%v), fast path accepted:\n%s", refErr, fast)
	}
	if fast != ref {
		t.Fatalf("fast path:\n%s\nreference:\n%s", fast, ref)
	}
	if _, err := rdfc.ParseNQuads(fast); err != nil {
		t.Fatalf("output is not N-Quads: %v\n%s", err, fast)
	}
	return fast, nil
}

// TestIntegersBelow1e21 is issue item a. JSON-LD 1.1 API §8.2 Object to RDF Conversion:
// "Otherwise, if value is a number with no non-zero fractional part (the
// result of a modulo‑1 operation) and an absolute value less than 10^21,
// convert value to a string in canonical lexical form of an xsd:integer".
func TestIntegersBelow1e21(t *testing.T) {
	for _, tc := range []struct {
		value any
		want  string
	}{
		{float64(1 << 63), `"9223372036854775808"^^<http://www.w3.org/2001/XMLSchema#integer>`},
		{1e19, `"10000000000000000000"^^<http://www.w3.org/2001/XMLSchema#integer>`},
		{-1e20, `"-100000000000000000000"^^<http://www.w3.org/2001/XMLSchema#integer>`},
		{999999999999999900000.0, `"999999999999999868928"^^<http://www.w3.org/2001/XMLSchema#integer>`},
		{1e21, `"1.0E21"^^<http://www.w3.org/2001/XMLSchema#double>`},
		{42.0, `"42"^^<http://www.w3.org/2001/XMLSchema#integer>`},
		{math.Copysign(0, -1), `"0"^^<http://www.w3.org/2001/XMLSchema#integer>`},
		{1e-7, `"1.0E-7"^^<http://www.w3.org/2001/XMLSchema#double>`},
		{5.5, `"5.5E0"^^<http://www.w3.org/2001/XMLSchema#double>`},
	} {
		got, err := bothPaths(t, inlineDoc("v", tc.value))
		if err != nil {
			t.Fatalf("%v: %v", tc.value, err)
		}
		if !strings.Contains(got, "<https://example.org/ns#v> "+tc.want+" .") {
			t.Errorf("%v: got\n%s\nwant %s", tc.value, got, tc.want)
		}
	}
	// A number coerced to xsd:double is a double whatever its value (§8.2).
	got, err := bothPaths(t, inlineDoc("d", 5.0))
	if err != nil || !strings.Contains(got, `"5.0E0"^^<http://www.w3.org/2001/XMLSchema#double>`) {
		t.Fatalf("xsd:double coercion: %v\n%s", err, got)
	}
}

// TestDoubleRoundingTies is issue item b: the canonical double form is
// ECMAScript's toExponential(15), which at an exact tie "pick[s] the e
// and n for which n × 10^(e–f) is larger" (ECMA-262, Number.prototype.toExponential):
// half away from zero, where strconv.FormatFloat rounds half to even.
func TestDoubleRoundingTies(t *testing.T) {
	for _, tc := range []struct {
		f    float64
		want string
	}{
		{1234567890123456.5, "1.234567890123457E15"},   // tie, even 16th digit: up
		{1234567890123457.5, "1.234567890123458E15"},   // tie, odd 16th digit: up
		{-1234567890123456.5, "-1.234567890123457E15"}, // away from zero
		{9999999999999999.5e-5, "1.0E11"},              // not a tie (inexact)
		{0.1, "1.0E-1"},
		{1.0 / 3, "3.333333333333333E-1"},
		{2.0 / 3, "6.666666666666666E-1"},
		{1.7976931348623157e308, "1.797693134862316E308"},
		{5e-324, "4.940656458412465E-324"},
		{123.456, "1.23456E2"},
		{0, "0.0E0"},
	} {
		if got := canonicalDouble(tc.f); got != tc.want {
			t.Errorf("canonicalDouble(%v) = %s, want %s", tc.f, got, tc.want)
		}
	}
	got, err := bothPaths(t, inlineDoc("v", 1234567890123456.5))
	if err != nil || !strings.Contains(got, `"1.234567890123457E15"`) {
		t.Fatalf("document: %v\n%s", err, got)
	}
}

// TestEscapesOnEveryPath is issue item c. RDFC-1.0 §4.? (canonical
// N-Quads, RDF 1.1 N-Quads §8 via N-Triples canonical form): in a literal
// "characters U+0000 to U+0007, U+000B, U+000E to U+001F and U+007F are
// represented using UCHAR", \b \t \n \f \r " \ by ECHAR. The reference
// path, like the fast path, writes through rdfc, and its output must parse
// back to the same terms.
func TestEscapesOnEveryPath(t *testing.T) {
	value := "a\u0001b\bc\fd\u000be\u007ff\tg\nh\ri\"j\\k\u0000l"
	want := `"a\u0001b\bc\fd\u000Be\u007Ff\tg\nh\ri\"j\\k\u0000l"`
	got, err := bothPaths(t, inlineDoc("v", value))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got, want) {
		t.Fatalf("got\n%s\nwant %s", got, want)
	}
	quads, err := rdfc.ParseNQuads(got)
	if err != nil || len(quads) != 1 || quads[0].Object.Value != value {
		t.Fatalf("round trip: %v %+v", err, quads)
	}
	// IRIs with ^ or \ are not IRIs (RFC 3987): both paths refuse them, so
	// neither signs an IRIREF that would need \u escapes.
	for _, iri := range []string{"https://example.org/a^b", `https://example.org/a\b`, "urn:x:a b"} {
		for _, doc := range []any{inlineDoc("i", iri), map[string]any{"@context": inlineDoc("v", 1)["@context"], "@id": iri, "v": 1}} {
			if _, err := bothPaths(t, doc); !errors.Is(err, ErrUndefinedTerm) {
				t.Errorf("%q: err = %v, want ErrUndefinedTerm", iri, err)
			}
		}
	}
}

// TestJSONLiteralsOfEveryType is issue item d. JSON-LD 1.1 §4.2.2: "a JSON
// literal [...] may be any JSON value"; API §8.2 serializes it
// with JCS (RFC 8785).
func TestJSONLiteralsOfEveryType(t *testing.T) {
	for _, tc := range []struct {
		value any
		want  string
	}{
		{[]any{3.0, "b", map[string]any{"z": 1.0, "a": nil}}, `"[3,\"b\",{\"a\":null,\"z\":1}]"`},
		{"text", `"\"text\""`},
		{1.5, `"1.5"`},
		{1e21, `"1e+21"`},
		{nil, `"null"`},
		{true, `"true"`},
		{map[string]any{"é": "<&>", "a": []any{}}, `"{\"a\":[],\"é\":\"<&>\"}"`},
	} {
		got, err := bothPaths(t, inlineDoc("j", tc.value))
		if err != nil {
			t.Fatalf("%v: %v", tc.value, err)
		}
		line := "<https://example.org/s> <https://example.org/ns#j> " + tc.want + "^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON> .\n"
		if !strings.Contains(got, line) {
			t.Errorf("%v: got\n%s\nwant %s", tc.value, got, line)
		}
	}
}

// TestIRIWellFormedness is issue item e on documents: a long https IRI and
// a host starting with "-" are IRIs (RFC 3987 has no length limit and
// ireg-name allows "-" anywhere); "urn:x:a b" is not.
func TestIRIWellFormedness(t *testing.T) {
	long := "https://example.org/" + strings.Repeat("x", 2100)
	for _, iri := range []string{long, "https://-host.example/x"} {
		got, err := bothPaths(t, inlineDoc("i", iri))
		if err != nil || !strings.Contains(got, "<"+iri+">") {
			t.Errorf("%q: %v\n%s", iri, err, got)
		}
	}
	if _, err := bothPaths(t, inlineDoc("i", "urn:x:a b")); !errors.Is(err, ErrUndefinedTerm) {
		t.Errorf("urn:x:a b: err = %v, want ErrUndefinedTerm", err)
	}
}

// TestDirectionI18nDatatype: the Data Integrity cryptosuites canonicalize
// with rdfDirection i18n-datatype (vc-di-eddsa, and jsonld.js's
// eddsa-rdfc-2022 canonize options); JSON-LD 1.1 API §8.2 makes
// the datatype https://www.w3.org/ns/i18n# + lower-case language + "_" +
// direction.
func TestDirectionI18nDatatype(t *testing.T) {
	doc := inlineDoc("v", map[string]any{"@value": "مرحبا", "@language": "AR-eg", "@direction": "rtl"})
	got, err := bothPaths(t, doc)
	if err != nil {
		t.Fatal(err)
	}
	if want := `"مرحبا"^^<https://www.w3.org/ns/i18n#ar-eg_rtl> .`; !strings.Contains(got, want) {
		t.Fatalf("got\n%s\nwant %s", got, want)
	}
	doc = inlineDoc("v", map[string]any{"@value": "abc", "@direction": "ltr"})
	got, err = bothPaths(t, doc)
	if err != nil || !strings.Contains(got, `"abc"^^<https://www.w3.org/ns/i18n#_ltr> .`) {
		t.Fatalf("no language: %v\n%s", err, got)
	}
	// A default direction from the context and a term's own mapping.
	doc = map[string]any{
		"@context": map[string]any{
			"@language": "he", "@direction": "rtl",
			"n": "https://example.org/ns#n",
			"m": map[string]any{"@id": "https://example.org/ns#m", "@direction": nil},
			"k": map[string]any{"@id": "https://example.org/ns#k", "@direction": "ltr", "@language": nil},
		},
		"@id": "https://example.org/s", "n": "שלום", "m": "x", "k": "y",
	}
	got, err = bothPaths(t, doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"שלום"^^<https://www.w3.org/ns/i18n#he_rtl>`, `"x"@he`, `"y"^^<https://www.w3.org/ns/i18n#_ltr>`} {
		if !strings.Contains(got, want) {
			t.Errorf("got\n%s\nwant %s", got, want)
		}
	}
}

func TestFallbackCount(t *testing.T) {
	before := FallbackCount()
	if _, err := Canonicalize(inlineDoc("v", 1.0)); err != nil {
		t.Fatal(err)
	}
	if got := FallbackCount(); got != before {
		t.Fatalf("fast-path document counted as a fallback: %d -> %d", before, got)
	}
	// A free-floating top-level array inside an array is left to the
	// reference path.
	_, _ = Canonicalize([]any{[]any{inlineDoc("v", 1.0)}})
	if got := FallbackCount(); got != before+1 {
		t.Fatalf("fallback not counted: %d -> %d", before, got)
	}
}

// TestCanonicalJSONValueMatchesJCS holds the direct RFC 8785 writer of
// @json literals to encoding/json followed by jcs.Transform.
func TestCanonicalJSONValueMatchesJCS(t *testing.T) {
	for _, in := range []string{
		`{"b":1,"a":[true,false,null],"c":{"z":"\u0000\u001f\b\t\n\f\r\"\\/","y":"<>&\u2028\u2029"}}`,
		`{"numbers":[0,-0,1,-1,0.1,1e21,1e-7,123456789012345680000,5e-324,1.7976931348623157e308,333333333.33333329,1E30,4.50,2e-3,0.000001]}`,
		`{"\u20ac":"euro","\r":"cr","1":"one","\ud83d\ude00":"emoji","\ue000":"private use","\u00fc":"u-umlaut","a\u0080":"c1","":"empty","\ufb33":"x"}`,
		`[[],{},"",[[[{"deep":[1,[2,[3]]]}]]]]`, `"s"`, `1.5`, `null`,
	} {
		var v any
		if err := json.Unmarshal([]byte(in), &v); err != nil {
			t.Fatal(err)
		}
		got, err := canonicalJSONValue(v)
		if err != nil {
			t.Fatal(err)
		}
		want, err := jcs.Transform([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Errorf("%s:\n got %s\nwant %s", in, got, want)
		}
	}
}
