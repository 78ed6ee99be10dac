package pathway

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Audit is a learner's audit on one date: which credentials count, the
// progress along each pathway, and the credit each scheme awards, each
// figure with the rule that produced it and why.
type Audit struct {
	AsOf        time.Time        `json:"asOf"`
	Credentials []CredentialLine `json:"credentials"`
	Pathways    []PathwayResult  `json:"pathways"`
	Credit      []SchemeResult   `json:"credit,omitempty"`
}

// CredentialLine says whether one credential counts, and why not.
type CredentialLine struct {
	ID       string    `json:"id"`
	Name     string    `json:"name"`
	Issuer   string    `json:"issuer"`
	IssuedAt time.Time `json:"issuedAt"`
	Counted  bool      `json:"counted"`
	Why      string    `json:"why,omitempty"`
}

// PathwayResult is the progress along one pathway.
type PathwayResult struct {
	ID       string  `json:"id"`
	Version  int     `json:"version,omitempty"`
	Name     string  `json:"name"`
	Progress float64 `json:"progress"` // 0 to 1
	Complete bool    `json:"complete"`
	// Used lists the credentials the pathway's result rests on: what an
	// award built from it points to.
	Used  []string `json:"used,omitempty"`
	Award *Award   `json:"award,omitempty"`
	Root  Node     `json:"root"`
}

// Node is the result of one rule, with the results of its children.
type Node struct {
	RuleID   string  `json:"ruleId"`
	Label    string  `json:"label,omitempty"`
	Kind     Kind    `json:"kind"`
	Progress float64 `json:"progress"`
	Complete bool    `json:"complete"`
	// Earned and Needed are credits for minCredits rules and completed
	// children for allOf and nOf rules.
	Earned float64 `json:"earned,omitempty"`
	Needed float64 `json:"needed,omitempty"`
	Unit   Unit    `json:"unit,omitempty"`
	// Window is the period a rule with a time limit counted credentials
	// from; the children show what that period holds.
	Window   *Window  `json:"window,omitempty"`
	Used     []string `json:"used,omitempty"`
	Why      string   `json:"why"`
	Children []Node   `json:"children,omitempty"`
}

// SchemeResult is the credit one articulation scheme awards.
type SchemeResult struct {
	ID      string        `json:"id"`
	Version int           `json:"version,omitempty"`
	Name    string        `json:"name"`
	Unit    Unit          `json:"unit"`
	Total   float64       `json:"total"`
	Lines   []CreditLine  `json:"lines"`
	Groups  []GroupResult `json:"groups,omitempty"`
}

// GroupResult is the credit of one cap group.
type GroupResult struct {
	Group  string  `json:"group"` // "" for the whole scheme
	Label  string  `json:"label,omitempty"`
	Before float64 `json:"before"`
	Cap    float64 `json:"cap"`
	Total  float64 `json:"total"`
	Capped bool    `json:"capped"`
}

// CreditLine is one credential's credit under a scheme.
type CreditLine struct {
	CredentialID string  `json:"credentialId"`
	Credential   string  `json:"credential"`
	RuleID       string  `json:"ruleId,omitempty"`
	Rule         string  `json:"rule,omitempty"`
	Course       string  `json:"course,omitempty"`
	CourseTitle  string  `json:"courseTitle,omitempty"`
	Credits      float64 `json:"credits"` // before caps and duplicates
	Awarded      float64 `json:"awarded"`
	Group        string  `json:"group,omitempty"`
	// Duplicate is set when the course (or achievement) is credited
	// through another credential: this line awards nothing.
	Duplicate bool   `json:"duplicate,omitempty"`
	Why       string `json:"why"`
}

// Window is a period of issue dates.
type Window struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// window limits the credentials a rule may count to those issued in
// [from, to].
type window struct{ from, to time.Time }

func (w *window) admits(t time.Time) bool {
	return w == nil || (!t.Before(w.from) && !t.After(w.to))
}

func (w *window) intersect(o window) window {
	if w == nil {
		return o
	}
	r := *w
	if o.from.After(r.from) {
		r.from = o.from
	}
	if o.to.Before(r.to) {
		r.to = o.to
	}
	return r
}

