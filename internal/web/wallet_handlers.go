package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

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
