package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/proof"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/tlog"
	"github.com/microcred/microcred/internal/verify"
)

// obPrefix is where the Open Badges 3.0 API lives, as the specification
// requires.
const obPrefix = "/ims/ob/v3p0"

// defaultPageSize is getCredentials' limit when the client gives none.
const defaultPageSize = 100

// discovery is GET /ims/ob/v3p0/discovery: the OB 3.0 Service Description
// Document. The specification requires it to be unprotected.
func (a *API) discovery(w http.ResponseWriter, _ *http.Request, _ *caller) error {
	w.Header().Set("Cache-Control", "public, max-age=300")
	writeJSON(w, http.StatusOK, a.serviceDescription())
	return nil
}

// getCredentials is getCredentials: the organization's credentials, newest
// first, paged with limit and offset, optionally only those issued after
// since. Data Integrity credentials go in "credential", VC-JWTs in
// "compactJwsString".
func (a *API) getCredentials(w http.ResponseWriter, r *http.Request, c *caller) error {
	q := r.URL.Query()
	limit, err := intParam(q, "limit", defaultPageSize, 1)
	if err != nil {
		return err
	}
	// The store serves at most maxPageSize rows at once; a larger limit is
	// served as maxPageSize and the Link header carries the limit used, so
	// a client that follows the links still sees every credential.
	limit = min(limit, maxPageSize)
	offset, err := intParam(q, "offset", 0, 0)
	if err != nil {
		return err
	}
	var page []store.Credential
	var total int64
	if s := q.Get("since"); s != "" {
		since, perr := credential.ParseDateTime(s)
		if perr != nil {
			return &apiError{status: http.StatusBadRequest, code: "invalid_query_parameter",
				msg: "invalid query parameter", fields: []issue.FieldError{{Field: "since", Problem: "must be a date-time such as 2026-01-31T09:00:00Z"}}}
		}
		page, total, err = a.credentialsSince(r, c.org.ID, since, limit, offset)
	} else {
		query := store.CredentialQuery{OrgID: c.org.ID}
		if total, err = a.store.CountCredentials(r.Context(), query); err != nil {
			return fmt.Errorf("count credentials: %w", err)
		}
		query.Limit, query.Offset = limit, offset
		if int64(offset) < total {
			page, err = a.store.ListCredentials(r.Context(), query)
		}
	}
	if err != nil {
		return fmt.Errorf("list credentials: %w", err)
	}

	body := struct {
		Credential       []json.RawMessage `json:"credential"`
		CompactJwsString []string          `json:"compactJwsString"`
	}{Credential: []json.RawMessage{}, CompactJwsString: []string{}}
	for _, cr := range page {
		if cr.Format == store.FormatJWT {
			body.CompactJwsString = append(body.CompactJwsString, cr.Document)
		} else {
			body.Credential = append(body.Credential, json.RawMessage(cr.Document))
		}
	}
	w.Header().Set("X-Total-Count", strconv.FormatInt(total, 10))
	w.Header().Set("Link", pageLinks(a.base+obPrefix+"/credentials", q, limit, offset, total))
	writeJSON(w, http.StatusOK, body)
	return nil
}

// credentialsSince pages through the credentials issued after since.
// Listings are ordered newest first, so they are a prefix of the full list:
// the scan stops at the first older credential and reads only matching
// rows (and at most one page more).
func (a *API) credentialsSince(r *http.Request, orgID string, since time.Time, limit, offset int) ([]store.Credential, int64, error) {
	var page []store.Credential
	var total int64
	for pos := 0; ; pos += maxPageSize {
		batch, err := a.store.ListCredentials(r.Context(), store.CredentialQuery{OrgID: orgID, Limit: maxPageSize, Offset: pos})
		if err != nil {
			return nil, 0, err
		}
		for _, cr := range batch {
			if !cr.IssuedAt.After(since) {
				return page, total, nil
			}
			if total >= int64(offset) && len(page) < limit {
				page = append(page, cr)
			}
			total++
		}
		if len(batch) < maxPageSize {
			return page, total, nil
		}
	}
}

