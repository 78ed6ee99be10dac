package catalog

import (
	"slices"
	"testing"
)

func demoBySlug(t *testing.T) map[string]*Achievement {
	t.Helper()
	m := map[string]*Achievement{}
	for _, o := range DemoCatalog() {
		for i := range o.Achievements {
			m[o.Achievements[i].Slug] = &o.Achievements[i]
		}
	}
	return m
}

func TestSearchFields(t *testing.T) {
	a := demoBySlug(t)["data-analytics-professional-certificate"]
	sf := a.SearchFields()
	if sf.Name != a.Name || sf.Provider != "northwind-academy" || sf.EQFLevel != 5 || sf.NSQFLevel != 0 || sf.ECTS != 6 {
		t.Errorf("SearchFields = %+v", sf)
	}
	if !slices.Equal(sf.Frameworks, []string{"ACE", "ECTS"}) {
		t.Errorf("Frameworks = %v, want [ACE ECTS] (ECTS once, from workload and recommendation)", sf.Frameworks)
	}
	if !slices.IsSorted(sf.Skills) || !slices.Contains(sf.Skills, "15-2051.01") ||
		!slices.Contains(sf.Skills, "http://data.europa.eu/esco/skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742") {
		t.Errorf("Skills = %v", sf.Skills)
	}
	csa := demoBySlug(t)["cloud-support-associate"].SearchFields()
	if csa.NSQFLevel != 5 || csa.ECTS != 0 || !slices.Equal(csa.Frameworks, []string{"NCrF"}) {
		t.Errorf("cloud support associate SearchFields = %+v", csa)
	}
}

func TestFilterMatch(t *testing.T) {
	demo := demoBySlug(t)
	tests := []struct {
		name   string
		filter Filter
		want   []string // matching demo slugs
	}{
		{"text in name, any case", Filter{Text: "  MACHINE learning "}, []string{"machine-learning-in-practice"}},
		{"text in description", Filter{Text: "GDPR"}, []string{"data-engineering-and-governance"}},
		{"eqf 7", Filter{EQFLevel: 7}, []string{"applied-data-science-programme", "data-engineering-and-governance", "machine-learning-in-practice"}},
		{"eqf 4", Filter{EQFLevel: 4}, []string{"python-for-data-analysis"}},
		{"nsqf 5", Filter{NSQFLevel: 5}, []string{"cloud-support-associate"}},
		{"skill by O*NET code", Filter{Skill: "15-2051.00"}, []string{"applied-data-science-programme", "data-analytics-professional-certificate", "machine-learning-in-practice"}},
		{"skill by ESCO URI", Filter{Skill: "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"}, []string{"machine-learning-in-practice", "python-for-data-analysis", "statistics-for-data-science"}},
		{"ACE credit", Filter{CreditFramework: "ACE"}, []string{"cloud-data-engineering-certificate", "data-analytics-professional-certificate"}},
		{"NCrF credit", Filter{CreditFramework: "NCrF"}, []string{"cloud-support-associate"}},
		{"provider and eqf", Filter{Provider: "northwind-academy", EQFLevel: 6}, []string{"cloud-data-engineering-certificate"}},
		{"all criteria", Filter{Text: "analytics", EQFLevel: 5, Skill: "15-2051.01", CreditFramework: "ECTS", Provider: "northwind-academy"}, []string{"data-analytics-professional-certificate"}},
		{"no match", Filter{Text: "astrophysics"}, nil},
		{"framework is exact", Filter{CreditFramework: "ects"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for slug, a := range demo {
				if tt.filter.Match(a) {
					got = append(got, slug)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Match = %v, want %v", got, tt.want)
			}
		})
	}
	if (Filter{}).Match(nil) {
		t.Error("nil achievement matched")
	}
	all := 0
	for _, a := range demo {
		if (Filter{}).Match(a) {
			all++
		}
	}
	if all != len(demo) {
		t.Errorf("empty filter matched %d of %d", all, len(demo))
	}
}
