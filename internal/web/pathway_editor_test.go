package web

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/microcred/microcred/internal/pathway"
)

// form builds posted values from "name=value" pairs (a name may repeat).
func postedForm(pairs ...string) url.Values {
	v := url.Values{}
	for _, p := range pairs {
		k, val, _ := strings.Cut(p, "=")
		v.Add(k, val)
	}
	return v
}

// canonical decodes a document as the API does (unknown fields refused)
// and encodes it again, so that two documents compare by content.
func canonicalDoc(t *testing.T, v any, doc string) string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("decode %s: %v", doc, err)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestReadPathwayEdit(t *testing.T) {
	head := []string{"editor=1", "p-id=data-programme", "p-name=Data Programme"}
	tests := []struct {
		name string
		form url.Values
		want string            // the document, when the form is valid
		errs map[string]string // field -> part of its message
	}{
		{
			name: "every rule kind, nested",
			form: postedForm(append(head, "p-description=Statistics and more.", "p-award=programme-certificate", "p-award-name=Programme Certificate", "p-review=1",
				"r0-depth=0", "r0-kind=allOf",
				"r1-depth=1", "r1-kind=credential", "r1-label=Statistics", "r1-source=local", "r1-local=city-uni/statistics",
				"r2-depth=1", "r2-kind=nOf", "r2-label=One advanced module", "r2-n=1", "r2-id=advanced",
				"r3-depth=2", "r3-kind=credential", "r3-source=other", "r3-issuer=did:web:northwind.example", "r3-achievement=https://northwind.example/a/1",
				"r3-name=Cloud Certificate", "r3-resultname=Final grade", "r3-resultoneof=A, B",
				"r4-depth=2", "r4-kind=credential", "r4-source=credit", "r4-framework=ACE", "r4-minamount=3",
				"r4-levels=lower-division baccalaureate\r\nupper-division baccalaureate\r\n", "r4-issuers=org:northwind",
				"r5-depth=1", "r5-kind=minCredits", "r5-mincredits=6", "r5-unit=ECTS", "r5-within=365",
				"r6-depth=2", "r6-kind=credential", "r6-source=credit", "r6-framework=ECTS", "r6-credits=2,5", "r6-resultname=score", "r6-resultmin=0",
				"r7-depth=1", "r7-kind=pathway", "r7-pathway=foundations", "r7-prereq=advanced", "r7-prereq=r-1")...),
			want: `{"id":"data-programme","name":"Data Programme","description":"Statistics and more.",
			  "award":{"achievementId":"programme-certificate","name":"Programme Certificate","review":true},
			  "root":{"kind":"allOf","rules":[
			    {"label":"Statistics","kind":"credential","match":{"issuer":"org:city-uni","achievement":"statistics"}},
			    {"id":"advanced","label":"One advanced module","kind":"nOf","n":1,"rules":[
			      {"kind":"credential","match":{"issuer":"did:web:northwind.example","achievement":"https://northwind.example/a/1","name":"Cloud Certificate",
			        "result":{"name":"Final grade","oneOf":["A","B"]}}},
			      {"kind":"credential","match":{"framework":"ACE","minAmount":3,"levels":["lower-division baccalaureate","upper-division baccalaureate"],"issuers":["org:northwind"]}}]},
			    {"kind":"minCredits","minCredits":6,"unit":"ECTS","withinDays":365,"rules":[
			      {"kind":"credential","credits":2.5,"match":{"framework":"ECTS","result":{"name":"score","min":0}}}]},
			    {"kind":"pathway","pathway":"foundations","prerequisites":["advanced","r-1"]}]}}`,
		},
		{
			name: "a depth that jumps is read as one level deeper",
			form: postedForm(append(head, "r0-depth=0", "r0-kind=allOf", "r1-depth=5", "r1-kind=credential", "r1-source=local", "r1-local=city-uni/statistics")...),
			want: `{"id":"data-programme","name":"Data Programme","root":{"kind":"allOf","rules":[
			  {"kind":"credential","match":{"issuer":"org:city-uni","achievement":"statistics"}}]}}`,
		},
		{
			name: "errors name the rule and the field",
			form: postedForm(append(head, "r0-depth=0", "r0-kind=allOf",
				"r1-depth=1", "r1-kind=credential", "r1-source=other", "r1-achievement=x",
				"r2-depth=1", "r2-kind=nOf", "r2-n=5",
				"r3-depth=2", "r3-kind=credential", "r3-source=local",
				"r4-depth=2", "r4-kind=credential", "r4-source=credit", "r4-framework=ACE", "r4-minamount=lots", "r4-resultmin=3",
				"r5-depth=1", "r5-kind=minCredits", "r5-mincredits=0", "r5-unit=hours",
				"r6-depth=2", "r6-kind=allOf",
				"r7-depth=1", "r7-kind=pathway", "r7-within=-1", "r7-prereq=nowhere")...),
			errs: map[string]string{
				"r1-issuer":     "Rule 2 (a specific credential): Issuer id: required",
				"r2-n":          "Rule 3 (n of): N must be between 1 and the number of rules inside it (2)",
				"r3-local":      "Rule 4 (a specific credential): Achievement: choose one from the list",
				"r4-minamount":  "Rule 5 (a specific credential): Minimum recommended amount: must be a number",
				"r4-resultname": "Rule 5 (a specific credential): Result name: required when you set a result condition",
				"r5-mincredits": "Rule 6 (minimum credits): Minimum credits: must be a number more than 0",
				"r5-unit":       "Rule 6 (minimum credits): Credit unit: choose one",
				"r5-kind":       "Rule 6 (minimum credits): only credential rules count towards minimum credits, and rule 7 is all of",
				"r6-kind":       "Rule 7 (all of): add at least one rule inside this group",
				"r8-pathway":    "",
				"r7-pathway":    "Rule 8 (another pathway): Pathway: choose the pathway",
				"r7-within":     "Rule 8 (another pathway): Within how many days: a whole number",
				"r7-prereq":     `Rule 8 (another pathway): Must be complete first: there is no rule "nowhere"`,
			},
		},
		{
			name: "the pathway's own fields",
			form: postedForm("editor=1", "p-id=Data Programme", "p-review=1", "r0-depth=0", "r0-kind=credential", "r0-source=local", "r0-local=a/b"),
			errs: map[string]string{
				"p-id":    "Short name for web addresses: use 1 to 63 lowercase letters",
				"p-name":  "Name: required",
				"p-award": "Award: choose the achievement",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errs formErrors
			p := readPathwayEdit(tt.form).toPathway(&errs)
			for field, want := range tt.errs {
				got := strings.Join(errs.Get(field), " | ")
				if want == "" {
					if got != "" {
						t.Errorf("%s: unexpected error %q", field, got)
					}
					continue
				}
				if !strings.Contains(got, want) {
					t.Errorf("%s: error %q, want %q", field, got, want)
				}
			}
			if tt.errs != nil {
				return
			}
			if errs.Any() {
				t.Fatalf("errors: %v", errs)
			}
			b, _ := json.Marshal(p)
			if got, want := canonicalDoc(t, &pathway.Pathway{}, string(b)), canonicalDoc(t, &pathway.Pathway{}, tt.want); got != want {
				t.Errorf("document\n got %s\nwant %s", got, want)
			}
			// The API accepts what the form makes.
			if _, err := pathway.ParsePathway(b); err != nil {
				t.Errorf("the API refuses it: %v", err)
			}
			// Shown in the form again, it reads back the same.
			local := map[string]string{"city-uni/statistics": "Statistics"}
			var again formErrors
			p2 := pathwayEditOf(&p, local).toPathway(&again)
			if b2, _ := json.Marshal(p2); string(b2) != string(b) || again.Any() {
				t.Errorf("round trip\n got %s\nwant %s (%v)", b2, b, again)
			}
		})
	}
}

