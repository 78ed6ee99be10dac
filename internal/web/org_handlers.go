package web

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"

	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

// orgRole is an organization with the viewer's role in it.
type orgRole struct {
	Org  store.Organization
	Role store.Role
}

func (s *server) adminHome(w http.ResponseWriter, r *http.Request) {
	v := currentViewer(r)
	var list []orgRole
	for _, m := range v.Memberships {
		org, err := s.store.Organization(r.Context(), m.OrgID)
		if err != nil {
			s.serverError(w, r, fmt.Errorf("load organization: %w", err))
			return
		}
		list = append(list, orgRole{Org: org, Role: m.Role})
	}
	s.render(w, r, http.StatusOK, "admin", "Your organizations", map[string]any{
		"Orgs":      list,
		"CanCreate": !v.User.IsLearner,
	})
}

func (s *server) newOrgForm(w http.ResponseWriter, r *http.Request) {
	if currentViewer(r).User.IsLearner {
		s.renderError(w, r, http.StatusForbidden, "Learner accounts cannot create organizations.")
		return
	}
	s.render(w, r, http.StatusOK, "org_new", "New organization", orgForm{DIDMethod: "web"})
}

func (s *server) newOrgSubmit(w http.ResponseWriter, r *http.Request) {
	v := currentViewer(r)
	if v.User.IsLearner {
		s.renderError(w, r, http.StatusForbidden, "Learner accounts cannot create organizations.")
		return
	}
	f := readOrgForm(r)
	var errs formErrors
	validateOrgForm(f, &errs)
	if errs.Any() {
		s.renderForm(w, r, "org_new", "New organization", f, errs)
		return
	}
	org, err := s.issuer.CreateOrganization(r.Context(), f.organization(), v.User.ID, v.User.ID)
	if err != nil {
		if errs.addError(err) {
			s.renderForm(w, r, "org_new", "New organization", f, errs)
			return
		}
		s.serverError(w, r, fmt.Errorf("create organization: %w", err))
		return
	}
	s.setFlash(w, "Organization created. You are its owner.")
	seeOther(w, r, "/admin/orgs/"+org.Slug)
}

func (s *server) orgOverview(w http.ResponseWriter, r *http.Request) {
	oc := currentOrg(r)
	ctx := r.Context()
	entries, err := s.store.SearchAchievements(ctx, issue.Listed(store.AchievementQuery{OrgID: oc.Org.ID, Limit: 1000}))
	if err != nil {
		s.serverError(w, r, fmt.Errorf("list achievements: %w", err))
		return
	}
	count, err := s.store.CountCredentials(ctx, store.CredentialQuery{OrgID: oc.Org.ID})
	if err != nil {
		s.serverError(w, r, fmt.Errorf("count credentials: %w", err))
		return
	}
	recent, err := s.store.ListCredentials(ctx, store.CredentialQuery{OrgID: oc.Org.ID, Limit: 10})
	if err != nil {
		s.serverError(w, r, fmt.Errorf("list credentials: %w", err))
		return
	}
	issuerID, err := s.issuer.IssuerID(ctx, oc.Org)
	if err != nil {
		s.serverError(w, r, fmt.Errorf("issuer id: %w", err))
		return
	}
	s.render(w, r, http.StatusOK, "org", oc.Org.Name, map[string]any{
		"Org":          oc.Org,
		"Role":         oc.Role,
		"Achievements": len(entries),
		"Credentials":  count,
		"Recent":       s.credentialRows(recent),
		"IssuerID":     issuerID,
		"DIDURL":       s.base + "/orgs/" + oc.Org.Slug + "/did.json",
	})
}

// orgSettings saves the organization's settings form (owners only). The
// one setting is suspension: whether credentials issued from now on get a
// second status entry, for suspension, besides the revocation entry.
func (s *server) orgSettings(w http.ResponseWriter, r *http.Request) {
	oc := currentOrg(r)
	var on bool
	switch r.PostFormValue("suspension") {
	case "on":
		on = true
	case "", "off":
	default:
		s.renderError(w, r, http.StatusBadRequest, "The suspension setting must be on or off.")
		return
	}
	if _, err := s.issuer.SetSuspension(r.Context(), oc.Org.ID, on, currentViewer(r).User.ID); err != nil {
		s.serverError(w, r, fmt.Errorf("save settings: %w", err))
		return
	}
	if on {
		s.setFlash(w, "Saved. Credentials issued from now on can be suspended as well as revoked.")
	} else {
		s.setFlash(w, "Saved. Credentials issued from now on can be revoked; those issued before keep what they had.")
	}
	seeOther(w, r, "/admin/orgs/"+oc.Org.Slug)
}

// credentialRow is one line of a credential listing.
type credentialRow struct {
	store.Credential
	UUID string
	URL  string
}

func (s *server) credentialRows(list []store.Credential) []credentialRow {
	rows := make([]credentialRow, len(list))
	for i, c := range list {
		uuid := s.issuer.CredentialUUID(c.ID)
		rows[i] = credentialRow{Credential: c, UUID: uuid, URL: "/c/" + uuid}
	}
	return rows
}

