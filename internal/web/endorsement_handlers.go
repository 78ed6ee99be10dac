package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/endorse"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

// endorsementRoutes registers the public endorsement pages and the admin
// page where an organization endorses others and attaches endorsements
// it received.
func (s *server) endorsementRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /endorsements/{file}", s.endorsementPage)
	mux.HandleFunc("GET /admin/orgs/{slug}/endorsements", s.orgRoute(anyRole, s.adminEndorsements))
	mux.HandleFunc("POST /admin/orgs/{slug}/endorsements", s.orgRoute(catalogRoles, s.endorseSubmit))
	mux.HandleFunc("POST /admin/orgs/{slug}/endorsements/attach", s.orgRoute(catalogRoles, s.attachSubmit))
	mux.HandleFunc("POST /admin/orgs/{slug}/endorsements/withdraw", s.orgRoute(catalogRoles, s.withdrawEndorsement))
	mux.HandleFunc("POST /admin/orgs/{slug}/endorsements/detach", s.orgRoute(catalogRoles, s.detachEndorsement))
}

func (s *server) endorser() *endorse.Service {
	return &endorse.Service{Store: s.store, Issuer: s.issuer, Now: s.now}
}

// endorsementsAbout lists the checked endorsements of an achievement and
// of its issuer for a public page. A failure only leaves the list out: the
// page is about something else.
func (s *server) endorsementsAbout(r *http.Request, orgID, achievementID string) []endorse.View {
	views, err := s.endorser().About(r.Context(), orgID, achievementID)
	if err != nil {
		s.log.ErrorContext(r.Context(), "list endorsements", "err", err)
		return nil
	}
	return views
}

// endorsementPageData is the public page of one endorsement.
type endorsementPageData struct {
	E          endorse.View
	Verdict    verdict
	JSONURL    string
	SubjectURL string // this server's page of what is endorsed, "" for an external subject
}

// endorsementPage serves /endorsements/{uuid} (HTML, or the credential to
// a client asking for JSON-LD) and /endorsements/{uuid}.json.
func (s *server) endorsementPage(w http.ResponseWriter, r *http.Request) {
	id, asJSON := strings.CutSuffix(r.PathValue("file"), ".json")
	if !uuidRE.MatchString(id) {
		s.notFound(w, r)
		return
	}
	e, err := s.store.Endorsement(r.Context(), credential.NormalizeID("urn:uuid:"+id))
	if errors.Is(err, store.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, fmt.Errorf("load endorsement: %w", err))
		return
	}
	jwt := !strings.HasPrefix(strings.TrimSpace(e.Document), "{")
	if asJSON {
		if jwt {
			s.notFound(w, r)
			return
		}
		serveBytes(w, r, "application/json", []byte(e.Document), false)
		return
	}
	w.Header().Add("Vary", "Accept")
	switch mt := negotiate(r.Header.Get("Accept"), mediaHTML, mediaVCLDJSON, mediaLDJSON, mediaVCJWT); {
	case mt == mediaVCJWT && jwt:
		serveBytes(w, r, mediaVCJWT, []byte(e.Document), false)
		return
	case (mt == mediaVCLDJSON || mt == mediaLDJSON) && !jwt:
		serveBytes(w, r, mt, []byte(e.Document), false)
		return
	}
	rep, err := s.issuer.Verify(r.Context(), []byte(e.Document))
	if err != nil {
		s.serverError(w, r, fmt.Errorf("verify stored endorsement %s: %w", e.ID, err))
		return
	}
	v := endorse.View{Endorsement: e, UUID: id}
	v.Label, v.Reason = endorse.Judge(rep)
	v.Checks, v.Verdict = rep.Checks, rep.Verdict
	d := endorsementPageData{E: v, Verdict: verdictOf(rep)}
	if !jwt {
		d.JSONURL = "/endorsements/" + id + ".json"
	}
	switch {
	case e.SubjectAchievementID != "":
		d.SubjectURL = "/achievements/" + e.SubjectAchievementID
	case e.SubjectOrgID != "":
		if o, err := s.store.Organization(r.Context(), e.SubjectOrgID); err == nil {
			d.SubjectURL = "/orgs/" + o.Slug
		}
	}
	title := endorsementTitle(e)
	s.renderWith(w, r, http.StatusOK, "endorsement", pageData{Title: title, Data: d,
		Meta: &ogMeta{Title: title, Description: clip(e.Comment, 300), URL: s.base + "/endorsements/" + id, Type: "website"}})
}

