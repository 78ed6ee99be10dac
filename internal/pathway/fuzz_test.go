package pathway

import (
	"encoding/json"
	"testing"
)

// FuzzParsePathway checks that any input either fails with an error or
// gives a pathway that validates again, survives a JSON round trip, and
// that an engine built from it audits without panicking.
func FuzzParsePathway(f *testing.F) {
	for _, p := range demoDefs().Pathways {
		b, _ := json.Marshal(p)
		f.Add(b)
	}
	f.Add([]byte(`{"id":"p","name":"x","root":{"kind":"nOf","n":1,"withinDays":30,"rules":[{"kind":"credential","match":{"framework":"ACE","minAmount":3,"levels":["graduate"],"result":{"name":"grade","oneOf":["A"]}}}]}}`))
	f.Add([]byte(`{"id":"p","name":"x","root":{"kind":"minCredits","minCredits":6,"unit":"ECTS","rules":[{"kind":"credential","credits":2,"match":{"issuer":"i","achievement":"a"}}]}}`))
	f.Add([]byte(`{"id":"p","name":"x","root":{"id":"a","kind":"allOf","rules":[{"id":"b","kind":"credential","match":{"issuer":"i","achievement":"a"},"prerequisites":["c"]},{"id":"c","kind":"credential","match":{"issuer":"i","achievement":"b"}}]}}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"id":"p","name":"x","root":{"kind":"allOf","rules":[{"kind":"pathway","pathway":"p"}]}}`))
	creds := []Credential{cred("c1", "i", "a", days(1), ace(3)), cred("c2", "i", "b", days(400), Credit{Framework: "ECTS", Amount: 6})}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePathway(data)
		if err != nil {
			return
		}
		b, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		q, err := ParsePathway(b)
		if err != nil {
			t.Fatalf("a valid pathway does not parse again: %v\n%s", err, b)
		}
		if b2, _ := json.Marshal(q); string(b2) != string(b) {
			t.Fatalf("round trip changed the pathway:\n%s\n%s", b, b2)
		}
		e, err := New(Definitions{Pathways: []Pathway{p}})
		if err != nil {
			return // a nested pathway that is not defined
		}
		a := e.Audit(days(500), creds)
		if len(a.Pathways) != 1 || a.Pathways[0].Progress < 0 || a.Pathways[0].Progress > 1 {
			t.Fatalf("audit = %+v", a.Pathways)
		}
		e.WhatIf(days(500), creds)
	})
}

// FuzzParseScheme does the same for articulation schemes.
func FuzzParseScheme(f *testing.F) {
	for _, s := range demoDefs().Schemes {
		b, _ := json.Marshal(s)
		f.Add(b)
	}
	f.Add([]byte(`{"id":"s","name":"x","unit":"ECTS","conversion":{"hoursPerCredit":{"SCH":60},"step":1},"rules":[{"match":{"framework":"NCrF"},"maxAgeDays":30}],"caps":[{"max":5}]}`))
	creds := []Credential{cred("c1", "i", "a", days(1), ace(3)), cred("c2", "i", "b", days(400), Credit{Framework: "NCrF", Amount: 6})}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseScheme(data)
		if err != nil {
			return
		}
		e, err := New(Definitions{Schemes: []Scheme{s}})
		if err != nil {
			t.Fatalf("a valid scheme is refused: %v", err)
		}
		res := e.Audit(days(500), creds).Credit[0]
		for _, c := range s.Caps {
			if c.Group == "" && res.Total > c.Max {
				t.Fatalf("total %v over cap %v", res.Total, c.Max)
			}
		}
	})
}
