package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/microcred/microcred/internal/analytics"
	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/evidence"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

// reviewRoles may work the review queue and open applicants' files.
var reviewRoles = []store.Role{store.RoleOwner, store.RoleIssuer, store.RoleReviewer}

const (
	maxStatementLen = 20000
	maxLinks        = 20
)

// loadRequirement returns the evidence requirement of an achievement, and
// false when it has none.
func (s *server) loadRequirement(r *http.Request, achievementID string) (evidence.Requirement, bool, error) {
	row, err := s.store.EvidenceRequirement(r.Context(), achievementID)
	if errors.Is(err, store.ErrNotFound) {
		return evidence.Requirement{}, false, nil
	}
	if err != nil {
		return evidence.Requirement{}, false, fmt.Errorf("load evidence requirement: %w", err)
	}
	var q evidence.Requirement
	if err := json.Unmarshal(row.Document, &q); err != nil {
		return evidence.Requirement{}, false, fmt.Errorf("decode evidence requirement: %w", err)
	}
	return q, true, nil
}

// ---- the requirement form (catalog editors) ---------------------------------

type requirementData struct {
	Org                        store.Organization
	Role                       store.Role
	AchievementID, Achievement string
	Enabled                    bool
	Instructions, Rubric       string
	PassPoints, MaxFiles       string
	Max                        int
}

func (s *server) requirementForm(w http.ResponseWriter, r *http.Request) {
	oc := currentOrg(r)
	a, ok := s.orgAchievement(w, r)
	if !ok {
		return
	}
	q, enabled, err := s.loadRequirement(r, r.PathValue("id"))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := requirementData{Org: oc.Org, Role: oc.Role, AchievementID: r.PathValue("id"), Achievement: a.Name, Enabled: enabled, MaxFiles: "5",
		PassPoints: "0", Rubric: "Quality of the work: Missing = 0; Partial = 2; Complete = 4\nExplanation: Unclear = 0; Clear = 2\n"}
	if enabled {
		d.Instructions, d.Rubric = q.Instructions, evidence.FormatRubric(q.Rubric)
		d.PassPoints, d.MaxFiles, d.Max = strconv.Itoa(q.Rubric.PassPoints), strconv.Itoa(q.MaxFiles), q.Rubric.MaxPoints()
	}
	s.render(w, r, http.StatusOK, "evidence_requirement", "Evidence and review: "+a.Name, d)
}

func (s *server) requirementSubmit(w http.ResponseWriter, r *http.Request) {
	oc := currentOrg(r)
	a, ok := s.orgAchievement(w, r)
	if !ok {
		return
	}
	id := r.PathValue("id")
	d := requirementData{Org: oc.Org, Role: oc.Role, AchievementID: id, Achievement: a.Name, Enabled: r.PostFormValue("enabled") == "1",
		Instructions: strings.TrimSpace(r.PostFormValue("instructions")), Rubric: r.PostFormValue("rubric"),
		PassPoints: strings.TrimSpace(r.PostFormValue("passPoints")), MaxFiles: strings.TrimSpace(r.PostFormValue("maxFiles"))}
	actor := currentViewer(r).User.ID
	if !d.Enabled {
		err := s.store.WithTx(r.Context(), func(tx store.Store) error {
			if err := tx.DeleteEvidenceRequirement(r.Context(), id); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			return appendAudit(r, tx, oc.Org.ID, actor, "evidence.requirement.remove", id, nil)
		})
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		s.setFlash(w, "Learners no longer apply with evidence for "+a.Name+".")
		seeOther(w, r, "/admin/orgs/"+oc.Org.Slug+"/achievements")
		return
	}
	var errs formErrors
	pass, perr := strconv.Atoi(d.PassPoints)
	if perr != nil {
		errs.add("passPoints", "Enter the points needed to pass as a whole number.")
	}
	maxFiles, merr := strconv.Atoi(d.MaxFiles)
	if merr != nil {
		errs.add("maxFiles", "Enter how many files a learner may upload as a whole number.")
	}
	rubric, err := evidence.ParseRubric(d.Rubric, pass)
	addEvidenceErrors(&errs, err)
	q := evidence.Requirement{AchievementID: id, OrgID: oc.Org.ID, Instructions: d.Instructions, Rubric: rubric, MaxFiles: maxFiles}
	if !errs.Any() {
		addEvidenceErrors(&errs, q.Validate())
	}
	if errs.Any() {
		s.renderForm(w, r, "evidence_requirement", "Evidence and review: "+a.Name, d, errs)
		return
	}
	doc, err := json.Marshal(q)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	err = s.store.WithTx(r.Context(), func(tx store.Store) error {
		if err := tx.PutEvidenceRequirement(r.Context(), store.EvidenceRequirement{AchievementID: id, OrgID: oc.Org.ID, Document: doc}); err != nil {
			return err
		}
		return appendAudit(r, tx, oc.Org.ID, actor, "evidence.requirement.save", id, map[string]any{"criteria": len(rubric.Criteria), "passPoints": pass})
	})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.setFlash(w, "Saved. Learners can now apply for "+a.Name+" with evidence from its public page.")
	seeOther(w, r, "/admin/orgs/"+oc.Org.Slug+"/achievements/"+id+"/evidence")
}

