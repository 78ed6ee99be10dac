package web

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/analytics"
	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/endorse"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/verify"
)

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// verdict is the plain-language result of verifying a credential, with what
// the credential says. Outcome is one of verify's three verdicts; Reason is
// the plain sentence of the first check behind a verdict other than
// verified.
type verdict struct {
	Verified bool
	Outcome  verify.Verdict
	Reason   string
	Checks   []verify.Check
	Meaning  meaning
	// Record is set for a Comprehensive Learner Record: its credentials,
	// each with its own verdict, and its pathways.
	Record *recordView
}

// meaning is what a credential claims, read from its display fields.
type meaning struct {
	IssuerName, IssuerID, IssuerURL         string
	AchievementName, AchievementDescription string
	AchievementID, Criteria                 string
	RecipientName                           string
	ValidFrom, ValidUntil                   string
	Lines                                   []string
	// Results are the subject's OB 3.0 Results (a grade), each named by
	// the achievement's ResultDescription it refers to.
	Results []resultView
	// Identifiers are the subject's unhashed identifiers other than a
	// name (a student number).
	Identifiers []string
}

// resultView is one Result as a page shows it.
type resultView struct{ Name, Value, Status string }

// credentialPageData is the public credential page.
type credentialPageData struct {
	Credential store.Credential
	UUID       string
	Org        store.Organization
	Verdict    verdict
	Entry      *catalog.Achievement
	LinkedIn   string
	JSONURL    string
	JWTURL     string
	IsLearner  bool
	PublicURL  string
	Log        *logEntryView  // the transparency-log entry, nil when there is none
	Lifecycle  *lifecycleView // status and renewal, see status_handlers.go
	// Image is the absolute address of the achievement's badge image, ""
	// when it has none.
	Image string
	// ShareBlock says why the credential is not offered for sharing
	// ("revoked", "suspended", "expired", "private"), "" when it is.
	ShareBlock string
	EmbedCode  string
	// Endorsements of the achievement and of its issuer, checked.
	Endorsements []endorse.View
}

// credentialPage serves /c/{uuid} (HTML), /c/{uuid}.json (the stored
// document byte for byte, or the decoded payload of a JWT) and
// /c/{uuid}.jwt (the compact JWT).
func (s *server) credentialPage(w http.ResponseWriter, r *http.Request) {
	file := r.PathValue("file")
	id, ext, _ := strings.Cut(file, ".")
	if !uuidRE.MatchString(id) || (ext != "" && ext != "json" && ext != "jwt" && ext != "pdf" && ext != "png" && ext != "svg") {
		s.notFound(w, r)
		return
	}
	c, err := s.store.Credential(r.Context(), credential.NormalizeID("urn:uuid:"+id))
	if err != nil {
		if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) {
			s.notFound(w, r)
			return
		}
		s.serverError(w, r, fmt.Errorf("load credential: %w", err))
		return
	}
	v := currentViewer(r)
	isLearner := v != nil && c.LearnerID != "" && c.LearnerID == v.User.ID
	if c.Private && !isLearner && v.role(c.OrgID) == "" {
		// Private means absent to everyone else: 404, not 403, so the page
		// does not even confirm the credential exists.
		s.notFound(w, r)
		return
	}
	switch ext {
	case "pdf":
		s.credentialPDF(w, r, c, id)
	case "png", "svg":
		s.bakedBadge(w, r, c, ext)
	case "json":
		s.credentialJSON(w, r, c)
	case "jwt":
		if c.Format != store.FormatJWT {
			s.notFound(w, r)
			return
		}
		serveBytes(w, r, "application/vc+jwt", []byte(c.Document), c.Private)
	default:
		// The page's address also answers for the credential itself, to
		// a client that asks for it by media type.
		w.Header().Add("Vary", "Accept")
		switch negotiate(r.Header.Get("Accept"), mediaHTML, mediaVCLDJSON, mediaLDJSON, mediaVCJWT) {
		case mediaVCJWT:
			if c.Format != store.FormatJWT {
				w.Header().Set("Link", "</c/"+id+`.json>; rel="alternate"; type="application/vc+ld+json"`)
				http.Error(w, "This credential is secured with a Data Integrity proof, not as a JWT; ask for application/vc+ld+json.", http.StatusNotAcceptable)
				return
			}
			serveBytes(w, r, mediaVCJWT, []byte(c.Document), c.Private)
		case mediaVCLDJSON, mediaLDJSON:
			mt := negotiate(r.Header.Get("Accept"), mediaVCLDJSON, mediaLDJSON)
			if c.Format == store.FormatJWT {
				// The signed form of a JWT credential is the JWT; a client
				// that cannot take it gets the decoded payload, marked so.
				s.credentialJSON(w, r, c)
				return
			}
			serveBytes(w, r, mt, []byte(c.Document), c.Private)
		default:
			s.credentialHTML(w, r, c, id, isLearner)
		}
	}
}

