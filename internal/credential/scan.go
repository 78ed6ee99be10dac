package credential

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"unicode/utf8"
)

// The decoder walks a credential one object level at a time. Going through
// json.Unmarshal at every level would re-validate and re-scan each subtree
// once per enclosing level (and twice per custom unmarshaler), which made
// parsing about ten times slower than decoding into map[string]any. Instead
// the whole document is validated once (Parse, or encoding/json before it
// calls an UnmarshalJSON method) and the functions below split each object or
// array into raw member values with a single cheap pass. They still reject
// malformed structure, so a direct UnmarshalJSON call with bad input returns
// an error rather than misbehaving.

var errSyntax = errors.New("malformed JSON")

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(data []byte, i int) int {
	for i < len(data) && isSpace(data[i]) {
		i++
	}
	return i
}

// trimSpace returns data without leading and trailing JSON white space.
func trimSpace(data []byte) []byte {
	i, j := 0, len(data)
	for i < j && isSpace(data[i]) {
		i++
	}
	for j > i && isSpace(data[j-1]) {
		j--
	}
	return data[i:j]
}

func isNull(data []byte) bool { return string(trimSpace(data)) == "null" }

// skipString returns the index after the JSON string starting at data[i].
func skipString(data []byte, i int) (int, error) {
	for i++; i < len(data); i++ {
		switch data[i] {
		case '\\':
			i++
		case '"':
			return i + 1, nil
		}
	}
	return 0, errSyntax
}

// skipValue returns the index after the JSON value starting at data[i],
// which must not be white space.
func skipValue(data []byte, i int) (int, error) {
	if i >= len(data) {
		return 0, errSyntax
	}
	switch data[i] {
	case '"':
		return skipString(data, i)
	case '{', '[':
		var stack []byte
		for i < len(data) {
			switch c := data[i]; c {
			case '"':
				end, err := skipString(data, i)
				if err != nil {
					return 0, err
				}
				i = end
				continue
			case '{':
				stack = append(stack, '}')
			case '[':
				stack = append(stack, ']')
			case '}', ']':
				if len(stack) == 0 || stack[len(stack)-1] != c {
					return 0, errSyntax
				}
				stack = stack[:len(stack)-1]
				if len(stack) == 0 {
					return i + 1, nil
				}
			}
			i++
		}
		return 0, errSyntax
	case ',', ':', '}', ']':
		return 0, errSyntax
	default:
		start := i
		for i < len(data) && !isSpace(data[i]) && data[i] != ',' && data[i] != '}' && data[i] != ']' {
			i++
		}
		if i == start {
			return 0, errSyntax
		}
		return i, nil
	}
}

// decodeKey returns the Go string of a JSON string token, taking the fast
// path for the usual keys without escapes.
func decodeKey(tok []byte) (string, error) {
	inner := tok[1 : len(tok)-1]
	simple := utf8.Valid(inner)
	for _, c := range inner {
		if c == '\\' || c < 0x20 {
			simple = false
			break
		}
	}
	if simple {
		return string(inner), nil
	}
	var s string
	if err := json.Unmarshal(tok, &s); err != nil {
		return "", err
	}
	return s, nil
}

// splitObject returns the members of the JSON object data, keyed by name;
// a repeated name keeps its last value, as encoding/json does.
func splitObject(data []byte) (map[string][]byte, error) {
	data = trimSpace(data)
	if len(data) == 0 || data[0] != '{' {
		return nil, errNotObject(data)
	}
	members := make(map[string][]byte)
	i := skipSpace(data, 1)
	if i < len(data) && data[i] == '}' {
		if skipSpace(data, i+1) != len(data) {
			return nil, errSyntax
		}
		return members, nil
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return nil, errSyntax
		}
		end, err := skipString(data, i)
		if err != nil {
			return nil, err
		}
		key, err := decodeKey(data[i:end])
		if err != nil {
			return nil, err
		}
		i = skipSpace(data, end)
		if i >= len(data) || data[i] != ':' {
			return nil, errSyntax
		}
		i = skipSpace(data, i+1)
		vend, err := skipValue(data, i)
		if err != nil {
			return nil, err
		}
		members[key] = data[i:vend]
		i = skipSpace(data, vend)
		if i >= len(data) {
			return nil, errSyntax
		}
		if data[i] == '}' {
			if skipSpace(data, i+1) != len(data) {
				return nil, errSyntax
			}
			return members, nil
		}
		if data[i] != ',' {
			return nil, errSyntax
		}
		i = skipSpace(data, i+1)
	}
}

