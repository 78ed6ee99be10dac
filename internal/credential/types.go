package credential

// OpenBadgeCredential is an Open Badges 3.0 AchievementCredential (the two
// type names are aliases): a Verifiable Credential asserting that the subject
// earned an Achievement. Date properties hold the document's own strings; use
// ParseDateTime to read them as times.
type OpenBadgeCredential struct {
	Context           Context                     `json:"@context,omitempty"`
	ID                string                      `json:"id,omitempty"`
	Type              Types                       `json:"type,omitempty"`
	Name              string                      `json:"name,omitempty"`
	Description       string                      `json:"description,omitempty"`
	Image             *Image                      `json:"image,omitempty"`
	Issuer            *Profile                    `json:"issuer,omitempty"`
	ValidFrom         string                      `json:"validFrom,omitempty"`
	ValidUntil        string                      `json:"validUntil,omitempty"`
	AwardedDate       string                      `json:"awardedDate,omitempty"`
	CredentialSubject *AchievementSubject         `json:"credentialSubject,omitempty"`
	Evidence          []Evidence                  `json:"evidence,omitempty"`
	CredentialStatus  *CredentialStatus           `json:"credentialStatus,omitempty"`
	CredentialSchema  OneOrMany[CredentialSchema] `json:"credentialSchema,omitempty"`
	RefreshService    *RefreshService             `json:"refreshService,omitempty"`
	TermsOfUse        OneOrMany[TermsOfUse]       `json:"termsOfUse,omitempty"`
	Endorsement       []EndorsementCredential     `json:"endorsement,omitempty"`
	EndorsementJwt    []string                    `json:"endorsementJwt,omitempty"`
	Proof             OneOrMany[Proof]            `json:"proof,omitempty"`
	Extra             Extension                   `json:"-"`
}

// AchievementSubject describes the recipient of an achievement: an id (often
// a DID) or at least one IdentityObject, and the Achievement itself.
type AchievementSubject struct {
	ID                string           `json:"id,omitempty"`
	Type              Types            `json:"type,omitempty"`
	Identifier        []IdentityObject `json:"identifier,omitempty"`
	Achievement       *Achievement     `json:"achievement,omitempty"`
	ActivityStartDate string           `json:"activityStartDate,omitempty"`
	ActivityEndDate   string           `json:"activityEndDate,omitempty"`
	CreditsEarned     *float64         `json:"creditsEarned,omitempty"`
	Role              string           `json:"role,omitempty"`
	Result            []Result         `json:"result,omitempty"`
	Source            *Profile         `json:"source,omitempty"`
	Term              string           `json:"term,omitempty"`
	LicenseNumber     string           `json:"licenseNumber,omitempty"`
	Narrative         string           `json:"narrative,omitempty"`
	Image             *Image           `json:"image,omitempty"`
	Extra             Extension        `json:"-"`
}

// Achievement is the accomplishment being recognized (what OB 2.0 called a
// BadgeClass). Many credentials may refer to one Achievement.
type Achievement struct {
	ID                string                  `json:"id,omitempty"`
	Type              Types                   `json:"type,omitempty"`
	AchievementType   string                  `json:"achievementType,omitempty"`
	Name              string                  `json:"name,omitempty"`
	Description       string                  `json:"description,omitempty"`
	Criteria          *Criteria               `json:"criteria,omitempty"`
	Image             *Image                  `json:"image,omitempty"`
	Creator           *Profile                `json:"creator,omitempty"`
	CreditsAvailable  *float64                `json:"creditsAvailable,omitempty"`
	Alignment         []Alignment             `json:"alignment,omitempty"`
	Endorsement       []EndorsementCredential `json:"endorsement,omitempty"`
	EndorsementJwt    []string                `json:"endorsementJwt,omitempty"`
	FieldOfStudy      string                  `json:"fieldOfStudy,omitempty"`
	HumanCode         string                  `json:"humanCode,omitempty"`
	InLanguage        string                  `json:"inLanguage,omitempty"`
	OtherIdentifier   []IdentifierEntry       `json:"otherIdentifier,omitempty"`
	Related           []Related               `json:"related,omitempty"`
	ResultDescription []ResultDescription     `json:"resultDescription,omitempty"`
	Specialization    string                  `json:"specialization,omitempty"`
	Tag               []string                `json:"tag,omitempty"`
	Version           string                  `json:"version,omitempty"`
	Extra             Extension               `json:"-"`
}

