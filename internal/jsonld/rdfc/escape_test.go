package rdfc

import (
	"strings"
	"testing"
)

// TestCleanPrefix holds the word-at-a-time scans to the byte tables they
// stand for: for every byte value at every position of strings of
// several lengths, the clean prefix ends at or before the first byte that
// needs an escape, and only on a word boundary.
func TestCleanPrefix(t *testing.T) {
	tests := []struct {
		name   string
		scan   func(string) int
		escape func(c byte) bool
	}{
		{"IRI", cleanIRIPrefix, func(c byte) bool { return c < 0x80 && iriEscape[c] }},
		{"literal", cleanLiteralPrefix, func(c byte) bool { return c < 0x80 && literalEscape[c] != "" }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, n := range []int{0, 1, 7, 8, 9, 16, 23, 24, 40} {
				base := strings.Repeat("a", n)
				if got := tc.scan(base); got != n/8*8 {
					t.Fatalf("clean string of %d bytes: prefix %d, want %d", n, got, n/8*8)
				}
				for pos := 0; pos < n; pos++ {
					for c := 0; c < 256; c++ {
						s := base[:pos] + string([]byte{byte(c)}) + base[pos+1:]
						got := tc.scan(s)
						want := n / 8 * 8
						if tc.escape(byte(c)) {
							want = pos / 8 * 8
						}
						if got != want {
							t.Fatalf("byte %#x at %d of %d: prefix %d, want %d", c, pos, n, got, want)
						}
					}
				}
			}
		})
	}
}

// TestAppendEscapes compares the escaping of IRIs and literals with the
// plain byte loops, for strings whose escapes fall before, inside and
// after the clean prefix.
func TestAppendEscapes(t *testing.T) {
	ref := func(s string, iri bool) string {
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			c := s[i]
			switch {
			case iri && c < 0x80 && iriEscape[c]:
				b.WriteString(`\u00` + string(hexUpper[c>>4]) + string(hexUpper[c&15]))
			case !iri && c < 0x80 && literalEscape[c] != "":
				b.WriteString(literalEscape[c])
			default:
				b.WriteByte(c)
			}
		}
		return b.String()
	}
	inputs := []string{
		"", "plain", "https://example.org/a/long/path#fragment",
		"https://example.org/with space/and>more", "tab\there", "0123456789abcdef\"quote",
		"ünïcödé text that is long enough \\ to matter\n", "\x7f\x00\x1f", "abcdefgh\x01",
	}
	for _, in := range inputs {
		if got, want := string(appendIRI(nil, in)), ref(in, true); got != want {
			t.Errorf("appendIRI(%q) = %q, want %q", in, got, want)
		}
		if got, want := string(appendLiteral(nil, in)), ref(in, false); got != want {
			t.Errorf("appendLiteral(%q) = %q, want %q", in, got, want)
		}
	}
}
