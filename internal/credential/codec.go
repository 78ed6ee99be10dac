package credential

import (
	"bytes"
	"encoding/json"
	"reflect"
)

// Every object type decodes and encodes through decodeObject and
// encodeObjectTo so that extension properties survive a round trip; see the
// package documentation.

var (
	_ json.Marshaler   = OpenBadgeCredential{}
	_ json.Unmarshaler = (*OpenBadgeCredential)(nil)
	_ json.Marshaler   = AchievementSubject{}
	_ json.Unmarshaler = (*AchievementSubject)(nil)
	_ json.Marshaler   = Achievement{}
	_ json.Unmarshaler = (*Achievement)(nil)
	_ json.Marshaler   = Criteria{}
	_ json.Unmarshaler = (*Criteria)(nil)
	_ json.Marshaler   = Address{}
	_ json.Unmarshaler = (*Address)(nil)
	_ json.Marshaler   = GeoCoordinates{}
	_ json.Unmarshaler = (*GeoCoordinates)(nil)
	_ json.Marshaler   = IdentityObject{}
	_ json.Unmarshaler = (*IdentityObject)(nil)
	_ json.Marshaler   = IdentifierEntry{}
	_ json.Unmarshaler = (*IdentifierEntry)(nil)
	_ json.Marshaler   = Alignment{}
	_ json.Unmarshaler = (*Alignment)(nil)
	_ json.Marshaler   = Related{}
	_ json.Unmarshaler = (*Related)(nil)
	_ json.Marshaler   = ResultDescription{}
	_ json.Unmarshaler = (*ResultDescription)(nil)
	_ json.Marshaler   = RubricCriterionLevel{}
	_ json.Unmarshaler = (*RubricCriterionLevel)(nil)
	_ json.Marshaler   = Result{}
	_ json.Unmarshaler = (*Result)(nil)
	_ json.Marshaler   = Evidence{}
	_ json.Unmarshaler = (*Evidence)(nil)
	_ json.Marshaler   = CredentialStatus{}
	_ json.Unmarshaler = (*CredentialStatus)(nil)
	_ json.Marshaler   = CredentialSchema{}
	_ json.Unmarshaler = (*CredentialSchema)(nil)
	_ json.Marshaler   = RefreshService{}
	_ json.Unmarshaler = (*RefreshService)(nil)
	_ json.Marshaler   = TermsOfUse{}
	_ json.Unmarshaler = (*TermsOfUse)(nil)
	_ json.Marshaler   = Proof{}
	_ json.Unmarshaler = (*Proof)(nil)
	_ json.Marshaler   = EndorsementCredential{}
	_ json.Unmarshaler = (*EndorsementCredential)(nil)
	_ json.Marshaler   = EndorsementSubject{}
	_ json.Unmarshaler = (*EndorsementSubject)(nil)
	_ json.Marshaler   = Profile{}
	_ json.Unmarshaler = (*Profile)(nil)
	_ json.Marshaler   = Image{}
	_ json.Unmarshaler = (*Image)(nil)
)

// MarshalJSON writes the object with its extension properties.
func (o OpenBadgeCredential) MarshalJSON() ([]byte, error) { return marshalWith(o) }

func (o OpenBadgeCredential) encodeTo(buf *bytes.Buffer) error {
	return encodeObjectTo(buf, reflect.ValueOf(o))
}

// UnmarshalJSON reads the object, keeping unknown properties in Extra.
func (o *OpenBadgeCredential) UnmarshalJSON(data []byte) error { return decodeObject(data, o) }

// MarshalJSON writes the object with its extension properties.
func (a AchievementSubject) MarshalJSON() ([]byte, error) { return marshalWith(a) }

func (a AchievementSubject) encodeTo(buf *bytes.Buffer) error {
	return encodeObjectTo(buf, reflect.ValueOf(a))
}

// UnmarshalJSON reads the object, keeping unknown properties in Extra.
func (a *AchievementSubject) UnmarshalJSON(data []byte) error { return decodeObject(data, a) }

// MarshalJSON writes the object with its extension properties.
func (a Achievement) MarshalJSON() ([]byte, error) { return marshalWith(a) }

func (a Achievement) encodeTo(buf *bytes.Buffer) error {
	return encodeObjectTo(buf, reflect.ValueOf(a))
}

// UnmarshalJSON reads the object, keeping unknown properties in Extra.
func (a *Achievement) UnmarshalJSON(data []byte) error { return decodeObject(data, a) }

// MarshalJSON writes the object with its extension properties.
func (c Criteria) MarshalJSON() ([]byte, error) { return marshalWith(c) }