// run is the state of one audit.
type run struct {
	e      *Engine
	asOf   time.Time
	creds  []*Credential  // counted, sorted by issue date then id
	pos    map[string]int // credential id -> index in creds
	byAch  map[achKey][]*Credential
	memo   map[string]*Node // pathway id or pathway/rule id -> result without a window
	active map[string]bool  // pathways being evaluated (a guard; New forbids loops)
}

// Audit audits credentials on the date asOf. See the package comment.
func (e *Engine) Audit(asOf time.Time, credentials []Credential) Audit {
	r, lines := e.prepare(asOf, credentials)
	a := Audit{AsOf: asOf, Credentials: lines}
	for _, p := range e.order {
		n := r.pathway(p, nil)
		a.Pathways = append(a.Pathways, PathwayResult{
			ID: p.ID, Version: p.Version, Name: p.Name,
			Progress: n.Progress, Complete: n.Complete, Used: n.Used, Award: p.Award, Root: *n,
		})
	}
	for i := range e.defs.Schemes {
		a.Credit = append(a.Credit, r.scheme(&e.defs.Schemes[i]))
	}
	return a
}

// Progress returns the results of the pathways some counted credential
// is relevant to (matches a credential rule of, result conditions aside),
// in pathway order: the pathways with any progress. It is Audit without
// the credit schemes and without the pathways a learner has not started,
// for recomputing many learners.
func (e *Engine) Progress(asOf time.Time, credentials []Credential) []PathwayResult {
	r, _ := e.prepare(asOf, credentials)
	var out []PathwayResult
	for _, p := range e.order {
		started := false
		for _, c := range r.creds {
			if r.relevant(p, &p.Root, c, 0) {
				started = true
				break
			}
		}
		if !started {
			continue
		}
		n := r.pathway(p, nil)
		out = append(out, PathwayResult{
			ID: p.ID, Version: p.Version, Name: p.Name,
			Progress: n.Progress, Complete: n.Complete, Used: n.Used, Award: p.Award, Root: *n,
		})
	}
	return out
}

// prepare deduplicates and sorts the credentials and decides which count.
func (e *Engine) prepare(asOf time.Time, credentials []Credential) (*run, []CredentialLine) {
	// Two records of one credential id (a wallet copy and the issuer's,
	// say) are one credential: keep the record compareRest prefers.
	byID := make(map[string]int, len(credentials))
	all := make([]*Credential, 0, len(credentials))
	for i := range credentials {
		c := &credentials[i]
		if c.ID != "" {
			if j, ok := byID[c.ID]; ok {
				if compareRest(c, all[j]) < 0 {
					all[j] = c
				}
				continue
			}
			byID[c.ID] = len(all)
		}
		all = append(all, c)
	}
	slices.SortFunc(all, compareCredentials)
	r := &run{e: e, asOf: asOf, byAch: make(map[achKey][]*Credential, len(all)), memo: map[string]*Node{}, active: map[string]bool{},
		pos: make(map[string]int, len(all))}
	lines := make([]CredentialLine, 0, len(all))
	for _, c := range all {
		ok, why := c.standing(asOf)
		lines = append(lines, CredentialLine{ID: c.ID, Name: c.title(), Issuer: c.Issuer, IssuedAt: c.IssuedAt, Counted: ok, Why: why})
		if ok {
			if _, dup := r.pos[c.ID]; !dup {
				r.pos[c.ID] = len(r.creds)
			}
			r.creds = append(r.creds, c)
			k := achKey{c.Issuer, c.AchievementID}
			r.byAch[k] = append(r.byAch[k], c)
		}
	}
	return r, lines
}

// compareCredentials orders credentials by issue date, then id, then
// every other field, so that the order of the input never matters.
func compareCredentials(a, b *Credential) int {
	if c := a.IssuedAt.Compare(b.IssuedAt); c != 0 {
		return c
	}
	if c := cmpString(a.ID, b.ID); c != 0 {
		return c
	}
	return compareRest(a, b)
}

