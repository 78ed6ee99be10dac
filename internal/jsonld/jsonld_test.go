package jsonld

import (
	"encoding/json"
	"errors"
	"io/fs"
	"reflect"
	"strings"
	"testing"

	"github.com/piprate/json-gold/ld"
)

func TestContextTable(t *testing.T) {
	used := map[string]bool{}
	for _, u := range ContextURLs() {
		b, ok := Context(u)
		if !ok {
			t.Fatalf("Context(%q) not found", u)
		}
		var doc map[string]any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		if _, ok := doc["@context"]; !ok {
			t.Errorf("%s has no @context", u)
		}
		used[contextFiles[u]] = true
	}
	entries, err := fs.ReadDir(contextFS, "contexts")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !used[e.Name()] {
			t.Errorf("contexts/%s is shipped but no URL serves it", e.Name())
		}
	}
	for _, u := range []string{
		"https://www.w3.org/ns/credentials/v2",
		"https://w3id.org/citizenship/v4rc1",
		"https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
		"https://purl.imsglobal.org/spec/ob/v3p0/context.json",
		"https://www.w3.org/ns/credentials/status/v1",
	} {
		if _, ok := Context(u); !ok {
			t.Errorf("missing %s", u)
		}
	}
	if _, ok := Context("https://example.com/ctx"); ok {
		t.Error("an unknown URL was served")
	}
}

func TestLoader(t *testing.T) {
	rd, err := Loader().LoadDocument("https://www.w3.org/ns/credentials/v2")
	if err != nil {
		t.Fatal(err)
	}
	if rd.DocumentURL != "https://www.w3.org/ns/credentials/v2" || rd.Document == nil {
		t.Fatalf("unexpected document %+v", rd)
	}
	again, _ := Loader().LoadDocument("https://www.w3.org/ns/credentials/v2")
	if reflect.ValueOf(rd.Document).Pointer() != reflect.ValueOf(again.Document).Pointer() {
		t.Fatal("the context was parsed again instead of served from the cache")
	}
	_, err = Loader().LoadDocument("https://example.com/x")
	if !errors.Is(err, ErrRemoteContext) {
		t.Fatalf("err = %v, want ErrRemoteContext", err)
	}
	want := `jsonld: context "https://example.com/x" is not shipped with microcred; remote contexts are never fetched`
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("err = %q, want it to contain %q", err, want)
	}
}

func TestRemoteContextRefused(t *testing.T) {
	doc := map[string]any{
		"@context": []any{"https://www.w3.org/ns/credentials/v2", "https://example.com/evil"},
		"type":     "VerifiableCredential",
	}
	for name, f := range map[string]func(any) (string, error){"Canonicalize": Canonicalize, "CanonicalizeReference": CanonicalizeReference} {
		_, err := f(doc)
		if !errors.Is(err, ErrRemoteContext) || !strings.Contains(err.Error(), "https://example.com/evil") {
			t.Errorf("%s: err = %v, want ErrRemoteContext naming the URL", name, err)
		}
	}
	if _, err := ToRDF(doc); !errors.Is(err, ErrRemoteContext) {
		t.Errorf("ToRDF: err = %v, want ErrRemoteContext", err)
	}
}

func TestSafeMode(t *testing.T) {
	v1 := []any{"https://www.w3.org/2018/credentials/v1"}
	tests := []struct {
		name string
		doc  map[string]any
		term string
	}{
		{"undefined property without @vocab", map[string]any{
			"@context": v1, "id": "urn:uuid:1", "type": "VerifiableCredential",
			"issuer": "did:example:1", "issuanceDate": "2024-01-01T00:00:00Z",
			"credentialSubject": map[string]any{"id": "did:example:2", "unsignedClaim": "x"},
		}, "unsignedClaim"},
		{"relative type", map[string]any{
			"@context": v1, "id": "urn:uuid:1", "type": []any{"VerifiableCredential", "MadeUpType"},
			"issuer": "did:example:1", "issuanceDate": "2024-01-01T00:00:00Z",
			"credentialSubject": map[string]any{"id": "did:example:2"},
		}, "MadeUpType"},
		{"relative id", map[string]any{
			"@context": v1, "id": "credentials/1", "type": "VerifiableCredential",
			"issuer": "did:example:1", "issuanceDate": "2024-01-01T00:00:00Z",
			"credentialSubject": map[string]any{"id": "did:example:2"},
		}, "credentials/1"},
		{"invalid language tag", map[string]any{
			"@context": []any{"https://www.w3.org/ns/credentials/v2"}, "id": "urn:uuid:1", "type": "VerifiableCredential",
			"issuer": "did:example:1", "name": map[string]any{"@value": "x", "@language": "en us"},
			"credentialSubject": map[string]any{"id": "did:example:2"},
		}, "en us"},
		{"keyword-like property", map[string]any{
			"@context": []any{"https://www.w3.org/ns/credentials/v2"}, "id": "urn:uuid:1", "type": "VerifiableCredential",
			"issuer": "did:example:1", "@:unsigned": "x",
			"credentialSubject": map[string]any{"id": "did:example:2"},
		}, "@:unsigned"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ToRDF(tc.doc)
			if !errors.Is(err, ErrUndefinedTerm) || !strings.Contains(err.Error(), tc.term) {
				t.Errorf("ToRDF: err = %v, want ErrUndefinedTerm naming %q", err, tc.term)
			}
			for name, f := range map[string]func(any) (string, error){"Canonicalize": Canonicalize, "CanonicalizeReference": CanonicalizeReference} {
				_, err := f(tc.doc)
				if !errors.Is(err, ErrUndefinedTerm) || !strings.Contains(err.Error(), tc.term) {
					t.Errorf("%s: err = %v, want ErrUndefinedTerm naming %q", name, err, tc.term)
				}
			}
		})
	}
}

