package proof

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// VariedOptions shapes the credentials VariedCredentials generates.
type VariedOptions struct {
	// MinBytes and MaxBytes bound the size of each credential's JSON;
	// each gets a size drawn uniformly between them.
	MinBytes, MaxBytes int
	// MaxBlankNodes bounds the objects without an id (alignments,
	// results, evidence, criteria, extension objects) per credential;
	// each gets a count drawn uniformly from 0 to MaxBlankNodes.
	MaxBlankNodes int
	// InlineShare is the share of credentials that carry an inline
	// @context object after the standard ones (drawn from a pool of
	// six, as issuers reuse theirs).
	InlineShare float64
	// Issuer, when set, is the issuer id of every credential.
	Issuer string
	// JSCompatible leaves out the inputs on which the JavaScript
	// libraries disagree with the specifications (see
	// internal/jsonld/DISAGREEMENTS.md): characters U+E000–U+FFFF next to
	// supplementary ones (UTF-16 sort), exponent-form doubles below 1e-6
	// (turned into "0"^^xsd:integer), and, with the JCS suite, inline
	// contexts (compared by identity).
	JSCompatible bool
}

// BenchVariedOptions is the mix "microcred bench sign|verify --varied"
// uses: 1.5–5 KB, up to 30 blank nodes, a third with inline contexts.
var BenchVariedOptions = VariedOptions{MinBytes: 1536, MaxBytes: 5120, MaxBlankNodes: 30, InlineShare: 1.0 / 3}

// VariedCredentials returns n unsigned Open Badges 3.0 credentials that
// differ in shape, size and content, generated deterministically from
// seed: Unicode text in many scripts (right-to-left, combining marks,
// emoji, control characters), integers up to 10^20, doubles, booleans,
// nested arrays, lists, @json values, language maps, base directions,
// inline contexts and
// up to MaxBlankNodes blank nodes. Every term is defined, so every
// credential can be signed with both suites.
func VariedCredentials(seed uint64, n int, o VariedOptions) []map[string]any {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([]map[string]any, n)
	for i := range out {
		g := &varGen{rng: rng, o: o}
		out[i] = g.credential(i)
	}
	return out
}

type varGen struct {
	rng    *rand.Rand
	o      VariedOptions
	blanks int // blank nodes left to place
}

// textPools are runs of characters by script; a string mixes a few.
var textPools = []string{
	"abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ 0123456789 .,;:-()'",
	"àéîõüçñøåßæœ ÀÉÎÕÜÇÑ",
	"αβγδεζηθικλμνξοπρστυφχψω ΑΒΓΔ",
	"абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
	"ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
	"אבגדהוזחטיכלמנסעפצקרשת",
	"的一是不了人我在有他这为之大来以个中上们",
	"अआइईउऊएऐओऔकखगघचछजझ",
	"e\u0301a\u0308o\u0302n\u0303",
	"😀🎓📜✨🚀🌍🧪🏅",
	"\u0001\b\f\u000b\u007f\t\n\r\"\\",
	"ｱｲｳｴｵ！？＃\ufb33\ue000",
}

func (g *varGen) text(minLen, maxLen int) string {
	n := minLen + g.rng.IntN(maxLen-minLen+1)
	var b strings.Builder
	pool := []rune(textPools[0])
	for b.Len() < n {
		if g.rng.IntN(6) == 0 {
			p := g.rng.IntN(len(textPools))
			if g.o.JSCompatible && p == len(textPools)-1 {
				p = 0
			}
			pool = []rune(textPools[p])
		}
		b.WriteRune(pool[g.rng.IntN(len(pool))])
	}
	return b.String()
}

func (g *varGen) number() any {
	switch g.rng.IntN(7) {
	case 0:
		return float64(g.rng.IntN(2_000_001) - 1_000_000)
	case 1:
		// Integers from 2^53 to 10^20, including beyond 2^63.
		return math.Floor(math.Pow(10, 15.9+g.rng.Float64()*4.1))
	case 2:
		return math.Round(g.rng.Float64()*1e6) / 1e3
	case 3:
		return -g.rng.Float64() * math.Pow(10, float64(g.rng.IntN(30)-10))
	case 4:
		if g.o.JSCompatible {
			return 0.5
		}
		return math.Pow(10, -float64(7+g.rng.IntN(10)))
	case 5:
		return 1e21 * (1 + float64(g.rng.IntN(1000)))
	default:
		return float64(g.rng.IntN(100))
	}
}

