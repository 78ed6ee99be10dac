package web

import (
	"net/http"

	"github.com/microcred/microcred/internal/analytics"
	"github.com/microcred/microcred/internal/store"
)

// recordEvent counts e for the impact report. A failure is logged and
// never fails the request: the report is secondary to what the person
// came to do.
func (s *server) recordEvent(r *http.Request, e store.Event) {
	if e.At.IsZero() {
		e.At = s.now()
	}
	if err := analytics.Record(r.Context(), s.store, e); err != nil {
		s.log.Warn("record analytics event", "kind", e.Kind, "err", err)
	}
}

// credentialEvent is an event about credential c.
func credentialEvent(c store.Credential, kind, dim string) store.Event {
	return store.Event{OrgID: c.OrgID, AchievementID: c.AchievementID, CredentialID: c.ID, Kind: kind, Dim: dim}
}

// shareLinkedIn counts a share to LinkedIn and sends the browser on to
// LinkedIn's add-to-profile form.
func (s *server) shareLinkedIn(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("uuid")
	if !uuidRE.MatchString(id) {
		s.notFound(w, r)
		return
	}
	c, ok := s.shareCredential(w, r)
	if !ok {
		return
	}
	org, err := s.store.Organization(r.Context(), c.OrgID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	name := c.AchievementID
	if a, _, err := s.issuer.Achievement(r.Context(), c.AchievementID, c.AchievementVersion); err == nil {
		name = a.Name
	}
	s.recordEvent(r, credentialEvent(c, analytics.Shared, "linkedin"))
	http.Redirect(w, r, linkedInURL(name, org.Name, c.IssuedAt, c.ValidUntil, s.base+"/c/"+id, c.ID), http.StatusSeeOther)
}