func TestPathwayEditButtons(t *testing.T) {
	// allOf [a, nOf(b, c), d] where d needs c (by its engine id r-2-2).
	base := func() *pathwayEdit {
		return readPathwayEdit(postedForm("p-id=x", "p-name=X", "r0-depth=0", "r0-kind=allOf",
			"r1-depth=1", "r1-kind=credential", "r1-label=a",
			"r2-depth=1", "r2-kind=nOf", "r2-label=b-or-c", "r2-n=1", "r2-newkind=minCredits",
			"r3-depth=2", "r3-kind=credential", "r3-label=b",
			"r4-depth=2", "r4-kind=credential", "r4-label=c",
			"r5-depth=1", "r5-kind=credential", "r5-label=d", "r5-prereq=r-2-2"))
	}
	labels := func(e *pathwayEdit) string {
		var out []string
		for _, r := range e.flatten() {
			out = append(out, strings.Repeat(">", r.depth)+r.Label+strings.Join(r.Prerequisites, ","))
		}
		return strings.Join(out, " ")
	}
	tests := []struct{ op, want string }{
		{"add:2", ">a >b-or-c >>b >>c >> >dr-2-2"},
		{"add:0", ">a >b-or-c >>b >>c >dr-2-2 >"},
		{"remove:1", ">b-or-c >>b >>c >dr-1-2"},
		{"remove:2", ">a >d"},
		{"up:4", ">a >b-or-c >>c >>b >dr-2-1"},
		{"down:3", ">a >b-or-c >>c >>b >dr-2-1"},
		{"up:2", ">b-or-c >>b >>c >a >dr-1-2"},
		{"down:5", ">a >b-or-c >>b >>c >dr-2-2"},
		{"up:0", ">a >b-or-c >>b >>c >dr-2-2"},
		{"remove:99", ">a >b-or-c >>b >>c >dr-2-2"},
		{"out:3", ">a >b-or-c >>c >b >dr-2-1"},
		{"out:1", ">a >b-or-c >>b >>c >dr-2-2"},
		{"in:5", ">a >b-or-c >>b >>c >>dr-2-2"},
		{"in:2", ">a >b-or-c >>b >>c >dr-2-2"},
	}
	for _, tt := range tests {
		e := base()
		if !e.apply(tt.op) {
			t.Errorf("%s: not a button", tt.op)
		}
		if got := strings.TrimPrefix(labels(e), " "); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.op, got, tt.want)
		}
	}
	e := base()
	e.apply("add:2")
	if k := e.Root.Rules[1].Rules[2].Kind; k != string(pathway.KindMinCredits) {
		t.Errorf("added rule kind %q, want the chosen minCredits", k)
	}
	// Rule 5 needed rule 4 by its engine id; rule 4 is then given its own.
	e = base()
	e.Root.Rules[1].Rules[1].ID = "stats"
	var errs formErrors
	if p := e.toPathway(&errs); len(errs.Get("r5-prereq")) > 0 || p.Root.Rules[2].Prerequisites[0] != "stats" {
		t.Errorf("the prerequisite did not follow the new id: %v, %v", p.Root.Rules[2].Prerequisites, errs)
	}
	if e.apply("save") || e.apply("add:x") {
		t.Error("save and a malformed button were taken for tree buttons")
	}
}

