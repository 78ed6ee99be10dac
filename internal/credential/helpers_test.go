package credential

import (
	"bytes"
	"encoding/json"
	"github.com/microcred/microcred/internal/testutil"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// ob3VectorCredential returns the unsigned credential of the 1EdTech OB 3.0
// test vector as JSON.
func ob3VectorCredential(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testutil.Vectors(t), "ob3", "obv3p0", "vector.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Unsigned json.RawMessage `json:"unsigned"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Unsigned) == 0 {
		t.Fatal("vector.json has no unsigned credential")
	}
	return v.Unsigned
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// decodeGeneric decodes JSON keeping numbers exact.
func decodeGeneric(t testing.TB, b []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return v
}

// semanticEqual compares two generic JSON trees; numbers compare by exact
// value, so 6 and 6.0 are equal.
func semanticEqual(a, b any) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !semanticEqual(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !semanticEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		fx, _, errX := big.ParseFloat(string(x), 10, 256, big.ToNearestEven)
		fy, _, errY := big.ParseFloat(string(y), 10, 256, big.ToNearestEven)
		return errX == nil && errY == nil && fx.Cmp(fy) == 0
	default:
		return reflect.DeepEqual(a, b)
	}
}

// mutate applies fn to the parent object of the property at path (dotted,
// with [i] indexes) in a deep copy of doc, passing the final key.
func mutate(t testing.TB, doc []byte, path string, fn func(parent map[string]any, key string)) []byte {
	t.Helper()
	root := decodeGeneric(t, doc)
	segs := strings.Split(path, ".")
	cur := root
	for i, seg := range segs {
		name, idx := seg, -1
		if j := strings.Index(seg, "["); j >= 0 {
			name = seg[:j]
			n, err := strconv.Atoi(strings.TrimSuffix(seg[j+1:], "]"))
			if err != nil {
				t.Fatalf("bad path %q", path)
			}
			idx = n
		}
		obj, ok := cur.(map[string]any)
		if !ok {
			t.Fatalf("path %q: %q is not in an object", path, seg)
		}
		if i == len(segs)-1 && idx < 0 {
			fn(obj, name)
			break
		}
		cur = obj[name]
		if idx >= 0 {
			arr, ok := cur.([]any)
			if !ok || idx >= len(arr) {
				t.Fatalf("path %q: %q is not an array with index %d", path, name, idx)
			}
			if i == len(segs)-1 {
				t.Fatalf("path %q must end in a property name", path)
			}
			cur = arr[idx]
		}
	}
	out, err := json.Marshal(root)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func set(v any) func(map[string]any, string) {
	return func(m map[string]any, k string) { m[k] = v }
}

func del(m map[string]any, k string) { delete(m, k) }

// raw parses a JSON literal for use as a replacement value.
func raw(t testing.TB, s string) any {
	t.Helper()
	return decodeGeneric(t, []byte(s))
}
