package web

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/pathway"
	"github.com/microcred/microcred/internal/pathway/progress"
)

// The pathway and credit scheme editor: plain HTML forms, no JavaScript
// needed, that a registrar fills in instead of writing the JSON document
// the API takes. A form is parsed into the same pathway.Pathway or
// pathway.Scheme the API decodes, and a stored document is rendered back
// into the form, so that an unchanged form saves an identical document.
//
// A pathway's rule tree is posted as rows in depth-first order, each with
// its depth; "Add a rule inside this group", "Remove", "Move up" and
// "Move down" are submit buttons that post the whole form and come back
// with the tree changed. Input names are also their element ids (r3-kind)
// so that an error lands on its field and the summary links to it.

// matchSource says how a credential is matched.
const (
	sourceLocal  = "local"  // an achievement of this server's catalog
	sourceOther  = "other"  // another issuer's achievement, by ids
	sourceCredit = "credit" // any credential with a credit recommendation
)

// matchForm is a pathway.Match as the form edits it, as typed.
type matchForm struct {
	Source string
	// Local is "ORG/ACHIEVEMENT" (slugs) of this server's catalog.
	Local                     string
	Issuer, Achievement, Name string
	Framework, MinAmount      string
	Levels, Issuers           string // one per line
	ResultName, ResultMin     string
	ResultOneOf               string // separated by commas
}

// ruleForm is a pathway.Rule as the form edits it.
type ruleForm struct {
	Kind, ID, Label string
	Match           matchForm
	Credits, N      string
	MinCredits      string
	Unit, Pathway   string
	Prerequisites   []string
	WithinDays      string
	Rules           []*ruleForm
	// NewKind is the kind chosen for "Add a rule inside this group".
	NewKind string

	// Filled by flatten: the row index, the number people see (index+1),
	// the depth and the id the engine gives the rule.
	idx, depth int
	autoID     string
	parent     *ruleForm
}

// pathwayEdit is a whole pathway as the form edits it.
type pathwayEdit struct {
	ID, Name, Description string
	Award, AwardName      string
	Review                bool
	Root                  *ruleForm
}

// articulationForm is a pathway.ArticulationRule as the form edits it.
type articulationForm struct {
	ID, Label           string
	Match               matchForm
	Course, CourseTitle string
	Credits, MaxAgeDays string
	Group               string
}

// capForm is a pathway.Cap as the form edits it.
type capForm struct{ Group, Max, Label string }

// schemeEdit is a whole credit scheme as the form edits it.
type schemeEdit struct {
	ID, Name, Description string
	Unit                  string
	// Hours per credit of each unit and the rounding step; "" keeps the
	// engine's documented default.
	HoursSCH, HoursECTS, HoursNCrF, Step string
	Rules                                []*articulationForm
	Caps                                 []*capForm
}

// kindNames are the rule kinds in the order the form offers them, with
// the short name errors and legends use.
var kindNames = []struct {
	Kind        pathway.Kind
	Short, Long string
}{
	{pathway.KindAllOf, "all of", "All of the rules inside it"},
	{pathway.KindNOf, "n of", "At least N of the rules inside it"},
	{pathway.KindMinCredits, "minimum credits", "A minimum number of credits from the credentials inside it"},
	{pathway.KindCredential, "a specific credential", "One credential"},
	{pathway.KindPathway, "another pathway", "Another pathway, completed"},
}

func kindShort(k string) string {
	for _, n := range kindNames {
		if string(n.Kind) == k {
			return n.Short
		}
	}
	return "rule"
}

func isGroup(k string) bool {
	return k == string(pathway.KindAllOf) || k == string(pathway.KindNOf) || k == string(pathway.KindMinCredits)
}

// --- documents into forms ---

