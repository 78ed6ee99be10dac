package credential

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

// TestValidateSchema checks the shipped 1EdTech schemas against a full
// credential and each kind of violation the schema, and not only our own
// rules, catches.
func TestValidateSchema(t *testing.T) {
	base := func(t *testing.T) map[string]any {
		t.Helper()
		var m map[string]any
		if err := json.Unmarshal(readTestdata(t, "ob3-full.json"), &m); err != nil {
			t.Fatal(err)
		}
		fullDateTimes(m)
		return m
	}
	entry := func(purpose string) map[string]any {
		return map[string]any{"id": "https://x.example/status/" + purpose + "#3", "type": "BitstringStatusListEntry",
			"statusPurpose": purpose, "statusListIndex": "3", "statusListCredential": "https://x.example/status/" + purpose}
	}
	proof := map[string]any{"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "created": "2026-01-31T09:00:00Z",
		"verificationMethod": "did:web:x.example#key-1", "proofPurpose": "assertionMethod", "proofValue": "z3FXQ"}
	cases := []struct {
		name   string
		change func(m map[string]any)
		path   string // "" means valid
	}{
		{"full example", func(map[string]any) {}, ""},
		{"one status entry", func(m map[string]any) { m["credentialStatus"] = entry("revocation") }, ""},
		{"proof as a one-element array", func(m map[string]any) { m["proof"] = []any{proof} }, ""},
		{"issuer as a bare IRI", func(m map[string]any) { m["issuer"] = "did:web:x.example" }, ""},
		{"two status entries (beyond OB 3.0's 0..1)", func(m map[string]any) {
			m["credentialStatus"] = []any{entry("revocation"), entry("suspension")}
		}, "credentialStatus"},
		{"proof as an object", func(m map[string]any) { m["proof"] = proof }, "proof"},
		{"no validFrom", func(m map[string]any) { delete(m, "validFrom") }, ""},
		{"validFrom not a date-time", func(m map[string]any) { m["validFrom"] = "yesterday" }, "validFrom"},
		{"VC 1.1 context first", func(m map[string]any) {
			m["@context"] = []any{"https://www.w3.org/2018/credentials/v1", ContextOB}
		}, "@context[0]"},
		{"activity date without a time (the JSON-LD context's xsd:date, which we accept but do not issue)", func(m map[string]any) {
			m["credentialSubject"].(map[string]any)["activityStartDate"] = "2026-03-02"
		}, "credentialSubject.activityStartDate"},
		{"subject without type", func(m map[string]any) { delete(m["credentialSubject"].(map[string]any), "type") }, "credentialSubject"},
		{"achievement without criteria", func(m map[string]any) {
			delete(m["credentialSubject"].(map[string]any)["achievement"].(map[string]any), "criteria")
		}, "credentialSubject.achievement"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := base(t)
			c.change(m)
			err := ValidateSchema(SchemaAchievementCredential, m)
			if c.name == "no validFrom" {
				// Required by the schema; reported at the document root.
				if err == nil || !strings.Contains(err.Error(), "validFrom") {
					t.Fatalf("err = %v; want validFrom named", err)
				}
				return
			}
			if c.path == "" {
				if err != nil {
					t.Fatalf("valid credential refused: %v", err)
				}
				return
			}
			ve, ok := err.(ValidationErrors)
			if !ok {
				t.Fatalf("err = %v (%T); want ValidationErrors at %s", err, err, c.path)
			}
			found := false
			for _, e := range ve {
				found = found || e.Path == c.path || strings.HasPrefix(e.Path, c.path+".") || strings.HasPrefix(e.Path, c.path+"[")
			}
			if !found {
				t.Errorf("errors %v do not name %s", ve, c.path)
			}
		})
	}
}

