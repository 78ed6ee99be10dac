package api

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

// renewRoutes is the renewal endpoint.
func (a *API) renewRoutes() []route {
	return []route{{
		method: "POST", path: "/api/v1/credentials/{uuid}/renew", scope: ScopeIssue, style: styleJSON, handle: (*API).renew,
		op: operation{
			id: "renewCredential", tag: tagMicrocred, summary: "Renew a credential",
			description: "Issues a new credential for the same recipient and the current version of the same achievement, " +
				"in the same format, with replaces pointing at the old credential; the recipient is mailed. Without " +
				"validUntil the renewal keeps the old validity period counted from now (no expiry when the old one had none). " +
				"The old credential stays valid until it expires or is revoked. Refused with 409 when it is revoked, " +
				"suspended or renewed already.",
			params: []param{{name: "uuid", in: "path", required: true, description: "The UUID of the credential's urn:uuid id.",
				schema: map[string]any{"type": "string"}}},
			body: jsonBody2("RenewRequest"),
			responses: []response{
				{status: 201, description: "The renewal was issued.", content: jsonBody("RenewalRecord"),
					headers: map[string]any{"Location": map[string]any{"description": "The new credential's API URL.", "schema": map[string]any{"type": "string"}}}},
				{status: 404, description: "No such credential in this organization.", content: jsonBody("Error")},
				{status: 409, description: "The credential may not be renewed in its current state.", content: jsonBody("Error")},
			},
		},
	}}
}

// renewSchemas are the component schemas of the renewal endpoint.
func renewSchemas() map[string]any {
	return map[string]any{
		"RenewRequest": map[string]any{
			"type": "object", "additionalProperties": false,
			"properties": map[string]any{"validUntil": map[string]any{"type": "string", "format": "date-time",
				"description": "Expiry of the renewal; absent keeps the old validity period counted from now."}},
		},
		"RenewalRecord": map[string]any{
			"type": "object", "required": []any{"id", "url", "credential", "replaces"},
			"properties": map[string]any{
				"id":         str("The new credential's id (urn:uuid)."),
				"url":        str("The new credential's public page."),
				"credential": map[string]any{"oneOf": []any{ref("AchievementCredential"), ref("CompactJws")}},
				"replaces":   str("The id of the credential it renews."),
				"validUntil": map[string]any{"type": "string", "format": "date-time"},
			},
		},
	}
}

// renewRequest is the body of POST /api/v1/credentials/{uuid}/renew.
type renewRequest struct {
	ValidUntil string `json:"validUntil"`
}

// renewalRecord is the answer: the new credential as awardResponse has it,
// with the id it replaces.
type renewalRecord struct {
	awardResponse
	Replaces   string     `json:"replaces"`
	ValidUntil *time.Time `json:"validUntil,omitempty"`
}

// renew is POST /api/v1/credentials/{uuid}/renew.
func (a *API) renew(w http.ResponseWriter, r *http.Request, c *caller) error {
	data, err := readBody(r)
	if err != nil {
		return err
	}
	var req renewRequest
	if err := decodeStrict(data, &req, ""); err != nil {
		return err
	}
	var fe issue.FieldErrors
	until := parseTime(req.ValidUntil, "validUntil", &fe)
	if len(fe) > 0 {
		return badRequest("invalid request", fe...)
	}
	id := credential.NormalizeID("urn:uuid:" + r.PathValue("uuid"))
	old, err := a.store.Credential(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && old.OrgID != c.org.ID) {
		return notFound("no credential " + r.PathValue("uuid") + " in this organization")
	}
	if err != nil {
		return fmt.Errorf("load credential: %w", err)
	}
	nc, err := a.issuer.Renew(r.Context(), id, until, c.client.ClientID)
	switch {
	case errors.As(err, &fe):
		return badRequest("invalid request", renameFields(fe)...)
	case errors.Is(err, issue.ErrNotRenewable):
		return newError(http.StatusConflict, err.Error())
	case err != nil:
		return fmt.Errorf("renew credential: %w", err)
	}
	w.Header().Set("Location", a.base+"/api/v1/credentials/"+a.issuer.CredentialUUID(nc.ID))
	writeJSON(w, http.StatusCreated, renewalRecord{awardResponse: a.credentialRecord(nc), Replaces: nc.Replaces, ValidUntil: nc.ValidUntil})
	return nil
}
