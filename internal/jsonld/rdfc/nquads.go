package rdfc

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Datatype IRIs that the serialization treats specially.
const (
	XSDString     = "http://www.w3.org/2001/XMLSchema#string"
	RDFLangString = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
)

const hexUpper = "0123456789ABCDEF"

// AppendNQuad appends the canonical N-Quads form of q, including the
// terminating " .\n", to dst and returns the extended slice.
//
// The form is the one RDFC-1.0 hashes and outputs: single spaces between
// terms; in literals the characters \b \t \n \f \r " and \ as ECHAR, the
// other controls U+0000..U+001F and U+007F as \uXXXX with upper-case hex,
// everything else verbatim; no datatype for xsd:string; "@lang" for a
// language-tagged string. Characters that may not appear in an IRIREF are
// written as \uXXXX so that the output always parses back to the same term.
func (q Quad) AppendNQuad(dst []byte) []byte {
	dst = appendTerm(dst, &q.Subject, "", false)
	dst = append(dst, ' ')
	dst = appendTerm(dst, &q.Predicate, "", false)
	dst = append(dst, ' ')
	dst = appendTerm(dst, &q.Object, "", false)
	if q.Graph.Kind != None {
		dst = append(dst, ' ')
		dst = appendTerm(dst, &q.Graph, "", false)
	}
	return append(dst, " .\n"...)
}

// SerializeNQuads returns the N-Quads document of quads in the given order,
// one canonical line per quad.
func SerializeNQuads(quads []Quad) string {
	n := 0
	for i := range quads {
		q := &quads[i]
		n += len(q.Subject.Value) + len(q.Predicate.Value) + len(q.Object.Value) +
			len(q.Object.Datatype) + len(q.Graph.Value) + 16
	}
	buf := make([]byte, 0, n)
	for i := range quads {
		buf = quads[i].AppendNQuad(buf)
	}
	return string(buf)
}

// appendTerm writes t; for a blank node, label (when not empty) replaces
// the node's own label, which is how the canonicalization substitutes
// _:a, _:z and canonical identifiers without copying quads. plain says
// that every IRI is known to satisfy PlainIRI, so none is scanned.
func appendTerm(dst []byte, t *Term, label string, plain bool) []byte {
	switch t.Kind {
	case IRI:
		dst = append(dst, '<')
		if plain {
			dst = append(dst, t.Value...)
		} else {
			dst = appendIRI(dst, t.Value)
		}
		return append(dst, '>')
	case Blank:
		if label == "" {
			label = t.Value
		}
		dst = append(dst, '_', ':')
		return append(dst, label...)
	case Literal:
		dst = append(dst, '"')
		dst = appendLiteral(dst, t.Value)
		dst = append(dst, '"')
		switch {
		case t.Language != "":
			dst = append(dst, '@')
			dst = append(dst, t.Language...)
		case t.Datatype != "" && t.Datatype != XSDString && t.Datatype != RDFLangString:
			dst = append(dst, '^', '^', '<')
			if plain {
				dst = append(dst, t.Datatype...)
			} else {
				dst = appendIRI(dst, t.Datatype)
			}
			dst = append(dst, '>')
		}
		return dst
	}
	return dst
}

// iriEscape marks the ASCII bytes that IRIREF does not allow verbatim.
var iriEscape = func() (t [128]bool) {
	for c := 0; c <= 0x20; c++ {
		t[c] = true
	}
	for _, c := range `<>"{}|^` + "`\\" {
		t[c] = true
	}
	return t
}()

func appendIRI(dst []byte, s string) []byte {
	clean := cleanIRIPrefix(s)
	if clean == len(s) {
		return append(dst, s...)
	}
	dst = append(dst, s[:clean]...)
	s = s[clean:]
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 || !iriEscape[c] {
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = append(dst, '\\', 'u', '0', '0', hexUpper[c>>4], hexUpper[c&15])
		start = i + 1
	}
	return append(dst, s[start:]...)
}

