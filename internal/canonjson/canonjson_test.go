package canonjson

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
)

var cases = []string{
	`{"b":1,"a":[true,false,null],"c":{"z":"\u0000\u001f\b\t\n\f\r\"\\/","y":"<>&\u2028\u2029"}}`,
	`{"numbers":[0,-0,1,-1,0.1,1e21,1e-7,123456789012345680000,5e-324,1.7976931348623157e308,333333333.33333329,1E30,4.50,2e-3,0.000001]}`,
	`{"\u20ac":"euro","\r":"cr","1":"one","\ud83d\ude00":"emoji","\ue000":"private use","\u00fc":"u-umlaut","a\u0080":"c1","":"empty","\ufb33":"x"}`,
	`{"peach":"This sorting order","péché":"is wrong according to French","pêche":"but canonicalization MUST","sin":"ignore locale"}`,
	`[[],{},"",[[[{"deep":[1,[2,[3]]]}]]]]`,
	`"just a string"`,
	`1.5`,
	`null`,
}

// TestPaths checks the direct writer against encoding/json followed by
// jcs.Transform, including RFC 8785's own examples, for values decoded
// as float64 and as json.Number, and for Go values of other types.
func TestPaths(t *testing.T) {
	for _, in := range cases {
		var v any
		if err := json.Unmarshal([]byte(in), &v); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		assertSame(t, v)
		dec := json.NewDecoder(bytes.NewReader([]byte(in)))
		dec.UseNumber()
		var n any
		if err := dec.Decode(&n); err != nil {
			t.Fatal(err)
		}
		assertSame(t, n)
	}
	// Non-decoded Go values take the reference path.
	assertSame(t, map[string]any{"list": []string{"b", "a"}, "n": 3, "m": map[string]int{"y": 1, "x": 2}})
}

func TestOrderAndRefusals(t *testing.T) {
	got, err := Marshal(map[string]any{"\u20ac": 1, "\r": 2, "\ufb33": 3, "1": 4, "\U0001f600": 5, "\u0080": 6, "\u00f6": 7})
	// RFC 8785, section 3.2.3: sorting by UTF-16 code units.
	if want := "{\"\\r\":2,\"1\":4,\"\u0080\":6,\"\u00f6\":7,\"\u20ac\":1,\"\U0001f600\":5,\"\ufb33\":3}"; err != nil || string(got) != want {
		t.Fatalf("got %s, %v\nwant %s", got, err, want)
	}
	for _, v := range []any{math.NaN(), math.Inf(1), json.Number("1e400x")} {
		if out, err := Marshal(map[string]any{"x": v}); err == nil {
			t.Errorf("%v serialized as %s", v, out)
		}
	}
	// A lone surrogate reaches Go as invalid UTF-8 in a string: refused,
	// never replaced by U+FFFD (RFC 8785 §3.1, RFC 7493 §2.1).
	for _, v := range []any{"a\xed\xa0\x80b", map[string]any{"\xff": 1}, []any{"ok", "\xc3"}} {
		if out, err := Marshal(v); err == nil {
			t.Errorf("%q serialized as %s", v, out)
		}
	}
}

// TestCheckText: a lone surrogate escape in JSON text, or bytes that are
// not UTF-8, are refused before encoding/json would replace them.
func TestCheckText(t *testing.T) {
	for _, tc := range []struct {
		text string
		ok   bool
	}{
		{`{"a":"\ud83d\ude00"}`, true},
		{`{"a":"\uD83D\uDE00 and \u00e9 \\ud800"}`, true}, // "\\ud800" is a backslash and text
		{`{"a":"\ud800"}`, false},
		{`{"a":"\ud800x"}`, false},
		{`{"a":"\udc00"}`, false},
		{`{"a":"\ud800\u0041"}`, false},
		{`{"\ud800":1}`, false},
		{"{\"a\":\"\xff\"}", false},
		{`{"a":"ok"}`, true},
		{`{"a":"\`, true}, // truncated: the decoder reports it
	} {
		if err := CheckText([]byte(tc.text)); (err == nil) != tc.ok {
			t.Errorf("CheckText(%s) = %v, want ok=%v", tc.text, err, tc.ok)
		}
	}
}

func assertSame(t testing.TB, v any) {
	t.Helper()
	fast, err1 := Marshal(v)
	ref, err2 := MarshalReference(v)
	if (err1 == nil) != (err2 == nil) || !bytes.Equal(fast, ref) {
		t.Fatalf("JCS paths differ:\n fast %s (%v)\n  ref %s (%v)", fast, err1, ref, err2)
	}
}

// FuzzPaths checks the direct writer against the reference path on
// arbitrary JSON.
func FuzzPaths(f *testing.F) {
	for _, c := range cases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var v any
		if json.Unmarshal(data, &v) != nil {
			return
		}
		assertSame(t, v)
	})
}
