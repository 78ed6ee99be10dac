package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

// awardRequest is the body of POST /api/v1/credentials.
type awardRequest struct {
	AchievementID string          `json:"achievementId"`
	Recipient     json.RawMessage `json:"recipient"`
	ValidFrom     string          `json:"validFrom"`
	ValidUntil    string          `json:"validUntil"`
	Narrative     string          `json:"narrative"`
	EvidenceURL   string          `json:"evidenceUrl"`
	Format        string          `json:"format"`
	Notify        *bool           `json:"notify"`
}

type awardRecipient struct {
	Email string `json:"email"`
	Name  string `json:"name"`
	DID   string `json:"did"`
}

// requestFields maps the issue.Request field names to the JSON paths of
// awardRequest, so errors name what the client sent.
var requestFields = map[string]string{
	"achievement_id":  "achievementId",
	"recipient_email": "recipient.email",
	"recipient_name":  "recipient.name",
	"recipient_did":   "recipient.did",
	"valid_from":      "validFrom",
	"valid_until":     "validUntil",
	"narrative":       "narrative",
	"evidence_url":    "evidenceUrl",
	"format":          "format",
	"idempotency_key": "Idempotency-Key",
}

// awardResponse is the answer of the microcred issuing API.
type awardResponse struct {
	ID         string          `json:"id"`
	URL        string          `json:"url"`
	Credential json.RawMessage `json:"credential"`
}

// encode returns r as JSON with the credential copied verbatim. Credential
// is a document this server signed and stored, compact JSON; json.Marshal
// would validate and re-compact it (escaping <, > and &), which cost a
// tenth of the CPU of an issuance through the API.
func (r awardResponse) encode() []byte {
	id, _ := json.Marshal(r.ID) // strings always marshal
	url, _ := json.Marshal(r.URL)
	b := make([]byte, 0, len(id)+len(url)+len(r.Credential)+32)
	b = append(b, `{"id":`...)
	b = append(b, id...)
	b = append(b, `,"url":`...)
	b = append(b, url...)
	b = append(b, `,"credential":`...)
	b = append(b, r.Credential...)
	return append(b, '}')
}

// award is POST /api/v1/credentials: issue one credential for a catalog
// achievement of the caller's organization. With an Idempotency-Key header
// a retry returns the first credential (200) instead of issuing another.
func (a *API) award(w http.ResponseWriter, r *http.Request, c *caller) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var in awardRequest
	if err := decodeStrict(body, &in, ""); err != nil {
		return err
	}
	var rec awardRecipient
	if isNull(in.Recipient) {
		return fieldError("recipient", "is required: an object with email and optionally name and did")
	}
	if err := decodeStrict(in.Recipient, &rec, "recipient"); err != nil {
		return err
	}
	req := issue.Request{
		OrgID:          c.org.ID,
		AchievementID:  strings.TrimSpace(in.AchievementID),
		RecipientEmail: rec.Email,
		RecipientName:  rec.Name,
		RecipientDID:   rec.DID,
		Narrative:      in.Narrative,
		EvidenceURL:    in.EvidenceURL,
		Format:         store.Format(in.Format),
		IdempotencyKey: r.Header.Get("Idempotency-Key"),
		Actor:          c.client.ClientID,
		Notify:         in.Notify == nil || *in.Notify,
	}
	// An achievement may be named by its id URL as it appears in
	// credentials as well as by its store id.
	req.AchievementID = strings.TrimPrefix(req.AchievementID, a.base+"/achievements/")
	var fe issue.FieldErrors
	req.ValidFrom = parseTime(in.ValidFrom, "validFrom", &fe)
	req.ValidUntil = parseTime(in.ValidUntil, "validUntil", &fe)
	if len(fe) > 0 {
		return badRequest("invalid request", fe...)
	}
	cred, existed, err := a.issuer.Issue(r.Context(), req)
	if err != nil {
		if errors.As(err, &fe) {
			return badRequest("invalid request", renameFields(fe)...)
		}
		return fmt.Errorf("issue credential: %w", err)
	}
	status := http.StatusCreated
	if existed {
		status = http.StatusOK
	}
	w.Header().Set("Location", a.base+"/api/v1/credentials/"+a.issuer.CredentialUUID(cred.ID))
	writeRawJSON(w, status, a.credentialRecord(cred).encode())
	return nil
}

func (a *API) credentialRecord(c store.Credential) awardResponse {
	doc := json.RawMessage(c.Document)
	if c.Format == store.FormatJWT {
		doc, _ = json.Marshal(c.Document) // a JSON string: the compact JWS
	}
	return awardResponse{ID: c.ID, URL: a.issuer.PublicURL(c), Credential: doc}
}

