package verify

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/microcred/microcred/internal/canonjson"
)

// maxDepth bounds JSON nesting: credentials are shallow, and a deep document
// is a denial-of-service attempt on every recursive step after parsing.
const maxDepth = 64

// DecodeDocument decodes data as exactly one JSON object. Unlike
// json.Unmarshal it refuses duplicate member names (two parsers may pick
// different values, so what is signed and what is shown could differ),
// nesting deeper than 64 levels, and trailing data.
func DecodeDocument(data []byte) (map[string]any, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, errors.New("input is empty")
	}
	if trimmed[0] != '{' {
		return nil, errors.New("input is not a JSON object")
	}
	// encoding/json would silently turn a lone surrogate or a non-UTF-8
	// byte into U+FFFD, so the text signed or checked would not be the
	// one given.
	if err := canonjson.CheckText(trimmed); err != nil {
		return nil, err
	}
	// Fast path: the standard decoder checks the syntax, and one scan of
	// the (then valid) bytes looks for duplicate members and deep nesting.
	// Anything it objects to is decoded again below, slowly, for an
	// error message that names the place.
	var doc map[string]any
	if json.Unmarshal(trimmed, &doc) == nil && doc != nil && plainJSON(trimmed) {
		return doc, nil
	}
	return decodeDocumentSlow(trimmed)
}

// decodeDocumentSlow decodes token by token, naming the place of a
// duplicate member, of too deep nesting or of a syntax error.
func decodeDocumentSlow(trimmed []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	v, err := decodeValue(dec, "", 0)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("invalid JSON: data after the end of the object")
	}
	return v.(map[string]any), nil
}

func decodeValue(dec *json.Decoder, path string, depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("invalid JSON: nested deeper than %d levels at %s", maxDepth, pathOrRoot(path))
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, jsonError(err, dec)
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			obj := map[string]any{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, jsonError(err, dec)
				}
				key := kt.(string)
				child := joinPath(path, key)
				if _, dup := obj[key]; dup {
					return nil, fmt.Errorf("invalid JSON: duplicate member %s", child)
				}
				val, err := decodeValue(dec, child, depth+1)
				if err != nil {
					return nil, err
				}
				obj[key] = val
			}
			if _, err := dec.Token(); err != nil {
				return nil, jsonError(err, dec)
			}
			return obj, nil
		case '[':
			arr := []any{}
			for i := 0; dec.More(); i++ {
				val, err := decodeValue(dec, fmt.Sprintf("%s[%d]", path, i), depth+1)
				if err != nil {
					return nil, err
				}
				arr = append(arr, val)
			}
			if _, err := dec.Token(); err != nil {
				return nil, jsonError(err, dec)
			}
			return arr, nil
		}
		return nil, fmt.Errorf("invalid JSON: unexpected %q at %s", t, pathOrRoot(path))
	default:
		return t, nil
	}
}

func jsonError(err error, dec *json.Decoder) error {
	if err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("invalid JSON: input ends too early (truncated?)")
	}
	return fmt.Errorf("invalid JSON near byte %d: %v", dec.InputOffset(), err)
}

func joinPath(parent, key string) string {
	if parent == "" {
		return key
	}
	if strings.ContainsAny(key, ".[]") {
		return fmt.Sprintf("%s[%q]", parent, key)
	}
	return parent + "." + key
}

func pathOrRoot(p string) string {
	if p == "" {
		return "the top level"
	}
	return p
}

// maxScannedMembers bounds the members of one object plainJSON compares
// pairwise.
const maxScannedMembers = 64

// plainJSON reports whether valid JSON has no object with a repeated member
// name and no nesting deeper than maxDepth. It relies on the input being
// valid JSON (checked before) and only tracks strings and brackets.
func plainJSON(data []byte) bool {
	// One stack of open containers and one list of the member names of
	// the open objects, each level remembering where its names start: no
	// allocation per object.
	type level struct {
		object    bool
		keysStart int
	}
	var stackBuf [16]level
	var keysBuf [64]string
	stack, keys := stackBuf[:0], keysBuf[:0]
	expectKey := false
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '{', '[':
			if len(stack) >= maxDepth {
				return false
			}
			stack = append(stack, level{object: c == '{', keysStart: len(keys)})
			expectKey = c == '{'
		case '}', ']':
			keys = keys[:stack[len(stack)-1].keysStart]
			stack = stack[:len(stack)-1]
			expectKey = false
		case ',':
			expectKey = len(stack) > 0 && stack[len(stack)-1].object
		case '"':
			end := i + 1
			escaped := false
			for ; end < len(data); end++ {
				if data[end] == '\\' {
					escaped = true
					end++
					continue
				}
				if data[end] == '"' {
					break
				}
			}
			if expectKey {
				var key string
				if escaped {
					if json.Unmarshal(data[i:end+1], &key) != nil {
						return false
					}
				} else {
					key = string(data[i+1 : end])
				}
				names := keys[stack[len(stack)-1].keysStart:]
				if len(names) >= maxScannedMembers {
					// Comparing each name with all before it is
					// quadratic; a large object goes to the map-based
					// decoder instead.
					return false
				}
				for _, k := range names {
					if k == key {
						return false
					}
				}
				keys = append(keys, key)
				expectKey = false
			}
			i = end
		}
	}
	return true
}
