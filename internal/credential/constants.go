package credential

// JSON-LD context URLs.
const (
	// ContextV2 is the W3C Verifiable Credentials Data Model 2.0 context; it
	// must be the first @context entry.
	ContextV2 = "https://www.w3.org/ns/credentials/v2"
	// ContextOB300 through ContextOB303 are the published Open Badges 3.0
	// contexts. A credential must reference one of them.
	ContextOB300 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.0.json"
	ContextOB301 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json"
	ContextOB302 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"
	ContextOB303 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
	// ContextOB is the Open Badges 3.0 context that new credentials use.
	ContextOB = ContextOB303
)

// obContexts lists the accepted Open Badges 3.0 context URLs.
var obContexts = []string{ContextOB300, ContextOB301, ContextOB302, ContextOB303}

// Type names used in the "type" properties of Open Badges 3.0 documents.
const (
	TypeVerifiableCredential  = "VerifiableCredential"
	TypeOpenBadgeCredential   = "OpenBadgeCredential"
	TypeAchievementCredential = "AchievementCredential"
	TypeEndorsementCredential = "EndorsementCredential"
	TypeProfile               = "Profile"
	TypeAchievement           = "Achievement"
	TypeAchievementSubject    = "AchievementSubject"
	TypeEndorsementSubject    = "EndorsementSubject"
	TypeCriteria              = "Criteria"
	TypeImage                 = "Image"
	TypeIdentityObject        = "IdentityObject"
	TypeIdentifierEntry       = "IdentifierEntry"
	TypeEvidence              = "Evidence"
	TypeResult                = "Result"
	TypeResultDescription     = "ResultDescription"
	TypeRubricCriterionLevel  = "RubricCriterionLevel"
	TypeAlignment             = "Alignment"
	TypeRelated               = "Related"
	TypeAddress               = "Address"
	TypeGeoCoordinates        = "GeoCoordinates"
	TypeDataIntegrityProof    = "DataIntegrityProof"
)

// IdentityType values for IdentityObject.identityType (an extensible
// enumeration; "ext:" values are allowed too).
const (
	IdentityTypeEmailAddress = "emailAddress"
	IdentityTypeSourcedID    = "sourcedId"
	IdentityTypeSystemID     = "systemId"
	IdentityTypeUserName     = "userName"
	IdentityTypeAccountID    = "accountId"
	IdentityTypeIdentifier   = "identifier"
)

// achievementTypes is the AchievementType enumeration of Open Badges 3.0.
var achievementTypes = []string{
	"Achievement", "ApprenticeshipCertificate", "Assessment", "Assignment",
	"AssociateDegree", "Award", "Badge", "BachelorDegree", "Certificate",
	"CertificateOfCompletion", "Certification", "CommunityService", "Competency",
	"Course", "CoCurricular", "Degree", "Diploma", "DoctoralDegree", "Fieldwork",
	"GeneralEducationDevelopment", "JourneymanCertificate", "LearningProgram",
	"License", "Membership", "ProfessionalDoctorate", "QualityAssuranceCredential",
	"MasterCertificate", "MasterDegree", "MicroCredential", "ResearchDoctorate",
	"SecondarySchoolDiploma",
}

// identifierTypes is the IdentifierTypeEnum of Open Badges 3.0.
var identifierTypes = []string{
	"sourcedId", "systemId", "productId", "userName", "accountId", "emailAddress",
	"nationalIdentityNumber", "isbn", "issn", "lisSourcedId", "oneRosterSourcedId",
	"sisSourcedId", "ltiContextId", "ltiDeploymentId", "ltiToolId", "ltiPlatformId",
	"ltiUserId", "identifier",
}

// alignmentTargetTypes is the AlignmentTargetType enumeration.
var alignmentTargetTypes = []string{
	"ceasn:Competency", "ceterms:Credential", "CFItem", "CFRubric",
	"CFRubricCriterion", "CFRubricCriterionLevel", "CTDL",
}

// resultTypes is the ResultType enumeration.
var resultTypes = []string{
	"GradePointAverage", "LetterGrade", "Percent", "PerformanceLevel",
	"PredictedScore", "RawScore", "Result", "RubricCriterion",
	"RubricCriterionLevel", "RubricScore", "ScaledScore", "Status",
}

// resultStatusTypes is the ResultStatusType enumeration (not extensible).
var resultStatusTypes = []string{"Completed", "Enrolled", "Failed", "InProgress", "OnHold", "Withdrew"}
