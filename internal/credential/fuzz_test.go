package credential

import (
	"bytes"
	"testing"
)

func fuzzSeeds(f *testing.F) {
	f.Add(ob3VectorCredential(f))
	f.Add(readTestdata(f, "ob3-full.json"))
	f.Add(readTestdata(f, "ob3-extensions.json"))
	f.Add(readTestdata(f, "clr20/simple.json"))
	f.Add(readTestdata(f, "clr20/simple_v1.json"))
	for _, s := range []string{
		`{}`, `[]`, `null`, `"x"`, `{"@context":"x","type":"y"}`,
		`{"issuer":"did:web:x","image":{"id":"x"},"proof":[{},{"type":1}]}`,
		`{"credentialSubject":{"achievement":{"criteria":null,"creditsAvailable":1e308}}}`,
		`{"credentialSubject":{"identifier":[{"hashed":null}],"result":[null]}}`,
		`{"name":"","type":[],"Name":"x","evidence":[]}`,
		`{"a":"\u003c\u2028\ud800"}`,
		`{"endorsement":[{"issuer":{"parentOrg":{"parentOrg":"x"}}}]}`,
		`{"type":["ClrCredential"],"credentialSubject":{"verifiableCredential":["x",{},null],"association":{"associationType":1}}}`,
	} {
		f.Add([]byte(s))
	}
}

// FuzzParse checks that Parse never panics and that encoding is stable: a
// parsed document re-encodes, the encoding parses again, and encoding that
// yields the same bytes.
func FuzzParse(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			return
		}
		b1, err := c.Marshal()
		if err != nil {
			t.Fatalf("Marshal after successful Parse: %v", err)
		}
		c2, err := Parse(b1)
		if err != nil {
			t.Fatalf("Parse of own encoding %s: %v", b1, err)
		}
		b2, err := c2.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b1, b2) {
			t.Fatalf("encoding not stable:\n%s\n%s", b1, b2)
		}
		if _, err := c.Map(); err != nil {
			t.Fatalf("Map: %v", err)
		}
		// Validate must not panic and must agree with ValidateJSON on the
		// encoded form.
		e1, e2 := c.Validate(), ValidateJSON(b1)
		if (e1 == nil) != (e2 == nil) || (e1 != nil && e1.Error() != e2.Error()) {
			t.Fatalf("Validate %v, ValidateJSON %v", e1, e2)
		}
	})
}

// FuzzValidateJSON checks that validation of arbitrary input never panics
// and that every reported error carries a message.
func FuzzValidateJSON(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		err := ValidateJSON(data)
		var ve ValidationErrors
		if err != nil && asValidation(err, &ve) {
			for _, fe := range ve {
				if fe.Message == "" {
					t.Fatalf("empty message at %q", fe.Path)
				}
			}
		}
		_ = ValidateEndorsementJSON(data)
	})
}

func asValidation(err error, ve *ValidationErrors) bool {
	v, ok := err.(ValidationErrors)
	if ok {
		*ve = v
	}
	return ok
}
