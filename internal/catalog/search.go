package catalog

import (
	"slices"
	"strings"
)

// SearchFields are the values the store extracts from an entry into columns
// so the catalog can be filtered without parsing JSON.
type SearchFields struct {
	Name        string
	Description string
	Provider    string
	EQFLevel    int     // 0 when not levelled
	NSQFLevel   int     // 0 when not levelled
	ECTS        float64 // Workload.ECTS; 0 when not set
	// Frameworks are the credit frameworks the entry carries credit in:
	// those of its credit recommendations, plus ECTS when the workload has
	// an ECTS figure. Sorted, without duplicates.
	Frameworks []string
	// Skills are the skill keys: ESCO URIs, O*NET-SOC codes and the URIs of
	// skills from other frameworks. Sorted, without duplicates.
	Skills []string
}

// SearchFields returns the extracted columns of the entry.
func (a *Achievement) SearchFields() SearchFields {
	sf := SearchFields{
		Name:        a.Name,
		Description: a.Description,
		Provider:    a.Provider,
		EQFLevel:    a.EQFLevel,
		NSQFLevel:   a.NSQFLevel,
		ECTS:        a.Workload.ECTS,
	}
	if a.Workload.ECTS > 0 {
		sf.Frameworks = append(sf.Frameworks, FrameworkECTS)
	}
	for _, cr := range a.CreditRecommendations {
		if cr.Framework != "" {
			sf.Frameworks = append(sf.Frameworks, cr.Framework)
		}
	}
	for _, s := range a.Skills {
		if k := s.key(); k != "" {
			sf.Skills = append(sf.Skills, k)
		}
	}
	slices.Sort(sf.Frameworks)
	sf.Frameworks = slices.Compact(sf.Frameworks)
	slices.Sort(sf.Skills)
	sf.Skills = slices.Compact(sf.Skills)
	return sf
}

// Filter selects catalog entries. Zero fields do not filter; set fields must
// all match. The store implements the same rules in SQL, so each rule is
// stated as a comparison on SearchFields:
//
//   - Text: case-insensitive substring of Name or Description (surrounding
//     space ignored);
//   - EQFLevel, NSQFLevel: equal;
//   - Skill: equal to one of Skills (an ESCO URI or an O*NET-SOC code);
//   - CreditFramework: equal to one of Frameworks ("ACE", "ECTS", "NCrF");
//   - Provider: equal to the provider slug.
type Filter struct {
	Text            string
	EQFLevel        int
	NSQFLevel       int
	Skill           string
	CreditFramework string
	Provider        string
}

// Match reports whether the entry passes the filter.
func (f Filter) Match(a *Achievement) bool {
	if a == nil {
		return false
	}
	sf := a.SearchFields()
	if t := strings.ToLower(strings.TrimSpace(f.Text)); t != "" &&
		!strings.Contains(strings.ToLower(sf.Name), t) &&
		!strings.Contains(strings.ToLower(sf.Description), t) {
		return false
	}
	if f.EQFLevel != 0 && sf.EQFLevel != f.EQFLevel {
		return false
	}
	if f.NSQFLevel != 0 && sf.NSQFLevel != f.NSQFLevel {
		return false
	}
	if f.Skill != "" && !slices.Contains(sf.Skills, f.Skill) {
		return false
	}
	if f.CreditFramework != "" && !slices.Contains(sf.Frameworks, f.CreditFramework) {
		return false
	}
	if f.Provider != "" && sf.Provider != f.Provider {
		return false
	}
	return true
}
