package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"strconv"
	"strings"

	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/pathway"
	"github.com/microcred/microcred/internal/store"
)

// editorView is what the pathway and scheme editor templates show.
type editorView struct {
	Pathway *pathwayEdit
	Scheme  *schemeEdit
	Rows    []ruleRow
	ARows   []articulationRow
	Caps    []capRow
	Errs    formErrors

	Local, Award, Pathways []option
	Frameworks, Units      []option
	Kinds                  []option
	// Preview is the stacking diagram of the pathway as the form has it.
	Preview template.HTML
	// PreviewRules and PreviewScheme say the same in words, as the public
	// pathway page does.
	PreviewRules  *ruleView
	PreviewScheme *schemeView
	// JSONOpen unfolds the advanced JSON editor (after a JSON mistake).
	JSONOpen bool
}

// Invalid marks a field with a problem for assistive technology.
func (v *editorView) Invalid(field string) template.HTMLAttr {
	if len(v.Errs.Get(field)) == 0 {
		return ""
	}
	return template.HTMLAttr(`aria-invalid="true" aria-describedby="` + template.HTMLEscapeString(field) + `-error"`) //nolint:gosec // field names are ours
}

// Err shows a field's problems next to it.
func (v *editorView) Err(field string) template.HTML {
	msgs := v.Errs.Get(field)
	if len(msgs) == 0 {
		return ""
	}
	return template.HTML(`<span class="field-error" id="` + template.HTMLEscapeString(field) + `-error">` + //nolint:gosec // escaped here
		template.HTMLEscapeString(strings.Join(msgs, " ")) + `</span>`)
}

// matchView is one match's fields.
type matchView struct {
	P string // input name prefix
	M matchForm
	V *editorView
}

// ruleRow is one rule of the tree as a row of the form.
type ruleRow struct {
	R              *ruleForm
	P              string
	Index, Number  int
	Depth, Indent  int
	Parent         int // the parent's number, 0 for the top rule
	IsGroup, CanUp bool
	CanDown        bool
	CanOut, CanIn  bool
	// Above is the number of the group CanIn moves the rule into.
	Above            int
	AutoID           string
	Prereqs          []checkOption
	Match            matchView
	PathwayOptions   []option
	UnitOptions      []option
	ParentIsCredits  bool
	NewKindSelection string
}

type checkOption struct {
	Value, Label string
	Checked      bool
}

type articulationRow struct {
	R             *articulationForm
	P             string
	Index, Number int
	CanUp         bool
	CanDown       bool
	Match         matchView
}

type capRow struct {
	C             *capForm
	P             string
	Index, Number int
}

func unitOptions() []option {
	var out []option
	for _, u := range pathway.Units {
		out = append(out, option{string(u), u.Label()})
	}
	return out
}

func kindOptions() []option {
	var out []option
	for _, k := range kindNames {
		out = append(out, option{string(k.Kind), k.Long})
	}
	return out
}

// ruleTitle names a row in lists of other rules (prerequisites).
func ruleTitle(r *ruleForm, local []option) string {
	t := r.Label
	if t == "" && r.Kind == string(pathway.KindCredential) {
		switch r.Match.Source {
		case sourceLocal:
			for _, o := range local {
				if o.Value == r.Match.Local {
					t = o.Label
				}
			}
		case sourceOther:
			t = r.Match.Name
			if t == "" {
				t = r.Match.Achievement
			}
		}
	}
	if t == "" && r.Kind == string(pathway.KindPathway) {
		t = "the pathway " + r.Pathway
	}
	if t == "" {
		t = kindShort(r.Kind)
	}
	return fmt.Sprintf("Rule %d: %s", r.idx+1, t)
}

// buildPathwayRows lays the pathway's rule tree out as form rows.
func (v *editorView) buildPathwayRows() {
	rows := v.Pathway.flatten()
	v.Rows = nil
	for _, r := range rows {
		row := ruleRow{R: r, P: "r" + strconv.Itoa(r.idx) + "-", Index: r.idx, Number: r.idx + 1, Depth: r.depth,
			Indent: min(r.depth, 4), IsGroup: isGroup(r.Kind), AutoID: r.autoID,
			UnitOptions: withCurrent(v.Units, r.Unit), PathwayOptions: withCurrent(v.Pathways, r.Pathway)}
		row.Match = v.matchView(row.P, r.Match)
		if r.parent != nil {
			row.Parent = r.parent.idx + 1
			row.ParentIsCredits = r.parent.Kind == string(pathway.KindMinCredits)
			k := indexOf(r.parent.Rules, r)
			row.CanUp, row.CanDown = k > 0, k+1 < len(r.parent.Rules)
			row.CanOut = r.parent.parent != nil
			if k > 0 && isGroup(r.parent.Rules[k-1].Kind) {
				row.CanIn, row.Above = true, r.parent.Rules[k-1].idx+1
			}
		}
		row.NewKindSelection = r.NewKind
		if row.NewKindSelection == "" {
			row.NewKindSelection = string(pathway.KindCredential)
		}
		checked := map[string]bool{}
		for _, p := range r.Prerequisites {
			checked[p] = true
		}
		// A rule's groups need it already, so needing one of them first
		// would be a loop: they are not offered.
		ancestors := map[*ruleForm]bool{}
		for a := r.parent; a != nil; a = a.parent {
			ancestors[a] = true
		}
		for _, o := range rows {
			if o == r || (ancestors[o] && !checked[o.effectiveID()]) {
				continue
			}
			id := o.effectiveID()
			row.Prereqs = append(row.Prereqs, checkOption{Value: id, Label: ruleTitle(o, v.Local), Checked: checked[id]})
			delete(checked, id)
		}
		// Prerequisites naming no rule stay, so the error about them shows.
		for _, p := range r.Prerequisites {
			if checked[p] {
				row.Prereqs = append(row.Prereqs, checkOption{Value: p, Label: "a rule with the id " + p + " (not in this pathway)", Checked: true})
			}
		}
		v.Rows = append(v.Rows, row)
	}
}