// Criteria describes what a learner must do to earn an Achievement: a URI of
// a page describing it, a Markdown narrative, or both.
type Criteria struct {
	ID        string    `json:"id,omitempty"`
	Narrative string    `json:"narrative,omitempty"`
	Extra     Extension `json:"-"`
}

// Profile describes a person or organization: the issuer of a credential, the
// creator of an achievement, an endorser. It may be written as a bare IRI, in
// which case IDOnly is set and only ID is meaningful.
type Profile struct {
	ID               string                  `json:"id,omitempty"`
	Type             Types                   `json:"type,omitempty"`
	Name             string                  `json:"name,omitempty"`
	URL              string                  `json:"url,omitempty"`
	Phone            string                  `json:"phone,omitempty"`
	Description      string                  `json:"description,omitempty"`
	Image            *Image                  `json:"image,omitempty"`
	Email            string                  `json:"email,omitempty"`
	Address          *Address                `json:"address,omitempty"`
	OtherIdentifier  []IdentifierEntry       `json:"otherIdentifier,omitempty"`
	Official         string                  `json:"official,omitempty"`
	ParentOrg        *Profile                `json:"parentOrg,omitempty"`
	FamilyName       string                  `json:"familyName,omitempty"`
	GivenName        string                  `json:"givenName,omitempty"`
	AdditionalName   string                  `json:"additionalName,omitempty"`
	PatronymicName   string                  `json:"patronymicName,omitempty"`
	HonorificPrefix  string                  `json:"honorificPrefix,omitempty"`
	HonorificSuffix  string                  `json:"honorificSuffix,omitempty"`
	FamilyNamePrefix string                  `json:"familyNamePrefix,omitempty"`
	DateOfBirth      string                  `json:"dateOfBirth,omitempty"`
	Endorsement      []EndorsementCredential `json:"endorsement,omitempty"`
	EndorsementJwt   []string                `json:"endorsementJwt,omitempty"`
	Extra            Extension               `json:"-"`
	// IDOnly records the bare-IRI form: when set and no property other than
	// ID is present, the profile is written as the JSON string ID.
	IDOnly bool `json:"-"`
}

// Address is a postal address of a Profile.
type Address struct {
	Type                Types           `json:"type,omitempty"`
	AddressCountry      string          `json:"addressCountry,omitempty"`
	AddressCountryCode  string          `json:"addressCountryCode,omitempty"`
	AddressRegion       string          `json:"addressRegion,omitempty"`
	AddressLocality     string          `json:"addressLocality,omitempty"`
	StreetAddress       string          `json:"streetAddress,omitempty"`
	PostOfficeBoxNumber string          `json:"postOfficeBoxNumber,omitempty"`
	PostalCode          string          `json:"postalCode,omitempty"`
	Geo                 *GeoCoordinates `json:"geo,omitempty"`
	Extra               Extension       `json:"-"`
}

// GeoCoordinates is a point on Earth. Pointers distinguish 0 from absent.
type GeoCoordinates struct {
	Type      Types     `json:"type,omitempty"`
	Latitude  *float64  `json:"latitude,omitempty"`
	Longitude *float64  `json:"longitude,omitempty"`
	Extra     Extension `json:"-"`
}

// Image is a picture of a credential, achievement or profile: a URI (often a
// data: URI) with an optional caption. It may be written as a bare IRI, in
// which case IDOnly is set.
type Image struct {
	ID      string    `json:"id,omitempty"`
	Type    string    `json:"type,omitempty"`
	Caption string    `json:"caption,omitempty"`
	Extra   Extension `json:"-"`
	// IDOnly records the bare-IRI form; see Profile.IDOnly.
	IDOnly bool `json:"-"`
}

