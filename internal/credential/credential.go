package credential

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"
)

// Parse decodes an Open Badges 3.0 credential from JSON. It checks JSON types
// of the modelled properties but not the data model rules; call Validate (or
// ValidateJSON on the raw bytes) for those. Unknown properties are kept.
func Parse(data []byte) (*OpenBadgeCredential, error) {
	var c OpenBadgeCredential
	if err := parseObject(data, &c); err != nil {
		return nil, fmt.Errorf("credential: parse: %w", err)
	}
	return &c, nil
}

// ParseEndorsement decodes an EndorsementCredential from JSON; see Parse.
func ParseEndorsement(data []byte) (*EndorsementCredential, error) {
	var e EndorsementCredential
	if err := parseObject(data, &e); err != nil {
		return nil, fmt.Errorf("credential: parse endorsement: %w", err)
	}
	return &e, nil
}

func parseObject(data []byte, dst json.Unmarshaler) error {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return errors.New("document must be a JSON object")
	}
	if !json.Valid(trimmed) {
		// Checked up front so that syntax errors are reported as such rather
		// than as the type error of whichever property they fall in.
		var v any
		return fmt.Errorf("invalid JSON: %w", json.Unmarshal(trimmed, &v))
	}
	return dst.UnmarshalJSON(trimmed)
}

// Marshal encodes the credential as JSON.
func (c *OpenBadgeCredential) Marshal() ([]byte, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("credential: marshal: %w", err)
	}
	return b, nil
}

// Map returns the credential as a generic JSON tree (objects as
// map[string]any, arrays as []any, numbers as float64), the form the proof
// code signs and canonicalizes.
func (c *OpenBadgeCredential) Map() (map[string]any, error) {
	return toMap(c)
}

// Marshal encodes the endorsement as JSON.
func (e *EndorsementCredential) Marshal() ([]byte, error) {
	b, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("credential: marshal endorsement: %w", err)
	}
	return b, nil
}

// Map returns the endorsement as a generic JSON tree; see
// OpenBadgeCredential.Map.
func (e *EndorsementCredential) Map() (map[string]any, error) {
	return toMap(e)
}

func toMap(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("credential: marshal: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("credential: to map: %w", err)
	}
	return m, nil
}

// dateTimeZ matches an XML Schema dateTimeStamp: a date-time with a
// mandatory time zone, as VC 2.0 requires for validFrom and validUntil.
var dateTimeZ = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$`)

// ParseDateTime parses a date-time with time zone such as validFrom. It is
// stricter than time.RFC3339 parsing alone: the time zone is mandatory and
// the "T" and "Z" must be upper case, as in XML Schema dateTimeStamp.
func ParseDateTime(s string) (time.Time, error) {
	if !dateTimeZ.MatchString(s) {
		return time.Time{}, fmt.Errorf("credential: %q is not a date-time with time zone", s)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("credential: parse date-time %q: %w", s, err)
	}
	return t, nil
}

// FormatDateTime formats t the way new credentials write dates: UTC, whole
// seconds, RFC 3339 ("2026-01-31T09:00:00Z").
func FormatDateTime(t time.Time) string {
	return t.UTC().Truncate(time.Second).Format(time.RFC3339)
}

// NewOpenBadgeCredential returns an unsigned credential with the VC 2.0 and
// Open Badges 3.0 contexts and types set, issued by issuer to subject and
// valid from validFrom. The credential name defaults to the achievement name.
// Type properties left empty on issuer, subject and achievement are filled in
// with Profile, AchievementSubject and Achievement. The caller may set any
// other field afterwards.
func NewOpenBadgeCredential(id string, issuer Profile, subject AchievementSubject, validFrom time.Time) *OpenBadgeCredential {
	if issuer.Type.IsZero() {
		issuer.Type = TypesOf(TypeProfile)
	}
	issuer.IDOnly = false
	if subject.Type.IsZero() {
		subject.Type = TypesOf(TypeAchievementSubject)
	}
	name := ""
	if a := subject.Achievement; a != nil {
		if a.Type.IsZero() {
			a.Type = TypesOf(TypeAchievement)
		}
		name = a.Name
	}
	return &OpenBadgeCredential{
		Context:           ContextOf(ContextV2, ContextOB),
		ID:                id,
		Type:              TypesOf(TypeVerifiableCredential, TypeOpenBadgeCredential),
		Name:              name,
		Issuer:            &issuer,
		ValidFrom:         FormatDateTime(validFrom),
		CredentialSubject: &subject,
	}
}

// NewAchievement returns an Achievement with the required properties: id,
// type, name, description and criteria (a Markdown narrative).
func NewAchievement(id, name, description, criteriaNarrative string) *Achievement {
	return &Achievement{
		ID:          id,
		Type:        TypesOf(TypeAchievement),
		Name:        name,
		Description: description,
		Criteria:    &Criteria{Narrative: criteriaNarrative},
	}
}

// NewEndorsementCredential returns an unsigned EndorsementCredential in which
// issuer endorses the entity subjectID with comment.
func NewEndorsementCredential(id string, issuer Profile, subjectID, comment, name string, validFrom time.Time) *EndorsementCredential {
	if issuer.Type.IsZero() {
		issuer.Type = TypesOf(TypeProfile)
	}
	issuer.IDOnly = false
	return &EndorsementCredential{
		Context:   ContextOf(ContextV2, ContextOB),
		ID:        id,
		Type:      TypesOf(TypeVerifiableCredential, TypeEndorsementCredential),
		Name:      name,
		Issuer:    &issuer,
		ValidFrom: FormatDateTime(validFrom),
		CredentialSubject: &EndorsementSubject{
			ID:                 subjectID,
			Type:               TypesOf(TypeEndorsementSubject),
			EndorsementComment: comment,
		},
	}
}

// Bool returns a pointer to b, for optional boolean fields.
func Bool(b bool) *bool { return &b }

// Float returns a pointer to f, for optional number fields.
func Float(f float64) *float64 { return &f }
