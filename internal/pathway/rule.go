package pathway

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Kind is the kind of a Rule.
type Kind string

// Rule kinds; see the package comment.
const (
	KindCredential Kind = "credential"
	KindAllOf      Kind = "allOf"
	KindNOf        Kind = "nOf"
	KindMinCredits Kind = "minCredits"
	KindPathway    Kind = "pathway"
)

// Pathway is one version of a stacking pathway: the rules that, once met,
// earn a larger credential.
type Pathway struct {
	// ID names the pathway in URLs and in nested pathway rules: lowercase
	// letters, digits and hyphens.
	ID          string `json:"id"`
	Version     int    `json:"version,omitempty"` // allocated by the store
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Award is the achievement the pathway earns when complete; nil when
	// the pathway only tracks progress.
	Award *Award `json:"award,omitempty"`
	Root  Rule   `json:"root"`
}

// Award is the stacked credential a completed pathway earns.
type Award struct {
	// AchievementID is the catalog id of the achievement issued.
	AchievementID string `json:"achievementId"`
	Name          string `json:"name,omitempty"`
	// Review holds the award for a registrar's review instead of issuing
	// it as soon as the pathway completes.
	Review bool `json:"review,omitempty"`
}

// Rule is a node of a pathway's rule tree.
type Rule struct {
	// ID identifies the rule within its pathway (for prerequisites and in
	// explanations); Validate fills missing ids from the rule's position.
	ID    string `json:"id,omitempty"`
	Label string `json:"label,omitempty"`
	Kind  Kind   `json:"kind"`
	// Match selects the credentials of a credential rule.
	Match *Match `json:"match,omitempty"`
	// Credits is what a credential rule's credential is worth inside a
	// minCredits rule, in that rule's unit; 0 takes the credential's own
	// credit recommendations, converted.
	Credits float64 `json:"credits,omitempty"`
	// N is how many children an nOf rule needs.
	N int `json:"n,omitempty"`
	// MinCredits and Unit are the threshold of a minCredits rule.
	MinCredits float64 `json:"minCredits,omitempty"`
	Unit       Unit    `json:"unit,omitempty"`
	// Pathway is the id of the pathway a pathway rule needs completed.
	Pathway string `json:"pathway,omitempty"`
	Rules   []Rule `json:"rules,omitempty"`
	// Prerequisites are ids of rules of the same pathway that must be
	// complete for this rule to be.
	Prerequisites []string `json:"prerequisites,omitempty"`
	// WithinDays, when positive, requires the credentials this rule counts
	// to have been issued within that many days of each other.
	WithinDays int `json:"withinDays,omitempty"`
}

// Match selects credentials: by issuer and achievement, or by a credit
// recommendation the credential carries, and optionally by a result.
type Match struct {
	// Issuer is the issuer's DID (or other id). It is required with
	// Achievement: an achievement id alone can be claimed by anyone.
	Issuer      string `json:"issuer,omitempty"`
	Achievement string `json:"achievement,omitempty"`
	// Issuers, when set, limits a credit recommendation match to these
	// issuers; a recommendation is the issuer's own claim.
	Issuers []string `json:"issuers,omitempty"`
	// Framework selects credentials with a credit recommendation in this
	// framework (ACE, ECTS or NCrF) of at least MinAmount, at one of
	// Levels when Levels is set.
	Framework string   `json:"framework,omitempty"`
	MinAmount float64  `json:"minAmount,omitempty"`
	Levels    []string `json:"levels,omitempty"`
	// Result, when set, is a condition on the credential's results.
	Result *ResultCondition `json:"result,omitempty"`
	// Name is how explanations and suggestions name what the match wants.
	Name string `json:"name,omitempty"`
}

// ResultCondition is a condition on one result of a credential.
type ResultCondition struct {
	// Name is the result's name or result description id.
	Name string `json:"name"`
	// Min is the lowest accepted value when values are numbers.
	Min *float64 `json:"min,omitempty"`
	// OneOf lists the accepted values (letter grades, "pass").
	OneOf []string `json:"oneOf,omitempty"`
}

var idPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// MaxRules bounds the size of one pathway's rule tree.
const MaxRules = 500

