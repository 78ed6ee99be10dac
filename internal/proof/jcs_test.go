package proof

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
)

var jcsCases = []string{
	`{"b":1,"a":[true,false,null],"c":{"z":"\u0000\u001f\b\t\n\f\r\"\\/","y":"<>&\u2028\u2029"}}`,
	`{"numbers":[0,-0,1,-1,0.1,1e21,1e-7,123456789012345680000,5e-324,1.7976931348623157e308,333333333.33333329,1E30,4.50,2e-3,0.000001]}`,
	`{"\u20ac":"euro","\r":"cr","1":"one","\ud83d\ude00":"emoji","\ue000":"private use","\u00fc":"u-umlaut","a\u0080":"c1","":"empty"}`,
	`{"peach":"This sorting order","péché":"is wrong according to French","pêche":"but canonicalization MUST","sin":"ignore locale"}`,
	`[[],{},"",[[[{"deep":[1,[2,[3]]]}]]]]`,
	`"just a string"`,
	`1.5`,
}

// TestCanonicalJSONPaths checks the direct JCS writer against encoding/json
// followed by jcs.Transform, including RFC 8785's own examples.
func TestCanonicalJSONPaths(t *testing.T) {
	for _, in := range jcsCases {
		var v any
		if err := json.Unmarshal([]byte(in), &v); err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		assertSameJCS(t, v)
		dec := json.NewDecoder(bytes.NewReader([]byte(in)))
		dec.UseNumber()
		var n any
		if err := dec.Decode(&n); err != nil {
			t.Fatal(err)
		}
		assertSameJCS(t, n)
	}
	// Non-decoded Go values take the reference path.
	assertSameJCS(t, map[string]any{"list": []string{"b", "a"}, "n": 3, "m": map[string]int{"y": 1, "x": 2}})
	assertSameJCS(t, SampleCredential())

	got, err := canonicalJSON(map[string]any{"\u20ac": 1, "\r": 2, "\ufb33": 3, "1": 4, "\U0001f600": 5, "\u0080": 6, "\u00f6": 7})
	// RFC 8785, section 3.2.3: sorting by UTF-16 code units.
	if want := "{\"\\r\":2,\"1\":4,\"\u0080\":6,\"\u00f6\":7,\"\u20ac\":1,\"\U0001f600\":5,\"\ufb33\":3}"; err != nil || string(got) != want {
		t.Fatalf("got %s, %v\nwant %s", got, err, want)
	}
	if _, err := canonicalJSON(map[string]any{"x": math.NaN()}); err == nil {
		t.Fatal("NaN was serialized")
	}
}

func assertSameJCS(t testing.TB, v any) {
	t.Helper()
	fast, err1 := canonicalJSON(v)
	ref, err2 := referenceCanonicalJSON(v)
	if (err1 == nil) != (err2 == nil) || !bytes.Equal(fast, ref) {
		t.Fatalf("JCS paths differ:\n fast %s (%v)\n  ref %s (%v)", fast, err1, ref, err2)
	}
}

// FuzzCanonicalJSON checks the direct JCS writer against the reference path
// on arbitrary JSON.
func FuzzCanonicalJSON(f *testing.F) {
	for _, c := range jcsCases {
		f.Add([]byte(c))
	}
	f.Add(sampleCredential)
	f.Fuzz(func(t *testing.T, data []byte) {
		var v any
		if json.Unmarshal(data, &v) != nil {
			return
		}
		assertSameJCS(t, v)
	})
}