// endorsementTitle says who endorses what, in words.
func endorsementTitle(e store.Endorsement) string {
	who, what := e.EndorserName, e.SubjectName
	if who == "" {
		who = e.EndorserID
	}
	if what == "" {
		what = e.SubjectID
	}
	return who + " endorses " + what
}

// endorsementForm is what the endorse form sends back when it is shown
// again with its errors.
type endorsementForm struct {
	Target        string // "achievement", "organization" or "external"
	AchievementID string
	OrgSlug       string
	SubjectID     string
	SubjectKind   string
	Comment       string
	ValidUntil    string
	AttachTo      string
	Document      string
}

// endorsementsPageData is the admin page.
type endorsementsPageData struct {
	Org        store.Organization
	Role       store.Role
	CanEndorse bool
	Given      []endorse.View
	Received   []endorse.View
	// Page is the page of both lists shown (from 1); Prev and Next are
	// the neighbouring pages, 0 when there is none.
	Page, Prev, Next int
	// Others are the achievements of other organizations of this
	// server, Orgs the other organizations, Own this organization's
	// achievements (to attach a received endorsement to).
	Others []store.CatalogEntry
	Orgs   []store.Organization
	Own    []store.CatalogEntry
	OrgIDs map[string]string // organization id → name, for Others
	Form   endorsementForm
}

// endorsementsPerPage is how many given and how many received
// endorsements the admin page lists at once (each is verified).
const endorsementsPerPage = 50

func (s *server) adminEndorsements(w http.ResponseWriter, r *http.Request) {
	s.renderEndorsements(w, r, endorsementForm{Target: "achievement"}, nil)
}

func (s *server) renderEndorsements(w http.ResponseWriter, r *http.Request, f endorsementForm, errs formErrors) {
	oc := currentOrg(r)
	ctx := r.Context()
	d := endorsementsPageData{Org: oc.Org, Role: oc.Role, CanEndorse: oc.Role == store.RoleOwner || oc.Role == store.RoleIssuer, Form: f, OrgIDs: map[string]string{}}
	// Both lists are paged together, endorsementsPerPage of each, newest
	// first; a page number that is not one shows the first page.
	d.Page = 1
	if n, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && n > 1 && n <= 10000 {
		d.Page = n
	}
	page := endorse.Page{Limit: endorsementsPerPage, Offset: (d.Page - 1) * endorsementsPerPage}
	var err error
	if d.Given, err = s.endorser().Given(ctx, oc.Org.ID, page); err != nil {
		s.serverError(w, r, err)
		return
	}
	if d.Received, err = s.endorser().Received(ctx, oc.Org.ID, page); err != nil {
		s.serverError(w, r, err)
		return
	}
	if d.Page > 1 {
		d.Prev = d.Page - 1
	}
	if len(d.Given) == endorsementsPerPage || len(d.Received) == endorsementsPerPage {
		d.Next = d.Page + 1
	}
	orgs, err := s.store.ListOrganizations(ctx)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, o := range orgs {
		d.OrgIDs[o.ID] = o.Name
		if o.ID != oc.Org.ID {
			d.Orgs = append(d.Orgs, o)
		}
	}
	all, err := s.store.SearchAchievements(ctx, issue.Listed(store.AchievementQuery{Limit: 1000}))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, a := range all {
		if a.Achievement.OrgID == oc.Org.ID {
			d.Own = append(d.Own, a)
		} else {
			d.Others = append(d.Others, a)
		}
	}
	status := http.StatusOK
	if errs.Any() {
		status = http.StatusUnprocessableEntity
	}
	s.renderWith(w, r, status, "endorsements", pageData{Title: "Endorsements", Data: d, Errors: errs})
}

