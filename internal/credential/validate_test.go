package credential

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

type validationCase struct {
	name string
	path string                       // property to change ("" for none)
	op   func(map[string]any, string) // change to apply at path
	want []string                     // expected errors, in order; nil means valid
}

func TestValidateJSON(t *testing.T) {
	base := readTestdata(t, "ob3-full.json")
	ach := "credentialSubject.achievement"
	cases := []validationCase{
		{name: "valid fixture"},
		{name: "AchievementCredential alias", path: "type", op: set(raw(t, `["VerifiableCredential","AchievementCredential"]`))},
		{name: "OB context 3.0.0", path: "@context", op: set(raw(t, `["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.0.json"]`))},
		{name: "embedded context object", path: "@context", op: set(raw(t, `["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",{"x":"https://example.org/x"}]`))},
		{name: "type as single string fails OB type", path: "type", op: set("VerifiableCredential"),
			want: []string{`type: must include "OpenBadgeCredential" or "AchievementCredential"`}},
		{name: "criteria id only", path: ach + ".criteria.narrative", op: del},
		{name: "criteria narrative only", path: ach + ".criteria.id", op: del},
		{name: "subject identifier only", path: "credentialSubject.id", op: del},
		{name: "subject id only", path: "credentialSubject.identifier", op: del},
		{name: "achievementType extension", path: ach + ".achievementType", op: set("ext:MicroCertificate")},
		{name: "validFrom with offset", path: "validFrom", op: set("2026-06-15T11:00:00.5+02:00")},
		{name: "achievement image as IRI", path: ach + ".image", op: set("data:image/png;base64,iVBORw0KGgo=")},
		{name: "issuer type as string", path: "issuer.type", op: set("Profile")},
		{name: "activity dates as date-times", path: "credentialSubject.activityStartDate", op: set("2026-03-02T08:00:00Z")},
		{name: "creator as IRI", path: ach + ".creator", op: set("did:web:northbridge.example")},

		{name: "@context missing", path: "@context", op: del, want: []string{"@context: required"}},
		{name: "@context wrong first", path: "@context", op: set(raw(t, `["https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json","https://www.w3.org/ns/credentials/v2"]`)),
			want: []string{`@context[0]: must be "https://www.w3.org/ns/credentials/v2"`}},
		{name: "@context without OB", path: "@context", op: set(raw(t, `["https://www.w3.org/ns/credentials/v2"]`)),
			want: []string{"@context: must include an Open Badges 3.0 context (3.0.0 to 3.0.3)"}},
		{name: "@context OB unversioned draft", path: "@context", op: set(raw(t, `["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context.json"]`)),
			want: []string{"@context: must include an Open Badges 3.0 context (3.0.0 to 3.0.3)"}},
		{name: "@context number", path: "@context", op: set(5.0), want: []string{"@context: must be an array"}},
		{name: "@context bad entry", path: "@context", op: set(raw(t, `["https://www.w3.org/ns/credentials/v2",5,"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]`)),
			want: []string{"@context[1]: must be a string or an object"}},
		{name: "id missing", path: "id", op: del, want: []string{"id: required"}},
		{name: "id relative", path: "id", op: set("credentials/1"), want: []string{"id: must be an absolute URI"}},
		{name: "id bad uuid", path: "id", op: set("urn:uuid:1234"), want: []string{"id: " + MsgUUIDForm}},
		{name: "id short uuid", path: "id", op: set("urn:uuid:677fe8a6cacf98774d482d06"), want: []string{"id: " + MsgUUIDForm}},
		{name: "id empty uuid", path: "id", op: set("urn:uuid:"), want: []string{"id: must be an absolute URI"}},
		{name: "id number", path: "id", op: set(42.0), want: []string{"id: must be a string"}},
		{name: "type without VC", path: "type", op: set(raw(t, `["OpenBadgeCredential"]`)), want: []string{`type: must include "VerifiableCredential"`}},
		{name: "type without OB", path: "type", op: set(raw(t, `["VerifiableCredential"]`)),
			want: []string{`type: must include "OpenBadgeCredential" or "AchievementCredential"`}},
		{name: "type number", path: "type", op: set(7.0), want: []string{"type: must be a string or an array of strings"}},
		{name: "type element number", path: "type", op: set(raw(t, `["VerifiableCredential",3]`)),
			want: []string{"type[1]: must be a string", `type: must include "OpenBadgeCredential" or "AchievementCredential"`}},
		{name: "name missing", path: "name", op: del, want: []string{"name: required"}},
		{name: "name empty", path: "name", op: set("  "), want: []string{"name: must not be empty"}},
		{name: "issuer missing", path: "issuer", op: del, want: []string{"issuer: required"}},
		{name: "issuer bare IRI", path: "issuer", op: set("did:web:northbridge.example"), want: []string{"issuer: must be a Profile object, not a bare IRI"}},
		{name: "issuer array", path: "issuer", op: set(raw(t, `[]`)), want: []string{"issuer: must be an object"}},
		{name: "issuer id missing", path: "issuer.id", op: del, want: []string{"issuer.id: required"}},
		{name: "issuer type wrong", path: "issuer.type", op: set(raw(t, `["Organization"]`)), want: []string{`issuer.type: must include "Profile"`}},
		{name: "issuer email", path: "issuer.email", op: set("credentials at northbridge"), want: []string{"issuer.email: must be an email address"}},
		{name: "issuer url", path: "issuer.url", op: set("www.northbridge.example"), want: []string{"issuer.url: must be an absolute URI"}},
		{name: "validFrom missing", path: "validFrom", op: del, want: []string{"validFrom: required"}},
		{name: "validFrom date only", path: "validFrom", op: set("2026-06-15"), want: []string{"validFrom: must be a date-time with a time zone (RFC 3339)"}},
		{name: "validFrom no zone", path: "validFrom", op: set("2026-06-15T09:00:00"), want: []string{"validFrom: must be a date-time with a time zone (RFC 3339)"}},
		{name: "validFrom month 13", path: "validFrom", op: set("2026-13-15T09:00:00Z"), want: []string{"validFrom: must be a date-time with a time zone (RFC 3339)"}},
		{name: "validUntil before validFrom", path: "validUntil", op: set("2026-06-15T08:59:59Z"), want: []string{"validUntil: must be after validFrom"}},
		{name: "awardedDate format", path: "awardedDate", op: set("yesterday"), want: []string{"awardedDate: must be a date-time with a time zone (RFC 3339)"}},
		{name: "subject missing", path: "credentialSubject", op: del, want: []string{"credentialSubject: required"}},
		{name: "subject array", path: "credentialSubject", op: set(raw(t, `[{}]`)), want: []string{"credentialSubject: must be an object"}},
		{name: "subject without id or identifier", path: "credentialSubject", op: func(m map[string]any, k string) {
			s := m[k].(map[string]any)
			delete(s, "id")
			delete(s, "identifier")
		}, want: []string{"credentialSubject: id or identifier required"}},
		{name: "subject type", path: "credentialSubject.type", op: set("Person"), want: []string{`credentialSubject.type: must include "AchievementSubject"`}},
		{name: "subject id not URI", path: "credentialSubject.id", op: set("did:"), want: []string{"credentialSubject.id: must be an absolute URI"}},
		// Without an achievement the result link cannot be checked; only the
		// root cause is reported.
		{name: "achievement missing", path: ach, op: del, want: []string{"credentialSubject.achievement: required"}},
		{name: "criteria missing", path: ach + ".criteria", op: del, want: []string{"credentialSubject.achievement.criteria: required"}},
		{name: "criteria empty", path: ach + ".criteria", op: set(raw(t, `{}`)), want: []string{"credentialSubject.achievement.criteria: id or narrative required"}},
		{name: "criteria empty narrative", path: ach + ".criteria", op: set(raw(t, `{"narrative":""}`)), want: []string{"credentialSubject.achievement.criteria: id or narrative required"}},
		{name: "criteria narrative number", path: ach + ".criteria", op: set(raw(t, `{"narrative":1}`)), want: []string{"credentialSubject.achievement.criteria.narrative: must be a string"}},
		{name: "achievement id missing", path: ach + ".id", op: del, want: []string{"credentialSubject.achievement.id: required"}},
		{name: "achievement type wrong", path: ach + ".type", op: set(raw(t, `["BadgeClass"]`)), want: []string{`credentialSubject.achievement.type: must include "Achievement"`}},
		{name: "achievement name missing", path: ach + ".name", op: del, want: []string{"credentialSubject.achievement.name: required"}},
		{name: "achievement description missing", path: ach + ".description", op: del, want: []string{"credentialSubject.achievement.description: required"}},
		{name: "achievementType unknown", path: ach + ".achievementType", op: set("Diploma2"),
			want: []string{`credentialSubject.achievement.achievementType: must be a value of the enumeration or an "ext:" extension`}},
		{name: "creditsAvailable string", path: ach + ".creditsAvailable", op: set("6"), want: []string{"credentialSubject.achievement.creditsAvailable: must be a number"}},
		{name: "creditsAvailable negative", path: ach + ".creditsAvailable", op: set(-1.0), want: []string{"credentialSubject.achievement.creditsAvailable: must not be negative"}},
		{name: "creditsEarned huge", path: "credentialSubject.creditsEarned", op: set(raw(t, `1e999`)), want: []string{"credentialSubject.creditsEarned: must be a number in the range of a double"}},
		{name: "image type", path: ach + ".image.type", op: set("Picture"), want: []string{`credentialSubject.achievement.image.type: must be "Image"`}},
		{name: "image type missing", path: ach + ".image.type", op: del, want: []string{"credentialSubject.achievement.image.type: required"}},
		{name: "image id missing", path: ach + ".image.id", op: del, want: []string{"credentialSubject.achievement.image.id: required"}},
		{name: "image number", path: ach + ".image", op: set(5.0), want: []string{"credentialSubject.achievement.image: must be a string or an object"}},
		{name: "image relative IRI", path: "image", op: set("badge.png"), want: []string{"image: must be an absolute URI"}},
		{name: "alignment targetUrl missing", path: ach + ".alignment[0].targetUrl", op: del, want: []string{"credentialSubject.achievement.alignment[0].targetUrl: required"}},
		{name: "alignment targetName missing", path: ach + ".alignment[1].targetName", op: del, want: []string{"credentialSubject.achievement.alignment[1].targetName: required"}},
		{name: "alignment targetType unknown", path: ach + ".alignment[0].targetType", op: set("Skill"),
			want: []string{`credentialSubject.achievement.alignment[0].targetType: must be a value of the enumeration or an "ext:" extension`}},
		{name: "alignment type missing", path: ach + ".alignment[0].type", op: del, want: []string{"credentialSubject.achievement.alignment[0].type: required"}},
		{name: "resultDescription resultType missing", path: ach + ".resultDescription[0].resultType", op: del,
			want: []string{"credentialSubject.achievement.resultDescription[0].resultType: required"}},
		{name: "resultDescription resultType unknown", path: ach + ".resultDescription[0].resultType", op: set("Grade"),
			want: []string{`credentialSubject.achievement.resultDescription[0].resultType: must be a value of the enumeration or an "ext:" extension`}},
		{name: "resultDescription name missing", path: ach + ".resultDescription[0].name", op: del,
			want: []string{"credentialSubject.achievement.resultDescription[0].name: required"}},
		{name: "resultDescription id missing", path: ach + ".resultDescription[0].id", op: del, want: []string{
			"credentialSubject.achievement.resultDescription[0].id: required",
			"credentialSubject.result[0].resultDescription: must be the id of a resultDescription of the achievement"}},
		{name: "resultDescription allowedValue", path: ach + ".resultDescription[0].allowedValue", op: set(raw(t, `["A",1]`)),
			want: []string{"credentialSubject.achievement.resultDescription[0].allowedValue[1]: must be a string"}},
		{name: "rubric level name missing", path: ach + ".resultDescription[0].rubricCriterionLevel", op: set(raw(t, `[{"id":"urn:uuid:6b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e","type":["RubricCriterionLevel"]}]`)),
			want: []string{"credentialSubject.achievement.resultDescription[0].rubricCriterionLevel[0].name: required"}},
		{name: "result value number", path: "credentialSubject.result[0].value", op: set(87.0), want: []string{"credentialSubject.result[0].value: must be a string"}},
		{name: "result links unknown description", path: "credentialSubject.result[0].resultDescription", op: set("https://www.northbridge.example/other"),
			want: []string{"credentialSubject.result[0].resultDescription: must be the id of a resultDescription of the achievement"}},
		{name: "result status required for Status results", path: ach + ".resultDescription[0].resultType", op: set("Status"),
			want: []string{"credentialSubject.result[0].status: required when the result description's resultType is Status"}},
		{name: "result status unknown", path: "credentialSubject.result[0].status", op: set("Done"),
			want: []string{"credentialSubject.result[0].status: must be one of Completed, Enrolled, Failed, InProgress, OnHold, Withdrew"}},
		{name: "result type missing", path: "credentialSubject.result[0].type", op: del, want: []string{"credentialSubject.result[0].type: required"}},
		{name: "result not object", path: "credentialSubject.result", op: set(raw(t, `["87"]`)), want: []string{"credentialSubject.result[0]: must be an object"}},
		{name: "identity type", path: "credentialSubject.identifier[0].type", op: set("Identity"), want: []string{`credentialSubject.identifier[0].type: must be "IdentityObject"`}},
		{name: "identity hashed missing", path: "credentialSubject.identifier[0].hashed", op: del, want: []string{"credentialSubject.identifier[0].hashed: required"}},
		{name: "identity hashed string", path: "credentialSubject.identifier[0].hashed", op: set("true"), want: []string{"credentialSubject.identifier[0].hashed: must be a boolean"}},
		{name: "identity hash malformed", path: "credentialSubject.identifier[0].identityHash", op: set("sha256$zz"),
			want: []string{`credentialSubject.identifier[0].identityHash: must be "sha256$" or "md5$" followed by the hex digest`}},
		{name: "identity hash unhashed plaintext", path: "credentialSubject.identifier", op: set(raw(t, `[{"type":"IdentityObject","hashed":false,"identityHash":"amara@example.org","identityType":"emailAddress"}]`))},
		{name: "identity type unknown", path: "credentialSubject.identifier[0].identityType", op: set("email"),
			want: []string{`credentialSubject.identifier[0].identityType: must be a value of the enumeration or an "ext:" extension`}},
		{name: "identity hash missing", path: "credentialSubject.identifier[0].identityHash", op: del, want: []string{"credentialSubject.identifier[0].identityHash: required"}},
		{name: "identifier not array", path: "credentialSubject.identifier", op: set(raw(t, `{}`)), want: []string{"credentialSubject.identifier: must be an array"}},
		{name: "activity date text", path: "credentialSubject.activityStartDate", op: set("March 2026"),
			want: []string{"credentialSubject.activityStartDate: must be a date or date-time (ISO 8601)"}},
		{name: "activity end before start", path: "credentialSubject.activityEndDate", op: set("2026-03-01"),
			want: []string{"credentialSubject.activityEndDate: must not be before activityStartDate"}},
		{name: "evidence type missing", path: "evidence[0].type", op: del, want: []string{"evidence[0].type: required"}},
		{name: "evidence object", path: "evidence", op: set(raw(t, `{"type":["Evidence"]}`)), want: []string{"evidence: must be an array"}},
		{name: "evidence element string", path: "evidence", op: set(raw(t, `["https://example.org/e"]`)), want: []string{"evidence[0]: must be an object"}},
		{name: "endorsementJwt malformed", path: "endorsementJwt", op: set(raw(t, `["abc", "eyJhbGciOiJFZERTQSJ9.eyJpc3MiOiJ4In0.c2ln"]`)), want: []string{"endorsementJwt[0]: must be a compact JWS"}},
		{name: "inLanguage", path: ach + ".inLanguage", op: set("english"), want: []string{"credentialSubject.achievement.inLanguage: must be a BCP 47 language tag such as en or en-US"}},
		{name: "tag number", path: ach + ".tag", op: set(raw(t, `[1]`)), want: []string{"credentialSubject.achievement.tag[0]: must be a string"}},
		{name: "credentialStatus type missing", path: "credentialStatus", op: set(raw(t, `{"id":"https://example.org/status#1"}`)), want: []string{"credentialStatus.type: required"}},
		{name: "credentialSchema array", path: "credentialSchema", op: set(raw(t, `[{"id":"https://example.org/schema.json"}]`)), want: []string{"credentialSchema[0].type: required"}},
		{name: "proof type missing", path: "proof", op: set(raw(t, `{"cryptosuite":"eddsa-rdfc-2022","created":"2026-01-01"}`)),
			want: []string{"proof.type: required", "proof.created: must be a date-time with a time zone (RFC 3339)"}},
		{name: "profile address country code", path: "issuer.address", op: set(raw(t, `{"type":["Address"],"addressCountryCode":"Germany","geo":{"type":"GeoCoordinates","latitude":"52"}}`)),
			want: []string{"issuer.address.addressCountryCode: must be an ISO 3166-1 alpha-2 country code", "issuer.address.geo.latitude: must be a number", "issuer.address.geo.longitude: required"}},
		{name: "profile dateOfBirth", path: "issuer.dateOfBirth", op: set("1990-02-30"), want: []string{"issuer.dateOfBirth: must be a date (YYYY-MM-DD)"}},
		{name: "otherIdentifier", path: ach + ".otherIdentifier", op: set(raw(t, `[{"type":"IdentifierEntry","identifier":"PC-DA"}]`)),
			want: []string{"credentialSubject.achievement.otherIdentifier[0].identifierType: required"}},
		{name: "related id missing", path: ach + ".related", op: set(raw(t, `[{"type":["Related"]}]`)), want: []string{"credentialSubject.achievement.related[0].id: required"}},
		{name: "nested endorsement", path: "endorsement", op: set(raw(t, `[{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],"id":"urn:uuid:1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f","type":["VerifiableCredential","EndorsementCredential"],"name":"E","issuer":{"id":"https://stats.example.org","type":["Profile"]},"validFrom":"2024-01-01T00:00:00Z","credentialSubject":{"type":["EndorsementSubject"]}}]`)),
			want: []string{"endorsement[0].credentialSubject.id: required"}},
		{name: "several errors in walk order", path: "credentialSubject", op: func(m map[string]any, k string) {
			delete(m, "validFrom")
			delete(m, "name")
			s := m[k].(map[string]any)
			s["result"] = raw(t, `[{"type":["Result"],"value":87}]`)
		}, want: []string{
			"name: required",
			"validFrom: required",
			"credentialSubject.result[0].value: must be a string",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := base
			if tc.path != "" {
				doc = mutate(t, base, tc.path, tc.op)
			}
			got := validationMessages(t, ValidateJSON(doc))
			if !slices.Equal(got, tc.want) {
				t.Errorf("ValidateJSON errors\n got: %q\nwant: %q", got, tc.want)
			}
			// Where the document decodes into the typed model, Validate on it
			// must report exactly the same problems.
			if c, err := Parse(doc); err == nil {
				if got := validationMessages(t, c.Validate()); !slices.Equal(got, tc.want) {
					t.Errorf("Validate errors\n got: %q\nwant: %q", got, tc.want)
				}
			}
		})
	}
}

