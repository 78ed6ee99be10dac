package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/endorse"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

// endorsementRoutes are the endpoints of Open Badges 3.0
// EndorsementCredentials: an organization's client lists its endorsements,
// endorses, withdraws, and attaches endorsements received elsewhere.
func (a *API) endorsementRoutes() []route {
	list := map[string]any{"application/json": map[string]any{"type": "array", "items": ref("Endorsement")}}
	return []route{
		{
			method: "GET", path: "/api/v1/endorsements", scope: ScopeCredentialRead, style: styleJSON, handle: (*API).listEndorsements,
			op: operation{id: "listEndorsements", tag: tagMicrocred, summary: "The endorsements the caller's organization gave and received",
				description: "Each is verified now: verdict is verified, not_verified or could_not_check, and label says it in words " +
					"(Verified, Withdrawn, Not verified, Could not check).",
				params: []param{{name: "direction", in: "query", description: "Only given or only received ones.",
					schema: map[string]any{"type": "string", "enum": []any{"given", "received"}}},
					{name: "limit", in: "query", description: "At most this many of each direction (default 100, at most 1000).",
						schema: map[string]any{"type": "integer", "minimum": 1, "maximum": 1000}},
					{name: "offset", in: "query", description: "Skip this many of each direction, newest first.",
						schema: map[string]any{"type": "integer", "minimum": 0}}},
				responses: []response{{status: 200, description: "The endorsements, newest first.", content: list}}},
		},
		{
			method: "POST", path: "/api/v1/endorsements", scope: ScopeIssue, style: styleJSON, handle: (*API).createEndorsement,
			op: operation{id: "createEndorsement", tag: tagMicrocred, summary: "Endorse an achievement or an organization",
				description: "Issues an Open Badges 3.0 EndorsementCredential signed by the caller's organization (eddsa-rdfc-2022), " +
					"with a revocation entry in its status list and a transparency-log entry. Name exactly one of achievementId " +
					"(a catalog achievement of another organization of this server), organization (another organization's slug), " +
					"or subjectId with subjectKind (an achievement or profile elsewhere, by its URL or DID). An organization cannot " +
					"endorse itself or its own achievements.",
				body:      jsonBody2("EndorsementRequest"),
				responses: []response{{status: 201, description: "The endorsement, with the signed credential.", content: jsonBody("Endorsement")}}},
		},
		{
			method: "POST", path: "/api/v1/endorsements/attach", scope: ScopeIssue, style: styleJSON, handle: (*API).attachEndorsement,
			op: operation{id: "attachEndorsement", tag: tagMicrocred, summary: "Attach an endorsement issued elsewhere to the caller's achievement or organization",
				description: "The credential (a JSON object, or a compact VC-JWT as a string) must be an EndorsementCredential whose subject " +
					"is the achievement named by achievementId, or the caller's organization when achievementId is absent. It is verified " +
					"first: one that does not verify is refused; one that could not be fully checked only with acceptUnchecked.",
				body:      jsonBody2("EndorsementAttachRequest"),
				responses: []response{{status: 201, description: "The attached endorsement.", content: jsonBody("Endorsement")}}},
		},
		{
			method: "POST", path: "/api/v1/endorsements/{uuid}/withdraw", scope: ScopeIssue, style: styleJSON, handle: (*API).withdrawEndorsement,
			op: operation{id: "withdrawEndorsement", tag: tagMicrocred, summary: "Withdraw an endorsement the caller's organization gave",
				description: "Sets its revocation bit: every verifier then finds it revoked, and its pages say it was withdrawn. Final.",
				params:      []param{{name: "uuid", in: "path", required: true, description: "The endorsement id without urn:uuid:.", schema: map[string]any{"type": "string"}}},
				body:        jsonBody2("StatusChangeRequest"),
				responses: []response{
					{status: 200, description: "Withdrawn; the answer is the endorsement.", content: jsonBody("Endorsement")},
					{status: 404, description: "The organization gave no such endorsement.", content: jsonBody("Error")},
					{status: 409, description: "It is already withdrawn.", content: jsonBody("Error")},
				}},
		},
	}
}

