package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/pathway"
	"github.com/microcred/microcred/internal/pathway/progress"
	"github.com/microcred/microcred/internal/store"
)

// pathwayRoutes are the pathway and credit scheme endpoints: public reads,
// writes for an organization's clients with the issue scope, and a
// learner's audit for clients that may read credentials.
func (a *API) pathwayRoutes() []route {
	idParam := func(what string) param {
		return param{name: "id", in: "path", required: true, description: "The " + what + "'s id.", schema: map[string]any{"type": "string"}}
	}
	orgParam := param{name: "org", in: "path", required: true, description: "The organization's slug.", schema: map[string]any{"type": "string"}}
	versionParam := param{name: "version", in: "query", description: "A version number; the current version when absent.",
		schema: map[string]any{"type": "integer", "minimum": 1}}
	var rs []route
	for _, k := range []struct {
		kind       store.PathwayKind
		path, what string
		schema     string
	}{
		{store.PathwayKindPathway, "/api/v1/pathways", "pathway", "Pathway"},
		{store.PathwayKindScheme, "/api/v1/credit-schemes", "credit scheme", "CreditScheme"},
	} {
		kind := k.kind
		rs = append(rs,
			route{
				method: "GET", path: k.path, style: styleJSON,
				handle: func(a *API, w http.ResponseWriter, r *http.Request, c *caller) error {
					return a.listDefinitions(w, r, kind)
				},
				op: operation{id: "list" + k.schema + "s", tag: tagMicrocred, summary: "Every organization's current " + k.what + "s",
					params: []param{{name: "org", in: "query", description: "Only this organization's (slug).", schema: map[string]any{"type": "string"}}},
					responses: []response{{status: 200, description: "The " + k.what + "s.",
						content: map[string]any{"application/json": map[string]any{"type": "array", "items": ref("PathwayDefinition")}}}}},
			},
			route{
				method: "GET", path: k.path + "/{org}/{id}", style: styleJSON,
				handle: func(a *API, w http.ResponseWriter, r *http.Request, c *caller) error {
					return a.getDefinition(w, r, kind)
				},
				op: operation{id: "get" + k.schema, tag: tagMicrocred, summary: "One " + k.what + ", current or of a given version",
					params: []param{orgParam, idParam(k.what), versionParam},
					responses: []response{
						{status: 200, description: "The " + k.what + ".", content: jsonBody("PathwayDefinition")},
						{status: 404, description: "No such " + k.what + " or version.", content: jsonBody("Error")},
					}},
			},
			route{
				method: "POST", path: k.path, scope: ScopeIssue, style: styleJSON,
				handle: func(a *API, w http.ResponseWriter, r *http.Request, c *caller) error {
					return a.saveDefinition(w, r, c, kind, "")
				},
				op: operation{id: "save" + k.schema, tag: tagMicrocred, summary: "Create a " + k.what + " of the caller's organization, or save its next version",
					description: "The body is the " + k.what + " document (see internal/pathway). Issuers of this server may be named " +
						"org:SLUG and their achievements by catalog slug. The document must validate and fit with the organization's " +
						"other definitions; problems are answered 400 naming the field.",
					body: jsonBody2(k.schema),
					responses: []response{
						{status: 201, description: "Saved; the answer is the stored version.", content: jsonBody("PathwayDefinition")},
					}},
			},
			route{
				method: "PUT", path: k.path + "/{id}", scope: ScopeIssue, style: styleJSON,
				handle: func(a *API, w http.ResponseWriter, r *http.Request, c *caller) error {
					return a.saveDefinition(w, r, c, kind, r.PathValue("id"))
				},
				op: operation{id: "update" + k.schema, tag: tagMicrocred, summary: "Save the next version of a " + k.what + " of the caller's organization",
					description: "The document's id must be the one in the path.",
					params:      []param{idParam(k.what)}, body: jsonBody2(k.schema),
					responses: []response{
						{status: 201, description: "Saved; the answer is the stored version.", content: jsonBody("PathwayDefinition")},
						{status: 404, description: "The organization has no such " + k.what + ".", content: jsonBody("Error")},
					}},
			},
		)
	}
	rs = append(rs, route{
		method: "GET", path: "/api/v1/clr", scope: ScopeCredentialRead, style: styleJSON, handle: (*API).learnerCLR,
		op: operation{id: "getClrCredential", tag: tagMicrocred, summary: "A learner's Comprehensive Learner Record (CLR 2.0) from the caller's organization",
			description: "A ClrCredential signed by the caller's organization (eddsa-rdfc-2022): the credentials it issued to the learner " +
				"that still count, the awards of the pathways the learner has started, and isPartOf associations from the achievements " +
				"to those awards. Credentials secured as VC-JWT or on VC 1.1 are left out (CLR 2.0 embeds VC 2.0 credentials as JSON). " +
				"The record is checked against 1EdTech's CLR 2.0 JSON Schema before it is returned.",
			params: []param{{name: "learner", in: "query", required: true, description: "The learner's email address.", schema: map[string]any{"type": "string"}}},
			responses: []response{
				{status: 200, description: "The signed ClrCredential.", content: map[string]any{"application/json": map[string]any{
					"type": "object", "required": []any{"@context", "type", "issuer", "credentialSubject", "proof"}}}},
				{status: 404, description: "The learner holds no valid credential of the organization that can go into a record.", content: jsonBody("Error")},
			}},
	})
	rs = append(rs, route{
		method: "GET", path: "/api/v1/audit", scope: ScopeCredentialRead, style: styleJSON, handle: (*API).learnerAudit,
		op: operation{id: "auditLearner", tag: tagMicrocred, summary: "A learner's pathway progress and credit at the caller's organization",
			description: "The credentials the caller's organization issued to the learner's email address, audited against its " +
				"pathways and credit schemes, with the reason for every figure and what would complete each pathway. Other " +
				"issuers' credentials are left out: they are the learner's to share.",
			params: []param{{name: "learner", in: "query", required: true, description: "The learner's email address.", schema: map[string]any{"type": "string"}}},
			responses: []response{
				{status: 200, description: "The audit.", content: jsonBody("LearnerAudit")},
			}},
	})
	return rs
}

