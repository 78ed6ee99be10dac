package issue

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/jsonld"
	"github.com/microcred/microcred/internal/proof"
	"github.com/microcred/microcred/internal/status"
	"github.com/microcred/microcred/internal/store"
)

// ExternalAchievementSlug is the slug of the catalog entry, created on first
// use in each organization, that records credentials signed through
// IssueDocument whose achievement is not in the organization's catalog (and
// credentials that are not Open Badges at all). The store requires every
// credential to name an achievement version; this entry gives such
// credentials one without inventing catalog content.
const ExternalAchievementSlug = "vc-api-credentials"

// DocumentOptions are the options of IssueDocument.
type DocumentOptions struct {
	// Format is the securing mechanism; "" means ldp-rdfc.
	Format store.Format
	// Created, when set, is the Data Integrity proof's creation time (the
	// VC-API option "created"); it must be whole seconds, the precision
	// proofs are written in. Zero means the time of signing.
	Created time.Time
	Actor   string // user id or API client id, for the audit log
}

// Listed returns q limited to the achievements of the catalog proper: the
// ExternalAchievementSlug entry is bookkeeping (it has no learning
// outcomes, workload, level or quality assurance to show), so it never
// appears in the public catalog, an organization's profile, the catalog
// API or the forms that pick an achievement to issue.
func Listed(q store.AchievementQuery) store.AchievementQuery {
	q.ExcludeSlugs = append(append([]string(nil), q.ExcludeSlugs...), ExternalAchievementSlug)
	return q
}

// IsBookkeeping tells whether an achievement is the ExternalAchievementSlug
// entry rather than part of the catalog.
func IsBookkeeping(a store.Achievement) bool { return a.Slug == ExternalAchievementSlug }

