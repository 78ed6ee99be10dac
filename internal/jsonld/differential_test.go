package jsonld

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/microcred/microcred/internal/jsonld/rdfc"
)

// checkAgainstReference is the differential contract: when the fast path
// produces quads, their canonical form equals the reference's; when it
// reports a safe-mode violation, the reference refuses the document too;
// and Canonicalize always equals CanonicalizeReference.
func checkAgainstReference(t testing.TB, doc any, requireFast bool) {
	t.Helper()
	ref, refErr := CanonicalizeReference(deepCopy(doc))
	quads, fastErr := ToRDF(deepCopy(doc))
	switch {
	case fastErr == nil:
		got, err := rdfc.Canonicalize(quads)
		if err != nil {
			t.Fatalf("rdfc.Canonicalize: %v", err)
		}
		if refErr != nil {
			t.Fatalf("fast path accepted a document the reference refuses (%v):\n%s", refErr, got)
		}
		if got != ref {
			t.Fatalf("fast path differs from reference:\nfast:\n%s\nref:\n%s", got, ref)
		}
	case errors.Is(fastErr, ErrUndefinedTerm):
		if refErr == nil {
			t.Fatalf("fast path refused (%v) a document the reference accepts", fastErr)
		}
	case requireFast:
		t.Fatalf("fast path did not handle a corpus document: %v", fastErr)
	}
	c, cErr := Canonicalize(deepCopy(doc))
	if (cErr == nil) != (refErr == nil) || c != ref {
		t.Fatalf("Canonicalize = %q, %v; reference = %q, %v", c, cErr, ref, refErr)
	}
	checkWriteCanonical(t, doc, ref, refErr)
}

// checkWriteCanonical holds WriteCanonical to the reference: the same
// bytes, the same success, and nothing written on failure.
func checkWriteCanonical(t testing.TB, doc any, ref string, refErr error) {
	t.Helper()
	var b strings.Builder
	err := WriteCanonical(&b, deepCopy(doc))
	if (err == nil) != (refErr == nil) || b.String() != ref {
		t.Fatalf("WriteCanonical = %q, %v; reference = %q, %v", b.String(), err, ref, refErr)
	}
}