// pathwaySchemas are the component schemas of the pathway endpoints.
func pathwaySchemas() map[string]any {
	obj := func(desc string) map[string]any {
		return map[string]any{"type": "object", "description": desc, "additionalProperties": true}
	}
	return map[string]any{
		"Pathway": map[string]any{
			"type": "object", "required": []any{"id", "name", "root"},
			"description": "A stacking pathway: a tree of rules (credential, allOf, nOf, minCredits, pathway) that earns an award.",
			"properties": map[string]any{
				"id": str("Lowercase letters, digits and hyphens."), "name": str("The pathway's name."), "description": str(""),
				"award": obj("The achievement a completed pathway earns: achievementId, name, review."),
				"root":  obj("The root rule."),
			},
		},
		"CreditScheme": map[string]any{
			"type": "object", "required": []any{"id", "name", "unit", "rules"},
			"description": "A credit articulation scheme: rules mapping credentials to courses and credit, with caps.",
			"properties": map[string]any{
				"id": str(""), "name": str(""), "description": str(""),
				"unit":       map[string]any{"type": "string", "enum": []any{"SCH", "ECTS", "NCrF"}},
				"conversion": obj("Hours per credit of each unit, and the rounding step."),
				"rules":      map[string]any{"type": "array", "items": obj("An articulation rule.")},
				"caps":       map[string]any{"type": "array", "items": obj("A cap: group and max.")},
			},
		},
		"PathwayDefinition": map[string]any{
			"type": "object", "required": []any{"org", "kind", "id", "version", "name", "document", "createdAt"},
			"properties": map[string]any{
				"org": str("The organization's slug."), "kind": map[string]any{"type": "string", "enum": []any{"pathway", "scheme"}},
				"id": str(""), "version": map[string]any{"type": "integer"}, "name": str(""),
				"document":  obj("The pathway or credit scheme document."),
				"url":       str("The public page (pathways only)."),
				"createdAt": map[string]any{"type": "string", "format": "date-time"},
			},
		},
		"LearnerAudit": map[string]any{
			"type": "object", "required": []any{"learner", "asOf", "audit"},
			"properties": map[string]any{
				"learner": str("The learner's email, lowercased."),
				"asOf":    map[string]any{"type": "string", "format": "date-time"},
				"audit":   obj("credentials (each counted or why not), pathways (progress, rule tree with reasons), credit (lines and caps)."),
				"whatIf":  map[string]any{"type": "array", "items": obj("What would complete a pathway.")},
			},
		},
	}
}

