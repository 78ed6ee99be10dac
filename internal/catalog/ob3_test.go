package catalog

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/microcred/microcred/internal/testutil"
)

// ob3Context holds the term definitions of the OB 3.0.3 JSON-LD context.
type ob3Context struct {
	top    map[string]bool            // terms defined at the top level
	scoped map[string]map[string]bool // type-scoped terms, by type
}

// loadOB3Context parses ../shared/standards/ob3/context-3.0.3.json relative
// to the repository root (the directory holding go.mod).
func loadOB3Context(t *testing.T) ob3Context {
	t.Helper()
	path := filepath.Join(testutil.RepoRoot(t), "..", "shared", "standards", "ob3", "context-3.0.3.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("OB 3.0.3 context is required for this test: %v", err)
	}
	var doc struct {
		Context map[string]json.RawMessage `json:"@context"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	c := ob3Context{top: map[string]bool{}, scoped: map[string]map[string]bool{}}
	for term, def := range doc.Context {
		if strings.HasPrefix(term, "@") {
			continue
		}
		c.top[term] = true
		var d struct {
			Context map[string]json.RawMessage `json:"@context"`
		}
		if json.Unmarshal(def, &d) == nil && d.Context != nil {
			c.scoped[term] = map[string]bool{}
			for st := range d.Context {
				if !strings.HasPrefix(st, "@") {
					c.scoped[term][st] = true
				}
			}
		}
	}
	if !c.top["Achievement"] || len(c.scoped["Achievement"]) == 0 || !c.scoped["Alignment"]["targetUrl"] {
		t.Fatalf("%s does not look like the OB 3.0.3 context", path)
	}
	return c
}

// undefinedTerms walks a JSON value and reports every key not defined for
// the node it appears in. Type-scoped contexts in OB 3.0.3 do not propagate
// to nested nodes (the JSON-LD 1.1 default), so each node sees the top-level
// terms plus those scoped to its own types.
func (c ob3Context) undefinedTerms(v any, path string) []string {
	var bad []string
	switch v := v.(type) {
	case []any:
		for i, e := range v {
			bad = append(bad, c.undefinedTerms(e, fmt.Sprintf("%s[%d]", path, i))...)
		}
	case map[string]any:
		var types []string
		switch tv := v["type"].(type) {
		case string:
			types = []string{tv}
		case []any:
			for _, x := range tv {
				s, _ := x.(string)
				types = append(types, s)
			}
		}
		for _, ty := range types {
			if !c.top[ty] {
				bad = append(bad, path+".type: "+ty)
			}
		}
		for key, val := range v {
			defined := c.top[key]
			for _, ty := range types {
				defined = defined || c.scoped[ty][key]
			}
			if !defined {
				bad = append(bad, path+"."+key)
			}
			bad = append(bad, c.undefinedTerms(val, path+"."+key)...)
		}
	}
	return bad
}

func ob3JSON(t *testing.T, a *Achievement) map[string]any {
	t.Helper()
	b, err := json.Marshal(a.OB3())
	if err != nil {
		t.Fatalf("marshal OB3: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// fullAchievement sets every optional field, so that every branch of OB3 is
// emitted.
func fullAchievement() *Achievement {
	a := validAchievement()
	a.Version = 3
	a.CreditsAvailable = 2
	a.FieldOfStudy = "Computer science"
	a.Specialization = "Databases"
	a.Tag = []string{"sql"}
	a.HumanCode = "SQL-101"
	a.Image = &Image{ID: "https://example.edu/img/sql.png", Caption: "SQL badge"}
	a.Criteria.ID = "https://example.edu/achievements/sql-basics/criteria"
	a.Alignment = []Alignment{{TargetName: "CS2023 Data Management", TargetURL: "https://csed.acm.org/", TargetDescription: "x", TargetCode: "DM", TargetFramework: "ACM CS2023", TargetType: "CFItem"}}
	a.ResultDescription = []ResultDescription{{
		ID: "urn:example:rd:1", Name: "Rubric", ResultType: "RubricCriterionLevel",
		AllowedValue: []string{"Pass", "Fail"}, RequiredLevel: "urn:example:rl:1", RequiredValue: "Pass",
		ValueMin: "0", ValueMax: "10",
		RubricCriterionLevel: []RubricCriterionLevel{{ID: "urn:example:rl:1", Name: "Pass", Description: "Meets", Level: "1", Points: "5"}},
	}}
	a.OtherIdentifier = []IdentifierEntry{{Identifier: "SQL101", IdentifierType: "sourcedId"}}
	a.Related = []Related{{ID: "https://example.edu/achievements/sql-basics-nl", Version: "1", InLanguage: "nl"}}
	a.Creator = &Profile{ID: "https://example.edu/", Name: "Example University", URL: "https://example.edu/", Email: "info@example.edu", Description: "A university."}
	a.NSQFLevel = 5
	a.Prerequisites = []string{"None."}
	a.StacksInto = []CredentialRef{{ID: "https://example.edu/achievements/programme", Name: "Data Programme"}}
	a.CreditRecommendations = append(a.CreditRecommendations,
		CreditRecommendation{Framework: FrameworkECTS, Amount: 2, Level: "first cycle", RecommendingBody: "Example University", URL: "https://example.edu/credit"},
		CreditRecommendation{Framework: FrameworkNCrF, Amount: 2, Level: "4.5", RecommendingBody: "SSC", Notes: "n"})
	a.Skills = append(a.Skills, Skill{Framework: SkillFrameworkOther, URI: "https://sfia-online.org/en/skillsfia/skills/datm", Code: "DATM", Name: "Data management", FrameworkName: "SFIA 9"})
	return a
}

func TestOB3TermsDefinedInContext(t *testing.T) {
	ctx := loadOB3Context(t)
	cases := map[string]*Achievement{"full": fullAchievement(), "minimal": validAchievement()}
	for _, o := range DemoCatalog() {
		for i := range o.Achievements {
			cases[o.Achievements[i].Slug] = &o.Achievements[i]
		}
	}
	for name, a := range cases {
		if err := a.Validate(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		m := ob3JSON(t, a)
		if bad := ctx.undefinedTerms(m, "achievement"); len(bad) > 0 {
			t.Errorf("%s: terms not defined in the OB 3.0.3 context: %v", name, bad)
		}
	}
	// The check itself must catch an undefined term.
	m := ob3JSON(t, validAchievement())
	m["eqfLevel"] = 5
	m["criteria"].(map[string]any)["learningOutcomes"] = []any{"x"}
	if bad := ctx.undefinedTerms(m, "achievement"); len(bad) != 2 {
		t.Errorf("undefinedTerms found %v, want eqfLevel and criteria.learningOutcomes", bad)
	}
}

func TestOB3Shape(t *testing.T) {
	a := fullAchievement()
	m := ob3JSON(t, a)
	want := map[string]any{
		"id":               a.ID,
		"type":             []any{"Achievement"},
		"name":             "SQL Basics",
		"description":      a.Description,
		"achievementType":  "MicroCredential",
		"creditsAvailable": 2.0,
		"fieldOfStudy":     "Computer science",
		"specialization":   "Databases",
		"inLanguage":       "en",
		"humanCode":        "SQL-101",
		"version":          "3",
		"tag":              []any{"sql"},
		"image":            map[string]any{"id": "https://example.edu/img/sql.png", "type": "Image", "caption": "SQL badge"},
		"otherIdentifier":  []any{map[string]any{"type": "IdentifierEntry", "identifier": "SQL101", "identifierType": "sourcedId"}},
		"related":          []any{map[string]any{"id": "https://example.edu/achievements/sql-basics-nl", "type": []any{"Related"}, "version": "1", "inLanguage": "nl"}},
		"creator": map[string]any{
			"id": "https://example.edu/", "type": []any{"Profile"}, "name": "Example University",
			"url": "https://example.edu/", "email": "info@example.edu", "description": "A university.",
			"address": map[string]any{"type": []any{"Address"}, "addressCountryCode": "NL"},
		},
	}
	for k, w := range want {
		if got, _ := json.Marshal(m[k]); string(got) != mustJSON(t, w) {
			t.Errorf("%s = %s, want %s", k, got, mustJSON(t, w))
		}
	}
	rd := m["resultDescription"].([]any)[0].(map[string]any)
	if rd["resultType"] != "RubricCriterionLevel" || rd["requiredLevel"] != "urn:example:rl:1" ||
		rd["rubricCriterionLevel"].([]any)[0].(map[string]any)["points"] != "5" {
		t.Errorf("resultDescription = %v", rd)
	}

	crit := m["criteria"].(map[string]any)
	if crit["id"] != a.Criteria.ID {
		t.Errorf("criteria.id = %v", crit["id"])
	}
	narrative, _ := crit["narrative"].(string)
	for _, s := range []string{
		"Pass the final exam.\n\n### Learning outcomes\n\n- Write SELECT queries",
		"### Assessment\n\nSupervised online exam, supervised, with identity verification.",
		"### Workload\n\n56 hours of notional learning time (2 ECTS credits).",
		"### Level\n\nEQF level 5; NSQF level 5.",
		"### Form of participation\n\nOnline.",
		"### Prerequisites\n\n- None.",
		"### Quality assurance\n\nNVAO: Institutional accreditation. (https://www.nvao.net/)",
		"### Awarding body\n\nExample University, country NL.",
	} {
		if !strings.Contains(narrative, s) {
			t.Errorf("narrative lacks %q:\n%s", s, narrative)
		}
	}

	// Alignments: explicit first, then skills, levels, credit, stacking.
	var got []string
	for _, x := range m["alignment"].([]any) {
		al := x.(map[string]any)
		if !slices.Equal(toStrings(al["type"]), []string{"Alignment"}) || al["targetUrl"] == "" || al["targetName"] == "" {
			t.Errorf("alignment %v lacks type, targetName or targetUrl", al)
		}
		got = append(got, fmt.Sprintf("%v|%v|%v|%v", al["targetType"], al["targetFramework"], al["targetCode"], al["targetUrl"]))
	}
	wantAl := []string{
		"CFItem|ACM CS2023|DM|https://csed.acm.org/",
		"ceasn:Competency|ESCO|598de5b0-5b58-4ea7-8058-a4bc4d18c742|http://data.europa.eu/esco/skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742",
		"ext:Occupation|O*NET-SOC|15-1242.00|https://www.onetonline.org/link/summary/15-1242.00",
		"ceasn:Competency|SFIA 9|DATM|https://sfia-online.org/en/skillsfia/skills/datm",
		"ext:EQFLevel|European Qualifications Framework|5|http://data.europa.eu/snb/eqf/5",
		"ext:NSQFLevel|National Skills Qualifications Framework (India)|5|https://ncvet.gov.in/",
		"ext:CreditRecommendation|ACE Learning Evaluations (American Council on Education)|3|https://www.acenet.edu/Programs-Services/Pages/Credit-Transcripts/Learning-Evaluations.aspx",
		"ext:CreditRecommendation|European Credit Transfer and Accumulation System|2|https://example.edu/credit",
		"ext:CreditRecommendation|National Credit Framework (India)|2|https://www.ugc.gov.in/",
		"ceterms:Credential|<nil>|<nil>|https://example.edu/achievements/programme",
	}
	if !slices.Equal(got, wantAl) {
		t.Errorf("alignments:\n got %q\nwant %q", got, wantAl)
	}
	ace := m["alignment"].([]any)[6].(map[string]any)
	if ace["targetName"] != "ACE credit recommendation: 3 semester hours, lower-division baccalaureate" ||
		ace["targetDescription"] != "Recommended by ACE. Valid from 2025-01-01 to 2028-01-01." {
		t.Errorf("ACE alignment = %v", ace)
	}
}

func TestOB3Minimal(t *testing.T) {
	a := &Achievement{ID: "urn:uuid:1", Name: "N", Description: "D", Criteria: Criteria{ID: "https://x.example/c"}, Workload: Workload{Hours: 10}}
	m := ob3JSON(t, a)
	for _, k := range []string{"creditsAvailable", "alignment", "image", "creator", "version", "tag", "achievementType"} {
		if _, ok := m[k]; ok {
			t.Errorf("minimal achievement emits %s", k)
		}
	}
	crit := m["criteria"].(map[string]any)
	if crit["narrative"] != "### Workload\n\n10 hours of notional learning time." {
		t.Errorf("narrative = %q", crit["narrative"])
	}
	// ECTS workload is the default creditsAvailable.
	a.Workload.ECTS = 0.5
	a.Workload.Hours = 14
	if m := ob3JSON(t, a); m["creditsAvailable"] != 0.5 {
		t.Errorf("creditsAvailable = %v, want the ECTS workload", m["creditsAvailable"])
	}
}

func TestCreditRecommendationSummary(t *testing.T) {
	tests := []struct {
		cr   CreditRecommendation
		want string
	}{
		{CreditRecommendation{Framework: FrameworkACE, Amount: 12, Level: "lower-division baccalaureate"}, "ACE credit recommendation: 12 semester hours, lower-division baccalaureate"},
		{CreditRecommendation{Framework: FrameworkACE, Amount: 1}, "ACE credit recommendation: 1 semester hour"},
		{CreditRecommendation{Framework: FrameworkECTS, Amount: 7.5, Level: "second cycle"}, "ECTS credit recommendation: 7.5 ECTS credits, second cycle"},
		{CreditRecommendation{Framework: FrameworkNCrF, Amount: 12, Level: "5"}, "NCrF credit recommendation: 12 NCrF credits, credit level 5"},
	}
	for _, tt := range tests {
		if got := tt.cr.Summary(); got != tt.want {
			t.Errorf("Summary() = %q, want %q", got, tt.want)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func toStrings(v any) []string {
	var out []string
	if xs, ok := v.([]any); ok {
		for _, x := range xs {
			s, _ := x.(string)
			out = append(out, s)
		}
	}
	return out
}
