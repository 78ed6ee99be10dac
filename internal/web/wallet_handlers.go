package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

// walletRow is one credential in the learner's wallet.
type walletRow struct {
	credentialRow
	Name    string
	OrgName string
	Image   string // the achievement's badge image, "" when none
}

func (s *server) wallet(w http.ResponseWriter, r *http.Request) {
	v := currentViewer(r)
	list, err := s.store.ListCredentials(r.Context(), store.CredentialQuery{LearnerID: v.User.ID, Limit: 1000})
	if err != nil {
		s.serverError(w, r, fmt.Errorf("list credentials: %w", err))
		return
	}
	orgNames := map[string]string{}
	rows := make([]walletRow, 0, len(list))
	for _, cr := range s.credentialRows(list) {
		if _, ok := orgNames[cr.OrgID]; !ok {
			org, err := s.store.Organization(r.Context(), cr.OrgID)
			if err != nil {
				s.serverError(w, r, fmt.Errorf("load organization: %w", err))
				return
			}
			orgNames[cr.OrgID] = org.Name
		}
		name, image := cr.AchievementID, ""
		if cr.AchievementID != "" {
			if a, _, err := s.issuer.Achievement(r.Context(), cr.AchievementID, cr.AchievementVersion); err == nil {
				name = a.Name
				if a.Image != nil {
					image = a.Image.ID
				}
			}
		}
		rows = append(rows, walletRow{credentialRow: cr, Name: name, OrgName: orgNames[cr.OrgID], Image: image})
	}
	s.render(w, r, http.StatusOK, "wallet", "Your credentials", map[string]any{"Rows": rows})
}

// setPrivate hides a credential from public pages, or shows it again. Only
// the learner it was issued to may do so.
func (s *server) setPrivate(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("uuid")
	if !uuidRE.MatchString(id) {
		s.notFound(w, r)
		return
	}
	private := r.PostFormValue("private") == "1"
	err := s.issuer.SetPrivate(r.Context(), credential.NormalizeID("urn:uuid:"+id), currentViewer(r).User.ID, private)
	switch {
	case errors.Is(err, store.ErrNotFound):
		s.notFound(w, r)
		return
	case errors.Is(err, issue.ErrForbidden):
		s.renderError(w, r, http.StatusForbidden, "Only the person a credential was issued to can change its privacy.")
		return
	case err != nil:
		s.serverError(w, r, fmt.Errorf("set private: %w", err))
		return
	}
	if private {
		s.setFlash(w, "The credential is now private: its public page answers \"not found\".")
	} else {
		s.setFlash(w, "The credential is public again.")
	}
	seeOther(w, r, "/wallet")
}
