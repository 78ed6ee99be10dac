package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/status"
	"github.com/microcred/microcred/internal/store"
)

// statusRoutes are the credential status endpoints.
func (a *API) statusRoutes() []route {
	uuidParam := param{name: "uuid", in: "path", required: true, description: "The UUID of the credential's urn:uuid id.",
		schema: map[string]any{"type": "string"}}
	mk := func(verb, id, summary, description string, handle func(*API, http.ResponseWriter, *http.Request, *caller) error) route {
		return route{
			method: "POST", path: "/api/v1/credentials/{uuid}/" + verb, scope: ScopeIssue, style: styleJSON, handle: handle,
			op: operation{
				id: id, tag: tagMicrocred, summary: summary, description: description +
					" The reason is kept in the organization's audit log and is never published; the status list shows only the bit.",
				params: []param{uuidParam},
				body:   jsonBody2("StatusChangeRequest"),
				responses: []response{
					{status: 200, description: "The credential's status after the change.", content: jsonBody("CredentialStatus")},
					{status: 404, description: "No such credential in this organization.", content: jsonBody("Error")},
					{status: 409, description: "The change is refused in the credential's current status.", content: jsonBody("Error")},
				},
			},
		}
	}
	return []route{
		mk("revoke", "revokeCredential", "Revoke a credential",
			"Sets the credential's bit in the organization's revocation status list. Revocation is final: a second revocation is refused with 409.",
			(*API).revoke),
		mk("suspend", "suspendCredential", "Suspend a credential",
			"Sets the credential's bit in the suspension status list until it is unsuspended. Refused with 409 when it is suspended already or revoked.",
			(*API).suspend),
		mk("unsuspend", "unsuspendCredential", "Lift a credential's suspension",
			"Clears the credential's suspension bit. Refused with 409 when it is not suspended.",
			(*API).unsuspend),
	}
}

// statusSchemas are the component schemas of the status endpoints.
func statusSchemas() map[string]any {
	return map[string]any{
		"StatusChangeRequest": map[string]any{
			"type": "object", "required": []any{"reason"}, "additionalProperties": false,
			"properties": map[string]any{"reason": map[string]any{"type": "string", "minLength": 1, "maxLength": status.MaxReasonLen,
				"description": "Why; recorded in the audit log, never published."}},
		},
		"CredentialStatus": map[string]any{
			"type": "object", "required": []any{"id", "status", "revoked", "suspended"},
			"properties": map[string]any{
				"id":          str("The credential's id (urn:uuid)."),
				"status":      map[string]any{"type": "string", "enum": []any{"active", "suspended", "revoked"}},
				"revoked":     map[string]any{"type": "boolean"},
				"revokedAt":   map[string]any{"type": "string", "format": "date-time"},
				"suspended":   map[string]any{"type": "boolean"},
				"suspendedAt": map[string]any{"type": "string", "format": "date-time"},
			},
		},
	}
}

// schemas are every component schema: the base set, the status and the
// renewal ones.
func schemas() map[string]any {
	all := baseSchemas()
	for k, v := range statusSchemas() {
		all[k] = v
	}
	for k, v := range renewSchemas() {
		all[k] = v
	}
	for k, v := range settingsSchemas() {
		all[k] = v
	}
	for k, v := range pathwaySchemas() {
		all[k] = v
	}
	for k, v := range endorsementSchemas() {
		all[k] = v
	}
	for k, v := range metricsSchemas() {
		all[k] = v
	}
	return all
}

// statusChangeRequest is the body of the status endpoints.
type statusChangeRequest struct {
	Reason string `json:"reason"`
}

// credentialStatus is the answer of the status endpoints.
type credentialStatus struct {
	ID          string     `json:"id"`
	Status      string     `json:"status"`
	Revoked     bool       `json:"revoked"`
	RevokedAt   *time.Time `json:"revokedAt,omitempty"`
	Suspended   bool       `json:"suspended"`
	SuspendedAt *time.Time `json:"suspendedAt,omitempty"`
}

func (a *API) revoke(w http.ResponseWriter, r *http.Request, c *caller) error {
	return a.changeStatus(w, r, c, a.status.Revoke)
}

func (a *API) suspend(w http.ResponseWriter, r *http.Request, c *caller) error {
	return a.changeStatus(w, r, c, a.status.Suspend)
}

func (a *API) unsuspend(w http.ResponseWriter, r *http.Request, c *caller) error {
	return a.changeStatus(w, r, c, a.status.Unsuspend)
}

// changeStatus decodes {"reason"}, checks that the credential belongs to
// the caller's organization and applies op.
func (a *API) changeStatus(w http.ResponseWriter, r *http.Request, c *caller,
	op func(ctx context.Context, id, reason, actor string) (status.State, error)) error {
	data, err := readBody(r)
	if err != nil {
		return err
	}
	var req statusChangeRequest
	if err := decodeStrict(data, &req, ""); err != nil {
		return err
	}
	id := credential.NormalizeID("urn:uuid:" + r.PathValue("uuid"))
	cred, err := a.store.Credential(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && cred.OrgID != c.org.ID) {
		return notFound("no credential " + r.PathValue("uuid") + " in this organization")
	}
	if err != nil {
		return fmt.Errorf("load credential: %w", err)
	}
	st, err := op(r.Context(), id, req.Reason, c.client.ClientID)
	switch {
	case errors.Is(err, status.ErrReason):
		return fieldError("reason", fmt.Sprintf("is required (1 to %d characters)", status.MaxReasonLen))
	case errors.Is(err, status.ErrRefused):
		return newError(http.StatusConflict, err.Error())
	case err != nil:
		return fmt.Errorf("change status: %w", err)
	}
	writeJSON(w, http.StatusOK, credentialStatus{ID: id, Status: st.Label(), Revoked: st.Revoked, RevokedAt: st.RevokedAt,
		Suspended: st.Suspended, SuspendedAt: st.SuspendedAt})
	return nil
}
