package pathway

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Suggestion is what-if advice for one pathway not yet complete: the
// credentials that would complete it.
type Suggestion struct {
	Pathway  string  `json:"pathway"`
	Name     string  `json:"name"`
	Progress float64 `json:"progress"`
	// Add lists the achievements to earn, fewest the engine found.
	Add []Want `json:"add"`
	// Completes is true when auditing again with Add earned completes
	// the pathway; false when a suggestion could not be checked (a
	// requirement names no specific achievement) or does not suffice (a
	// time limit that the dates cannot meet).
	Completes bool   `json:"completes"`
	Why       string `json:"why"`
}

// Want is one achievement a suggestion asks for. When no specific
// achievement is known (a rule that takes any credential with a credit
// recommendation and no offer matches it), AchievementID is empty and
// Name describes what is wanted.
type Want struct {
	Issuer        string   `json:"issuer,omitempty"`
	AchievementID string   `json:"achievementId,omitempty"`
	Name          string   `json:"name"`
	Credits       []Credit `json:"credits,omitempty"`
}

// WhatIf returns a suggestion for every pathway the credentials do not
// yet complete, in pathway order.
func (e *Engine) WhatIf(asOf time.Time, credentials []Credential) []Suggestion {
	base := e.Audit(asOf, credentials)
	held := map[achKey]bool{}
	r, _ := e.prepare(asOf, credentials)
	for _, c := range r.creds {
		held[achKey{c.Issuer, c.AchievementID}] = true
	}
	var out []Suggestion
	for _, pr := range base.Pathways {
		if pr.Complete {
			continue
		}
		p := e.pathways[pr.ID]
		s := Suggestion{Pathway: p.ID, Name: p.Name, Progress: pr.Progress}
		s.Add = dedupeWants(e.need(p, &pr.Root, &pr.Root, held, 0))
		specific := true
		var extra []Credential
		for i, w := range s.Add {
			if w.AchievementID == "" {
				specific = false
				continue
			}
			extra = append(extra, Credential{
				ID: fmt.Sprintf("what-if:%d", i+1), Issuer: w.Issuer, AchievementID: w.AchievementID, Name: w.Name,
				Credits: w.Credits, IssuedAt: asOf, Status: Verified,
			})
		}
		names := make([]string, len(s.Add))
		for i, w := range s.Add {
			names[i] = w.Name
		}
		switch {
		case len(s.Add) == 0:
			s.Why = "no further credential is known that would complete this pathway"
		case !specific:
			s.Why = "earning " + strings.Join(names, " and ") + " would complete " + p.Name + "; some requirements accept several credentials"
		default:
			again := e.Audit(asOf, append(slices.Clone(credentials), extra...))
			for _, q := range again.Pathways {
				if q.ID == p.ID {
					s.Completes = q.Complete
				}
			}
			if s.Completes {
				s.Why = "earning " + strings.Join(names, " and ") + " would complete " + p.Name
			} else {
				s.Why = "earning " + strings.Join(names, " and ") + " would bring " + p.Name + " closer, but not complete it (a time limit or result condition remains)"
			}
		}
		out = append(out, s)
	}
	return out
}

// need lists what would complete the rule behind n.
func (e *Engine) need(p *Pathway, root, n *Node, held map[achKey]bool, depth int) []Want {
	if n.Complete || depth > 64 {
		return nil
	}
	rl := e.rules[p.ID][n.RuleID]
	var out []Want
	for _, id := range rl.Prerequisites {
		pre := e.rules[p.ID][id]
		if pn := findNode(root, id); pn != nil {
			out = append(out, e.need(p, root, pn, held, depth+1)...)
		} else {
			out = append(out, e.wantsOf(p, pre, held, depth+1)...)
		}
	}
	switch rl.Kind {
	case KindCredential:
		// A held achievement whose rule is unmet waits on something else
		// (a prerequisite, a time limit): earning it again does not help.
		if rl.Match.Achievement == "" || rl.Match.Result != nil || !held[achKey{rl.Match.Issuer, rl.Match.Achievement}] {
			out = append(out, e.want(rl.Match, held))
		}
	case KindAllOf:
		for i := range n.Children {
			out = append(out, e.need(p, root, &n.Children[i], held, depth+1)...)
		}
	case KindNOf:
		var options [][]Want
		done := 0
		for i := range n.Children {
			if n.Children[i].Complete {
				done++
				continue
			}
			options = append(options, e.need(p, root, &n.Children[i], held, depth+1))
		}
		slices.SortStableFunc(options, func(a, b []Want) int { return cost(a) - cost(b) })
		for i := 0; i < rl.N-done && i < len(options); i++ {
			out = append(out, options[i]...)
		}
	case KindMinCredits:
		out = append(out, e.creditWants(rl, n, held)...)
	case KindPathway:
		if len(n.Children) == 1 {
			q := e.pathways[rl.Pathway]
			out = append(out, e.need(q, &n.Children[0], &n.Children[0], held, depth+1)...)
		}
	}
	return out
}

