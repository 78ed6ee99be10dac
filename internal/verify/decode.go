package verify

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/microcred/microcred/internal/proof"
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
	if err := proof.CheckIJSONText(trimmed); err != nil {
		return nil, err
	}
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
