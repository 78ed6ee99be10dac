package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"

	"github.com/microcred/microcred/internal/pathway"
	"github.com/microcred/microcred/internal/pathway/progress"
	"github.com/microcred/microcred/internal/store"
)

// pathwayRoutes registers the public pathway pages, the learner's audit
// and the admin pages that create and edit pathways and credit schemes.
func (s *server) pathwayRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /pathways", s.pathwaysPage)
	mux.HandleFunc("GET /pathways/{org}/{id}", s.pathwayPage)
	mux.HandleFunc("GET /wallet/pathways", s.requireUser(s.walletPathways))
	mux.HandleFunc("GET /wallet/clr/{org}", s.requireUser(s.walletCLR))
	mux.HandleFunc("GET /admin/orgs/{slug}/pathways", s.orgRoute(anyRole, s.adminPathways))
	mux.HandleFunc("POST /admin/orgs/{slug}/pathways/awards/approve", s.orgRoute(catalogRoles, s.approveAward))
	mux.HandleFunc("GET /admin/orgs/{slug}/pathways/new", s.orgRoute(catalogRoles, s.pathwayForm))
	mux.HandleFunc("POST /admin/orgs/{slug}/pathways/new", s.orgRoute(catalogRoles, s.pathwaySubmit))
	mux.HandleFunc("GET /admin/orgs/{slug}/pathways/{kind}/{id}/edit", s.orgRoute(catalogRoles, s.pathwayForm))
	mux.HandleFunc("POST /admin/orgs/{slug}/pathways/{kind}/{id}/edit", s.orgRoute(catalogRoles, s.pathwaySubmit))
}

func (s *server) progressService() *progress.Service {
	return &progress.Service{Store: s.store, IssuerID: s.issuer.IssuerID, AchievementURL: s.issuer.AchievementURL}
}

// pathwayCard is one pathway in a list.
type pathwayCard struct {
	Org         store.Organization
	ID, Name    string
	Description string
	Version     int
	Award       string
	URL         string
}

