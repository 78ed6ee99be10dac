package web

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

// issueForm is the award form as typed.
type issueForm struct {
	AchievementID, RecipientEmail, RecipientName, RecipientDID string
	ValidFrom, ValidUntil, Narrative, EvidenceURL              string
	Notify                                                     bool
	IdempotencyKey                                             string
}

type issuePageData struct {
	Org          store.Organization
	Role         store.Role
	Form         issueForm
	Achievements []store.CatalogEntry
}

func (s *server) renderIssueForm(w http.ResponseWriter, r *http.Request, f issueForm, errs formErrors) {
	oc := currentOrg(r)
	entries, err := s.store.SearchAchievements(r.Context(), issue.Listed(store.AchievementQuery{OrgID: oc.Org.ID, Limit: 1000}))
	if err != nil {
		s.serverError(w, r, fmt.Errorf("list achievements: %w", err))
		return
	}
	s.renderForm(w, r, "issue", "Issue a credential", issuePageData{Org: oc.Org, Role: oc.Role, Form: f, Achievements: entries}, errs)
}

func (s *server) issueForm(w http.ResponseWriter, r *http.Request) {
	key, err := newIdempotencyKey()
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.renderIssueForm(w, r, issueForm{AchievementID: r.URL.Query().Get("achievement"), Notify: true, IdempotencyKey: key}, nil)
}

// issueSubmit awards one credential. The form carries a random idempotency
// key generated when it was rendered, so a double submit or a retried POST
// returns the credential already issued instead of a second one.
func (s *server) issueSubmit(w http.ResponseWriter, r *http.Request) {
	oc := currentOrg(r)
	f := issueForm{
		AchievementID:  strings.TrimSpace(r.PostFormValue("achievement_id")),
		RecipientEmail: strings.TrimSpace(r.PostFormValue("recipient_email")),
		RecipientName:  strings.TrimSpace(r.PostFormValue("recipient_name")),
		RecipientDID:   strings.TrimSpace(r.PostFormValue("recipient_did")),
		ValidFrom:      strings.TrimSpace(r.PostFormValue("valid_from")),
		ValidUntil:     strings.TrimSpace(r.PostFormValue("valid_until")),
		Narrative:      strings.TrimSpace(r.PostFormValue("narrative")),
		EvidenceURL:    strings.TrimSpace(r.PostFormValue("evidence_url")),
		Notify:         r.PostFormValue("notify") != "",
		IdempotencyKey: strings.TrimSpace(r.PostFormValue("idempotency_key")),
	}
	var errs formErrors
	req := issue.Request{
		OrgID: oc.Org.ID, AchievementID: f.AchievementID, RecipientEmail: f.RecipientEmail,
		RecipientName: f.RecipientName, RecipientDID: f.RecipientDID, Narrative: f.Narrative,
		EvidenceURL: f.EvidenceURL, IdempotencyKey: f.IdempotencyKey, Actor: currentViewer(r).User.ID, Notify: f.Notify,
	}
	req.ValidFrom = parseDate(f.ValidFrom, "valid_from", &errs)
	req.ValidUntil = parseDate(f.ValidUntil, "valid_until", &errs)
	if !req.ValidUntil.IsZero() {
		// A credential valid "until 30 June" is valid through that day.
		req.ValidUntil = req.ValidUntil.Add(24*time.Hour - time.Second)
	}
	if f.IdempotencyKey == "" || len(f.IdempotencyKey) > 100 {
		errs.add("idempotency_key", "The form is incomplete; reload it and submit again.")
	}
	if err := req.Validate(); err != nil {
		errs.addError(err)
	}
	if errs.Any() {
		s.renderIssueForm(w, r, f, errs)
		return
	}
	c, existed, err := s.issuer.Issue(r.Context(), req)
	if err != nil {
		if errs.addError(err) {
			s.renderIssueForm(w, r, f, errs)
			return
		}
		s.serverError(w, r, fmt.Errorf("issue: %w", err))
		return
	}
	if existed {
		s.setFlash(w, "Already issued: this form was submitted before, so no second credential was made.")
	} else {
		s.setFlash(w, "Issued. This is the credential's public page.")
	}
	seeOther(w, r, "/c/"+s.issuer.CredentialUUID(c.ID))
}

func newIdempotencyKey() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("idempotency key: %w", err)
	}
	return "form-" + hex.EncodeToString(b), nil
}
