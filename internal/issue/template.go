package issue

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"sync/atomic"
	"time"

	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/jsonld"
	"github.com/microcred/microcred/internal/store"
)

// Validating what Issue builds.
//
// A credential built by Issue has two kinds of parts. The static parts —
// contexts, types, name, the issuer Profile and the embedded achievement —
// are the same for every credential of one achievement version issued by
// one organization profile. The per-credential parts — id, dates, the
// recipient's identifiers, name and DID, narrative and evidence — come from
// the Request. credential.ValidateMap checks a whole document by encoding
// it to JSON and walking the tree, which for an embedded achievement with
// its alignments and results costs more than the rest of building it, and
// it would find the same answer for the static parts every time.
//
// So the static parts are checked once: Service.template runs
// credential.ValidateMap on a credential built from them with sample
// per-credential values, and caches the outcome per (achievement version,
// issuer Profile) — versions are immutable, and a changed profile is a new
// key. The per-credential parts are then checked directly by
// checkPerCredential against the same rules ValidateMap applies to them.
// TestIssuedCredentialsPassFullValidation and FuzzPerCredentialCheck keep
// the two paths in agreement.

// templateKey identifies the static parts of a credential.
type templateKey struct {
	achievement achievementKey
	issuer      issuerKey
}

// issuerKey is what profileMap puts into the issuer Profile.
type issuerKey struct {
	id, name, url, email, description, image string
}

func issuerKeyOf(issuerID string, org store.Organization) issuerKey {
	return issuerKey{issuerID, org.Name, org.URL, org.Email, org.Description, org.ImageURL}
}

// sampleRequest fills every optional per-credential part, so the template
// check sees each property that a real credential can carry.
var sampleRequest = Request{
	RecipientEmail: "learner@example.org",
	RecipientName:  "Sample Learner",
	RecipientDID:   "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
	Narrative:      "Sample narrative.",
	EvidenceURL:    "https://example.org/evidence",
}

// credTemplate is what the credentials of one template share, prepared
// once: the verdict of the template check, the issuer Profile they embed
// (one map, so that the canonicalization template recognises it), a
// jsonld.Template that canonicalizes the achievement and the profile once
// for all of them, and both parts encoded as JSON.
type credTemplate struct {
	// data and profile are the parts every credential of the template
	// embeds. They are held here, and credentials are built from these
	// very maps: raw and canon recognise them by address.
	data                 *achievementData
	profile              map[string]any
	canon                *jsonld.Template // nil when the parts could not be prepared
	achPtr, profilePtr   uintptr
	achJSON, profileJSON []byte
	achString            string // achJSON, for store.Credential.SharedPart
	// schemaChecked is set once a credential of the template passed
	// 1EdTech's JSON Schema (see checkSchemaOnce).
	schemaChecked atomic.Bool
}

// checkSchemaOnce checks the first credential built from the template
// against 1EdTech's Open Badges 3.0 JSON Schema. The check costs about
// 0.3 ms, twice a signature, so it is not made for every credential:
// what the achievement and the issuer contribute is the same in every
// credential of the template, and the parts that vary (recipient, dates,
// status entry, evidence) are built by code that the tests check against
// the same schema for every format and issuance path.
func (t *credTemplate) checkSchemaOnce(doc map[string]any) error {
	if t.schemaChecked.Load() {
		return nil
	}
	if list, ok := doc["credentialStatus"].([]any); ok && len(list) > 1 {
		// An organization that opted in to suspension issues two entries,
		// knowingly beyond OB 3.0's one; the rest must still match.
		cp := make(map[string]any, len(doc))
		for k, v := range doc {
			cp[k] = v
		}
		cp["credentialStatus"] = list[0]
		doc = cp
	}
	if err := credential.ValidateSchema(credential.SchemaAchievementCredential, doc); err != nil {
		return fmt.Errorf("issue: the credential does not match the Open Badges 3.0 JSON Schema: %w", err)
	}
	t.schemaChecked.Store(true)
	return nil
}

// raw returns the prepared JSON of the template's parts (for
// credential.AppendJSON).
func (t *credTemplate) raw(m map[string]any) []byte {
	switch reflect.ValueOf(m).Pointer() {
	case t.achPtr:
		return t.achJSON
	case t.profilePtr:
		return t.profileJSON
	}
	return nil
}

// template validates the static parts of credentials of the given
// achievement version issued as org under issuerID, and prepares them,
// once per pair.
func (s *Service) template(k templateKey, data *achievementData, issuerID string, org store.Organization) (*credTemplate, error) {
	s.init()
	if t, ok := s.cache.templates.get(k, s.now()); ok {
		return t.tmpl, t.err
	}
	t, err := newCredTemplate(data, profileMap(issuerID, org))
	if err != nil {
		err = fmt.Errorf("issue: achievement %s version %d: built an invalid credential (a bug): %w",
			k.achievement.id, k.achievement.version, err)
		t = nil
	}
	s.cache.templates.put(k, templateOutcome{t, err}, s.now())
	return t, err
}

// templateOutcome is a cached result of Service.template.
type templateOutcome struct {
	tmpl *credTemplate
	err  error
}

