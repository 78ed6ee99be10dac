package progress

import (
	"strings"
	"testing"

	"github.com/microcred/microcred/internal/pathway"
)

func TestCreditAchievements(t *testing.T) {
	achOf := map[string]string{"c-stats": "https://u.example/a/stats", "c-pc": "https://nw.example/a/pc", "c-ml": "https://u.example/a/ml"}
	bsc := pathway.SchemeResult{ID: "bsc", Name: "BSc Data Science", Unit: pathway.SCH,
		Groups: []pathway.GroupResult{{Group: "micro", Label: "at most 14 credit hours from micro-credentials", Cap: 14, Before: 15, Total: 14, Capped: true}},
		Lines: []pathway.CreditLine{
			{CredentialID: "c-stats", Credential: "Statistics for Data Science", RuleID: "stats", Rule: "rule stats", Course: "STAT 210",
				CourseTitle: "Applied Statistics", Credits: 3, Awarded: 3, Group: "micro", Why: "rule stats: 3 SCH fixed by the rule"},
			{CredentialID: "c-pc", Credential: "Data Analytics Professional Certificate", RuleID: "pc", Rule: "Northwind certificate",
				Course: "DATA 150", CourseTitle: "Data Analytics", Credits: 12, Awarded: 11, Group: "micro", Why: "recommended 12 ACE"},
			{CredentialID: "c-ml", Credential: "Machine Learning in Practice", Why: "no rule of this scheme applies"},
		}}
	msc := pathway.SchemeResult{ID: "msc", Name: "MSc Statistics", Unit: pathway.ECTS,
		Lines: []pathway.CreditLine{
			{CredentialID: "c-stats", Credential: "Statistics for Data Science", RuleID: "s", Rule: "Statistics", Course: "STAT 7001", Credits: 5, Awarded: 5, Why: "5 ECTS"},
			{CredentialID: "c-ml", Credential: "Machine Learning in Practice", RuleID: "el", Rule: "Data science elective", Credits: 4, Awarded: 4, Why: "4 ECTS"},
		}}
	capped := pathway.SchemeResult{ID: "full", Name: "Full", Unit: pathway.NCrF,
		Groups: []pathway.GroupResult{{Cap: 0, Before: 2, Total: 0, Capped: true}},
		Lines: []pathway.CreditLine{
			{CredentialID: "c-stats", Credential: "Statistics for Data Science", RuleID: "s", Course: "X 1", Credits: 2, Awarded: 0, Why: "nothing awarded: the cap is reached"},
			{CredentialID: "c-pc", Credential: "Data Analytics Professional Certificate", RuleID: "s", Course: "X 1", Credits: 1, Duplicate: true, Why: "not credited again"},
		}}
	type course struct {
		code, name, unit, from, descHas string
		credits                         float64
	}
	tests := []struct {
		name    string
		schemes []pathway.SchemeResult
		want    []course
	}{
		{"credits under a cap", []pathway.SchemeResult{bsc}, []course{
			{"STAT 210", "Applied Statistics", "SCH", "https://u.example/a/stats", "3 US semester credit hours awarded under BSc Data Science for Statistics for Data Science.", 3},
			{"DATA 150", "Data Analytics", "SCH", "https://nw.example/a/pc", "12 reduced to 11 by the cap of 14 SCH on credit of group micro (at most 14 credit hours from micro-credentials)", 11},
		}},
		{"credits in two units", []pathway.SchemeResult{bsc, msc}, []course{
			{"STAT 210", "Applied Statistics", "SCH", "https://u.example/a/stats", "", 3},
			{"DATA 150", "Data Analytics", "SCH", "https://nw.example/a/pc", "", 11},
			{"STAT 7001", "STAT 7001", "ECTS", "https://u.example/a/stats", "5 ECTS credits awarded under MSc Statistics", 5},
			{"", "Elective credit (Data science elective)", "ECTS", "https://u.example/a/ml", "4 ECTS credits", 4},
		}},
		{"no credit", nil, nil},
		{"a cap that leaves nothing, and a duplicate", []pathway.SchemeResult{capped}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			achs, assocs, used := creditAchievements("did:web:u.example", tt.schemes, achOf)
			if len(achs) != len(tt.want) || len(assocs) != len(tt.want) || len(used) != len(tt.want) {
				t.Fatalf("%d achievements, %d associations, %d used; want %d each", len(achs), len(assocs), len(used), len(tt.want))
			}
			ids := map[string]bool{}
			for i, w := range tt.want {
				a, as := achs[i].(map[string]any), assocs[i].(map[string]any)
				id, _ := a["id"].(string)
				if !strings.HasPrefix(id, "urn:uuid:") || ids[id] {
					t.Errorf("course %d id %q: not a fresh urn:uuid", i, id)
				}
				ids[id] = true
				code, hasCode := a["humanCode"]
				if (w.code == "") == hasCode || (hasCode && code != w.code) {
					t.Errorf("course %d humanCode = %v, want %q", i, code, w.code)
				}
				tags := a["tag"].([]any)
				if a["achievementType"] != "Course" || a["name"] != w.name || a["creditsAvailable"] != w.credits || tags[0] != CreditTag || tags[1] != w.unit {
					t.Errorf("course %d = %v", i, a)
				}
				if !strings.Contains(a["description"].(string), w.descHas) {
					t.Errorf("course %d description %q lacks %q", i, a["description"], w.descHas)
				}
				if as["associationType"] != "isRelatedTo" || as["sourceId"] != w.from || as["targetId"] != id || as["type"] != "Association" {
					t.Errorf("association %d = %v", i, as)
				}
			}
		})
	}
	// A course credited alike keeps its id from one record to the next;
	// credited with less under a cap it is another entry.
	a1, _, _ := creditAchievements("did:web:u.example", []pathway.SchemeResult{bsc}, achOf)
	a2, _, _ := creditAchievements("did:web:u.example", []pathway.SchemeResult{bsc}, achOf)
	less := bsc
	less.Lines = append([]pathway.CreditLine(nil), bsc.Lines...)
	less.Lines[0].Awarded = 2
	a3, _, _ := creditAchievements("did:web:u.example", []pathway.SchemeResult{less}, achOf)
	id := func(a []any) any { return a[0].(map[string]any)["id"] }
	if id(a1) != id(a2) || id(a1) == id(a3) {
		t.Errorf("course ids %v, %v, %v: want the first two alike and the third apart", id(a1), id(a2), id(a3))
	}
}
