package catalog

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// validAchievement returns a small entry that passes Validate; each test
// case breaks one rule.
func validAchievement() *Achievement {
	return &Achievement{
		ID:               "https://example.edu/achievements/sql-basics",
		Provider:         "example-university",
		AchievementType:  "MicroCredential",
		Name:             "SQL Basics",
		Description:      "Querying relational databases with SQL.",
		Criteria:         Criteria{Narrative: "Pass the final exam."},
		InLanguage:       "en",
		LearningOutcomes: []string{"Write SELECT queries with joins and aggregation."},
		Workload:         Workload{Hours: 56, ECTS: 2},
		EQFLevel:         5,
		Assessment:       Assessment{Type: "supervised online exam", Supervised: true, IdentityVerified: true},
		Participation:    ParticipationOnline,
		QualityAssurance: QualityAssurance{Body: "NVAO", Description: "Institutional accreditation.", URL: "https://www.nvao.net/"},
		Country:          "NL",
		CreditRecommendations: []CreditRecommendation{{
			Framework: FrameworkACE, Amount: 3, Level: "lower-division baccalaureate",
			RecommendingBody: "ACE",
			ValidFrom:        time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
			ValidUntil:       time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC),
		}},
		Skills: []Skill{
			{Framework: SkillFrameworkESCO, URI: "http://data.europa.eu/esco/skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742", Name: "SQL"},
			{Framework: SkillFrameworkONET, Code: "15-1242.00", Name: "Database Administrators"},
		},
	}
}

func TestValidateAcceptsValid(t *testing.T) {
	if err := validAchievement().Validate(); err != nil {
		t.Fatalf("valid achievement rejected: %v", err)
	}
}