func addEvidenceErrors(errs *formErrors, err error) {
	var fe evidence.FieldErrors
	if errors.As(err, &fe) {
		for _, e := range fe {
			errs.add(e.Field, e.Problem)
		}
	} else if err != nil {
		errs.add("", err.Error())
	}
}

// ---- learners: apply, write, upload, submit ---------------------------------

type applicationData struct {
	App         store.Application
	State       evidence.State
	Achievement *catalog.Achievement
	Org         store.Organization
	Req         evidence.Requirement
	Files       []store.ApplicationFile
	Reviews     []reviewRow
	Links       string
	Editable    bool
	// Reviewer is set on the reviewer's page.
	Reviewer  bool
	OrgRole   store.Role
	Learner   store.User
	Age       string
	CredURL   string
	CanDecide bool
}

type reviewRow struct {
	store.Review
	Who    string
	Action string
}

// apply starts an application, or reopens the learner's open one.
func (s *server) apply(w http.ResponseWriter, r *http.Request) {
	v := currentViewer(r)
	achID := r.PathValue("id")
	a, entry, err := s.issuer.Achievement(r.Context(), achID, 0)
	if err != nil {
		s.notFound(w, r)
		return
	}
	if _, ok, err := s.loadRequirement(r, achID); err != nil {
		s.serverError(w, r, err)
		return
	} else if !ok {
		s.renderError(w, r, http.StatusConflict, a.Name+" is not awarded on evidence: there is nothing to apply for.")
		return
	}
	open, err := s.store.ListApplications(r.Context(), store.ApplicationQuery{LearnerID: v.User.ID, AchievementID: achID})
	if err != nil {
		s.serverError(w, r, fmt.Errorf("list applications: %w", err))
		return
	}
	for _, app := range open {
		if st := evidence.State(app.State); st != evidence.Rejected && st != evidence.Approved {
			seeOther(w, r, "/applications/"+app.ID)
			return
		}
	}
	var app store.Application
	err = s.store.WithTx(r.Context(), func(tx store.Store) error {
		var err error
		app, err = tx.CreateApplication(r.Context(), store.Application{OrgID: entry.Achievement.OrgID, AchievementID: achID, LearnerID: v.User.ID, State: string(evidence.Draft)})
		if err != nil {
			return err
		}
		return appendAudit(r, tx, entry.Achievement.OrgID, v.User.ID, "application.start", app.ID, map[string]any{"achievement": achID})
	})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.setFlash(w, "Your application is started. Add your evidence, then submit it for review.")
	seeOther(w, r, "/applications/"+app.ID)
}

func (s *server) myApplications(w http.ResponseWriter, r *http.Request) {
	list, err := s.store.ListApplications(r.Context(), store.ApplicationQuery{LearnerID: currentViewer(r).User.ID})
	if err != nil {
		s.serverError(w, r, fmt.Errorf("list applications: %w", err))
		return
	}
	rows := make([]map[string]any, 0, len(list))
	for _, app := range list {
		name := app.AchievementID
		if a, _, err := s.issuer.Achievement(r.Context(), app.AchievementID, 0); err == nil {
			name = a.Name
		}
		rows = append(rows, map[string]any{"App": app, "Name": name, "State": evidence.State(app.State)})
	}
	s.render(w, r, http.StatusOK, "applications", "Your applications", map[string]any{"Rows": rows})
}

