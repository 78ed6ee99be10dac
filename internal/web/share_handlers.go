package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/microcred/microcred/internal/analytics"
	"github.com/microcred/microcred/internal/store"
)

// shareBlock says why a credential may not be shared now ("" when it may):
// a private, revoked, suspended or expired credential is not offered for a
// profile or a message, since what a reader would find is not a valid
// credential.
func (s *server) shareBlock(r *http.Request, c store.Credential) string {
	if c.Private {
		return "private"
	}
	if c.ValidUntil != nil && c.ValidUntil.Before(time.Now()) {
		return "expired"
	}
	if st, err := s.statusOf(r, c.ID); err == nil && st != nil && (st.Label == "revoked" || st.Label == "suspended") {
		return st.Label
	}
	return ""
}

// shareCredential loads the credential {uuid} for a share route, answering
// 404 when it is absent or private and 410 when it may not be shared.
func (s *server) shareCredential(w http.ResponseWriter, r *http.Request) (store.Credential, bool) {
	id := r.PathValue("uuid")
	if !uuidRE.MatchString(id) {
		s.notFound(w, r)
		return store.Credential{}, false
	}
	c, err := s.store.Credential(r.Context(), "urn:uuid:"+id)
	if err != nil || c.Private {
		s.notFound(w, r)
		return store.Credential{}, false
	}
	if why := s.shareBlock(r, c); why != "" {
		http.Error(w, "This credential is "+why+" and cannot be shared.", http.StatusGone)
		return store.Credential{}, false
	}
	return c, true
}

// mailtoURL prepares a message that shares the credential: the
// achievement, the issuer and the address where anyone can check it.
func mailtoURL(achievement, org, pageURL string) string {
	q := url.Values{}
	q.Set("subject", "My credential: "+achievement)
	q.Set("body", fmt.Sprintf("Hello,\n\nI have earned \"%s\" from %s. You can see and check the credential here:\n%s\n\nThe page shows whether it is valid, verified by the issuer's signature.\n", achievement, org, pageURL))
	// mailto wants %20 for spaces, not "+".
	return "mailto:?" + urlQueryEscapeSpaces(q.Encode())
}

func urlQueryEscapeSpaces(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '+' {
			out = append(out, "%20"...)
		} else {
			out = append(out, s[i])
		}
	}
	return string(out)
}

// shareEmail serves /c/{uuid}/share/email: records the share and opens the
// visitor's mail program with a prepared message.
func (s *server) shareEmail(w http.ResponseWriter, r *http.Request) {
	c, ok := s.shareCredential(w, r)
	if !ok {
		return
	}
	org, err := s.store.Organization(r.Context(), c.OrgID)
	if err != nil {
		s.serverError(w, r, fmt.Errorf("load organization: %w", err))
		return
	}
	name := c.AchievementID
	if a, _, err := s.issuer.Achievement(r.Context(), c.AchievementID, c.AchievementVersion); err == nil {
		name = a.Name
	}
	s.recordEvent(r, credentialEvent(c, analytics.Shared, "email"))
	http.Redirect(w, r, mailtoURL(name, org.Name, s.base+"/c/"+r.PathValue("uuid")), http.StatusSeeOther)
}

// embedData is the embeddable card.
type embedData struct {
	Name, OrgName, Learner, Status, StatusClass, PageURL string
	Image                                                string
}

// credentialEmbed serves /c/{uuid}/embed: a small card another site can
// show in an iframe — badge, name, issuer and live status — with no
// script and nothing loaded from anywhere else.
func (s *server) credentialEmbed(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("uuid")
	if !uuidRE.MatchString(id) {
		s.notFound(w, r)
		return
	}
	c, err := s.store.Credential(r.Context(), "urn:uuid:"+id)
	if err != nil || c.Private {
		s.notFound(w, r)
		return
	}
	org, err := s.store.Organization(r.Context(), c.OrgID)
	if err != nil {
		s.serverError(w, r, fmt.Errorf("load organization: %w", err))
		return
	}
	d := embedData{OrgName: org.Name, Learner: c.RecipientName, PageURL: s.base + "/c/" + id, Status: "Valid", StatusClass: "ok"}
	if a, _, err := s.issuer.Achievement(r.Context(), c.AchievementID, c.AchievementVersion); err == nil {
		d.Name = a.Name
		if a.Image != nil && imageSrc(a.Image.ID) != "" {
			d.Image = a.Image.ID
		}
	}
	switch why := s.shareBlock(r, c); why {
	case "":
	case "expired":
		d.Status, d.StatusClass = "Expired", "fail"
	default:
		d.Status, d.StatusClass = upperFirstASCII(why), "fail"
	}
	h := w.Header()
	// Another site may frame this card, and only this card.
	h.Del("X-Frame-Options")
	h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'")
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("Content-Type", "text/html; charset=utf-8")
	s.recordEvent(r, credentialEvent(c, analytics.Shared, "embed"))
	if err := embedTemplate.Execute(w, d); err != nil {
		s.log.Error("render embed", "err", err)
	}
}

func upperFirstASCII(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// embedTemplate is the card: a whole small document, styled inline, whose
// links open the credential page outside the frame.
var embedTemplate = template.Must(template.New("embed").Funcs(template.FuncMap{"imageSrc": imageSrc}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Name}} · {{.OrgName}}</title>
<style>
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430}
a.card{display:flex;gap:12px;align-items:center;padding:10px 12px;border:1px solid #d8dde5;border-radius:8px;text-decoration:none;color:inherit;max-width:420px;box-sizing:border-box}
img{width:72px;height:72px;object-fit:contain;flex:none}
h1{font-weight:700;font-size:16px;margin:0 0 2px}
.meta{font-size:13px;color:#5b6472;margin:0}
.status{display:inline-block;font-size:12px;font-weight:700;border-radius:4px;padding:1px 6px;margin-top:4px}
.ok{background:#e7f6ec;color:#17723b}.fail{background:#fbeae8;color:#a3261b}
</style></head>
<body><main><a class="card" href="{{.PageURL}}" target="_blank" rel="noopener">
{{with imageSrc .Image}}<img src="{{.}}" alt="">{{end}}
<span><h1>{{.Name}}</h1><p class="meta">{{with .Learner}}{{.}} · {{end}}Issued by {{.OrgName}}</p>
<span class="status {{.StatusClass}}">{{.Status}}</span></span></a></main></body></html>
`))