func TestUnsupportedFallsBack(t *testing.T) {
	// @base is left to the reference path.
	doc := map[string]any{
		"@context": []any{"https://www.w3.org/ns/credentials/v2", map[string]any{
			"@base": "https://example.org/base/",
			"ex":    "https://example.org/vocab#",
		}},
		"id": "credential/1", "type": "VerifiableCredential", "issuer": "did:example:1",
		"credentialSubject": map[string]any{"id": "did:example:2", "ex:label": "Hallo"},
	}
	if _, err := ToRDF(doc); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("ToRDF: err = %v, want ErrUnsupported", err)
	}
	before := FallbackCount()
	got, err := Canonicalize(doc)
	if err != nil {
		t.Fatal(err)
	}
	if FallbackCount() != before+1 {
		t.Fatal("fallback not counted")
	}
	want, err := CanonicalizeReference(doc)
	if err != nil {
		t.Fatal(err)
	}
	if got != want || !strings.Contains(got, `<https://example.org/base/credential/1>`) || !strings.Contains(got, `"Hallo"`) {
		t.Fatalf("fallback result %q, reference %q", got, want)
	}
}

// TestIsAbsIRIMatchesJSONGold holds isAbsIRI, which expansion uses to
// tell absolute IRIs from compact IRIs and terms, to json-gold's answer.
func TestIsAbsIRIMatchesJSONGold(t *testing.T) {
	for _, s := range []string{
		"https://example.edu/a", "http://example.edu", "https://a.b/c?d#e", "https://exa mple.edu/",
		"https://example.edu/%zz", "https://-bad.edu/", "https://example.edu:99999/", "https://example.edu:80/x",
		"https://ex_ample.edu/", "https://example.edu/\u00e9", "https://.edu/", "http://x/", "https://localhost/x",
		"https://192.168.1.1/a", "https://[::1]/", "did:example:1", "urn:uuid:1", "https://e.x/a b", "https://e.x/\t",
		"https://e.x/" + strings.Repeat("a", 2100),
	} {
		if got, want := isAbsIRI(s), ld.IsAbsoluteIri(s); got != want {
			t.Errorf("isAbsIRI(%q) = %v, json-gold says %v", s, got, want)
		}
	}
}

// TestWellFormedIRI: issue item e. JSON-LD 1.1 API §8.2 Object to RDF
// Conversion drops "an IRI [that] is not well-formed" — RFC 3987 §2.2:
// IRI = scheme ":" ihier-part [ "?" iquery ] [ "#" ifragment ], where
// ireg-name = *( iunreserved / pct-encoded / sub-delims ) (so a host may
// start with "-") and nothing limits the length. A space, controls and
// <>"{}|\^` are in no production.
func TestWellFormedIRI(t *testing.T) {
	for _, tc := range []struct {
		iri  string
		want bool
	}{
		{"https://example.edu/a", true},
		{"https://e.x/" + strings.Repeat("a", 2108), true}, // 2,120 characters
		{"https://-bad.edu/", true},
		{"https://ex_ample.edu/", true},
		{"https://example.edu:99999/", true}, // port = *DIGIT
		{"https://example.edu/\u00e9?\U000F0000#x", true},
		{"https://[::1]:8080/", true},
		{"https://user:pw@example.edu/", true},
		{"did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#z6Mk", true},
		{"urn:uuid:6f1d6a5e-0000-4000-8000-000000000001", true},
		{"mailto:a@b.c", true},
		{"https://example.edu/%41", true},
		{"urn:x:a b", false},
		{"https://e.x/a b", false},
		{"https://e.x/\t", false},
		{"https://e.x/a^b", false},
		{"https://e.x/a\\b", false},
		{"https://e.x/<a>", false},
		{"https://e.x/{a}", false},
		{"https://e.x/a|b", false},
		{"https://e.x/a`b", false},
		{"https://e.x/a\"b", false},
		{"https://example.edu/%zz", false},
		{"https://e.x/a#b#c", false},
		{"https://e.x/\uE000", false}, // iprivate only in a query
		{"https://e.x/?\uE000", true},
		{"1http://e.x/", false},
		{"relative/path", false},
		{"_:b0", false},
		{"https://e.x/\xff", false},
		{"https://e.x:80x/", false},
		{"https://e.x:/", true},
		{"https://a:b:c/", false},
		{"https://e.x?q#f?/", true},
		{"https:", true},
		{"https:e.x#a#", false},
	} {
		if got := wellFormedIRI(tc.iri); got != tc.want {
			t.Errorf("wellFormedIRI(%q) = %v, want %v", tc.iri, got, tc.want)
		}
		if got := wellFormedIRISlow(tc.iri); got != tc.want {
			t.Errorf("wellFormedIRISlow(%q) = %v, want %v", tc.iri, got, tc.want)
		}
	}
}
