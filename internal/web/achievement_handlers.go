package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

// blankRows is how many empty rows the catalog form offers for credit
// recommendations and skills beyond those already filled in.
const blankRows = 3

// achievementForm is the catalog form as text, so that a rejected value is
// shown back exactly as typed. Input names are the catalog JSON paths, which
// are also the paths validation errors name.
type achievementForm struct {
	ID, Slug, Name, Description, AchievementType, Criteria, Image, Tags string
	FieldOfStudy, InLanguage, HumanCode, LearningOutcomes               string
	Hours, ECTS, EQFLevel, NSQFLevel                                    string
	AssessmentType, AssessmentDescription                               string
	Supervised, IdentityVerified                                        bool
	Participation, QABody, QADescription, QAURL, Prerequisites, Country string
	Format                                                              string
	Credits                                                             []creditRow
	Skills                                                              []skillRow
}

type creditRow struct {
	Framework, Amount, Level, RecommendingBody, ValidFrom, ValidUntil string
}

type skillRow struct {
	Framework, Ref, Name string
}

// achievementPageData is what the form template receives.
type achievementPageData struct {
	Org     store.Organization
	Role    store.Role
	Form    achievementForm
	Action  string
	Editing bool
	Version int
	Options formOptions
}

// formOptions are the choices of the form's select inputs.
type formOptions struct {
	AchievementTypes, AssessmentTypes, Participations, CreditFrameworks, SkillFrameworks, Formats []string
}

var catalogOptions = formOptions{
	AchievementTypes: catalog.AchievementTypes,
	AssessmentTypes:  catalog.AssessmentTypes,
	Participations:   catalog.Participations,
	CreditFrameworks: catalog.CreditFrameworks,
	SkillFrameworks:  catalog.SkillFrameworks,
	Formats:          catalog.Formats,
}

func (s *server) achievements(w http.ResponseWriter, r *http.Request) {
	oc := currentOrg(r)
	entries, err := s.store.SearchAchievements(r.Context(), issue.Listed(store.AchievementQuery{OrgID: oc.Org.ID, Limit: 1000}))
	if err != nil {
		s.serverError(w, r, fmt.Errorf("list achievements: %w", err))
		return
	}
	s.render(w, r, http.StatusOK, "achievements", "Catalog of "+oc.Org.Name, map[string]any{
		"Org": oc.Org, "Role": oc.Role, "Entries": entries,
		"CanEdit": oc.Role == store.RoleOwner || oc.Role == store.RoleIssuer,
	})
}

func (s *server) renderAchievementForm(w http.ResponseWriter, r *http.Request, d achievementPageData, errs formErrors) {
	oc := currentOrg(r)
	d.Org, d.Role, d.Options = oc.Org, oc.Role, catalogOptions
	d.Form.Credits = padRows(d.Form.Credits, creditRow{})
	d.Form.Skills = padRows(d.Form.Skills, skillRow{})
	title := "New achievement"
	if d.Editing {
		title = "Edit " + d.Form.Name
	}
	s.renderForm(w, r, "achievement_form", title, d, errs)
}

func padRows[T any](rows []T, blank T) []T {
	for range blankRows {
		rows = append(rows, blank)
	}
	return rows
}

func (s *server) newAchievementForm(w http.ResponseWriter, r *http.Request) {
	oc := currentOrg(r)
	f := achievementForm{AchievementType: "MicroCredential", InLanguage: "en", Country: oc.Org.Country,
		Participation: catalog.ParticipationOnline, Format: string(store.FormatLDPRDFC)}
	s.renderAchievementForm(w, r, achievementPageData{Form: f, Action: "/admin/orgs/" + oc.Org.Slug + "/achievements/new"}, nil)
}

func (s *server) newAchievementSubmit(w http.ResponseWriter, r *http.Request) {
	s.saveAchievement(w, r, &catalog.Achievement{}, false)
}

func (s *server) editAchievementForm(w http.ResponseWriter, r *http.Request) {
	a, ok := s.orgAchievement(w, r)
	if !ok {
		return
	}
	oc := currentOrg(r)
	s.renderAchievementForm(w, r, achievementPageData{
		Form: formFromAchievement(a), Editing: true, Version: a.Version,
		Action: "/admin/orgs/" + oc.Org.Slug + "/achievements/" + r.PathValue("id") + "/edit",
	}, nil)
}

func (s *server) editAchievementSubmit(w http.ResponseWriter, r *http.Request) {
	a, ok := s.orgAchievement(w, r)
	if !ok {
		return
	}
	// Fields the form does not show (alignments, result descriptions,
	// creator, stackability...) carry over from the current version.
	a.ID = s.issuer.AchievementURL(r.PathValue("id"))
	s.saveAchievement(w, r, a, true)
}

