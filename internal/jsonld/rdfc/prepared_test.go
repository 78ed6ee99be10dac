package rdfc

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// randomGraph makes n statements over a few IRIs and blank nodes labelled
// prefix0, prefix1, …; small vocabularies make shared hashes, duplicates
// and statements common to two graphs likely.
func randomGraph(rng *rand.Rand, prefix string, n, blanks int, anchor string) []Quad {
	iri := func() Term {
		return Term{Kind: IRI, Value: fmt.Sprintf("https://example.org/%s", []string{"a", "b", "c", anchor}[rng.IntN(4)])}
	}
	node := func() Term {
		if blanks > 0 && rng.IntN(3) > 0 {
			return Term{Kind: Blank, Value: fmt.Sprintf("%s%d", prefix, rng.IntN(blanks))}
		}
		return iri()
	}
	var out []Quad
	for range n {
		q := Quad{Subject: node(), Predicate: Term{Kind: IRI, Value: fmt.Sprintf("https://example.org/p%d", rng.IntN(3))}}
		switch rng.IntN(3) {
		case 0:
			q.Object = node()
		case 1:
			q.Object = Term{Kind: Literal, Value: fmt.Sprintf("v%d", rng.IntN(4)), Datatype: xsdStringIRI}
		default:
			q.Object = Term{Kind: Literal, Value: "x", Language: "en", Datatype: rdfLangStringIRI}
		}
		if rng.IntN(8) == 0 {
			q.Graph = node()
		}
		out = append(out, q)
	}
	return out
}

const (
	xsdStringIRI     = "http://www.w3.org/2001/XMLSchema#string"
	rdfLangStringIRI = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
)

// TestPreparedMatchesCanonicalize compares the prepared union with the
// canonicalization of the union, on random graphs: unique hashes (the fast
// merge), shared hashes (the full path), statements in both parts, and
// many rests against one Prepared (its cache of line sets).
func TestPreparedMatchesCanonicalize(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	var fast, full int
	for round := range 300 {
		prepared := randomGraph(rng, "t", 5+rng.IntN(40), rng.IntN(12), "shared")
		p, err := Prepare(prepared)
		if err != nil {
			t.Fatal(err)
		}
		for range 5 {
			rest := randomGraph(rng, "r", 1+rng.IntN(12), rng.IntN(4), "shared")
			if rng.IntN(4) == 0 && len(prepared) > 0 {
				rest = append(rest, prepared[rng.IntN(len(prepared))]) // overlaps only if ground
				if q := rest[len(rest)-1]; q.Subject.Kind == Blank || q.Object.Kind == Blank || q.Graph.Kind == Blank {
					rest = rest[:len(rest)-1]
				}
			}
			want, err := Canonicalize(append(append([]Quad{}, prepared...), rest...))
			var buf bytes.Buffer
			gotErr := p.WriteCanonical(&buf, rest, false)
			if (err == nil) != (gotErr == nil) {
				t.Fatalf("round %d: errors differ: want %v, got %v", round, err, gotErr)
			}
			if err != nil {
				continue
			}
			if buf.String() != want {
				t.Fatalf("round %d: prepared union differs\nwant:\n%s\ngot:\n%s", round, want, buf.String())
			}
			c := getCanonicalizer()
			if err := c.load(rest); err != nil {
				t.Fatal(err)
			}
			if _, ok := p.place(c); ok {
				fast++
			} else {
				full++
			}
			putCanonicalizer(c)
		}
	}
	if fast == 0 || full == 0 {
		t.Fatalf("random graphs exercised fast merges %d times and full canonicalizations %d times; want both", fast, full)
	}
}

// TestPreparedCredentialShape checks the case it is made for: a large
// fixed part and a small rest whose blank nodes sort among the fixed ones
// in every way, with more than ten canonical labels (so that "c14n10"
// sorts before "c14n2").
func TestPreparedCredentialShape(t *testing.T) {
	var fixed []Quad
	ach := Term{Kind: IRI, Value: "https://example.org/achievements/1"}
	for i := range 14 {
		b := Term{Kind: Blank, Value: fmt.Sprintf("t%d", i)}
		fixed = append(fixed,
			Quad{Subject: ach, Predicate: Term{Kind: IRI, Value: "https://example.org/alignment"}, Object: b},
			Quad{Subject: b, Predicate: Term{Kind: IRI, Value: "https://example.org/targetName"},
				Object: Term{Kind: Literal, Value: fmt.Sprintf("skill %d", i), Datatype: xsdStringIRI}})
	}
	p, err := Prepare(fixed)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		subj, id := Term{Kind: Blank, Value: "b0"}, Term{Kind: Blank, Value: "b1"}
		cred := Term{Kind: IRI, Value: fmt.Sprintf("urn:uuid:%d", i)}
		rest := []Quad{
			{Subject: cred, Predicate: Term{Kind: IRI, Value: "https://example.org/credentialSubject"}, Object: subj},
			{Subject: subj, Predicate: Term{Kind: IRI, Value: "https://example.org/achievement"}, Object: ach},
			{Subject: subj, Predicate: Term{Kind: IRI, Value: "https://example.org/identifier"}, Object: id},
			{Subject: id, Predicate: Term{Kind: IRI, Value: "https://example.org/salt"},
				Object: Term{Kind: Literal, Value: fmt.Sprintf("salt-%d", i), Datatype: xsdStringIRI}},
		}
		want, err := Canonicalize(append(append([]Quad{}, fixed...), rest...))
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := p.WriteCanonical(&buf, rest, true); err != nil {
			t.Fatal(err)
		}
		if buf.String() != want {
			t.Fatalf("credential %d: prepared union differs\nwant:\n%s\ngot:\n%s", i, want, buf.String())
		}
	}
	if n := len(p.lines); n < 2 || n > maxPreparedShifts {
		t.Fatalf("%d line sets cached; want several (rests fall in different places)", n)
	}
}

func TestPreparedErrors(t *testing.T) {
	fixed := []Quad{{Subject: Term{Kind: Blank, Value: "x"}, Predicate: Term{Kind: IRI, Value: "https://example.org/p"},
		Object: Term{Kind: Literal, Value: "v", Datatype: xsdStringIRI}}}
	p, err := Prepare(fixed)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		rest []Quad
		want string
	}{
		{"label clash", []Quad{{Subject: Term{Kind: Blank, Value: "x"}, Predicate: Term{Kind: IRI, Value: "https://example.org/q"},
			Object: Term{Kind: IRI, Value: "https://example.org/o"}}}, "also a prepared blank node"},
		{"invalid quad", []Quad{{Subject: Term{Kind: Literal, Value: "s"}, Predicate: Term{Kind: IRI, Value: "https://example.org/q"},
			Object: Term{Kind: IRI, Value: "https://example.org/o"}}}, "subject must be"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := p.WriteCanonical(&bytes.Buffer{}, tc.rest, false)
			if err == nil || !errors.Is(err, ErrInvalidQuad) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v; want ErrInvalidQuad mentioning %q", err, tc.want)
			}
		})
	}
	if _, err := Prepare([]Quad{{Subject: Term{Kind: IRI, Value: "s"}}}); !errors.Is(err, ErrInvalidQuad) {
		t.Fatalf("Prepare of an invalid quad: %v", err)
	}
}