func numText(f float64) string {
	if f == 0 {
		return ""
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func intText(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}

func matchFormOf(m *pathway.Match, local map[string]string) matchForm {
	var f matchForm
	if m == nil {
		f.Source = sourceLocal
		return f
	}
	f.Issuer, f.Achievement, f.Name = m.Issuer, m.Achievement, m.Name
	f.Framework, f.MinAmount = m.Framework, numText(m.MinAmount)
	f.Levels, f.Issuers = strings.Join(m.Levels, "\n"), strings.Join(m.Issuers, "\n")
	if m.Result != nil {
		f.ResultName, f.ResultOneOf = m.Result.Name, strings.Join(m.Result.OneOf, ", ")
		if m.Result.Min != nil {
			f.ResultMin = strconv.FormatFloat(*m.Result.Min, 'f', -1, 64)
		}
	}
	switch {
	case m.Framework != "" || (m.Achievement == "" && m.Issuer == ""):
		f.Source = sourceCredit
	default:
		f.Source = sourceOther
		if org, ok := strings.CutPrefix(m.Issuer, progress.OrgRef); ok && m.Name == "" {
			if _, known := local[org+"/"+m.Achievement]; known {
				f.Source, f.Local = sourceLocal, org+"/"+m.Achievement
				f.Issuer, f.Achievement = "", ""
			}
		}
	}
	return f
}

func ruleFormOf(r *pathway.Rule, local map[string]string) *ruleForm {
	f := &ruleForm{Kind: string(r.Kind), ID: r.ID, Label: r.Label, Credits: numText(r.Credits), N: intText(r.N),
		MinCredits: numText(r.MinCredits), Unit: string(r.Unit), Pathway: r.Pathway,
		Prerequisites: slices.Clone(r.Prerequisites), WithinDays: intText(r.WithinDays)}
	if r.Kind == pathway.KindCredential {
		f.Match = matchFormOf(r.Match, local)
	} else {
		f.Match.Source = sourceLocal
	}
	for i := range r.Rules {
		f.Rules = append(f.Rules, ruleFormOf(&r.Rules[i], local))
	}
	return f
}

func pathwayEditOf(p *pathway.Pathway, local map[string]string) *pathwayEdit {
	e := &pathwayEdit{ID: p.ID, Name: p.Name, Description: p.Description, Root: ruleFormOf(&p.Root, local)}
	if p.Award != nil {
		e.Award, e.AwardName, e.Review = p.Award.AchievementID, p.Award.Name, p.Award.Review
	}
	return e
}

func schemeEditOf(s *pathway.Scheme, local map[string]string) *schemeEdit {
	e := &schemeEdit{ID: s.ID, Name: s.Name, Description: s.Description, Unit: string(s.Unit)}
	if c := s.Conversion; c != nil {
		e.HoursSCH, e.HoursECTS, e.HoursNCrF = numText(c.HoursPerCredit[pathway.SCH]), numText(c.HoursPerCredit[pathway.ECTS]), numText(c.HoursPerCredit[pathway.NCrF])
		e.Step = numText(c.Step)
	}
	for i := range s.Rules {
		r := &s.Rules[i]
		e.Rules = append(e.Rules, &articulationForm{ID: r.ID, Label: r.Label, Match: matchFormOf(&r.Match, local),
			Course: r.Course, CourseTitle: r.CourseTitle, Credits: numText(r.Credits), MaxAgeDays: intText(r.MaxAgeDays), Group: r.Group})
	}
	for _, c := range s.Caps {
		e.Caps = append(e.Caps, &capForm{Group: c.Group, Max: strconv.FormatFloat(c.Max, 'f', -1, 64), Label: c.Label})
	}
	return e
}

// newPathwayEdit is the form a new pathway starts from: all of one
// credential.
func newPathwayEdit() *pathwayEdit {
	return &pathwayEdit{Root: &ruleForm{Kind: string(pathway.KindAllOf), Match: matchForm{Source: sourceLocal},
		Rules: []*ruleForm{{Kind: string(pathway.KindCredential), Match: matchForm{Source: sourceLocal}}}}}
}

func newSchemeEdit() *schemeEdit {
	return &schemeEdit{Unit: string(pathway.SCH), Rules: []*articulationForm{{Match: matchForm{Source: sourceLocal}}}}
}

// --- posted forms into edits ---

// maxRows bounds the rows one posted form may carry.
const maxRows = pathway.MaxRules

func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func commas(s string) []string {
	var out []string
	for _, l := range strings.Split(s, ",") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func readMatch(v url.Values, p string) matchForm {
	g := func(k string) string { return v.Get(p + k) }
	return matchForm{Source: g("source"), Local: g("local"), Issuer: strings.TrimSpace(g("issuer")),
		Achievement: strings.TrimSpace(g("achievement")), Name: strings.TrimSpace(g("name")),
		Framework: g("framework"), MinAmount: g("minamount"), Levels: g("levels"), Issuers: g("issuers"),
		ResultName: strings.TrimSpace(g("resultname")), ResultMin: g("resultmin"), ResultOneOf: g("resultoneof")}
}

// readPathwayEdit reads the posted pathway form. Rows come in depth-first
// order; a row's depth is clamped to at most one more than the row
// before, so that any posted form is a tree.
func readPathwayEdit(v url.Values) *pathwayEdit {
	e := &pathwayEdit{ID: strings.TrimSpace(v.Get("p-id")), Name: strings.TrimSpace(v.Get("p-name")),
		Description: strings.TrimSpace(v.Get("p-description")), Award: v.Get("p-award"),
		AwardName: strings.TrimSpace(v.Get("p-award-name")), Review: v.Get("p-review") != ""}
	var stack []*ruleForm
	for i := 0; i < maxRows; i++ {
		p := "r" + strconv.Itoa(i) + "-"
		if _, ok := v[p+"kind"]; !ok {
			break
		}
		r := &ruleForm{Kind: v.Get(p + "kind"), ID: strings.TrimSpace(v.Get(p + "id")), Label: strings.TrimSpace(v.Get(p + "label")),
			Match: readMatch(v, p), Credits: v.Get(p + "credits"), N: v.Get(p + "n"), MinCredits: v.Get(p + "mincredits"),
			Unit: v.Get(p + "unit"), Pathway: v.Get(p + "pathway"), Prerequisites: v[p+"prereq"],
			WithinDays: v.Get(p + "within"), NewKind: v.Get(p + "newkind")}
		depth, _ := strconv.Atoi(v.Get(p + "depth"))
		if i == 0 {
			e.Root = r
			stack = []*ruleForm{r}
			continue
		}
		depth = max(1, min(depth, len(stack)))
		stack = stack[:depth]
		parent := stack[depth-1]
		parent.Rules = append(parent.Rules, r)
		stack = append(stack, r)
	}
	if e.Root == nil {
		e.Root = &ruleForm{Kind: string(pathway.KindAllOf), Match: matchForm{Source: sourceLocal}}
	}
	return e
}

func readSchemeEdit(v url.Values) *schemeEdit {
	e := &schemeEdit{ID: strings.TrimSpace(v.Get("s-id")), Name: strings.TrimSpace(v.Get("s-name")),
		Description: strings.TrimSpace(v.Get("s-description")), Unit: v.Get("s-unit"),
		HoursSCH: v.Get("s-hours-sch"), HoursECTS: v.Get("s-hours-ects"), HoursNCrF: v.Get("s-hours-ncrf"), Step: v.Get("s-step")}
	for i := 0; i < maxRows; i++ {
		p := "a" + strconv.Itoa(i) + "-"
		if _, ok := v[p+"present"]; !ok {
			break
		}
		e.Rules = append(e.Rules, &articulationForm{ID: strings.TrimSpace(v.Get(p + "id")), Label: strings.TrimSpace(v.Get(p + "label")),
			Match: readMatch(v, p), Course: strings.TrimSpace(v.Get(p + "course")), CourseTitle: strings.TrimSpace(v.Get(p + "coursetitle")),
			Credits: v.Get(p + "credits"), MaxAgeDays: v.Get(p + "maxage"), Group: strings.TrimSpace(v.Get(p + "group"))})
	}
	for i := 0; i < maxRows; i++ {
		p := "c" + strconv.Itoa(i) + "-"
		if _, ok := v[p+"max"]; !ok {
			break
		}
		e.Caps = append(e.Caps, &capForm{Group: strings.TrimSpace(v.Get(p + "group")), Max: v.Get(p + "max"), Label: strings.TrimSpace(v.Get(p + "label"))})
	}
	return e
}

// --- the tree: rows, numbering and the buttons that change it ---

// flatten lists the rules depth-first, numbering them and giving each the
// id the engine fills in when it has none (pathway.Rule.validate).
func (e *pathwayEdit) flatten() []*ruleForm {
	var out []*ruleForm
	var walk func(r *ruleForm, parent *ruleForm, depth int, auto string)
	walk = func(r *ruleForm, parent *ruleForm, depth int, auto string) {
		r.idx, r.depth, r.autoID, r.parent = len(out), depth, auto, parent
		out = append(out, r)
		for i, c := range r.Rules {
			walk(c, r, depth+1, auto+"-"+strconv.Itoa(i+1))
		}
	}
	walk(e.Root, nil, 0, "r")
	return out
}

func (r *ruleForm) effectiveID() string {
	if r.ID != "" {
		return r.ID
	}
	return r.autoID
}

// apply carries out one of the tree buttons ("add:3", "remove:3", "up:3",
// "down:3", "out:3" out of its group, "in:3" into the group above it) and
// reports whether op was one. Prerequisites follow the
// rules they name when a move or removal changes the ids the engine
// gives rules without one.
func (e *pathwayEdit) apply(op string) bool {
	verb, arg, _ := strings.Cut(op, ":")
	i, err := strconv.Atoi(arg)
	if err != nil || (verb != "add" && verb != "remove" && verb != "up" && verb != "down" && verb != "out" && verb != "in") {
		return false
	}
	rows := e.flatten()
	if i < 0 || i >= len(rows) {
		return true
	}
	byID := map[string]*ruleForm{}
	for _, r := range rows {
		byID[r.effectiveID()] = r
	}
	refs := map[*ruleForm][]*ruleForm{}
	for _, r := range rows {
		for _, p := range r.Prerequisites {
			refs[r] = append(refs[r], byID[p])
		}
	}
	r := rows[i]
	siblings := func() ([]*ruleForm, int) {
		if r.parent == nil {
			return nil, -1
		}
		return r.parent.Rules, slices.Index(r.parent.Rules, r)
	}
	switch verb {
	case "add":
		if len(rows) >= maxRows {
			return true
		}
		kind := r.NewKind
		if kind == "" || kindShort(kind) == "rule" {
			kind = string(pathway.KindCredential)
		}
		r.Rules = append(r.Rules, &ruleForm{Kind: kind, Match: matchForm{Source: sourceLocal}})
	case "remove":
		if sib, k := siblings(); k >= 0 {
			r.parent.Rules = slices.Delete(sib, k, k+1)
		}
	case "up":
		if sib, k := siblings(); k > 0 {
			sib[k-1], sib[k] = sib[k], sib[k-1]
		}
	case "down":
		if sib, k := siblings(); k >= 0 && k+1 < len(sib) {
			sib[k+1], sib[k] = sib[k], sib[k+1]
		}
	case "out":
		// Out of its group: right after the group, in the group's group.
		if sib, k := siblings(); k >= 0 && r.parent.parent != nil {
			g := r.parent
			g.Rules = slices.Delete(sib, k, k+1)
			gg := g.parent
			j := slices.Index(gg.Rules, g)
			gg.Rules = slices.Insert(gg.Rules, j+1, r)
		}
	case "in":
		// Into the group just above it, as its last rule.
		if sib, k := siblings(); k > 0 && isGroup(sib[k-1].Kind) {
			g := sib[k-1]
			r.parent.Rules = slices.Delete(sib, k, k+1)
			g.Rules = append(g.Rules, r)
		}
	}
	kept := map[*ruleForm]bool{}
	for _, x := range e.flatten() {
		kept[x] = true
	}
	for x, to := range refs {
		if !kept[x] {
			continue
		}
		var pres []string
		for k, t := range to {
			switch {
			case t == nil:
				pres = append(pres, x.Prerequisites[k]) // named no rule before either
			case kept[t]:
				pres = append(pres, t.effectiveID())
			}
			// A removed rule is no one's prerequisite any more.
		}
		x.Prerequisites = pres
	}
	return true
}

// applyScheme carries out the scheme form's buttons.
func (e *schemeEdit) apply(op string) bool {
	verb, arg, _ := strings.Cut(op, ":")
	i, _ := strconv.Atoi(arg)
	switch verb {
	case "add-rule":
		if len(e.Rules) < maxRows {
			e.Rules = append(e.Rules, &articulationForm{Match: matchForm{Source: sourceLocal}})
		}
	case "add-cap":
		if len(e.Caps) < maxRows {
			e.Caps = append(e.Caps, &capForm{})
		}
	case "remove-rule":
		if i >= 0 && i < len(e.Rules) {
			e.Rules = slices.Delete(e.Rules, i, i+1)
		}
	case "up-rule":
		if i > 0 && i < len(e.Rules) {
			e.Rules[i-1], e.Rules[i] = e.Rules[i], e.Rules[i-1]
		}
	case "down-rule":
		if i >= 0 && i+1 < len(e.Rules) {
			e.Rules[i+1], e.Rules[i] = e.Rules[i], e.Rules[i+1]
		}
	case "remove-cap":
		if i >= 0 && i < len(e.Caps) {
			e.Caps = slices.Delete(e.Caps, i, i+1)
		}
	default:
		return false
	}
	return true
}

// --- edits into documents, with errors by field label ---

// numberField parses an optional number typed into a field; a decimal
// comma ("1,5") is read as a point, as many registrars write it.
func numberField(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	if strings.Count(s, ",") == 1 && !strings.Contains(s, ".") {
		s = strings.Replace(s, ",", ".", 1)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

func wholeField(s string) (int, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// fieldErr records a problem of one field; where prefixes it with the
// rule it belongs to ("Rule 3 (n of)") so the summary names it plainly.
type fieldErr struct {
	errs  *formErrors
	where string
	p     string // field name prefix, e.g. "r3-"
}

func (f fieldErr) add(field, msg string) {
	if f.where != "" {
		msg = f.where + ": " + msg
	}
	f.errs.add(f.p+field, msg)
}

func (m *matchForm) toMatch(fe fieldErr) pathway.Match {
	var out pathway.Match
	switch m.Source {
	case sourceLocal:
		org, ach, ok := strings.Cut(m.Local, "/")
		if !ok || org == "" || ach == "" {
			fe.add("local", "Achievement: choose one from the list")
		} else {
			out.Issuer, out.Achievement = progress.OrgRef+org, ach
		}
	case sourceOther:
		out.Issuer, out.Achievement, out.Name = m.Issuer, m.Achievement, m.Name
		if m.Issuer == "" {
			fe.add("issuer", "Issuer id: required, the issuer's DID (did:web:… or did:key:…) or web address")
		}
		if m.Achievement == "" {
			fe.add("achievement", "Achievement id: required, as it appears in the issuer's credentials")
		}
	case sourceCredit:
		out.Framework = m.Framework
		if _, ok := pathway.UnitOfFramework(m.Framework); !ok {
			fe.add("framework", "Credit framework: choose ACE, ECTS or NCrF")
		}
		v, ok := numberField(m.MinAmount)
		if !ok || v < 0 {
			fe.add("minamount", "Minimum recommended amount: must be a number, 0 or more")
		}
		out.MinAmount, out.Levels, out.Issuers = v, lines(m.Levels), lines(m.Issuers)
	default:
		fe.add("source", "Which credentials: choose one of the options")
	}
	oneOf := commas(m.ResultOneOf)
	if m.ResultName != "" || m.ResultMin != "" || len(oneOf) > 0 {
		rc := &pathway.ResultCondition{Name: m.ResultName, OneOf: oneOf}
		if m.ResultName == "" {
			fe.add("resultname", "Result name: required when you set a result condition")
		}
		if strings.TrimSpace(m.ResultMin) != "" {
			v, ok := numberField(m.ResultMin)
			if !ok {
				fe.add("resultmin", "Lowest accepted result: must be a number")
			}
			rc.Min = &v
		}
		if m.ResultName != "" && rc.Min == nil && len(oneOf) == 0 {
			fe.add("resultmin", "Lowest accepted result: give it, or the accepted results")
		}
		out.Result = rc
	}
	return out
}

func (r *ruleForm) toRule(errs *formErrors, ids map[string]*ruleForm) pathway.Rule {
	fe := fieldErr{errs: errs, where: fmt.Sprintf("Rule %d (%s)", r.idx+1, kindShort(r.Kind)), p: "r" + strconv.Itoa(r.idx) + "-"}
	out := pathway.Rule{ID: r.ID, Label: r.Label, Kind: pathway.Kind(r.Kind), Prerequisites: r.Prerequisites}
	if r.ID != "" && !editorID.MatchString(r.ID) {
		fe.add("id", "Rule id: use 1 to 63 lowercase letters, digits or hyphens")
	}
	if len(r.Label) > 200 {
		fe.add("label", "Label: at most 200 characters")
	}
	if d, ok := wholeField(r.WithinDays); !ok || d < 0 || d > 36500 {
		fe.add("within", "Within how many days: a whole number of days up to 36500, or empty")
	} else {
		out.WithinDays = d
	}
	for _, p := range r.Prerequisites {
		if t, ok := ids[p]; !ok {
			fe.add("prereq", fmt.Sprintf("Must be complete first: there is no rule %q", p))
		} else if t == r {
			fe.add("prereq", "Must be complete first: a rule cannot need itself")
		}
	}
	switch pathway.Kind(r.Kind) {
	case pathway.KindAllOf, pathway.KindNOf, pathway.KindMinCredits:
		if len(r.Rules) == 0 {
			fe.add("kind", "add at least one rule inside this group (the button below it)")
		}
	}
	switch pathway.Kind(r.Kind) {
	case pathway.KindCredential:
		m := r.Match.toMatch(fe)
		out.Match = &m
		if len(r.Rules) > 0 {
			fe.add("kind", "a credential rule cannot hold rules inside it; make it a group or move them out")
		}
		c, ok := numberField(r.Credits)
		if !ok || c < 0 {
			fe.add("credits", "Credits it counts for: must be a number, 0 or more, or empty")
		}
		out.Credits = c
	case pathway.KindNOf:
		n, ok := wholeField(r.N)
		if !ok || n < 1 || n > len(r.Rules) {
			fe.add("n", fmt.Sprintf("N must be between 1 and the number of rules inside it (%d)", len(r.Rules)))
		}
		out.N = n
	case pathway.KindMinCredits:
		v, ok := numberField(r.MinCredits)
		if !ok || !(v > 0) {
			fe.add("mincredits", "Minimum credits: must be a number more than 0")
		}
		out.MinCredits, out.Unit = v, pathway.Unit(r.Unit)
		if !out.Unit.Valid() {
			fe.add("unit", "Credit unit: choose one")
		}
		for _, c := range r.Rules {
			if c.Kind != string(pathway.KindCredential) {
				fe.add("kind", fmt.Sprintf("only credential rules count towards minimum credits, and rule %d is %s", c.idx+1, kindShort(c.Kind)))
				break
			}
		}
	case pathway.KindPathway:
		out.Pathway = r.Pathway
		if r.Pathway == "" {
			fe.add("pathway", "Pathway: choose the pathway that must be completed")
		}
		if len(r.Rules) > 0 {
			fe.add("kind", "a pathway rule cannot hold rules inside it; make it a group or move them out")
		}
	case pathway.KindAllOf:
	default:
		fe.add("kind", "Kind of rule: choose one")
	}
	for _, c := range r.Rules {
		out.Rules = append(out.Rules, c.toRule(errs, ids))
	}
	return out
}

// toPathway builds the pathway document from the form, with every
// problem found recorded by field; the engine's own validation runs on
// top of it (translateError).
func (e *pathwayEdit) toPathway(errs *formErrors) pathway.Pathway {
	p := pathway.Pathway{ID: e.ID, Name: e.Name, Description: e.Description}
	if !editorID.MatchString(e.ID) {
		errs.add("p-id", "Short name for web addresses: use 1 to 63 lowercase letters, digits or hyphens, e.g. data-science-programme")
	}
	if e.Name == "" {
		errs.add("p-name", "Name: required")
	} else if len(e.Name) > 200 {
		errs.add("p-name", "Name: at most 200 characters")
	}
	if e.Award != "" {
		p.Award = &pathway.Award{AchievementID: e.Award, Name: e.AwardName, Review: e.Review}
	} else if e.AwardName != "" || e.Review {
		errs.add("p-award", "Award: choose the achievement the pathway earns, or clear its name and review")
	}
	rows := e.flatten()
	ids := map[string]*ruleForm{}
	for _, r := range rows {
		if prev, dup := ids[r.effectiveID()]; dup && r.ID != "" {
			fieldErr{errs: errs, where: fmt.Sprintf("Rule %d (%s)", r.idx+1, kindShort(r.Kind)), p: "r" + strconv.Itoa(r.idx) + "-"}.
				add("id", fmt.Sprintf("Rule id: %q is already used by rule %d", r.ID, prev.idx+1))
			continue
		}
		ids[r.effectiveID()] = r
	}
	// A box ticked before a rule was given its own id names the rule by
	// the id the engine would have given it: follow the rule.
	byAuto := map[string]*ruleForm{}
	for _, r := range rows {
		byAuto[r.autoID] = r
	}
	for _, r := range rows {
		for k, pre := range r.Prerequisites {
			if _, ok := ids[pre]; !ok && byAuto[pre] != nil {
				r.Prerequisites[k] = byAuto[pre].effectiveID()
			}
		}
	}
	p.Root = e.Root.toRule(errs, ids)
	return p
}

func (e *schemeEdit) toScheme(errs *formErrors) pathway.Scheme {
	s := pathway.Scheme{ID: e.ID, Name: e.Name, Description: e.Description, Unit: pathway.Unit(e.Unit)}
	if !editorID.MatchString(e.ID) {
		errs.add("s-id", "Short name for web addresses: use 1 to 63 lowercase letters, digits or hyphens, e.g. bsc-data-science")
	}
	if e.Name == "" {
		errs.add("s-name", "Name: required")
	}
	if !s.Unit.Valid() {
		errs.add("s-unit", "Credit unit of the programme: choose one")
	}
	var conv pathway.Conversion
	for _, h := range []struct {
		unit         pathway.Unit
		text, field  string
		label, deflt string
	}{{pathway.SCH, e.HoursSCH, "s-hours-sch", "Hours per US semester credit hour", "45"},
		{pathway.ECTS, e.HoursECTS, "s-hours-ects", "Hours per ECTS credit", "30"},
		{pathway.NCrF, e.HoursNCrF, "s-hours-ncrf", "Hours per NCrF credit", "30"}} {
		v, ok := numberField(h.text)
		if !ok || v < 0 || v > 1000 || (strings.TrimSpace(h.text) != "" && v == 0) {
			errs.add(h.field, h.label+": a number of hours more than 0 and up to 1000, or empty for the default ("+h.deflt+")")
			continue
		}
		if v > 0 {
			if conv.HoursPerCredit == nil {
				conv.HoursPerCredit = map[pathway.Unit]float64{}
			}
			conv.HoursPerCredit[h.unit] = v
		}
	}
	if v, ok := numberField(e.Step); !ok || v > 10 {
		errs.add("s-step", "Rounding step: a number up to 10, or empty for the default (0.5)")
	} else {
		conv.Step = v
	}
	if conv.HoursPerCredit != nil || conv.Step != 0 {
		s.Conversion = &conv
	}
	ids := map[string]int{}
	groups := map[string]bool{}
	s.Rules = []pathway.ArticulationRule{}
	if len(e.Rules) == 0 {
		errs.add("add-rule", "Rules: add at least one rule")
	}
	for i, r := range e.Rules {
		fe := fieldErr{errs: errs, where: fmt.Sprintf("Rule %d", i+1), p: "a" + strconv.Itoa(i) + "-"}
		ar := pathway.ArticulationRule{ID: r.ID, Label: r.Label, Match: r.Match.toMatch(fe), Course: r.Course,
			CourseTitle: r.CourseTitle, Group: r.Group}
		if r.ID != "" {
			if !editorID.MatchString(r.ID) {
				fe.add("id", "Rule id: use 1 to 63 lowercase letters, digits or hyphens")
			} else if j, dup := ids[r.ID]; dup {
				fe.add("id", fmt.Sprintf("Rule id: %q is already used by rule %d", r.ID, j+1))
			}
			ids[r.ID] = i
		}
		c, ok := numberField(r.Credits)
		if !ok || c < 0 {
			fe.add("credits", "Credits awarded: a number, 0 or more, or empty for the recommended credit")
		}
		ar.Credits = c
		d, ok := wholeField(r.MaxAgeDays)
		if !ok || d < 0 || d > 36500 {
			fe.add("maxage", "Earned at most how many days ago: a whole number up to 36500, or empty")
		}
		ar.MaxAgeDays = d
		groups[r.Group] = true
		s.Rules = append(s.Rules, ar)
	}
	seen := map[string]bool{}
	for i, c := range e.Caps {
		fe := fieldErr{errs: errs, where: fmt.Sprintf("Limit %d", i+1), p: "c" + strconv.Itoa(i) + "-"}
		v, ok := numberField(c.Max)
		if !ok || v < 0 || strings.TrimSpace(c.Max) == "" {
			fe.add("max", "At most: a number of credits, 0 or more")
		}
		if seen[c.Group] {
			fe.add("group", "Group: another limit already applies to it")
		}
		seen[c.Group] = true
		if c.Group != "" && !groups[c.Group] {
			msg := fmt.Sprintf("Group: no rule is in group %q", c.Group)
			var named []string
			for g := range groups {
				if g != "" {
					named = append(named, g)
				}
			}
			slices.Sort(named)
			if len(named) > 0 {
				msg += "; the rules' groups are " + strings.Join(named, ", ")
			}
			fe.add("group", msg)
		}
		s.Caps = append(s.Caps, pathway.Cap{Group: c.Group, Max: v, Label: c.Label})
	}
	return s
}

// enginePath matches the field path at the start of the engine's
// validation errors, e.g. "root.rules[1].n: …" or "rules[0].match: …".
var (
	// editorID is the shape of pathway, scheme and rule ids (pathway.idPattern).
	editorID     = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	enginePath   = regexp.MustCompile(`^((?:root|rules\[\d+\]|caps\[\d+\])(?:\.rules\[\d+\])*)((?:\.[A-Za-z]+(?:\[\d+\])?)*): (.*)$`)
	pathIndex    = regexp.MustCompile(`\[(\d+)\]`)
	ruleInEngine = regexp.MustCompile(`rule "([a-z0-9-]+)"`)
	// defineIssuer and defineAchievement match progress.Loaded's
	// resolution errors.
	defineIssuer      = regexp.MustCompile(`^issuer "([^"]*)": `)
	defineAchievement = regexp.MustCompile(`^achievement "([^"]*)" of ([a-z0-9-]+): `)
)

// engineFields maps the engine's field names to the form's inputs and
// their labels.
var engineFields = map[string][2]string{
	"n": {"n", "N"}, "minCredits": {"mincredits", "Minimum credits"}, "unit": {"unit", "Credit unit"},
	"pathway": {"pathway", "Pathway"}, "withinDays": {"within", "Within how many days"},
	"prerequisites": {"prereq", "Must be complete first"}, "id": {"id", "Rule id"}, "label": {"label", "Label"},
	"credits": {"credits", "Credits"}, "rules": {"kind", "Rules inside it"}, "kind": {"kind", "Kind of rule"},
	"match": {"source", "Which credentials"}, "issuer": {"issuer", "Issuer id"}, "achievement": {"achievement", "Achievement id"},
	"issuers": {"issuers", "Only from these issuers"}, "framework": {"framework", "Credit framework"},
	"minAmount": {"minamount", "Minimum recommended amount"}, "result": {"resultname", "Result"},
	"name": {"resultname", "Result name"}, "min": {"resultmin", "Lowest accepted result"},
	"maxAgeDays": {"maxage", "Earned at most how many days ago"}, "max": {"max", "At most"}, "group": {"group", "Group"},
}

// translatePathwayError turns an error of the engine or of Define into
// form errors on the rule and field it names; anything it cannot place
// goes to the summary as a plain sentence.
func (e *pathwayEdit) translateError(err error, errs *formErrors) {
	msg := err.Error()
	rows := e.flatten()
	if m := enginePath.FindStringSubmatch(msg); m != nil && strings.HasPrefix(m[1], "root") {
		r := e.Root
		for _, ix := range pathIndex.FindAllStringSubmatch(m[1], -1) {
			k, _ := strconv.Atoi(ix[1])
			if k >= len(r.Rules) {
				break
			}
			r = r.Rules[k]
		}
		field, label := fieldOf(m[2])
		errs.add("r"+strconv.Itoa(r.idx)+"-"+field, fmt.Sprintf("Rule %d (%s): %s: %s", r.idx+1, kindShort(r.Kind), label, m[3]))
		return
	}
	if m := ruleInEngine.FindStringSubmatch(msg); m != nil {
		for _, r := range rows {
			if r.effectiveID() == m[1] {
				field := "kind"
				if strings.Contains(msg, "depends on itself") {
					field = "prereq"
				}
				errs.add("r"+strconv.Itoa(r.idx)+"-"+field, fmt.Sprintf("Rule %d (%s): %s", r.idx+1, kindShort(r.Kind), plainEngine(msg)))
				return
			}
		}
	}
	// Define's findings about names: an issuer or achievement of this
	// server that does not exist, or a loop of nested pathways.
	if m := defineIssuer.FindStringSubmatch(msg); m != nil {
		for _, r := range rows {
			if r.Kind == string(pathway.KindCredential) && (r.Match.Source == sourceOther && r.Match.Issuer == m[1] ||
				r.Match.Source == sourceCredit && slices.Contains(lines(r.Match.Issuers), m[1])) {
				field, label := "issuer", "Issuer id"
				if r.Match.Source == sourceCredit {
					field, label = "issuers", "Only from these issuers"
				}
				errs.add("r"+strconv.Itoa(r.idx)+"-"+field, fmt.Sprintf("Rule %d (%s): %s: %s", r.idx+1, kindShort(r.Kind), label, strings.TrimPrefix(msg, m[0])))
				return
			}
		}
	}
	if m := defineAchievement.FindStringSubmatch(msg); m != nil {
		for _, r := range rows {
			if r.Kind == string(pathway.KindCredential) && r.Match.Source == sourceOther && r.Match.Achievement == m[1] {
				errs.add("r"+strconv.Itoa(r.idx)+"-achievement", fmt.Sprintf("Rule %d (%s): Achievement id: %q is not in the catalog of %s", r.idx+1, kindShort(r.Kind), m[1], m[2]))
				return
			}
		}
	}
	if strings.Contains(msg, "contains itself through nested pathway rules") {
		for _, r := range rows {
			if r.Kind == string(pathway.KindPathway) {
				errs.add("r"+strconv.Itoa(r.idx)+"-pathway", fmt.Sprintf("Rule %d (%s): Pathway: this would make the pathway contain itself, through the pathways it needs", r.idx+1, kindShort(r.Kind)))
				return
			}
		}
	}
	switch {
	case strings.HasPrefix(msg, "award."):
		errs.add("p-award", "Award: "+afterColon(msg))
	case strings.HasPrefix(msg, "name:"):
		errs.add("p-name", "Name: "+afterColon(msg))
	case strings.HasPrefix(msg, "id:"):
		errs.add("p-id", "Short name for web addresses: "+afterColon(msg))
	default:
		errs.add("", "The pathway was not saved: "+plainEngine(msg))
	}
}

func (e *schemeEdit) translateError(err error, errs *formErrors) {
	msg := err.Error()
	if m := enginePath.FindStringSubmatch(msg); m != nil && !strings.HasPrefix(m[1], "root") {
		k, _ := strconv.Atoi(pathIndex.FindStringSubmatch(m[1])[1])
		field, label := fieldOf(m[2])
		if strings.HasPrefix(m[1], "caps") {
			errs.add("c"+strconv.Itoa(k)+"-"+field, fmt.Sprintf("Limit %d: %s: %s", k+1, label, m[3]))
		} else {
			errs.add("a"+strconv.Itoa(k)+"-"+field, fmt.Sprintf("Rule %d: %s: %s", k+1, label, m[3]))
		}
		return
	}
	switch {
	case strings.HasPrefix(msg, "conversion:"):
		errs.add("s-hours-sch", "Conversion: "+afterColon(msg))
	case strings.HasPrefix(msg, "name:"):
		errs.add("s-name", "Name: "+afterColon(msg))
	case strings.HasPrefix(msg, "id:"):
		errs.add("s-id", "Short name for web addresses: "+afterColon(msg))
	default:
		errs.add("", "The credit scheme was not saved: "+plainEngine(msg))
	}
}

// fieldOf names the last element of an engine field path.
func fieldOf(path string) (field, label string) {
	parts := strings.Split(strings.TrimPrefix(path, "."), ".")
	last := pathIndex.ReplaceAllString(parts[len(parts)-1], "")
	if f, ok := engineFields[last]; ok {
		return f[0], f[1]
	}
	return "kind", "Rule"
}

func afterColon(s string) string {
	if _, rest, ok := strings.Cut(s, ": "); ok {
		return rest
	}
	return s
}

// plainEngine drops the engine's "pathway "x": " and "scheme "x": "
// prefixes, which only repeat what the form is about.
func plainEngine(s string) string {
	for _, p := range []string{"pathway ", "scheme "} {
		if strings.HasPrefix(s, p+`"`) {
			if _, rest, ok := strings.Cut(s, `": `); ok {
				s = rest
			}
		}
	}
	return s
}

// marshalDoc lays a document out as the JSON the API takes, indented for
// the advanced editor.
func marshalDoc(v any) string {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return ""
	}
	return string(b)
}

// frameworkOptions are the credit frameworks a match offers.
var frameworkOptions = []option{
	{catalog.FrameworkACE, "ACE (US semester credit hours)"},
	{catalog.FrameworkECTS, "ECTS credits"},
	{catalog.FrameworkNCrF, "NCrF credits (India)"},
}

// option is one choice of a select.
type option struct{ Value, Label string }

// withCurrent adds cur to opts when it is not there, so that a stored
// value the lists no longer offer survives an edit unchanged.
func withCurrent(opts []option, cur string) []option {
	if cur == "" {
		return opts
	}
	for _, o := range opts {
		if o.Value == cur {
			return opts
		}
	}
	return append(slices.Clone(opts), option{cur, cur + " (as saved)"})
}

// UnitLabel names the scheme's unit in plain words for the form.
func (e *schemeEdit) UnitLabel() string { return pathway.Unit(e.Unit).Label() }
