package pathway

import (
	"fmt"
	"maps"
	"slices"
)

// Definitions is what an institution has defined: its pathways, its
// articulation schemes, its default conversion, and optionally the
// achievements learners can earn (for what-if suggestions).
type Definitions struct {
	Pathways   []Pathway  `json:"pathways"`
	Schemes    []Scheme   `json:"schemes,omitempty"`
	Conversion Conversion `json:"conversion,omitzero"`
	Offers     []Offer    `json:"offers,omitempty"`
}

// Offer is an achievement a learner could earn: what a suggestion names.
type Offer struct {
	Issuer        string   `json:"issuer"`
	AchievementID string   `json:"achievementId"`
	Name          string   `json:"name"`
	Credits       []Credit `json:"credits,omitempty"`
}

// Engine evaluates a fixed set of definitions. It is immutable and safe
// for concurrent use; build it once and audit many learners with it.
type Engine struct {
	defs     Definitions
	pathways map[string]*Pathway
	order    []*Pathway                  // by id
	rules    map[string]map[string]*Rule // pathway id -> rule id -> rule
	offers   map[achKey]*Offer
}

// achKey identifies an achievement of an issuer.
type achKey struct{ issuer, achievement string }

// New validates the definitions and returns an engine for them. Nested
// pathway rules must name pathways of the same definitions, without
// loops.
func New(defs Definitions) (*Engine, error) {
	if err := defs.Conversion.Validate(); err != nil {
		return nil, err
	}
	defs.Conversion.HoursPerCredit = maps.Clone(defs.Conversion.HoursPerCredit)
	e := &Engine{
		pathways: map[string]*Pathway{},
		rules:    map[string]map[string]*Rule{},
		offers:   map[achKey]*Offer{},
	}
	// Copy so that later changes to the caller's slices cannot reach in.
	defs.Pathways = slices.Clone(defs.Pathways)
	defs.Schemes = slices.Clone(defs.Schemes)
	for i := range defs.Pathways {
		p := &defs.Pathways[i]
		*p = clonePathway(*p)
		if err := p.Validate(); err != nil {
			return nil, fmt.Errorf("pathway %q: %w", p.ID, err)
		}
		if e.pathways[p.ID] != nil {
			return nil, fmt.Errorf("pathway %q: defined twice", p.ID)
		}
		e.pathways[p.ID] = p
		e.order = append(e.order, p)
		idx := map[string]*Rule{}
		var walk func(r *Rule)
		walk = func(r *Rule) {
			idx[r.ID] = r
			for i := range r.Rules {
				walk(&r.Rules[i])
			}
		}
		walk(&p.Root)
		e.rules[p.ID] = idx
	}
	slices.SortFunc(e.order, func(a, b *Pathway) int { return cmpString(a.ID, b.ID) })
	// Nested pathways must exist and must not contain themselves.
	g := map[string][]string{}
	for _, p := range e.order {
		for _, r := range e.rules[p.ID] {
			if r.Kind == KindPathway {
				if e.pathways[r.Pathway] == nil {
					return nil, fmt.Errorf("pathway %q: rule %q: no pathway %q", p.ID, r.ID, r.Pathway)
				}
				g[p.ID] = append(g[p.ID], r.Pathway)
			}
		}
		slices.Sort(g[p.ID])
	}
	if c := findCycle(g); c != "" {
		return nil, fmt.Errorf("pathway %q: contains itself through nested pathway rules", c)
	}
	for i := range defs.Schemes {
		s := &defs.Schemes[i]
		*s = cloneScheme(*s)
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("scheme %q: %w", s.ID, err)
		}
	}
	slices.SortFunc(defs.Schemes, func(a, b Scheme) int { return cmpString(a.ID, b.ID) })
	for i := 1; i < len(defs.Schemes); i++ {
		if defs.Schemes[i].ID == defs.Schemes[i-1].ID {
			return nil, fmt.Errorf("scheme %q: defined twice", defs.Schemes[i].ID)
		}
	}
	defs.Offers = slices.Clone(defs.Offers)
	for i := range defs.Offers {
		o := &defs.Offers[i]
		e.offers[achKey{o.Issuer, o.AchievementID}] = o
	}
	e.defs = defs
	return e, nil
}

// Pathway returns the pathway with the given id.
func (e *Engine) Pathway(id string) (Pathway, bool) {
	p, ok := e.pathways[id]
	if !ok {
		return Pathway{}, false
	}
	return *p, true
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func clonePathway(p Pathway) Pathway {
	if p.Award != nil {
		a := *p.Award
		p.Award = &a
	}
	p.Root = cloneRule(p.Root)
	return p
}

func cloneRule(r Rule) Rule {
	if r.Match != nil {
		m := cloneMatch(*r.Match)
		r.Match = &m
	}
	r.Prerequisites = slices.Clone(r.Prerequisites)
	if r.Rules != nil {
		rs := make([]Rule, len(r.Rules))
		for i := range r.Rules {
			rs[i] = cloneRule(r.Rules[i])
		}
		r.Rules = rs
	}
	return r
}

func cloneMatch(m Match) Match {
	m.Issuers = slices.Clone(m.Issuers)
	m.Levels = slices.Clone(m.Levels)
	if m.Result != nil {
		rc := *m.Result
		rc.OneOf = slices.Clone(rc.OneOf)
		if rc.Min != nil {
			v := *rc.Min
			rc.Min = &v
		}
		m.Result = &rc
	}
	return m
}

func cloneScheme(s Scheme) Scheme {
	if s.Conversion != nil {
		c := *s.Conversion
		c.HoursPerCredit = maps.Clone(c.HoursPerCredit)
		s.Conversion = &c
	}
	s.Rules = slices.Clone(s.Rules)
	for i := range s.Rules {
		s.Rules[i].Match = cloneMatch(s.Rules[i].Match)
	}
	s.Caps = slices.Clone(s.Caps)
	return s
}