// labelled records err's field problems as form errors and reports
// whether err was of that kind. The error summary names each field by its
// label (see forms.js), and each message also shows beside its field;
// rename maps a problem's field to this form's input name where they
// differ.
func labelled(errs *formErrors, err error, rename map[string]string) bool {
	var fe issue.FieldErrors
	if !errors.As(err, &fe) {
		return false
	}
	for _, e := range fe {
		field := e.Field
		if n, ok := rename[field]; ok {
			field = n
		}
		errs.add(field, e.Problem+".")
	}
	return true
}

func (s *server) endorseSubmit(w http.ResponseWriter, r *http.Request) {
	oc := currentOrg(r)
	if !s.parseForm(w, r) {
		return
	}
	f := endorsementForm{
		Target: r.PostFormValue("target"), AchievementID: r.PostFormValue("achievement"), OrgSlug: r.PostFormValue("organization"),
		SubjectID: r.PostFormValue("subject_id"), SubjectKind: r.PostFormValue("subject_kind"),
		Comment: r.PostFormValue("comment"), ValidUntil: r.PostFormValue("valid_until"),
	}
	req := endorse.Request{OrgID: oc.Org.ID, Actor: currentViewer(r).User.ID, Comment: f.Comment}
	// The form offers three ways to name what is endorsed; only the
	// chosen one counts, whatever the other fields still hold. A person
	// who filled in one of the others and left the chosen one empty
	// meant that one.
	filled := map[string]string{"achievement": f.AchievementID, "organization": f.OrgSlug, "external": f.SubjectID}
	if strings.TrimSpace(filled[f.Target]) == "" {
		var only []string
		for k, v := range filled {
			if strings.TrimSpace(v) != "" {
				only = append(only, k)
			}
		}
		if len(only) == 1 {
			f.Target = only[0]
		}
	}
	switch f.Target {
	case "organization":
		req.OrgSlug = f.OrgSlug
	case "external":
		req.SubjectID, req.SubjectKind = f.SubjectID, f.SubjectKind
	default:
		f.Target, req.AchievementID = "achievement", f.AchievementID
	}
	var errs formErrors
	if v := strings.TrimSpace(f.ValidUntil); v != "" {
		t, err := time.Parse("2006-01-02", v)
		if err != nil {
			errs.add(endorse.FieldValidUntil, "give a date such as 2027-06-30.")
		} else {
			req.ValidUntil = t.Add(24*time.Hour - time.Second)
		}
	}
	if !errs.Any() {
		e, err := s.endorser().Issue(r.Context(), req)
		switch {
		case labelled(&errs, err, nil):
		case err != nil:
			s.serverError(w, r, err)
			return
		default:
			s.setFlash(w, "Endorsement issued: "+endorsementTitle(e)+".")
			http.Redirect(w, r, "/admin/orgs/"+oc.Org.Slug+"/endorsements", http.StatusSeeOther)
			return
		}
	}
	s.renderEndorsements(w, r, f, errs)
}