func (c Criteria) encodeTo(buf *bytes.Buffer) error { return encodeObjectTo(buf, reflect.ValueOf(c)) }

// UnmarshalJSON reads the object, keeping unknown properties in Extra.
func (c *Criteria) UnmarshalJSON(data []byte) error { return decodeObject(data, c) }

// MarshalJSON writes the object with its extension properties.
func (a Address) MarshalJSON() ([]byte, error) { return marshalWith(a) }

func (a Address) encodeTo(buf *bytes.Buffer) error { return encodeObjectTo(buf, reflect.ValueOf(a)) }

// UnmarshalJSON reads the object, keeping unknown properties in Extra.
func (a *Address) UnmarshalJSON(data []byte) error { return decodeObject(data, a) }

// MarshalJSON writes the object with its extension properties.
func (g GeoCoordinates) MarshalJSON() ([]byte, error) { return marshalWith(g) }

func (g GeoCoordinates) encodeTo(buf *bytes.Buffer) error {
	return encodeObjectTo(buf, reflect.ValueOf(g))
}

// UnmarshalJSON reads the object, keeping unknown properties in Extra.
func (g *GeoCoordinates) UnmarshalJSON(data []byte) error { return decodeObject(data, g) }

// MarshalJSON writes the object with its extension properties.
func (i IdentityObject) MarshalJSON() ([]byte, error) { return marshalWith(i) }

func (i IdentityObject) encodeTo(buf *bytes.Buffer) error {
	return encodeObjectTo(buf, reflect.ValueOf(i))
}

// UnmarshalJSON reads the object, keeping unknown properties in Extra.
func (i *IdentityObject) UnmarshalJSON(data []byte) error { return decodeObject(data, i) }

// MarshalJSON writes the object with its extension properties.
func (i IdentifierEntry) MarshalJSON() ([]byte, error) { return marshalWith(i) }

func (i IdentifierEntry) encodeTo(buf *bytes.Buffer) error {
	return encodeObjectTo(buf, reflect.ValueOf(i))
}

// UnmarshalJSON reads the object, keeping unknown properties in Extra.
func (i *IdentifierEntry) UnmarshalJSON(data []byte) error { return decodeObject(data, i) }

// MarshalJSON writes the object with its extension properties.
func (a Alignment) MarshalJSON() ([]byte, error) { return marshalWith(a) }

func (a Alignment) encodeTo(buf *bytes.Buffer) error { return encodeObjectTo(buf, reflect.ValueOf(a)) }

// UnmarshalJSON reads the object, keeping unknown properties in Extra.
func (a *Alignment) UnmarshalJSON(data []byte) error { return decodeObject(data, a) }

// MarshalJSON writes the object with its extension properties.
func (r Related) MarshalJSON() ([]byte, error) { return marshalWith(r) }

func (r Related) encodeTo(buf *bytes.Buffer) error { return encodeObjectTo(buf, reflect.ValueOf(r)) }

// UnmarshalJSON reads the object, keeping unknown properties in Extra.
func (r *Related) UnmarshalJSON(data []byte) error { return decodeObject(data, r) }

// MarshalJSON writes the object with its extension properties.
func (r ResultDescription) MarshalJSON() ([]byte, error) { return marshalWith(r) }

func (r ResultDescription) encodeTo(buf *bytes.Buffer) error {
	return encodeObjectTo(buf, reflect.ValueOf(r))
}

// UnmarshalJSON reads the object, keeping unknown properties in Extra.
func (r *ResultDescription) UnmarshalJSON(data []byte) error { return decodeObject(data, r) }

// MarshalJSON writes the object with its extension properties.
func (r RubricCriterionLevel) MarshalJSON() ([]byte, error) { return marshalWith(r) }

func (r RubricCriterionLevel) encodeTo(buf *bytes.Buffer) error {
	return encodeObjectTo(buf, reflect.ValueOf(r))
}

// UnmarshalJSON reads the object, keeping unknown properties in Extra.
func (r *RubricCriterionLevel) UnmarshalJSON(data []byte) error { return decodeObject(data, r) }

// MarshalJSON writes the object with its extension properties.
func (r Result) MarshalJSON() ([]byte, error) { return marshalWith(r) }

func (r Result) encodeTo(buf *bytes.Buffer) error { return encodeObjectTo(buf, reflect.ValueOf(r)) }

// UnmarshalJSON reads the object, keeping unknown properties in Extra.
func (r *Result) UnmarshalJSON(data []byte) error { return decodeObject(data, r) }

// MarshalJSON writes the object with its extension properties.
func (e Evidence) MarshalJSON() ([]byte, error) { return marshalWith(e) }

func (e Evidence) encodeTo(buf *bytes.Buffer) error { return encodeObjectTo(buf, reflect.ValueOf(e)) }

