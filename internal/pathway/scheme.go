package pathway

import (
	"fmt"
	"time"
)

// scheme computes the credit s awards: the first rule matching each
// counted credential gives its course and credit, a course is credited
// once (to the credential worth most, the earliest on a tie), and caps
// are filled in issue order.
func (r *run) scheme(s *Scheme) SchemeResult {
	res := SchemeResult{ID: s.ID, Version: s.Version, Name: s.Name, Unit: s.Unit}
	conv := r.e.defs.Conversion
	if s.Conversion != nil {
		conv = *s.Conversion
	}
	type winner struct {
		line  int
		value float64
	}
	winners := map[string]winner{}
	for _, c := range r.creds {
		line := CreditLine{CredentialID: c.ID, Credential: c.title()}
		var near []string
		applied := false
		for i := range s.Rules {
			ar := &s.Rules[i]
			ok, why := r.matches(&ar.Match, c)
			if ok && ar.MaxAgeDays > 0 && c.IssuedAt.Before(r.asOf.Add(-time.Duration(ar.MaxAgeDays)*24*time.Hour)) {
				ok, why = false, fmt.Sprintf("issued %s, more than %d days before %s", day(c.IssuedAt), ar.MaxAgeDays, day(r.asOf))
			}
			if !ok {
				if why != "" {
					near = append(near, labelOfArticulation(ar)+": "+why)
				}
				continue
			}
			applied = true
			line.RuleID, line.Rule, line.Course, line.CourseTitle, line.Group = ar.ID, labelOfArticulation(ar), ar.Course, ar.CourseTitle, ar.Group
			if ar.Credits > 0 {
				line.Credits = ar.Credits
				line.Why = line.Rule + ": " + fmtNum(ar.Credits) + " " + string(s.Unit) + " fixed by the rule"
			} else {
				cr, v := r.bestRecommendation(&ar.Match, c, s.Unit, conv)
				line.Credits = v
				if v > 0 {
					line.Why = line.Rule + ": recommended " + fmtNum(cr.Amount) + " " + cr.Framework
					if cr.Level != "" {
						line.Why += " (" + cr.Level + ")"
					}
					if u, _ := UnitOfFramework(cr.Framework); u != s.Unit {
						line.Why += ", converted at " + fmtNum(conv.Hours(u)) + " h per " + string(u) + " and " +
							fmtNum(conv.Hours(s.Unit)) + " h per " + string(s.Unit) + " to " + fmtNum(v) + " " + string(s.Unit)
					}
				} else {
					line.Why = line.Rule + ": the credential carries no credit recommendation to convert"
				}
			}
			if ar.Course != "" {
				line.Why += "; articulated to " + ar.Course
				if ar.CourseTitle != "" {
					line.Why += " " + ar.CourseTitle
				}
			}
			break
		}
		if !applied {
			line.Why = "no rule of this scheme applies"
			if len(near) > 0 {
				line.Why += "; " + joinSemi(near)
			}
			res.Lines = append(res.Lines, line)
			continue
		}
		key := "rule:" + line.RuleID + "\x00" + c.Issuer + "\x00" + c.AchievementID
		if line.Course != "" {
			key = "course:" + line.Course
		}
		res.Lines = append(res.Lines, line)
		if w, ok := winners[key]; !ok || line.Credits > w.value {
			winners[key] = winner{len(res.Lines) - 1, line.Credits}
		}
	}
	// Duplicates: only the winner of each course (or achievement) counts.
	counts := make([]bool, len(res.Lines))
	for _, w := range winners {
		counts[w.line] = true
	}
	for i := range res.Lines {
		l := &res.Lines[i]
		if l.RuleID != "" && !counts[i] {
			l.Duplicate = true
			l.Why += "; not credited again: already credited through another credential"
		}
	}
	// Caps, filled in issue order.
	caps := map[string]float64{}
	hasCap := map[string]bool{}
	for _, c := range s.Caps {
		caps[c.Group], hasCap[c.Group] = c.Max, true
	}
	before := map[string]float64{}
	got := map[string]float64{}
	var total, totalBefore float64
	for i := range res.Lines {
		l := &res.Lines[i]
		if !counts[i] || l.Credits <= 0 {
			continue
		}
		v := l.Credits
		before[l.Group] += v
		totalBefore += v
		if l.Group != "" && hasCap[l.Group] {
			v = min(v, max(0, caps[l.Group]-got[l.Group]))
		}
		if hasCap[""] {
			v = min(v, max(0, caps[""]-total))
		}
		l.Awarded = v
		got[l.Group] += v
		total += v
		if v < l.Credits {
			switch {
			case v == 0:
				l.Why += "; nothing awarded: the cap is reached"
			default:
				l.Why += fmt.Sprintf("; %s %s awarded: the cap is reached", fmtNum(v), s.Unit)
			}
		}
	}
	res.Total = total
	for _, c := range s.Caps {
		g := GroupResult{Group: c.Group, Label: c.Label, Cap: c.Max, Before: before[c.Group], Total: got[c.Group]}
		if c.Group == "" {
			g.Before, g.Total = totalBefore, total
		}
		g.Capped = g.Before > g.Total
		res.Groups = append(res.Groups, g)
	}
	return res
}

// bestRecommendation returns the recommendation of c worth most in unit
// u under m, and its converted value.
func (r *run) bestRecommendation(m *Match, c *Credential, u Unit, conv Conversion) (Credit, float64) {
	if m.Framework != "" {
		cr, ok := r.recommendation(m, c)
		if !ok {
			return Credit{}, 0
		}
		return cr, r.convert(cr, u, conv)
	}
	var best Credit
	var bestV float64
	for _, cr := range c.Credits {
		if v := r.convert(cr, u, conv); v > bestV {
			best, bestV = cr, v
		}
	}
	return best, bestV
}

func labelOfArticulation(ar *ArticulationRule) string {
	if ar.Label != "" {
		return ar.Label
	}
	return "rule " + ar.ID
}

func joinSemi(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += "; "
		}
		out += x
	}
	return out
}