// IssueDocument signs a credential supplied by the caller (the W3C VC-API
// issue endpoint) as the organization, then stores and audits it.
//
// The credential is refused, with FieldErrors whose paths start with
// "credential.", when it does not say what it must (see checkInput): a
// null or non-URL issuer or id (an absent issuer is set to the
// organization's Profile for Open Badges credentials and to the issuer id
// otherwise; an absent id is assigned as urn:uuid), a subject that claims
// nothing, a credentialStatus, termsOfUse, evidence, refreshService or
// credentialSchema object without a type, a relatedResource digest that
// is malformed or differs from the published digest this server knows. VC 2.0 and
// VC 1.1 credentials (issuanceDate) are both signed as given. Open Badges
// credentials must also meet the Open Badges 3.0 rules
// (credential.ValidateMap) and 1EdTech's JSON Schema, a VC 1.1 one as read
// on VC 2.0. Both cryptosuites refuse what is not valid JSON-LD. The
// document must not carry a proof yet.
//
// A credential whose credentialSubject.achievement.id is one of the
// organization's achievements is recorded under that achievement (and the
// version it names, if it exists); any other under the organization's
// ExternalAchievementSlug entry. The write shares transactions with
// concurrent issuance (see batchWriter).
func (s *Service) IssueDocument(ctx context.Context, orgID string, doc map[string]any, opt DocumentOptions) (store.Credential, error) {
	s.init()
	format, actor := opt.Format, opt.Actor
	if format == "" {
		format = store.FormatLDPRDFC
	}
	if !format.Valid() {
		return store.Credential{}, FieldErrors{{Field: "options.format", Problem: "must be ldp-rdfc, ldp-jcs or jwt"}}
	}
	created := opt.Created
	switch {
	case created.IsZero():
	case format == store.FormatJWT:
		return store.Credential{}, FieldErrors{{Field: "options.created", Problem: "applies to Data Integrity proofs only, not to JWT"}}
	case created.Nanosecond() != 0:
		return store.Credential{}, FieldErrors{{Field: "options.created", Problem: "must be whole seconds, the precision proofs are dated in"}}
	}
	if doc == nil {
		return store.Credential{}, FieldErrors{{Field: "credential", Problem: "is required"}}
	}
	org, err := s.organization(ctx, orgID)
	if err != nil {
		return store.Credential{}, err
	}
	kp, _, err := s.ActiveKey(ctx, org.ID)
	if err != nil {
		return store.Credential{}, err
	}
	issuerID := s.webDID(org.Slug)
	if org.DIDMethod == store.DIDKey {
		issuerID = kp.Controller
	}
	doc = shallowCopy(doc)
	isOB := slices.ContainsFunc(typesOf(doc["type"]), func(t string) bool {
		return t == credential.TypeOpenBadgeCredential || t == credential.TypeAchievementCredential
	})
	// A VC 1.1 credential is signed as given; it is checked by the VC 1.1
	// rules, and an Open Badge on VC 1.1 by the Open Badges 3.0 rules as
	// read on VC 2.0 (issuanceDate as validFrom).
	vc11 := firstContext(doc) == ContextV1
	// Refuse before anything is filled in: a null issuer or id is a
	// mistake to report, not a gap to fill.
	fe := checkInput(doc, issuerID)
	if _, ok := doc["proof"]; ok {
		fe.add("credential.proof", "must be absent: the issuer adds the proof")
	}
	if vc11 {
		fe = append(fe, vc11Basics(doc)...)
	} else {
		fe = append(fe, vcBasics(doc)...)
	}
	if len(fe) > 0 {
		return store.Credential{}, fe
	}
	if _, has := doc["issuer"]; !has {
		if isOB {
			doc["issuer"] = profileMap(issuerID, org)
		} else {
			doc["issuer"] = issuerID
		}
	}
	if _, has := doc["id"]; !has {
		doc["id"] = "urn:uuid:" + store.NewID()
	}
	if id, ok := doc["id"].(string); ok {
		if !credential.WellFormedUUIDURN(id) {
			// Accepted from other issuers with a warning, but never
			// produced here.
			return store.Credential{}, FieldErrors{{Field: "credential.id", Problem: credential.MsgUUIDForm}}
		}
		// urn:uuid ids that differ only in case are one id; the
		// credential is signed with the canonical form.
		doc["id"] = credential.NormalizeID(id)
	}
	if iss, ok := doc["issuer"].(map[string]any); ok {
		// Whatever name, address or image the caller gave, people are
		// shown the organization's own: an issuer object is the
		// organization's profile, never another's (checkInput has
		// refused any other issuer id).
		if isOB {
			doc["issuer"] = profileMap(issuerID, org)
		} else if _, named := iss["name"]; named {
			doc["issuer"] = map[string]any{"id": issuerID, "name": org.Name}
		} else {
			doc["issuer"] = map[string]any{"id": issuerID}
		}
	}
	checked := doc
	if vc11 {
		checked = asVC2(doc)
	}
	if isOB {
		if err := credential.ValidateMap(checked); err != nil {
			var ve credential.ValidationErrors
			if !errors.As(err, &ve) {
				return store.Credential{}, FieldErrors{{Field: "credential", Problem: err.Error()}}
			}
			return store.Credential{}, credentialFieldErrors(ve, vc11)
		}
	}

	now := s.now().UTC().Truncate(time.Second)
	c := store.Credential{ID: doc["id"].(string), OrgID: org.ID, Format: format, IssuedAt: now, ValidFrom: now}
	if t, err := credential.ParseDateTime(stringOf(checked["validFrom"])); err == nil {
		c.ValidFrom = t
	}
	if t, err := credential.ParseDateTime(stringOf(checked["validUntil"])); err == nil {
		c.ValidUntil = &t
	}
	if c.AchievementID, c.AchievementVersion, err = s.documentAchievement(ctx, org, doc); err != nil {
		return store.Credential{}, err
	}
	// Credentials get this server's status entries, allocated before
	// signing, unless the caller supplied its own credentialStatus.
	var assigned []status.Assignment
	_, callerStatus := doc["credentialStatus"]
	if !callerStatus {
		if assigned, err = s.Status.Allocate(ctx, org.ID, status.PurposesFor(org)...); err != nil {
			return store.Credential{}, fmt.Errorf("issue: %w", err)
		}
		doc["credentialStatus"] = s.Status.Entries(org.Slug, assigned)
		if vc11 {
			// The VC 1.1 context does not define the Bitstring Status List
			// terms (VC 2.0's does); their own context, made for VC 1.1
			// credentials, is added so that the entry means something.
			doc["@context"] = withContext(doc["@context"], statusContextV1)
		}
	}
	if vc11 {
		// Nor does it define the Data Integrity proof's terms: their
		// context is added, as Data Integrity libraries do when signing a
		// VC 1.1 credential.
		doc["@context"] = withContext(doc["@context"], dataIntegrityContext)
	}
	if isOB {
		// What this server signs is OB 3.0: 1EdTech's JSON Schema, with
		// the documented exception of an opted-in suspension entry.
		if fe := schemaFieldErrors(checked, vc11, org.Suspension && !callerStatus); len(fe) > 0 {
			return store.Credential{}, fe
		}
	}
	if format == store.FormatLDPJCS {
		// eddsa-jcs-2022 signs the JSON as is, but the credential is still
		// JSON-LD: it gets the checks the eddsa-rdfc-2022 path makes while
		// canonicalizing (contexts shipped, protected terms not redefined,
		// every term defined), from the same JSON-LD processor.
		if _, err := jsonld.Canonicalize(doc); err != nil {
			return store.Credential{}, FieldErrors{jsonldProblem(err)}
		}
	}
	if created.IsZero() {
		created = now
	}
	if c.Document, _, err = sign(doc, kp, format, created, nil); err != nil {
		if errors.Is(err, proof.ErrCanonicalize) {
			return store.Credential{}, FieldErrors{jsonldProblem(err)}
		}
		return store.Credential{}, err
	}
	ev, err := auditEvent(org.ID, actor, "credential.issue", c.ID, map[string]any{
		"achievement_id": c.AchievementID, "achievement_version": c.AchievementVersion, "format": string(format), "via": "document",
	})
	if err != nil {
		return store.Credential{}, fmt.Errorf("issue: %w", err)
	}
	var stored store.Credential
	err = s.writer().do(ctx, func(ctx context.Context, tx store.Store) error {
		var err error
		if stored, _, err = tx.InsertCredential(ctx, c); err != nil {
			return err
		}
		if err := status.Record(ctx, tx, c.OrgID, c.ID, assigned); err != nil {
			return err
		}
		if _, err := tx.AppendAudit(ctx, ev); err != nil {
			return fmt.Errorf("audit %s: %w", ev.Action, err)
		}
		return logIssue(ctx, tx, stored)
	})
	if errors.Is(err, store.ErrConflict) {
		// One answer whichever organization holds the id, so that the
		// answer does not tell another organization's ids exist.
		return store.Credential{}, FieldErrors{{Field: "credential.id", Problem: "cannot be used for a new credential; choose another id, or leave it out to get a new urn:uuid"}}
	}
	if err != nil {
		return store.Credential{}, fmt.Errorf("issue: store credential: %w", err)
	}
	return stored, nil
}

