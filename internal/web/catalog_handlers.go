package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/evidence"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

// catalogQuery is the public catalog's search form.
type catalogQuery struct {
	Q, Skill, Framework, Org string
	EQF                      int
}

func readCatalogQuery(r *http.Request) catalogQuery {
	q := r.URL.Query()
	cq := catalogQuery{
		Q:         strings.TrimSpace(q.Get("q")),
		Skill:     strings.TrimSpace(q.Get("skill")),
		Framework: strings.TrimSpace(q.Get("framework")),
		Org:       strings.TrimSpace(q.Get("org")),
	}
	if n, err := strconv.Atoi(q.Get("eqf")); err == nil && n >= 1 && n <= 8 {
		cq.EQF = n
	}
	return cq
}

// catalogRow is one achievement in a catalog listing.
type catalogRow struct {
	ID          string  `json:"id"`
	Org         string  `json:"org"`
	OrgName     string  `json:"orgName"`
	Name        string  `json:"name"`
	Description string  `json:"description"`
	EQFLevel    int     `json:"eqfLevel,omitempty"`
	NSQFLevel   int     `json:"nsqfLevel,omitempty"`
	ECTS        float64 `json:"ects,omitempty"`
	Version     int     `json:"version"`
	// CreditRecommendations and Skills come from the catalog document.
	CreditRecommendations []catalog.CreditRecommendation `json:"creditRecommendations"`
	Skills                []catalog.Skill                `json:"skills"`
	URL                   string                         `json:"url"`
	// Image is the achievement's badge image (a URL or a data: URL).
	Image string `json:"image,omitempty"`
}

// searchCatalog runs the query; an unknown provider slug matches nothing.
func (s *server) searchCatalog(r *http.Request, cq catalogQuery) ([]catalogRow, []store.Organization, error) {
	ctx := r.Context()
	orgs, err := s.store.ListOrganizations(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("list organizations: %w", err)
	}
	byID := make(map[string]store.Organization, len(orgs))
	q := store.AchievementQuery{Text: cq.Q, EQFLevel: cq.EQF, Skill: cq.Skill, CreditFramework: cq.Framework, Limit: 500}
	found := cq.Org == ""
	for _, o := range orgs {
		byID[o.ID] = o
		if o.Slug == cq.Org {
			q.OrgID, found = o.ID, true
		}
	}
	if !found {
		return nil, orgs, nil
	}
	entries, err := s.store.SearchAchievements(ctx, issue.Listed(q))
	if err != nil {
		return nil, nil, fmt.Errorf("search achievements: %w", err)
	}
	return s.catalogRows(entries, byID), orgs, nil
}

func (s *server) catalogRows(entries []store.CatalogEntry, orgs map[string]store.Organization) []catalogRow {
	rows := make([]catalogRow, 0, len(entries))
	for _, e := range entries {
		var a catalog.Achievement
		// The document was validated when stored; a row that no longer
		// decodes still lists its extracted columns.
		_ = json.Unmarshal(e.Version.Document, &a)
		org := orgs[e.Achievement.OrgID]
		row := catalogRow{
			ID: e.Achievement.ID, Org: org.Slug, OrgName: org.Name, Name: e.Version.Name,
			Description: e.Version.Description, EQFLevel: e.Version.EQFLevel, NSQFLevel: e.Version.NSQFLevel,
			ECTS: e.Version.ECTS, Version: e.Version.Version,
			CreditRecommendations: nonNil(a.CreditRecommendations), Skills: nonNil(a.Skills),
			URL: s.base + "/achievements/" + e.Achievement.ID,
		}
		if a.Image != nil {
			row.Image = a.Image.ID
		}
		rows = append(rows, row)
	}
	return rows
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (s *server) catalog(w http.ResponseWriter, r *http.Request) {
	cq := readCatalogQuery(r)
	rows, orgs, err := s.searchCatalog(r, cq)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.renderWith(w, r, http.StatusOK, "catalog", pageData{
		Title: "Catalog",
		Data: map[string]any{
			"Query": cq, "Rows": rows, "Orgs": orgs, "Frameworks": catalog.CreditFrameworks,
			"Levels": []int{1, 2, 3, 4, 5, 6, 7, 8},
		},
		Meta: &ogMeta{Title: "Micro-credential catalog", Description: "Achievements with learning outcomes, workload, levels, credit recommendations and skills.", URL: s.base + "/catalog", Type: "website"},
	})
}

func (s *server) catalogJSON(w http.ResponseWriter, r *http.Request) {
	rows, _, err := s.searchCatalog(r, readCatalogQuery(r))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=60")
	s.writeJSON(w, r, http.StatusOK, nonNil(rows))
}

// achievementPage serves /achievements/{id} (HTML) and
// /achievements/{id}.json (catalog entry with its OB 3.0 Achievement).
func (s *server) achievementPage(w http.ResponseWriter, r *http.Request) {
	id, asJSON := strings.CutSuffix(r.PathValue("file"), ".json")
	a, entry, err := s.issuer.Achievement(r.Context(), id, 0)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) {
			s.notFound(w, r)
			return
		}
		s.serverError(w, r, fmt.Errorf("load achievement: %w", err))
		return
	}
	if issue.IsBookkeeping(entry.Achievement) {
		// Not a catalog entry: it has no page (see issue.Listed).
		s.notFound(w, r)
		return
	}
	org, err := s.store.Organization(r.Context(), entry.Achievement.OrgID)
	if err != nil {
		s.serverError(w, r, fmt.Errorf("load organization: %w", err))
		return
	}
	pageURL := s.base + "/achievements/" + id
	if asJSON {
		w.Header().Set("Cache-Control", "public, max-age=60")
		s.writeJSON(w, r, http.StatusOK, map[string]any{
			"id":         id,
			"org":        org.Slug,
			"version":    entry.Version.Version,
			"url":        pageURL,
			"catalog":    a,
			"openBadges": a.OB3(),
		})
		return
	}
	canEdit := false
	if role := currentViewer(r).role(org.ID); role == store.RoleOwner || role == store.RoleIssuer {
		canEdit = true
	}
	var req *evidence.Requirement
	if q, ok, err := s.loadRequirement(r, id); err != nil {
		s.serverError(w, r, err)
		return
	} else if ok {
		req = &q
	}
	s.renderWith(w, r, http.StatusOK, "achievement", pageData{
		Title: a.Name,
		Data: map[string]any{"A": a, "Entry": entry, "Org": org, "CanEdit": canEdit, "JSONURL": "/achievements/" + id + ".json", "Requirement": req,
			"Endorsements": s.endorsementsAbout(r, org.ID, entry.Achievement.ID)},
		Meta: &ogMeta{Title: a.Name + " · " + org.Name, Description: clip(a.Description, 300), URL: pageURL, Type: "website",
			Image: s.achievementImageURL(id, a.Image), ImageAlt: "Badge of " + a.Name},
	})
}
