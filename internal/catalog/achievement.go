package catalog

import "time"

// Achievement is one catalog entry: the Open Badges 3.0 Achievement fields
// plus the quality metadata the EU Council Recommendation on
// micro-credentials asks for, credit recommendations and skill alignments.
//
// It is the JSON document the store keeps for each achievement version; the
// JSON names are camelCase and, where a field is an OB 3.0 Achievement
// property, they are exactly the OB 3.0 names. OB3 derives the Open Badges
// JSON-LD object from it.
type Achievement struct {
	// ID identifies the achievement: an http(s) URL or a URN such as
	// urn:uuid:…. It becomes the OB 3.0 Achievement id.
	ID string `json:"id"`
	// Slug optionally names the achievement in URLs; unique per provider.
	Slug string `json:"slug,omitempty"`
	// Version is the catalog version number. The store allocates it; it is
	// emitted as the OB 3.0 version string when positive.
	Version int `json:"version,omitempty"`
	// Provider is the slug of the organization that owns the entry.
	Provider string `json:"provider"`
	// Format is how credentials for this entry are secured by default: one
	// of Formats ("ldp-rdfc" for eddsa-rdfc-2022, "ldp-jcs" for
	// eddsa-jcs-2022, "jwt" for VC-JOSE-COSE), or "" for the issuer's
	// default (ldp-rdfc). It is issuance configuration, not part of the OB
	// 3.0 Achievement, so OB3 leaves it out.
	Format string `json:"format,omitempty"`

	// OB 3.0 Achievement properties.

	// AchievementType is a term of the OB 3.0 AchievementType enumeration
	// (see AchievementTypes) or an extension term starting with "ext:".
	AchievementType   string              `json:"achievementType,omitempty"`
	Name              string              `json:"name"`
	Description       string              `json:"description"`
	Criteria          Criteria            `json:"criteria"`
	Alignment         []Alignment         `json:"alignment,omitempty"`
	ResultDescription []ResultDescription `json:"resultDescription,omitempty"`
	// CreditsAvailable is the OB 3.0 creditsAvailable value. When zero, OB3
	// emits the ECTS workload instead.
	CreditsAvailable float64           `json:"creditsAvailable,omitempty"`
	FieldOfStudy     string            `json:"fieldOfStudy,omitempty"`
	Specialization   string            `json:"specialization,omitempty"`
	InLanguage       string            `json:"inLanguage,omitempty"` // BCP 47 tag of the language of instruction and assessment
	Tag              []string          `json:"tag,omitempty"`
	Image            *Image            `json:"image,omitempty"`
	HumanCode        string            `json:"humanCode,omitempty"`
	OtherIdentifier  []IdentifierEntry `json:"otherIdentifier,omitempty"`
	Related          []Related         `json:"related,omitempty"`
	Creator          *Profile          `json:"creator,omitempty"`

	// EU Council Recommendation (2022/C 243/02) micro-credential elements.

	// LearningOutcomes lists what the learner knows, understands and is able
	// to do on completion, one statement per entry.
	LearningOutcomes []string `json:"learningOutcomes"`
	Workload         Workload `json:"workload"`
	// EQFLevel is the European Qualifications Framework level, 1 to 8, or 0
	// when the entry is not levelled.
	EQFLevel int `json:"eqfLevel,omitempty"`
	// NSQFLevel is the Indian National Skills Qualifications Framework
	// level, 1 to 10, or 0 when the entry is not levelled.
	NSQFLevel        int              `json:"nsqfLevel,omitempty"`
	Assessment       Assessment       `json:"assessment"`
	Participation    string           `json:"participation"` // ParticipationOnline, ParticipationOnsite or ParticipationBlended
	QualityAssurance QualityAssurance `json:"qualityAssurance"`
	Prerequisites    []string         `json:"prerequisites,omitempty"`
	// Country is the ISO 3166-1 alpha-2 code of the awarding body's country.
	Country string `json:"country"`
	// StacksInto lists the larger credentials this one counts towards (the
	// EU "integration / stackability options" element).
	StacksInto []CredentialRef `json:"stacksInto,omitempty"`

	CreditRecommendations []CreditRecommendation `json:"creditRecommendations,omitempty"`
	Skills                []Skill                `json:"skills,omitempty"`
}