func TestReadSchemeEdit(t *testing.T) {
	tests := []struct {
		name string
		form url.Values
		want string
		errs map[string]string
	}{
		{
			name: "rules, caps and conversion",
			form: postedForm("editor=1", "s-id=bsc", "s-name=BSc Data Science", "s-description=Credit.", "s-unit=SCH",
				"s-hours-sch=60", "s-hours-ects=", "s-hours-ncrf=", "s-step=-1",
				"a0-present=1", "a0-id=stats", "a0-label=Statistics", "a0-source=local", "a0-local=city-uni/statistics",
				"a0-course=STAT 101", "a0-coursetitle=Statistics", "a0-credits=3", "a0-group=micro",
				"a1-present=1", "a1-source=credit", "a1-framework=NCrF", "a1-minamount=1", "a1-maxage=3650", "a1-group=micro",
				"a1-resultname=grade", "a1-resultoneof=pass",
				"a2-present=1", "a2-source=other", "a2-issuer=did:web:ace.example", "a2-achievement=urn:x",
				"c0-group=micro", "c0-max=18", "c0-label=at most 18 credit hours from micro-credentials", "c1-group=", "c1-max=60"),
			want: `{"id":"bsc","name":"BSc Data Science","description":"Credit.","unit":"SCH","conversion":{"hoursPerCredit":{"SCH":60},"step":-1},
			  "rules":[{"id":"stats","label":"Statistics","course":"STAT 101","courseTitle":"Statistics","credits":3,"group":"micro",
			     "match":{"issuer":"org:city-uni","achievement":"statistics"}},
			   {"maxAgeDays":3650,"group":"micro","match":{"framework":"NCrF","minAmount":1,"result":{"name":"grade","oneOf":["pass"]}}},
			   {"match":{"issuer":"did:web:ace.example","achievement":"urn:x"}}],
			  "caps":[{"group":"micro","max":18,"label":"at most 18 credit hours from micro-credentials"},{"max":60}]}`,
		},
		{
			name: "errors",
			form: postedForm("editor=1", "s-id=bsc", "s-name=B", "s-unit=hours", "s-hours-ects=0", "s-step=20",
				"a0-present=1", "a0-id=x", "a0-source=credit", "a0-credits=-1", "a0-maxage=1.5",
				"a1-present=1", "a1-id=x", "a1-source=local", "a1-local=a/b",
				"c0-group=nobody", "c0-max=", "c1-group=nobody", "c1-max=3"),
			errs: map[string]string{
				"s-unit":       "Credit unit of the programme: choose one",
				"s-hours-ects": "Hours per ECTS credit: a number of hours more than 0",
				"s-step":       "Rounding step: a number up to 10",
				"a0-framework": "Rule 1: Credit framework: choose ACE, ECTS or NCrF",
				"a0-credits":   "Rule 1: Credits awarded: a number, 0 or more",
				"a0-maxage":    "Rule 1: Earned at most how many days ago: a whole number",
				"a1-id":        `Rule 2: Rule id: "x" is already used by rule 1`,
				"c0-max":       "Limit 1: At most: a number of credits",
				"c0-group":     `Limit 1: Group: no rule is in group "nobody"`,
				"c1-group":     "Limit 2: Group: another limit already applies to it",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errs formErrors
			e := readSchemeEdit(tt.form)
			s := e.toScheme(&errs)
			for field, want := range tt.errs {
				if got := strings.Join(errs.Get(field), " | "); !strings.Contains(got, want) {
					t.Errorf("%s: error %q, want %q", field, got, want)
				}
			}
			if tt.errs != nil {
				return
			}
			if errs.Any() {
				t.Fatalf("errors: %v", errs)
			}
			b, _ := json.Marshal(s)
			if got, want := canonicalDoc(t, &pathway.Scheme{}, string(b)), canonicalDoc(t, &pathway.Scheme{}, tt.want); got != want {
				t.Errorf("document\n got %s\nwant %s", got, want)
			}
			if _, err := pathway.ParseScheme(b); err != nil {
				t.Errorf("the API refuses it: %v", err)
			}
			var again formErrors
			s2 := schemeEditOf(&s, map[string]string{"city-uni/statistics": "Statistics"}).toScheme(&again)
			if b2, _ := json.Marshal(s2); string(b2) != string(b) || again.Any() {
				t.Errorf("round trip\n got %s\nwant %s (%v)", b2, b, again)
			}
			// The buttons.
			e.apply("add-rule")
			e.apply("up-rule:2")
			e.apply("remove-cap:0")
			e.apply("add-cap")
			if len(e.Rules) != 4 || e.Rules[1].Match.Source != sourceOther || len(e.Caps) != 2 || e.Caps[0].Max != "60" || e.Caps[1].Max != "" {
				t.Errorf("after the buttons: %d rules, %d caps", len(e.Rules), len(e.Caps))
			}
		})
	}
}