// literalEscape holds, for each ASCII byte, its escape in a canonical
// literal, or "" when it is written verbatim.
var literalEscape = func() (t [128]string) {
	for c := 0; c < 0x20; c++ {
		t[c] = `\u00` + string(hexUpper[c>>4]) + string(hexUpper[c&15])
	}
	t[0x7f] = `\u007F`
	t['\b'] = `\b`
	t['\t'] = `\t`
	t['\n'] = `\n`
	t['\f'] = `\f`
	t['\r'] = `\r`
	t['"'] = `\"`
	t['\\'] = `\\`
	return t
}()

func appendLiteral(dst []byte, s string) []byte {
	clean := cleanLiteralPrefix(s)
	if clean == len(s) {
		return append(dst, s...)
	}
	dst = append(dst, s[:clean]...)
	s = s[clean:]
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 || literalEscape[c] == "" {
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = append(dst, literalEscape[c]...)
		start = i + 1
	}
	return append(dst, s[start:]...)
}

// Serializing IRIs and literals is most of the work of writing canonical
// N-Quads, and nearly all of them need no escape. cleanIRIPrefix and
// cleanLiteralPrefix find the escape-free prefix eight bytes at a time
// with the classic SWAR byte tests, which are exact as "does any byte of
// the word match" answers: a word with a match is left to the byte loop.
const (
	swarLow  = 0x0101010101010101
	swarHigh = 0x8080808080808080
)

// swarHasZero reports (nonzero) whether a byte of x is zero.
func swarHasZero(x uint64) uint64 { return (x - swarLow) & ^x & swarHigh }

// swarHasByte reports (nonzero) whether a byte of x equals b.
func swarHasByte(x uint64, b byte) uint64 { return swarHasZero(x ^ (swarLow * uint64(b))) }

// swarHasLess reports (nonzero) whether a byte of x is less than n
// (n <= 128).
func swarHasLess(x uint64, n byte) uint64 { return (x - swarLow*uint64(n)) & ^x & swarHigh }

// swarHasBetween reports (nonzero) whether a byte of x is greater than m
// and less than n (m <= 127, n <= 128).
func swarHasBetween(x uint64, m, n byte) uint64 {
	const low7 = swarLow * 127
	return (swarLow*(127+uint64(n)) - x&low7) & ^x & (x&low7 + swarLow*(127-uint64(m))) & swarHigh
}

// PlainIRI reports whether s is written as an N-Quads IRIREF as it is,
// without \u escapes: it has no control character, space, or any of
// <>"{}|^`\. Every valid IRI is plain.
func PlainIRI(s string) bool {
	i := cleanIRIPrefix(s)
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x80 && iriEscape[c] {
			return false
		}
	}
	return true
}

// cleanIRIPrefix returns the length of a prefix of s, a multiple of eight,
// without bytes that appendIRI escapes.
func cleanIRIPrefix(s string) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := binary.LittleEndian.Uint64([]byte(s[i : i+8]))
		// Setting bit 1 maps '<' (0x3C) to '>' (0x3E) and '\\' (0x5C) to
		// '^' (0x5E), and no other byte to either; '{' '|' '}' are the
		// range 0x7B-0x7D.
		y := x | swarLow*2
		if swarHasLess(x, 0x21)|swarHasBetween(x, 0x7A, 0x7E)|swarHasByte(y, '>')|swarHasByte(y, '^')|
			swarHasByte(x, '"')|swarHasByte(x, '`') != 0 {
			break
		}
	}
	return i
}

// cleanLiteralPrefix returns the length of a prefix of s, a multiple of
// eight, without bytes that appendLiteral escapes.
func cleanLiteralPrefix(s string) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := binary.LittleEndian.Uint64([]byte(s[i : i+8]))
		if swarHasLess(x, 0x20)|swarHasByte(x, 0x7f)|swarHasByte(x, '"')|swarHasByte(x, '\\') != 0 {
			break
		}
	}
	return i
}

// ErrSyntax is wrapped by every error ParseNQuads returns.
var ErrSyntax = errors.New("n-quads syntax error")

