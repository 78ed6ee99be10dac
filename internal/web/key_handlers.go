package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/microcred/microcred/internal/issue"
)

func (s *server) keys(w http.ResponseWriter, r *http.Request) {
	oc := currentOrg(r)
	list, err := s.store.ListSigningKeys(r.Context(), oc.Org.ID)
	if err != nil {
		s.serverError(w, r, fmt.Errorf("list keys: %w", err))
		return
	}
	issuerID, err := s.issuer.IssuerID(r.Context(), oc.Org)
	if err != nil {
		s.serverError(w, r, fmt.Errorf("issuer id: %w", err))
		return
	}
	s.render(w, r, http.StatusOK, "keys", "Signing keys of "+oc.Org.Name, map[string]any{
		"Org": oc.Org, "Role": oc.Role, "Keys": list, "IssuerID": issuerID,
	})
}

// rotateKey retires the active key and creates a new one; retired keys stay
// in the DID document so earlier credentials keep verifying.
func (s *server) rotateKey(w http.ResponseWriter, r *http.Request) {
	oc := currentOrg(r)
	k, err := s.issuer.RotateKey(r.Context(), oc.Org.ID, currentViewer(r).User.ID)
	var fe issue.FieldErrors
	if errors.As(err, &fe) {
		s.renderError(w, r, http.StatusBadRequest, fe[0].Problem)
		return
	}
	if err != nil {
		s.serverError(w, r, fmt.Errorf("rotate key: %w", err))
		return
	}
	s.setFlash(w, "New signing key "+k.VerificationMethod+" is active; the previous key is retired and still verifies old credentials.")
	seeOther(w, r, "/admin/orgs/"+oc.Org.Slug+"/keys")
}