func indexOf(list []*ruleForm, r *ruleForm) int {
	for i, x := range list {
		if x == r {
			return i
		}
	}
	return -1
}

func (v *editorView) buildSchemeRows() {
	v.ARows, v.Caps = nil, nil
	for i, r := range v.Scheme.Rules {
		p := "a" + strconv.Itoa(i) + "-"
		v.ARows = append(v.ARows, articulationRow{R: r, P: p, Index: i, Number: i + 1, CanUp: i > 0, CanDown: i+1 < len(v.Scheme.Rules),
			Match: v.matchView(p, r.Match)})
	}
	for i, c := range v.Scheme.Caps {
		v.Caps = append(v.Caps, capRow{C: c, P: "c" + strconv.Itoa(i) + "-", Index: i, Number: i + 1})
	}
}

// editorOptions loads what the editor's lists offer: every achievement
// of this server's catalog (for credential rules), the organization's
// own (for the award) and its other pathways (for nested pathway rules).
func (s *server) editorOptions(ctx context.Context, org store.Organization, self string) (local, award, pathways []option, err error) {
	orgs, err := s.store.ListOrganizations(ctx)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("editor options: %w", err)
	}
	for _, o := range orgs {
		entries, err := s.store.SearchAchievements(ctx, issue.Listed(store.AchievementQuery{OrgID: o.ID, Limit: 1000}))
		if err != nil {
			return nil, nil, nil, fmt.Errorf("editor options: catalog of %s: %w", o.Slug, err)
		}
		for _, e := range entries {
			if e.Achievement.Slug == "" {
				continue
			}
			local = append(local, option{o.Slug + "/" + e.Achievement.Slug, e.Version.Name + " — " + o.Name})
			if o.ID == org.ID {
				award = append(award, option{e.Achievement.Slug, e.Version.Name})
			}
		}
	}
	defs, err := s.store.ListPathwayDefinitions(ctx, org.ID, store.PathwayKindPathway)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("editor options: pathways: %w", err)
	}
	for _, d := range defs {
		if d.Slug != self {
			pathways = append(pathways, option{d.Slug, d.Name})
		}
	}
	return local, award, pathways, nil
}

// localNames returns the option map matchFormOf needs and a namer for
// the preview diagram.
func localNames(opts []option) (map[string]string, func(*pathway.Match) string) {
	m := make(map[string]string, len(opts))
	for _, o := range opts {
		name, _, _ := strings.Cut(o.Label, " — ")
		m[o.Value] = name
	}
	return m, func(x *pathway.Match) string {
		if x == nil {
			return ""
		}
		if org, ok := strings.CutPrefix(x.Issuer, "org:"); ok {
			return m[org+"/"+x.Achievement]
		}
		return x.Name
	}
}

// Opts is withCurrent for templates.
func (v *editorView) Opts(opts []option, cur string) []option { return withCurrent(opts, cur) }

// Described points a field at its help text and, when it has a problem,
// at its error message too, marking it invalid.
func (v *editorView) Described(field, help string) template.HTMLAttr {
	ids := template.HTMLEscapeString(help)
	invalid := ""
	if len(v.Errs.Get(field)) > 0 {
		ids += " " + template.HTMLEscapeString(field) + "-error"
		invalid = `aria-invalid="true" `
	}
	return template.HTMLAttr(invalid + `aria-describedby="` + ids + `"`) //nolint:gosec // escaped here
}

// newEditorView loads the editor's lists; self is the id of the pathway
// being edited, which cannot nest itself.
func (s *server) newEditorView(ctx context.Context, org store.Organization, self string) (*editorView, error) {
	local, award, pathways, err := s.editorOptions(ctx, org, self)
	if err != nil {
		return nil, err
	}
	return &editorView{Local: local, Award: award, Pathways: pathways, Frameworks: frameworkOptions, Units: unitOptions(), Kinds: kindOptions()}, nil
}

// fromDocument fills the editor from a stored or posted document and
// reports whether it decoded; one that does not leaves a fresh form.
func (v *editorView) fromDocument(kind store.PathwayKind, doc []byte) bool {
	local, _ := localNames(v.Local)
	if kind == store.PathwayKindScheme {
		var sc pathway.Scheme
		if len(doc) > 0 && json.Unmarshal(doc, &sc) == nil {
			v.Scheme = schemeEditOf(&sc, local)
			return true
		}
		v.Scheme = newSchemeEdit()
		return false
	}
	var p pathway.Pathway
	if len(doc) > 0 && json.Unmarshal(doc, &p) == nil && p.Root.Kind != "" {
		v.Pathway = pathwayEditOf(&p, local)
		return true
	}
	v.Pathway = newPathwayEdit()
	return false
}

// matchView shows a match; with nothing in this server's catalog, an
// empty match starts at another issuer's achievement.
func (v *editorView) matchView(prefix string, m matchForm) matchView {
	if len(v.Local) == 0 && m.Source == sourceLocal && m.Local == "" {
		m.Source = sourceOther
	}
	return matchView{P: prefix, M: m, V: v}
}