// ParseNQuads parses an N-Quads document strictly by the RDF 1.1 N-Quads
// grammar: absolute IRIs only, escapes decoded, valid UTF-8, comments and
// blank lines allowed. Errors name the line and the problem. Duplicate
// statements are kept; Canonicalize removes them.
func ParseNQuads(doc string) ([]Quad, error) {
	if !utf8.ValidString(doc) {
		// Find the line for a helpful message.
		line := 1
		for i := 0; i < len(doc); {
			r, size := utf8.DecodeRuneInString(doc[i:])
			if r == utf8.RuneError && size == 1 {
				return nil, fmt.Errorf("%w: line %d: invalid UTF-8", ErrSyntax, line)
			}
			if r == '\n' {
				line++
			}
			i += size
		}
	}
	p := parser{s: doc, line: 1}
	quads := make([]Quad, 0, strings.Count(doc, "\n")+1)
	for {
		p.skipSpaceAndEOL()
		if p.pos >= len(p.s) {
			return quads, nil
		}
		q, err := p.statement()
		if err != nil {
			return nil, fmt.Errorf("%w: line %d: %w", ErrSyntax, p.line, err)
		}
		quads = append(quads, q)
	}
}

type parser struct {
	s    string
	pos  int
	line int
}

func (p *parser) skipSpace() {
	for p.pos < len(p.s) {
		switch p.s[p.pos] {
		case ' ', '\t':
			p.pos++
		case '#':
			for p.pos < len(p.s) && p.s[p.pos] != '\n' && p.s[p.pos] != '\r' {
				p.pos++
			}
		default:
			return
		}
	}
}

func (p *parser) skipSpaceAndEOL() {
	for {
		p.skipSpace()
		if p.pos < len(p.s) && (p.s[p.pos] == '\n' || p.s[p.pos] == '\r') {
			if p.s[p.pos] == '\n' {
				p.line++
			}
			p.pos++
			continue
		}
		return
	}
}

// statement parses one quad and the end of its line.
func (p *parser) statement() (Quad, error) {
	var q Quad
	var err error
	if q.Subject, err = p.term("subject", true, false); err != nil {
		return q, err
	}
	p.skipSpace()
	if q.Predicate, err = p.term("predicate", false, false); err != nil {
		return q, err
	}
	p.skipSpace()
	if q.Object, err = p.term("object", true, true); err != nil {
		return q, err
	}
	p.skipSpace()
	if p.pos < len(p.s) && p.s[p.pos] != '.' {
		if q.Graph, err = p.term("graph label", true, false); err != nil {
			return q, err
		}
		p.skipSpace()
	}
	if p.pos >= len(p.s) || p.s[p.pos] != '.' {
		return q, errors.New("expected '.' at end of statement")
	}
	p.pos++
	p.skipSpace()
	if p.pos < len(p.s) && p.s[p.pos] != '\n' && p.s[p.pos] != '\r' {
		return q, fmt.Errorf("unexpected %q after '.'", p.rest())
	}
	return q, nil
}

// rest returns a short excerpt of the input at the current position.
func (p *parser) rest() string {
	end := p.pos
	for end < len(p.s) && end-p.pos < 20 && p.s[end] != '\n' && p.s[end] != '\r' {
		end++
	}
	return p.s[p.pos:end]
}

func (p *parser) term(role string, blankOK, literalOK bool) (Term, error) {
	if p.pos >= len(p.s) || p.s[p.pos] == '\n' || p.s[p.pos] == '\r' {
		return Term{}, fmt.Errorf("missing %s", role)
	}
	switch c := p.s[p.pos]; {
	case c == '<':
		v, err := p.iri()
		if err != nil {
			return Term{}, fmt.Errorf("%s: %w", role, err)
		}
		return Term{Kind: IRI, Value: v}, nil
	case c == '_' && blankOK:
		v, err := p.blankLabel()
		if err != nil {
			return Term{}, fmt.Errorf("%s: %w", role, err)
		}
		return Term{Kind: Blank, Value: v}, nil
	case c == '"' && literalOK:
		t, err := p.literal()
		if err != nil {
			return Term{}, fmt.Errorf("%s: %w", role, err)
		}
		return t, nil
	}
	return Term{}, fmt.Errorf("invalid %s at %q", role, p.rest())
}

