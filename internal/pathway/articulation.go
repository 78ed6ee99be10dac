package pathway

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Scheme is one version of a credit articulation scheme: how credentials
// count as credit towards one program or degree of the institution.
type Scheme struct {
	ID          string `json:"id"`
	Version     int    `json:"version,omitempty"` // allocated by the store
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Unit is the institution's credit unit for this program.
	Unit Unit `json:"unit"`
	// Conversion overrides the engine's conversion for this scheme.
	Conversion *Conversion `json:"conversion,omitempty"`
	// Rules are tried in order; the first that matches a credential
	// applies, so put specific rules before general ones.
	Rules []ArticulationRule `json:"rules"`
	Caps  []Cap              `json:"caps,omitempty"`
}

// ArticulationRule maps matching credentials to a course and credit.
type ArticulationRule struct {
	ID    string `json:"id"`
	Label string `json:"label,omitempty"`
	Match Match  `json:"match"`
	// Course is the institution's course code the credential is
	// articulated to ("" for unassigned elective credit), CourseTitle its
	// title. A course is credited once, however many credentials map to it.
	Course      string `json:"course,omitempty"`
	CourseTitle string `json:"courseTitle,omitempty"`
	// Credits is the fixed credit awarded, in the scheme's unit; 0 awards
	// the credential's recommendation in the matched framework (or, for
	// an achievement match, its best recommendation), converted.
	Credits float64 `json:"credits,omitempty"`
	// MaxAgeDays, when positive, accepts only credentials issued at most
	// that many days before the audit date.
	MaxAgeDays int `json:"maxAgeDays,omitempty"`
	// Group names the cap group the credit falls under ("" for none).
	Group string `json:"group,omitempty"`
}

// Cap bounds credit: from one group of rules, or, with Group "", from the
// whole scheme.
type Cap struct {
	Group string  `json:"group,omitempty"`
	Max   float64 `json:"max"`
	Label string  `json:"label,omitempty"`
}

// Validate checks the scheme; errors name the field by its path.
func (s *Scheme) Validate() error {
	if !idPattern.MatchString(s.ID) {
		return fmt.Errorf("id: %q must be 1 to 63 lowercase letters, digits or hyphens", s.ID)
	}
	if strings.TrimSpace(s.Name) == "" {
		return errors.New("name: required")
	}
	if !s.Unit.Valid() {
		return fmt.Errorf("unit: %q is not a credit unit (use SCH, ECTS or NCrF)", s.Unit)
	}
	if s.Conversion != nil {
		if err := s.Conversion.Validate(); err != nil {
			return err
		}
	}
	if len(s.Rules) > MaxRules {
		return fmt.Errorf("rules: more than %d", MaxRules)
	}
	ids := map[string]bool{}
	groups := map[string]bool{}
	for i := range s.Rules {
		r := &s.Rules[i]
		path := fmt.Sprintf("rules[%d]", i)
		if r.ID == "" {
			r.ID = fmt.Sprintf("a%d", i+1)
		}
		if !idPattern.MatchString(r.ID) {
			return fmt.Errorf("%s.id: %q must be lowercase letters, digits or hyphens", path, r.ID)
		}
		if ids[r.ID] {
			return fmt.Errorf("%s.id: %q is used by another rule", path, r.ID)
		}
		ids[r.ID] = true
		if err := r.Match.Validate(path + ".match"); err != nil {
			return err
		}
		if r.Credits < 0 || math.IsNaN(r.Credits) || math.IsInf(r.Credits, 0) {
			return fmt.Errorf("%s.credits: must be 0 or more", path)
		}
		if r.MaxAgeDays < 0 || r.MaxAgeDays > 36500 {
			return fmt.Errorf("%s.maxAgeDays: %d is not between 0 and 36500", path, r.MaxAgeDays)
		}
		groups[r.Group] = true
	}
	seen := map[string]bool{}
	for i, c := range s.Caps {
		path := fmt.Sprintf("caps[%d]", i)
		if c.Max < 0 || math.IsNaN(c.Max) || math.IsInf(c.Max, 0) {
			return fmt.Errorf("%s.max: must be 0 or more", path)
		}
		if seen[c.Group] {
			return fmt.Errorf("%s.group: %q has another cap", path, c.Group)
		}
		seen[c.Group] = true
		if c.Group != "" && !groups[c.Group] {
			return fmt.Errorf("%s.group: no rule is in group %q", path, c.Group)
		}
	}
	return nil
}
