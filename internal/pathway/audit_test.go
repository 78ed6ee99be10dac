package pathway

import (
	"math"
	"strings"
	"testing"
)

func ace(n float64) Credit {
	return Credit{Framework: "ACE", Amount: n, Level: "lower-division baccalaureate"}
}

func TestAuditStages(t *testing.T) {
	e := mustEngine(t, demoDefs())
	stats := cred("c1", uni, "urn:uni:stats", days(10))
	ml := cred("c2", uni, "urn:uni:ml", days(40))
	pc := cred("c3", ind, "urn:ind:pc", days(70), ace(12))
	capstone := cred("c4", uni, "urn:uni:capstone", days(200))
	tests := []struct {
		name             string
		creds            []Credential
		progress         float64
		complete         bool
		capstoneProgress float64
		capstoneComplete bool
	}{
		{"nothing", nil, 0, false, 0, false},
		{"one module", []Credential{stats}, 1.0 / 3, false, 0.25, false},
		{"two modules", []Credential{stats, ml}, 2.0 / 3, false, 0.5, false},
		{"modules and the industry certificate", []Credential{stats, ml, pc}, 1, true, 0.75, false},
		{"capstone before the programme waits for it", []Credential{stats, capstone}, 1.0 / 3, false, (1.0/3 + (1+1.0/3)/2) / 2, false},
		{"everything", []Credential{capstone, pc, ml, stats}, 1, true, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := e.Audit(days(365), tt.creds)
			p := pathwayResult(t, a, "data-programme")
			if math.Abs(p.Progress-tt.progress) > 1e-9 || p.Complete != tt.complete {
				t.Errorf("programme: progress %v complete %v, want %v %v\n%s", p.Progress, p.Complete, tt.progress, tt.complete, p.Root.Why)
			}
			c := pathwayResult(t, a, "capstone")
			if math.Abs(c.Progress-tt.capstoneProgress) > 1e-9 || c.Complete != tt.capstoneComplete {
				t.Errorf("capstone: progress %v complete %v, want %v %v", c.Progress, c.Complete, tt.capstoneProgress, tt.capstoneComplete)
			}
		})
	}
	a := e.Audit(days(365), []Credential{stats, ml, pc})
	p := pathwayResult(t, a, "data-programme")
	if got := strings.Join(p.Used, ","); got != "c1,c2,c3" {
		t.Errorf("used = %s, want c1,c2,c3 in issue order", got)
	}
	credits := p.Root.Children[2]
	if credits.Earned != 18 || !credits.Complete || !strings.Contains(credits.Why, "18 of 6 ECTS credits earned") {
		t.Errorf("credits rule: earned %v, why %q", credits.Earned, credits.Why)
	}
	if why := p.Root.Children[0].Why; !strings.Contains(why, "met by urn:uni:stats, issued 2026-01-11 by did:web:uni.example") {
		t.Errorf("leaf explanation = %q", why)
	}
}

func TestAuditDropsCredentialsThatStopVerifying(t *testing.T) {
	e := mustEngine(t, demoDefs())
	base := []Credential{cred("c1", uni, "urn:uni:stats", days(1)), cred("c2", uni, "urn:uni:ml", days(2))}
	for _, tt := range []struct {
		name string
		edit func(*Credential)
		why  string
	}{
		{"revoked", func(c *Credential) { c.Status = Revoked }, "revoked by its issuer"},
		{"suspended", func(c *Credential) { c.Status = Suspended }, "suspended"},
		{"invalid", func(c *Credential) { c.Status = Invalid }, "does not verify"},
		{"could not be checked", func(c *Credential) { c.Status = Unchecked }, "could not be checked yet"},
		{"expired by date", func(c *Credential) { c.ValidUntil = days(300) }, "expired on 2026-10-28"},
		{"not yet valid", func(c *Credential) { c.ValidFrom = days(400) }, "not valid until"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			pc := cred("c3", ind, "urn:ind:pc", days(3), ace(12))
			tt.edit(&pc)
			a := e.Audit(days(365), append(base, pc))
			if p := pathwayResult(t, a, "data-programme"); p.Complete {
				t.Error("a credential that does not verify completed the pathway")
			}
			line := a.Credentials[2]
			if line.ID != "c3" || line.Counted || !strings.Contains(line.Why, tt.why) {
				t.Errorf("credential line = %+v, want why containing %q", line, tt.why)
			}
			if a.Credit[0].Total != 3 {
				t.Errorf("credit = %v, want 3 (stats only)", a.Credit[0].Total)
			}
		})
	}
}

