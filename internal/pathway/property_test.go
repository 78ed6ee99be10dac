package pathway

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// gen builds random definitions and credentials over a small pool of
// achievements, so that random credentials often match random rules.
type gen struct {
	r       *rand.Rand
	issuers []string
	nAch    int
}

func newGen(seed uint64) *gen {
	return &gen{r: rand.New(rand.NewPCG(seed, 14)), issuers: []string{uni, ind, "did:key:z6Mkother"}, nAch: 12}
}

func (g *gen) ach() (string, string) {
	i := g.r.IntN(g.nAch)
	return g.issuers[i%len(g.issuers)], fmt.Sprintf("urn:a:%d", i)
}

var frameworks = []string{"ACE", "ECTS", "NCrF"}

func (g *gen) match() *Match {
	var m Match
	if g.r.IntN(3) > 0 {
		m.Issuer, m.Achievement = g.ach()
	} else {
		m.Framework = frameworks[g.r.IntN(3)]
		m.MinAmount = float64(g.r.IntN(6))
		if g.r.IntN(3) == 0 {
			m.Levels = []string{"1", "2"}
		}
		if g.r.IntN(3) == 0 {
			m.Issuers = []string{g.issuers[g.r.IntN(3)]}
		}
	}
	if g.r.IntN(5) == 0 {
		v := float64(g.r.IntN(100))
		m.Result = &ResultCondition{Name: "score", Min: &v}
		if g.r.IntN(2) == 0 {
			m.Result.OneOf = []string{"A", "B"}
		}
	}
	return &m
}

func (g *gen) rule(depth int, earlier []string, siblings *[]string, id *int) Rule {
	*id++
	rl := Rule{ID: fmt.Sprintf("n%d", *id)}
	if len(*siblings) > 0 && g.r.IntN(6) == 0 {
		rl.Prerequisites = []string{(*siblings)[g.r.IntN(len(*siblings))]}
	}
	if g.r.IntN(8) == 0 {
		rl.WithinDays = 30 + g.r.IntN(400)
	}
	k := g.r.IntN(10)
	switch {
	case depth >= 3 || k < 4:
		rl.Kind, rl.Match = KindCredential, g.match()
		if g.r.IntN(4) == 0 {
			rl.Credits = float64(1 + g.r.IntN(5))
		}
	case k < 6:
		rl.Kind = KindAllOf
	case k < 8:
		rl.Kind = KindNOf
	case k < 9:
		rl.Kind, rl.MinCredits, rl.Unit = KindMinCredits, float64(1+g.r.IntN(20)), Units[g.r.IntN(3)]
		for i := 0; i < 1+g.r.IntN(4); i++ {
			*id++
			rl.Rules = append(rl.Rules, Rule{ID: fmt.Sprintf("n%d", *id), Kind: KindCredential, Match: g.match(), Credits: float64(g.r.IntN(2) * g.r.IntN(6))})
		}
		return rl
	default:
		if len(earlier) == 0 {
			rl.Kind, rl.Match = KindCredential, g.match()
			return rl
		}
		rl.Kind, rl.Pathway = KindPathway, earlier[g.r.IntN(len(earlier))]
		return rl
	}
	if rl.Kind == KindAllOf || rl.Kind == KindNOf {
		var kids []string
		for i := 0; i < 1+g.r.IntN(4); i++ {
			c := g.rule(depth+1, earlier, &kids, id)
			rl.Rules = append(rl.Rules, c)
			kids = append(kids, c.ID)
		}
		rl.N = 1 + g.r.IntN(len(rl.Rules))
	}
	return rl
}

