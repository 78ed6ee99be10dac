package verify

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
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
		want, werr := decodeDocumentSlow(trimmed)
		if (err == nil) != (werr == nil) {
			t.Fatalf("fast %v, slow %v", err, werr)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("fast %v, slow %v", got, want)
		}
	})
}