// Criteria describes how the achievement is earned: a page (ID), a Markdown
// narrative, or both.
type Criteria struct {
	ID        string `json:"id,omitempty"`
	Narrative string `json:"narrative,omitempty"`
}

// Alignment is an OB 3.0 Alignment: a link from the achievement to a node in
// an external framework.
type Alignment struct {
	TargetName        string `json:"targetName"`
	TargetURL         string `json:"targetUrl"`
	TargetDescription string `json:"targetDescription,omitempty"`
	TargetCode        string `json:"targetCode,omitempty"`
	TargetFramework   string `json:"targetFramework,omitempty"`
	// TargetType is a term of the OB 3.0 AlignmentTargetType enumeration
	// (see AlignmentTargetTypes) or an "ext:" extension term.
	TargetType string `json:"targetType,omitempty"`
}

// ResultDescription is an OB 3.0 ResultDescription: a kind of result the
// achievement may carry (a grade, a rubric level, a pass status).
type ResultDescription struct {
	ID                   string                 `json:"id"`
	Name                 string                 `json:"name"`
	ResultType           string                 `json:"resultType"` // see ResultTypes
	AllowedValue         []string               `json:"allowedValue,omitempty"`
	RequiredLevel        string                 `json:"requiredLevel,omitempty"`
	RequiredValue        string                 `json:"requiredValue,omitempty"`
	RubricCriterionLevel []RubricCriterionLevel `json:"rubricCriterionLevel,omitempty"`
	ValueMax             string                 `json:"valueMax,omitempty"`
	ValueMin             string                 `json:"valueMin,omitempty"`
}

// RubricCriterionLevel is an OB 3.0 RubricCriterionLevel.
type RubricCriterionLevel struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Level       string `json:"level,omitempty"`
	Points      string `json:"points,omitempty"`
}

// Image is an OB 3.0 Image: an http(s) or data: URI and a caption.
type Image struct {
	ID      string `json:"id"`
	Caption string `json:"caption,omitempty"`
}

// IdentifierEntry is an OB 3.0 IdentifierEntry, another identifier of the
// achievement (a course code in a student information system, say).
type IdentifierEntry struct {
	Identifier     string `json:"identifier"`
	IdentifierType string `json:"identifierType"` // see IdentifierTypes
}

// Related is an OB 3.0 Related entry: the same achievement in another
// language or version.
type Related struct {
	ID         string `json:"id"`
	Version    string `json:"version,omitempty"`
	InLanguage string `json:"inLanguage,omitempty"`
}

// Profile is the part of an OB 3.0 Profile the catalog records for the
// achievement's creator (the awarding body). Its country is the
// achievement's Country.
type Profile struct {
	ID          string `json:"id"`
	Name        string `json:"name,omitempty"`
	URL         string `json:"url,omitempty"`
	Email       string `json:"email,omitempty"`
	Description string `json:"description,omitempty"`
}

// Workload is the notional learning time: all the hours an average learner
// needs (contact time, self-study, assessment), and the ECTS credits they
// correspond to. At least one of the two must be set.
type Workload struct {
	Hours float64 `json:"hours,omitempty"`
	ECTS  float64 `json:"ects,omitempty"`
}

// Assessment records how learning is assessed, and the EU optional element
// "supervision and identity verification during assessment".
type Assessment struct {
	Type             string `json:"type"` // one of AssessmentTypes
	Supervised       bool   `json:"supervised"`
	IdentityVerified bool   `json:"identityVerified"`
	Description      string `json:"description,omitempty"`
}

// QualityAssurance names the body and process that assure the quality of the
// micro-credential.
type QualityAssurance struct {
	Body        string `json:"body"`
	Description string `json:"description"`
	URL         string `json:"url,omitempty"`
}