// intParam parses an integer query parameter of at least minimum.
func intParam(q url.Values, name string, def, minimum int) (int, error) {
	s := q.Get(name)
	if s == "" {
		if _, present := q[name]; !present {
			return def, nil
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < minimum {
		return 0, &apiError{status: http.StatusBadRequest, code: "invalid_query_parameter", msg: "invalid query parameter",
			fields: []issue.FieldError{{Field: name, Problem: fmt.Sprintf("must be an integer of at least %d", minimum)}}}
	}
	return n, nil
}

// pageLinks builds the Link header of OB 3.0 section 6.4: first and last
// always, next when the page is incomplete, prev when offset > 0. Other
// query parameters (since) are kept.
func pageLinks(base string, q url.Values, limit, offset int, total int64) string {
	link := func(off int, rel string) string {
		v := url.Values{}
		for k, vs := range q {
			if k != "limit" && k != "offset" {
				v[k] = vs
			}
		}
		v.Set("limit", strconv.Itoa(limit))
		v.Set("offset", strconv.Itoa(off))
		return "<" + base + "?" + v.Encode() + `>; rel="` + rel + `"`
	}
	last := 0
	if total > 0 {
		last = int((total - 1) / int64(limit) * int64(limit))
	}
	var parts []string
	if int64(offset)+int64(limit) < total {
		parts = append(parts, link(offset+limit, "next"))
	}
	parts = append(parts, link(last, "last"), link(0, "first"))
	if offset > 0 {
		parts = append(parts, link(max(0, min(offset-limit, last)), "prev"))
	}
	return strings.Join(parts, ", ")
}

// upsertCredential is upsertCredential. The body is an
// OpenBadgeCredential (application/json) or a VC-JWT (text/plain). It must
// verify and be issued by the caller's organization.
//
// Stored credentials are immutable (they are signed documents that others
// may hold copies of), so "replace" is not offered: resubmitting a stored
// credential unchanged answers 200 with it, and a different credential
// under a stored id is refused with 409. A new credential is stored and
// answered with 201.
func (a *API) upsertCredential(w http.ResponseWriter, r *http.Request, c *caller) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	body = bytes.TrimSpace(body)
	var isJWT bool
	switch ct := mediaType(r.Header.Get("Content-Type")); ct {
	case "application/json", "application/ld+json", "application/vc+ld+json", "application/vc":
	case "text/plain", "application/vc+jwt", "application/jwt":
		isJWT = true
	case "":
		isJWT = len(body) > 0 && body[0] != '{'
	default:
		return newError(http.StatusUnsupportedMediaType,
			fmt.Sprintf("Content-Type %s is not accepted; send application/json or text/plain (a compact JWS)", ct))
	}
	if isJWT && !compactJWS(string(body)) {
		return badRequest("the body is not a compact JWS (header.payload.signature)")
	}
	if !isJWT {
		if _, err := verify.DecodeDocument(body); err != nil {
			return badRequest("the body is not a credential: " + err.Error())
		}
	}
	report, err := a.issuer.Verify(r.Context(), body)
	if errors.Is(err, verify.ErrUnusable) {
		return badRequest("the credential cannot be read: " + verify.Reason(err))
	}
	if err != nil {
		return fmt.Errorf("verify upserted credential: %w", err)
	}
	if !report.Verified {
		return badRequest("the credential does not verify: " + failedChecks(report))
	}
	doc := report.Credential
	issuerID, err := a.issuer.IssuerID(r.Context(), c.org)
	if err != nil {
		return fmt.Errorf("issuer id: %w", err)
	}
	if got := idOf(doc["issuer"]); got != issuerID {
		return badRequest("the credential was not issued by this organization",
			issue.FieldError{Field: "issuer", Problem: fmt.Sprintf("is %q; this client may only store credentials issued by %s", got, issuerID)})
	}
	if fe := issue.IssuerDisplayErrors(doc["issuer"], c.org); len(fe) > 0 {
		return badRequest("the credential shows the issuer other than the organization's profile", fe...)
	}
	id, _ := doc["id"].(string)
	// The signed document keeps its id as written; it is stored and
	// looked up in canonical form, so an urn:uuid in other case is the
	// same credential.
	id = credential.NormalizeID(id)
	if id == "" || !credential.IsAbsoluteURI(id) {
		return badRequest("the credential has no id", issue.FieldError{Field: "id", Problem: "is required: an absolute URI that names the credential"})
	}
	ach, version, ferr := a.upsertAchievement(r, c.org, doc)
	if ferr != nil {
		return ferr
	}

	existing, err := a.store.Credential(r.Context(), id)
	switch {
	case err == nil:
		if existing.OrgID == c.org.ID && sameDocument(existing, body, isJWT) {
			writeCredential(w, http.StatusOK, existing)
			return nil
		}
		return &apiError{status: http.StatusConflict, code: "invalid_data",
			msg: fmt.Sprintf("credential %s is already stored with different content; issued credentials are immutable, so issue a new credential (with a new id) instead", id)}
	case !errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("load credential: %w", err)
	}
	// A new credential is checked against the OB 3.0 schema; one stored
	// already (above) is answered as it was stored.
	if fe := schemaFindings(string(body), c.org.Suspension); len(fe) > 0 {
		return badRequest("the credential does not match the Open Badges 3.0 JSON Schema", fe...)
	}

	now := a.now().UTC().Truncate(time.Second)
	cr := store.Credential{
		ID: id, OrgID: c.org.ID, AchievementID: ach, AchievementVersion: version,
		RecipientName: recipientName(doc), Format: formatOf(doc, isJWT), Document: string(body),
		IssuedAt: now, ValidFrom: now,
	}
	if t, err := credential.ParseDateTime(stringOf(doc["validFrom"])); err == nil {
		cr.ValidFrom = t
	}
	if t, err := credential.ParseDateTime(stringOf(doc["validUntil"])); err == nil {
		cr.ValidUntil = &t
	}
	err = a.store.WithTx(r.Context(), func(tx store.Store) error {
		stored, _, err := tx.InsertCredential(r.Context(), cr)
		if err != nil {
			return err
		}
		cr = stored
		if _, err := tlog.Append(r.Context(), tx, tlog.IssueEvent(cr)); err != nil {
			return err
		}
		return appendAudit(r, tx, c, "credential.upsert", cr.ID, map[string]any{
			"achievement_id": cr.AchievementID, "achievement_version": cr.AchievementVersion, "format": string(cr.Format),
		})
	})
	if errors.Is(err, store.ErrConflict) {
		return &apiError{status: http.StatusConflict, code: "invalid_data", msg: fmt.Sprintf("credential %s was stored concurrently", id)}
	}
	if err != nil {
		return fmt.Errorf("store upserted credential: %w", err)
	}
	writeCredential(w, http.StatusCreated, cr)
	return nil
}

// upsertAchievement finds the catalog achievement (and version) an upserted
// credential awards: credentialSubject.achievement.id must be one of the
// organization's achievements, BaseURL/achievements/<id>.
func (a *API) upsertAchievement(r *http.Request, org store.Organization, doc map[string]any) (string, int, error) {
	const field = "credentialSubject.achievement.id"
	subj, _ := doc["credentialSubject"].(map[string]any)
	achObj, _ := subj["achievement"].(map[string]any)
	achURL := stringOf(achObj["id"])
	rest, ok := strings.CutPrefix(achURL, a.base+"/achievements/")
	if !ok || rest == "" {
		return "", 0, badRequest("the credential's achievement is not in this organization's catalog",
			issue.FieldError{Field: field, Problem: fmt.Sprintf("must name an achievement of this catalog (%s/achievements/...)", a.base)})
	}
	ach, err := a.store.Achievement(r.Context(), rest)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (ach.OrgID != org.ID || issue.IsBookkeeping(ach))) {
		return "", 0, badRequest("the credential's achievement is not in this organization's catalog",
			issue.FieldError{Field: field, Problem: "names no achievement of this organization"})
	}
	if err != nil {
		return "", 0, fmt.Errorf("load achievement: %w", err)
	}
	version := ach.CurrentVersion
	if v := stringOf(achObj["version"]); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n >= 1 && n <= ach.CurrentVersion {
			version = n
		}
	}
	return ach.ID, version, nil
}