// newCredTemplate checks a credential built from the static parts with
// sample per-credential values and prepares the parts. The canonicalization
// template is used only after it has given, for sample credentials of both
// shapes (with and without the optional parts), the canonical form the
// plain path gives; a template that does not is dropped, which costs speed,
// never correctness.
func newCredTemplate(data *achievementData, profile map[string]any) (*credTemplate, error) {
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	full := sampleRequest
	full.ValidUntil = from.AddDate(1, 0, 0)
	samples := []map[string]any{
		buildCredential(full, "urn:uuid:00000000-0000-4000-8000-000000000000", profile, data, from),
		buildCredential(Request{RecipientEmail: full.RecipientEmail}, "urn:uuid:00000000-0000-4000-8000-000000000001", profile, data, from),
	}
	if err := credential.ValidateMap(samples[0]); err != nil {
		return nil, err
	}
	t := &credTemplate{
		data:       data,
		profile:    profile,
		achPtr:     reflect.ValueOf(data.ob3).Pointer(),
		profilePtr: reflect.ValueOf(profile).Pointer(),
	}
	var err error
	if t.achJSON, err = json.Marshal(data.ob3); err != nil {
		return nil, fmt.Errorf("encode achievement: %w", err)
	}
	if t.profileJSON, err = json.Marshal(profile); err != nil {
		return nil, fmt.Errorf("encode profile: %w", err)
	}
	t.achString = string(t.achJSON)
	canon, err := jsonld.NewTemplate(samples[0], profile, data.ob3)
	if err != nil {
		slog.Warn("issue: achievement cannot be prepared for fast canonicalization", "achievement", data.entry.Name, "err", err)
		return t, nil
	}
	for _, doc := range samples {
		var fast bytes.Buffer
		want, err := jsonld.Canonicalize(doc)
		if err == nil {
			err = canon.WriteCanonical(&fast, doc)
		}
		if err != nil || fast.String() != want {
			slog.Warn("issue: fast canonicalization disagrees with the plain path; not used", "achievement", data.entry.Name, "err", err)
			return t, nil
		}
	}
	t.canon = canon
	return t, nil
}

// checkPerCredential checks the parts of doc that buildCredential takes
// from the request, by the rules credential.ValidateMap applies to them.
// Most hold by construction or by Request.Validate; checking them again
// costs little and keeps a change elsewhere from producing a credential
// that full validation would refuse.
func checkPerCredential(doc map[string]any) error {
	var fe FieldErrors
	if !credential.IsAbsoluteURI(stringOf(doc["id"])) {
		fe.add("id", "must be an absolute URI")
	}
	from, err := credential.ParseDateTime(stringOf(doc["validFrom"]))
	if err != nil {
		fe.add("valid_from", "must be a date-time")
	}
	if v, ok := doc["validUntil"]; ok {
		until, uerr := credential.ParseDateTime(stringOf(v))
		switch {
		case uerr != nil:
			fe.add("valid_until", "must be a date-time")
		case err == nil && !until.After(from):
			// Dates are written in whole seconds, so an end less than a
			// second after the start collapses onto it.
			fe.add("valid_until", "must be at least one second after the start of validity")
		}
	}
	subj, _ := doc["credentialSubject"].(map[string]any)
	if id, ok := subj["id"]; ok && !credential.IsAbsoluteURI(stringOf(id)) {
		fe.add("recipient_did", "must be an absolute URI")
	}
	ids, _ := subj["identifier"].([]any)
	if len(ids) == 0 {
		fe.add("recipient_email", "is required")
	}
	for i, e := range ids {
		o, _ := e.(map[string]any)
		if i > 0 {
			// The learner's other identifiers (Request.Identifiers): plain
			// values with a type.
			if o["type"] != "IdentityObject" || o["hashed"] != false || stringOf(o["identityHash"]) == "" || stringOf(o["identityType"]) == "" {
				fe.add(fmt.Sprintf("identifier[%d]", i-1), "must be an identity object with a type and a value")
			}
			continue
		}
		if !isSHA256Hash(stringOf(o["identityHash"])) || o["hashed"] != true ||
			o["type"] != "IdentityObject" || o["identityType"] != credential.IdentityTypeEmailAddress {
			fe.add("recipient_email", "could not be hashed into an identity object")
		}
	}
	for _, k := range []string{"name", "narrative"} {
		if v, ok := subj[k]; ok {
			if _, isString := v.(string); !isString {
				fe.add("recipient_"+k, "must be a string")
			}
		}
	}
	if ev, ok := doc["evidence"]; ok {
		list, _ := ev.([]any)
		for _, e := range list {
			// An Evidence's id is optional in OB 3.0 (a private file has
			// none); when present it must be an absolute URI.
			o, _ := e.(map[string]any)
			if id, has := o["id"]; o == nil || has && !credential.IsAbsoluteURI(stringOf(id)) {
				fe.add("evidence_url", "must be an absolute URI")
			}
		}
	}
	return fe.err()
}

// isSHA256Hash matches "sha256$" followed by 64 hex digits, the form
// credential.HashedEmail produces.
func isSHA256Hash(s string) bool {
	hex, ok := strings.CutPrefix(s, "sha256$")
	if !ok || len(hex) != 64 {
		return false
	}
	for i := 0; i < len(hex); i++ {
		c := hex[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