// loadApplication loads the application in the path with what its pages
// show. The learner who owns it may see it; reviewers see it through the
// admin route, which checks their role.
func (s *server) loadApplication(w http.ResponseWriter, r *http.Request, id string) (applicationData, bool) {
	app, err := s.store.Application(r.Context(), id)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			s.notFound(w, r)
		} else {
			s.serverError(w, r, fmt.Errorf("load application: %w", err))
		}
		return applicationData{}, false
	}
	d := applicationData{App: app, State: evidence.State(app.State), Links: strings.Join(app.Links, "\n")}
	d.Editable = d.State.Editable()
	fail := func(err error) (applicationData, bool) {
		s.serverError(w, r, err)
		return applicationData{}, false
	}
	if d.Achievement, _, err = s.issuer.Achievement(r.Context(), app.AchievementID, 0); err != nil {
		return fail(fmt.Errorf("load achievement: %w", err))
	}
	if d.Org, err = s.store.Organization(r.Context(), app.OrgID); err != nil {
		return fail(fmt.Errorf("load organization: %w", err))
	}
	if q, ok, err := s.loadRequirement(r, app.AchievementID); err != nil {
		return fail(err)
	} else if ok {
		d.Req = q
	}
	if d.Files, err = s.store.ApplicationFiles(r.Context(), app.ID); err != nil {
		return fail(fmt.Errorf("list files: %w", err))
	}
	revs, err := s.store.ListReviews(r.Context(), app.ID)
	if err != nil {
		return fail(fmt.Errorf("list reviews: %w", err))
	}
	names := map[string]string{}
	for _, rv := range revs {
		if _, ok := names[rv.ReviewerID]; !ok {
			names[rv.ReviewerID] = "Reviewer"
			if u, err := s.store.User(r.Context(), rv.ReviewerID); err == nil && u.Name != "" {
				names[rv.ReviewerID] = u.Name
			}
		}
		d.Reviews = append(d.Reviews, reviewRow{Review: rv, Who: names[rv.ReviewerID], Action: actionLabel(rv.Action)})
	}
	if app.CredentialID != "" {
		d.CredURL = "/c/" + s.issuer.CredentialUUID(app.CredentialID)
	}
	return d, true
}

func actionLabel(a string) string {
	switch evidence.Action(a) {
	case evidence.Approve:
		return "Approved"
	case evidence.Reject:
		return "Not approved"
	case evidence.RequestChanges:
		return "Asked for changes"
	}
	if a == "assign" {
		return "Took the application for review"
	}
	return "Commented"
}

// ownApplication loads an application of the signed-in learner.
func (s *server) ownApplication(w http.ResponseWriter, r *http.Request) (applicationData, bool) {
	d, ok := s.loadApplication(w, r, r.PathValue("id"))
	if ok && d.App.LearnerID != currentViewer(r).User.ID {
		s.notFound(w, r)
		return applicationData{}, false
	}
	return d, ok
}

func (s *server) applicationPage(w http.ResponseWriter, r *http.Request) {
	if d, ok := s.ownApplication(w, r); ok {
		s.render(w, r, http.StatusOK, "application", "Application: "+d.Achievement.Name, d)
	}
}

// readLinks reads one URL per line.
func readLinks(text string, errs *formErrors) []string {
	var links []string
	for i, l := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		u, err := url.Parse(l)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(l) > 2000 {
			errs.add("links", fmt.Sprintf("Line %d is not a web address (https://...).", i+1))
			continue
		}
		links = append(links, l)
	}
	if len(links) > maxLinks {
		errs.add("links", fmt.Sprintf("Give at most %d links.", maxLinks))
	}
	return links
}

func (s *server) saveApplication(w http.ResponseWriter, r *http.Request) {
	d, ok := s.ownApplication(w, r)
	if !ok {
		return
	}
	if !d.Editable {
		s.renderError(w, r, http.StatusConflict, "This application is "+strings.ToLower(d.State.Label())+": it cannot be changed now.")
		return
	}
	var errs formErrors
	statement := strings.TrimSpace(r.PostFormValue("statement"))
	if utf8.RuneCountInString(statement) > maxStatementLen {
		errs.add("statement", fmt.Sprintf("Keep the statement to at most %d characters.", maxStatementLen))
	}
	links := readLinks(r.PostFormValue("links"), &errs)
	if errs.Any() {
		d.App.Statement, d.Links = statement, r.PostFormValue("links")
		s.renderForm(w, r, "application", "Application: "+d.Achievement.Name, d, errs)
		return
	}
	d.App.Statement, d.App.Links = statement, links
	if err := s.store.UpdateApplication(r.Context(), d.App, d.App.State); err != nil {
		s.applicationConflict(w, r, err)
		return
	}
	if r.PostFormValue("then") == "submit" {
		s.submitApplication(w, r)
		return
	}
	s.setFlash(w, "Saved.")
	seeOther(w, r, "/applications/"+d.App.ID)
}