func TestAuditResultConditionAndTimeLimit(t *testing.T) {
	minScore := 70.0
	d := Definitions{Pathways: []Pathway{{
		ID: "fast", Name: "Fast track",
		Root: Rule{Kind: KindAllOf, WithinDays: 30, Rules: []Rule{
			{Kind: KindCredential, Match: &Match{Issuer: uni, Achievement: "a", Result: &ResultCondition{Name: "score", Min: &minScore}}},
			leaf("b", uni, "b"),
		}},
	}}}
	e := mustEngine(t, d)
	a1 := cred("a1", uni, "a", days(0))
	a1.Results = []Result{{Name: "score", Value: "65"}}
	early := cred("b0", uni, "b", days(10))
	got := pathwayResult(t, e.Audit(days(365), []Credential{a1, early}), "fast")
	if got.Complete || got.Progress != 0.5 {
		t.Fatalf("progress %v complete %v, want 0.5 false", got.Progress, got.Complete)
	}
	if why := got.Root.Children[0].Why; !strings.Contains(why, "score 65, but at least 70 is needed") {
		t.Errorf("result explanation = %q", why)
	}
	b := cred("b1", uni, "b", days(100))
	a2 := cred("a2", uni, "a", days(20))
	a2.Results = []Result{{Name: "Score", Value: "82%"}}
	got = pathwayResult(t, e.Audit(days(365), []Credential{a1, b, a2}), "fast")
	if got.Complete {
		t.Fatal("credentials 80 days apart met a 30-day limit")
	}
	a3 := cred("a3", uni, "a", days(90))
	a3.Results = []Result{{Name: "score", Value: "70"}}
	got = pathwayResult(t, e.Audit(days(365), []Credential{a1, b, a2, a3}), "fast")
	if !got.Complete || strings.Join(got.Used, ",") != "a3,b1" {
		t.Fatalf("complete %v used %v, want a3 and b1 within 30 days", got.Complete, got.Used)
	}
	if !strings.Contains(got.Root.Why, "within 30 days from 2026-04-01") {
		t.Errorf("window explanation = %q", got.Root.Why)
	}
}

func TestSchemeCapsDuplicatesAndAge(t *testing.T) {
	e := mustEngine(t, demoDefs())
	creds := []Credential{
		cred("c1", ind, "urn:ind:pc", days(10), ace(12)),
		cred("c2", ind, "urn:ind:cloud", days(20), Credit{Framework: "ACE", Amount: 9}),
		cred("c3", uni, "urn:uni:stats", days(30)),
		cred("c4", ind, "urn:ind:pc", days(40), ace(12)),                              // the same course again
		cred("c5", ind, "urn:ind:old", days(-4000), ace(3)),                           // older than ten years at the audit
		cred("c6", uni, "urn:uni:ml", days(50), Credit{Framework: "ECTS", Amount: 5}), // no rule
	}
	s := e.Audit(days(365), creds).Credit[0]
	if s.Total != 18 {
		t.Fatalf("total = %v, want the 18-hour cap", s.Total)
	}
	want := map[string]struct {
		credits, awarded float64
		why              string
	}{
		"c5": {0, 0, "more than 3650 days before"},
		"c1": {12, 12, "articulated to DATA 101"},
		"c2": {9, 6, "6 SCH awarded: the cap is reached"},
		"c3": {3, 0, "nothing awarded: the cap is reached"},
		"c4": {12, 0, "already credited"},
		"c6": {0, 0, "no rule of this scheme applies"},
	}
	for _, l := range s.Lines {
		w, ok := want[l.CredentialID]
		if !ok {
			t.Errorf("unexpected line %+v", l)
			continue
		}
		if l.Credits != w.credits || l.Awarded != w.awarded || !strings.Contains(l.Why, w.why) {
			t.Errorf("%s: credits %v awarded %v why %q; want %v %v %q", l.CredentialID, l.Credits, l.Awarded, l.Why, w.credits, w.awarded, w.why)
		}
		delete(want, l.CredentialID)
	}
	if len(want) > 0 {
		t.Errorf("missing lines for %v", want)
	}
	if len(s.Groups) != 1 || !s.Groups[0].Capped || s.Groups[0].Before != 24 {
		t.Errorf("groups = %+v", s.Groups)
	}
}