func (s *server) audit(w http.ResponseWriter, r *http.Request) {
	oc := currentOrg(r)
	events, err := s.store.ListAudit(r.Context(), store.AuditQuery{OrgID: oc.Org.ID, Descending: true, Limit: 500})
	if err != nil {
		s.serverError(w, r, fmt.Errorf("list audit: %w", err))
		return
	}
	s.render(w, r, http.StatusOK, "audit", "Audit log of "+oc.Org.Name, map[string]any{
		"Org": oc.Org, "Role": oc.Role, "Events": s.auditRows(r, events),
	})
}

// outbox shows the queued mail in demo mode, where nothing is sent.
func (s *server) outbox(w http.ResponseWriter, r *http.Request) {
	if !s.demo {
		s.notFound(w, r)
		return
	}
	// Mail carries personal data and sign-in links: each owner sees the
	// mail of the organizations they own, and nobody else sees any.
	v := currentViewer(r)
	var groups []outboxGroup
	for _, m := range v.Memberships {
		if m.Role != store.RoleOwner {
			continue
		}
		org, err := s.store.Organization(r.Context(), m.OrgID)
		if err != nil {
			s.serverError(w, r, fmt.Errorf("load organization: %w", err))
			return
		}
		g, err := s.outboxOf(r, org)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		groups = append(groups, g)
	}
	if len(groups) == 0 {
		s.notFound(w, r)
		return
	}
	s.render(w, r, http.StatusOK, "outbox", "Outbox", map[string]any{"Groups": groups})
}

// orgOutbox is one organization's demo outbox, for its owners.
func (s *server) orgOutbox(w http.ResponseWriter, r *http.Request) {
	if !s.demo {
		s.notFound(w, r)
		return
	}
	g, err := s.outboxOf(r, currentOrg(r).Org)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "outbox", "Outbox", map[string]any{"Groups": []outboxGroup{g}})
}

// outboxGroup is the queued mail of one organization.
type outboxGroup struct {
	Org   store.Organization
	Mails []store.Mail
}

func (s *server) outboxOf(r *http.Request, org store.Organization) (outboxGroup, error) {
	mails, err := s.store.ListOrgMail(r.Context(), org.ID, 200)
	if err != nil {
		return outboxGroup{}, fmt.Errorf("list mail of %s: %w", org.Slug, err)
	}
	// The single-use links of invitations, claims and sign-ups prove that
	// whoever opens them holds the recipient's mailbox; an owner reading
	// the demo outbox must not be able to use them in the recipient's
	// place (an invitation link would let them create the invitee's
	// account), so only the recipient's own view keeps them.
	v := currentViewer(r)
	for i := range mails {
		if store.EmailKey(mails[i].To) != store.EmailKey(v.User.Email) {
			mails[i].Body = personalLink.ReplaceAllString(mails[i].Body, "$1(link hidden: only the recipient may use it)")
		}
	}
	return outboxGroup{Org: org, Mails: mails}, nil
}

// personalLink matches the token part of the links microcred mails.
var personalLink = regexp.MustCompile(`(/(?:invite|claim|signup|reset|account/emails)/)[A-Za-z0-9._%~-]+`)

// publicOrg loads the organization named by {slug} for a public page.
func (s *server) publicOrg(w http.ResponseWriter, r *http.Request) (store.Organization, bool) {
	org, err := s.store.OrganizationBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) {
			s.notFound(w, r)
			return org, false
		}
		s.serverError(w, r, fmt.Errorf("load organization: %w", err))
		return org, false
	}
	return org, true
}

func (s *server) orgProfile(w http.ResponseWriter, r *http.Request) {
	org, ok := s.publicOrg(w, r)
	if !ok {
		return
	}
	entries, err := s.store.SearchAchievements(r.Context(), issue.Listed(store.AchievementQuery{OrgID: org.ID, Limit: 1000}))
	if err != nil {
		s.serverError(w, r, fmt.Errorf("list achievements: %w", err))
		return
	}
	issuerID, err := s.issuer.IssuerID(r.Context(), org)
	if err != nil {
		s.serverError(w, r, fmt.Errorf("issuer id: %w", err))
		return
	}
	s.renderWith(w, r, http.StatusOK, "org_public", pageData{
		Title: org.Name,
		Data: map[string]any{"Org": org, "Entries": s.catalogRows(entries, map[string]store.Organization{org.ID: org}), "IssuerID": issuerID,
			"Endorsements": s.endorsementsAbout(r, org.ID, "")},
		Meta: &ogMeta{Title: org.Name, Description: org.Description, URL: s.base + "/orgs/" + org.Slug, Type: "profile"},
	})
}

func (s *server) orgDID(w http.ResponseWriter, r *http.Request) {
	org, ok := s.publicOrg(w, r)
	if !ok {
		return
	}
	if org.DIDMethod == store.DIDKey {
		// A did:key organization has no did:web document to serve.
		s.notFound(w, r)
		return
	}
	doc, err := s.issuer.DIDDocument(r.Context(), org)
	if err != nil {
		s.serverError(w, r, fmt.Errorf("did document: %w", err))
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=60")
	s.writeJSON(w, r, http.StatusOK, doc)
}

func (s *server) orgProfileJSON(w http.ResponseWriter, r *http.Request) {
	org, ok := s.publicOrg(w, r)
	if !ok {
		return
	}
	p, err := s.issuer.Profile(r.Context(), org)
	if err != nil {
		s.serverError(w, r, fmt.Errorf("profile: %w", err))
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=60")
	s.writeJSON(w, r, http.StatusOK, p)
}