func (s *server) applicationConflict(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, store.ErrConflict) {
		s.renderError(w, r, http.StatusConflict, "The application changed in the meantime (a reviewer may have decided). Reload the page to see where it stands.")
		return
	}
	s.serverError(w, r, err)
}

func (s *server) uploadEvidence(w http.ResponseWriter, r *http.Request) {
	// The body is capped by limitBody and usually already parsed by the
	// CSRF check; parsing again is then a no-op.
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			s.renderError(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("The file is too large: at most %d MB are accepted. Nothing was saved.", evidence.MaxFileBytes>>20))
			return
		}
		s.renderError(w, r, http.StatusBadRequest, "The upload could not be read. Nothing was saved.")
		return
	}
	defer func() { _ = r.MultipartForm.RemoveAll() }()
	d, ok := s.ownApplication(w, r)
	if !ok {
		return
	}
	var errs formErrors
	switch {
	case !d.Editable:
		s.renderError(w, r, http.StatusConflict, "This application is "+strings.ToLower(d.State.Label())+": files cannot be added now.")
		return
	case len(d.Files) >= d.Req.MaxFiles:
		errs.add("file", fmt.Sprintf("You have uploaded the %d files allowed; remove one to add another.", d.Req.MaxFiles))
	}
	file, hdr, err := r.FormFile("file")
	if err != nil && !errs.Any() {
		errs.add("file", "Choose a file to upload.")
	}
	var data []byte
	var name, mediaType string
	if err == nil {
		defer file.Close()
		data, err = io.ReadAll(io.LimitReader(file, evidence.MaxFileBytes+1))
		if err != nil {
			s.serverError(w, r, fmt.Errorf("read upload: %w", err))
			return
		}
		if !errs.Any() {
			if name, mediaType, err = evidence.CheckFile(hdr.Filename, data); err != nil {
				errs.add("file", strings.ToUpper(err.Error()[:1])+err.Error()[1:]+". Nothing was saved.")
			}
		}
	}
	if errs.Any() {
		s.renderForm(w, r, "application", "Application: "+d.Achievement.Name, d, errs)
		return
	}
	if _, err := s.store.AddApplicationFile(r.Context(), store.ApplicationFile{ApplicationID: d.App.ID, Name: name, MediaType: mediaType}, data); err != nil {
		s.serverError(w, r, fmt.Errorf("store file: %w", err))
		return
	}
	s.setFlash(w, name+" was added.")
	seeOther(w, r, "/applications/"+d.App.ID)
}

func (s *server) deleteEvidence(w http.ResponseWriter, r *http.Request) {
	d, ok := s.ownApplication(w, r)
	if !ok {
		return
	}
	if !d.Editable {
		s.renderError(w, r, http.StatusConflict, "Files cannot be removed from a submitted application.")
		return
	}
	if err := s.store.DeleteApplicationFile(r.Context(), d.App.ID, r.PathValue("fileID")); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			s.notFound(w, r)
			return
		}
		s.serverError(w, r, err)
		return
	}
	s.setFlash(w, "The file was removed.")
	seeOther(w, r, "/applications/"+d.App.ID)
}