// blank reports whether one more object may go without an id, and
// counts it.
func (g *varGen) blank() bool {
	if g.blanks <= 0 {
		return false
	}
	g.blanks--
	return true
}

func (g *varGen) uuid() string {
	return fmt.Sprintf("urn:uuid:%08x-%04x-4%03x-8%03x-%012x", g.rng.Uint32(), g.rng.IntN(1<<16), g.rng.IntN(1<<12), g.rng.IntN(1<<12), g.rng.Uint64()&(1<<48-1))
}

// inlineContext is one of six inline contexts issuers might embed.
func inlineContext(v int) map[string]any {
	ex := fmt.Sprintf("https://vocab.example/v%d#", v)
	ctx := map[string]any{
		"mcx":       ex,
		"xsd":       "http://www.w3.org/2001/XMLSchema#",
		"mcScore":   "mcx:score",
		"mcLevel":   map[string]any{"@id": "mcx:level", "@type": "xsd:integer"},
		"mcPayload": map[string]any{"@id": "mcx:payload", "@type": "@json"},
		"mcSteps":   map[string]any{"@id": "mcx:steps", "@container": "@list"},
		"mcLabels":  map[string]any{"@id": "mcx:labels", "@container": "@language"},
		"mcSee":     map[string]any{"@id": "mcx:see", "@type": "@id"},
		"mcNumbers": "mcx:numbers",
		"mcExtras":  "mcx:extras",
		"mcNotes":   "mcx:notes",
		"mcText":    "mcx:text",
		"mcTitle":   "mcx:title",
		"mcDir":     map[string]any{"@id": "mcx:dir", "@language": "ar", "@direction": "rtl"},
		"McExtra":   map[string]any{"@id": "mcx:Extra", "@context": map[string]any{"mcDetail": "mcx:detail"}},
	}
	if v%2 == 1 {
		ctx["mcNote"] = map[string]any{"@id": "mcx:note", "@language": "fr"}
	}
	if v%3 == 2 {
		ctx["mcWeight"] = map[string]any{"@id": "mcx:weight", "@type": "xsd:double"}
	}
	return ctx
}