// definitionRecord is a stored definition as the API shows it.
type definitionRecord struct {
	Org       string          `json:"org"`
	Kind      string          `json:"kind"`
	ID        string          `json:"id"`
	Version   int             `json:"version"`
	Name      string          `json:"name"`
	Document  json.RawMessage `json:"document"`
	URL       string          `json:"url,omitempty"`
	CreatedAt string          `json:"createdAt"`
}

func (a *API) record(org store.Organization, d store.PathwayDefinition) definitionRecord {
	rec := definitionRecord{Org: org.Slug, Kind: string(d.Kind), ID: d.Slug, Version: d.Version, Name: d.Name,
		Document: d.Document, CreatedAt: d.CreatedAt.UTC().Format("2006-01-02T15:04:05Z")}
	if d.Kind == store.PathwayKindPathway {
		rec.URL = a.base + "/pathways/" + org.Slug + "/" + d.Slug
	}
	return rec
}

func (a *API) listDefinitions(w http.ResponseWriter, r *http.Request, kind store.PathwayKind) error {
	orgs, err := a.store.ListOrganizations(r.Context())
	if err != nil {
		return fmt.Errorf("list organizations: %w", err)
	}
	byID := map[string]store.Organization{}
	orgID := ""
	for _, o := range orgs {
		byID[o.ID] = o
		if s := r.URL.Query().Get("org"); s != "" && o.Slug == s {
			orgID = o.ID
		}
	}
	if s := r.URL.Query().Get("org"); s != "" && orgID == "" {
		return notFound("no organization " + strconv.Quote(s))
	}
	defs, err := a.store.ListPathwayDefinitions(r.Context(), orgID, kind)
	if err != nil {
		return fmt.Errorf("list definitions: %w", err)
	}
	out := make([]definitionRecord, 0, len(defs))
	for _, d := range defs {
		out = append(out, a.record(byID[d.OrgID], d))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) getDefinition(w http.ResponseWriter, r *http.Request, kind store.PathwayKind) error {
	org, err := a.store.OrganizationBySlug(r.Context(), r.PathValue("org"))
	if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) {
		return notFound("no organization " + strconv.Quote(r.PathValue("org")))
	}
	if err != nil {
		return fmt.Errorf("load organization: %w", err)
	}
	version := 0
	if v := r.URL.Query().Get("version"); v != "" {
		if version, err = strconv.Atoi(v); err != nil || version < 1 {
			return fieldError("version", "must be a version number, 1 or more")
		}
	}
	d, err := a.store.PathwayDefinition(r.Context(), org.ID, kind, r.PathValue("id"), version)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("no such " + string(kind) + " or version")
	}
	if err != nil {
		return fmt.Errorf("load definition: %w", err)
	}
	writeJSON(w, http.StatusOK, a.record(org, d))
	return nil
}

func (a *API) progressService() *progress.Service {
	return &progress.Service{Store: a.store, IssuerID: a.issuer.IssuerID, AchievementURL: a.issuer.AchievementURL}
}