// Validate checks a pathway on its own and fills in missing rule ids.
// Errors name the field by its path, e.g. "root.rules[2].n".
func (p *Pathway) Validate() error {
	if !idPattern.MatchString(p.ID) {
		return fmt.Errorf("id: %q must be 1 to 63 lowercase letters, digits or hyphens", p.ID)
	}
	if strings.TrimSpace(p.Name) == "" {
		return errors.New("name: required")
	}
	if len(p.Name) > 200 {
		return errors.New("name: longer than 200 characters")
	}
	if p.Award != nil && strings.TrimSpace(p.Award.AchievementID) == "" {
		return errors.New("award.achievementId: required when an award is given")
	}
	ids := map[string]bool{}
	count := 0
	if err := p.Root.validate("root", "r", ids, &count); err != nil {
		return err
	}
	// Prerequisites must name rules of this pathway and must not loop.
	deps := map[string][]string{}
	var walk func(r *Rule, path string) error
	walk = func(r *Rule, path string) error {
		for i, pre := range r.Prerequisites {
			if !ids[pre] {
				return fmt.Errorf("%s.prerequisites[%d]: no rule %q in this pathway", path, i, pre)
			}
			if pre == r.ID {
				return fmt.Errorf("%s.prerequisites[%d]: a rule cannot be its own prerequisite", path, i)
			}
		}
		deps[r.ID] = r.Prerequisites
		for i := range r.Rules {
			if err := walk(&r.Rules[i], fmt.Sprintf("%s.rules[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(&p.Root, "root"); err != nil {
		return err
	}
	// A prerequisite loop: a rule whose prerequisite (or one of its
	// descendants' prerequisites) leads back to it.
	if cyc := findCycle(withDescendants(&p.Root, deps)); cyc != "" {
		return fmt.Errorf("prerequisites: rule %q depends on itself", cyc)
	}
	return nil
}

// withDescendants turns the prerequisite map into the dependency graph
// evaluation follows: a rule depends on its prerequisites and its
// children.
func withDescendants(root *Rule, pre map[string][]string) map[string][]string {
	g := map[string][]string{}
	var walk func(r *Rule)
	walk = func(r *Rule) {
		g[r.ID] = append(g[r.ID], pre[r.ID]...)
		for i := range r.Rules {
			g[r.ID] = append(g[r.ID], r.Rules[i].ID)
			walk(&r.Rules[i])
		}
	}
	walk(root)
	return g
}

// findCycle returns a node on a cycle of g, or "".
func findCycle(g map[string][]string) string {
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	var visit func(n string) string
	visit = func(n string) string {
		color[n] = grey
		for _, m := range g[n] {
			switch color[m] {
			case grey:
				return m
			case white:
				if c := visit(m); c != "" {
					return c
				}
			}
		}
		color[n] = black
		return ""
	}
	keys := make([]string, 0, len(g))
	for k := range g {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if color[k] == white {
			if c := visit(k); c != "" {
				return c
			}
		}
	}
	return ""
}

func (r *Rule) validate(path, autoID string, ids map[string]bool, count *int) error {
	*count++
	if *count > MaxRules {
		return fmt.Errorf("%s: more than %d rules in one pathway", path, MaxRules)
	}
	if r.ID == "" {
		r.ID = autoID
	}
	if !idPattern.MatchString(r.ID) {
		return fmt.Errorf("%s.id: %q must be 1 to 63 lowercase letters, digits or hyphens", path, r.ID)
	}
	if ids[r.ID] {
		return fmt.Errorf("%s.id: %q is used by another rule of this pathway", path, r.ID)
	}
	ids[r.ID] = true
	if len(r.Label) > 200 {
		return fmt.Errorf("%s.label: longer than 200 characters", path)
	}
	if r.WithinDays < 0 || r.WithinDays > 36500 {
		return fmt.Errorf("%s.withinDays: %d is not between 0 and 36500", path, r.WithinDays)
	}
	if r.Credits < 0 || math.IsNaN(r.Credits) || math.IsInf(r.Credits, 0) {
		return fmt.Errorf("%s.credits: must be a number of credits, 0 or more", path)
	}
	switch r.Kind {
	case KindCredential:
		if r.Match == nil {
			return fmt.Errorf("%s.match: required for a credential rule", path)
		}
		if len(r.Rules) > 0 {
			return fmt.Errorf("%s.rules: a credential rule has no child rules", path)
		}
		return r.Match.Validate(path + ".match")
	case KindAllOf, KindNOf:
		if len(r.Rules) == 0 {
			return fmt.Errorf("%s.rules: %s needs at least one child rule", path, r.Kind)
		}
		if r.Kind == KindNOf && (r.N < 1 || r.N > len(r.Rules)) {
			return fmt.Errorf("%s.n: %d must be between 1 and the number of child rules (%d)", path, r.N, len(r.Rules))
		}
	case KindMinCredits:
		if !(r.MinCredits > 0) || math.IsInf(r.MinCredits, 0) {
			return fmt.Errorf("%s.minCredits: must be more than 0", path)
		}
		if !r.Unit.Valid() {
			return fmt.Errorf("%s.unit: %q is not a credit unit (use SCH, ECTS or NCrF)", path, r.Unit)
		}
		if len(r.Rules) == 0 {
			return fmt.Errorf("%s.rules: minCredits needs the credential rules it counts", path)
		}
		for i := range r.Rules {
			if r.Rules[i].Kind != KindCredential {
				return fmt.Errorf("%s.rules[%d].kind: minCredits counts credential rules only", path, i)
			}
		}
	case KindPathway:
		if !idPattern.MatchString(r.Pathway) {
			return fmt.Errorf("%s.pathway: %q is not a pathway id", path, r.Pathway)
		}
		if len(r.Rules) > 0 {
			return fmt.Errorf("%s.rules: a pathway rule has no child rules", path)
		}
	default:
		return fmt.Errorf("%s.kind: %q is not a rule kind (use credential, allOf, nOf, minCredits or pathway)", path, r.Kind)
	}
	for i := range r.Rules {
		if err := r.Rules[i].validate(fmt.Sprintf("%s.rules[%d]", path, i), autoID+"-"+strconv.Itoa(i+1), ids, count); err != nil {
			return err
		}
	}
	return nil
}

// Validate checks a match; path prefixes the field names in errors.
func (m *Match) Validate(path string) error {
	switch {
	case m.Achievement != "" && m.Framework != "":
		return fmt.Errorf("%s: match either an achievement or a credit recommendation, not both", path)
	case m.Achievement != "":
		if strings.TrimSpace(m.Issuer) == "" {
			return fmt.Errorf("%s.issuer: required with an achievement, since anyone can claim an achievement id", path)
		}
		if len(m.Issuers) > 0 {
			return fmt.Errorf("%s.issuers: only for credit recommendation matches; use issuer", path)
		}
	case m.Framework != "":
		if _, ok := UnitOfFramework(m.Framework); !ok {
			return fmt.Errorf("%s.framework: %q is not a credit framework (use ACE, ECTS or NCrF)", path, m.Framework)
		}
		if m.MinAmount < 0 || math.IsNaN(m.MinAmount) || math.IsInf(m.MinAmount, 0) {
			return fmt.Errorf("%s.minAmount: must be 0 or more", path)
		}
	default:
		return fmt.Errorf("%s: name an achievement (with its issuer) or a credit framework", path)
	}
	if m.Result != nil {
		if strings.TrimSpace(m.Result.Name) == "" {
			return fmt.Errorf("%s.result.name: required", path)
		}
		if m.Result.Min == nil && len(m.Result.OneOf) == 0 {
			return fmt.Errorf("%s.result: give a minimum or the accepted values", path)
		}
		if m.Result.Min != nil && (math.IsNaN(*m.Result.Min) || math.IsInf(*m.Result.Min, 0)) {
			return fmt.Errorf("%s.result.min: must be a number", path)
		}
	}
	return nil
}

// describe says in plain words what a match wants.
func (m *Match) describe() string {
	if m.Name != "" {
		return m.Name
	}
	if m.Achievement != "" {
		return m.Achievement + " from " + m.Issuer
	}
	s := m.Framework + " credit recommendation"
	if m.MinAmount > 0 {
		s += " of at least " + fmtNum(m.MinAmount)
	}
	if len(m.Levels) > 0 {
		s += " at " + strings.Join(m.Levels, " or ")
	}
	return s
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