func (s *server) submitApplication(w http.ResponseWriter, r *http.Request) {
	d, ok := s.ownApplication(w, r)
	if !ok {
		return
	}
	var errs formErrors
	if d.App.Statement == "" && len(d.App.Links) == 0 && len(d.Files) == 0 {
		errs.add("statement", "Add your evidence first: a statement, a link or a file.")
	}
	next, err := evidence.Next(d.State, evidence.Submit)
	if err != nil {
		s.renderError(w, r, http.StatusConflict, "This application is "+strings.ToLower(d.State.Label())+": it cannot be submitted again.")
		return
	}
	if errs.Any() {
		s.renderForm(w, r, "application", "Application: "+d.Achievement.Name, d, errs)
		return
	}
	from := d.App.State
	now := s.now()
	d.App.State, d.App.SubmittedAt = string(next), &now
	v := currentViewer(r)
	err = s.store.WithTx(r.Context(), func(tx store.Store) error {
		if err := tx.UpdateApplication(r.Context(), d.App, from); err != nil {
			return err
		}
		if _, err := tx.EnqueueMail(r.Context(), s.applicationMail(v.User, d, "We received your application",
			"Your evidence for %q was submitted to %s. A reviewer will assess it against the published rubric; we write to you when they decide.")); err != nil {
			return err
		}
		return appendAudit(r, tx, d.App.OrgID, v.User.ID, "application.submit", d.App.ID, nil)
	})
	if err != nil {
		s.applicationConflict(w, r, err)
		return
	}
	s.recordEvent(r, store.Event{OrgID: d.App.OrgID, AchievementID: d.App.AchievementID, Kind: analytics.EvidenceSubmitted})
	s.setFlash(w, "Submitted. We mail you when a reviewer decides.")
	seeOther(w, r, "/applications/"+d.App.ID)
}

// applicationMail is a message to the applicant; format takes the
// achievement's and the organization's names.
func (s *server) applicationMail(learner store.User, d applicationData, subject, format string, extra ...string) store.Mail {
	greeting := "Hello,"
	if learner.Name != "" {
		greeting = "Hello " + learner.Name + ","
	}
	body := greeting + "\n\n" + fmt.Sprintf(format, d.Achievement.Name, d.Org.Name) + "\n\n"
	for _, e := range extra {
		if e != "" {
			body += e + "\n\n"
		}
	}
	body += "Your application: " + s.base + "/applications/" + d.App.ID + "\n"
	return store.Mail{To: learner.Email, Subject: subject + ": " + d.Achievement.Name, Body: body}
}

// evidenceFile serves an uploaded file to its learner or to the
// organization's reviewers, as a download that no browser renders inline.
func (s *server) evidenceFile(w http.ResponseWriter, r *http.Request) {
	v := currentViewer(r)
	app, err := s.store.Application(r.Context(), r.PathValue("id"))
	if err != nil || (app.LearnerID != v.User.ID && !slices.Contains(reviewRoles, v.role(app.OrgID))) {
		s.notFound(w, r)
		return
	}
	f, data, err := s.store.ApplicationFileData(r.Context(), app.ID, r.PathValue("fileID"))
	if err != nil {
		s.notFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.MediaType)
	h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(f.Name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Cache-Control", "private, no-store")
	_, _ = w.Write(data)
}

// ---- reviewers --------------------------------------------------------------

func (s *server) reviewQueue(w http.ResponseWriter, r *http.Request) {
	oc := currentOrg(r)
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = string(evidence.Submitted)
	}
	if state == "all" {
		state = ""
	}
	query := store.ApplicationQuery{OrgID: oc.Org.ID, State: state, AchievementID: q.Get("achievement"), Limit: 200}
	if q.Get("mine") == "1" {
		query.AssignedTo = currentViewer(r).User.ID
	}
	list, err := s.store.ListApplications(r.Context(), query)
	if err != nil {
		s.serverError(w, r, fmt.Errorf("list applications: %w", err))
		return
	}
	now := s.now()
	rows := make([]map[string]any, 0, len(list))
	for _, app := range list {
		row := map[string]any{"App": app, "State": evidence.State(app.State), "Name": app.AchievementID, "Learner": "", "Age": "", "Assignee": ""}
		if a, _, err := s.issuer.Achievement(r.Context(), app.AchievementID, 0); err == nil {
			row["Name"] = a.Name
		}
		if u, err := s.store.User(r.Context(), app.LearnerID); err == nil {
			row["Learner"] = u.Name + " (" + u.Email + ")"
		}
		if app.AssignedTo != "" {
			if u, err := s.store.User(r.Context(), app.AssignedTo); err == nil {
				row["Assignee"] = u.Name
			}
		}
		if app.SubmittedAt != nil {
			row["Age"] = ageText(now.Sub(*app.SubmittedAt))
		}
		rows = append(rows, row)
	}
	s.render(w, r, http.StatusOK, "reviews", "Review queue", map[string]any{
		"Org": oc.Org, "Role": oc.Role, "Rows": rows, "State": q.Get("state"), "Mine": q.Get("mine") == "1",
		"States": []evidence.State{evidence.Submitted, evidence.ChangesRequested, evidence.Draft, evidence.Approved, evidence.Rejected},
	})
}