// splitArray returns the raw elements of the JSON array data.
func splitArray(data []byte) ([][]byte, error) {
	data = trimSpace(data)
	if len(data) == 0 || data[0] != '[' {
		return nil, errSyntax
	}
	var elems [][]byte
	i := skipSpace(data, 1)
	if i < len(data) && data[i] == ']' {
		if skipSpace(data, i+1) != len(data) {
			return nil, errSyntax
		}
		return [][]byte{}, nil
	}
	for {
		end, err := skipValue(data, i)
		if err != nil {
			return nil, err
		}
		elems = append(elems, data[i:end])
		i = skipSpace(data, end)
		if i >= len(data) {
			return nil, errSyntax
		}
		if data[i] == ']' {
			if skipSpace(data, i+1) != len(data) {
				return nil, errSyntax
			}
			return elems, nil
		}
		if data[i] != ',' {
			return nil, errSyntax
		}
		i = skipSpace(data, i+1)
	}
}

// errNotObject describes a value found where an object was expected.
func errNotObject(data []byte) error {
	kind := "malformed JSON"
	if len(data) > 0 {
		switch c := data[0]; {
		case c == '"':
			kind = "string"
		case c == '[':
			kind = "array"
		case c == 't' || c == 'f':
			kind = "bool"
		case c == '-' || (c >= '0' && c <= '9'):
			kind = "number"
		}
	}
	return fmt.Errorf("must be an object, not %s", kind)
}

// decodeValue decodes one raw JSON value into v (an addressable value),
// calling the package's own decoders directly instead of through
// json.Unmarshal; see the comment at the top of this file.
func decodeValue(data []byte, v reflect.Value) error {
	switch v.Kind() {
	case reflect.Pointer:
		if isNull(data) {
			v.SetZero()
			return nil
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return decodeValue(data, v.Elem())
	case reflect.String:
		if s, ok := simpleString(data); ok {
			v.SetString(s)
			return nil
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			break
		}
		t := trimSpace(data)
		if len(t) == 0 || t[0] != '[' {
			break
		}
		elems, err := splitArray(t)
		if err != nil {
			return err
		}
		s := reflect.MakeSlice(v.Type(), len(elems), len(elems))
		for i, e := range elems {
			if err := decodeValue(e, s.Index(i)); err != nil {
				return wrapPath(fmt.Sprintf("[%d]", i), describe(err))
			}
		}
		v.Set(s)
		return nil
	}
	if u, ok := v.Addr().Interface().(json.Unmarshaler); ok {
		return u.UnmarshalJSON(data)
	}
	return describe(json.Unmarshal(data, v.Addr().Interface()))
}

// simpleString returns the value of a JSON string token that needs no
// unescaping; ok is false for anything else, which then goes through
// encoding/json.
func simpleString(data []byte) (string, bool) {
	t := trimSpace(data)
	if len(t) < 2 || t[0] != '"' || t[len(t)-1] != '"' {
		return "", false
	}
	inner := t[1 : len(t)-1]
	for _, c := range inner {
		if c == '\\' || c == '"' || c < 0x20 {
			return "", false
		}
	}
	if !utf8.Valid(inner) {
		return "", false
	}
	return string(inner), true
}