// statusContextV1 is the Bitstring Status List context, for credentials
// whose base context does not define its terms (VC 1.1).
const statusContextV1 = "https://www.w3.org/ns/credentials/status/v1"

// dataIntegrityContext defines the Data Integrity proof terms, for
// credentials whose base context does not (VC 1.1).
const dataIntegrityContext = "https://w3id.org/security/data-integrity/v2"

// withContext returns the @context value ctx with url appended, unless it
// is there already.
func withContext(ctx any, url string) any {
	list, ok := ctx.([]any)
	if !ok {
		list = []any{ctx}
	}
	if slices.Contains(list, any(url)) {
		return ctx
	}
	return append(append([]any(nil), list...), url)
}

// credentialFieldErrors turns Open Badges data-model findings into field
// errors under "credential.", naming a VC 1.1 credential's own date
// properties.
func credentialFieldErrors(ve credential.ValidationErrors, vc11 bool) FieldErrors {
	var fe FieldErrors
	for _, e := range ve {
		field := "credential"
		if e.Path != "" {
			field += "." + vc11Path(e.Path, vc11)
		}
		fe.add(field, "%s", e.Message)
	}
	return fe
}

func vc11Path(path string, vc11 bool) string {
	if !vc11 {
		return path
	}
	for v2, v1 := range map[string]string{"validFrom": "issuanceDate", "validUntil": "expirationDate"} {
		if path == v2 || strings.HasPrefix(path, v2+".") {
			return v1 + path[len(v2):]
		}
	}
	return path
}

// schemaFieldErrors checks an Open Badge about to be signed (checked: the
// document, or the VC 2.0 reading of a VC 1.1 one) against 1EdTech's JSON Schema. The proof is
// not there yet (it is added as the schema wants it); with ourStatus, the
// credentialStatus is the two entries of an organization that opted in to
// suspension, which knowingly goes beyond OB 3.0's one.
func schemaFieldErrors(checked map[string]any, vc11, ourStatus bool) FieldErrors {
	err := credential.ValidateSchema(credential.SchemaAchievementCredential, checked)
	var ve credential.ValidationErrors
	if !errors.As(err, &ve) {
		if err != nil {
			return FieldErrors{{Field: "credential", Problem: err.Error()}}
		}
		return nil
	}
	var fe FieldErrors
	for _, e := range ve {
		if ourStatus && (e.Path == "credentialStatus" || strings.HasPrefix(e.Path, "credentialStatus[")) {
			continue
		}
		field := "credential"
		if e.Path != "" {
			field += "." + vc11Path(e.Path, vc11)
		}
		fe.add(field, "%s (Open Badges 3.0 JSON Schema)", e.Message)
	}
	return fe
}