func validationMessages(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var ve ValidationErrors
	if !errors.As(err, &ve) {
		t.Fatalf("error is not ValidationErrors: %v", err)
	}
	out := make([]string, len(ve))
	for i, fe := range ve {
		out[i] = fe.Error()
		if fe.Path != "" && !strings.HasPrefix(fe.Error(), fe.Path+": ") {
			t.Errorf("FieldError %q does not start with its path", fe.Error())
		}
	}
	return out
}

func TestValidateJSONNotADocument(t *testing.T) {
	if got := validationMessages(t, ValidateJSON([]byte(`[1,2]`))); !slices.Equal(got, []string{"must be a JSON object"}) {
		t.Errorf("array document: got %q", got)
	}
	for _, in := range []string{``, `{`, `{"a":1} {}`, `{"a":1,}`} {
		err := ValidateJSON([]byte(in))
		var ve ValidationErrors
		if err == nil || errors.As(err, &ve) {
			t.Errorf("ValidateJSON(%q) = %v, want a JSON syntax error", in, err)
		}
	}
}

func TestValidateEndorsement(t *testing.T) {
	c, err := Parse(readTestdata(t, "ob3-extensions.json"))
	if err != nil {
		t.Fatal(err)
	}
	good, err := c.Endorsement[0].Marshal()
	if err != nil {
		t.Fatal(err)
	}
	cases := []validationCase{
		{name: "valid"},
		{name: "type", path: "type", op: set(raw(t, `["VerifiableCredential","OpenBadgeCredential"]`)), want: []string{`type: must include "EndorsementCredential"`}},
		{name: "subject id", path: "credentialSubject.id", op: del, want: []string{"credentialSubject.id: required"}},
		{name: "subject type", path: "credentialSubject.type", op: set("Subject"), want: []string{`credentialSubject.type: must include "EndorsementSubject"`}},
		{name: "comment", path: "credentialSubject.endorsementComment", op: set(5.0), want: []string{"credentialSubject.endorsementComment: must be a string"}},
		{name: "validFrom", path: "validFrom", op: del, want: []string{"validFrom: required"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			doc := good
			if tc.path != "" {
				doc = mutate(t, good, tc.path, tc.op)
			}
			if got := validationMessages(t, ValidateEndorsementJSON(doc)); !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if e, err := ParseEndorsement(doc); err == nil {
				if got := validationMessages(t, e.Validate()); !slices.Equal(got, tc.want) {
					t.Errorf("Validate: got %q, want %q", got, tc.want)
				}
			}
		})
	}
}