// IdentityObject identifies a recipient by a (usually hashed) identifier
// such as an email address, for subjects that have no DID. Hashed is a
// pointer because false is meaningful and the property is required.
type IdentityObject struct {
	Type         string    `json:"type,omitempty"`
	Hashed       *bool     `json:"hashed,omitempty"`
	IdentityHash string    `json:"identityHash,omitempty"`
	IdentityType string    `json:"identityType,omitempty"`
	Salt         string    `json:"salt,omitempty"`
	Extra        Extension `json:"-"`
}

// IdentifierEntry is another identifier of an Achievement or Profile, such
// as a course code in a student information system.
type IdentifierEntry struct {
	Type           string    `json:"type,omitempty"`
	Identifier     string    `json:"identifier,omitempty"`
	IdentifierType string    `json:"identifierType,omitempty"`
	Extra          Extension `json:"-"`
}

// Alignment links an achievement, result or rubric level to a node of an
// external framework (a skill in ESCO, an occupation in O*NET, a standard).
type Alignment struct {
	Type              Types     `json:"type,omitempty"`
	TargetName        string    `json:"targetName,omitempty"`
	TargetURL         string    `json:"targetUrl,omitempty"`
	TargetDescription string    `json:"targetDescription,omitempty"`
	TargetCode        string    `json:"targetCode,omitempty"`
	TargetFramework   string    `json:"targetFramework,omitempty"`
	TargetType        string    `json:"targetType,omitempty"`
	Extra             Extension `json:"-"`
}

// Related points to another version or language of the same Achievement.
type Related struct {
	ID         string    `json:"id,omitempty"`
	Type       Types     `json:"type,omitempty"`
	InLanguage string    `json:"inLanguage,omitempty"`
	Version    string    `json:"version,omitempty"`
	Extra      Extension `json:"-"`
}

// ResultDescription describes a possible result of an Achievement (a grade,
// a score range, a rubric) that Results of a credential link to by id.
type ResultDescription struct {
	ID                   string                 `json:"id,omitempty"`
	Type                 Types                  `json:"type,omitempty"`
	Name                 string                 `json:"name,omitempty"`
	ResultType           string                 `json:"resultType,omitempty"`
	Alignment            []Alignment            `json:"alignment,omitempty"`
	AllowedValue         []string               `json:"allowedValue,omitempty"`
	RequiredLevel        string                 `json:"requiredLevel,omitempty"`
	RequiredValue        string                 `json:"requiredValue,omitempty"`
	RubricCriterionLevel []RubricCriterionLevel `json:"rubricCriterionLevel,omitempty"`
	ValueMax             string                 `json:"valueMax,omitempty"`
	ValueMin             string                 `json:"valueMin,omitempty"`
	Extra                Extension              `json:"-"`
}

// RubricCriterionLevel is one level of a rubric criterion.
type RubricCriterionLevel struct {
	ID          string      `json:"id,omitempty"`
	Type        Types       `json:"type,omitempty"`
	Name        string      `json:"name,omitempty"`
	Description string      `json:"description,omitempty"`
	Level       string      `json:"level,omitempty"`
	Points      string      `json:"points,omitempty"`
	Alignment   []Alignment `json:"alignment,omitempty"`
	Extra       Extension   `json:"-"`
}

// Result is a result the subject achieved, linked to a ResultDescription of
// the achievement.
type Result struct {
	Type              Types       `json:"type,omitempty"`
	ResultDescription string      `json:"resultDescription,omitempty"`
	Value             string      `json:"value,omitempty"`
	AchievedLevel     string      `json:"achievedLevel,omitempty"`
	Status            string      `json:"status,omitempty"`
	Alignment         []Alignment `json:"alignment,omitempty"`
	Extra             Extension   `json:"-"`
}

// Evidence describes work or a demonstration supporting the award.
type Evidence struct {
	ID          string    `json:"id,omitempty"`
	Type        Types     `json:"type,omitempty"`
	Name        string    `json:"name,omitempty"`
	Description string    `json:"description,omitempty"`
	Narrative   string    `json:"narrative,omitempty"`
	Genre       string    `json:"genre,omitempty"`
	Audience    string    `json:"audience,omitempty"`
	Extra       Extension `json:"-"`
}