// orgAchievement loads the current version of the achievement {id} of the
// route's organization.
func (s *server) orgAchievement(w http.ResponseWriter, r *http.Request) (*catalog.Achievement, bool) {
	a, entry, err := s.issuer.Achievement(r.Context(), r.PathValue("id"), 0)
	if err != nil || entry.Achievement.OrgID != currentOrg(r).Org.ID {
		if err == nil || errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) {
			s.notFound(w, r)
			return nil, false
		}
		s.serverError(w, r, fmt.Errorf("load achievement: %w", err))
		return nil, false
	}
	return a, true
}

// saveAchievement applies the submitted form to a and stores it as a new
// achievement or a new version.
func (s *server) saveAchievement(w http.ResponseWriter, r *http.Request, a *catalog.Achievement, editing bool) {
	oc := currentOrg(r)
	f := readAchievementForm(r)
	action := "/admin/orgs/" + oc.Org.Slug + "/achievements/new"
	if editing {
		action = "/admin/orgs/" + oc.Org.Slug + "/achievements/" + r.PathValue("id") + "/edit"
	}
	d := achievementPageData{Form: f, Action: action, Editing: editing, Version: a.Version}
	var errs formErrors
	f.apply(a, &errs)
	if !editing {
		a.Slug = f.Slug
	}
	if errs.Any() {
		// Numbers or dates that did not parse: report them with whatever
		// else validation finds, without writing anything.
		check := *a
		check.Provider = oc.Org.Slug
		if check.ID == "" {
			// The id is assigned on save; any valid one will do here.
			check.ID = s.issuer.AchievementURL("new")
		}
		if verr := check.Validate(); verr != nil {
			var more formErrors
			more.addError(verr)
			for _, m := range more {
				// A number that did not parse is zero now; its "must be
				// greater than 0" would only repeat the problem.
				if len(errs.Get(m.Field)) == 0 {
					errs = append(errs, m)
				}
			}
		}
		s.renderAchievementForm(w, r, d, errs)
		return
	}
	entry, err := s.issuer.SaveAchievement(r.Context(), oc.Org.ID, a, currentViewer(r).User.ID)
	if err != nil {
		if errs.addError(err) {
			s.renderAchievementForm(w, r, d, errs)
			return
		}
		s.serverError(w, r, fmt.Errorf("save achievement: %w", err))
		return
	}
	s.setFlash(w, fmt.Sprintf("Saved %s, version %d.", entry.Version.Name, entry.Version.Version))
	seeOther(w, r, "/achievements/"+entry.Achievement.ID)
}

func readAchievementForm(r *http.Request) achievementForm {
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	f := achievementForm{
		Slug: v("slug"), Name: v("name"), Description: v("description"), AchievementType: v("achievementType"),
		Criteria: v("criteria.narrative"), Image: v("image.id"), Tags: v("tag"), FieldOfStudy: v("fieldOfStudy"),
		InLanguage: v("inLanguage"), HumanCode: v("humanCode"), LearningOutcomes: v("learningOutcomes"),
		Hours: v("workload.hours"), ECTS: v("workload.ects"), EQFLevel: v("eqfLevel"), NSQFLevel: v("nsqfLevel"),
		AssessmentType: v("assessment.type"), AssessmentDescription: v("assessment.description"),
		Supervised: v("assessment.supervised") != "", IdentityVerified: v("assessment.identityVerified") != "",
		Participation: v("participation"), QABody: v("qualityAssurance.body"),
		QADescription: v("qualityAssurance.description"), QAURL: v("qualityAssurance.url"),
		Prerequisites: v("prerequisites"), Country: strings.ToUpper(v("country")), Format: v("format"),
	}
	// Rows are renumbered without the blank ones, so that the index in a
	// validation error is the index of the row shown back.
	for i := range 50 {
		p := fmt.Sprintf("creditRecommendations[%d].", i)
		row := creditRow{Framework: v(p + "framework"), Amount: v(p + "amount"), Level: v(p + "level"),
			RecommendingBody: v(p + "recommendingBody"), ValidFrom: v(p + "validFrom"), ValidUntil: v(p + "validUntil")}
		if row.Amount != "" || row.Level != "" || row.RecommendingBody != "" || row.ValidFrom != "" || row.ValidUntil != "" {
			f.Credits = append(f.Credits, row)
		}
	}
	for i := range 50 {
		p := fmt.Sprintf("skills[%d].", i)
		row := skillRow{Framework: v(p + "framework"), Ref: v(p + "ref"), Name: v(p + "name")}
		// A row with only the framework chosen is a blank row whose select
		// kept its first option.
		if row.Ref != "" || row.Name != "" {
			f.Skills = append(f.Skills, row)
		}
	}
	return f
}

