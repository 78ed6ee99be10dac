package api

import (
	"fmt"
	"net/http"
)

// settingsRoutes are the organization settings endpoints.
func (a *API) settingsRoutes() []route {
	desc := "suspension: credentials issued from now on carry a second credentialStatus entry, for suspension, " +
		"besides the revocation entry. Off by default, because Open Badges 3.0 allows one credentialStatus (0..1); " +
		"on goes beyond OB 3.0 (VC 2.0 allows several entries). Credentials already issued keep their entries."
	return []route{
		{
			method: "GET", path: "/api/v1/organization/settings", scope: ScopeProfileRead, style: styleJSON, handle: (*API).getSettings,
			op: operation{id: "getOrganizationSettings", tag: tagMicrocred, summary: "Read the organization's settings", description: desc,
				responses: []response{{status: 200, description: "The settings.", content: jsonBody("OrganizationSettings")}}},
		},
		{
			method: "PUT", path: "/api/v1/organization/settings", scope: ScopeProfileUpdate, style: styleJSON, handle: (*API).putSettings,
			op: operation{id: "putOrganizationSettings", tag: tagMicrocred, summary: "Change the organization's settings", description: desc,
				body:      jsonBody2("OrganizationSettings"),
				responses: []response{{status: 200, description: "The settings after the change.", content: jsonBody("OrganizationSettings")}}},
		},
	}
}

// settingsSchemas are the component schemas of the settings endpoints.
func settingsSchemas() map[string]any {
	return map[string]any{
		"OrganizationSettings": map[string]any{
			"type": "object", "required": []any{"suspension"}, "additionalProperties": false,
			"properties": map[string]any{"suspension": map[string]any{"type": "boolean",
				"description": "Whether credentials issued from now on can be suspended (a second credentialStatus entry)."}},
		},
	}
}

// organizationSettings is the body of the settings endpoints.
type organizationSettings struct {
	Suspension *bool `json:"suspension"`
}

func (a *API) getSettings(w http.ResponseWriter, r *http.Request, c *caller) error {
	on := c.org.Suspension
	writeJSON(w, http.StatusOK, organizationSettings{Suspension: &on})
	return nil
}

func (a *API) putSettings(w http.ResponseWriter, r *http.Request, c *caller) error {
	data, err := readBody(r)
	if err != nil {
		return err
	}
	var req organizationSettings
	if err := decodeStrict(data, &req, ""); err != nil {
		return err
	}
	if req.Suspension == nil {
		return fieldError("suspension", "is required (true or false)")
	}
	org, err := a.issuer.SetSuspension(r.Context(), c.org.ID, *req.Suspension, c.client.ClientID)
	if err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	writeJSON(w, http.StatusOK, organizationSettings{Suspension: &org.Suspension})
	return nil
}