// compareRest breaks ties between two records of one credential: the one
// that verifies first, then the later issue date, then the other fields.
func compareRest(a, b *Credential) int {
	av, bv := a.Status == Verified, b.Status == Verified
	if av != bv {
		if av {
			return -1
		}
		return 1
	}
	if c := b.IssuedAt.Compare(a.IssuedAt); c != 0 {
		return c
	}
	return cmpString(fmt.Sprintf("%#v", *a), fmt.Sprintf("%#v", *b))
}

func (r *run) pathway(p *Pathway, w *window) *Node {
	if w == nil {
		if n := r.memo[p.ID]; n != nil {
			return n
		}
	}
	if r.active[p.ID] {
		return &Node{RuleID: p.Root.ID, Kind: p.Root.Kind, Why: "pathway " + p.Name + " contains itself"}
	}
	r.active[p.ID] = true
	n := r.rule(p, &p.Root, w)
	delete(r.active, p.ID)
	if w == nil {
		r.memo[p.ID] = n
	}
	return n
}

// rule evaluates one rule of p within w (nil: no window), applying its
// time limit and prerequisites.
func (r *run) rule(p *Pathway, rl *Rule, w *window) *Node {
	key := p.ID + "/" + rl.ID
	if w == nil {
		if n := r.memo[key]; n != nil {
			return n
		}
	}
	var n *Node
	if rl.WithinDays > 0 {
		n = r.windowed(p, rl, w)
	} else {
		n = r.plain(p, rl, w)
	}
	if len(rl.Prerequisites) > 0 {
		n = r.withPrerequisites(p, rl, n)
	}
	if w == nil {
		r.memo[key] = n
	}
	return n
}

// withPrerequisites folds the prerequisites into n: the rule is complete
// when it and every prerequisite are, and its progress is the mean of
// theirs, so that progress on a prerequisite shows.
func (r *run) withPrerequisites(p *Pathway, rl *Rule, own *Node) *Node {
	n := *own
	sum := own.Progress
	var missing []string
	used := slices.Clone(own.Used)
	for _, id := range rl.Prerequisites {
		pre := r.rule(p, r.e.rules[p.ID][id], nil)
		sum += pre.Progress
		if !pre.Complete {
			missing = append(missing, labelOf(r.e.rules[p.ID][id]))
		} else {
			used = append(used, pre.Used...)
		}
	}
	n.Progress = sum / float64(1+len(rl.Prerequisites))
	n.Complete = own.Complete && len(missing) == 0
	if len(missing) > 0 {
		n.Why += "; prerequisite not yet met: " + strings.Join(missing, ", ")
	} else {
		n.Why += "; prerequisites met"
		n.Used = r.ordered(used)
	}
	return &n
}

// windowed evaluates rl inside every window of rl.WithinDays days that
// starts on the issue date of a credential it could count, and keeps the
// best: complete first, then most progress, then earliest.
func (r *run) windowed(p *Pathway, rl *Rule, outer *window) *Node {
	span := time.Duration(rl.WithinDays) * 24 * time.Hour
	var best *Node
	var bestFrom time.Time
	seen := map[time.Time]bool{}
	for _, c := range r.creds {
		if !outer.admits(c.IssuedAt) || seen[c.IssuedAt] || !r.relevant(p, rl, c, 0) {
			continue
		}
		seen[c.IssuedAt] = true
		w := outer.intersect(window{from: c.IssuedAt, to: c.IssuedAt.Add(span)})
		n := r.plain(p, rl, &w)
		if best == nil || better(n, best) {
			best, bestFrom = n, c.IssuedAt
		}
	}
	if best == nil {
		n := r.plain(p, rl, &window{from: r.asOf.Add(time.Nanosecond), to: r.asOf}) // an empty window
		n.Why += fmt.Sprintf("; credentials must be issued within %d days of each other", rl.WithinDays)
		return n
	}
	best.Why += fmt.Sprintf("; counting credentials issued within %d days from %s", rl.WithinDays, bestFrom.UTC().Format(time.DateOnly))
	best.Window = &Window{From: bestFrom, To: bestFrom.Add(span)}
	return best
}

func better(a, b *Node) bool {
	if a.Complete != b.Complete {
		return a.Complete
	}
	return a.Progress > b.Progress
}

