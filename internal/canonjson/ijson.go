package canonjson

import (
	"fmt"
	"unicode/utf8"
)

// CheckText refuses JSON text whose strings hold a lone surrogate
// escape (such as "\ud800") or bytes that are not UTF-8. encoding/json
// silently turns both into U+FFFD, so the document a verifier or signer
// sees would differ from the one given: RFC 8785 (eddsa-jcs-2022) §3.1
// requires I-JSON, whose strings "MUST NOT include code points that
// identify Surrogates" (RFC 7493 §2.1), and RFC 8259 §8.1 requires UTF-8.
// The error names the byte offset.
func CheckText(data []byte) error {
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