// TestTranslateEngineErrors: what the engine or Define reports lands on
// the field it names, in words the form uses.
func TestTranslateEngineErrors(t *testing.T) {
	e := readPathwayEdit(postedForm("p-id=x", "p-name=X", "r0-depth=0", "r0-kind=allOf",
		"r1-depth=1", "r1-kind=credential", "r1-id=first",
		"r2-depth=1", "r2-kind=nOf", "r2-n=1",
		"r3-depth=2", "r3-kind=pathway", "r3-pathway=other",
		"r4-depth=1", "r4-kind=credential", "r4-source=other", "r4-issuer=org:nowhere", "r4-achievement=alchemy",
		"r5-depth=1", "r5-kind=credential", "r5-source=credit", "r5-issuers=did:web:a\norg:gone"))
	e.flatten()
	tests := []struct {
		err, field, want string
	}{
		{"root.rules[1].n: 4 must be between 1 and the number of child rules (1)", "r2-n", "Rule 3 (n of): N: 4 must be between"},
		{"root.rules[1].rules[0].withinDays: 40000 is not between 0 and 36500", "r3-within", "Rule 4 (another pathway): Within how many days: 40000"},
		{"root.rules[0].match.result.min: must be a number", "r1-resultmin", "Rule 2 (a specific credential): Lowest accepted result: must be a number"},
		{`prerequisites: rule "first" depends on itself`, "r1-prereq", `Rule 2 (a specific credential): prerequisites: rule "first" depends on itself`},
		{`pathway "x": rule "r-2-1": no pathway "other"`, "r3-kind", `Rule 4 (another pathway): rule "r-2-1": no pathway "other"`},
		{`award.achievementId: "u" is not an achievement of City's catalog`, "p-award", `Award: "u" is not an achievement`},
		{`achievement "alchemy" of city-uni: not found`, "r4-achievement", `Rule 5 (a specific credential): Achievement id: "alchemy" is not in the catalog of city-uni`},
		{`achievement "gold" of city-uni: not found`, "", `The pathway was not saved: achievement "gold" of city-uni: not found`},
		{`issuer "org:nowhere": no organization "nowhere" on this server`, "r4-issuer", `Rule 5 (a specific credential): Issuer id: no organization "nowhere" on this server`},
		{`issuer "org:gone": no organization "gone" on this server`, "r5-issuers", `Rule 6 (a specific credential): Only from these issuers: no organization "gone"`},
		{`pathway "other": contains itself through nested pathway rules`, "r3-pathway", `Rule 4 (another pathway): Pathway: this would make the pathway contain itself`},
	}
	for _, tt := range tests {
		var errs formErrors
		e.translateError(engineErr(tt.err), &errs)
		if len(errs) != 1 || errs[0].Field != tt.field || !strings.Contains(errs[0].Message, tt.want) {
			t.Errorf("%s: %+v, want %s: %s", tt.err, errs, tt.field, tt.want)
		}
	}
	s := readSchemeEdit(postedForm("s-id=x", "a0-present=1", "a0-source=local", "c0-max=1"))
	for _, tt := range []struct{ err, field, want string }{
		{"rules[0].match.issuer: required", "a0-issuer", "Rule 1: Issuer id: required"},
		{`caps[0].group: "g" has another cap`, "c0-group", `Limit 1: Group: "g" has another cap`},
		{"conversion: step: 20 is not a rounding step up to 10", "s-hours-sch", "Conversion: step: 20"},
	} {
		var errs formErrors
		s.translateError(engineErr(tt.err), &errs)
		if len(errs) != 1 || errs[0].Field != tt.field || !strings.Contains(errs[0].Message, tt.want) {
			t.Errorf("%s: %+v, want %s: %s", tt.err, errs, tt.field, tt.want)
		}
	}
}