// relevant reports whether c matches a credential rule in rl's subtree.
func (r *run) relevant(p *Pathway, rl *Rule, c *Credential, depth int) bool {
	if depth > 64 {
		return false
	}
	switch rl.Kind {
	case KindCredential:
		// Identity only: a window may start at a credential whose result
		// falls short, so that the explanation can say so.
		m := *rl.Match
		m.Result = nil
		ok, _ := r.matches(&m, c)
		return ok
	case KindPathway:
		q := r.e.pathways[rl.Pathway]
		return r.relevant(q, &q.Root, c, depth+1)
	}
	for i := range rl.Rules {
		if r.relevant(p, &rl.Rules[i], c, depth+1) {
			return true
		}
	}
	for _, id := range rl.Prerequisites {
		if r.relevant(p, r.e.rules[p.ID][id], c, depth+1) {
			return true
		}
	}
	return false
}

// plain evaluates rl's own logic within w.
func (r *run) plain(p *Pathway, rl *Rule, w *window) *Node {
	n := &Node{RuleID: rl.ID, Label: rl.Label, Kind: rl.Kind}
	if n.Label == "" && rl.Kind == KindCredential {
		n.Label = rl.Match.Name
	}
	switch rl.Kind {
	case KindCredential:
		r.credential(rl, w, n)
	case KindAllOf:
		done := 0
		var sum float64
		var used []string
		var missing []string
		for i := range rl.Rules {
			c := r.rule(p, &rl.Rules[i], w)
			n.Children = append(n.Children, *c)
			sum += c.Progress
			if c.Complete {
				done++
				used = append(used, c.Used...)
			} else {
				missing = append(missing, labelOf(&rl.Rules[i]))
			}
		}
		n.Progress = sum / float64(len(rl.Rules))
		n.Complete = done == len(rl.Rules)
		n.Earned, n.Needed = float64(done), float64(len(rl.Rules))
		n.Used = r.ordered(used)
		if n.Complete {
			n.Why = fmt.Sprintf("all %d requirements met", len(rl.Rules))
		} else {
			n.Why = fmt.Sprintf("%d of %d requirements met; still needed: %s", done, len(rl.Rules), strings.Join(missing, ", "))
		}
	case KindNOf:
		type scored struct {
			i int
			n *Node
		}
		var cs []scored
		for i := range rl.Rules {
			c := r.rule(p, &rl.Rules[i], w)
			n.Children = append(n.Children, *c)
			cs = append(cs, scored{i, c})
		}
		slices.SortStableFunc(cs, func(a, b scored) int {
			if better(a.n, b.n) {
				return -1
			}
			if better(b.n, a.n) {
				return 1
			}
			return 0
		})
		var sum float64
		var used []string
		done := 0
		for _, s := range cs[:rl.N] {
			sum += s.n.Progress
			if s.n.Complete {
				done++
				used = append(used, s.n.Used...)
			}
		}
		n.Progress = sum / float64(rl.N)
		n.Complete = done >= rl.N
		n.Earned, n.Needed = float64(done), float64(rl.N)
		n.Used = r.ordered(used)
		if n.Complete {
			n.Why = fmt.Sprintf("%d of the %d options met, as required", rl.N, len(rl.Rules))
		} else {
			n.Why = fmt.Sprintf("%d of the %d required options met (from %d)", done, rl.N, len(rl.Rules))
		}
	case KindMinCredits:
		r.minCredits(rl, w, n)
	case KindPathway:
		q := r.e.pathways[rl.Pathway]
		c := r.pathway(q, w)
		n.Progress, n.Complete, n.Used = c.Progress, c.Complete, c.Used
		n.Children = []Node{*c}
		if n.Label == "" {
			n.Label = q.Name
		}
		if c.Complete {
			n.Why = "pathway " + q.Name + " complete"
		} else {
			n.Why = fmt.Sprintf("pathway %s %s complete", q.Name, percent(c.Progress))
		}
	}
	return n
}

