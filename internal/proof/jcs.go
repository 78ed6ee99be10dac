package proof

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/gowebpki/jcs"
)

// canonicalJSON serializes v with RFC 8785 (JCS). Values as encoding/json
// decodes them (maps, slices, strings, float64, json.Number, bools, nil)
// are written directly, which is several times faster than encoding and
// re-parsing; any other Go value goes through encoding/json and the jcs
// package. Both paths give the same bytes (see TestCanonicalJSONPaths).
func canonicalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(2048)
	if err := writeCanonical(&buf, v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// referenceCanonicalJSON is the slow path: encoding/json (without HTML
// escaping, which JCS forbids) followed by jcs.Transform.
func referenceCanonicalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encode JSON: %w", err)
	}
	out, err := jcs.Transform(bytes.TrimRight(buf.Bytes(), "\n"))
	if err != nil {
		return nil, fmt.Errorf("JCS: %w", err)
	}
	return out, nil
}

func writeCanonical(buf *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case nil:
		buf.WriteString("null")
	case bool:
		if x {
			buf.WriteString("true")
		} else {
			buf.WriteString("false")
		}
	case string:
		if err := writeCanonicalString(buf, x); err != nil {
			return err
		}
	case float64:
		return writeCanonicalNumber(buf, x)
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return fmt.Errorf("JCS: number %q: %w", x, err)
		}
		return writeCanonicalNumber(buf, f)
	case []any:
		buf.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeCanonical(buf, e); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case map[string]any:
		var keyBuf [16]string // objects are small; no allocation for them
		keys := keyBuf[:0]
		for k := range x {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, compareUTF16)
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeCanonicalString(buf, k); err != nil {
				return err
			}
			buf.WriteByte(':')
			if err := writeCanonical(buf, x[k]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	default:
		out, err := referenceCanonicalJSON(v)
		if err != nil {
			return err
		}
		buf.Write(out)
	}
	return nil
}

func writeCanonicalNumber(buf *bytes.Buffer, f float64) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return fmt.Errorf("JCS: %v is not a JSON number", f)
	}
	s, err := jcs.NumberToJSON(f)
	if err != nil {
		return fmt.Errorf("JCS: %w", err)
	}
	buf.WriteString(s)
	return nil
}

// writeCanonicalString writes s as RFC 8785 requires: the two-character
// escapes for \b \t \n \f \r " and \, \u00xx for other control characters,
// everything else as UTF-8. A string that is not valid UTF-8 (which is how
// a lone surrogate reaches Go) is refused: RFC 8785 §3.1 requires I-JSON
// input, and RFC 7493 §2.1 says strings "MUST NOT include code points
// that identify Surrogates"; replacing them with U+FFFD would sign other
// text than the one given.
func writeCanonicalString(buf *bytes.Buffer, s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("JCS: string %q is not valid Unicode (I-JSON, RFC 7493 §2.1)", s)
	}
	const hex = "0123456789abcdef"
	buf.WriteByte('"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		buf.WriteString(s[start:i])
		switch c {
		case '"', '\\':
			buf.WriteByte('\\')
			buf.WriteByte(c)
		case '\b':
			buf.WriteString(`\b`)
		case '\t':
			buf.WriteString(`\t`)
		case '\n':
			buf.WriteString(`\n`)
		case '\f':
			buf.WriteString(`\f`)
		case '\r':
			buf.WriteString(`\r`)
		default:
			buf.WriteString(`\u00`)
			buf.WriteByte(hex[c>>4])
			buf.WriteByte(hex[c&0xf])
		}
		start = i + 1
	}
	buf.WriteString(s[start:])
	buf.WriteByte('"')
	return nil
}

// CheckIJSONText refuses JSON text whose strings hold a lone surrogate
// escape (such as "\ud800") or bytes that are not UTF-8. encoding/json
// silently turns both into U+FFFD, so the document a verifier or signer
// sees would differ from the one given: RFC 8785 (eddsa-jcs-2022) §3.1
// requires I-JSON, whose strings "MUST NOT include code points that
// identify Surrogates" (RFC 7493 §2.1), and RFC 8259 §8.1 requires UTF-8.
// The error names the byte offset.
func CheckIJSONText(data []byte) error {
	if !utf8.Valid(data) {
		for i := 0; i < len(data); {
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				return fmt.Errorf("invalid JSON: byte %d is not UTF-8", i)
			}
			i += size
		}
	}
	inString := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if !inString {
			if c == '"' {
				inString = true
			}
			continue
		}
		switch c {
		case '"':
			inString = false
		case '\\':
			if i+1 >= len(data) {
				return nil // the decoder reports the truncated text
			}
			if data[i+1] != 'u' {
				i++
				continue
			}
			r, ok := hex4(data, i+2)
			if !ok {
				i++
				continue
			}
			switch {
			case 0xD800 <= r && r <= 0xDBFF:
				lo, ok := rune(0), false
				if i+11 < len(data) && data[i+6] == '\\' && data[i+7] == 'u' {
					lo, ok = hex4(data, i+8)
				}
				if !ok || lo < 0xDC00 || lo > 0xDFFF {
					return fmt.Errorf("invalid JSON: lone surrogate \\u%04x at byte %d (I-JSON, RFC 7493 §2.1)", r, i)
				}
				i += 11
			case 0xDC00 <= r && r <= 0xDFFF:
				return fmt.Errorf("invalid JSON: lone surrogate \\u%04x at byte %d (I-JSON, RFC 7493 §2.1)", r, i)
			default:
				i += 5
			}
		}
	}
	return nil
}

// hex4 reads four hexadecimal digits at data[i:].
func hex4(data []byte, i int) (rune, bool) {
	if i+4 > len(data) {
		return 0, false
	}
	var r rune
	for _, c := range data[i : i+4] {
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// compareUTF16 orders member names by their UTF-16 code units, as RFC 8785
// requires. For names in the Basic Multilingual Plane below the surrogate
// range this is byte order, so the common case compares bytes.
func compareUTF16(a, b string) int {
	if isLowBMP(a) && isLowBMP(b) {
		return strings.Compare(a, b)
	}
	return slices.Compare(utf16.Encode([]rune(a)), utf16.Encode([]rune(b)))
}

// isLowBMP reports whether every character of s is below U+D800, where
// UTF-8 byte order and UTF-16 code unit order agree.
func isLowBMP(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0xED { // lead bytes of U+D000 and above
			return false
		}
	}
	return true
}