func (g *varGen) credential(i int) map[string]any {
	g.blanks = g.rng.IntN(g.o.MaxBlankNodes + 1)
	target := g.o.MinBytes + g.rng.IntN(g.o.MaxBytes-g.o.MinBytes+1)
	ctx := []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"}
	inline := g.rng.Float64() < g.o.InlineShare
	if inline {
		ctx = append(ctx, inlineContext(g.rng.IntN(6)))
		// mcSteps is a list of four nodes (one nested list).
		g.blanks = max(0, g.blanks-4)
	}
	issuer := g.o.Issuer
	if issuer == "" {
		issuer = fmt.Sprintf("did:web:issuer%d.example", g.rng.IntN(50))
	}
	achievement := map[string]any{
		"id":              fmt.Sprintf("https://issuer.example/achievements/%d", g.rng.IntN(1_000_000)),
		"type":            []any{"Achievement"},
		"achievementType": []any{"Certificate", "Course", "MicroCredential", "Badge"}[g.rng.IntN(4)],
		"name":            g.text(8, 60),
		"description":     g.text(20, 200),
		"criteria":        map[string]any{"narrative": g.text(20, 200)},
		"tag":             []any{g.text(3, 12), []any{g.text(3, 12), g.text(3, 12)}},
	}
	if !g.blank() {
		achievement["criteria"].(map[string]any)["id"] = "https://issuer.example/criteria/" + fmt.Sprint(g.rng.IntN(1000))
	}
	subject := map[string]any{
		"id":          fmt.Sprintf("did:example:learner-%d-%d", i, g.rng.IntN(1_000_000)),
		"type":        []any{"AchievementSubject"},
		"achievement": achievement,
	}
	doc := map[string]any{
		"@context":          ctx,
		"id":                g.uuid(),
		"type":              []any{"VerifiableCredential", "OpenBadgeCredential"},
		"name":              g.text(8, 80),
		"issuer":            map[string]any{"id": issuer, "type": []any{"Profile"}, "name": g.text(5, 60)},
		"validFrom":         fmt.Sprintf("20%02d-%02d-%02dT%02d:00:00Z", 20+g.rng.IntN(6), 1+g.rng.IntN(12), 1+g.rng.IntN(28), g.rng.IntN(24)),
		"credentialSubject": subject,
	}
	// Numbers in the typed Open Badges fields (xsd:float) and, with an
	// inline context, in untyped, integer and double properties.
	subject["creditsEarned"] = g.number()
	achievement["creditsAvailable"] = []any{g.number(), []any{g.number()}}
	if inline {
		doc["mcNumbers"] = []any{g.number(), []any{g.number(), g.number()}, g.rng.IntN(2) == 0}
		doc["mcScore"] = g.number()
		doc["mcLevel"] = float64(g.rng.IntN(10))
		doc["mcPayload"] = map[string]any{"b": g.number(), "a": []any{g.text(2, 8), nil, true}, "é": g.text(1, 5)}
		doc["mcSteps"] = []any{g.text(3, 10), g.number(), []any{g.text(1, 4)}}
		doc["mcLabels"] = map[string]any{"en": g.text(3, 20), "ar": g.text(3, 20), "ZH-hant": []any{g.text(2, 6), g.text(2, 6)}}
		doc["mcSee"] = fmt.Sprintf("https://see.example/%d", g.rng.IntN(1000))
		doc["mcDir"] = g.text(3, 20)
		doc["mcTitle"] = map[string]any{"@value": g.text(3, 20), "@language": "en-GB", "@direction": []string{"ltr", "rtl"}[g.rng.IntN(2)]}
	}
	var results, alignments, evidence []any
	// The size is estimated by adding what each step marshals to and
	// measured exactly only when the estimate reaches the target.
	size := g.size(doc)
	for size < target || g.size(doc) < target {
		if size >= target {
			size = g.size(doc)
		}
		var added any
		switch g.rng.IntN(4) {
		case 0:
			a := map[string]any{
				"type":            []any{"Alignment"},
				"targetName":      g.text(5, 40),
				"targetUrl":       fmt.Sprintf("https://framework.example/skill/%d", g.rng.IntN(100000)),
				"targetFramework": g.text(3, 12),
				"targetCode":      fmt.Sprint(g.rng.IntN(10000)),
			}
			if !g.blank() {
				a["id"] = g.uuid()
			}
			alignments = append(alignments, a)
			achievement["alignment"] = alignments
			added = a
		case 1:
			r := map[string]any{"type": []any{"Result"}, "value": g.text(1, 10), "status": []any{"Completed", "Enrolled", "Failed"}[g.rng.IntN(3)]}
			if !g.blank() {
				r["id"] = g.uuid()
			}
			results = append(results, r)
			subject["result"] = results
			added = r
		case 2:
			e := map[string]any{
				"type":      []any{"Evidence"},
				"name":      g.text(5, 40),
				"narrative": g.text(20, 300),
			}
			if !g.blank() {
				e["id"] = fmt.Sprintf("https://evidence.example/%d", g.rng.IntN(1_000_000))
			}
			if inline && g.rng.IntN(2) == 0 {
				e["mcScore"] = g.number()
			}
			evidence = append(evidence, e)
			doc["evidence"] = evidence
			added = e
		default:
			if inline && g.blank() {
				extra := map[string]any{"type": "McExtra", "mcDetail": g.text(5, 60)}
				doc["mcExtras"] = append(asList(doc["mcExtras"]), extra)
				added = extra
			} else {
				more := " " + g.text(20, 200)
				achievement["description"] = achievement["description"].(string) + more
				added = more
			}
		}
		b, _ := json.Marshal(added)
		size += len(b) + 16 // a member name or a comma
	}
	// Blank nodes still to place go into small objects.
	for g.blank() {
		if inline {
			doc["mcNotes"] = append(asList(doc["mcNotes"]), map[string]any{"mcText": g.text(1, 12)})
		} else {
			results = append(results, map[string]any{"type": []any{"Result"}, "value": g.text(1, 8)})
			subject["result"] = results
		}
	}
	return doc
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

func (g *varGen) size(doc map[string]any) int {
	b, _ := json.Marshal(doc)
	return len(b)
}