func (g *gen) defs() Definitions {
	var d Definitions
	var ids []string
	for i := 0; i < 1+g.r.IntN(5); i++ {
		id := 0
		var none []string
		p := Pathway{ID: fmt.Sprintf("p%d", i), Name: fmt.Sprintf("Pathway %d", i), Root: g.rule(0, ids, &none, &id)}
		d.Pathways = append(d.Pathways, p)
		ids = append(ids, p.ID)
	}
	for i := 0; i < 1+g.r.IntN(2); i++ {
		s := Scheme{ID: fmt.Sprintf("s%d", i), Name: "Scheme", Unit: Units[g.r.IntN(3)]}
		groups := []string{"", "micro", "industry"}
		used := map[string]bool{}
		for j := 0; j < 1+g.r.IntN(6); j++ {
			ar := ArticulationRule{ID: fmt.Sprintf("a%d", j), Match: *g.match(), Group: groups[g.r.IntN(3)]}
			if g.r.IntN(2) == 0 {
				ar.Course = fmt.Sprintf("C%d", g.r.IntN(4))
			}
			if g.r.IntN(2) == 0 {
				ar.Credits = float64(g.r.IntN(6))
			}
			if g.r.IntN(3) == 0 {
				ar.MaxAgeDays = 100 + g.r.IntN(1000)
			}
			used[ar.Group] = true
			s.Rules = append(s.Rules, ar)
		}
		for _, grp := range groups {
			if (grp == "" || used[grp]) && g.r.IntN(2) == 0 {
				s.Caps = append(s.Caps, Cap{Group: grp, Max: float64(g.r.IntN(20))})
			}
		}
		d.Schemes = append(d.Schemes, s)
	}
	if g.r.IntN(2) == 0 {
		d.Conversion.HoursPerCredit = map[Unit]float64{SCH: 60}
	}
	return d
}

var statuses = []Status{Verified, Verified, Verified, Verified, Revoked, Expired, Unchecked, Invalid}

func (g *gen) credential(n int) Credential {
	iss, ach := g.ach()
	if g.r.IntN(8) == 0 {
		iss = g.issuers[g.r.IntN(3)] // the right id from another issuer
	}
	c := Credential{
		ID: fmt.Sprintf("c%d", n), Issuer: iss, AchievementID: ach,
		IssuedAt: t0.Add(time.Duration(g.r.IntN(1500*24)) * time.Hour),
		Status:   statuses[g.r.IntN(len(statuses))],
	}
	for i := 0; i < g.r.IntN(3); i++ {
		c.Credits = append(c.Credits, Credit{Framework: frameworks[g.r.IntN(3)], Amount: float64(g.r.IntN(13)), Level: fmt.Sprint(g.r.IntN(3))})
	}
	if g.r.IntN(2) == 0 {
		c.Results = []Result{{Name: "score", Value: fmt.Sprint(g.r.IntN(100))}}
		if g.r.IntN(3) == 0 {
			c.Results[0].Value = []string{"A", "B", "C"}[g.r.IntN(3)]
		}
	}
	if g.r.IntN(6) == 0 {
		c.ValidUntil = c.IssuedAt.AddDate(1, 0, 0)
	}
	return c
}

func (g *gen) credentials(n int) []Credential {
	cs := make([]Credential, n)
	for i := range cs {
		cs[i] = g.credential(i)
	}
	return cs
}

var asOf = t0.AddDate(4, 0, 0)

const propertyRuns = 400

func TestPropertyAddingACredentialNeverLowersProgress(t *testing.T) {
	for seed := uint64(0); seed < propertyRuns; seed++ {
		g := newGen(seed)
		e := mustEngine(t, g.defs())
		creds := g.credentials(g.r.IntN(25))
		before := e.Audit(asOf, creds)
		extra := g.credential(1000)
		after := e.Audit(asOf, append(creds, extra))
		for i, p := range before.Pathways {
			q := after.Pathways[i]
			if q.Progress < p.Progress-1e-12 || (p.Complete && !q.Complete) {
				t.Fatalf("seed %d: adding %+v lowered pathway %s from %v (%v) to %v (%v)", seed, extra, p.ID, p.Progress, p.Complete, q.Progress, q.Complete)
			}
			checkNodes(t, seed, &p.Root, &q.Root)
		}
		for i, s := range before.Credit {
			if after.Credit[i].Total < s.Total-1e-12 {
				t.Fatalf("seed %d: adding a credential lowered credit of %s from %v to %v", seed, s.ID, s.Total, after.Credit[i].Total)
			}
		}
	}
}