type engineErr string

func (e engineErr) Error() string { return string(e) }

// FuzzPathwayEditorForm: any posted form reads without panicking into a
// tree of at most MaxRules rules; a form without errors makes a document
// whose engine errors, if any, land on a field or the summary, and which
// reads back from the form unchanged.
func FuzzPathwayEditorForm(f *testing.F) {
	f.Add("p-id=a&p-name=A&r0-depth=0&r0-kind=allOf&r1-depth=1&r1-kind=credential&r1-source=local&r1-local=o/s&op=save")
	f.Add("p-id=a&p-name=A&r0-kind=nOf&r0-n=1&r1-depth=1&r1-kind=credential&r1-source=credit&r1-framework=ACE&r1-prereq=r&op=up:1")
	f.Add("p-id=a&p-name=A&r0-kind=credential&r0-source=other&r0-issuer=did:x&r0-achievement=y&r0-resultname=g&r0-resultmin=1e400")
	f.Add("r0-kind=allOf&r1-depth=9&r1-kind=pathway&r1-pathway=a&r1-prereq=r-1&op=remove:1")
	f.Add("s-id=b&s-name=B&s-unit=ECTS&a0-present=1&a0-source=credit&a0-framework=NCrF&c0-group=&c0-max=3&op=add-rule")
	f.Fuzz(func(t *testing.T, q string) {
		v, err := url.ParseQuery(q)
		if err != nil {
			return
		}
		e := readPathwayEdit(v)
		e.apply(v.Get("op"))
		if n := len(e.flatten()); n > maxRows+1 {
			t.Fatalf("%d rows", n)
		}
		var errs formErrors
		p := e.toPathway(&errs)
		for _, m := range errs {
			if m.Message == "" {
				t.Fatalf("an empty message for %q", m.Field)
			}
		}
		if !errs.Any() {
			b, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := pathway.ParsePathway(b); err != nil {
				var tr formErrors
				e.translateError(err, &tr)
				if len(tr) != 1 || tr[0].Message == "" {
					t.Fatalf("engine error %v translated to %v", err, tr)
				}
			}
			var again formErrors
			b2, _ := json.Marshal(pathwayEditOf(&p, nil).toPathway(&again))
			if string(b2) != string(b) || again.Any() {
				t.Fatalf("round trip\n got %s\nwant %s (%v)", b2, b, again)
			}
		}
		s := readSchemeEdit(v)
		s.apply(v.Get("op"))
		var serrs formErrors
		sc := s.toScheme(&serrs)
		if !serrs.Any() {
			b, _ := json.Marshal(sc)
			if _, err := pathway.ParseScheme(b); err != nil {
				var tr formErrors
				s.translateError(err, &tr)
				if len(tr) != 1 {
					t.Fatalf("engine error %v translated to %v", err, tr)
				}
			}
			var again formErrors
			b2, _ := json.Marshal(schemeEditOf(&sc, nil).toScheme(&again))
			if string(b2) != string(b) || again.Any() {
				t.Fatalf("scheme round trip\n got %s\nwant %s (%v)", b2, b, again)
			}
		}
	})
}

// TestMatchViewEmptyCatalog: with nothing in the catalog to choose, a new
// match starts at another issuer's achievement; a chosen one stays.
func TestMatchViewEmptyCatalog(t *testing.T) {
	v := &editorView{}
	if got := v.matchView("r1-", matchForm{Source: sourceLocal}).M.Source; got != sourceOther {
		t.Errorf("empty catalog: source %q", got)
	}
	if got := v.matchView("r1-", matchForm{Source: sourceLocal, Local: "a/b"}).M.Source; got != sourceLocal {
		t.Errorf("a chosen achievement: source %q", got)
	}
	v.Local = []option{{"a/b", "B"}}
	if got := v.matchView("r1-", matchForm{Source: sourceLocal}).M.Source; got != sourceLocal {
		t.Errorf("with a catalog: source %q", got)
	}
}