// CredentialStatus points to the status (revocation, suspension) of a
// credential, for example a BitstringStatusListEntry.
type CredentialStatus struct {
	ID                   string    `json:"id,omitempty"`
	Type                 string    `json:"type,omitempty"`
	StatusPurpose        string    `json:"statusPurpose,omitempty"`
	StatusListIndex      string    `json:"statusListIndex,omitempty"`
	StatusListCredential string    `json:"statusListCredential,omitempty"`
	Extra                Extension `json:"-"`
}

// CredentialSchema names a schema the credential conforms to, such as the
// 1EdTech JSON schema with type 1EdTechJsonSchemaValidator2019.
type CredentialSchema struct {
	ID    string    `json:"id,omitempty"`
	Type  string    `json:"type,omitempty"`
	Extra Extension `json:"-"`
}

// RefreshService tells a holder where to obtain a fresher credential.
type RefreshService struct {
	ID    string    `json:"id,omitempty"`
	Type  string    `json:"type,omitempty"`
	Extra Extension `json:"-"`
}

// TermsOfUse states the terms under which the credential was issued.
type TermsOfUse struct {
	ID    string    `json:"id,omitempty"`
	Type  string    `json:"type,omitempty"`
	Extra Extension `json:"-"`
}

// Proof is an embedded Data Integrity proof. Properties of other proof
// formats are kept in Extra.
type Proof struct {
	ID                 string            `json:"id,omitempty"`
	Type               string            `json:"type,omitempty"`
	Cryptosuite        string            `json:"cryptosuite,omitempty"`
	Created            string            `json:"created,omitempty"`
	Expires            string            `json:"expires,omitempty"`
	VerificationMethod string            `json:"verificationMethod,omitempty"`
	ProofPurpose       string            `json:"proofPurpose,omitempty"`
	ProofValue         string            `json:"proofValue,omitempty"`
	Challenge          string            `json:"challenge,omitempty"`
	Domain             string            `json:"domain,omitempty"`
	Nonce              string            `json:"nonce,omitempty"`
	PreviousProof      OneOrMany[string] `json:"previousProof,omitempty"`
	Extra              Extension         `json:"-"`
}

// EndorsementCredential is a Verifiable Credential in which a third party
// endorses a credential, an achievement or a profile.
type EndorsementCredential struct {
	Context           Context                     `json:"@context,omitempty"`
	ID                string                      `json:"id,omitempty"`
	Type              Types                       `json:"type,omitempty"`
	Name              string                      `json:"name,omitempty"`
	Description       string                      `json:"description,omitempty"`
	Issuer            *Profile                    `json:"issuer,omitempty"`
	ValidFrom         string                      `json:"validFrom,omitempty"`
	ValidUntil        string                      `json:"validUntil,omitempty"`
	AwardedDate       string                      `json:"awardedDate,omitempty"`
	CredentialSubject *EndorsementSubject         `json:"credentialSubject,omitempty"`
	Evidence          []Evidence                  `json:"evidence,omitempty"`
	CredentialStatus  *CredentialStatus           `json:"credentialStatus,omitempty"`
	CredentialSchema  OneOrMany[CredentialSchema] `json:"credentialSchema,omitempty"`
	RefreshService    *RefreshService             `json:"refreshService,omitempty"`
	TermsOfUse        OneOrMany[TermsOfUse]       `json:"termsOfUse,omitempty"`
	Proof             OneOrMany[Proof]            `json:"proof,omitempty"`
	Extra             Extension                   `json:"-"`
}

// EndorsementSubject is the entity endorsed and the endorser's comment.
type EndorsementSubject struct {
	ID                 string    `json:"id,omitempty"`
	Type               Types     `json:"type,omitempty"`
	EndorsementComment string    `json:"endorsementComment,omitempty"`
	Extra              Extension `json:"-"`
}
