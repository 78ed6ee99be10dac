package progress

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/proof"
	"github.com/microcred/microcred/internal/store"
)

// ClrSigner is what a CLR export needs of the issue service.
type ClrSigner interface {
	IssuerID(ctx context.Context, org store.Organization) (string, error)
	ActiveKey(ctx context.Context, orgID string) (*keys.KeyPair, store.SigningKey, error)
}

// clrSchemaID is the $id of 1EdTech's CLR 2.0 ClrCredential JSON Schema.
const clrSchemaID = "https://purl.imsglobal.org/spec/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json"

// CLR 2.0 contexts, in the order the specification's examples use.
var clrContexts = []any{
	"https://www.w3.org/ns/credentials/v2",
	"https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
	"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
	// Defines 1EdTechJsonSchemaValidator2019, the type of the
	// credentialSchema entry (1EdTech's own CLR samples carry it too).
	"https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
}

// ErrClrEmpty is returned when the learner holds no credential of the
// organization that can go into a record: CLR 2.0's ClrSubject requires
// at least one embedded credential.
var ErrClrEmpty = errors.New("clr: the learner holds no credential of the organization that can go into a record")

// ErrClrSchema marks a record that does not match 1EdTech's CLR 2.0 JSON
// Schema: it is not handed out. It means a fault of microcred (what it
// builds is checked against the schema in the tests), so callers log it
// and answer with an internal error.
var ErrClrSchema = errors.New("clr: the record does not match 1EdTech's CLR 2.0 JSON Schema")

// ClrCredential returns a Comprehensive Learner Record 2.0 ClrCredential
// of the organization for a learner, signed with the organization's key
// (eddsa-rdfc-2022): the organization's credentials issued to the
// learner that still count (not revoked, suspended or expired) as
// verifiableCredential, the achievements of the pathways they stack into
// as achievement, and for each pathway the learner has started an
// isPartOf association from each credential's achievement to the
// pathway's award, and the academic credit the organization's credit
// articulation awards as courses related to the credentials they were
// articulated from (see creditAchievements). The learner is identified by a salted hash of their
// email address, as Open Badges 3.0 does, and named as their
// credentials name them. include, when not nil, limits the credentials
// to those it accepts, for the embedded credentials and for the
// associations alike: the wallet passes the learner's linked credentials
// (other issuers' included), the API only the organization's own. Other
// organizations' credentials that include accepts and that the record's
// pathways rest on are embedded too, each with its own issuer's proof
// (CLR 2.0 records gather credentials of several issuers), so that a
// reader can verify every part of a pathway or credit the record shows; with a nil
// include only the organization's own are embedded.
// Credentials secured as VC-JWT are left out (ClrSubject embeds
// credentials as JSON objects), and so are those the CLR 2.0 schema does
// not accept as embedded credentials (VC 1.1 ones). With none of the
// organization's own credentials to embed the error is ErrClrEmpty; a
// signed record is checked against 1EdTech's CLR 2.0 JSON Schema before
// it is returned, and one that fails is refused with ErrClrSchema.
func (l *Loaded) ClrCredential(ctx context.Context, signer ClrSigner, org store.Organization, email string, include func(id string) bool, now time.Time) ([]byte, error) {
	key := store.EmailKey(email)
	issuerID, err := signer.IssuerID(ctx, org)
	if err != nil {
		return nil, fmt.Errorf("clr: %w", err)
	}
	achievements, associations, used, err := l.clrPathways(ctx, org, key, include, now)
	if err != nil {
		return nil, err
	}
	var facts []store.CredentialFact
	if err := l.svc.Store.CredentialFacts(ctx, key, func(f store.CredentialFact) error {
		counts := !f.Revoked && !f.Suspended && (f.ValidUntil == nil || f.ValidUntil.After(now))
		own := f.OrgID == org.ID && (include == nil || include(f.ID))
		other := f.OrgID != org.ID && include != nil && include(f.ID) && used[f.ID]
		if counts && (own || other) {
			facts = append(facts, f)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("clr: %w", err)
	}
	var vcs []any
	learnerName, owned := "", 0
	for _, f := range facts {
		c, err := l.svc.Store.Credential(ctx, f.ID)
		if err != nil {
			return nil, fmt.Errorf("clr: credential %s: %w", f.ID, err)
		}
		if c.Format == store.FormatJWT {
			continue
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(c.Document), &doc); err != nil {
			return nil, fmt.Errorf("clr: credential %s: %w", f.ID, err)
		}
		if credential.ValidateSchema(credential.SchemaClrEmbedded, doc) != nil {
			// CLR 2.0 embeds VC 2.0 credentials (validFrom, the VC 2.0
			// context first): one signed on VC 1.1, which the VC-API
			// issue endpoint allows, cannot be embedded as it is, and
			// re-signing would make it another credential.
			continue
		}
		vcs = append(vcs, doc)
		if f.OrgID == org.ID {
			owned++
			if learnerName == "" {
				learnerName = c.RecipientName
			}
		}
	}
	if owned == 0 {
		return nil, ErrClrEmpty
	}
	subject := map[string]any{"type": []any{"ClrSubject"}}
	if learnerName != "" {
		// The name the learner's credentials were issued to, as the VC
		// 2.0 "name" of the subject, as in microcred's Open Badges: a
		// reader sees whose record it is without the email address.
		subject["name"] = learnerName
	}
	var salt [16]byte
	if _, err := rand.Read(salt[:]); err != nil {
		return nil, fmt.Errorf("clr: salt: %w", err)
	}
	subject["identifier"] = []any{credential.HashedEmail(key, hex.EncodeToString(salt[:]))}
	subject["verifiableCredential"] = vcs
	if len(achievements) > 0 {
		subject["achievement"] = achievements
	}
	if len(associations) > 0 {
		subject["association"] = associations
	}
	id := "urn:uuid:" + store.NewID()
	doc := map[string]any{
		"@context":          clrContexts,
		"id":                id,
		"type":              []any{"VerifiableCredential", "ClrCredential"},
		"issuer":            map[string]any{"id": issuerID, "type": []any{"Profile"}, "name": org.Name},
		"name":              "Comprehensive Learner Record from " + org.Name,
		"validFrom":         now.UTC().Truncate(time.Second).Format(time.RFC3339),
		"credentialSubject": subject,
		// The schema the record is checked against before it is handed
		// out, named as CLR 2.0 asks, so that a verifier can apply it.
		"credentialSchema": []any{map[string]any{"id": clrSchemaID, "type": "1EdTechJsonSchemaValidator2019"}},
	}
	// Signing works on plain JSON values (the JSON-LD processor knows
	// []any, not []string or structs).
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("clr: encode: %w", err)
	}
	doc = nil
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("clr: encode: %w", err)
	}
	kp, _, err := signer.ActiveKey(ctx, org.ID)
	if err != nil {
		return nil, fmt.Errorf("clr: signing key: %w", err)
	}
	signed, err := proof.Sign(doc, kp, proof.Options{Suite: proof.SuiteRDFC, Created: now})
	if err != nil {
		return nil, fmt.Errorf("clr: sign: %w", err)
	}
	out, err := json.Marshal(signed)
	if err != nil {
		return nil, fmt.Errorf("clr: encode: %w", err)
	}
	if err := credential.ValidateClr(out); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrClrSchema, err)
	}
	return out, nil
}