func TestValidateRules(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(a *Achievement)
		field  string
		msg    string // expected message; a trailing "*" matches a prefix
	}{
		// Identity and OB 3.0 fields.
		{"missing id", func(a *Achievement) { a.ID = "" }, "id", "required"},
		{"relative id", func(a *Achievement) { a.ID = "/achievements/1" }, "id", "must be an absolute URI (http(s) URL or URN)"},
		{"urn id ok", func(a *Achievement) { a.ID = "urn:uuid:6f1b0e4e-3c52-4a8e-9a43-2f7b1c7f0d11" }, "", ""},
		{"http id without host", func(a *Achievement) { a.ID = "https:///x" }, "id", "must be an absolute URI (http(s) URL or URN)"},
		{"bad slug", func(a *Achievement) { a.Slug = "SQL Basics" }, "slug", "must be 1-64 characters of [a-z0-9-]"},
		{"negative version", func(a *Achievement) { a.Version = -1 }, "version", "must not be negative"},
		{"missing provider", func(a *Achievement) { a.Provider = "" }, "provider", "required"},
		{"bad provider", func(a *Achievement) { a.Provider = "Example_Uni" }, "provider", "must be an organization slug*"},
		{"bad format", func(a *Achievement) { a.Format = "pdf" }, "format", "must be one of ldp-rdfc, ldp-jcs, jwt"},
		{"unknown achievementType", func(a *Achievement) { a.AchievementType = "Nanodegree" }, "achievementType", "must be one of Achievement, *"},
		{"ext achievementType ok", func(a *Achievement) { a.AchievementType = "ext:Nanodegree" }, "", ""},
		{"missing name", func(a *Achievement) { a.Name = "  " }, "name", "required"},
		{"long name", func(a *Achievement) { a.Name = strings.Repeat("x", 300) }, "name", "must be at most 256 characters"},
		{"missing description", func(a *Achievement) { a.Description = "" }, "description", "required"},
		{"missing criteria", func(a *Achievement) { a.Criteria = Criteria{} }, "criteria", "narrative or id required"},
		{"criteria id only ok", func(a *Achievement) { a.Criteria = Criteria{ID: "https://example.edu/criteria/sql"} }, "", ""},
		{"bad criteria id", func(a *Achievement) { a.Criteria.ID = "criteria.html" }, "criteria.id", "must be an absolute URI*"},
		{"alignment without url", func(a *Achievement) {
			a.Alignment = []Alignment{{TargetName: "x"}}
		}, "alignment[0].targetUrl", "required"},
		{"alignment bad type", func(a *Achievement) {
			a.Alignment = []Alignment{{TargetName: "x", TargetURL: "https://x.example/", TargetType: "Skill"}}
		}, "alignment[0].targetType", "must be one of ceasn:Competency, *"},
		{"resultDescription incomplete", func(a *Achievement) {
			a.ResultDescription = []ResultDescription{{ID: "urn:x:1", Name: "Grade"}}
		}, "resultDescription[0].resultType", "required"},
		{"resultDescription bad level", func(a *Achievement) {
			a.ResultDescription = []ResultDescription{{ID: "urn:x:1", Name: "Grade", ResultType: "RubricCriterionLevel", RequiredLevel: "urn:x:level:9",
				RubricCriterionLevel: []RubricCriterionLevel{{ID: "urn:x:level:1", Name: "Pass"}}}}
		}, "resultDescription[0].requiredLevel", "must be the id of one of its rubricCriterionLevel entries"},
		{"negative creditsAvailable", func(a *Achievement) { a.CreditsAvailable = -2 }, "creditsAvailable", "must not be negative"},
		{"NaN creditsAvailable", func(a *Achievement) { a.CreditsAvailable = math.NaN() }, "creditsAvailable", "must be a finite number"},
		{"bad language", func(a *Achievement) { a.InLanguage = "English" }, "inLanguage", "must be a BCP 47 language tag such as en or pt-BR"},
		{"empty tag", func(a *Achievement) { a.Tag = []string{"sql", ""} }, "tag[1]", "required"},
		{"image without id", func(a *Achievement) { a.Image = &Image{Caption: "x"} }, "image.id", "required"},
		{"data image ok", func(a *Achievement) { a.Image = &Image{ID: "data:image/png;base64,iVBORw0KGgo="} }, "", ""},
		{"bad identifierType", func(a *Achievement) {
			a.OtherIdentifier = []IdentifierEntry{{Identifier: "X1", IdentifierType: "courseCode"}}
		}, "otherIdentifier[0].identifierType", "must be one of name, *"},
		{"related without id", func(a *Achievement) { a.Related = []Related{{InLanguage: "nl"}} }, "related[0].id", "required"},
		{"creator bad url", func(a *Achievement) { a.Creator = &Profile{ID: "did:web:example.edu", URL: "example.edu"} }, "creator.url", "must be an absolute http(s) URL"},
		{"creator bad email", func(a *Achievement) { a.Creator = &Profile{ID: "did:web:example.edu", Email: "nobody"} }, "creator.email", "must be an email address"},

		// EU elements.
		{"no learning outcomes", func(a *Achievement) { a.LearningOutcomes = nil }, "learningOutcomes", "at least one learning outcome required"},
		{"blank learning outcome", func(a *Achievement) { a.LearningOutcomes = append(a.LearningOutcomes, " ") }, "learningOutcomes[1]", "required"},
		{"no workload", func(a *Achievement) { a.Workload = Workload{} }, "workload", "hours or ects required"},
		{"negative ects", func(a *Achievement) { a.Workload.ECTS = -1 }, "workload.ects", "must not be negative"},
		{"negative hours", func(a *Achievement) { a.Workload.Hours = -5 }, "workload.hours", "must not be negative"},
		{"infinite hours", func(a *Achievement) { a.Workload.Hours = math.Inf(1) }, "workload.hours", "must be a finite number"},
		{"ects wildly high", func(a *Achievement) { a.Workload = Workload{Hours: 40, ECTS: 5} }, "workload.ects",
			"5 ECTS for 40 hours is 8.0 hours per credit; ECTS credits represent 25-30 hours (accepted 20-35)"},
		{"ects wildly low", func(a *Achievement) { a.Workload = Workload{Hours: 200, ECTS: 4} }, "workload.ects", "4 ECTS for 200 hours is 50.0 hours per credit*"},
		{"ects at 20 h ok", func(a *Achievement) { a.Workload = Workload{Hours: 20, ECTS: 1} }, "", ""},
		{"ects at 35 h ok", func(a *Achievement) { a.Workload = Workload{Hours: 70, ECTS: 2} }, "", ""},
		{"hours only ok", func(a *Achievement) { a.Workload = Workload{Hours: 56} }, "", ""},
		{"ects only ok", func(a *Achievement) { a.Workload = Workload{ECTS: 2} }, "", ""},
		{"eqf 9", func(a *Achievement) { a.EQFLevel = 9 }, "eqfLevel", "must be between 1 and 8"},
		{"eqf negative", func(a *Achievement) { a.EQFLevel = -1 }, "eqfLevel", "must be between 1 and 8"},
		{"eqf unset ok", func(a *Achievement) { a.EQFLevel = 0 }, "", ""},
		{"nsqf 11", func(a *Achievement) { a.NSQFLevel = 11 }, "nsqfLevel", "must be between 1 and 10"},
		{"nsqf 10 ok", func(a *Achievement) { a.NSQFLevel = 10 }, "", ""},
		{"missing assessment", func(a *Achievement) { a.Assessment.Type = "" }, "assessment.type", "required"},
		{"unknown assessment", func(a *Achievement) { a.Assessment.Type = "vibes" }, "assessment.type", "must be one of supervised online exam, *"},
		{"supervised exam not supervised", func(a *Achievement) { a.Assessment.Supervised = false }, "assessment.supervised", "must be true for a supervised online exam"},
		{"unsupervised test supervised", func(a *Achievement) { a.Assessment.Type = "unsupervised online test" }, "assessment.supervised", "must be false for an unsupervised online test"},
		{"missing participation", func(a *Achievement) { a.Participation = "" }, "participation", "required"},
		{"bad participation", func(a *Achievement) { a.Participation = "hybrid" }, "participation", "must be one of online, onsite, blended"},
		{"missing qa body", func(a *Achievement) { a.QualityAssurance.Body = "" }, "qualityAssurance.body", "required"},
		{"missing qa description", func(a *Achievement) { a.QualityAssurance.Description = "" }, "qualityAssurance.description", "required"},
		{"qa relative url", func(a *Achievement) { a.QualityAssurance.URL = "www.nvao.net" }, "qualityAssurance.url", "must be an absolute http(s) URL"},
		{"qa ftp url", func(a *Achievement) { a.QualityAssurance.URL = "ftp://nvao.net/" }, "qualityAssurance.url", "must be an absolute http(s) URL"},
		{"blank prerequisite", func(a *Achievement) { a.Prerequisites = []string{""} }, "prerequisites[0]", "required"},
		{"missing country", func(a *Achievement) { a.Country = "" }, "country", "required"},
		{"bad country", func(a *Achievement) { a.Country = "nl" }, "country", "must be an ISO 3166-1 alpha-2 code such as NL"},
		{"stack into itself", func(a *Achievement) {
			a.StacksInto = []CredentialRef{{ID: a.ID, Name: "Self"}}
		}, "stacksInto[0].id", "must not be the achievement itself"},
		{"stack without name", func(a *Achievement) {
			a.StacksInto = []CredentialRef{{ID: "https://example.edu/achievements/programme"}}
		}, "stacksInto[0].name", "required"},

		// Credit recommendations.
		{"unknown credit framework", func(a *Achievement) {
			a.CreditRecommendations = append(a.CreditRecommendations, CreditRecommendation{Framework: "CATS", Amount: 10, RecommendingBody: "QAA"})
		}, "creditRecommendations[1].framework", "must be one of ACE, ECTS, NCrF"},
		{"missing credit framework", func(a *Achievement) { a.CreditRecommendations[0].Framework = "" }, "creditRecommendations[0].framework", "required"},
		{"zero amount", func(a *Achievement) { a.CreditRecommendations[0].Amount = 0 }, "creditRecommendations[0].amount", "must be greater than 0"},
		{"negative amount", func(a *Achievement) { a.CreditRecommendations[0].Amount = -3 }, "creditRecommendations[0].amount", "must be greater than 0"},
		{"huge amount", func(a *Achievement) { a.CreditRecommendations[0].Amount = 1e6 }, "creditRecommendations[0].amount", "must be at most 240"},
		{"fractional ACE ok", func(a *Achievement) { a.CreditRecommendations[0].Amount = 1.5 }, "", ""},
		{"bad ACE level", func(a *Achievement) { a.CreditRecommendations[0].Level = "upper-division" }, "creditRecommendations[0].level", "must be one of vocational certificate, lower-division baccalaureate, upper-division baccalaureate, graduate"},
		{"missing recommending body", func(a *Achievement) { a.CreditRecommendations[0].RecommendingBody = "" }, "creditRecommendations[0].recommendingBody", "required"},
		{"validUntil before validFrom", func(a *Achievement) {
			a.CreditRecommendations[0].ValidUntil = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
		}, "creditRecommendations[0].validUntil", "must be after validFrom"},
		{"validUntil equal validFrom", func(a *Achievement) {
			a.CreditRecommendations[0].ValidUntil = a.CreditRecommendations[0].ValidFrom
		}, "creditRecommendations[0].validUntil", "must be after validFrom"},
		{"open-ended validity ok", func(a *Achievement) { a.CreditRecommendations[0].ValidUntil = time.Time{} }, "", ""},
		{"recommendation bad url", func(a *Achievement) { a.CreditRecommendations[0].URL = "acenet.edu" }, "creditRecommendations[0].url", "must be an absolute http(s) URL"},
		{"ACE not checked against hours", func(a *Achievement) { a.CreditRecommendations[0].Amount = 12 }, "", ""},
		{"ECTS recommendation off", func(a *Achievement) {
			a.CreditRecommendations = append(a.CreditRecommendations, CreditRecommendation{Framework: FrameworkECTS, Amount: 6, RecommendingBody: "Uni"})
		}, "creditRecommendations[1].amount", "6 ECTS for 56 hours is 9.3 hours per credit*"},
		{"ECTS recommendation bad cycle", func(a *Achievement) {
			a.CreditRecommendations = append(a.CreditRecommendations, CreditRecommendation{Framework: FrameworkECTS, Amount: 2, Level: "bachelor", RecommendingBody: "Uni"})
		}, "creditRecommendations[1].level", "must be one of short cycle, first cycle, second cycle, third cycle"},
		{"NCrF matches 30 h", func(a *Achievement) {
			a.Workload = Workload{Hours: 60}
			a.CreditRecommendations = []CreditRecommendation{{Framework: FrameworkNCrF, Amount: 2, Level: "4.5", RecommendingBody: "SSC"}}
		}, "", ""},
		{"NCrF rounding tolerated", func(a *Achievement) {
			a.Workload = Workload{Hours: 40}
			a.CreditRecommendations = []CreditRecommendation{{Framework: FrameworkNCrF, Amount: 1.5, RecommendingBody: "SSC"}}
		}, "", ""},
		{"NCrF off", func(a *Achievement) {
			a.Workload = Workload{Hours: 60}
			a.CreditRecommendations = []CreditRecommendation{{Framework: FrameworkNCrF, Amount: 4, RecommendingBody: "SSC"}}
		}, "creditRecommendations[0].amount", "4 NCrF credits does not match the workload: 60 hours at 30 hours per credit is 2.0 credits"},
		{"NCrF bad level", func(a *Achievement) {
			a.Workload = Workload{Hours: 60}
			a.CreditRecommendations = []CreditRecommendation{{Framework: FrameworkNCrF, Amount: 2, Level: "4.3", RecommendingBody: "SSC"}}
		}, "creditRecommendations[0].level", "must be an NCrF credit level from 1 to 8 in steps of 0.5"},
		{"NCrF level 9", func(a *Achievement) {
			a.Workload = Workload{Hours: 60}
			a.CreditRecommendations = []CreditRecommendation{{Framework: FrameworkNCrF, Amount: 2, Level: "9", RecommendingBody: "SSC"}}
		}, "creditRecommendations[0].level", "must be an NCrF credit level from 1 to 8 in steps of 0.5"},

		// Skills.
		{"ESCO URI wrong host", func(a *Achievement) {
			a.Skills[0].URI = "https://esco.ec.europa.eu/en/skill/598de5b0-5b58-4ea7-8058-a4bc4d18c742"
		}, "skills[0].uri", "not an ESCO URI (http://data.europa.eu/esco/skill/<uuid>)"},
		{"ESCO occupation URI", func(a *Achievement) {
			a.Skills[0].URI = "http://data.europa.eu/esco/occupation/258e46f9-0075-4a2e-adae-1ff0477e0f30"
		}, "skills[0].uri", "not an ESCO URI*"},
		{"ESCO URI missing", func(a *Achievement) { a.Skills[0].URI = "" }, "skills[0].uri", "required"},
		{"O*NET code malformed", func(a *Achievement) {
			a.Skills = append(a.Skills, Skill{Framework: SkillFrameworkONET, Code: "15-2051", Name: "Data Scientists"})
		}, "skills[2].code", "not an O*NET-SOC code (NN-NNNN.NN)"},
		{"O*NET code missing", func(a *Achievement) { a.Skills[1].Code = "" }, "skills[1].code", "required"},
		{"skill name missing", func(a *Achievement) { a.Skills[1].Name = "" }, "skills[1].name", "required"},
		{"unknown skill framework", func(a *Achievement) { a.Skills[1].Framework = "SFIA" }, "skills[1].framework", "must be one of ESCO, O*NET-SOC, other"},
		{"other skill needs uri", func(a *Achievement) {
			a.Skills = append(a.Skills, Skill{Framework: SkillFrameworkOther, Code: "DATM", Name: "Data management"})
		}, "skills[2].uri", "required"},
		{"other skill with uri ok", func(a *Achievement) {
			a.Skills = append(a.Skills, Skill{Framework: SkillFrameworkOther, URI: "https://sfia-online.org/en/skillsfia/skills/datm", Code: "DATM", Name: "Data management", FrameworkName: "SFIA 9"})
		}, "", ""},
		{"duplicate skill", func(a *Achievement) { a.Skills = append(a.Skills, a.Skills[0]) }, "skills[2]", "duplicate of skills[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := validAchievement()
			tt.mutate(a)
			err := a.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			var fe FieldErrors
			if !errors.As(err, &fe) {
				t.Fatalf("error %v (%T), want FieldErrors", err, err)
			}
			msgs := fe.Messages(tt.field)
			if len(msgs) == 0 {
				t.Fatalf("no error for %s; got %v", tt.field, err)
			}
			for _, m := range msgs {
				if prefix, ok := strings.CutSuffix(tt.msg, "*"); ok && strings.HasPrefix(m, prefix) || m == tt.msg {
					return
				}
			}
			t.Errorf("%s: messages %q, want %q", tt.field, msgs, tt.msg)
		})
	}
}