func (s *server) attachSubmit(w http.ResponseWriter, r *http.Request) {
	oc := currentOrg(r)
	if !s.parseForm(w, r) {
		return
	}
	f := endorsementForm{Target: "achievement", AttachTo: r.PostFormValue("attach_to"), Document: r.PostFormValue("document")}
	doc := []byte(f.Document)
	if r.MultipartForm != nil {
		if file, _, err := r.FormFile("file"); err == nil {
			b, err := io.ReadAll(io.LimitReader(file, endorse.MaxDocumentLen+1))
			file.Close()
			if err != nil {
				s.serverError(w, r, fmt.Errorf("read upload: %w", err))
				return
			}
			if strings.TrimSpace(f.Document) == "" {
				doc = b
			}
		}
	}
	achievementID := f.AttachTo
	if achievementID == "profile" {
		achievementID = ""
	}
	var errs formErrors
	e, _, err := s.endorser().Attach(r.Context(), endorse.AttachRequest{OrgID: oc.Org.ID, Actor: currentViewer(r).User.ID,
		AchievementID: achievementID, Document: doc, AcceptUnchecked: r.PostFormValue("accept_unchecked") == "1"})
	switch {
	case labelled(&errs, err, map[string]string{endorse.FieldAchievement: "attach_to"}):
		s.renderEndorsements(w, r, f, errs)
	case err != nil:
		s.serverError(w, r, err)
	default:
		s.setFlash(w, "Endorsement attached: "+endorsementTitle(e)+".")
		http.Redirect(w, r, "/admin/orgs/"+oc.Org.Slug+"/endorsements", http.StatusSeeOther)
	}
}

func (s *server) withdrawEndorsement(w http.ResponseWriter, r *http.Request) {
	oc := currentOrg(r)
	if !s.parseForm(w, r) {
		return
	}
	err := s.endorser().Withdraw(r.Context(), oc.Org.ID, r.PostFormValue("id"), r.PostFormValue("reason"), currentViewer(r).User.ID)
	var errs formErrors
	switch {
	case errors.Is(err, endorse.ErrNotFound):
		s.notFound(w, r)
		return
	case errors.Is(err, endorse.ErrAlreadyWithdrawn):
		s.setFlash(w, "That endorsement was already withdrawn.")
	case labelled(&errs, err, nil):
		s.setFlash(w, "Not withdrawn: the reason "+errs[0].Message)
	case err != nil:
		s.serverError(w, r, err)
		return
	default:
		s.setFlash(w, "Endorsement withdrawn. Its page and every verifier now show it as withdrawn.")
	}
	http.Redirect(w, r, "/admin/orgs/"+oc.Org.Slug+"/endorsements", http.StatusSeeOther)
}

func (s *server) detachEndorsement(w http.ResponseWriter, r *http.Request) {
	oc := currentOrg(r)
	if !s.parseForm(w, r) {
		return
	}
	err := s.endorser().Detach(r.Context(), oc.Org.ID, r.PostFormValue("id"), currentViewer(r).User.ID)
	switch {
	case errors.Is(err, endorse.ErrNotFound):
		s.notFound(w, r)
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	s.setFlash(w, "Endorsement removed from your pages.")
	http.Redirect(w, r, "/admin/orgs/"+oc.Org.Slug+"/endorsements", http.StatusSeeOther)
}

// nameEndorsed adds, for an endorsement, the name of what it endorses
// when this server knows the endorsed id (its achievement or organization,
// or a subject endorsed here before), so that the verify page reads "X
// endorses Statistics for Data Science (https://…)" rather than an address
// alone. Only the name of the id is looked up: what the endorsement says
// stays what the pasted document says.
func (s *server) nameEndorsed(r *http.Request, vd *verdict, doc map[string]any) {
	if doc == nil || len(vd.Meaning.Lines) == 0 {
		return
	}
	info := endorse.Read(doc)
	suffix := " endorses " + info.SubjectID
	if info.SubjectID == "" || !strings.HasSuffix(vd.Meaning.Lines[0], suffix) {
		return
	}
	known, err := s.store.ListEndorsements(r.Context(), store.EndorsementQuery{SubjectIDs: []string{info.SubjectID}, Limit: 5})
	if err != nil {
		return
	}
	for _, e := range known {
		if e.SubjectName != "" {
			line := vd.Meaning.Lines[0]
			vd.Meaning.Lines[0] = strings.TrimSuffix(line, info.SubjectID) + e.SubjectName + " (" + info.SubjectID + ")"
			return
		}
	}
}