// sameDocument reports whether body is the stored credential: the same
// JWT, or JSON with the same content (white space and member order aside).
func sameDocument(stored store.Credential, body []byte, isJWT bool) bool {
	if isJWT || stored.Format == store.FormatJWT {
		return isJWT && stored.Format == store.FormatJWT && stored.Document == string(body)
	}
	var x, y any
	if json.Unmarshal([]byte(stored.Document), &x) != nil || json.Unmarshal(body, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// writeCredential answers with a stored credential: the JSON document, or
// the compact JWS as text/plain.
func writeCredential(w http.ResponseWriter, status int, c store.Credential) {
	if c.Format == store.FormatJWT {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(c.Document))
		return
	}
	writeRawJSON(w, status, []byte(c.Document))
}

// schemaFindings checks an upserted credential against 1EdTech's Open
// Badges 3.0 JSON Schema, so that what this server stores and serves as
// the organization's credentials is OB 3.0. Two findings are let through:
// a single proof written as an object rather than a one-element array (a
// choice of the system that signed it, which Data Integrity allows and
// which cannot be changed without changing what the caller sent), and,
// for an organization that opted in to suspension, the array of two
// credentialStatus entries this server itself issues then.
func schemaFindings(secured string, suspension bool) []issue.FieldError {
	err := credential.ValidateIssued(secured)
	var ve credential.ValidationErrors
	if !errors.As(err, &ve) {
		if err != nil {
			return []issue.FieldError{{Field: "credential", Problem: err.Error()}}
		}
		return nil
	}
	var out []issue.FieldError
	for _, e := range ve {
		switch {
		case e.Path == "proof" && strings.Contains(e.Message, "got object"):
		case suspension && (e.Path == "credentialStatus" || strings.HasPrefix(e.Path, "credentialStatus[")):
		default:
			field := e.Path
			if field == "" {
				field = "credential"
			}
			out = append(out, issue.FieldError{Field: field, Problem: e.Message})
		}
	}
	return out
}

// formatOf tells how a verified credential is secured.
func formatOf(doc map[string]any, isJWT bool) store.Format {
	if isJWT {
		return store.FormatJWT
	}
	var proofs []any
	switch p := doc["proof"].(type) {
	case []any:
		proofs = p
	case map[string]any:
		proofs = []any{p}
	}
	for _, p := range proofs {
		if m, ok := p.(map[string]any); ok && m["cryptosuite"] == proof.SuiteJCS {
			return store.FormatLDPJCS
		}
	}
	return store.FormatLDPRDFC
}

// recipientName returns the subject's name, or its plain-text name
// identifier, if the credential carries one.
func recipientName(doc map[string]any) string {
	subj, _ := doc["credentialSubject"].(map[string]any)
	if n, ok := subj["name"].(string); ok {
		return n
	}
	ids, _ := subj["identifier"].([]any)
	for _, x := range ids {
		if m, ok := x.(map[string]any); ok && m["identityType"] == "name" && m["hashed"] == false {
			return stringOf(m["identityHash"])
		}
	}
	return ""
}

// compactJWS reports whether s looks like header.payload.signature in
// base64url, the pattern the OB 3.0 schema gives CompactJws.
func compactJWS(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 3 || parts[0] == "" || parts[2] == "" {
		return false
	}
	for _, p := range parts {
		for _, r := range p {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return false
			}
		}
	}
	return true
}