// parseTime parses an optional date-time field.
func parseTime(s, field string, fe *issue.FieldErrors) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := credential.ParseDateTime(s)
	if err != nil {
		*fe = append(*fe, issue.FieldError{Field: field, Problem: "must be a date-time with time zone such as 2026-01-31T09:00:00Z"})
	}
	return t
}

func renameFields(fe issue.FieldErrors) []issue.FieldError {
	out := make([]issue.FieldError, len(fe))
	for i, e := range fe {
		if p, ok := requestFields[e.Field]; ok {
			e.Field = p
		}
		out[i] = e
	}
	return out
}

// getCredential is GET /api/v1/credentials/{uuid}: one credential of the
// caller's organization.
func (a *API) getCredential(w http.ResponseWriter, r *http.Request, c *caller) error {
	id := r.PathValue("uuid")
	cred, err := a.store.Credential(r.Context(), credential.NormalizeID("urn:uuid:"+id))
	if errors.Is(err, store.ErrNotFound) || (err == nil && cred.OrgID != c.org.ID) {
		return notFound("no credential " + id + " in this organization")
	}
	if err != nil {
		return fmt.Errorf("load credential: %w", err)
	}
	writeRawJSON(w, http.StatusOK, a.credentialRecord(cred).encode())
	return nil
}

// catalogEntry is one achievement of the public catalog listing.
type catalogEntry struct {
	ID               string   `json:"id"`
	Org              string   `json:"org"`
	Name             string   `json:"name"`
	Description      string   `json:"description"`
	Version          int      `json:"version"`
	EQFLevel         int      `json:"eqfLevel,omitempty"`
	NSQFLevel        int      `json:"nsqfLevel,omitempty"`
	ECTS             float64  `json:"ects,omitempty"`
	CreditFrameworks []string `json:"creditFrameworks"`
	Skills           []string `json:"skills"`
}

// achievements is GET /api/v1/achievements: the public catalog, filtered by
// q (text), eqf, nsqf, skill, framework and provider (organization slug).
func (a *API) achievements(w http.ResponseWriter, r *http.Request, _ *caller) error {
	q := r.URL.Query()
	query := store.AchievementQuery{Text: strings.TrimSpace(q.Get("q")), Skill: q.Get("skill"), CreditFramework: q.Get("framework")}
	var fe issue.FieldErrors
	for _, p := range []struct {
		name string
		max  int
		dst  *int
	}{{"eqf", 8, &query.EQFLevel}, {"nsqf", 10, &query.NSQFLevel}} {
		if s := q.Get(p.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > p.max {
				fe = append(fe, issue.FieldError{Field: p.name, Problem: fmt.Sprintf("must be a level from 1 to %d", p.max)})
			}
			*p.dst = n
		}
	}
	if f := query.CreditFramework; f != "" && !slices.Contains(catalog.CreditFrameworks, f) {
		fe = append(fe, issue.FieldError{Field: "framework", Problem: "must be one of " + strings.Join(catalog.CreditFrameworks, ", ")})
	}
	limit, err := intParam(q, "limit", defaultPageSize, 1)
	if err != nil {
		return err
	}
	offset, err := intParam(q, "offset", 0, 0)
	if err != nil {
		return err
	}
	if len(fe) > 0 {
		return badRequest("invalid query parameter", fe...)
	}
	query.Limit, query.Offset = min(limit, maxPageSize), offset
	orgs, err := a.store.ListOrganizations(r.Context())
	if err != nil {
		return fmt.Errorf("list organizations: %w", err)
	}
	slugs := make(map[string]string, len(orgs))
	for _, o := range orgs {
		slugs[o.ID] = o.Slug
		if p := q.Get("provider"); p != "" && o.Slug == p {
			query.OrgID = o.ID
		}
	}
	out := []catalogEntry{}
	if p := q.Get("provider"); p == "" || query.OrgID != "" {
		entries, err := a.store.SearchAchievements(r.Context(), issue.Listed(query))
		if err != nil {
			return fmt.Errorf("search catalog: %w", err)
		}
		for _, e := range entries {
			if e.Achievement.Slug == issue.ExternalAchievementSlug {
				continue // bookkeeping entry for VC-API credentials, not an offer
			}
			v := e.Version
			out = append(out, catalogEntry{
				ID: a.issuer.AchievementURL(e.Achievement.ID), Org: slugs[e.Achievement.OrgID],
				Name: v.Name, Description: v.Description, Version: v.Version,
				EQFLevel: v.EQFLevel, NSQFLevel: v.NSQFLevel, ECTS: v.ECTS,
				CreditFrameworks: nonNil(v.CreditFrameworks), Skills: nonNil(v.Skills),
			})
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
