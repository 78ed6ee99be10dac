package credential

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestAppendJSONMatchesMarshal compares AppendJSON with json.Marshal on
// decoded JSON values, escapes and numbers included.
func TestAppendJSONMatchesMarshal(t *testing.T) {
	docs := []string{
		`{}`, `[]`, `null`, `"x"`, `true`, `12.5`, `1e21`, `-0`, `123456789012345678`,
		`{"b":1,"a":[true,false,null,"<&>"],"c":{"\u2028":"\u2029","é":"\u0001\t\n"}}`,
		`{"@context":["https://www.w3.org/ns/credentials/v2"],"credentialSubject":{"achievement":{"name":"A \"quoted\" name","creditsAvailable":5}}}`,
		`[{"z":{},"y":[],"x":[[1,2],[3]]}]`,
	}
	for _, d := range docs {
		var v any
		if err := json.Unmarshal([]byte(d), &v); err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := AppendJSON(&buf, v, nil); err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		if !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("%s:\n got %s\nwant %s", d, buf.Bytes(), want)
		}
	}
	// Invalid UTF-8 is replaced as encoding/json does.
	var buf bytes.Buffer
	if err := AppendJSON(&buf, map[string]any{"k": "a\xffb"}, nil); err != nil || buf.String() != `{"k":"a\ufffdb"}` {
		t.Fatalf("invalid UTF-8: %s, %v", buf.String(), err)
	}
}

func TestAppendJSONRaw(t *testing.T) {
	part := map[string]any{"id": "https://example.org/a", "name": "A"}
	doc := map[string]any{"x": part, "y": []any{part, map[string]any{"id": "other"}}}
	encoded, _ := json.Marshal(part)
	calls := 0
	var buf bytes.Buffer
	err := AppendJSON(&buf, doc, func(m map[string]any) []byte {
		calls++
		if m["id"] == "https://example.org/a" {
			return encoded
		}
		return nil
	})
	want, _ := json.Marshal(doc)
	if err != nil || !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("got %s, %v; want %s", buf.Bytes(), err, want)
	}
	if calls != 4 { // doc, part, part, other
		t.Fatalf("raw called %d times; want 4", calls)
	}
	if err := AppendJSON(&buf, map[string]any{"bad": make(chan int)}, nil); err == nil {
		t.Fatal("a channel was encoded")
	}
}
