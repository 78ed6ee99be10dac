package rdfc

import (
	"errors"
	"strings"
	"testing"
)

func TestAppendNQuad(t *testing.T) {
	s := Term{Kind: IRI, Value: "http://example.org/s"}
	p := Term{Kind: IRI, Value: "http://example.org/p"}
	tests := []struct {
		name string
		q    Quad
		want string
	}{
		{"plain literal", Quad{Subject: s, Predicate: p, Object: Term{Kind: Literal, Value: "x", Datatype: XSDString}},
			`<http://example.org/s> <http://example.org/p> "x" .` + "\n"},
		{"literal without datatype", Quad{Subject: s, Predicate: p, Object: Term{Kind: Literal, Value: "x"}},
			`<http://example.org/s> <http://example.org/p> "x" .` + "\n"},
		{"language", Quad{Subject: s, Predicate: p, Object: Term{Kind: Literal, Value: "x", Datatype: RDFLangString, Language: "en-GB"}},
			`<http://example.org/s> <http://example.org/p> "x"@en-GB .` + "\n"},
		{"datatype", Quad{Subject: s, Predicate: p, Object: Term{Kind: Literal, Value: "1", Datatype: "http://www.w3.org/2001/XMLSchema#integer"}},
			`<http://example.org/s> <http://example.org/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .` + "\n"},
		{"ECHAR escapes", Quad{Subject: s, Predicate: p, Object: Term{Kind: Literal, Value: "\b\t\n\f\r\"\\'"}},
			`<http://example.org/s> <http://example.org/p> "\b\t\n\f\r\"\\'" .` + "\n"},
		{"UCHAR escapes", Quad{Subject: s, Predicate: p, Object: Term{Kind: Literal, Value: "\x00\x07\x0b\x0e\x1f\x7f"}},
			`<http://example.org/s> <http://example.org/p> "\u0000\u0007\u000B\u000E\u001F\u007F" .` + "\n"},
		{"non-ASCII verbatim", Quad{Subject: s, Predicate: p, Object: Term{Kind: Literal, Value: "é\u2028😀\u0080"}},
			"<http://example.org/s> <http://example.org/p> \"é\u2028😀\u0080\" .\n"},
		{"blank nodes and graph", Quad{Subject: Term{Kind: Blank, Value: "b0"}, Predicate: p, Object: Term{Kind: Blank, Value: "b1"}, Graph: Term{Kind: Blank, Value: "g"}},
			"_:b0 <http://example.org/p> _:b1 _:g .\n"},
		{"IRI graph", Quad{Subject: s, Predicate: p, Object: s, Graph: Term{Kind: IRI, Value: "http://example.org/g"}},
			"<http://example.org/s> <http://example.org/p> <http://example.org/s> <http://example.org/g> .\n"},
		{"IRI with forbidden characters", Quad{Subject: Term{Kind: IRI, Value: "http://e/a b>"}, Predicate: p, Object: s},
			`<http://e/a\u0020b\u003E> <http://example.org/p> <http://example.org/s> .` + "\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := string(tc.q.AppendNQuad(nil))
			if got != tc.want {
				t.Fatalf("got  %q\nwant %q", got, tc.want)
			}
			if strings.HasPrefix(tc.name, "IRI with forbidden") {
				// Escaped so the line stays well formed; the strict parser
				// still refuses it, since such an IRI is not valid.
				if _, err := ParseNQuads(got); err == nil {
					t.Fatal("parser accepted an invalid IRI")
				}
				return
			}
			// The canonical form parses back to the same statement.
			back, err := ParseNQuads(got)
			if err != nil {
				t.Fatal(err)
			}
			if SerializeNQuads(back) != got {
				t.Fatalf("round trip changed %q into %q", got, SerializeNQuads(back))
			}
		})
	}
}