func (s *server) credentialJSON(w http.ResponseWriter, r *http.Request, c store.Credential) {
	if c.Format != store.FormatJWT {
		serveBytes(w, r, "application/json", []byte(c.Document), c.Private)
		return
	}
	payload, err := jwtPayload(c.Document)
	if err != nil {
		s.serverError(w, r, fmt.Errorf("decode stored jwt %s: %w", c.ID, err))
		return
	}
	w.Header().Set("Link", "</c/"+s.issuer.CredentialUUID(c.ID)+`.jwt>; rel="alternate"; type="application/vc+jwt"`)
	w.Header().Set("X-Microcred-Note", "decoded payload of a VC-JWT; the signed credential is the .jwt alternate")
	serveBytes(w, r, "application/json", payload, c.Private)
}

// serveBytes writes b with an ETag derived from its content. Credentials
// never change, but they can be made private, so caches must revalidate.
func serveBytes(w http.ResponseWriter, r *http.Request, contentType string, b []byte, private bool) {
	sum := sha256.Sum256(b)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	h := w.Header()
	h.Set("ETag", etag)
	if private {
		h.Set("Cache-Control", "private, no-cache")
	} else {
		h.Set("Cache-Control", "public, no-cache")
	}
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(b)))
	_, _ = w.Write(b)
}