func TestValidateReportsAllErrors(t *testing.T) {
	a := &Achievement{}
	err := a.Validate()
	var fe FieldErrors
	if !errors.As(err, &fe) {
		t.Fatalf("got %v, want FieldErrors", err)
	}
	for _, f := range []string{"id", "provider", "name", "description", "criteria", "learningOutcomes", "workload", "assessment.type", "participation", "qualityAssurance.body", "country"} {
		if len(fe.Messages(f)) == 0 {
			t.Errorf("empty achievement: no error for %s", f)
		}
	}
	if !strings.HasPrefix(err.Error(), "invalid achievement: id: required; ") {
		t.Errorf("Error() = %q", err.Error())
	}
	var nilA *Achievement
	if nilA.Validate() == nil {
		t.Error("nil achievement validated")
	}
}

func TestECTSMismatch(t *testing.T) {
	tests := []struct {
		hours, ects float64
		ok          bool
	}{
		{140, 5, true},   // 28 h
		{20, 1, true},    // lower bound
		{70, 2, true},    // upper bound
		{37, 1, true},    // rounding of a small award
		{14, 0.5, true},  // 28 h
		{10, 1, false},   // 10 h per credit
		{40, 5, false},   // 8 h per credit
		{200, 4, false},  // 50 h per credit
		{300, 10, true},  // 30 h
		{400, 10, false}, // 40 h per credit, beyond rounding
	}
	for _, tt := range tests {
		if got := ectsMismatch(tt.hours, tt.ects) == ""; got != tt.ok {
			t.Errorf("ectsMismatch(%v h, %v ECTS) ok = %v, want %v", tt.hours, tt.ects, got, tt.ok)
		}
	}
}