func TestSchemeConvertsRecommendations(t *testing.T) {
	d := Definitions{Schemes: []Scheme{{
		ID: "msc", Name: "MSc", Unit: ECTS,
		Rules: []ArticulationRule{{ID: "any", Match: Match{Framework: "NCrF", Levels: []string{"5", "5.5"}}}},
		Caps:  []Cap{{Max: 30}},
	}}}
	e := mustEngine(t, d)
	s := e.Audit(days(10), []Credential{
		cred("n", "did:web:skills.example", "x", days(1), Credit{Framework: "NCrF", Amount: 12, Level: "5"}),
		cred("m", "did:web:skills.example", "y", days(2), Credit{Framework: "NCrF", Amount: 12, Level: "4"}),
	}).Credit[0]
	if s.Total != 12 || s.Lines[0].Awarded != 12 || s.Lines[1].Awarded != 0 {
		t.Fatalf("scheme = %+v", s)
	}
	d.Schemes[0].Unit = SCH
	e = mustEngine(t, d)
	s = e.Audit(days(10), []Credential{cred("n", "i", "x", days(1), Credit{Framework: "NCrF", Amount: 12, Level: "5"})}).Credit[0]
	if s.Total != 8 || !strings.Contains(s.Lines[0].Why, "converted at 30 h per NCrF and 45 h per SCH to 8 SCH") {
		t.Fatalf("NCrF 12 in SCH: %+v", s.Lines[0])
	}
}

func TestWhatIf(t *testing.T) {
	e := mustEngine(t, demoDefs())
	sugg := e.WhatIf(days(365), []Credential{cred("c1", uni, "urn:uni:stats", days(10))})
	if len(sugg) != 2 {
		t.Fatalf("suggestions = %+v", sugg)
	}
	s := sugg[1]
	if s.Pathway != "data-programme" || !s.Completes || len(s.Add) != 2 {
		t.Fatalf("suggestion = %+v", s)
	}
	if s.Add[0].AchievementID != "urn:uni:ml" || s.Add[1].AchievementID != "urn:ind:pc" {
		t.Errorf("add = %+v", s.Add)
	}
	if want := "earning Machine Learning in Practice and Data Analytics Professional Certificate would complete Applied Data Science Programme"; s.Why != want {
		t.Errorf("why = %q\nwant  %q", s.Why, want)
	}
	c := sugg[0]
	if c.Pathway != "capstone" || !c.Completes || len(c.Add) != 3 {
		t.Errorf("capstone suggestion = %+v", c)
	}
}

func TestNewRejects(t *testing.T) {
	loop := demoDefs()
	loop.Pathways[0].Root.Rules = append(loop.Pathways[0].Root.Rules, Rule{ID: "back", Kind: KindPathway, Pathway: "capstone"})
	missing := demoDefs()
	missing.Pathways[1].Root.Rules[0].Pathway = "nowhere"
	twice := demoDefs()
	twice.Pathways[1].ID = "data-programme"
	for name, tt := range map[string]struct {
		d    Definitions
		want string
	}{
		"nested loop":    {loop, "contains itself"},
		"missing nested": {missing, `no pathway "nowhere"`},
		"defined twice":  {twice, "defined twice"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := New(tt.d)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New: %v, want %q", err, tt.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want string
	}{
		{"bad id", `{"id":"Bad Id","name":"x","root":{"kind":"allOf"}}`, "id:"},
		{"no name", `{"id":"p","name":" ","root":{"kind":"allOf"}}`, "name: required"},
		{"unknown kind", `{"id":"p","name":"x","root":{"kind":"anyOf"}}`, `root.kind: "anyOf" is not a rule kind`},
		{"empty allOf", `{"id":"p","name":"x","root":{"kind":"allOf"}}`, "root.rules: allOf needs at least one child rule"},
		{"n too big", `{"id":"p","name":"x","root":{"kind":"nOf","n":3,"rules":[{"kind":"pathway","pathway":"q"}]}}`, "root.n: 3 must be between 1 and the number of child rules (1)"},
		{"achievement without issuer", `{"id":"p","name":"x","root":{"kind":"credential","match":{"achievement":"a"}}}`, "root.match.issuer: required"},
		{"both kinds of match", `{"id":"p","name":"x","root":{"kind":"credential","match":{"achievement":"a","issuer":"i","framework":"ACE"}}}`, "either an achievement or a credit recommendation"},
		{"unknown framework", `{"id":"p","name":"x","root":{"kind":"credential","match":{"framework":"CEU"}}}`, `root.match.framework: "CEU"`},
		{"minCredits without unit", `{"id":"p","name":"x","root":{"kind":"minCredits","minCredits":5,"rules":[{"kind":"credential","match":{"framework":"ACE"}}]}}`, "root.unit"},
		{"minCredits over a group", `{"id":"p","name":"x","root":{"kind":"minCredits","minCredits":5,"unit":"ECTS","rules":[{"kind":"allOf","rules":[]}]}}`, "root.rules[0].kind: minCredits counts credential rules only"},
		{"unknown prerequisite", `{"id":"p","name":"x","root":{"kind":"allOf","rules":[{"id":"a","kind":"pathway","pathway":"q","prerequisites":["zz"]}]}}`, `root.rules[0].prerequisites[0]: no rule "zz"`},
		{"prerequisite loop", `{"id":"p","name":"x","root":{"kind":"allOf","rules":[{"id":"a","kind":"pathway","pathway":"q","prerequisites":["b"]},{"id":"b","kind":"pathway","pathway":"q","prerequisites":["a"]}]}}`, "depends on itself"},
		{"ancestor prerequisite", `{"id":"p","name":"x","root":{"id":"top","kind":"allOf","rules":[{"id":"a","kind":"pathway","pathway":"q","prerequisites":["top"]}]}}`, "depends on itself"},
		{"duplicate rule id", `{"id":"p","name":"x","root":{"kind":"allOf","rules":[{"id":"a","kind":"pathway","pathway":"q"},{"id":"a","kind":"pathway","pathway":"q"}]}}`, `root.rules[1].id: "a" is used`},
		{"unknown field", `{"id":"p","name":"x","root":{"kind":"allOf","rulez":[]}}`, `unknown field "rulez"`},
		{"wrong type", `{"id":"p","name":"x","root":{"kind":"nOf","n":"two"}}`, "root.n: expected int"},
		{"result without condition", `{"id":"p","name":"x","root":{"kind":"credential","match":{"issuer":"i","achievement":"a","result":{"name":"grade"}}}}`, "root.match.result: give a minimum or the accepted values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParsePathway([]byte(tt.doc))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParsePathway: %v\nwant an error containing %q", err, tt.want)
			}
		})
	}
	ok := `{"id":"p","name":"x","root":{"kind":"allOf","rules":[{"kind":"credential","match":{"issuer":"i","achievement":"a"}},{"kind":"credential","match":{"framework":"ECTS","minAmount":2}}]}}`
	p, err := ParsePathway([]byte(ok))
	if err != nil {
		t.Fatal(err)
	}
	if p.Root.ID != "r" || p.Root.Rules[1].ID != "r-2" {
		t.Errorf("ids not filled in: %q %q", p.Root.ID, p.Root.Rules[1].ID)
	}
}

