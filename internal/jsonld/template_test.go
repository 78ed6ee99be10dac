package jsonld

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"

	"github.com/microcred/microcred/internal/testutil"
)

// richAchievement is an achievement with the nested objects (blank nodes)
// a catalog entry has: alignments, result descriptions, an address.
const richAchievement = `{
  "id": "https://example.edu/achievements/stats",
  "type": ["Achievement"],
  "achievementType": "MicroCredential",
  "name": "Statistics for Data Science",
  "description": "Probability, inference and regression.",
  "criteria": {"narrative": "Pass the exam."},
  "creditsAvailable": 5,
  "alignment": [
    {"type": ["Alignment"], "targetName": "statistics", "targetUrl": "http://data.europa.eu/esco/skill/1", "targetFramework": "ESCO", "targetType": "ceasn:Competency"},
    {"type": ["Alignment"], "targetName": "data analysis", "targetUrl": "http://data.europa.eu/esco/skill/2", "targetFramework": "ESCO", "targetType": "ceasn:Competency"},
    {"type": ["Alignment"], "targetName": "Python", "targetUrl": "http://data.europa.eu/esco/skill/3", "targetFramework": "ESCO", "targetType": "ceasn:Competency"},
    {"type": ["Alignment"], "targetName": "Statisticians", "targetUrl": "https://example.org/onet/15-2041.00", "targetCode": "15-2041.00", "targetType": "ext:Occupation"},
    {"type": ["Alignment"], "targetName": "EQF level 6", "targetUrl": "http://data.europa.eu/snb/eqf/6", "targetType": "ext:EQFLevel"}
  ],
  "creator": {"id": "https://example.edu/orgs/uni", "type": ["Profile"], "name": "Example University",
              "address": {"type": ["Address"], "addressCountryCode": "NL"}},
  "otherIdentifier": [{"type": "IdentifierEntry", "identifier": "2IDS101", "identifierType": "ext:CourseCode"}],
  "resultDescription": [
    {"id": "urn:example:result:grade", "type": ["ResultDescription"], "name": "Final grade", "resultType": "ScaledScore", "valueMax": "10", "valueMin": "1", "requiredValue": "5.5"},
    {"type": ["ResultDescription"], "name": "Status", "resultType": "Status"}
  ],
  "image": {"id": "https://example.edu/badge.png", "type": "Image", "caption": "badge"}
}`

// templateDoc builds a credential around the parts, with random per-
// credential values that put its blank nodes everywhere in hash order.
func templateDoc(rng *rand.Rand, ctx any, issuer, ach map[string]any) map[string]any {
	subject := map[string]any{
		"type":        []any{"AchievementSubject"},
		"achievement": ach,
		"identifier": []any{map[string]any{
			"type": "IdentityObject", "identityType": "emailAddress", "hashed": true,
			"identityHash": fmt.Sprintf("sha256$%x", rng.Uint64()), "salt": fmt.Sprintf("%x", rng.Uint32()),
		}},
	}
	if rng.IntN(2) == 0 {
		subject["name"] = fmt.Sprintf("Learner %d", rng.IntN(1000))
	}
	if rng.IntN(4) == 0 {
		subject["id"] = fmt.Sprintf("did:example:%x", rng.Uint64())
	}
	doc := map[string]any{
		"@context":          ctx,
		"id":                fmt.Sprintf("urn:uuid:%x", rng.Uint64()),
		"type":              []any{"VerifiableCredential", "OpenBadgeCredential"},
		"name":              "Statistics for Data Science",
		"issuer":            issuer,
		"validFrom":         "2026-01-15T00:00:00Z",
		"credentialSubject": subject,
	}
	if rng.IntN(3) == 0 {
		doc["evidence"] = []any{map[string]any{"id": fmt.Sprintf("https://example.edu/evidence/%d", rng.IntN(100)), "type": []any{"Evidence"}}}
	}
	if rng.IntN(3) == 0 {
		subject["result"] = []any{map[string]any{"type": []any{"Result"}, "value": fmt.Sprint(rng.IntN(10))}}
	}
	return doc
}