// ageText says how long ago, in the largest whole unit.
func ageText(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h", int(d.Hours()))
	}
	return fmt.Sprintf("%d days", int(d.Hours()/24))
}

// orgApplication loads an application of the organization in the path.
func (s *server) orgApplication(w http.ResponseWriter, r *http.Request) (applicationData, bool) {
	oc := currentOrg(r)
	d, ok := s.loadApplication(w, r, r.PathValue("id"))
	if !ok {
		return d, false
	}
	if d.App.OrgID != oc.Org.ID {
		s.notFound(w, r)
		return applicationData{}, false
	}
	u, err := s.store.User(r.Context(), d.App.LearnerID)
	if err != nil {
		s.serverError(w, r, fmt.Errorf("load learner: %w", err))
		return applicationData{}, false
	}
	d.Learner, d.Reviewer, d.OrgRole = u, true, oc.Role
	d.CanDecide = d.State == evidence.Submitted
	if d.App.SubmittedAt != nil {
		d.Age = ageText(s.now().Sub(*d.App.SubmittedAt))
	}
	return d, true
}

func (s *server) reviewPage(w http.ResponseWriter, r *http.Request) {
	if d, ok := s.orgApplication(w, r); ok {
		s.render(w, r, http.StatusOK, "review", "Review: "+d.Achievement.Name, d)
	}
}

func (s *server) assignReview(w http.ResponseWriter, r *http.Request) {
	d, ok := s.orgApplication(w, r)
	if !ok {
		return
	}
	v := currentViewer(r)
	d.App.AssignedTo = v.User.ID
	err := s.store.WithTx(r.Context(), func(tx store.Store) error {
		if err := tx.UpdateApplication(r.Context(), d.App, d.App.State); err != nil {
			return err
		}
		if _, err := tx.AddReview(r.Context(), store.Review{ApplicationID: d.App.ID, ReviewerID: v.User.ID, Action: "assign"}); err != nil {
			return err
		}
		return appendAudit(r, tx, d.App.OrgID, v.User.ID, "application.assign", d.App.ID, nil)
	})
	if err != nil {
		s.applicationConflict(w, r, err)
		return
	}
	s.setFlash(w, "The application is assigned to you.")
	seeOther(w, r, "/admin/orgs/"+d.Org.Slug+"/reviews/"+d.App.ID)
}