// checkNodes compares every rule of two audits of one pathway.
func checkNodes(t *testing.T, seed uint64, a, b *Node) {
	t.Helper()
	if b.Progress < a.Progress-1e-12 || (a.Complete && !b.Complete) {
		t.Fatalf("seed %d: rule %s went from %v (%v) to %v (%v)", seed, a.RuleID, a.Progress, a.Complete, b.Progress, b.Complete)
	}
	if a.Kind == KindMinCredits && b.Earned < a.Earned {
		t.Fatalf("seed %d: rule %s credits went from %v to %v", seed, a.RuleID, a.Earned, b.Earned)
	}
	// Below a rule with a time limit the children show the period chosen,
	// which a new credential may move; the rule itself must not drop.
	if len(a.Children) == len(b.Children) && a.Window == nil && b.Window == nil {
		for i := range a.Children {
			checkNodes(t, seed, &a.Children[i], &b.Children[i])
		}
	}
}

func TestPropertyCapsAlwaysHold(t *testing.T) {
	for seed := uint64(0); seed < propertyRuns; seed++ {
		g := newGen(seed)
		d := g.defs()
		e := mustEngine(t, d)
		a := e.Audit(asOf, g.credentials(g.r.IntN(60)))
		for i, s := range a.Credit {
			byGroup := map[string]float64{}
			var total float64
			for _, l := range s.Lines {
				if l.Awarded < 0 || l.Awarded > l.Credits+1e-12 {
					t.Fatalf("seed %d: line awards %v of %v", seed, l.Awarded, l.Credits)
				}
				byGroup[l.Group] += l.Awarded
				total += l.Awarded
			}
			if total != s.Total {
				t.Fatalf("seed %d: lines add up to %v, total says %v", seed, total, s.Total)
			}
			for _, c := range d.Schemes[i].Caps {
				got := byGroup[c.Group]
				if c.Group == "" {
					got = total
				}
				if got > c.Max+1e-9 {
					t.Fatalf("seed %d: scheme %s group %q awards %v over its cap %v", seed, s.ID, c.Group, got, c.Max)
				}
			}
		}
	}
}

func TestPropertyDeterministicAndOrderIndependent(t *testing.T) {
	for seed := uint64(0); seed < propertyRuns; seed++ {
		g := newGen(seed)
		e := mustEngine(t, g.defs())
		creds := g.credentials(g.r.IntN(30))
		if len(creds) > 2 && g.r.IntN(3) == 0 {
			dup := creds[0]
			dup.Status = Unchecked
			creds = append(creds, dup) // a second record of one credential
		}
		want := mustJSON(t, e.Audit(asOf, creds))
		wantWhatIf := mustJSON(t, e.WhatIf(asOf, creds))
		for range 3 {
			shuffled := append([]Credential(nil), creds...)
			g.r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
			if got := mustJSON(t, e.Audit(asOf, shuffled)); got != want {
				t.Fatalf("seed %d: the audit depends on the order of the credentials\n%s\n%s", seed, want, got)
			}
			if got := mustJSON(t, e.WhatIf(asOf, shuffled)); got != wantWhatIf {
				t.Fatalf("seed %d: what-if depends on the order of the credentials", seed)
			}
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

func TestPropertyProgressAgreesWithAudit(t *testing.T) {
	for seed := uint64(0); seed < propertyRuns; seed++ {
		g := newGen(seed)
		e := mustEngine(t, g.defs())
		creds := g.credentials(g.r.IntN(20))
		full := map[string]PathwayResult{}
		for _, p := range e.Audit(asOf, creds).Pathways {
			full[p.ID] = p
		}
		seen := map[string]bool{}
		for _, p := range e.Progress(asOf, creds) {
			seen[p.ID] = true
			if mustJSON(t, p) != mustJSON(t, full[p.ID]) {
				t.Fatalf("seed %d: Progress and Audit disagree on %s", seed, p.ID)
			}
		}
		for id, p := range full {
			if !seen[id] && p.Progress > 0 {
				t.Fatalf("seed %d: Progress left out %s at %v", seed, id, p.Progress)
			}
		}
	}
}