func (s *server) pathwaysPage(w http.ResponseWriter, r *http.Request) {
	l, err := s.progressService().Load(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var cards []pathwayCard
	for _, o := range l.Orgs {
		for _, d := range o.Pathways {
			p, ok := o.Engine.Pathway(d.Slug)
			if !ok {
				continue
			}
			cards = append(cards, cardOf(o.Org, &p))
		}
	}
	s.render(w, r, http.StatusOK, "pathways", "Pathways", map[string]any{"Cards": cards})
}

func cardOf(org store.Organization, p *pathway.Pathway) pathwayCard {
	c := pathwayCard{Org: org, ID: p.ID, Name: p.Name, Description: p.Description, Version: p.Version,
		URL: "/pathways/" + org.Slug + "/" + p.ID}
	if p.Award != nil {
		c.Award = p.Award.Name
	}
	return c
}

// ruleView is a rule as the pages list it: what it asks, and for a
// signed-in learner whether it is met and why.
type ruleView struct {
	Label, Detail string
	State         string // "met", "partly met", "not met" or "" without a learner
	Why           string
	Children      []ruleView
}

func ruleViews(r *pathway.Rule, n *pathway.Node, name func(*pathway.Match) string) ruleView {
	v := ruleView{Label: r.Label, Detail: ruleDetail(r)}
	if r.Kind == pathway.KindCredential && name != nil {
		if s := name(r.Match); s != "" && v.Label == "" {
			v.Label = s
		}
	}
	if v.Label == "" {
		v.Label = ruleFallbackLabel(r)
	}
	if n != nil {
		switch {
		case n.Complete:
			v.State = "met"
		case n.Progress > 0:
			v.State = "partly met"
		default:
			v.State = "not met"
		}
		v.Why = n.Why
	}
	for i := range r.Rules {
		var cn *pathway.Node
		if n != nil && i < len(n.Children) {
			cn = &n.Children[i]
		}
		v.Children = append(v.Children, ruleViews(&r.Rules[i], cn, name))
	}
	return v
}

func ruleFallbackLabel(r *pathway.Rule) string {
	switch r.Kind {
	case pathway.KindCredential:
		if r.Match.Achievement != "" {
			return r.Match.Achievement
		}
		return "A credential with a " + r.Match.Framework + " credit recommendation"
	case pathway.KindPathway:
		return "The pathway " + r.Pathway
	}
	return "Requirement " + r.ID
}

func ruleDetail(r *pathway.Rule) string {
	var parts []string
	switch r.Kind {
	case pathway.KindAllOf:
		parts = append(parts, "all of these")
	case pathway.KindNOf:
		parts = append(parts, fmt.Sprintf("any %d of these", r.N))
	case pathway.KindMinCredits:
		parts = append(parts, fmt.Sprintf("at least %s %s from these", formatNumber(r.MinCredits), r.Unit.Label()))
	case pathway.KindCredential:
		m := r.Match
		if m.Framework != "" {
			d := "any credential recommended for " + m.Framework + " credit"
			if m.MinAmount > 0 {
				d += " of at least " + formatNumber(m.MinAmount)
			}
			if len(m.Levels) > 0 {
				d += " at " + strings.Join(m.Levels, " or ")
			}
			parts = append(parts, d)
		}
		if m.Result != nil {
			d := "with a " + m.Result.Name + " result"
			if m.Result.Min != nil {
				d += " of at least " + formatNumber(*m.Result.Min)
			}
			if len(m.Result.OneOf) > 0 {
				d += " of " + strings.Join(m.Result.OneOf, ", ")
			}
			parts = append(parts, d)
		}
	}
	if r.WithinDays > 0 {
		parts = append(parts, fmt.Sprintf("all earned within %d days", r.WithinDays))
	}
	if len(r.Prerequisites) > 0 {
		parts = append(parts, "after "+strings.Join(r.Prerequisites, ", "))
	}
	return strings.Join(parts, "; ")
}

// schemeView is a credit scheme as the pathway page lists it.
type schemeView struct {
	Name, Unit string
	Rules      []string
	Caps       []string
}

func schemeViews(o *progress.Org, l *progress.Loaded) []schemeView {
	var out []schemeView
	for _, d := range o.Schemes {
		sc, err := pathway.ParseScheme(d.Document)
		if err != nil {
			continue
		}
		out = append(out, schemeViewOf(&sc, l.Name))
	}
	return out
}

// schemeViewOf says in plain words what a credit scheme awards; name
// names an achievement as the catalog does.
func schemeViewOf(sc *pathway.Scheme, name func(*pathway.Match) string) schemeView {
	v := schemeView{Name: sc.Name, Unit: sc.Unit.Label()}
	for _, ar := range sc.Rules {
		what := ar.Label
		if what == "" {
			what = name(&ar.Match)
		}
		if what == "" {
			what = ruleFallbackLabel(&pathway.Rule{Kind: pathway.KindCredential, Match: &ar.Match})
		}
		credit := "the recommended credit, converted"
		if ar.Credits > 0 {
			credit = formatNumber(ar.Credits) + " " + string(sc.Unit)
		}
		line := what + ": " + credit
		if ar.Course != "" {
			line += " as " + strings.TrimSpace(ar.Course+" "+ar.CourseTitle)
		}
		if ar.MaxAgeDays > 0 {
			line += fmt.Sprintf(" (earned within %d days)", ar.MaxAgeDays)
		}
		v.Rules = append(v.Rules, line)
	}
	for _, c := range sc.Caps {
		label := c.Label
		if label == "" {
			label = "at most " + formatNumber(c.Max) + " " + string(sc.Unit)
			if c.Group != "" {
				label += " from " + c.Group
			}
		}
		v.Caps = append(v.Caps, label)
	}
	return v
}

func (s *server) pathwayPage(w http.ResponseWriter, r *http.Request) {
	l, err := s.progressService().Load(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	o, ok := l.OrgBySlug(r.PathValue("org"))
	if !ok {
		s.notFound(w, r)
		return
	}
	p, ok := o.Engine.Pathway(r.PathValue("id"))
	if !ok {
		s.notFound(w, r)
		return
	}
	data := map[string]any{"Card": cardOf(o.Org, &p), "Schemes": schemeViews(o, l)}
	var result *pathway.PathwayResult
	if v := currentViewer(r); v != nil {
		creds, err := s.viewerCredentials(r, l, v)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if len(creds) > 0 {
			now := s.now()
			for _, pr := range o.Engine.Audit(now, creds).Pathways {
				if pr.ID == p.ID {
					result = &pr
				}
			}
			for _, sg := range o.Engine.WhatIf(now, creds) {
				if sg.Pathway == p.ID {
					data["WhatIf"] = sg
				}
			}
		}
	}
	opt := pathway.DiagramOptions{Name: l.Name}
	var root *pathway.Node
	if result != nil {
		opt.Progress = &result.Root
		root = &result.Root
		data["Progress"] = result
		data["Percent"] = int(result.Progress*100 + 1e-9)
	}
	// The diagram is built from escaped text only (see pathway.Diagram).
	data["Diagram"] = template.HTML(pathway.Diagram(&p, opt)) //nolint:gosec // every text in it is escaped
	rules := ruleViews(&p.Root, root, l.Name)
	if p.Root.Label == "" && p.Root.Kind != pathway.KindCredential {
		rules.Label = p.Name
	}
	data["Rules"] = rules
	s.render(w, r, http.StatusOK, "pathway", p.Name, data)
}

func (s *server) walletPathways(w http.ResponseWriter, r *http.Request) {
	l, err := s.progressService().Load(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := currentViewer(r)
	mine, err := s.viewerCredentials(r, l, v)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	now := s.now()
	var audits []progress.LearnerAudit
	for _, o := range l.Orgs {
		audits = append(audits, progress.LearnerAudit{Org: o.Org, OrgID: o.Org.Slug, Name: o.Org.Name,
			Audit: o.Engine.Audit(now, mine), WhatIf: o.Engine.WhatIf(now, mine)})
	}
	type pathwayRow struct {
		Org      store.Organization
		Result   pathway.PathwayResult
		Percent  int
		URL      string
		WhatIf   string
		Rules    ruleView
		Complete bool
	}
	var rows []pathwayRow
	var credit []pathway.SchemeResult
	var creds []pathway.CredentialLine
	for _, la := range audits {
		o, _ := l.OrgBySlug(la.OrgID)
		creds = la.Audit.Credentials
		for _, pr := range la.Audit.Pathways {
			if pr.Progress == 0 {
				continue
			}
			p, _ := o.Engine.Pathway(pr.ID)
			row := pathwayRow{Org: la.Org, Result: pr, Percent: int(pr.Progress*100 + 1e-9), URL: "/pathways/" + la.OrgID + "/" + pr.ID,
				Rules: ruleViews(&p.Root, &pr.Root, l.Name), Complete: pr.Complete}
			if p.Root.Label == "" && p.Root.Kind != pathway.KindCredential {
				row.Rules.Label = p.Name
			}
			for _, sg := range la.WhatIf {
				if sg.Pathway == pr.ID {
					row.WhatIf = sg.Why
				}
			}
			rows = append(rows, row)
		}
		for _, sc := range la.Audit.Credit {
			if sc.Total > 0 {
				credit = append(credit, sc)
			}
		}
	}
	// A record can come from each organization that issued the learner
	// something.
	var orgs []store.Organization
	seen := map[string]bool{}
	for _, c := range mine {
		if org, ok := l.OrgByIssuer(c.Issuer); ok && !seen[org.ID] {
			seen[org.ID] = true
			orgs = append(orgs, org)
		}
	}
	s.render(w, r, http.StatusOK, "wallet_pathways", "Your pathways and credit", map[string]any{
		"Rows": rows, "Credit": credit, "Credentials": creds, "AsOf": now, "Orgs": orgs,
	})
}

func (s *server) adminPathways(w http.ResponseWriter, r *http.Request) {
	oc := currentOrg(r)
	ps, err := s.store.ListPathwayDefinitions(r.Context(), oc.Org.ID, store.PathwayKindPathway)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	ss, err := s.store.ListPathwayDefinitions(r.Context(), oc.Org.ID, store.PathwayKindScheme)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	review, err := s.store.ListPathwayProgress(r.Context(), store.PathwayProgressQuery{OrgID: oc.Org.ID, AwardState: store.AwardReview, Limit: 500})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "admin_pathways", "Pathways of "+oc.Org.Name, map[string]any{
		"Org": oc.Org, "Role": oc.Role, "Pathways": ps, "Schemes": ss, "Review": review,
		"CanEdit": oc.Role == store.RoleOwner || oc.Role == store.RoleIssuer,
	})
}

// pathwayFormData is what the definition form shows.
type pathwayFormData struct {
	Org      store.Organization
	Role     store.Role
	Kind     store.PathwayKind
	Document string
	Editing  bool
	ID       string
	Version  int
	Next     int // the version saving makes
	Versions []store.PathwayDefinition
	Action   string
	Example  string
	// E is the form editor: the document as fields.
	E *editorView
}

const examplePathway = `{
  "id": "applied-data-science",
  "name": "Applied Data Science Programme",
  "description": "Three modules and an industry certificate.",
  "award": {"achievementId": "applied-data-science-programme", "name": "Applied Data Science Programme Certificate", "review": true},
  "root": {"kind": "allOf", "rules": [
    {"label": "Statistics for Data Science", "kind": "credential",
     "match": {"issuer": "org:demo-university", "achievement": "statistics-for-data-science"}},
    {"label": "One advanced module", "kind": "nOf", "n": 1, "rules": [
      {"kind": "credential", "match": {"issuer": "org:demo-university", "achievement": "machine-learning-in-practice"}},
      {"kind": "credential", "match": {"issuer": "org:demo-university", "achievement": "data-engineering-and-governance"}}]},
    {"label": "Industry certificate worth 6 ECTS", "kind": "minCredits", "minCredits": 6, "unit": "ECTS",
     "rules": [{"kind": "credential", "match": {"framework": "ACE", "minAmount": 3}}]}]}
}`

const exampleScheme = `{
  "id": "bsc-data-science",
  "name": "BSc Data Science",
  "unit": "SCH",
  "rules": [
    {"id": "northwind", "label": "Data Analytics Professional Certificate", "course": "DATA 150", "courseTitle": "Data Analytics",
     "group": "micro", "match": {"issuer": "org:northwind-academy", "achievement": "data-analytics-professional-certificate"}},
    {"id": "any-ace", "label": "Other ACE-recommended certificates", "group": "micro", "maxAgeDays": 3650,
     "match": {"framework": "ACE", "minAmount": 1, "levels": ["lower-division baccalaureate", "upper-division baccalaureate"]}}],
  "caps": [{"group": "micro", "max": 18, "label": "at most 18 credit hours from micro-credentials"}]
}`

func (s *server) pathwayForm(w http.ResponseWriter, r *http.Request) {
	oc := currentOrg(r)
	d := pathwayFormData{Org: oc.Org, Role: oc.Role, Kind: store.PathwayKind(r.URL.Query().Get("kind"))}
	var stored []byte
	if id := r.PathValue("id"); id != "" {
		d.Kind = store.PathwayKind(r.PathValue("kind"))
		if !d.Kind.Valid() {
			s.notFound(w, r)
			return
		}
		cur, err := s.store.PathwayDefinition(r.Context(), oc.Org.ID, d.Kind, id, 0)
		if errors.Is(err, store.ErrNotFound) {
			s.notFound(w, r)
			return
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		d.Editing, d.ID, d.Version, d.Next = true, id, cur.Version, cur.Version+1
		d.Document = indentJSON(cur.Document)
		stored = cur.Document
		if d.Versions, err = s.store.ListPathwayDefinitionVersions(r.Context(), oc.Org.ID, d.Kind, id); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	if !d.Kind.Valid() {
		d.Kind = store.PathwayKindPathway
	}
	v, err := s.newEditorView(r.Context(), oc.Org, d.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.E = v
	v.fromDocument(d.Kind, stored)
	s.renderPathwayForm(w, r, d, nil)
}

func (s *server) renderPathwayForm(w http.ResponseWriter, r *http.Request, d pathwayFormData, errs formErrors) {
	d.Example = examplePathway
	if d.Kind == store.PathwayKindScheme {
		d.Example = exampleScheme
	}
	if d.Editing {
		d.Action = "/admin/orgs/" + d.Org.Slug + "/pathways/" + string(d.Kind) + "/" + d.ID + "/edit"
	} else {
		d.Action = "/admin/orgs/" + d.Org.Slug + "/pathways/new?kind=" + string(d.Kind)
	}
	title := "New pathway"
	switch {
	case d.Editing && d.Kind == store.PathwayKindScheme:
		title = "Edit credit scheme"
	case d.Editing:
		title = "Edit pathway"
	case d.Kind == store.PathwayKindScheme:
		title = "New credit scheme"
	}
	status := http.StatusOK
	if d.E != nil {
		if d.E.Pathway != nil {
			d.E.buildPathwayRows()
		}
		if d.E.Scheme != nil {
			d.E.buildSchemeRows()
		}
		if d.E.Errs.Any() {
			status = http.StatusBadRequest
		}
	}
	if errs.Any() {
		status = http.StatusBadRequest
	}
	s.renderWith(w, r, status, "pathway_form", pageData{Title: title, Data: d, Errors: errs})
}

func (s *server) pathwaySubmit(w http.ResponseWriter, r *http.Request) {
	oc := currentOrg(r)
	if !s.parseForm(w, r) {
		return
	}
	d := pathwayFormData{Org: oc.Org, Role: oc.Role, Kind: store.PathwayKind(r.URL.Query().Get("kind")), Document: r.PostFormValue("document")}
	if id := r.PathValue("id"); id != "" {
		d.Editing, d.ID, d.Kind = true, id, store.PathwayKind(r.PathValue("kind"))
	}
	if !d.Kind.Valid() {
		s.notFound(w, r)
		return
	}
	// current is the version being edited: the form shows it when the
	// posted JSON does not decode, never a blank form that Save would
	// store over it.
	var current []byte
	if d.Editing {
		cur, err := s.store.PathwayDefinition(r.Context(), oc.Org.ID, d.Kind, d.ID, 0)
		if errors.Is(err, store.ErrNotFound) {
			s.notFound(w, r)
			return
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		d.Version, d.Next = cur.Version, cur.Version+1
		current = cur.Document
	}
	v, err := s.newEditorView(r.Context(), oc.Org, d.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d.E = v
	if r.PostForm.Has("editor") {
		s.editorSubmit(w, r, d)
		return
	}
	var errs formErrors
	doc := []byte(strings.TrimSpace(d.Document))
	if !v.fromDocument(d.Kind, doc) {
		v.fromDocument(d.Kind, current)
	}
	v.JSONOpen = true
	if d.Editing {
		var head struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(doc, &head) == nil && head.ID != d.ID {
			errs.add("document", fmt.Sprintf("The id must stay %q; to make a new %s, use “New”.", d.ID, d.Kind))
		}
	}
	if !errs.Any() {
		if s.saveDefinition(w, r, d, doc, func(err error) { errs.add("document", err.Error()) }) {
			return
		}
	}
	s.renderPathwayForm(w, r, d, errs)
}

// saveDefinition stores doc as the next version and redirects, or hands
// a validation problem to bad and reports false; other errors answer 500
// (and report true: the response is written).
func (s *server) saveDefinition(w http.ResponseWriter, r *http.Request, d pathwayFormData, doc []byte, bad func(error)) bool {
	oc := currentOrg(r)
	stored, err := s.progressService().Define(r.Context(), oc.Org, d.Kind, doc, currentViewer(r).User.ID)
	var ie *progress.InvalidError
	switch {
	case errors.As(err, &ie):
		bad(ie.Err)
		return false
	case err != nil:
		s.serverError(w, r, err)
		return true
	}
	what := "Pathway"
	if d.Kind == store.PathwayKindScheme {
		what = "Credit scheme"
	}
	s.setFlash(w, fmt.Sprintf("%s “%s” saved as version %d.", what, stored.Name, stored.Version))
	http.Redirect(w, r, "/admin/orgs/"+oc.Org.Slug+"/pathways", http.StatusSeeOther)
	return true
}

// editorSubmit handles a post of the form editor: a button that changes
// the rows re-renders the form; Preview draws the diagram; Save stores
// the document the fields make.
func (s *server) editorSubmit(w http.ResponseWriter, r *http.Request, d pathwayFormData) {
	v := d.E
	op := r.PostFormValue("op")
	var doc []byte
	if d.Kind == store.PathwayKindScheme {
		e := readSchemeEdit(r.PostForm)
		if d.Editing {
			e.ID = d.ID
		}
		v.Scheme = e
		if e.apply(op) || op == "refresh" {
			d.Document = marshalDoc(e.toScheme(new(formErrors)))
			s.renderPathwayForm(w, r, d, nil)
			return
		}
		sc := e.toScheme(&v.Errs)
		d.Document = marshalDoc(sc)
		doc = []byte(d.Document)
		if !v.Errs.Any() {
			checked, err := pathway.ParseScheme(doc)
			if err != nil {
				e.translateError(err, &v.Errs)
			} else if op == "preview" {
				_, namer := localNames(v.Local)
				sv := schemeViewOf(&checked, namer)
				v.PreviewScheme = &sv
			}
		}
		if !v.Errs.Any() && op != "preview" {
			if s.saveDefinition(w, r, d, doc, func(err error) { e.translateError(err, &v.Errs) }) {
				return
			}
		}
		s.renderPathwayForm(w, r, d, nil)
		return
	}
	e := readPathwayEdit(r.PostForm)
	if d.Editing {
		e.ID = d.ID
	}
	v.Pathway = e
	if e.apply(op) || op == "refresh" {
		d.Document = marshalDoc(e.toPathway(new(formErrors)))
		s.renderPathwayForm(w, r, d, nil)
		return
	}
	p := e.toPathway(&v.Errs)
	d.Document = marshalDoc(p)
	doc = []byte(d.Document)
	if !v.Errs.Any() {
		checked, err := pathway.ParsePathway(doc)
		if err != nil {
			e.translateError(err, &v.Errs)
		} else if op == "preview" {
			_, namer := localNames(v.Local)
			v.Preview = template.HTML(pathway.Diagram(&checked, pathway.DiagramOptions{Name: namer, ID: "preview"})) //nolint:gosec // every text in it is escaped
			rules := ruleViews(&checked.Root, nil, namer)
			if checked.Root.Label == "" && checked.Root.Kind != pathway.KindCredential {
				rules.Label = checked.Name
			}
			v.PreviewRules = &rules
		}
	}
	if !v.Errs.Any() && op != "preview" {
		if s.saveDefinition(w, r, d, doc, func(err error) { e.translateError(err, &v.Errs) }) {
			return
		}
	}
	s.renderPathwayForm(w, r, d, nil)
}

// indentJSON lays a stored document out for editing, keeping the
// author's order of fields.
func indentJSON(b []byte) string {
	var buf bytes.Buffer
	if json.Indent(&buf, b, "", "  ") != nil {
		return string(b)
	}
	return buf.String()
}

// approveAward issues an award waiting for review, on a registrar's
// decision.
func (s *server) approveAward(w http.ResponseWriter, r *http.Request) {
	oc := currentOrg(r)
	if !s.parseForm(w, r) {
		return
	}
	l, err := s.progressService().Load(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	learner, pathwayID := r.PostFormValue("learner"), r.PostFormValue("pathway")
	c, err := l.ApproveAward(r.Context(), s.issuer, s.base, oc.Org, pathwayID, learner, currentViewer(r).User.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.setFlash(w, "That award is no longer waiting for review.")
	case errors.Is(err, store.ErrConflict):
		s.setFlash(w, "Not issued: "+learner+" no longer completes the pathway (one of the credentials stopped verifying).")
	case err != nil:
		s.serverError(w, r, err)
		return
	default:
		s.setFlash(w, "Issued the award to "+c.RecipientEmail+".")
	}
	http.Redirect(w, r, "/admin/orgs/"+oc.Org.Slug+"/pathways", http.StatusSeeOther)
}

// viewerCredentials returns the engine input for the credentials linked
// to the signed-in user's account, the ones their wallet shows: an
// address typed at sign-up does not by itself reveal what was issued to
// it.
func (s *server) viewerCredentials(r *http.Request, l *progress.Loaded, v *viewer) ([]pathway.Credential, error) {
	linked, err := s.store.ListCredentials(r.Context(), store.CredentialQuery{LearnerID: v.User.ID, Limit: 1000})
	if err != nil {
		return nil, fmt.Errorf("list the wallet: %w", err)
	}
	ids := make(map[string]bool, len(linked))
	for _, c := range linked {
		ids[c.ID] = true
	}
	all, err := l.LearnerCredentials(r.Context(), v.User.Email)
	if err != nil {
		return nil, err
	}
	mine := all[:0]
	for _, c := range all {
		if ids[c.ID] {
			mine = append(mine, c)
		}
	}
	return mine, nil
}

// walletCLR downloads the signed-in learner's Comprehensive Learner Record
// (CLR 2.0) from one organization, built from their linked credentials:
// the organization's own, and other issuers' that its pathways rest on.
func (s *server) walletCLR(w http.ResponseWriter, r *http.Request) {
	org, err := s.store.OrganizationBySlug(r.Context(), r.PathValue("org"))
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	l, err := s.progressService().Load(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := currentViewer(r)
	linked, err := s.store.ListCredentials(r.Context(), store.CredentialQuery{LearnerID: v.User.ID, Limit: 1000})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	ids := make(map[string]bool, len(linked))
	for _, c := range linked {
		ids[c.ID] = true
	}
	doc, err := l.ClrCredential(r.Context(), s.issuer, org, v.User.Email, func(id string) bool { return ids[id] }, s.now())
	if errors.Is(err, progress.ErrClrEmpty) {
		s.renderError(w, r, http.StatusNotFound, "You hold no credential from "+org.Name+" that can go into a learner record yet. "+
			"A record lists the credentials an organization issued to you that are still valid.")
		return
	}
	if errors.Is(err, progress.ErrClrSchema) {
		s.log.Error("learner record refused: it does not match the CLR 2.0 schema", "org", org.Slug, "err", err)
		s.renderError(w, r, http.StatusInternalServerError, "Your learner record could not be put together correctly, so it was not handed out. "+
			"The problem has been logged; please try again later.")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="clr-`+org.Slug+`.json"`)
	_, _ = w.Write(doc)
}
