package jsonld

import (
	"strings"
	"unicode/utf8"

	"github.com/piprate/json-gold/ld"
)

// isAbsIRI answers exactly what json-gold's IsAbsoluteIri answers (a blank
// node label, or a string net/url parses with a scheme) without calling
// url.Parse for the common shapes of IRIs.
func isAbsIRI(s string) bool {
	if strings.HasPrefix(s, "_:") {
		return true
	}
	colon := strings.IndexByte(s, ':')
	if colon <= 0 || !validScheme(s[:colon]) {
		return ld.IsAbsoluteIri(s)
	}
	rest := s[colon+1:]
	if strings.HasPrefix(rest, "//") {
		auth := rest[2:]
		end := strings.IndexAny(auth, "/?#")
		if end >= 0 {
			auth, rest = auth[:end], auth[end:]
		} else {
			rest = ""
		}
		if !plainAuthority(auth) {
			return ld.IsAbsoluteIri(s)
		}
	}
	for i := 0; i < len(rest); i++ {
		if !plainIRIByte(rest[i]) {
			return ld.IsAbsoluteIri(s)
		}
	}
	return true
}

func validScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return true
}

// plainIRIByte reports bytes that never make net/url reject a path, query
// or fragment and never match the \s of json-gold's URL expression.
func plainIRIByte(c byte) bool {
	return c > 0x20 && c != 0x7f && c != '%'
}

// plainAuthority reports an authority of the form host[:port] with an
// ASCII host name, which net/url accepts.
func plainAuthority(a string) bool {
	if a == "" {
		return false
	}
	host, port, hasPort := strings.Cut(a, ":")
	if host == "" || host[0] == '.' || host[0] == '-' {
		return false
	}
	for i := 0; i < len(host); i++ {
		c := host[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	if hasPort {
		if port == "" || len(port) > 5 {
			return false
		}
		for i := 0; i < len(port); i++ {
			if port[i] < '0' || port[i] > '9' {
				return false
			}
		}
	}
	return true
}

// wellFormedIRI reports whether s is an absolute IRI by RFC 3987 §2.2:
//
//	IRI = scheme ":" ihier-part [ "?" iquery ] [ "#" ifragment ]
//
// JSON-LD 1.1 API §8.2 Object to RDF Conversion returns null for "an
// IRI [that] is not well-formed", so safe mode refuses such a value
// instead of signing a statement without it. Hosts are checked by the
// ireg-name rule (any unreserved character, so a label may start with
// "-"), and there is no length limit. A space, a control character or any
// of <>"{}|\^` is never part of an IRI.
func wellFormedIRI(s string) bool {
	// Nearly every IRI in a credential is ASCII without percent-escapes
	// or an IP literal: one pass over the bytes decides those.
	colon, hashes := -1, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 || !simpleIRIByte[c] {
			return wellFormedIRISlow(s)
		}
		switch c {
		case ':':
			if colon < 0 {
				colon = i
			}
		case '#':
			hashes++
		}
	}
	if colon <= 0 || hashes > 1 || !validScheme(s[:colon]) {
		return false
	}
	rest := s[colon+1:]
	if len(rest) < 2 || rest[0] != '/' || rest[1] != '/' {
		return true
	}
	auth := rest[2:]
	if end := strings.IndexAny(auth, "/?#"); end >= 0 {
		auth = auth[:end]
	}
	if strings.IndexByte(auth, '@') >= 0 {
		return wellFormedIRISlow(s)
	}
	host, port, hasPort := strings.Cut(auth, ":")
	if !hasPort {
		return true
	}
	_ = host
	for i := 0; i < len(port); i++ {
		if port[i] < '0' || port[i] > '9' {
			return false
		}
	}
	return true
}

// simpleIRIByte marks the ASCII bytes of the fast path of wellFormedIRI:
// iunreserved, sub-delims, ":", "@", "/", "?" and "#".
var simpleIRIByte = func() (t [128]bool) {
	t = iriASCII
	t['?'], t['#'] = true, true
	return t
}()

// wellFormedIRISlow is wellFormedIRI by the grammar, for IRIs with
// percent-escapes, non-ASCII characters, IP literals, user information
// or bytes no IRI has.
func wellFormedIRISlow(s string) bool {
	colon := strings.IndexByte(s, ':')
	if colon <= 0 || !validScheme(s[:colon]) {
		return false
	}
	rest := s[colon+1:]
	frag := ""
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		rest, frag = rest[:i], rest[i+1:]
		if !iriChars(frag, false, true) {
			return false
		}
	}
	query := ""
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		rest, query = rest[:i], rest[i+1:]
		if !iriChars(query, true, true) {
			return false
		}
	}
	if strings.HasPrefix(rest, "//") {
		auth := rest[2:]
		path := ""
		if i := strings.IndexByte(auth, '/'); i >= 0 {
			auth, path = auth[:i], auth[i:]
		}
		if !iriAuthority(auth) {
			return false
		}
		rest = path
	}
	// ipath: segments of ipchar separated by "/".
	return iriChars(rest, false, false) && !strings.ContainsAny(rest, "?#")
}

