package catalog

import (
	"encoding/json"
	"testing"
)

func FuzzAchievementJSON(f *testing.F) {
	for _, o := range DemoCatalog() {
		for i := range o.Achievements {
			b, err := json.Marshal(&o.Achievements[i])
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	for _, s := range []string{
		`{}`, `null`, `[]`, `{"id":5}`,
		`{"workload":{"hours":1e308,"ects":1e-308}}`,
		`{"creditRecommendations":[{"framework":"NCrF","amount":-0,"level":"NaN","validFrom":"2025-01-01T00:00:00Z","validUntil":"2024-01-01T00:00:00Z"}]}`,
		`{"skills":[{"framework":"ESCO","uri":"http://data.europa.eu/esco/skill/"},{"framework":"O*NET-SOC","code":"15-2051.00"},{}]}`,
		`{"image":null,"creator":{},"stacksInto":[{}],"resultDescription":[{"rubricCriterionLevel":[{}]}]}`,
		`{"assessment":{"type":"\u00e9"},"participation":"\u00ff","name":"\ud800"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var a Achievement
		if err := json.Unmarshal(data, &a); err != nil {
			return
		}
		err := a.Validate()
		ob3 := a.OB3()
		if _, merr := json.Marshal(ob3); merr != nil {
			t.Fatalf("OB3 output does not marshal: %v", merr)
		}
		_ = a.SearchFields()
		_ = (Filter{Text: "a", Skill: "x", CreditFramework: "ACE"}).Match(&a)
		if err != nil {
			if _, ok := err.(FieldErrors); !ok {
				t.Fatalf("Validate returned %T, want FieldErrors", err)
			}
			return
		}
		// A valid entry yields an OB 3.0 Achievement with the required
		// properties and alignments OB 3.0 accepts.
		if ob3["id"] == "" || ob3["name"] == "" || ob3["description"] == "" {
			t.Fatalf("valid entry gave incomplete OB3: %v", ob3)
		}
		if al, ok := ob3["alignment"].([]map[string]any); ok {
			for _, x := range al {
				if u, _ := x["targetUrl"].(string); !isAbsoluteURI(u) {
					t.Fatalf("alignment targetUrl %q is not an absolute URI", u)
				}
			}
		}
	})
}
