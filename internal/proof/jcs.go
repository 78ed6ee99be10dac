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
		writeCanonicalString(buf, x)
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
			writeCanonicalString(buf, k)
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
// everything else as UTF-8. Invalid UTF-8 becomes U+FFFD, as encoding/json
// does.
func writeCanonicalString(buf *bytes.Buffer, s string) {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
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