func TestIsAbsoluteURI(t *testing.T) {
	cases := map[string]bool{
		"https://example.edu/issuers/565049":                            true,
		"http://data.europa.eu/esco/skill/abc":                          true,
		"urn:uuid:4f0c9a6e-2b1d-4c83-9e5a-7d21f3b8c610":                 true,
		"URN:UUID:4F0C9A6E-2B1D-4C83-9E5A-7D21F3B8C610":                 true,
		"urn:isbn:0451450523":                                           true,
		"did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#z6Mk": true,
		"did:web:example.com%3A8443:users:alice":                        true,
		"data:image/png;base64,iVBORw0KGgo=":                            true,
		"mailto:registrar@example.edu":                                  true,
		"":                                                              false,
		"example.edu/x":                                                 false,
		"/relative":                                                     false,
		"https://":                                                      false,
		"https:///path":                                                 false,
		"https://exa mple.edu":                                          false,
		// Absolute URIs whose UUID is not in the 8-4-4-4-12 form: URIs all
		// the same (WellFormedUUIDURN tells them apart).
		"urn:uuid:not-a-uuid":               true,
		"urn:uuid:677fe8a6cacf98774d482d06": true,
		"urn:uuid:":                         false,
		"urn:":                              false,
		"did:example":                       false,
		"did:Example:abc":                   false,
		"1http://x":                         false,
		"data:nocomma":                      false,
		"https://example.edu/\x00":          false,
	}
	for in, want := range cases {
		if got := IsAbsoluteURI(in); got != want {
			t.Errorf("IsAbsoluteURI(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestWellFormedUUIDURN(t *testing.T) {
	cases := map[string]bool{
		"urn:uuid:4f0c9a6e-2b1d-4c83-9e5a-7d21f3b8c610": true,
		"URN:UUID:4F0C9A6E-2B1D-4C83-9E5A-7D21F3B8C610": true,
		"urn:uuid:677fe8a6cacf98774d482d06":             false,
		"urn:uuid:19281fe8-90d2-4eao-a9da-6188898a6c":   false,
		"urn:uuid:4f0c9a6e2b1d4c839e5a7d21f3b8c610":     false,
		"https://example.edu/credentials/1":             true,
		"urn:isbn:0451450523":                           true,
	}
	for in, want := range cases {
		if got := WellFormedUUIDURN(in); got != want {
			t.Errorf("WellFormedUUIDURN(%q) = %v, want %v", in, got, want)
		}
		if !IsAbsoluteURI(in) {
			t.Errorf("IsAbsoluteURI(%q) = false, want true", in)
		}
	}
}