// wantsOf lists what would complete rl when no evaluated node is at
// hand (a prerequisite evaluated elsewhere): every credential rule in it.
func (e *Engine) wantsOf(p *Pathway, rl *Rule, held map[achKey]bool, depth int) []Want {
	if depth > 64 {
		return nil
	}
	if rl.Kind == KindCredential {
		return []Want{e.want(rl.Match, held)}
	}
	var out []Want
	for i := range rl.Rules {
		out = append(out, e.wantsOf(p, &rl.Rules[i], held, depth+1)...)
	}
	return out
}

// findNode finds the result of rule id in the tree under n.
func findNode(n *Node, id string) *Node {
	var find func(x *Node) *Node
	find = func(x *Node) *Node {
		if x.RuleID == id {
			return x
		}
		for i := range x.Children {
			if f := find(&x.Children[i]); f != nil {
				return f
			}
		}
		return nil
	}
	return find(n)
}

// cost ranks options: fewer credentials first, unspecific ones last.
func cost(ws []Want) int {
	c := 0
	for _, w := range ws {
		if w.AchievementID == "" {
			c += 100
		} else {
			c++
		}
	}
	return c
}

// want names the achievement that would meet m: the achievement itself,
// or the offer with the largest matching recommendation not yet held.
func (e *Engine) want(m *Match, held map[achKey]bool) Want {
	if m.Achievement != "" {
		w := Want{Issuer: m.Issuer, AchievementID: m.Achievement, Name: m.describe()}
		if o := e.offers[achKey{m.Issuer, m.Achievement}]; o != nil {
			w.Name, w.Credits = o.Name, o.Credits
		}
		return w
	}
	r := &run{e: e}
	var best *Offer
	var bestAmount float64
	for i := range e.defs.Offers {
		o := &e.defs.Offers[i]
		if held[achKey{o.Issuer, o.AchievementID}] {
			continue
		}
		c := Credential{Issuer: o.Issuer, AchievementID: o.AchievementID, Credits: o.Credits}
		if m.Result != nil {
			continue // an offer says nothing of the result a learner will get
		}
		if cr, ok := r.recommendation(m, &c); ok && (best == nil || cr.Amount > bestAmount) {
			best, bestAmount = o, cr.Amount
		}
	}
	if best == nil {
		return Want{Name: "a credential with " + m.describe()}
	}
	return Want{Issuer: best.Issuer, AchievementID: best.AchievementID, Name: best.Name, Credits: best.Credits}
}

// creditWants picks, largest first, credentials not yet held that the
// minCredits rule would count, until the missing credits are covered.
func (e *Engine) creditWants(rl *Rule, n *Node, held map[achKey]bool) []Want {
	missing := rl.MinCredits - n.Earned
	type cand struct {
		w     Want
		value float64
	}
	var cands []cand
	seen := map[achKey]bool{}
	r := &run{e: e}
	consider := func(w Want, child *Rule) {
		k := achKey{w.Issuer, w.AchievementID}
		if w.AchievementID == "" || held[k] || seen[k] {
			return
		}
		c := Credential{Issuer: w.Issuer, AchievementID: w.AchievementID, Credits: w.Credits}
		if ok, _ := r.matches(&Match{Issuer: child.Match.Issuer, Achievement: child.Match.Achievement, Framework: child.Match.Framework,
			Issuers: child.Match.Issuers, MinAmount: child.Match.MinAmount, Levels: child.Match.Levels}, &c); !ok {
			return
		}
		v := child.Credits
		if v == 0 {
			v = r.worth(child.Match, &c, rl.Unit)
		}
		if v > 0 {
			seen[k] = true
			cands = append(cands, cand{w, v})
		}
	}
	for i := range rl.Rules {
		child := &rl.Rules[i]
		if child.Match.Achievement != "" {
			consider(e.want(child.Match, held), child)
			continue
		}
		for j := range e.defs.Offers {
			o := &e.defs.Offers[j]
			consider(Want{Issuer: o.Issuer, AchievementID: o.AchievementID, Name: o.Name, Credits: o.Credits}, child)
		}
	}
	slices.SortStableFunc(cands, func(a, b cand) int {
		switch {
		case a.value > b.value:
			return -1
		case a.value < b.value:
			return 1
		}
		return cmpString(a.w.AchievementID, b.w.AchievementID)
	})
	var out []Want
	for _, c := range cands {
		if missing <= 0 {
			break
		}
		out = append(out, c.w)
		missing -= c.value
	}
	if missing > 0 {
		out = append(out, Want{Name: fmt.Sprintf("further credentials worth %s %s", fmtNum(missing), rl.Unit.Label())})
	}
	return out
}

func dedupeWants(ws []Want) []Want {
	var out []Want
	seen := map[string]bool{}
	for _, w := range ws {
		k := w.Issuer + "\x00" + w.AchievementID + "\x00" + w.Name
		if w.AchievementID != "" {
			k = w.Issuer + "\x00" + w.AchievementID
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, w)
		}
	}
	return out
}
