package credential

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestValidateClrSamples checks 1EdTech's own CLR 2.0 samples against the
// shipped ClrCredential schema. The schema is the VC 2.0 build
// (validFrom, https://www.w3.org/ns/credentials/v2 first), so the samples
// written for the VC 1.1 drafts of CLR 2.0 (issuanceDate, the
// credentials/v1 context, the draft CLR context) fail it, and must fail
// it for exactly those reasons: the test names what each one lacks.
func TestValidateClrSamples(t *testing.T) {
	cases := []struct {
		file string
		// want lists findings each invalid sample must produce ("" path
		// means the document itself); nil means the sample validates.
		want []FieldError
	}{
		{"clr20/simple.json", nil},
		// The signed CLR test vector of the Open Badges 3.0
		// implementation guide (Data Integrity for CLR 2.0).
		{"clr20/ob-spec-clr-signed.json", nil},
		// The CLR test vector of 1EdTech's Data Integrity section (shipped
		// with the JSON-LD vectors).
		{"../../jsonld/testdata/clr/unsigned.json", nil},
		// VC 1.1 drafts of CLR 2.0: no validFrom, the credentials/v1
		// context first.
		{"clr20/simple_v1.json", []FieldError{
			{Path: "", Message: "missing property 'validFrom'"},
			{Path: "@context[0]", Message: "value must be 'https://www.w3.org/ns/credentials/v2'"},
		}},
		{"clr20/complex.json", []FieldError{
			{Path: "", Message: "missing property 'validFrom'"},
			{Path: "credentialSubject.verifiableCredential[0]", Message: "missing property 'validFrom'"},
		}},
		// ... and the draft context https://dc.imsglobal.org/draft/clr/v2p0/context.
		{"clr20/simple-noproof.json", []FieldError{
			{Path: "", Message: "missing property 'validFrom'"},
			{Path: "@context[1]", Message: "does not match pattern"},
		}},
		{"clr20/simple_old_safesigned.json", []FieldError{
			{Path: "@context[1]", Message: "does not match pattern"},
		}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", c.file))
			if err != nil {
				t.Fatal(err)
			}
			err = ValidateClr(b)
			if c.want == nil {
				if err != nil {
					t.Fatalf("1EdTech's sample fails the schema: %v", err)
				}
				return
			}
			ve, ok := err.(ValidationErrors)
			if !ok {
				t.Fatalf("want schema findings, got %v", err)
			}
			for _, w := range c.want {
				found := false
				for _, e := range ve {
					found = found || (e.Path == w.Path && strings.Contains(e.Message, w.Message))
				}
				if !found {
					t.Errorf("no finding %q at %q in %v", w.Message, w.Path, ve)
				}
			}
		})
	}
}

// TestValidateClr checks what the ClrCredential schema, and not only
// microcred's own rules, catches in a record.
func TestValidateClr(t *testing.T) {
	base := func(t *testing.T) map[string]any {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal(readTestdata(t, "clr20/simple.json"), &m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	subject := func(m map[string]any) map[string]any { return m["credentialSubject"].(map[string]any) }
	cases := []struct {
		name   string
		change func(m map[string]any)
		path   string // where the finding is; "-" means valid
	}{
		{"1EdTech's sample", func(map[string]any) {}, "-"},
		{"proof as a single object", func(m map[string]any) { m["proof"] = m["proof"].([]any)[0] }, "-"},
		{"an isPartOf association", func(m map[string]any) {
			subject(m)["association"] = []any{map[string]any{"type": "Association", "associationType": "isPartOf",
				"sourceId": "https://x.example/a/1", "targetId": "https://x.example/a/2"}}
		}, "-"},
		{"association of an unknown type", func(m map[string]any) {
			subject(m)["association"] = []any{map[string]any{"type": "Association", "associationType": "stacksInto",
				"sourceId": "https://x.example/a/1", "targetId": "https://x.example/a/2"}}
		}, "credentialSubject.association"},
		{"no embedded credential", func(m map[string]any) { delete(subject(m), "verifiableCredential") }, "credentialSubject"},
		{"no name", func(m map[string]any) { delete(m, "name") }, ""},
		{"OB context before the CLR one", func(m map[string]any) {
			ctx := m["@context"].([]any)
			ctx[1], ctx[2] = ctx[2], ctx[1]
		}, "@context[1]"},
		{"validFrom not a date-time", func(m map[string]any) { m["validFrom"] = "2024-01-01" }, "validFrom"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := base(t)
			c.change(m)
			err := ValidateClr(m)
			if c.path == "-" {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			ve, ok := err.(ValidationErrors)
			if !ok {
				t.Fatalf("want schema findings, got %v", err)
			}
			found := false
			for _, e := range ve {
				found = found || e.Path == c.path || (c.path != "" && (strings.HasPrefix(e.Path, c.path+".") || strings.HasPrefix(e.Path, c.path+"[")))
			}
			if !found {
				t.Errorf("no finding at %q in %v", c.path, ve)
			}
		})
	}
	if s, ok := SchemaFor(map[string]any{"type": []any{"VerifiableCredential", "ClrCredential"}}); !ok || s != SchemaClrCredential {
		t.Errorf("SchemaFor(ClrCredential) = %q, %v", s, ok)
	}
}

// BenchmarkValidateClr measures the schema check every CLR export makes,
// on 1EdTech's sample record, beside decoding the same record (the
// baseline: the least any check of it costs).
func BenchmarkValidateClr(b *testing.B) {
	raw := readTestdata(b, "clr20/simple.json")
	if err := ValidateClr(raw); err != nil {
		b.Fatal(err)
	}
	b.Run("decode", func(b *testing.B) {
		for b.Loop() {
			var m map[string]any
			if err := json.Unmarshal(raw, &m); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("validate", func(b *testing.B) {
		for b.Loop() {
			if err := ValidateClr(raw); err != nil {
				b.Fatal(err)
			}
		}
	})
}
