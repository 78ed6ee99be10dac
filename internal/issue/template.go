package issue

import (
	"fmt"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/credential"
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
// So the static parts are checked once: checkTemplate runs
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

// checkTemplate validates the static parts of credentials of the given
// achievement version issued with profile, once per pair.
func (s *Service) checkTemplate(k templateKey, data *achievementData, profile map[string]any) error {
	s.init()
	if err, ok := s.cache.validated.get(k, s.now()); ok {
		return err
	}
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	req := sampleRequest
	req.ValidUntil = from.AddDate(1, 0, 0)
	doc := buildCredential(req, "urn:uuid:00000000-0000-4000-8000-000000000000", profile, data, from)
	err := credential.ValidateMap(doc)
	if err != nil {
		err = fmt.Errorf("issue: achievement %s version %d: built an invalid credential (a bug): %w",
			k.achievement.id, k.achievement.version, err)
	}
	s.cache.validated.put(k, err, s.now())
	return err
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
	for _, e := range ids {
		o, _ := e.(map[string]any)
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
			o, _ := e.(map[string]any)
			if !credential.IsAbsoluteURI(stringOf(o["id"])) {
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