// iri parses IRIREF and checks that the IRI is absolute.
func (p *parser) iri() (string, error) {
	p.pos++ // '<'
	start := p.pos
	var b []byte // only allocated when an escape is present
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		switch {
		case c == '>':
			var v string
			if b == nil {
				v = p.s[start:p.pos]
			} else {
				v = string(append(b, p.s[start:p.pos]...))
			}
			p.pos++
			if !hasScheme(v) {
				return "", fmt.Errorf("IRI <%s> is not absolute", v)
			}
			return v, nil
		case c == '\\':
			b = append(b, p.s[start:p.pos]...)
			r, err := p.uchar()
			if err != nil {
				return "", err
			}
			if r < 0x80 && iriEscape[r] {
				return "", fmt.Errorf("IRI escape decodes to forbidden character %U", r)
			}
			b = utf8.AppendRune(b, r)
			start = p.pos
		case c < 0x80 && iriEscape[c]:
			return "", fmt.Errorf("character %q not allowed in IRI", c)
		default:
			p.pos++
		}
	}
	return "", errors.New("unterminated IRI")
}

// hasScheme reports whether v starts with scheme ":".
func hasScheme(v string) bool {
	if v == "" || !isAlpha(v[0]) {
		return false
	}
	for i := 1; i < len(v); i++ {
		c := v[i]
		switch {
		case c == ':':
			return true
		case isAlpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.':
		default:
			return false
		}
	}
	return false
}

func isAlpha(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }

// uchar decodes \uXXXX or \UXXXXXXXX at p.pos.
func (p *parser) uchar() (rune, error) {
	if p.pos+1 >= len(p.s) {
		return 0, errors.New("incomplete escape")
	}
	var n int
	switch p.s[p.pos+1] {
	case 'u':
		n = 4
	case 'U':
		n = 8
	default:
		return 0, fmt.Errorf("invalid escape %q", p.s[p.pos:p.pos+2])
	}
	if p.pos+2+n > len(p.s) {
		return 0, errors.New("incomplete \\u escape")
	}
	hex := p.s[p.pos+2 : p.pos+2+n]
	for i := 0; i < len(hex); i++ {
		if !isHex(hex[i]) {
			return 0, fmt.Errorf("invalid hex digit in escape %q", p.s[p.pos:p.pos+2+n])
		}
	}
	v, _ := strconv.ParseUint(hex, 16, 32)
	r := rune(v)
	if v > utf8.MaxRune || !utf8.ValidRune(r) {
		return 0, fmt.Errorf("escape %q is not a Unicode scalar value", p.s[p.pos:p.pos+2+n])
	}
	p.pos += 2 + n
	return r, nil
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || ((c|0x20) >= 'a' && (c|0x20) <= 'f')
}

// blankLabel parses BLANK_NODE_LABEL and returns the label without "_:".
func (p *parser) blankLabel() (string, error) {
	if !strings.HasPrefix(p.s[p.pos:], "_:") {
		return "", fmt.Errorf("invalid blank node at %q", p.rest())
	}
	p.pos += 2
	start := p.pos
	r, size := utf8.DecodeRuneInString(p.s[p.pos:])
	if size == 0 || !(isPNCharsU(r) || (r >= '0' && r <= '9')) {
		return "", fmt.Errorf("invalid blank node label at %q", p.rest())
	}
	p.pos += size
	lastGood := p.pos
	for p.pos < len(p.s) {
		r, size = utf8.DecodeRuneInString(p.s[p.pos:])
		if r == '.' {
			p.pos += size
			continue
		}
		if !isPNChars(r) {
			break
		}
		p.pos += size
		lastGood = p.pos
	}
	// A label cannot end in '.', so trailing dots belong to the statement.
	p.pos = lastGood
	return p.s[start:p.pos], nil
}

