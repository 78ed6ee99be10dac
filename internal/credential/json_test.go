package credential

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestOneOrManyForms(t *testing.T) {
	cases := []struct {
		in     string
		single bool
		n      int
	}{
		{`"Profile"`, true, 1},
		{`["Profile"]`, false, 1},
		{`["Profile","Extra"]`, false, 2},
		{`[]`, false, 0},
	}
	for _, tc := range cases {
		var ty Types
		if err := json.Unmarshal([]byte(tc.in), &ty); err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if ty.Single != tc.single || len(ty.Items) != tc.n {
			t.Errorf("%s: got single=%v n=%d", tc.in, ty.Single, len(ty.Items))
		}
		out, err := json.Marshal(ty)
		if err != nil {
			t.Fatal(err)
		}
		if string(out) != tc.in {
			t.Errorf("%s re-encoded as %s", tc.in, out)
		}
	}
	// Single only applies to exactly one item.
	out, _ := json.Marshal(Types{OneOrMany[string]{Items: []string{"a", "b"}, Single: true}})
	if string(out) != `["a","b"]` {
		t.Errorf("two items with Single: %s", out)
	}
	if !TypesOf("A", "B").Has("B") || TypesOf("A").Has("C") {
		t.Error("Types.Has")
	}
}

func TestRefForms(t *testing.T) {
	var p Profile
	if err := json.Unmarshal([]byte(`"did:web:example.edu"`), &p); err != nil {
		t.Fatal(err)
	}
	if !p.IDOnly || p.ID != "did:web:example.edu" {
		t.Fatalf("bare IRI profile decoded as %+v", p)
	}
	out, _ := json.Marshal(p)
	if string(out) != `"did:web:example.edu"` {
		t.Errorf("bare IRI re-encoded as %s", out)
	}
	// Adding data to a reference switches to the object form rather than
	// dropping the data.
	p.Name = "Example"
	out, _ = json.Marshal(p)
	if string(out) != `{"id":"did:web:example.edu","name":"Example"}` {
		t.Errorf("reference with name encoded as %s", out)
	}
	// An object holding only an id stays an object.
	var img Image
	if err := json.Unmarshal([]byte(`{"id":"https://example.edu/i.png"}`), &img); err != nil {
		t.Fatal(err)
	}
	out, _ = json.Marshal(img)
	if string(out) != `{"id":"https://example.edu/i.png"}` {
		t.Errorf("image object re-encoded as %s", out)
	}
	if err := json.Unmarshal([]byte(`5`), &img); err == nil {
		t.Error("number accepted as image")
	}
}

func TestExactKeyMatching(t *testing.T) {
	// encoding/json would fold "Name" into the name field; both must survive.
	in := `{"name":"a","Name":"b","NAME":"c"}`
	var e Evidence
	if err := json.Unmarshal([]byte(in), &e); err != nil {
		t.Fatal(err)
	}
	if e.Name != "a" || string(e.Extra["Name"]) != `"b"` || string(e.Extra["NAME"]) != `"c"` {
		t.Errorf("decoded %+v", e)
	}
	out, _ := json.Marshal(e)
	if !semanticEqual(decodeGeneric(t, []byte(in)), decodeGeneric(t, out)) {
		t.Errorf("re-encoded as %s", out)
	}
}

func TestKnownFieldWinsOverExtra(t *testing.T) {
	e := Evidence{Name: "new", Extra: Extension{"name": json.RawMessage(`"stale"`), "genreX": json.RawMessage(`1`)}}
	out, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != `{"name":"new","genreX":1}` {
		t.Errorf("got %s", out)
	}
	e.Extra["bad"] = json.RawMessage(`{`)
	if _, err := json.Marshal(e); err == nil {
		t.Error("invalid extension JSON accepted")
	}
}

func TestParseErrors(t *testing.T) {
	cases := map[string]string{
		`[]`:          "document must be a JSON object",
		`null`:        "document must be a JSON object",
		`{"name": }`:  "invalid JSON",
		`{"name": 5}`: "name: must be a string, not number",
		`{"credentialSubject": {"result": [{"value": "A"}, {"value": 87}]}}`: "credentialSubject.result[1].value: must be a string, not number",
		`{"issuer": 5}`:                                 "issuer: must be a string or an object",
		`{"type": ["VerifiableCredential", 3]}`:         "type[1]: must be a string, not number",
		`{"credentialSubject": []}`:                     "credentialSubject: must be an object, not array",
		`{"credentialSubject": {"creditsEarned": "6"}}`: "credentialSubject.creditsEarned: must be a number, not string",
	}
	for in, want := range cases {
		_, err := Parse([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%s) = %v, want error containing %q", in, err, want)
		}
	}
	_, err := Parse([]byte(`{"name": 5}`))
	var pe *PathError
	if !errors.As(err, &pe) || pe.Path != "name" {
		t.Errorf("Parse error %v does not carry the path", err)
	}
}

func TestMapTypes(t *testing.T) {
	c, err := Parse(readTestdata(t, "ob3-full.json"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Map()
	if err != nil {
		t.Fatal(err)
	}
	subject, ok := m["credentialSubject"].(map[string]any)
	if !ok {
		t.Fatalf("credentialSubject is %T", m["credentialSubject"])
	}
	if v, ok := subject["creditsEarned"].(float64); !ok || v != 6 {
		t.Errorf("creditsEarned is %#v, want float64 6", subject["creditsEarned"])
	}
	if ctx, ok := m["@context"].([]any); !ok || ctx[0] != ContextV2 {
		t.Errorf("@context is %#v", m["@context"])
	}
}

func appendStringSeeds() []string {
	return []string{"", "plain", `quote " and \ backslash`, "tab\tnl\ncr\r", "\x00\x01\x1f\x7f",
		"<b>&amp;</b>", "line\u2028sep\u2029", "bad utf8 \xff\xfe", "emoji 🎓 ü", "\ud7ff"}
}

// TestAppendStringMatchesEncodingJSON pins appendString to encoding/json's
// output so that encodings made either way are byte-identical.
func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range appendStringSeeds() {
		checkAppendString(t, s)
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range appendStringSeeds() {
		f.Add(s)
	}
	f.Fuzz(checkAppendString)
}

func checkAppendString(t *testing.T, s string) {
	want, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	appendString(&buf, s)
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("appendString(%q) = %s, want %s", s, buf.Bytes(), want)
	}
}