func TestValidateIssued(t *testing.T) {
	var m map[string]any
	if err := json.Unmarshal(readTestdata(t, "ob3-full.json"), &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "proof")
	fullDateTimes(m)
	doc, _ := json.Marshal(m)
	enc := func(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
	header := enc([]byte(`{"alg":"EdDSA","typ":"JWT"}`))
	vcClaim, _ := json.Marshal(map[string]any{"iss": "did:web:x.example", "jti": m["id"], "vc": m})
	bad := map[string]any{}
	for k, v := range m {
		bad[k] = v
	}
	bad["validFrom"] = "soon"
	badDoc, _ := json.Marshal(bad)
	cases := []struct {
		name, secured string
		ok            bool
	}{
		{"JSON", string(doc), true},
		{"VC-JOSE JWT (the payload is the credential)", header + "." + enc(doc) + ".c2ln", true},
		{"OB 3.0 JWT (the vc claim)", header + "." + enc(vcClaim) + ".c2ln", true},
		{"invalid JSON credential", string(badDoc), false},
		{"invalid credential in a JWT", header + "." + enc(badDoc) + ".c2ln", false},
		{"not a credential of an Open Badges type", `{"type":["VerifiableCredential"]}`, true},
		{"neither JSON nor JWT", "hello", false},
	}
	for _, c := range cases {
		if err := ValidateIssued(c.secured); (err == nil) != c.ok {
			t.Errorf("%s: err = %v; want ok %v", c.name, err, c.ok)
		}
	}
}

// fullDateTimes writes the example's activity dates as the date-times
// the schema asks for (the example has dates, which the JSON-LD context
// allows).
func fullDateTimes(m map[string]any) {
	subj := m["credentialSubject"].(map[string]any)
	for _, k := range []string{"activityStartDate", "activityEndDate"} {
		if s, ok := subj[k].(string); ok && len(s) == len("2006-01-02") {
			subj[k] = s + "T00:00:00Z"
		}
	}
}

func TestPointerToPath(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "/credentialSubject/result/0/value": "credentialSubject.result[0].value", "/@context/0": "@context[0]", "/a~1b": "a/b",
	} {
		if got := pointerToPath(in); got != want {
			t.Errorf("pointerToPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func BenchmarkValidateSchema(b *testing.B) {
	var m map[string]any
	if err := json.Unmarshal(readTestdata(b, "ob3-full.json"), &m); err != nil {
		b.Fatal(err)
	}
	fullDateTimes(m)
	if p, ok := m["proof"].(map[string]any); ok {
		m["proof"] = []any{p}
	}
	if err := ValidateSchema(SchemaAchievementCredential, m); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := ValidateSchema(SchemaAchievementCredential, m); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzValidateIssued checks that the schema check never panics on any
// input, JSON or JWT-shaped, and that a JSON object of no Open Badges type
// is never checked.
func FuzzValidateIssued(f *testing.F) {
	fuzzSeeds(f)
	enc := base64.RawURLEncoding.EncodeToString
	f.Add([]byte(enc([]byte(`{"alg":"EdDSA"}`)) + "." + enc([]byte(`{"vc":{"type":["OpenBadgeCredential"]}}`)) + ".c2ln"))
	f.Add([]byte("a.b.c"))
	f.Add([]byte("a.!!.c"))
	f.Fuzz(func(t *testing.T, data []byte) {
		err := ValidateIssued(string(data))
		var m map[string]any
		if json.Unmarshal(data, &m) == nil && m != nil && len(bytes.TrimSpace(data)) > 0 && bytes.TrimSpace(data)[0] == '{' {
			if _, ok := m["vc"]; ok {
				return
			}
			if _, ob := SchemaFor(m); !ob && err != nil {
				t.Fatalf("a document of no Open Badges type was checked: %v", err)
			}
		}
	})
}

func TestProofAsArray(t *testing.T) {
	p := map[string]any{"type": "DataIntegrityProof"}
	cases := []struct {
		name  string
		doc   map[string]any
		array bool
	}{
		{"open badge", map[string]any{"type": []any{"VerifiableCredential", "OpenBadgeCredential"}, "proof": p}, true},
		{"achievement credential", map[string]any{"type": []any{"VerifiableCredential", "AchievementCredential"}, "proof": p}, true},
		{"endorsement", map[string]any{"type": []any{"VerifiableCredential", "EndorsementCredential"}, "proof": p}, true},
		{"other credential", map[string]any{"type": []any{"VerifiableCredential"}, "proof": p}, false},
		{"proof set already", map[string]any{"type": "OpenBadgeCredential", "proof": []any{p, p}}, true},
	}
	for _, c := range cases {
		ProofAsArray(c.doc)
		list, isArray := c.doc["proof"].([]any)
		if isArray != c.array || (isArray && list[0].(map[string]any)["type"] != "DataIntegrityProof") {
			t.Errorf("%s: proof = %v", c.name, c.doc["proof"])
		}
	}
}