// endorsementSchemas are the component schemas of the endorsement
// endpoints.
func endorsementSchemas() map[string]any {
	date := map[string]any{"type": "string", "format": "date-time"}
	return map[string]any{
		"EndorsementRequest": map[string]any{
			"type": "object", "required": []any{"comment"}, "additionalProperties": false,
			"properties": map[string]any{
				"achievementId": str("The store id of a catalog achievement of another organization of this server."),
				"organization":  str("The slug of another organization of this server."),
				"subjectId":     str("The id (URL or DID) of an achievement or profile elsewhere."),
				"subjectKind":   map[string]any{"type": "string", "enum": []any{"achievement", "profile"}},
				"comment":       str("The endorsement in the endorser's words (endorsementComment), 1 to 2000 characters."),
				"validUntil":    date,
			},
		},
		"EndorsementAttachRequest": map[string]any{
			"type": "object", "required": []any{"credential"}, "additionalProperties": false,
			"properties": map[string]any{
				"achievementId":   str("The store id of the caller's achievement it endorses; absent for the organization itself."),
				"credential":      map[string]any{"description": "The EndorsementCredential: a JSON object, or a compact VC-JWT string."},
				"acceptUnchecked": map[string]any{"type": "boolean", "description": "Attach it even if it could not be fully checked."},
			},
		},
		"Endorsement": map[string]any{
			"type":     "object",
			"required": []any{"id", "direction", "subjectKind", "subjectId", "endorserId", "issuedAt", "verdict", "label"},
			"properties": map[string]any{
				"id": str("The credential's id."), "url": str("Its public page, for endorsements with a urn:uuid id."),
				"direction":   map[string]any{"type": "string", "enum": []any{"given", "received"}},
				"subjectKind": map[string]any{"type": "string", "enum": []any{"achievement", "profile"}},
				"subjectId":   str(""), "subjectName": str(""), "endorserId": str(""), "endorserName": str(""), "comment": str(""),
				"issuedAt": date, "validUntil": date,
				"verdict":    map[string]any{"type": "string", "enum": []any{"verified", "not_verified", "could_not_check"}},
				"label":      map[string]any{"type": "string", "enum": []any{"Verified", "Withdrawn", "Not verified", "Could not check"}},
				"reason":     str("Why, when the label is not Verified."),
				"credential": map[string]any{"description": "The signed credential (JSON object, or the JWT string); in answers to writes only."},
			},
		},
	}
}

// endorsementRecord is an endorsement as the API shows it.
type endorsementRecord struct {
	ID           string          `json:"id"`
	URL          string          `json:"url,omitempty"`
	Direction    string          `json:"direction"`
	SubjectKind  string          `json:"subjectKind"`
	SubjectID    string          `json:"subjectId"`
	SubjectName  string          `json:"subjectName,omitempty"`
	EndorserID   string          `json:"endorserId"`
	EndorserName string          `json:"endorserName,omitempty"`
	Comment      string          `json:"comment,omitempty"`
	IssuedAt     string          `json:"issuedAt"`
	ValidUntil   string          `json:"validUntil,omitempty"`
	Verdict      string          `json:"verdict"`
	Label        string          `json:"label"`
	Reason       string          `json:"reason,omitempty"`
	Credential   json.RawMessage `json:"credential,omitempty"`
}

func (a *API) endorsementRecord(v endorse.View, withDoc bool) endorsementRecord {
	rec := endorsementRecord{ID: v.ID, Direction: v.Direction, SubjectKind: v.SubjectKind, SubjectID: v.SubjectID, SubjectName: v.SubjectName,
		EndorserID: v.EndorserID, EndorserName: v.EndorserName, Comment: v.Comment, IssuedAt: v.IssuedAt.UTC().Format(time.RFC3339),
		Verdict: string(v.Verdict), Label: v.Label, Reason: v.Reason}
	if v.UUID != "" {
		rec.URL = a.base + "/endorsements/" + v.UUID
	}
	if v.ValidUntil != nil {
		rec.ValidUntil = v.ValidUntil.UTC().Format(time.RFC3339)
	}
	if withDoc {
		if doc := strings.TrimSpace(v.Document); strings.HasPrefix(doc, "{") {
			rec.Credential = json.RawMessage(doc)
		} else {
			rec.Credential, _ = json.Marshal(doc)
		}
	}
	return rec
}

func (a *API) endorser() *endorse.Service {
	return &endorse.Service{Store: a.store, Issuer: a.issuer}
}

// endorsementFields maps the endorse package's form field names to the
// request's JSON names.
var endorsementFields = map[string]string{
	endorse.FieldAchievement: "achievementId", endorse.FieldOrganization: "organization", endorse.FieldSubjectID: "subjectId",
	endorse.FieldSubjectKind: "subjectKind", endorse.FieldComment: "comment", endorse.FieldValidUntil: "validUntil",
	endorse.FieldDocument: "credential", endorse.FieldAccept: "acceptUnchecked",
}

// endorsementError turns the endorse package's field errors into a 400
// naming the request's fields; other errors pass through.
func endorsementError(err error) error {
	var fe issue.FieldErrors
	if !errors.As(err, &fe) {
		return err
	}
	out := make([]issue.FieldError, len(fe))
	for i, e := range fe {
		out[i] = e
		if n, ok := endorsementFields[e.Field]; ok {
			out[i].Field = n
		}
	}
	return badRequest("invalid endorsement", out...)
}

