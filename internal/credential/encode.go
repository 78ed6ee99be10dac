package credential

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"unicode/utf8"
)

// encoder is implemented by the package's JSON types. Encoding a credential
// calls it directly down the tree; going through json.Marshal at every level
// would make encoding/json re-validate and copy each subtree once per
// enclosing level.
type encoder interface {
	encodeTo(buf *bytes.Buffer) error
}

// marshalWith runs an encoder into a fresh buffer.
func marshalWith(e encoder) ([]byte, error) {
	var buf bytes.Buffer
	if err := e.encodeTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

var encoderType = reflect.TypeFor[encoder]()

// appendValue writes v as JSON.
func appendValue(buf *bytes.Buffer, v reflect.Value) error {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			buf.WriteString("null")
			return nil
		}
		return appendValue(buf, v.Elem())
	}
	if v.Type().Implements(encoderType) {
		return v.Interface().(encoder).encodeTo(buf)
	}
	switch v.Kind() {
	case reflect.String:
		appendString(buf, v.String())
		return nil
	case reflect.Bool:
		buf.WriteString(strconv.FormatBool(v.Bool()))
		return nil
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			break
		}
		if v.IsNil() {
			buf.WriteString("null")
			return nil
		}
		buf.WriteByte('[')
		for i := range v.Len() {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := appendValue(buf, v.Index(i)); err != nil {
				return wrapPath("["+strconv.Itoa(i)+"]", err)
			}
		}
		buf.WriteByte(']')
		return nil
	}
	// Numbers, generic values (embedded @context definitions) and raw JSON
	// keep encoding/json's formatting.
	b, err := json.Marshal(v.Interface())
	if err != nil {
		return err
	}
	buf.Write(b)
	return nil
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string the way encoding/json does: with
// <, > and & escaped (so the output is safe inside HTML), U+2028 and U+2029
// escaped, and invalid UTF-8 replaced by U+FFFD.
func appendString(buf *bytes.Buffer, s string) {
	buf.WriteByte('"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			buf.WriteString(s[start:i])
			switch c {
			case '"', '\\':
				buf.WriteByte('\\')
				buf.WriteByte(c)
			case '\n':
				buf.WriteString(`\n`)
			case '\r':
				buf.WriteString(`\r`)
			case '\t':
				buf.WriteString(`\t`)
			case '\b':
				buf.WriteString(`\b`)
			case '\f':
				buf.WriteString(`\f`)
			default:
				buf.WriteString(`\u00`)
				buf.WriteByte(hexDigits[c>>4])
				buf.WriteByte(hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf.WriteString(s[start:i])
			buf.WriteString(`\ufffd`)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			buf.WriteString(s[start:i])
			buf.WriteString(`\u202`)
			buf.WriteByte(hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	buf.WriteString(s[start:])
	buf.WriteByte('"')
}

// AppendJSON appends v, a decoded JSON value (maps with string keys, slices,
// strings, booleans, numbers, nil), to buf as json.Marshal encodes it:
// object members sorted by key, the same string escapes. For each object,
// raw may return its encoding, which is then written as it is instead — an
// issuer that embeds one encoded achievement in thousands of credentials
// encodes it once. The caller vouches that what raw returns is that
// object's JSON; nil means encode the object.
func AppendJSON(buf *bytes.Buffer, v any, raw func(map[string]any) []byte) error {
	switch x := v.(type) {
	case map[string]any:
		if raw != nil {
			if b := raw(x); b != nil {
				buf.Write(b)
				return nil
			}
		}
		if x == nil {
			buf.WriteString("null")
			return nil
		}
		var keyBuf [16]string
		keys := keyBuf[:0]
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		buf.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			appendString(buf, k)
			buf.WriteByte(':')
			if err := AppendJSON(buf, x[k], raw); err != nil {
				return wrapPath(k, err)
			}
		}
		buf.WriteByte('}')
	case []any:
		if x == nil {
			buf.WriteString("null")
			return nil
		}
		buf.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := AppendJSON(buf, e, raw); err != nil {
				return wrapPath("["+strconv.Itoa(i)+"]", err)
			}
		}
		buf.WriteByte(']')
	case string:
		appendString(buf, x)
	case bool:
		buf.WriteString(strconv.FormatBool(x))
	case nil:
		buf.WriteString("null")
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return err
		}
		buf.Write(b)
	}
	return nil
}
