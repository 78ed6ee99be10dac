// Package canonjson writes decoded JSON values in the JSON
// Canonicalization Scheme (RFC 8785, "JCS") and checks that JSON text is
// I-JSON (RFC 7493) before encoding/json would silently change it.
//
// Two parts of microcred sign these bytes: the eddsa-jcs-2022
// cryptosuite (package proof) hashes a whole document's JCS form, and
// JSON-LD's @json literals (package jsonld) are JCS strings inside the
// canonical N-Quads that eddsa-rdfc-2022 signs. They share this one
// writer so that they cannot drift apart.
package canonjson

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

// Marshal returns the RFC 8785 form of v. Values as encoding/json decodes
// them (maps, slices, strings, float64, json.Number, bools, nil) are
// written directly, which is several times faster than encoding and
// re-parsing; any other Go value goes through MarshalReference. Both
// paths give the same bytes (see TestPaths and FuzzPaths).
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(2048)
	if err := Append(&buf, v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// MarshalReference is the slow path: encoding/json (without HTML
// escaping, which JCS forbids) followed by jcs.Transform.
func MarshalReference(v any) ([]byte, error) {
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

// Append writes the RFC 8785 form of v to buf.
func Append(buf *bytes.Buffer, v any) error {
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
		return appendString(buf, x)
	case float64:
		return appendNumber(buf, x)
	case json.Number:
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			return fmt.Errorf("JCS: number %q: %w", x, err)
		}
		return appendNumber(buf, f)
	case []any:
		buf.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := Append(buf, e); err != nil {
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
		// RFC 8785 §3.2.3: member names sorted by their UTF-16 code units.
		slices.SortFunc(keys, CompareUTF16)
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := appendString(buf, k); err != nil {
				return err
			}
			buf.WriteByte(':')
			if err := Append(buf, x[k]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	default:
		out, err := MarshalReference(v)
		if err != nil {
			return err
		}
		buf.Write(out)
	}
	return nil
}

func appendNumber(buf *bytes.Buffer, f float64) error {
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

// appendString writes s as RFC 8785 §3.2.2.2 requires: the two-character
// escapes for \b \t \n \f \r " and \, \u00xx in lower case for other
// control characters, everything else as UTF-8. A string that is not
// valid UTF-8 (which is how a lone surrogate reaches Go) is refused: RFC
// 8785 §3.1 requires I-JSON input, and RFC 7493 §2.1 says strings "MUST
// NOT include code points that identify Surrogates"; replacing them with
// U+FFFD would sign other text than the one given.
func appendString(buf *bytes.Buffer, s string) error {
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

// CompareUTF16 orders strings by their UTF-16 code units, as RFC 8785
// requires of member names. For characters below the surrogate range
// this is byte order, so the common case compares bytes.
func CompareUTF16(a, b string) int {
	if lowBMP(a) && lowBMP(b) {
		return strings.Compare(a, b)
	}
	return slices.Compare(utf16.Encode([]rune(a)), utf16.Encode([]rune(b)))
}

// lowBMP reports whether every character of s is below U+D000, where
// UTF-8 byte order and UTF-16 code unit order agree.
func lowBMP(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0xED { // lead bytes of U+D000 and above
			return false
		}
	}
	return true
}