// getProfile is getProfile: the organization's issuer Profile.
func (a *API) getProfile(w http.ResponseWriter, r *http.Request, c *caller) error {
	p, err := a.issuer.Profile(r.Context(), c.org)
	if err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	writeJSON(w, http.StatusOK, withProfileContext(p))
	return nil
}

// withProfileContext adds the OB 3.0 context so that the Profile stands
// alone as a JSON-LD document, as the specification's examples show.
func withProfileContext(p map[string]any) map[string]any {
	out := make(map[string]any, len(p)+1)
	for k, v := range p {
		out[k] = v
	}
	out["@context"] = []any{credential.ContextOB}
	return out
}

// profileFields are the Profile members putProfile accepts: those the
// organization record holds, plus @context, id and type, which must match.
var profileFields = []string{"@context", "id", "type", "name", "url", "email", "description", "image"}

// putProfile is putProfile. The request carries the entire Profile: the
// members the organization keeps (name, url, email, description, image)
// are replaced, absent ones cleared. id and type must stay what they are;
// any other member (phone, address, ...) is refused with 400, since
// silently dropping it would report a change that did not happen.
func (a *API) putProfile(w http.ResponseWriter, r *http.Request, c *caller) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	if mt := mediaType(r.Header.Get("Content-Type")); mt != "" && mt != "application/json" && mt != "application/ld+json" {
		return newError(http.StatusUnsupportedMediaType, "the Profile must be sent as application/json")
	}
	doc, err := verify.DecodeDocument(body)
	if err != nil {
		return badRequest("the body is not a JSON object: " + err.Error())
	}
	issuerID, err := a.issuer.IssuerID(r.Context(), c.org)
	if err != nil {
		return fmt.Errorf("issuer id: %w", err)
	}
	var fe issue.FieldErrors
	var unknown []string
	for k := range doc {
		if !slices.Contains(profileFields, k) {
			unknown = append(unknown, k)
		}
	}
	slices.Sort(unknown)
	for _, k := range unknown {
		fe = append(fe, issue.FieldError{Field: k, Problem: "is not supported by this server's profiles (supported: name, url, email, description, image)"})
	}
	if id, ok := doc["id"]; ok && id != issuerID {
		fe = append(fe, issue.FieldError{Field: "id", Problem: "must stay " + issuerID})
	}
	if t, ok := doc["type"]; ok && !slices.Contains(typeList(t), "Profile") {
		fe = append(fe, issue.FieldError{Field: "type", Problem: `must be "Profile" or include it`})
	}
	org := c.org
	org.Name = strings.TrimSpace(profileString(doc, "name", &fe))
	org.URL = strings.TrimSpace(profileString(doc, "url", &fe))
	org.Email = strings.TrimSpace(profileString(doc, "email", &fe))
	org.Description = profileString(doc, "description", &fe)
	org.ImageURL = profileImage(doc, &fe)
	fe = append(fe, validateProfile(org)...)
	distinct, err := a.issuer.CheckProfileDistinct(r.Context(), org)
	if err != nil {
		return fmt.Errorf("check profile: %w", err)
	}
	fe = append(fe, distinct...)
	if len(fe) > 0 {
		return badRequest("invalid profile", fe...)
	}
	err = a.store.WithTx(r.Context(), func(tx store.Store) error {
		if err := tx.UpdateOrganization(r.Context(), org); err != nil {
			return err
		}
		return appendAudit(r, tx, c, "org.profile.update", org.ID, map[string]any{
			"name": org.Name, "url": org.URL, "email": org.Email, "image": org.ImageURL,
		})
	})
	if err != nil {
		return fmt.Errorf("update profile: %w", err)
	}
	a.issuer.OrganizationChanged(org.ID)
	p, err := a.issuer.Profile(r.Context(), org)
	if err != nil {
		return fmt.Errorf("profile: %w", err)
	}
	writeJSON(w, http.StatusOK, withProfileContext(p))
	return nil
}