// iriChars reports whether s is made of ipchar, "/" and, when
// queryOrFragment, "?"; private reports whether iprivate characters are
// allowed (in iquery only).
func iriChars(s string, private, queryOrFragment bool) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			switch {
			case iriASCII[c]:
				i++
			case c == '%':
				if i+2 >= len(s) || !isHexDigit(s[i+1]) || !isHexDigit(s[i+2]) {
					return false
				}
				i += 3
			case c == '?' && queryOrFragment:
				i++
			default:
				return false
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			return false
		}
		if !ucsChar(r) && !(private && privateChar(r)) {
			return false
		}
		i += size
	}
	return true
}

// iriASCII marks the ASCII characters allowed verbatim in a path, query or
// fragment: iunreserved, sub-delims, ":", "@" and "/".
var iriASCII = func() (t [128]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c], t[c-'a'+'A'] = true, true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range "-._~!$&'()*+,;=:@/" {
		t[c] = true
	}
	return t
}()

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// ucsChar is RFC 3987's ucschar.
func ucsChar(r rune) bool {
	switch {
	case 0xA0 <= r && r <= 0xD7FF, 0xF900 <= r && r <= 0xFDCF, 0xFDF0 <= r && r <= 0xFFEF:
		return true
	case r >= 0x10000 && r <= 0xEFFFD:
		return r&0xFFFF <= 0xFFFD // not a noncharacter U+xFFFE/U+xFFFF
	}
	return false
}

// privateChar is RFC 3987's iprivate.
func privateChar(r rune) bool {
	return 0xE000 <= r && r <= 0xF8FF || 0xF0000 <= r && r <= 0xFFFFD || 0x100000 <= r && r <= 0x10FFFD
}

// iriAuthority checks iauthority = [ iuserinfo "@" ] ihost [ ":" port ].
func iriAuthority(a string) bool {
	if at := strings.LastIndexByte(a, '@'); at >= 0 {
		if !iriChars(a[:at], false, false) || strings.ContainsAny(a[:at], "/@") {
			return false
		}
		a = a[at+1:]
	}
	host := a
	if strings.HasPrefix(a, "[") {
		end := strings.IndexByte(a, ']')
		if end < 0 {
			return false
		}
		host, a = a[1:end], a[end+1:]
		if host == "" {
			return false
		}
		for i := 0; i < len(host); i++ {
			c := host[i]
			if c >= 0x80 || !(isHexDigit(c) || c == ':' || c == '.' || iriASCII[c] && c != '/' && c != '@') {
				return false
			}
		}
		if a != "" && a[0] != ':' {
			return false
		}
	} else {
		if i := strings.LastIndexByte(a, ':'); i >= 0 {
			host, a = a[:i], a[i:]
		} else {
			a = ""
		}
		if !iriChars(host, false, false) || strings.ContainsAny(host, ":@/") {
			return false
		}
	}
	if a != "" { // ":" port
		for i := 1; i < len(a); i++ {
			if a[i] < '0' || a[i] > '9' {
				return false
			}
		}
	}
	return true
}