func (a *API) saveDefinition(w http.ResponseWriter, r *http.Request, c *caller, kind store.PathwayKind, id string) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	if id != "" {
		if _, err := a.store.PathwayDefinition(r.Context(), c.org.ID, kind, id, 0); errors.Is(err, store.ErrNotFound) {
			return notFound("the organization has no " + string(kind) + " " + strconv.Quote(id))
		} else if err != nil {
			return fmt.Errorf("load definition: %w", err)
		}
		var head struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(body, &head) == nil && head.ID != id {
			return fieldError("id", "must be "+strconv.Quote(id)+", the id in the path")
		}
	}
	d, err := a.progressService().Define(r.Context(), c.org, kind, body, c.client.ClientID)
	var ie *progress.InvalidError
	if errors.As(err, &ie) {
		return badRequest("invalid "+string(kind), fieldOf(ie.Err))
	}
	if err != nil {
		return fmt.Errorf("save %s: %w", kind, err)
	}
	writeJSON(w, http.StatusCreated, a.record(c.org, d))
	return nil
}

// fieldOf splits a pathway validation error "root.rules[1].n: problem"
// into the field and the problem.
func fieldOf(err error) issue.FieldError {
	msg := err.Error()
	if f, p, ok := strings.Cut(msg, ": "); ok && !strings.Contains(f, " ") {
		return issue.FieldError{Field: f, Problem: p}
	}
	return issue.FieldError{Field: "document", Problem: msg}
}

func (a *API) learnerAudit(w http.ResponseWriter, r *http.Request, c *caller) error {
	email := strings.TrimSpace(r.URL.Query().Get("learner"))
	if email == "" || !strings.Contains(email, "@") {
		return fieldError("learner", "must be the learner's email address")
	}
	l, err := a.progressService().Load(r.Context())
	if err != nil {
		return err
	}
	o, ok := l.OrgBySlug(c.org.Slug)
	if !ok {
		return notFound("the organization has no pathways or credit schemes")
	}
	all, err := l.LearnerCredentials(r.Context(), email)
	if err != nil {
		return err
	}
	// Only the caller's own credentials: other organizations' credentials
	// are the learner's to share, and an email address is no consent.
	self, err := a.issuer.IssuerID(r.Context(), c.org)
	if err != nil {
		return fmt.Errorf("issuer id: %w", err)
	}
	var creds []pathway.Credential
	for _, cr := range all {
		if cr.Issuer == self {
			creds = append(creds, cr)
		}
	}
	now := a.now()
	writeJSON(w, http.StatusOK, map[string]any{
		"learner": store.EmailKey(email), "asOf": now.UTC(),
		"audit": o.Engine.Audit(now, creds), "whatIf": o.Engine.WhatIf(now, creds),
	})
	return nil
}

// learnerCLR is GET /api/v1/clr?learner=EMAIL.
func (a *API) learnerCLR(w http.ResponseWriter, r *http.Request, c *caller) error {
	email := strings.TrimSpace(r.URL.Query().Get("learner"))
	if email == "" || !strings.Contains(email, "@") {
		return fieldError("learner", "must be the learner's email address")
	}
	own, err := a.store.ListCredentials(r.Context(), store.CredentialQuery{OrgID: c.org.ID, RecipientEmail: email, Limit: 1000})
	if err != nil {
		return fmt.Errorf("list credentials: %w", err)
	}
	ids := make(map[string]bool, len(own))
	for _, cr := range own {
		ids[cr.ID] = true
	}
	l, err := a.progressService().Load(r.Context())
	if err != nil {
		return err
	}
	doc, err := l.ClrCredential(r.Context(), a.issuer, c.org, email, func(id string) bool { return ids[id] }, a.now())
	if errors.Is(err, progress.ErrClrEmpty) {
		return notFound("the learner holds no valid credential of this organization that can go into a record")
	}
	if err != nil {
		// ErrClrSchema included: writeError logs it and answers 500
		// without the detail.
		return err
	}
	writeRawJSON(w, http.StatusOK, doc)
	return nil
}