// decide records a reviewer's decision. Approval needs a score on every
// criterion that reaches the pass mark and issues the credential with the
// submission as evidence and the scores as results; asking for changes or
// rejecting needs a comment for the learner.
func (s *server) decide(w http.ResponseWriter, r *http.Request) {
	d, ok := s.orgApplication(w, r)
	if !ok {
		return
	}
	v := currentViewer(r)
	action := evidence.Action(r.PostFormValue("action"))
	comment := strings.TrimSpace(r.PostFormValue("comment"))
	var errs formErrors
	if action != evidence.Approve && action != evidence.Reject && action != evidence.RequestChanges {
		errs.add("action", "Choose approve, ask for changes or reject.")
	}
	if action != evidence.Approve && comment == "" {
		errs.add("comment", "Tell the learner why, in a comment.")
	}
	if utf8.RuneCountInString(comment) > maxStatementLen {
		errs.add("comment", fmt.Sprintf("Keep the comment to at most %d characters.", maxStatementLen))
	}
	score := evidence.Score{}
	for _, c := range d.Req.Rubric.Criteria {
		if v := r.PostFormValue("score." + c.ID); v != "" {
			if i, err := strconv.Atoi(v); err == nil {
				score[c.ID] = i
			}
		}
	}
	var scored evidence.Scored
	if action == evidence.Approve || len(score) > 0 {
		var err error
		scored, err = d.Req.Rubric.Apply(score)
		addEvidenceErrors(&errs, err)
		if err == nil && action == evidence.Approve && !scored.Passed {
			errs.add("score", fmt.Sprintf("The scores add up to %d points; approval needs at least %d.", scored.Points, d.Req.Rubric.PassPoints))
		}
	}
	next, terr := evidence.Next(d.State, action)
	if terr != nil && !errs.Any() {
		s.renderError(w, r, http.StatusConflict, "This application is "+strings.ToLower(d.State.Label())+": it cannot be decided now.")
		return
	}
	if errs.Any() {
		s.renderForm(w, r, "review", "Review: "+d.Achievement.Name, d, errs)
		return
	}
	scores, _ := json.Marshal(score)
	var points *int
	if len(score) > 0 {
		points = &scored.Points
	}
	from := d.App.State
	d.App.State, d.App.AssignedTo = string(next), v.User.ID
	// The decision commits first: a second reviewer deciding at the same
	// time fails on the state, so the credential is issued once.
	err := s.store.WithTx(r.Context(), func(tx store.Store) error {
		if err := tx.UpdateApplication(r.Context(), d.App, from); err != nil {
			return err
		}
		if _, err := tx.AddReview(r.Context(), store.Review{ApplicationID: d.App.ID, ReviewerID: v.User.ID, Action: string(action), Comment: comment, Scores: scores, Points: points}); err != nil {
			return err
		}
		switch action {
		case evidence.RequestChanges:
			if _, err := tx.EnqueueMail(r.Context(), s.applicationMail(d.Learner, d, "Changes requested", "A reviewer of %[2]s asked for changes to your application for %[1]q. Update your evidence and submit it again.", "The reviewer wrote:\n"+comment)); err != nil {
				return err
			}
		case evidence.Reject:
			if _, err := tx.EnqueueMail(r.Context(), s.applicationMail(d.Learner, d, "Decision on your application", "A reviewer of %[2]s did not approve your application for %[1]q.", "The reviewer wrote:\n"+comment)); err != nil {
				return err
			}
		}
		return appendAudit(r, tx, d.App.OrgID, v.User.ID, "application."+string(action), d.App.ID, map[string]any{"points": points})
	})
	if err != nil {
		s.applicationConflict(w, r, err)
		return
	}
	if action != evidence.Approve {
		s.setFlash(w, "Decision recorded; the learner was told by mail.")
		seeOther(w, r, "/admin/orgs/"+d.Org.Slug+"/reviews")
		return
	}
	c, err := s.awardApplication(r, d, scored, comment)
	if err != nil {
		// Put the application back in the queue, so that the decision
		// can be made again once the cause is fixed.
		d.App.State = string(evidence.Submitted)
		if rerr := s.store.UpdateApplication(r.Context(), d.App, string(evidence.Approved)); rerr != nil {
			s.log.Error("reopen application after failed award", "application", d.App.ID, "err", rerr)
		}
		var fe issue.FieldErrors
		if errors.As(err, &fe) {
			s.renderError(w, r, http.StatusConflict, "The credential could not be issued: "+fe.Error()+". The application is back in the queue.")
			return
		}
		s.serverError(w, r, fmt.Errorf("award application %s: %w", d.App.ID, err))
		return
	}
	d.App.CredentialID = c.ID
	if err := s.store.UpdateApplication(r.Context(), d.App, string(evidence.Approved)); err != nil {
		s.serverError(w, r, fmt.Errorf("record credential of application: %w", err))
		return
	}
	s.recordEvent(r, store.Event{OrgID: d.App.OrgID, AchievementID: d.App.AchievementID, CredentialID: c.ID, Kind: analytics.EvidenceApproved,
		Value: s.now().Sub(d.App.CreatedAt).Hours() / 24})
	s.setFlash(w, "Approved: the credential was issued and the learner was told by mail.")
	seeOther(w, r, "/admin/orgs/"+d.Org.Slug+"/reviews/"+d.App.ID)
}

// awardApplication issues the credential of an approved application
// (see evidence.AwardRequest).
func (s *server) awardApplication(r *http.Request, d applicationData, scored evidence.Scored, comment string) (store.Credential, error) {
	c, _, err := s.issuer.Issue(r.Context(), evidence.AwardRequest(evidence.Approval{App: d.App, Learner: d.Learner, OrgName: d.Org.Name,
		Files: d.Files, Req: d.Req, Scored: scored, Comment: comment, Actor: currentViewer(r).User.ID}))
	return c, err
}