func profileString(doc map[string]any, name string, fe *issue.FieldErrors) string {
	v, ok := doc[name]
	if !ok || v == nil {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		*fe = append(*fe, issue.FieldError{Field: name, Problem: "must be a string"})
	}
	return s
}

// profileImage reads image as a URL string or an Image object with id.
func profileImage(doc map[string]any, fe *issue.FieldErrors) string {
	switch img := doc["image"].(type) {
	case nil:
		return ""
	case string:
		return img
	case map[string]any:
		for k := range img {
			if k != "id" && k != "type" {
				*fe = append(*fe, issue.FieldError{Field: "image." + k, Problem: "is not supported (supported: id, type)"})
			}
		}
		if t, ok := img["type"]; ok && t != "Image" {
			*fe = append(*fe, issue.FieldError{Field: "image.type", Problem: `must be "Image"`})
		}
		id, ok := img["id"].(string)
		if !ok {
			*fe = append(*fe, issue.FieldError{Field: "image.id", Problem: "is required: the image URL"})
		}
		return id
	}
	*fe = append(*fe, issue.FieldError{Field: "image", Problem: "must be a URL or an Image object"})
	return ""
}

// validateProfile checks the fields of an edited profile.
func validateProfile(org store.Organization) issue.FieldErrors {
	var fe issue.FieldErrors
	switch {
	case org.Name == "":
		fe = append(fe, issue.FieldError{Field: "name", Problem: "is required"})
	case utf8.RuneCountInString(org.Name) > 256:
		fe = append(fe, issue.FieldError{Field: "name", Problem: "must be at most 256 characters"})
	}
	if org.URL != "" && !isHTTPURL(org.URL) {
		fe = append(fe, issue.FieldError{Field: "url", Problem: "must be an http or https URL"})
	}
	if org.Email != "" && !isEmail(org.Email) {
		fe = append(fe, issue.FieldError{Field: "email", Problem: "must be an email address such as registrar@example.edu"})
	}
	if utf8.RuneCountInString(org.Description) > 10000 {
		fe = append(fe, issue.FieldError{Field: "description", Problem: "must be at most 10000 characters"})
	}
	if org.ImageURL != "" && !isHTTPURL(org.ImageURL) {
		fe = append(fe, issue.FieldError{Field: "image", Problem: "must be an http or https URL"})
	}
	return fe
}

func appendAudit(r *http.Request, tx store.Store, c *caller, action, target string, detail map[string]any) error {
	raw, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("audit detail: %w", err)
	}
	if _, err := tx.AppendAudit(r.Context(), store.AuditEvent{
		OrgID: c.org.ID, Actor: c.client.ClientID, Action: action, Target: target, Detail: raw,
	}); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// failedChecks summarizes why a report is not verified: its verdict and
// the checks that failed or could not be carried out.
func failedChecks(rep *verify.Report) string {
	var parts []string
	for _, ch := range rep.Problems() {
		parts = append(parts, ch.Name+": "+ch.Detail)
	}
	if len(parts) == 0 {
		return string(rep.Verdict)
	}
	return string(rep.Verdict) + ": " + strings.Join(parts, "; ")
}

// idOf returns v when it is a string, or v's "id" when it is an object.
func idOf(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case map[string]any:
		return stringOf(t["id"])
	}
	return ""
}

func stringOf(v any) string {
	s, _ := v.(string)
	return s
}

func typeList(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, x := range t {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && len(s) <= 2048
}

// isEmail accepts a bare address (no display name) of at most 320 bytes.
func isEmail(s string) bool {
	if len(s) > 320 {
		return false
	}
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s && a.Name == ""
}