// clrPathways returns the award achievements of the pathways the learner
// has started at org, the isPartOf associations of the achievements
// their progress rests on, the courses the organization's credit schemes
// credit with their isRelatedTo associations (see creditAchievements),
// and the credentials all of it rests on.
func (l *Loaded) clrPathways(ctx context.Context, org store.Organization, learnerKey string, include func(string) bool, now time.Time) (achievements, associations []any, used map[string]bool, err error) {
	used = map[string]bool{}
	o, ok := l.OrgBySlug(org.Slug)
	if !ok {
		return nil, nil, used, nil
	}
	all, err := l.LearnerCredentials(ctx, learnerKey)
	if err != nil {
		return nil, nil, nil, err
	}
	creds := all[:0]
	for _, c := range all {
		if include == nil || include(c.ID) {
			creds = append(creds, c)
		}
	}
	achOf := map[string]string{}
	for _, c := range creds {
		achOf[c.ID] = c.AchievementID
	}
	seen := map[string]bool{}
	for _, pr := range o.Engine.Progress(now, creds) {
		if pr.Award == nil || len(pr.Used) == 0 {
			continue
		}
		award, err := l.awardAchievement(ctx, org, pr.Award.AchievementID)
		if errors.Is(err, store.ErrNotFound) {
			continue // the award left the catalog: nothing to associate with
		}
		if err != nil {
			return nil, nil, nil, err
		}
		target, _ := award["id"].(string)
		if !seen[target] {
			seen[target] = true
			achievements = append(achievements, award)
		}
		for _, id := range pr.Used {
			used[id] = true
			src := achOf[id]
			if src == "" || src == target || seen[src+"\x00"+target] {
				continue
			}
			seen[src+"\x00"+target] = true
			associations = append(associations, map[string]any{
				"type": "Association", "associationType": "isPartOf", "sourceId": src, "targetId": target,
			})
		}
	}
	// The academic credit of the organization's articulation schemes.
	issuerID, err := l.svc.IssuerID(ctx, org)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("clr: %w", err)
	}
	credit := o.Engine.Audit(now, creds).Credit
	ca, cas, cu := creditAchievements(issuerID, credit, achOf)
	achievements = append(achievements, ca...)
	associations = append(associations, cas...)
	for _, id := range cu {
		used[id] = true
	}
	return achievements, associations, used, nil
}

// awardAchievement returns the OB 3.0 Achievement a pathway awards,
// named by its catalog slug or store id.
func (l *Loaded) awardAchievement(ctx context.Context, org store.Organization, ref string) (map[string]any, error) {
	a, err := l.svc.awardEntry(ctx, org, ref)
	if err != nil {
		return nil, fmt.Errorf("clr: award achievement %q: %w", ref, err)
	}
	v, err := l.svc.Store.AchievementVersion(ctx, a.ID, a.CurrentVersion)
	if err != nil {
		return nil, fmt.Errorf("clr: award achievement %q: %w", ref, err)
	}
	var entry catalog.Achievement
	if err := json.Unmarshal(v.Document, &entry); err != nil {
		return nil, fmt.Errorf("clr: award achievement %q: %w", ref, err)
	}
	entry.ID = l.svc.AchievementURL(a.ID)
	return entry.OB3(), nil
}