// credential evaluates a credential rule: the earliest credential that
// matches and meets the result condition counts.
func (r *run) credential(rl *Rule, w *window, n *Node) {
	var near []string
	for _, c := range r.candidates(rl.Match) {
		if !w.admits(c.IssuedAt) {
			near = append(near, fmt.Sprintf("%s (issued %s, outside the time limit)", c.title(), day(c.IssuedAt)))
			continue
		}
		ok, why := r.matches(rl.Match, c)
		if !ok {
			if why != "" {
				near = append(near, c.title()+" ("+why+")")
			}
			continue
		}
		n.Progress, n.Complete = 1, true
		n.Used = []string{c.ID}
		n.Why = "met by " + c.title() + ", issued " + day(c.IssuedAt) + " by " + issuerName(c)
		return
	}
	n.Why = "needs " + rl.Match.describe()
	if len(near) > 0 {
		n.Why += "; not counted: " + strings.Join(near, "; ")
	}
}

// candidates returns the credentials a match could apply to.
func (r *run) candidates(m *Match) []*Credential {
	if m.Achievement != "" {
		return r.byAch[achKey{m.Issuer, m.Achievement}]
	}
	return r.creds
}

// matches reports whether c satisfies m; why explains a near miss (the
// right achievement or framework, but a failed condition) and is empty
// when c is simply something else.
func (r *run) matches(m *Match, c *Credential) (bool, string) {
	if m.Achievement != "" {
		if c.Issuer != m.Issuer || c.AchievementID != m.Achievement {
			return false, ""
		}
	} else {
		if _, ok := r.recommendation(m, c); !ok {
			return false, ""
		}
	}
	if m.Result != nil {
		if ok, why := m.Result.check(c); !ok {
			return false, why
		}
	}
	return true, ""
}

// recommendation returns the largest recommendation of c that m accepts.
func (r *run) recommendation(m *Match, c *Credential) (Credit, bool) {
	if len(m.Issuers) > 0 || m.Issuer != "" {
		if c.Issuer != m.Issuer && !slices.Contains(m.Issuers, c.Issuer) {
			return Credit{}, false
		}
	}
	want, _ := UnitOfFramework(m.Framework)
	var best Credit
	found := false
	for _, cr := range c.Credits {
		u, ok := UnitOfFramework(cr.Framework)
		if !ok || u != want || cr.Amount < m.MinAmount || !(cr.Amount > 0) {
			continue
		}
		if len(m.Levels) > 0 && !slices.Contains(m.Levels, cr.Level) {
			continue
		}
		if !found || cr.Amount > best.Amount {
			best, found = cr, true
		}
	}
	return best, found
}

// check reports whether c has a result meeting the condition.
func (rc *ResultCondition) check(c *Credential) (bool, string) {
	var seen []string
	for _, res := range c.Results {
		if !strings.EqualFold(res.Name, rc.Name) {
			continue
		}
		seen = append(seen, res.Value)
		if len(rc.OneOf) > 0 && slices.ContainsFunc(rc.OneOf, func(v string) bool { return strings.EqualFold(v, strings.TrimSpace(res.Value)) }) {
			return true, ""
		}
		if rc.Min != nil {
			if v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(res.Value), "%")), 64); err == nil && v >= *rc.Min {
				return true, ""
			}
		}
	}
	want := ""
	if rc.Min != nil {
		want = "at least " + fmtNum(*rc.Min)
	}
	if len(rc.OneOf) > 0 {
		if want != "" {
			want += " or "
		}
		want += "one of " + strings.Join(rc.OneOf, ", ")
	}
	if len(seen) == 0 {
		return false, fmt.Sprintf("no %s result; %s is needed", rc.Name, want)
	}
	return false, fmt.Sprintf("%s %s, but %s is needed", rc.Name, strings.Join(seen, ", "), want)
}