// CredentialRef points at another catalog achievement.
type CredentialRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// CreditRecommendation is a recommendation, by a recognized body, of the
// academic credit the achievement is worth in one credit framework.
type CreditRecommendation struct {
	Framework string `json:"framework"` // FrameworkACE, FrameworkECTS or FrameworkNCrF
	// Amount is in the framework's unit: US semester hours for ACE, ECTS
	// credits, NCrF credits.
	Amount float64 `json:"amount"`
	// Level is the framework's level or category: for ACE one of ACELevels,
	// for ECTS a QF-EHEA cycle (ECTSCycles), for NCrF a credit level from 1
	// to 8 in steps of 0.5 ("4.5").
	Level            string    `json:"level,omitempty"`
	RecommendingBody string    `json:"recommendingBody"`
	URL              string    `json:"url,omitempty"` // the published recommendation
	ValidFrom        time.Time `json:"validFrom,omitzero"`
	ValidUntil       time.Time `json:"validUntil,omitzero"`
	Notes            string    `json:"notes,omitempty"`
}

// Skill aligns the achievement with a skill or occupation in a public
// taxonomy: an ESCO skill URI, an O*NET-SOC occupation code, or another
// framework's URI.
type Skill struct {
	Framework string `json:"framework"` // SkillFrameworkESCO, SkillFrameworkONET or SkillFrameworkOther
	URI       string `json:"uri,omitempty"`
	Code      string `json:"code,omitempty"`
	Name      string `json:"name"`
	// FrameworkName names the taxonomy of an "other" skill, e.g. "DigComp 2.2".
	FrameworkName string `json:"frameworkName,omitempty"`
}

// Form of participation values.
const (
	ParticipationOnline  = "online"
	ParticipationOnsite  = "onsite"
	ParticipationBlended = "blended"
)

// Participations lists the accepted forms of participation.
var Participations = []string{ParticipationOnline, ParticipationOnsite, ParticipationBlended}

// AssessmentTypes is the controlled list of assessment types. A closed list
// keeps the catalog filterable and lets a verifier compare entries; the
// free-text Assessment.Description carries the detail.
var AssessmentTypes = []string{
	"supervised online exam",
	"supervised onsite exam",
	"unsupervised online test",
	"project",
	"portfolio",
	"practical demonstration",
	"oral examination",
	"written assignment",
	"work-based assessment",
	"peer assessment",
	"participation only",
}

// AchievementTypes is the OB 3.0 AchievementType enumeration. Values outside
// it must start with "ext:".
var AchievementTypes = []string{
	"Achievement", "ApprenticeshipCertificate", "Assessment", "Assignment",
	"AssociateDegree", "Award", "Badge", "BachelorDegree", "Certificate",
	"CertificateOfCompletion", "Certification", "CommunityService", "Competency",
	"Course", "CoCurricular", "Degree", "Diploma", "DoctoralDegree", "Fieldwork",
	"GeneralEducationDevelopment", "JourneymanCertificate", "LearningProgram",
	"License", "Membership", "ProfessionalDoctorate", "QualityAssuranceCredential",
	"MasterCertificate", "MasterDegree", "MicroCredential", "ResearchDoctorate",
	"SecondarySchoolDiploma",
}

// AlignmentTargetTypes is the OB 3.0 AlignmentTargetType enumeration. Values
// outside it must start with "ext:".
var AlignmentTargetTypes = []string{
	"ceasn:Competency", "ceterms:Credential", "CFItem", "CFRubric",
	"CFRubricCriterion", "CFRubricCriterionLevel", "CTDL",
}

// ResultTypes is the OB 3.0 ResultType enumeration. Values outside it must
// start with "ext:".
var ResultTypes = []string{
	"GradePointAverage", "LetterGrade", "Percent", "PerformanceLevel",
	"PredictedScore", "RawScore", "Result", "RubricCriterion",
	"RubricCriterionLevel", "RubricScore", "ScaledScore", "Status",
}

// IdentifierTypes is the OB 3.0 IdentifierTypeEnum. Values outside it must
// start with "ext:".
var IdentifierTypes = []string{
	"name", "sourcedId", "systemId", "productId", "userName", "accountId",
	"emailAddress", "nationalIdentityNumber", "isbn", "issn", "lisSourcedId",
	"oneRosterSourcedId", "sisSourcedId", "ltiContextId", "ltiDeploymentId",
	"ltiToolId", "ltiPlatformId", "ltiUserId", "identifier",
}