func TestValidateScheme(t *testing.T) {
	tests := []struct{ doc, want string }{
		{`{"id":"s","name":"x","unit":"credits","rules":[]}`, `unit: "credits"`},
		{`{"id":"s","name":"x","unit":"SCH","rules":[{"match":{"framework":"ACE"},"maxAgeDays":-1}]}`, "rules[0].maxAgeDays"},
		{`{"id":"s","name":"x","unit":"SCH","rules":[{"match":{"framework":"ACE"}}],"caps":[{"group":"micro","max":18}]}`, `caps[0].group: no rule is in group "micro"`},
		{`{"id":"s","name":"x","unit":"SCH","rules":[{"match":{"framework":"ACE"}}],"caps":[{"max":-1}]}`, "caps[0].max"},
		{`{"id":"s","name":"x","unit":"SCH","rules":[{"match":{}}]}`, "rules[0].match: name an achievement"},
	}
	for _, tt := range tests {
		if _, err := ParseScheme([]byte(tt.doc)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseScheme(%s): %v, want %q", tt.doc, err, tt.want)
		}
	}
}

func TestDiagram(t *testing.T) {
	d := demoDefs()
	p := d.Pathways[0]
	p.Root.Rules[0].Label = `Stats <&> "basics"`
	e := mustEngine(t, d)
	a := e.Audit(days(365), []Credential{cred("c1", uni, "urn:uni:stats", days(1))})
	res := pathwayResult(t, a, "data-programme")
	svg := Diagram(&p, DiagramOptions{Progress: &res.Root, Name: func(m *Match) string {
		if m.Achievement == "urn:uni:ml" {
			return "Machine Learning in Practice"
		}
		return ""
	}})
	for _, want := range []string{
		`role="img" aria-labelledby="pathway-data-programme-title pathway-data-programme-desc"`,
		`<title id="pathway-data-programme-title">How credentials stack into Applied Data Science Programme</title>`,
		`✓ Stats &lt;&amp;&gt; &#34;basics&#34;`,
		"Machine Learning in Practice",
		"any 1 of these 2",
		"at least 6 ECTS credits",
		"★ Applied Data Science Programme",
		"Completing it earns Applied Data Science Programme.",
	} {
		if !strings.Contains(svg, want) {
			t.Errorf("diagram lacks %q", want)
		}
	}
	if strings.Contains(svg, `<&>`) {
		t.Error("unescaped text in the diagram")
	}
	if strings.Contains(svg, "<style") {
		t.Error("the diagram carries a style element, which a strict Content-Security-Policy blocks")
	}
	if n := strings.Count(svg, `class="pd-box pd-met"`); n != 1 {
		t.Errorf("%d met boxes, want 1", n)
	}
}