// minCredits sums the credits of the credentials matching the child
// rules. Each achievement counts once, at its largest worth.
func (r *run) minCredits(rl *Rule, w *window, n *Node) {
	n.Needed, n.Unit = rl.MinCredits, rl.Unit
	type worth struct {
		c     *Credential
		value float64
	}
	best := map[achKey]worth{}
	var keys []achKey
	for i := range rl.Rules {
		child := &rl.Rules[i]
		cn := Node{RuleID: child.ID, Label: child.Label, Kind: child.Kind, Unit: rl.Unit}
		var near []string
		var earned float64
		for _, c := range r.candidates(child.Match) {
			if !w.admits(c.IssuedAt) {
				continue
			}
			// One look at the recommendations serves both the match and
			// the worth: this loop runs for every credential.
			var v float64
			if child.Match.Framework != "" {
				cr, ok := r.recommendation(child.Match, c)
				if !ok {
					continue
				}
				v = r.convert(cr, rl.Unit, r.e.defs.Conversion)
			} else if c.Issuer != child.Match.Issuer || c.AchievementID != child.Match.Achievement {
				continue
			}
			if child.Match.Result != nil {
				if ok, why := child.Match.Result.check(c); !ok {
					near = append(near, c.title()+" ("+why+")")
					continue
				}
			}
			switch {
			case child.Credits > 0:
				v = child.Credits
			case child.Match.Framework == "":
				v = r.worth(child.Match, c, rl.Unit)
			}
			cn.Used = append(cn.Used, c.ID)
			earned += v
			k := achKey{c.Issuer, c.AchievementID}
			if b, ok := best[k]; !ok {
				best[k] = worth{c, v}
				keys = append(keys, k)
			} else if v > b.value {
				best[k] = worth{c, v}
			}
		}
		cn.Earned = earned
		cn.Complete = len(cn.Used) > 0
		if cn.Complete {
			cn.Progress = 1
			cn.Why = strconv.Itoa(len(cn.Used)) + " matching credential(s) worth " + fmtNum(earned) + " " + string(rl.Unit) + " in all"
		} else {
			cn.Why = "needs " + child.Match.describe()
			if len(near) > 0 {
				cn.Why += "; not counted: " + strings.Join(near, "; ")
			}
		}
		n.Children = append(n.Children, cn)
	}
	var used []string
	for _, k := range keys {
		n.Earned += best[k].value
		used = append(used, best[k].c.ID)
	}
	n.Used = r.ordered(used)
	n.Progress = min(1, n.Earned/rl.MinCredits)
	n.Complete = n.Earned >= rl.MinCredits
	n.Why = fmt.Sprintf("%s of %s %s earned", fmtNum(n.Earned), fmtNum(rl.MinCredits), rl.Unit.Label())
	if n.Complete {
		n.Why += "; met"
	}
}

// worth is what c is worth in unit u under m: the recommendation m
// selects, or the best of c's recommendations, converted.
func (r *run) worth(m *Match, c *Credential, u Unit) float64 {
	if m.Framework != "" {
		cr, ok := r.recommendation(m, c)
		if !ok {
			return 0
		}
		return r.convert(cr, u, r.e.defs.Conversion)
	}
	var best float64
	for _, cr := range c.Credits {
		best = max(best, r.convert(cr, u, r.e.defs.Conversion))
	}
	return best
}

func (r *run) convert(cr Credit, to Unit, conv Conversion) float64 {
	from, ok := UnitOfFramework(cr.Framework)
	if !ok {
		return 0
	}
	v, err := conv.Convert(cr.Amount, from, to)
	if err != nil {
		return 0
	}
	return v
}

// ordered deduplicates credential ids and puts them in audit order.
func (r *run) ordered(ids []string) []string {
	if len(ids) < 2 {
		return ids
	}
	idx := make([]int, 0, len(ids))
	for _, id := range ids {
		if i, ok := r.pos[id]; ok {
			idx = append(idx, i)
		}
	}
	slices.Sort(idx)
	idx = slices.Compact(idx)
	out := ids[:0]
	for _, i := range idx {
		out = append(out, r.creds[i].ID)
	}
	return out
}

func labelOf(rl *Rule) string {
	if rl.Label != "" {
		return rl.Label
	}
	if rl.Kind == KindCredential && rl.Match != nil {
		return rl.Match.describe()
	}
	if rl.Kind == KindPathway {
		return "pathway " + rl.Pathway
	}
	return "rule " + rl.ID
}

func issuerName(c *Credential) string {
	if c.IssuerName != "" {
		return c.IssuerName
	}
	return c.Issuer
}

func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

func percent(p float64) string { return strconv.Itoa(int(p*100+1e-9)) + "%" }