func TestTemplateMatchesCanonicalize(t *testing.T) {
	ob := readJSON(t, filepath.Join(testutil.Vectors(t), "ob3", "obv3p0", "vector.json")).(map[string]any)
	unsigned := ob["unsigned"].(map[string]any)
	ctx := unsigned["@context"]
	issuer := deepCopy(unsigned["issuer"]).(map[string]any)
	achievements := map[string]map[string]any{
		"vector":  deepCopy(unsigned["credentialSubject"].(map[string]any)["achievement"]).(map[string]any),
		"catalog": decodeJSON(t, []byte(richAchievement)).(map[string]any),
	}
	for name, ach := range achievements {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			tmpl, err := NewTemplate(templateDoc(rng, ctx, issuer, ach), issuer, ach)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 300 {
				doc := templateDoc(rng, ctx, issuer, ach)
				switch i % 10 {
				case 7: // the achievement also embedded elsewhere: a node of its own there
					doc["evidence"] = []any{ach}
				case 8: // a different context: the parts are walked
					doc["@context"] = []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"}
				case 9: // the issuer only by reference
					doc["issuer"] = issuer["id"]
				}
				want, wantErr := Canonicalize(doc)
				var got bytes.Buffer
				err := tmpl.WriteCanonical(&got, doc)
				if (wantErr == nil) != (err == nil) {
					t.Fatalf("doc %d: Canonicalize error %v, template error %v", i, wantErr, err)
				}
				if w := (&walker{tmpl: tmpl}); i%10 < 7 {
					if err := w.run(doc); err != nil || w.seen != 3 {
						t.Fatalf("doc %d: parts recognised %b (error %v); want both", i, w.seen, err)
					}
				}
				if got.String() != want {
					t.Fatalf("doc %d: template canonical form differs\nwant:\n%s\ngot:\n%s", i, want, got.String())
				}
			}
		})
	}
}

func TestNewTemplateRefuses(t *testing.T) {
	ctx := []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"}
	issuer := map[string]any{"id": "https://example.edu/issuers/1", "type": []any{"Profile"}, "name": "Example"}
	rng := rand.New(rand.NewPCG(3, 4))
	tests := []struct {
		name string
		ach  map[string]any
		skip bool // the part is not in the frame
	}{
		{"no id", map[string]any{"type": []any{"Achievement"}, "name": "A", "criteria": map[string]any{"narrative": "n"}}, false},
		{"blank node identifier", map[string]any{"id": "https://example.edu/a", "type": []any{"Achievement"}, "name": "A",
			"criteria": map[string]any{"id": "_:crit", "narrative": "n"}}, false},
		{"not in frame", map[string]any{"id": "https://example.edu/a", "type": []any{"Achievement"}, "name": "A"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			embedded := tc.ach
			if tc.skip {
				embedded = map[string]any{"id": "https://example.edu/b", "type": []any{"Achievement"}, "name": "B"}
			}
			_, err := NewTemplate(templateDoc(rng, ctx, issuer, embedded), tc.ach)
			if !errors.Is(err, ErrNotTemplatable) {
				t.Fatalf("NewTemplate: %v; want ErrNotTemplatable", err)
			}
		})
	}
	if _, err := NewTemplate(map[string]any{}); err == nil {
		t.Fatal("NewTemplate without parts succeeded")
	}
}

func BenchmarkTemplateCanonical(b *testing.B) {
	ctx := []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"}
	issuer := map[string]any{"id": "https://example.edu/issuers/1", "type": []any{"Profile"}, "name": "Example University"}
	ach := decodeJSON(b, []byte(richAchievement)).(map[string]any)
	rng := rand.New(rand.NewPCG(5, 6))
	tmpl, err := NewTemplate(templateDoc(rng, ctx, issuer, ach), issuer, ach)
	if err != nil {
		b.Fatal(err)
	}
	docs := make([]map[string]any, 256)
	for i := range docs {
		docs[i] = templateDoc(rng, ctx, issuer, ach)
	}
	var buf bytes.Buffer
	b.Run("plain", func(b *testing.B) {
		for i := range b.N {
			buf.Reset()
			if err := WriteCanonical(&buf, docs[i%len(docs)]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("template", func(b *testing.B) {
		for i := range b.N {
			buf.Reset()
			if err := tmpl.WriteCanonical(&buf, docs[i%len(docs)]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestDeriveConcurrent: concurrent first derivations of one context agree
// on one context object. Templates recognise their parts by the identity
// of the context they are met in; when two goroutines raced on a cold
// cache and the later one replaced the earlier's entry, a template built
// meanwhile never recognised its parts again.
func TestDeriveConcurrent(t *testing.T) {
	for round := range 20 {
		base := rootCtx.clone() // empty caches
		local := []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"}
		results := make([]*activeCtx, 8)
		var wg sync.WaitGroup
		for i := range results {
			wg.Go(func() {
				r, err := base.derive(local, nil, true, false)
				if err != nil {
					t.Error(err)
				}
				results[i] = r
			})
		}
		wg.Wait()
		for i, r := range results {
			if r != results[0] {
				t.Fatalf("round %d: derivation %d returned another context object than derivation 0", round, i)
			}
		}
		again, err := base.derive(local, nil, true, false)
		if err != nil || again != results[0] {
			t.Fatalf("round %d: the cached context is not the one returned (%v)", round, err)
		}
	}
}
