package verify

import (
	"bytes"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/microcred/microcred/internal/canonjson"
)

// FuzzDecodeDocument checks the fast path of DecodeDocument against the
// token-by-token decoder: both accept and refuse the same documents and
// decode them alike.
func FuzzDecodeDocument(f *testing.F) {
	for _, s := range []string{
		`{"a":1,"b":[1,2,{"c":"d"}]}`, `{"a":1,"a":2}`, `{"a":{"x":1},"b":{"x":1}}`, `{"\u0061":1,"a":2}`,
		`{"a":"\"}\\","b":"]"}`, `{"a":1} {"b":2}`, `{"a":`, strings.Repeat(`{"a":`, 64) + "1" + strings.Repeat("}", 64),
		strings.Repeat(`{"a":`, 65) + "{}" + strings.Repeat("}", 65), `{"k":[[[[]]]],"k2":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := DecodeDocument(data)
		trimmed := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
		if len(trimmed) == 0 || trimmed[0] != '{' {
			if err == nil {
				t.Fatal("accepted a non-object")
			}
			return
		}
		if canonjson.CheckText(trimmed) != nil {
			// Text that is not I-JSON (a lone surrogate, a byte that is
			// not UTF-8) is refused before either decoder runs.
			if err == nil {
				t.Fatal("accepted text that is not I-JSON")
			}
			return
		}
		want, werr := decodeDocumentSlow(trimmed)
		if (err == nil) != (werr == nil) {
			t.Fatalf("fast %v, slow %v", err, werr)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("fast %v, slow %v", got, want)
		}
	})
}

// TestDecodeDocumentLargeObject: an object with many members is decoded
// (by the map-based path) and a duplicate among them is still found.
func TestDecodeDocumentLargeObject(t *testing.T) {
	var b strings.Builder
	b.WriteString("{")
	for i := range 5000 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`"k` + strconv.Itoa(i) + `":1`)
	}
	doc, err := DecodeDocument([]byte(b.String() + "}"))
	if err != nil || len(doc) != 5000 {
		t.Fatalf("%d members, %v", len(doc), err)
	}
	if _, err := DecodeDocument([]byte(b.String() + `,"k4999":2}`)); err == nil || !strings.Contains(err.Error(), "duplicate member k4999") {
		t.Errorf("duplicate among 5000 members: %v", err)
	}
}