// UnmarshalJSON reads the object, keeping unknown properties in Extra.
func (e *Evidence) UnmarshalJSON(data []byte) error { return decodeObject(data, e) }

// MarshalJSON writes the object with its extension properties.
func (c CredentialStatus) MarshalJSON() ([]byte, error) { return marshalWith(c) }

func (c CredentialStatus) encodeTo(buf *bytes.Buffer) error {
	return encodeObjectTo(buf, reflect.ValueOf(c))
}

// UnmarshalJSON reads the object, keeping unknown properties in Extra.
func (c *CredentialStatus) UnmarshalJSON(data []byte) error { return decodeObject(data, c) }

// MarshalJSON writes the object with its extension properties.
func (c CredentialSchema) MarshalJSON() ([]byte, error) { return marshalWith(c) }

func (c CredentialSchema) encodeTo(buf *bytes.Buffer) error {
	return encodeObjectTo(buf, reflect.ValueOf(c))
}

// UnmarshalJSON reads the object, keeping unknown properties in Extra.
func (c *CredentialSchema) UnmarshalJSON(data []byte) error { return decodeObject(data, c) }

// MarshalJSON writes the object with its extension properties.
func (r RefreshService) MarshalJSON() ([]byte, error) { return marshalWith(r) }

func (r RefreshService) encodeTo(buf *bytes.Buffer) error {
	return encodeObjectTo(buf, reflect.ValueOf(r))
}

// UnmarshalJSON reads the object, keeping unknown properties in Extra.
func (r *RefreshService) UnmarshalJSON(data []byte) error { return decodeObject(data, r) }

// MarshalJSON writes the object with its extension properties.
func (t TermsOfUse) MarshalJSON() ([]byte, error) { return marshalWith(t) }

func (t TermsOfUse) encodeTo(buf *bytes.Buffer) error { return encodeObjectTo(buf, reflect.ValueOf(t)) }

// UnmarshalJSON reads the object, keeping unknown properties in Extra.
func (t *TermsOfUse) UnmarshalJSON(data []byte) error { return decodeObject(data, t) }

// MarshalJSON writes the object with its extension properties.
func (p Proof) MarshalJSON() ([]byte, error) { return marshalWith(p) }

func (p Proof) encodeTo(buf *bytes.Buffer) error { return encodeObjectTo(buf, reflect.ValueOf(p)) }

// UnmarshalJSON reads the object, keeping unknown properties in Extra.
func (p *Proof) UnmarshalJSON(data []byte) error { return decodeObject(data, p) }

// MarshalJSON writes the object with its extension properties.
func (e EndorsementCredential) MarshalJSON() ([]byte, error) { return marshalWith(e) }

func (e EndorsementCredential) encodeTo(buf *bytes.Buffer) error {
	return encodeObjectTo(buf, reflect.ValueOf(e))
}

// UnmarshalJSON reads the object, keeping unknown properties in Extra.
func (e *EndorsementCredential) UnmarshalJSON(data []byte) error { return decodeObject(data, e) }

// MarshalJSON writes the object with its extension properties.
func (e EndorsementSubject) MarshalJSON() ([]byte, error) { return marshalWith(e) }

func (e EndorsementSubject) encodeTo(buf *bytes.Buffer) error {
	return encodeObjectTo(buf, reflect.ValueOf(e))
}

// UnmarshalJSON reads the object, keeping unknown properties in Extra.
func (e *EndorsementSubject) UnmarshalJSON(data []byte) error { return decodeObject(data, e) }

// MarshalJSON writes the bare IRI when IDOnly is set and only ID is present,
// and the object otherwise.
func (p Profile) MarshalJSON() ([]byte, error) { return marshalWith(p) }

func (p Profile) encodeTo(buf *bytes.Buffer) error {
	return encodeRefTo(buf, reflect.ValueOf(p), p.ID, p.IDOnly)
}

// UnmarshalJSON reads a bare IRI or a Profile object.
func (p *Profile) UnmarshalJSON(data []byte) error { return decodeRef(data, p, &p.ID, &p.IDOnly) }

// MarshalJSON writes the bare IRI when IDOnly is set and only ID is present,
// and the object otherwise.
func (i Image) MarshalJSON() ([]byte, error) { return marshalWith(i) }

func (i Image) encodeTo(buf *bytes.Buffer) error {
	return encodeRefTo(buf, reflect.ValueOf(i), i.ID, i.IDOnly)
}

// UnmarshalJSON reads a bare IRI or an Image object.
func (i *Image) UnmarshalJSON(data []byte) error { return decodeRef(data, i, &i.ID, &i.IDOnly) }