// jwtPayload decodes the payload segment of a compact JWS.
func jwtPayload(compact string) ([]byte, error) {
	parts := strings.Split(strings.TrimSpace(compact), ".")
	if len(parts) != 3 {
		return nil, errors.New("not a compact JWS")
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	return b, nil
}

func (s *server) credentialHTML(w http.ResponseWriter, r *http.Request, c store.Credential, id string, isLearner bool) {
	ctx := r.Context()
	if !isLearner {
		s.recordEvent(r, credentialEvent(c, analytics.Viewed, ""))
		if r.URL.Query().Get("src") == "qr" {
			// The QR code of the PDF certificate leads here: whoever
			// scanned it checked the credential.
			s.recordEvent(r, credentialEvent(c, analytics.Verified, "qr"))
		}
	}
	report, err := s.issuer.Verify(ctx, []byte(c.Document))
	if err != nil {
		s.serverError(w, r, fmt.Errorf("verify stored credential %s: %w", c.ID, err))
		return
	}
	org, err := s.store.Organization(ctx, c.OrgID)
	if err != nil {
		s.serverError(w, r, fmt.Errorf("load organization: %w", err))
		return
	}
	var entry *catalog.Achievement
	if c.AchievementID != "" {
		if a, _, err := s.issuer.Achievement(ctx, c.AchievementID, c.AchievementVersion); err == nil {
			entry = a
		}
	}
	d := credentialPageData{
		Credential: c, UUID: id, Org: org, Verdict: verdictOf(report), Entry: entry,
		JSONURL: "/c/" + id + ".json", IsLearner: isLearner, PublicURL: s.base + "/c/" + id,
	}
	if c.Format == store.FormatJWT {
		d.JWTURL = "/c/" + id + ".jwt"
	}
	if entry != nil {
		d.Image = s.achievementImageURL(c.AchievementID, entry.Image)
	}
	d.Log = s.credentialLogEntry(ctx, c.ID)
	d.Endorsements = s.endorsementsAbout(r, c.OrgID, c.AchievementID)
	d.Lifecycle = s.lifecycleOf(r, c)
	d.ShareBlock = s.shareBlock(r, c)
	d.EmbedCode = `<iframe src="` + d.PublicURL + `/embed" width="420" height="110" style="border:0" title="` +
		html.EscapeString(d.Verdict.Meaning.AchievementName+" · "+org.Name) + `" loading="lazy"></iframe>`
	d.LinkedIn = linkedInURL(d.Verdict.Meaning.AchievementName, org.Name, c.IssuedAt, c.ValidUntil, d.PublicURL, c.ID)
	title := d.Verdict.Meaning.AchievementName
	if title == "" {
		title = "Credential"
	}
	w.Header().Set("Cache-Control", "no-cache")
	if c.Private {
		w.Header().Set("Cache-Control", "private, no-store")
	}
	s.renderWith(w, r, http.StatusOK, "credential", pageData{
		Title: title + " · " + org.Name,
		Data:  d,
		Meta: &ogMeta{
			Title:       title + " · " + org.Name,
			Description: clip(d.Verdict.Meaning.AchievementDescription, 300),
			URL:         d.PublicURL,
			Type:        "website",
			Image:       d.Image,
			ImageAlt:    "Badge of " + title,
		},
	})
}

// linkedInURL is LinkedIn's "Add to profile" link for a certification.
func linkedInURL(name, org string, issued time.Time, until *time.Time, certURL, certID string) string {
	q := url.Values{}
	q.Set("startTask", "CERTIFICATION_NAME")
	q.Set("name", name)
	q.Set("organizationName", org)
	q.Set("issueYear", strconv.Itoa(issued.UTC().Year()))
	q.Set("issueMonth", strconv.Itoa(int(issued.UTC().Month())))
	if until != nil {
		q.Set("expirationYear", strconv.Itoa(until.UTC().Year()))
		q.Set("expirationMonth", strconv.Itoa(int(until.UTC().Month())))
	}
	q.Set("certUrl", certURL)
	q.Set("certId", certID)
	return "https://www.linkedin.com/profile/add?" + q.Encode()
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && (s[cut]&0xC0) == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

// verdictOf turns a verification report into the page's verdict.
func verdictOf(rep *verify.Report) verdict {
	v := verdict{Verified: rep.Verified, Outcome: rep.Verdict, Checks: rep.Checks}
	if p := rep.Problems(); len(p) > 0 {
		v.Reason = p[0].Summary
	}
	doc := rep.Credential
	if doc == nil {
		return v
	}
	if rep.Embedded != nil {
		v.Record = recordOf(rep)
	}
	m := &v.Meaning
	m.Lines = verify.Describe(doc)
	switch iss := doc["issuer"].(type) {
	case string:
		m.IssuerID = iss
	case map[string]any:
		m.IssuerID = str(iss["id"])
		m.IssuerName = str(iss["name"])
		m.IssuerURL = safeURL(str(iss["url"]))
	}
	m.ValidFrom = displayTime(str(doc["validFrom"]))
	if m.ValidFrom == "" {
		m.ValidFrom = displayTime(str(doc["issuanceDate"]))
	}
	m.ValidUntil = displayTime(str(doc["validUntil"]))
	if m.ValidUntil == "" {
		m.ValidUntil = displayTime(str(doc["expirationDate"]))
	}
	subj, _ := doc["credentialSubject"].(map[string]any)
	if list, ok := doc["credentialSubject"].([]any); ok && len(list) > 0 {
		subj, _ = list[0].(map[string]any)
	}
	if subj == nil {
		return v
	}
	if ids, ok := subj["identifier"].([]any); ok {
		for _, x := range ids {
			if o, ok := x.(map[string]any); ok && str(o["identityType"]) == "name" && o["hashed"] == false {
				m.RecipientName = str(o["identityHash"])
			}
		}
	}
	if m.RecipientName == "" {
		m.RecipientName = str(subj["name"])
	}
	if a, ok := subj["achievement"].(map[string]any); ok {
		m.AchievementID = str(a["id"])
		m.AchievementName = str(a["name"])
		m.AchievementDescription = str(a["description"])
		if c, ok := a["criteria"].(map[string]any); ok {
			m.Criteria = str(c["narrative"])
		}
	}
	m.Results = resultsOf(subj)
	if ids, ok := subj["identifier"].([]any); ok {
		for _, x := range ids {
			if o, ok := x.(map[string]any); ok && o["hashed"] == false && str(o["identityType"]) != "name" && str(o["identityHash"]) != "" {
				m.Identifiers = append(m.Identifiers, str(o["identityHash"]))
			}
		}
	}
	return v
}

// resultsOf lists the subject's results, naming each by the
// ResultDescription of the achievement it points at ("Result" when none).
func resultsOf(subj map[string]any) []resultView {
	list, _ := subj["result"].([]any)
	if len(list) == 0 {
		return nil
	}
	names := map[string]string{}
	if a, ok := subj["achievement"].(map[string]any); ok {
		rds, _ := a["resultDescription"].([]any)
		for _, x := range rds {
			if rd, ok := x.(map[string]any); ok {
				names[str(rd["id"])] = str(rd["name"])
			}
		}
	}
	var out []resultView
	for _, x := range list {
		o, ok := x.(map[string]any)
		if !ok {
			continue
		}
		r := resultView{Name: names[str(o["resultDescription"])], Value: str(o["value"]), Status: str(o["status"])}
		if r.Name == "" {
			r.Name = "Result"
		}
		if r.Value != "" || r.Status != "" {
			out = append(out, r)
		}
	}
	return out
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// displayTime shows an RFC 3339 time as a date; other text as it is.
func displayTime(s string) string {
	if s == "" {
		return ""
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC().Format("2 January 2006")
	}
	return s
}
