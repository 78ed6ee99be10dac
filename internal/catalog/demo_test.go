package catalog

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestDemoCatalogValid(t *testing.T) {
	orgs := DemoCatalog()
	if len(orgs) != 2 || orgs[0].Slug != "demo-university" || orgs[1].Slug != "northwind-academy" {
		t.Fatalf("orgs = %v, want demo-university and northwind-academy", orgSlugs(orgs))
	}
	if orgs[0].Name != "Demo University" || orgs[0].Country != "NL" {
		t.Errorf("university = %q %q", orgs[0].Name, orgs[0].Country)
	}
	ids := map[string]bool{}
	total := 0
	eqf := map[int]bool{}
	var nsqf, ace, ects, ncrf int
	for _, o := range orgs {
		slugs := map[string]bool{}
		for i := range o.Achievements {
			a := &o.Achievements[i]
			total++
			if err := a.Validate(); err != nil {
				t.Errorf("%s: %v", a.ID, err)
			}
			if ids[a.ID] {
				t.Errorf("duplicate id %s", a.ID)
			}
			ids[a.ID] = true
			if slugs[a.Slug] {
				t.Errorf("duplicate slug %s", a.Slug)
			}
			slugs[a.Slug] = true
			if a.Provider != o.Slug {
				t.Errorf("%s: provider %q, want %q", a.ID, a.Provider, o.Slug)
			}
			if len(a.Skills) == 0 || len(a.LearningOutcomes) < 3 {
				t.Errorf("%s: %d skills, %d outcomes; demo entries must be complete", a.ID, len(a.Skills), len(a.LearningOutcomes))
			}
			eqf[a.EQFLevel] = true
			if a.NSQFLevel > 0 {
				nsqf++
			}
			for _, cr := range a.CreditRecommendations {
				switch cr.Framework {
				case FrameworkACE:
					ace++
				case FrameworkECTS:
					ects++
				case FrameworkNCrF:
					ncrf++
				}
			}
			// The demo must survive the store's JSON round trip unchanged.
			b, err := json.Marshal(a)
			if err != nil {
				t.Fatal(err)
			}
			var back Achievement
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			b2, _ := json.Marshal(&back)
			if string(b) != string(b2) {
				t.Errorf("%s: JSON round trip changed the entry", a.ID)
			}
		}
	}
	if total < 8 {
		t.Errorf("%d achievements, want at least 8", total)
	}
	for l := 4; l <= 7; l++ {
		if !eqf[l] {
			t.Errorf("no demo achievement at EQF level %d", l)
		}
	}
	if nsqf == 0 || ncrf == 0 || ace < 2 || ects == 0 {
		t.Errorf("nsqf=%d ncrf=%d ace=%d ects=%d; want all frameworks represented", nsqf, ncrf, ace, ects)
	}
}

func TestDemoDataAnalyticsCertificate(t *testing.T) {
	var a *Achievement
	for _, o := range DemoCatalog() {
		for i := range o.Achievements {
			if o.Achievements[i].Slug == "data-analytics-professional-certificate" {
				a = &o.Achievements[i]
			}
		}
	}
	if a == nil {
		t.Fatal("data analytics certificate missing")
	}
	want := map[string]CreditRecommendation{
		FrameworkACE:  {Amount: 12, Level: "lower-division baccalaureate"},
		FrameworkECTS: {Amount: 6},
	}
	for _, cr := range a.CreditRecommendations {
		w, ok := want[cr.Framework]
		if !ok {
			continue
		}
		if cr.Amount != w.Amount || (w.Level != "" && cr.Level != w.Level) {
			t.Errorf("%s recommendation = %v %q", cr.Framework, cr.Amount, cr.Level)
		}
		delete(want, cr.Framework)
	}
	if len(want) > 0 {
		t.Errorf("missing recommendations: %v", want)
	}
	sf := a.SearchFields()
	if !slices.Contains(sf.Skills, "15-2051.00") || !slices.ContainsFunc(sf.Skills, func(s string) bool {
		return strings.HasPrefix(s, "http://data.europa.eu/esco/skill/")
	}) {
		t.Errorf("skills %v lack ESCO and O*NET alignments", sf.Skills)
	}
}

func TestDemoStackableSeries(t *testing.T) {
	uni := DemoCatalog()[0]
	byID := map[string]Achievement{}
	for _, a := range uni.Achievements {
		byID[a.ID] = a
	}
	parts := map[string][]string{}
	for _, a := range uni.Achievements {
		for _, s := range a.StacksInto {
			target, ok := byID[s.ID]
			if !ok {
				t.Errorf("%s stacks into unknown %s", a.ID, s.ID)
				continue
			}
			if target.Name != s.Name {
				t.Errorf("%s: stack name %q, target is %q", a.ID, s.Name, target.Name)
			}
			parts[s.ID] = append(parts[s.ID], a.ID)
		}
	}
	found := false
	for target, ps := range parts {
		if len(ps) >= 3 {
			found = true
			sum := 0.0
			for _, p := range ps {
				sum += byID[p].Workload.ECTS
			}
			if sum != byID[target].Workload.ECTS {
				t.Errorf("%s: parts carry %v ECTS, programme %v", target, sum, byID[target].Workload.ECTS)
			}
		}
	}
	if !found {
		t.Error("no credential with three stacking micro-credentials")
	}
}

func TestDemoCatalogAtRebases(t *testing.T) {
	for _, o := range DemoCatalogAt("http://localhost:8080/") {
		for _, a := range o.Achievements {
			if !strings.HasPrefix(a.ID, "http://localhost:8080/achievements/"+o.Slug+"/") {
				t.Errorf("id %s not rebased", a.ID)
			}
			for _, s := range a.StacksInto {
				if !strings.HasPrefix(s.ID, "http://localhost:8080/") {
					t.Errorf("stack id %s not rebased", s.ID)
				}
			}
		}
	}
}

func TestDemoLearnerNames(t *testing.T) {
	names := DemoLearnerNames(50)
	if len(names) != 50 {
		t.Fatalf("got %d names", len(names))
	}
	seen := map[string]bool{}
	families := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			t.Errorf("duplicate name %q", n)
		}
		seen[n] = true
		parts := strings.Fields(n)
		if len(parts) < 2 {
			t.Errorf("name %q has no family name", n)
		}
		families[parts[len(parts)-1]] = true
	}
	if len(families) < 30 {
		t.Errorf("only %d distinct family names in 50 learners", len(families))
	}
	if again := DemoLearnerNames(50); !slices.Equal(names, again) {
		t.Error("names are not deterministic")
	}
	if more := DemoLearnerNames(60); !slices.Equal(more[:50], names) {
		t.Error("DemoLearnerNames(50) is not a prefix of DemoLearnerNames(60)")
	}
	big := DemoLearnerNames(1000)
	all := map[string]bool{}
	for _, n := range big {
		if all[n] {
			t.Fatalf("duplicate %q in 1000 names", n)
		}
		all[n] = true
	}
	if DemoLearnerNames(0) != nil || DemoLearnerNames(-1) != nil {
		t.Error("non-positive n must give nil")
	}
}

func orgSlugs(orgs []DemoOrg) []string {
	var s []string
	for _, o := range orgs {
		s = append(s, o.Slug)
	}
	return s
}