func corpus(t testing.TB) map[string]any {
	ob := readJSON(t, filepath.Join("testdata", "ob3-credential.json")).(map[string]any)
	docs := map[string]any{"ob3 credential": ob}

	signed := deepCopy(ob).(map[string]any)
	signed["proof"] = map[string]any{
		"type":               "DataIntegrityProof",
		"cryptosuite":        "eddsa-rdfc-2022",
		"created":            "2025-03-01T09:00:00Z",
		"verificationMethod": "did:web:learn.example.edu#key-1",
		"proofPurpose":       "assertionMethod",
		"proofValue":         "z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk9czhSePTFehP8c3PGfb6a22gkfUKKiLr8p3FqNAFxQJYt",
	}
	docs["ob3 signed"] = signed

	endorsed := deepCopy(ob).(map[string]any)
	ach := endorsed["credentialSubject"].(map[string]any)["achievement"].(map[string]any)
	ach["endorsement"] = []any{map[string]any{
		"@context":  []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"id":        "urn:uuid:0b3f4a0e-1111-4c2a-9d1e-2a2b2c2d2e2f",
		"type":      []any{"VerifiableCredential", "EndorsementCredential"},
		"name":      "Industry endorsement",
		"issuer":    map[string]any{"id": "https://industry.example.org", "type": []any{"Profile"}, "name": "Industry Council"},
		"validFrom": "2025-01-01T00:00:00Z",
		"credentialSubject": map[string]any{
			"id":                 "https://learn.example.edu/achievements/data-analysis-fundamentals",
			"type":               []any{"EndorsementSubject"},
			"endorsementComment": "Meets the council's analyst entry standard.",
		},
	}}
	ach["name"] = map[string]any{"@value": "Grundlagen der Datenanalyse", "@language": "de"}
	ach["description"] = []any{
		map[string]any{"@value": "Learners clean data.", "@language": "en"},
		map[string]any{"@value": "Les apprenants nettoient les données.", "@language": "FR"},
	}
	ach["creditsAvailable"] = 2.5
	ach["version"] = "1.0"
	endorsed["credentialSubject"].(map[string]any)["creditsEarned"] = 2.5e21
	docs["ob3 endorsed, language values, doubles"] = endorsed

	v1 := map[string]any{
		"@context":          []any{"https://www.w3.org/2018/credentials/v1", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"id":                "urn:uuid:1d1c0c52-2d3b-4c41-9a7e-5b2f0c7d9e11",
		"type":              []any{"VerifiableCredential", "OpenBadgeCredential"},
		"issuer":            map[string]any{"id": "https://example.edu/issuers/1", "type": "Profile", "name": "Example"},
		"issuanceDate":      "2024-01-01T00:00:00Z",
		"credentialSubject": ob["credentialSubject"],
	}
	docs["vc v1 ob credential"] = v1

	vp := map[string]any{
		"@context":             []any{"https://www.w3.org/ns/credentials/v2"},
		"type":                 "VerifiablePresentation",
		"holder":               "did:example:holder",
		"verifiableCredential": []any{deepCopy(signed)},
	}
	docs["presentation"] = vp

	inline := deepCopy(ob).(map[string]any)
	inline["@context"] = append(inline["@context"].([]any), map[string]any{
		"ex":        "https://example.org/vocab#",
		"cohort":    "ex:cohort",
		"attempts":  map[string]any{"@id": "ex:attempts", "@type": "http://www.w3.org/2001/XMLSchema#integer"},
		"modules":   map[string]any{"@id": "ex:modules", "@container": "@list"},
		"homepage":  map[string]any{"@id": "ex:homepage", "@type": "@id"},
		"extra":     map[string]any{"@id": "ex:extra", "@type": "@json"},
		"motto":     map[string]any{"@id": "ex:motto", "@language": "la"},
		"weight":    map[string]any{"@id": "ex:weight"},
		"@language": "en",
	})
	inline["cohort"] = "2025-spring"
	inline["attempts"] = 2
	inline["modules"] = []any{"intro", "cleaning", map[string]any{"id": "https://learn.example.edu/m/3"}, 4}
	inline["homepage"] = "https://learn.example.edu/daf"
	inline["extra"] = map[string]any{"b": []any{1, 2.5, "x"}, "a": true}
	inline["motto"] = "Scientia potentia est"
	inline["weight"] = 0.25
	docs["inline context"] = inline

	status := map[string]any{
		"@context":  []any{"https://www.w3.org/ns/credentials/v2"},
		"id":        "https://learn.example.edu/status/3",
		"type":      []any{"VerifiableCredential", "BitstringStatusListCredential"},
		"issuer":    "did:web:learn.example.edu",
		"validFrom": "2025-03-01T09:00:00Z",
		"credentialSubject": map[string]any{
			"id":            "https://learn.example.edu/status/3#list",
			"type":          "BitstringStatusList",
			"statusPurpose": "revocation",
			"encodedList":   "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA",
		},
	}
	docs["status list credential"] = status

	clr := readJSON(t, filepath.Join("testdata", "clr", "unsigned.json"))
	docs["clr"] = clr

	blank := deepCopy(ob).(map[string]any)
	blank["credentialSubject"].(map[string]any)["id"] = "_:learner"
	blank["evidence"] = []any{map[string]any{"id": "_:learner", "type": "Evidence"}}
	docs["document blank nodes"] = blank
	// Decoded JSON holds float64 numbers, never Go ints.
	for k, v := range docs {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		docs[k] = decodeJSON(t, b)
	}
	return docs
}

// TestDifferential compares the fast path with json-gold on realistic
// credentials.
func TestDifferential(t *testing.T) {
	for name, doc := range corpus(t) {
		t.Run(name, func(t *testing.T) {
			checkAgainstReference(t, doc, true)
		})
	}
}

// TestDifferentialMutations applies one mutation at a time to every
// object of every corpus document: deleting a key, or replacing a value by
// another JSON type, an undefined term or a relative IRI.
func TestDifferentialMutations(t *testing.T) {
	if testing.Short() {
		t.Skip("mutations are slow in -short mode")
	}
	replacements := []any{nil, 1.5, "relative/ref", map[string]any{}, []any{"a", true}}
	n := 0
	docs := corpus(t)
	for _, name := range []string{"inline context", "ob3 signed", "presentation"} {
		doc := docs[name]
		var paths [][]any
		collectPaths(doc, nil, &paths)
		for _, p := range paths {
			variants := []any{deleteAt(doc, p)}
			for _, r := range replacements {
				variants = append(variants, replaceAt(doc, p, r))
			}
			for i, v := range variants {
				n++
				t.Run(fmt.Sprintf("%s/%v/%d", name, p, i), func(t *testing.T) {
					checkAgainstReference(t, v, false)
				})
			}
		}
	}
	t.Logf("%d mutated documents", n)
}

// collectPaths lists the path of every object member and array element.
func collectPaths(v any, prefix []any, out *[][]any) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if k == "@context" {
				continue
			}
			p := append(append([]any{}, prefix...), k)
			*out = append(*out, p)
			collectPaths(e, p, out)
		}
	case []any:
		for i, e := range x {
			p := append(append([]any{}, prefix...), i)
			*out = append(*out, p)
			collectPaths(e, p, out)
		}
	}
}

func replaceAt(doc any, path []any, val any) any {
	c := deepCopy(doc)
	parent := c
	for _, s := range path[:len(path)-1] {
		switch k := s.(type) {
		case string:
			parent = parent.(map[string]any)[k]
		case int:
			parent = parent.([]any)[k]
		}
	}
	switch k := path[len(path)-1].(type) {
	case string:
		parent.(map[string]any)[k] = deepCopy(val)
	case int:
		parent.([]any)[k] = deepCopy(val)
	}
	return c
}

func deleteAt(doc any, path []any) any {
	c := deepCopy(doc)
	parent := c
	for _, s := range path[:len(path)-1] {
		switch k := s.(type) {
		case string:
			parent = parent.(map[string]any)[k]
		case int:
			parent = parent.([]any)[k]
		}
	}
	if k, ok := path[len(path)-1].(string); ok {
		delete(parent.(map[string]any), k)
	}
	return c
}

// TestConcurrentReuse canonicalizes the corpus from several goroutines at
// once, over and over, so that the recycled conversion and
// canonicalization buffers are shared between documents of different
// shapes: every result must equal the one computed alone.
func TestConcurrentReuse(t *testing.T) {
	docs := corpus(t)
	want := map[string]string{}
	for name, doc := range docs {
		c, err := Canonicalize(deepCopy(doc))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want[name] = c
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := range 20 {
				for name, doc := range docs {
					var got string
					var err error
					if (g+round)%2 == 0 {
						got, err = Canonicalize(doc)
					} else {
						var b strings.Builder
						err = WriteCanonical(&b, doc)
						got = b.String()
					}
					if err != nil || got != want[name] {
						errs <- fmt.Errorf("%s, goroutine %d, round %d: %v\n%s", name, g, round, err, got)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