func TestParseNQuads(t *testing.T) {
	doc := "# comment\r\n" +
		"<http://example.org/s> <http://example.org/p> \"a\\u00E9\\U0001F600\\t\" <http://example.org/g> . # trailing\n" +
		"\n   \t\n" +
		"_:b.1 <http://example.org/p> _:x.\r" +
		"<http://example.org/s><http://example.org/p>\"x\"@en-us.\n" +
		"<urn:x:\\u0041> <http://example.org/p> \"1\"^^<http://www.w3.org/2001/XMLSchema#integer> _:g"
	quads, err := ParseNQuads(doc + " .")
	if err != nil {
		t.Fatal(err)
	}
	want := []Quad{
		{Subject: Term{Kind: IRI, Value: "http://example.org/s"}, Predicate: Term{Kind: IRI, Value: "http://example.org/p"},
			Object: Term{Kind: Literal, Value: "aé😀\t", Datatype: XSDString}, Graph: Term{Kind: IRI, Value: "http://example.org/g"}},
		{Subject: Term{Kind: Blank, Value: "b.1"}, Predicate: Term{Kind: IRI, Value: "http://example.org/p"},
			Object: Term{Kind: Blank, Value: "x"}},
		{Subject: Term{Kind: IRI, Value: "http://example.org/s"}, Predicate: Term{Kind: IRI, Value: "http://example.org/p"},
			Object: Term{Kind: Literal, Value: "x", Datatype: RDFLangString, Language: "en-us"}},
		{Subject: Term{Kind: IRI, Value: "urn:x:A"}, Predicate: Term{Kind: IRI, Value: "http://example.org/p"},
			Object: Term{Kind: Literal, Value: "1", Datatype: "http://www.w3.org/2001/XMLSchema#integer"}, Graph: Term{Kind: Blank, Value: "g"}},
	}
	if len(quads) != len(want) {
		t.Fatalf("got %d quads: %+v", len(quads), quads)
	}
	for i := range want {
		if quads[i] != want[i] {
			t.Errorf("quad %d:\ngot  %+v\nwant %+v", i, quads[i], want[i])
		}
	}
}

func TestParseNQuadsErrors(t *testing.T) {
	tests := []struct {
		name, doc, msg string
	}{
		{"relative IRI", "<s> <http://e/p> <http://e/o> .", "line 1: subject: IRI <s> is not absolute"},
		{"missing dot", "<http://e/s> <http://e/p> <http://e/o>", "expected '.'"},
		{"literal subject", `"x" <http://e/p> <http://e/o> .`, "invalid subject"},
		{"blank predicate", "<http://e/s> _:p <http://e/o> .", "invalid predicate"},
		{"literal graph", `<http://e/s> <http://e/p> <http://e/o> "g" .`, "invalid graph label"},
		{"two statements", "<http://e/s> <http://e/p> <http://e/o> . <http://e/s> <http://e/p> <http://e/o> .", "after '.'"},
		{"bad escape", `<http://e/s> <http://e/p> "\a" .`, `invalid escape "\\a"`},
		{"surrogate escape", `<http://e/s> <http://e/p> "\uD800" .`, "not a Unicode scalar value"},
		{"space in IRI", "<http://e/ s> <http://e/p> <http://e/o> .", "not allowed in IRI"},
		{"escaped space in IRI", `<http://e/\u0020s> <http://e/p> <http://e/o> .`, "forbidden character"},
		{"unterminated literal", `<http://e/s> <http://e/p> "abc .`, "unterminated string literal"},
		{"raw newline in literal", "<http://e/s> <http://e/p> \"a\nb\" .", "line 1: object: line break"},
		{"empty language", `<http://e/s> <http://e/p> "a"@ .`, "empty language tag"},
		{"langString without language", `<http://e/s> <http://e/p> "a"^^<http://www.w3.org/1999/02/22-rdf-syntax-ns#langString> .`, "without a language tag"},
		{"bad blank label", "_:-x <http://e/p> <http://e/o> .", "invalid blank node label"},
		{"error on line 3", "\n<http://e/s> <http://e/p> <http://e/o> .\n<http://e/s> <http://e/p> .\n", "line 3"},
		{"invalid UTF-8", "<http://e/s> <http://e/p> \"\xff\" .", "invalid UTF-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseNQuads(tc.doc)
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrSyntax) {
				t.Errorf("error %v does not wrap ErrSyntax", err)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q does not mention %q", err, tc.msg)
			}
		})
	}
}