// vcBasics checks what every VC 2.0 credential needs: the base context
// first, the VerifiableCredential type and date-times (the subject is
// checkInput's).
func vcBasics(doc map[string]any) FieldErrors {
	var fe FieldErrors
	first := doc["@context"]
	if list, ok := first.([]any); ok && len(list) > 0 {
		first = list[0]
	}
	if first != credential.ContextV2 {
		fe.add("credential.@context", "must start with %s (VC 2.0) or %s (VC 1.1)", credential.ContextV2, ContextV1)
	}
	if !slices.Contains(typesOf(doc["type"]), credential.TypeVerifiableCredential) {
		fe.add("credential.type", "must include VerifiableCredential")
	}
	for _, name := range []string{"validFrom", "validUntil"} {
		if v, ok := doc[name]; ok {
			if _, err := credential.ParseDateTime(stringOf(v)); err != nil {
				fe.add("credential."+name, "must be a date-time with time zone such as 2026-01-31T09:00:00Z")
			}
		}
	}
	return fe
}

// documentAchievement decides which achievement version a caller-supplied
// credential is recorded under.
func (s *Service) documentAchievement(ctx context.Context, org store.Organization, doc map[string]any) (string, int, error) {
	if subj, ok := doc["credentialSubject"].(map[string]any); ok {
		if a, ok := subj["achievement"].(map[string]any); ok {
			if rest, ok := strings.CutPrefix(stringOf(a["id"]), s.achievementURLPrefix()); ok && rest != "" {
				if ach, err := s.Store.Achievement(ctx, rest); err == nil && ach.OrgID == org.ID {
					version := ach.CurrentVersion
					if n, err := strconv.Atoi(stringOf(a["version"])); err == nil && n >= 1 && n <= ach.CurrentVersion {
						version = n
					}
					return ach.ID, version, nil
				}
			}
		}
	}
	id, err := s.externalAchievement(ctx, org)
	return id, 1, err
}

// externalAchievement returns the id of the organization's
// ExternalAchievementSlug entry, creating it on first use.
func (s *Service) externalAchievement(ctx context.Context, org store.Organization) (string, error) {
	for range 2 {
		a, err := s.Store.AchievementBySlug(ctx, org.ID, ExternalAchievementSlug)
		if err == nil {
			return a.ID, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return "", fmt.Errorf("issue: external achievement: %w", err)
		}
		id := store.NewID()
		entry := &catalog.Achievement{
			ID:       s.AchievementURL(id),
			Slug:     ExternalAchievementSlug,
			Version:  1,
			Provider: org.Slug,
			Name:     "Credentials signed through the API",
			Description: "Credentials that " + org.Name + " signed through the W3C VC-API whose achievement " +
				"is not part of this catalog.",
			Criteria: catalog.Criteria{Narrative: "Defined by each credential."},
		}
		v, err := versionRow(entry)
		if err != nil {
			return "", err
		}
		err = s.Store.WithTx(ctx, func(tx store.Store) error {
			if _, err := tx.CreateAchievement(ctx, store.Achievement{ID: id, OrgID: org.ID, Slug: ExternalAchievementSlug}, v); err != nil {
				return err
			}
			return audit(ctx, tx, org.ID, "system", "achievement.create", id, map[string]any{"name": entry.Name, "version": 1})
		})
		if err == nil {
			return id, nil
		}
		if !errors.Is(err, store.ErrConflict) {
			return "", fmt.Errorf("issue: external achievement: %w", err)
		}
		// Another request created it first; read it on the next round.
	}
	return "", fmt.Errorf("issue: external achievement: %w", store.ErrConflict)
}

func shallowCopy(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+2)
	for k, v := range m {
		out[k] = v
	}
	return out
}

func typesOf(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		out := make([]string, 0, len(t))
		for _, x := range t {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case []string:
		return t
	}
	return nil
}

func stringOf(v any) string {
	s, _ := v.(string)
	return s
}