func isPNCharsBase(r rune) bool {
	switch {
	case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
		return true
	case r < 0xC0:
		return false
	}
	return (r >= 0xC0 && r <= 0xD6) || (r >= 0xD8 && r <= 0xF6) ||
		(r >= 0xF8 && r <= 0x2FF) || (r >= 0x370 && r <= 0x37D) ||
		(r >= 0x37F && r <= 0x1FFF) || (r >= 0x200C && r <= 0x200D) ||
		(r >= 0x2070 && r <= 0x218F) || (r >= 0x2C00 && r <= 0x2FEF) ||
		(r >= 0x3001 && r <= 0xD7FF) || (r >= 0xF900 && r <= 0xFDCF) ||
		(r >= 0xFDF0 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0xEFFFF)
}

func isPNCharsU(r rune) bool { return r == '_' || r == ':' || isPNCharsBase(r) }

func isPNChars(r rune) bool {
	return isPNCharsU(r) || r == '-' || (r >= '0' && r <= '9') || r == 0xB7 ||
		(r >= 0x300 && r <= 0x36F) || (r >= 0x203F && r <= 0x2040)
}

// literal parses STRING_LITERAL_QUOTE with its optional datatype or
// language tag.
func (p *parser) literal() (Term, error) {
	p.pos++ // '"'
	start := p.pos
	var b []byte
	var value string
	for {
		if p.pos >= len(p.s) {
			return Term{}, errors.New("unterminated string literal")
		}
		c := p.s[p.pos]
		if c == '"' {
			if b == nil {
				value = p.s[start:p.pos]
			} else {
				value = string(append(b, p.s[start:p.pos]...))
			}
			p.pos++
			break
		}
		if c == '\n' || c == '\r' {
			return Term{}, errors.New("line break inside string literal")
		}
		if c != '\\' {
			p.pos++
			continue
		}
		b = append(b, p.s[start:p.pos]...)
		if p.pos+1 >= len(p.s) {
			return Term{}, errors.New("incomplete escape in string literal")
		}
		switch e := p.s[p.pos+1]; e {
		case 't', 'b', 'n', 'r', 'f', '"', '\'', '\\':
			b = append(b, "\t\b\n\r\f\"'\\"[strings.IndexByte("tbnrf\"'\\", e)])
			p.pos += 2
		case 'u', 'U':
			r, err := p.uchar()
			if err != nil {
				return Term{}, err
			}
			b = utf8.AppendRune(b, r)
		default:
			return Term{}, fmt.Errorf("invalid escape %q in string literal", p.s[p.pos:p.pos+2])
		}
		start = p.pos
	}
	t := Term{Kind: Literal, Value: value, Datatype: XSDString}
	switch {
	case strings.HasPrefix(p.s[p.pos:], "^^"):
		p.pos += 2
		if p.pos >= len(p.s) || p.s[p.pos] != '<' {
			return Term{}, errors.New("datatype must be an IRI")
		}
		dt, err := p.iri()
		if err != nil {
			return Term{}, fmt.Errorf("datatype: %w", err)
		}
		if dt == RDFLangString {
			return Term{}, errors.New("rdf:langString literal without a language tag")
		}
		t.Datatype = dt
	case p.pos < len(p.s) && p.s[p.pos] == '@':
		p.pos++
		start := p.pos
		for p.pos < len(p.s) && isAlpha(p.s[p.pos]) {
			p.pos++
		}
		if p.pos == start {
			return Term{}, errors.New("empty language tag")
		}
		for p.pos < len(p.s) && p.s[p.pos] == '-' {
			p.pos++
			sub := p.pos
			for p.pos < len(p.s) && (isAlpha(p.s[p.pos]) || (p.s[p.pos] >= '0' && p.s[p.pos] <= '9')) {
				p.pos++
			}
			if p.pos == sub {
				return Term{}, errors.New("empty language subtag")
			}
		}
		t.Language = p.s[start:p.pos]
		t.Datatype = RDFLangString
	}
	return t, nil
}