func (a *API) listEndorsements(w http.ResponseWriter, r *http.Request, c *caller) error {
	dir := r.URL.Query().Get("direction")
	if dir != "" && dir != store.EndorsementGiven && dir != store.EndorsementReceived {
		return fieldError("direction", `must be "given" or "received"`)
	}
	limit, err := intParam(r.URL.Query(), "limit", defaultPageSize, 1)
	if err != nil {
		return err
	}
	offset, err := intParam(r.URL.Query(), "offset", 0, 0)
	if err != nil {
		return err
	}
	page := endorse.Page{Limit: min(limit, maxPageSize), Offset: offset}
	var views []endorse.View
	if dir != store.EndorsementReceived {
		given, err := a.endorser().Given(r.Context(), c.org.ID, page)
		if err != nil {
			return err
		}
		views = append(views, given...)
	}
	if dir != store.EndorsementGiven {
		received, err := a.endorser().Received(r.Context(), c.org.ID, page)
		if err != nil {
			return err
		}
		views = append(views, received...)
	}
	out := make([]endorsementRecord, 0, len(views))
	for _, v := range views {
		out = append(out, a.endorsementRecord(v, false))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) createEndorsement(w http.ResponseWriter, r *http.Request, c *caller) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var in struct {
		AchievementID string     `json:"achievementId"`
		Organization  string     `json:"organization"`
		SubjectID     string     `json:"subjectId"`
		SubjectKind   string     `json:"subjectKind"`
		Comment       string     `json:"comment"`
		ValidUntil    *time.Time `json:"validUntil"`
	}
	if err := decodeStrict(body, &in, ""); err != nil {
		return err
	}
	req := endorse.Request{OrgID: c.org.ID, Actor: c.client.ClientID, AchievementID: in.AchievementID, OrgSlug: in.Organization,
		SubjectID: in.SubjectID, SubjectKind: in.SubjectKind, Comment: in.Comment}
	if in.ValidUntil != nil {
		req.ValidUntil = *in.ValidUntil
	}
	e, err := a.endorser().Issue(r.Context(), req)
	if err != nil {
		return endorsementError(err)
	}
	writeJSON(w, http.StatusCreated, a.endorsementRecord(a.endorser().Check(r.Context(), e), true))
	return nil
}

func (a *API) attachEndorsement(w http.ResponseWriter, r *http.Request, c *caller) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var in struct {
		AchievementID   string          `json:"achievementId"`
		Credential      json.RawMessage `json:"credential"`
		AcceptUnchecked bool            `json:"acceptUnchecked"`
	}
	if err := decodeStrict(body, &in, ""); err != nil {
		return err
	}
	doc := []byte(in.Credential)
	var jwt string
	if json.Unmarshal(in.Credential, &jwt) == nil {
		doc = []byte(jwt)
	}
	e, _, err := a.endorser().Attach(r.Context(), endorse.AttachRequest{OrgID: c.org.ID, Actor: c.client.ClientID,
		AchievementID: in.AchievementID, Document: doc, AcceptUnchecked: in.AcceptUnchecked})
	if err != nil {
		return endorsementError(err)
	}
	writeJSON(w, http.StatusCreated, a.endorsementRecord(a.endorser().Check(r.Context(), e), true))
	return nil
}

func (a *API) withdrawEndorsement(w http.ResponseWriter, r *http.Request, c *caller) error {
	// The body is optional (a withdrawal needs no reason), but one that
	// is given must be read whole and be valid: a withdrawal is final, so
	// it never goes ahead without the reason its caller sent.
	var in statusChangeRequest
	body, err := readBody(r)
	switch {
	case err == nil:
		if err := decodeStrict(body, &in, ""); err != nil {
			return err
		}
	case !errors.Is(err, errEmptyBody):
		return err
	}
	id := "urn:uuid:" + strings.ToLower(r.PathValue("uuid"))
	err = a.endorser().Withdraw(r.Context(), c.org.ID, id, in.Reason, c.client.ClientID)
	switch {
	case errors.Is(err, endorse.ErrNotFound):
		return notFound("the organization gave no such endorsement")
	case errors.Is(err, endorse.ErrAlreadyWithdrawn):
		return newError(http.StatusConflict, "the endorsement is already withdrawn")
	case err != nil:
		return endorsementError(err)
	}
	e, err := a.store.Endorsement(r.Context(), id)
	if err != nil {
		return fmt.Errorf("load endorsement: %w", err)
	}
	writeJSON(w, http.StatusOK, a.endorsementRecord(a.endorser().Check(r.Context(), e), false))
	return nil
}
