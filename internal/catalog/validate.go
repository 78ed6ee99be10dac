package catalog

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// FieldError is one problem with one field. Field is a JSON path such as
// "creditRecommendations[1].framework".
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

func (e FieldError) Error() string { return e.Field + ": " + e.Message }

// FieldErrors lists every problem Validate found, in field order, so a form
// can show them all at once.
type FieldErrors []FieldError

func (e FieldErrors) Error() string {
	parts := make([]string, len(e))
	for i, fe := range e {
		parts[i] = fe.Error()
	}
	return "invalid achievement: " + strings.Join(parts, "; ")
}

// Messages returns the messages for one field path, or nil.
func (e FieldErrors) Messages(field string) []string {
	var out []string
	for _, fe := range e {
		if fe.Field == field {
			out = append(out, fe.Message)
		}
	}
	return out
}

// Formats are the securing mechanisms an entry may choose for the
// credentials issued for it (Achievement.Format).
var Formats = []string{"ldp-rdfc", "ldp-jcs", "jwt"}

// Input limits. A catalog entry is public and embedded in every credential
// issued for it, so size is bounded.
const (
	maxShort     = 256   // names, codes, bodies
	maxText      = 10000 // descriptions, notes
	maxNarrative = 20000
	maxList      = 200
)

var (
	slugRE     = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$`)
	langRE     = regexp.MustCompile(`^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$`)
	countryRE  = regexp.MustCompile(`^[A-Z]{2}$`)
	schemeRE   = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*$`)
	escoRE     = regexp.MustCompile(`^http://data\.europa\.eu/esco/skill/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	onetRE     = regexp.MustCompile(`^[0-9]{2}-[0-9]{4}\.[0-9]{2}$`)
	emailRE    = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	extTermRE  = regexp.MustCompile(`^ext:[A-Za-z0-9_.-]+$`)
	escoUUIDRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

// validator accumulates field errors.
type validator struct{ errs FieldErrors }

func (v *validator) add(field, format string, args ...any) {
	v.errs = append(v.errs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) required(field, s string) bool {
	if strings.TrimSpace(s) == "" {
		v.add(field, "required")
		return false
	}
	return true
}

func (v *validator) maxLen(field, s string, n int) {
	if utf8.RuneCountInString(s) > n {
		v.add(field, "must be at most %d characters", n)
	}
}

func (v *validator) text(field, s string, n int, req bool) {
	if req && !v.required(field, s) {
		return
	}
	v.maxLen(field, s, n)
}

func (v *validator) listLen(field string, n int) bool {
	if n > maxList {
		v.add(field, "must have at most %d entries", maxList)
		return false
	}
	return true
}

// httpURL checks an optional absolute http(s) URL.
func (v *validator) httpURL(field, s string) {
	if s != "" && !isHTTPURL(s) {
		v.add(field, "must be an absolute http(s) URL")
	}
}

// uri checks an optional absolute URI (http(s) URL, urn:, did:, data:).
func (v *validator) uri(field, s string) {
	if s != "" && !isAbsoluteURI(s) {
		v.add(field, "must be an absolute URI (http(s) URL or URN)")
	}
}

func (v *validator) number(field string, x float64) bool {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		v.add(field, "must be a finite number")
		return false
	}
	if x < 0 {
		v.add(field, "must not be negative")
		return false
	}
	return true
}

func (v *validator) enum(field, s string, allowed []string, extensible bool) {
	if slices.Contains(allowed, s) || (extensible && extTermRE.MatchString(s)) {
		return
	}
	msg := "must be one of " + strings.Join(allowed, ", ")
	if extensible {
		msg += ", or an ext: term"
	}
	v.add(field, "%s", msg)
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && !strings.ContainsAny(s, " \t\r\n")
}

func isAbsoluteURI(s string) bool {
	if strings.ContainsAny(s, " \t\r\n") {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || !schemeRE.MatchString(u.Scheme) {
		return false
	}
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
		return u.Host != ""
	}
	return u.Opaque != "" || u.Path != "" || u.Host != ""
}

// Validate checks the entry and returns nil or a FieldErrors listing every
// problem found.
func (a *Achievement) Validate() error {
	if a == nil {
		return FieldErrors{{Field: "", Message: "missing achievement"}}
	}
	v := &validator{}

	if v.required("id", a.ID) {
		v.uri("id", a.ID)
		v.maxLen("id", a.ID, 2048)
	}
	if a.Slug != "" && !slugRE.MatchString(a.Slug) {
		v.add("slug", "must be 1-64 characters of [a-z0-9-]")
	}
	if a.Version < 0 {
		v.add("version", "must not be negative")
	}
	if v.required("provider", a.Provider) && !slugRE.MatchString(a.Provider) {
		v.add("provider", "must be an organization slug (1-64 characters of [a-z0-9-])")
	}
	if a.Format != "" && !slices.Contains(Formats, a.Format) {
		v.add("format", "must be one of %s", strings.Join(Formats, ", "))
	}
	if a.AchievementType != "" {
		v.enum("achievementType", a.AchievementType, AchievementTypes, true)
	}
	v.text("name", a.Name, maxShort, true)
	v.text("description", a.Description, maxText, true)
	a.validateCriteria(v)
	a.validateOB3Lists(v)
	if v.number("creditsAvailable", a.CreditsAvailable) && a.CreditsAvailable > 1000 {
		v.add("creditsAvailable", "must be at most 1000")
	}
	v.text("fieldOfStudy", a.FieldOfStudy, maxShort, false)
	v.text("specialization", a.Specialization, maxShort, false)
	v.text("humanCode", a.HumanCode, maxShort, false)
	if a.InLanguage != "" && !langRE.MatchString(a.InLanguage) {
		v.add("inLanguage", "must be a BCP 47 language tag such as en or pt-BR")
	}
	if a.Image != nil {
		if v.required("image.id", a.Image.ID) {
			v.uri("image.id", a.Image.ID)
		}
		v.maxLen("image.caption", a.Image.Caption, maxShort)
	}
	if c := a.Creator; c != nil {
		if v.required("creator.id", c.ID) {
			v.uri("creator.id", c.ID)
		}
		v.maxLen("creator.name", c.Name, maxShort)
		v.httpURL("creator.url", c.URL)
		if c.Email != "" && !emailRE.MatchString(c.Email) {
			v.add("creator.email", "must be an email address")
		}
		v.maxLen("creator.description", c.Description, maxText)
	}

	a.validateEU(v)
	a.validateCredit(v)
	a.validateSkills(v)

	if len(v.errs) == 0 {
		return nil
	}
	return v.errs
}

func (a *Achievement) validateCriteria(v *validator) {
	if strings.TrimSpace(a.Criteria.ID) == "" && strings.TrimSpace(a.Criteria.Narrative) == "" {
		v.add("criteria", "narrative or id required")
		return
	}
	v.uri("criteria.id", a.Criteria.ID)
	v.maxLen("criteria.narrative", a.Criteria.Narrative, maxNarrative)
}

func (a *Achievement) validateOB3Lists(v *validator) {
	if v.listLen("alignment", len(a.Alignment)) {
		for i, al := range a.Alignment {
			p := fmt.Sprintf("alignment[%d]", i)
			v.text(p+".targetName", al.TargetName, maxShort, true)
			if v.required(p+".targetUrl", al.TargetURL) {
				v.uri(p+".targetUrl", al.TargetURL)
			}
			v.maxLen(p+".targetDescription", al.TargetDescription, maxText)
			v.maxLen(p+".targetCode", al.TargetCode, maxShort)
			v.maxLen(p+".targetFramework", al.TargetFramework, maxShort)
			if al.TargetType != "" {
				v.enum(p+".targetType", al.TargetType, AlignmentTargetTypes, true)
			}
		}
	}
	if v.listLen("resultDescription", len(a.ResultDescription)) {
		for i, rd := range a.ResultDescription {
			p := fmt.Sprintf("resultDescription[%d]", i)
			if v.required(p+".id", rd.ID) {
				v.uri(p+".id", rd.ID)
			}
			v.text(p+".name", rd.Name, maxShort, true)
			if v.required(p+".resultType", rd.ResultType) {
				v.enum(p+".resultType", rd.ResultType, ResultTypes, true)
			}
			if v.listLen(p+".rubricCriterionLevel", len(rd.RubricCriterionLevel)) {
				for j, l := range rd.RubricCriterionLevel {
					q := fmt.Sprintf("%s.rubricCriterionLevel[%d]", p, j)
					if v.required(q+".id", l.ID) {
						v.uri(q+".id", l.ID)
					}
					v.text(q+".name", l.Name, maxShort, true)
				}
			}
			if rd.RequiredLevel != "" && !slices.ContainsFunc(rd.RubricCriterionLevel, func(l RubricCriterionLevel) bool { return l.ID == rd.RequiredLevel }) {
				v.add(p+".requiredLevel", "must be the id of one of its rubricCriterionLevel entries")
			}
		}
	}
	if v.listLen("tag", len(a.Tag)) {
		for i, t := range a.Tag {
			v.text(fmt.Sprintf("tag[%d]", i), t, maxShort, true)
		}
	}
	if v.listLen("otherIdentifier", len(a.OtherIdentifier)) {
		for i, id := range a.OtherIdentifier {
			p := fmt.Sprintf("otherIdentifier[%d]", i)
			v.text(p+".identifier", id.Identifier, maxShort, true)
			if v.required(p+".identifierType", id.IdentifierType) {
				v.enum(p+".identifierType", id.IdentifierType, IdentifierTypes, true)
			}
		}
	}
	if v.listLen("related", len(a.Related)) {
		for i, r := range a.Related {
			p := fmt.Sprintf("related[%d]", i)
			if v.required(p+".id", r.ID) {
				v.uri(p+".id", r.ID)
			}
			if r.InLanguage != "" && !langRE.MatchString(r.InLanguage) {
				v.add(p+".inLanguage", "must be a BCP 47 language tag such as en or pt-BR")
			}
		}
	}
}

// validateEU checks the EU Council Recommendation elements. Learning
// outcomes, workload, assessment, form of participation, quality assurance
// and country are mandatory there; the EQF level is mandatory "where
// applicable", so it is optional here (an entry may be NSQF-levelled only).
func (a *Achievement) validateEU(v *validator) {
	if len(a.LearningOutcomes) == 0 {
		v.add("learningOutcomes", "at least one learning outcome required")
	} else if v.listLen("learningOutcomes", len(a.LearningOutcomes)) {
		for i, lo := range a.LearningOutcomes {
			v.text(fmt.Sprintf("learningOutcomes[%d]", i), lo, 1000, true)
		}
	}

	w := a.Workload
	okHours := v.number("workload.hours", w.Hours)
	okECTS := v.number("workload.ects", w.ECTS)
	if okHours && w.Hours > 10000 {
		v.add("workload.hours", "must be at most 10000")
		okHours = false
	}
	if okECTS && w.ECTS > 240 {
		v.add("workload.ects", "must be at most 240")
		okECTS = false
	}
	if okHours && okECTS {
		switch {
		case w.Hours == 0 && w.ECTS == 0:
			v.add("workload", "hours or ects required")
		case w.Hours > 0 && w.ECTS > 0:
			if msg := ectsMismatch(w.Hours, w.ECTS); msg != "" {
				v.add("workload.ects", "%s", msg)
			}
		}
	}

	if a.EQFLevel != 0 && (a.EQFLevel < 1 || a.EQFLevel > 8) {
		v.add("eqfLevel", "must be between 1 and 8")
	}
	if a.NSQFLevel != 0 && (a.NSQFLevel < 1 || a.NSQFLevel > 10) {
		v.add("nsqfLevel", "must be between 1 and 10")
	}

	if v.required("assessment.type", a.Assessment.Type) {
		v.enum("assessment.type", a.Assessment.Type, AssessmentTypes, false)
		if strings.HasPrefix(a.Assessment.Type, "supervised ") && !a.Assessment.Supervised {
			v.add("assessment.supervised", "must be true for a %s", a.Assessment.Type)
		}
		if strings.HasPrefix(a.Assessment.Type, "unsupervised ") && a.Assessment.Supervised {
			v.add("assessment.supervised", "must be false for an %s", a.Assessment.Type)
		}
	}
	v.maxLen("assessment.description", a.Assessment.Description, maxText)

	if v.required("participation", a.Participation) {
		v.enum("participation", a.Participation, Participations, false)
	}

	qa := a.QualityAssurance
	v.text("qualityAssurance.body", qa.Body, maxShort, true)
	v.text("qualityAssurance.description", qa.Description, maxText, true)
	v.httpURL("qualityAssurance.url", qa.URL)

	if v.listLen("prerequisites", len(a.Prerequisites)) {
		for i, p := range a.Prerequisites {
			v.text(fmt.Sprintf("prerequisites[%d]", i), p, 1000, true)
		}
	}

	if v.required("country", a.Country) && !countryRE.MatchString(a.Country) {
		v.add("country", "must be an ISO 3166-1 alpha-2 code such as NL")
	}

	if v.listLen("stacksInto", len(a.StacksInto)) {
		for i, s := range a.StacksInto {
			p := fmt.Sprintf("stacksInto[%d]", i)
			if v.required(p+".id", s.ID) {
				v.uri(p+".id", s.ID)
				if s.ID == a.ID {
					v.add(p+".id", "must not be the achievement itself")
				}
			}
			v.text(p+".name", s.Name, maxShort, true)
		}
	}
}

// ectsMismatch reports, in words, an ECTS figure too far from the hours.
func ectsMismatch(hours, ects float64) string {
	per := hours / ects
	if per >= ECTSMinHoursPerCredit && per <= ECTSMaxHoursPerCredit {
		return ""
	}
	// Small awards are rounded to half credits, which moves the ratio a long
	// way (1 credit for 37 hours); a figure within half a credit of the
	// official 25-30 hour range is that rounding, not an error.
	if ects >= hours/30-0.5 && ects <= hours/25+0.5 {
		return ""
	}
	return fmt.Sprintf("%s ECTS for %s hours is %s hours per credit; ECTS credits represent 25-30 hours (accepted %g-%g)",
		fmtNum(ects), fmtNum(hours), strconv.FormatFloat(per, 'f', 1, 64), ECTSMinHoursPerCredit, ECTSMaxHoursPerCredit)
}

func fmtNum(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

func (a *Achievement) validateCredit(v *validator) {
	if !v.listLen("creditRecommendations", len(a.CreditRecommendations)) {
		return
	}
	for i, cr := range a.CreditRecommendations {
		p := fmt.Sprintf("creditRecommendations[%d]", i)
		frameworkOK := false
		if v.required(p+".framework", cr.Framework) {
			if slices.Contains(CreditFrameworks, cr.Framework) {
				frameworkOK = true
			} else {
				v.add(p+".framework", "must be one of %s", strings.Join(CreditFrameworks, ", "))
			}
		}
		amountOK := false
		if math.IsNaN(cr.Amount) || math.IsInf(cr.Amount, 0) {
			v.add(p+".amount", "must be a finite number")
		} else if cr.Amount <= 0 {
			v.add(p+".amount", "must be greater than 0")
		} else if cr.Amount > 240 {
			v.add(p+".amount", "must be at most 240")
		} else {
			amountOK = true
		}
		if frameworkOK && cr.Level != "" {
			switch cr.Framework {
			case FrameworkACE:
				v.enum(p+".level", cr.Level, ACELevels, false)
			case FrameworkECTS:
				v.enum(p+".level", cr.Level, ECTSCycles, false)
			case FrameworkNCrF:
				if !validNCrFLevel(cr.Level) {
					v.add(p+".level", "must be an NCrF credit level from 1 to 8 in steps of 0.5")
				}
			}
		}
		if frameworkOK && amountOK && a.Workload.Hours > 0 && !math.IsInf(a.Workload.Hours, 0) {
			switch cr.Framework {
			case FrameworkECTS:
				if msg := ectsMismatch(a.Workload.Hours, cr.Amount); msg != "" {
					v.add(p+".amount", "%s", msg)
				}
			case FrameworkNCrF:
				// NCrF fixes 30 hours per credit, so the check is tighter than
				// for ECTS; half a credit (or 10 %) of slack admits rounding.
				want := a.Workload.Hours / NCrFHoursPerCredit
				if math.Abs(cr.Amount-want) > math.Max(0.5, 0.1*want) {
					v.add(p+".amount", "%s NCrF credits does not match the workload: %s hours at 30 hours per credit is %s credits",
						fmtNum(cr.Amount), fmtNum(a.Workload.Hours), strconv.FormatFloat(want, 'f', 1, 64))
				}
			case FrameworkACE:
				// ACE recommends credit from learning outcomes, not seat
				// time, so there is no hours check (see SemesterHoursFromHours).
			}
		}
		v.text(p+".recommendingBody", cr.RecommendingBody, maxShort, true)
		v.httpURL(p+".url", cr.URL)
		if !cr.ValidFrom.IsZero() && !cr.ValidUntil.IsZero() && !cr.ValidUntil.After(cr.ValidFrom) {
			v.add(p+".validUntil", "must be after validFrom")
		}
		v.maxLen(p+".notes", cr.Notes, maxText)
	}
}

func validNCrFLevel(s string) bool {
	f, err := strconv.ParseFloat(s, 64)
	return err == nil && f >= 1 && f <= 8 && f*2 == math.Trunc(f*2)
}

func (a *Achievement) validateSkills(v *validator) {
	if !v.listLen("skills", len(a.Skills)) {
		return
	}
	seen := map[string]int{}
	for i, s := range a.Skills {
		p := fmt.Sprintf("skills[%d]", i)
		v.text(p+".name", s.Name, maxShort, true)
		v.maxLen(p+".frameworkName", s.FrameworkName, maxShort)
		switch s.Framework {
		case SkillFrameworkESCO:
			if v.required(p+".uri", s.URI) && !escoRE.MatchString(s.URI) {
				v.add(p+".uri", "not an ESCO URI (http://data.europa.eu/esco/skill/<uuid>)")
			}
			if s.Code != "" && !escoUUIDRE.MatchString(s.Code) {
				v.add(p+".code", "not an ESCO concept UUID")
			}
		case SkillFrameworkONET:
			if v.required(p+".code", s.Code) && !onetRE.MatchString(s.Code) {
				v.add(p+".code", "not an O*NET-SOC code (NN-NNNN.NN)")
			}
			v.httpURL(p+".uri", s.URI)
		case SkillFrameworkOther:
			// OB 3.0 alignments require a targetUrl, so a skill from another
			// framework must have a URI to be published.
			if v.required(p+".uri", s.URI) {
				v.httpURL(p+".uri", s.URI)
			}
			v.maxLen(p+".code", s.Code, maxShort)
		case "":
			v.add(p+".framework", "required")
		default:
			v.add(p+".framework", "must be one of %s", strings.Join(SkillFrameworks, ", "))
		}
		if k := s.key(); k != "" {
			if j, dup := seen[k]; dup {
				v.add(p, "duplicate of skills[%d]", j)
			} else {
				seen[k] = i
			}
		}
	}
}

// key is the value the store indexes for the skill: the ESCO URI, the
// O*NET-SOC code, or the URI of a skill from another framework.
func (s Skill) key() string {
	if s.Framework == SkillFrameworkONET {
		return s.Code
	}
	return s.URI
}