// apply writes the form into a, recording numbers and dates that do not
// parse as form errors.
func (f achievementForm) apply(a *catalog.Achievement, errs *formErrors) {
	a.Name, a.Description, a.AchievementType = f.Name, f.Description, f.AchievementType
	a.Criteria.Narrative = f.Criteria
	if f.Image == "" {
		a.Image = nil
	} else if a.Image == nil || a.Image.ID != f.Image {
		a.Image = &catalog.Image{ID: f.Image}
	}
	a.Tag = splitList(f.Tags, ",")
	a.FieldOfStudy, a.InLanguage, a.HumanCode = f.FieldOfStudy, f.InLanguage, f.HumanCode
	a.LearningOutcomes = splitList(f.LearningOutcomes, "\n")
	a.Workload.Hours = parseFloat(f.Hours, "workload.hours", errs)
	a.Workload.ECTS = parseFloat(f.ECTS, "workload.ects", errs)
	a.EQFLevel = parseInt(f.EQFLevel, "eqfLevel", errs)
	a.NSQFLevel = parseInt(f.NSQFLevel, "nsqfLevel", errs)
	a.Assessment = catalog.Assessment{Type: f.AssessmentType, Supervised: f.Supervised,
		IdentityVerified: f.IdentityVerified, Description: f.AssessmentDescription}
	a.Participation = f.Participation
	a.QualityAssurance = catalog.QualityAssurance{Body: f.QABody, Description: f.QADescription, URL: f.QAURL}
	a.Prerequisites = splitList(f.Prerequisites, "\n")
	a.Country = f.Country
	a.Format = f.Format

	// Keep what the form does not edit (URL, notes) of rows that stay.
	old := a.CreditRecommendations
	a.CreditRecommendations = nil
	for i, row := range f.Credits {
		p := fmt.Sprintf("creditRecommendations[%d].", i)
		cr := catalog.CreditRecommendation{Framework: row.Framework, Level: row.Level, RecommendingBody: row.RecommendingBody}
		if i < len(old) && old[i].Framework == row.Framework {
			cr.URL, cr.Notes = old[i].URL, old[i].Notes
		}
		cr.Amount = parseFloat(row.Amount, p+"amount", errs)
		cr.ValidFrom = parseDate(row.ValidFrom, p+"validFrom", errs)
		cr.ValidUntil = parseDate(row.ValidUntil, p+"validUntil", errs)
		a.CreditRecommendations = append(a.CreditRecommendations, cr)
	}
	a.Skills = nil
	for _, row := range f.Skills {
		sk := catalog.Skill{Framework: row.Framework, Name: row.Name}
		// O*NET-SOC skills are codes; ESCO and other frameworks name a URI.
		if row.Framework == catalog.SkillFrameworkONET {
			sk.Code = row.Ref
		} else {
			sk.URI = row.Ref
		}
		a.Skills = append(a.Skills, sk)
	}
}

func formFromAchievement(a *catalog.Achievement) achievementForm {
	f := achievementForm{
		ID: a.ID, Slug: a.Slug, Name: a.Name, Description: a.Description, AchievementType: a.AchievementType,
		Criteria: a.Criteria.Narrative, Tags: strings.Join(a.Tag, ", "), FieldOfStudy: a.FieldOfStudy,
		InLanguage: a.InLanguage, HumanCode: a.HumanCode, LearningOutcomes: strings.Join(a.LearningOutcomes, "\n"),
		Hours: formatNumber(a.Workload.Hours), ECTS: formatNumber(a.Workload.ECTS),
		EQFLevel: formatInt(a.EQFLevel), NSQFLevel: formatInt(a.NSQFLevel),
		AssessmentType: a.Assessment.Type, AssessmentDescription: a.Assessment.Description,
		Supervised: a.Assessment.Supervised, IdentityVerified: a.Assessment.IdentityVerified,
		Participation: a.Participation, QABody: a.QualityAssurance.Body, QADescription: a.QualityAssurance.Description,
		QAURL: a.QualityAssurance.URL, Prerequisites: strings.Join(a.Prerequisites, "\n"), Country: a.Country,
		Format: a.Format,
	}
	if a.Image != nil {
		f.Image = a.Image.ID
	}
	for _, cr := range a.CreditRecommendations {
		f.Credits = append(f.Credits, creditRow{Framework: cr.Framework, Amount: formatNumber(cr.Amount), Level: cr.Level,
			RecommendingBody: cr.RecommendingBody, ValidFrom: inputDate(cr.ValidFrom), ValidUntil: inputDate(cr.ValidUntil)})
	}
	for _, sk := range a.Skills {
		ref := sk.URI
		if sk.Framework == catalog.SkillFrameworkONET {
			ref = sk.Code
		}
		f.Skills = append(f.Skills, skillRow{Framework: sk.Framework, Ref: ref, Name: sk.Name})
	}
	return f
}

func splitList(s, sep string) []string {
	var out []string
	for _, part := range strings.Split(s, sep) {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func parseFloat(s, field string, errs *formErrors) float64 {
	if s == "" {
		return 0
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
	if err != nil {
		errs.add(field, "Enter a number, such as 12 or 7.5.")
		return 0
	}
	return f
}

func parseInt(s, field string, errs *formErrors) int {
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		errs.add(field, "Enter a whole number.")
		return 0
	}
	return n
}

func parseDate(s, field string, errs *formErrors) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		errs.add(field, "Enter a date as YYYY-MM-DD.")
		return time.Time{}
	}
	return t
}

func formatInt(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}
