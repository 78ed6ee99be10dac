package rdfc

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// checkOutputs holds AppendCanonical and WriteCanonical to Canonicalize
// for one input: the same document or the same error.
func checkOutputs(t testing.TB, quads []Quad) {
	t.Helper()
	want, wantErr := Canonicalize(quads)
	prefix := []byte("prefix\n")
	got, err := AppendCanonical(prefix, quads)
	if (err == nil) != (wantErr == nil) {
		t.Fatalf("AppendCanonical error %v, Canonicalize error %v", err, wantErr)
	}
	if wantErr == nil && string(got) != "prefix\n"+want {
		t.Fatalf("AppendCanonical:\n%s\nwant:\n%s", got, want)
	}
	if wantErr != nil && string(got) != "prefix\n" {
		t.Fatalf("AppendCanonical changed dst on error: %q", got)
	}
	var b strings.Builder
	err = WriteCanonical(&b, quads)
	if (err == nil) != (wantErr == nil) || b.String() != want {
		t.Fatalf("WriteCanonical = %q, %v; Canonicalize = %q, %v", b.String(), err, want, wantErr)
	}
	if allPlain(quads) {
		b.Reset()
		err = WriteCanonicalPlain(&b, quads)
		if (err == nil) != (wantErr == nil) || b.String() != want {
			t.Fatalf("WriteCanonicalPlain = %q, %v; Canonicalize = %q, %v", b.String(), err, want, wantErr)
		}
	}
}

func allPlain(quads []Quad) bool {
	for _, q := range quads {
		for _, t := range []Term{q.Subject, q.Predicate, q.Object, q.Graph} {
			if t.Kind == IRI && !PlainIRI(t.Value) || t.Kind == Literal && !PlainIRI(t.Datatype) {
				return false
			}
		}
	}
	return true
}

// TestPlainIRI: an IRI is plain exactly when its serialization needs no
// escape.
func TestPlainIRI(t *testing.T) {
	tests := []struct {
		iri  string
		want bool
	}{
		{"", true},
		{"https://example.org/a/long/path?q=1#fragment", true},
		{"urn:uuid:2f8c0b5e-7d3a-4c61-9a0e-5b1f6d2c8e47", true},
		{"https://example.org/ünïcödé", true},
		{"https://example.org/a b", false},
		{"https://example.org/abcdefgh{", false},
		{"U: ", false},
		{"https://example.org/\\", false},
		{"https://example.org/\x7f", true}, // DEL is not escaped in an IRIREF
	}
	for _, tc := range tests {
		if got := PlainIRI(tc.iri); got != tc.want {
			t.Errorf("PlainIRI(%q) = %v, want %v", tc.iri, got, tc.want)
		}
		if got := string(appendIRI(nil, tc.iri)) == tc.iri; got != tc.want {
			t.Errorf("appendIRI(%q) changes it: %v, PlainIRI says %v", tc.iri, got, tc.want)
		}
	}
}

// TestOutputs runs the three outputs over the W3C inputs in a varied
// order, so that recycled canonicalizers see datasets of every size one
// after another, including ones that fail.
func TestOutputs(t *testing.T) {
	paths, err := filepath.Glob("testdata/rdfc10/*-in.nq")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no W3C inputs found: %v", err)
	}
	var inputs [][]Quad
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, mustParse(t, string(b)))
	}
	iri := Term{Kind: IRI, Value: "http://example.org/x"}
	inputs = append(inputs,
		nil,
		[]Quad{{Subject: Term{Kind: Blank, Value: "a"}, Predicate: iri, Object: iri}, {Subject: Term{Kind: Literal, Value: "v"}, Predicate: iri, Object: iri}},
	)
	rng := rand.New(rand.NewPCG(3, 4))
	for round := range 3 {
		for _, i := range rng.Perm(len(inputs)) {
			in := inputs[i]
			if round > 0 {
				in = relabel(in, rng)
			}
			checkOutputs(t, in)
		}
	}
}

// failingWriter refuses every write.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteCanonicalWriteError(t *testing.T) {
	quads := mustParse(t, "<http://e/s> <http://e/p> \"o\" .\n")
	if err := WriteCanonical(failingWriter{}, quads); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("err = %v, want the writer's error", err)
	}
}

// TestSortLines compares the ranked sort with a plain sort of the lines,
// on subjects that are prefixes of one another, and on more distinct
// subjects than are ranked.
func TestSortLines(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	subjects := []string{"<a>", "<ab>", "<a/b>", "_:c14n1", "_:c14n10", "_:c14n2", "<urn:x>", "<urn:x:y>"}
	for n := 1; n < 100; n++ {
		subjects = append(subjects, "<https://example.org/s"+strings.Repeat("x", n%7)+string(rune('a'+n%26))+">")
	}
	rests := []string{"<p> \"o\" .\n", "<p> \"o2\" .\n", "<p2> <o> .\n", "<p> _:c14n0 .\n", "<p> \"o\" <g> .\n"}
	for _, nSubjects := range []int{1, 3, 8, 64, 65, len(subjects)} {
		var lines [][]byte
		var subj []int32
		for i := 0; i < 3*nSubjects+5; i++ {
			s := subjects[rng.IntN(nSubjects)]
			lines = append(lines, []byte(s+" "+rests[rng.IntN(len(rests))]))
			subj = append(subj, int32(len(s)))
		}
		want := make([][]byte, len(lines))
		copy(want, lines)
		slices.SortFunc(want, bytes.Compare)
		var c canonicalizer
		c.sortLines(lines, subj)
		for i := range want {
			if !bytes.Equal(lines[i], want[i]) {
				t.Fatalf("%d subjects, line %d: %q, want %q", nSubjects, i, lines[i], want[i])
			}
		}
	}
}
