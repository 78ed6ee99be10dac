// Package endorse issues, receives and checks Open Badges 3.0
// EndorsementCredentials: an organization (an accreditor, an employer)
// vouching for another's achievement or issuer profile.
//
// An endorsement given here is built and secured like every credential the
// server issues: VC 2.0 and OB 3.0 contexts, the organization's issuer
// Profile, a revocation entry in its Bitstring Status List, an
// eddsa-rdfc-2022 proof by its active key, an audit event and a
// transparency-log entry, all written in one transaction. Withdrawing it
// sets its revocation bit, so every verifier sees it, not only this
// server's pages.
//
// An endorsement issued elsewhere can be attached by the organization it
// endorses. It is verified when attached and again whenever it is shown:
// one that fails a check is refused, and one whose checks could not all be
// carried out is accepted only when the organization says it understands.
package endorse

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/proof"
	"github.com/microcred/microcred/internal/status"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/tlog"
	"github.com/microcred/microcred/internal/verify"
)

// Service issues, attaches, withdraws and checks endorsements. Set the
// fields before first use.
type Service struct {
	Store  store.Store
	Issuer *issue.Service // signing keys, issuer profiles, status lists, verification
	Now    func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Input limits.
const (
	MaxCommentLen  = 2000
	MaxSubjectLen  = 2000
	MaxDocumentLen = 256 << 10
)

// Errors of endorsement actions, for handlers to map to a status code.
var (
	ErrNotFound         = errors.New("endorse: no such endorsement of this organization")
	ErrAlreadyWithdrawn = errors.New("endorse: the endorsement is already withdrawn")
)

// Request asks for one endorsement by OrgID of exactly one of: a catalog
// achievement of this server (AchievementID, its store id), another
// organization of this server (OrgSlug, its issuer profile), or an
// external achievement or profile named by its id (SubjectID, a URL or a
// DID, with SubjectKind "achievement" or "profile").
type Request struct {
	OrgID         string
	Actor         string
	AchievementID string
	OrgSlug       string
	SubjectID     string
	SubjectKind   string
	Comment       string
	ValidUntil    time.Time
}

// Form field names the errors of Request and AttachRequest use.
const (
	FieldAchievement  = "achievement"
	FieldOrganization = "organization"
	FieldSubjectID    = "subject_id"
	FieldSubjectKind  = "subject_kind"
	FieldComment      = "comment"
	FieldValidUntil   = "valid_until"
	FieldDocument     = "document"
	FieldAccept       = "accept_unchecked"
)

// Validate checks the request's shape, naming form fields.
func (r Request) Validate(now time.Time) error {
	var fe issue.FieldErrors
	n := 0
	for _, v := range []string{r.AchievementID, r.OrgSlug, r.SubjectID} {
		if strings.TrimSpace(v) != "" {
			n++
		}
	}
	switch {
	case n == 0:
		fe = append(fe, issue.FieldError{Field: FieldAchievement, Problem: "choose an achievement, an organization, or give the id of what you endorse"})
	case n > 1:
		fe = append(fe, issue.FieldError{Field: FieldAchievement, Problem: "choose only one thing to endorse: an achievement, an organization, or an id"})
	}
	if id := strings.TrimSpace(r.SubjectID); id != "" {
		if len(id) > MaxSubjectLen || !credential.IsAbsoluteURI(id) || strings.ContainsAny(id, " \t\r\n") {
			fe = append(fe, issue.FieldError{Field: FieldSubjectID, Problem: "must be a web address (https://…) or a DID (did:…)"})
		}
		if r.SubjectKind != store.EndorsedAchievement && r.SubjectKind != store.EndorsedProfile {
			fe = append(fe, issue.FieldError{Field: FieldSubjectKind, Problem: "say whether the id names an achievement or an organization's profile"})
		}
	}
	c := strings.TrimSpace(r.Comment)
	switch {
	case c == "":
		fe = append(fe, issue.FieldError{Field: FieldComment, Problem: "is required: say in a sentence or two why you endorse it"})
	case utf8.RuneCountInString(c) > MaxCommentLen:
		fe = append(fe, issue.FieldError{Field: FieldComment, Problem: fmt.Sprintf("must be at most %d characters", MaxCommentLen)})
	}
	if !r.ValidUntil.IsZero() && !r.ValidUntil.After(now) {
		fe = append(fe, issue.FieldError{Field: FieldValidUntil, Problem: "must be in the future"})
	}
	if len(fe) > 0 {
		return fe
	}
	return nil
}

// subject is what an endorsement is about.
type subject struct {
	kind, id, name, orgID, achievementID string
}

// resolve finds the subject of r and refuses self-endorsement.
func (s *Service) resolve(ctx context.Context, org store.Organization, ownID string, r Request) (subject, error) {
	switch {
	case r.AchievementID != "":
		a, entry, err := s.Issuer.Achievement(ctx, strings.TrimSpace(r.AchievementID), 0)
		if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) || (err == nil && issue.IsBookkeeping(entry.Achievement)) {
			return subject{}, issue.FieldErrors{{Field: FieldAchievement, Problem: "is not an achievement in this server's catalog"}}
		}
		if err != nil {
			return subject{}, err
		}
		if entry.Achievement.OrgID == org.ID {
			return subject{}, issue.FieldErrors{{Field: FieldAchievement, Problem: "is your own organization's achievement: an endorsement comes from someone else, so endorsing your own adds no trust"}}
		}
		return subject{kind: store.EndorsedAchievement, id: a.ID, name: a.Name, orgID: entry.Achievement.OrgID, achievementID: entry.Achievement.ID}, nil
	case r.OrgSlug != "":
		o, err := s.Store.OrganizationBySlug(ctx, strings.TrimSpace(r.OrgSlug))
		if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) {
			return subject{}, issue.FieldErrors{{Field: FieldOrganization, Problem: "is not an organization on this server"}}
		}
		if err != nil {
			return subject{}, err
		}
		if o.ID == org.ID {
			return subject{}, issue.FieldErrors{{Field: FieldOrganization, Problem: "is your own organization: an endorsement comes from someone else, so endorsing yourself adds no trust"}}
		}
		id, err := s.Issuer.IssuerID(ctx, o)
		if err != nil {
			return subject{}, err
		}
		return subject{kind: store.EndorsedProfile, id: id, name: o.Name, orgID: o.ID}, nil
	}
	id := strings.TrimSpace(r.SubjectID)
	if id == ownID {
		return subject{}, issue.FieldErrors{{Field: FieldSubjectID, Problem: "is your own organization's id: endorsing yourself adds no trust"}}
	}
	return subject{kind: r.SubjectKind, id: id}, nil
}

// Issue builds, signs and stores one EndorsementCredential by r.OrgID.
// Problems with the request are issue.FieldErrors.
func (s *Service) Issue(ctx context.Context, r Request) (store.Endorsement, error) {
	now := s.now().UTC().Truncate(time.Second)
	if err := r.Validate(now); err != nil {
		return store.Endorsement{}, err
	}
	org, err := s.Store.Organization(ctx, r.OrgID)
	if err != nil {
		return store.Endorsement{}, fmt.Errorf("endorse: organization: %w", err)
	}
	profile, err := s.Issuer.Profile(ctx, org)
	if err != nil {
		return store.Endorsement{}, fmt.Errorf("endorse: issuer profile: %w", err)
	}
	issuerID, _ := profile["id"].(string)
	subj, err := s.resolve(ctx, org, issuerID, r)
	if err != nil {
		return store.Endorsement{}, err
	}
	kp, _, err := s.Issuer.ActiveKey(ctx, org.ID)
	if err != nil {
		return store.Endorsement{}, fmt.Errorf("endorse: %w", err)
	}
	id := "urn:uuid:" + store.NewID()
	comment := strings.TrimSpace(r.Comment)
	name := org.Name + " endorses " + subj.id
	if subj.name != "" {
		name = org.Name + " endorses " + subj.name
	}
	doc, err := credential.NewEndorsementCredential(id, credential.Profile{ID: issuerID}, subj.id, comment, name, now).Map()
	if err != nil {
		return store.Endorsement{}, fmt.Errorf("endorse: %w", err)
	}
	doc["issuer"] = profile
	var validUntil *time.Time
	if !r.ValidUntil.IsZero() {
		t := r.ValidUntil.UTC().Truncate(time.Second)
		validUntil = &t
		doc["validUntil"] = credential.FormatDateTime(t)
	}
	// Only a revocation entry: Open Badges 3.0 allows one credentialStatus,
	// and withdrawing an endorsement is for good.
	st := s.Issuer.StatusService()
	assigned, err := st.Allocate(ctx, org.ID, store.PurposeRevocation)
	if err != nil {
		return store.Endorsement{}, fmt.Errorf("endorse: %w", err)
	}
	doc["credentialStatus"] = st.Entries(org.Slug, assigned)
	signed, err := proof.Sign(doc, kp, proof.Options{Suite: proof.SuiteRDFC, Created: now})
	if err != nil {
		return store.Endorsement{}, fmt.Errorf("endorse: sign: %w", err)
	}
	credential.ProofAsArray(signed)
	var buf bytes.Buffer
	if err := credential.AppendJSON(&buf, signed, nil); err != nil {
		return store.Endorsement{}, fmt.Errorf("endorse: encode: %w", err)
	}
	// What is produced must pass the OB 3.0 rules and 1EdTech's schema:
	// a failure here is a bug, never the user's.
	if err := credential.ValidateEndorsementJSON(buf.Bytes()); err != nil {
		return store.Endorsement{}, fmt.Errorf("endorse: the built endorsement breaks the OB 3.0 rules: %w", err)
	}
	if err := credential.ValidateSchema(credential.SchemaEndorsementCredential, buf.Bytes()); err != nil {
		return store.Endorsement{}, fmt.Errorf("endorse: the built endorsement breaks the 1EdTech schema: %w", err)
	}
	e := store.Endorsement{
		ID: id, OrgID: org.ID, Direction: store.EndorsementGiven, SubjectKind: subj.kind, SubjectID: subj.id,
		SubjectOrgID: subj.orgID, SubjectAchievementID: subj.achievementID, SubjectName: subj.name,
		EndorserID: issuerID, EndorserName: org.Name, Comment: comment, Document: buf.String(),
		IssuedAt: now, ValidFrom: now, ValidUntil: validUntil, CreatedBy: r.Actor,
	}
	err = s.Store.WithTx(ctx, func(tx store.Store) error {
		stored, err := tx.InsertEndorsement(ctx, e)
		if err != nil {
			return err
		}
		e = stored
		if err := status.Record(ctx, tx, org.ID, id, assigned); err != nil {
			return err
		}
		if err := audit(ctx, tx, org.ID, r.Actor, "endorsement.issue", id, map[string]any{"subject": subj.id, "subject_kind": subj.kind}); err != nil {
			return err
		}
		return issue.LogEvent(ctx, tx, tlog.IssueEvent(asCredential(e)))
	})
	if err != nil {
		return store.Endorsement{}, fmt.Errorf("endorse: store: %w", err)
	}
	return e, nil
}

// asCredential is the endorsement as the transparency log and its
// auditor see a credential: id, organization, document and issue time.
func asCredential(e store.Endorsement) store.Credential {
	return store.Credential{ID: e.ID, OrgID: e.OrgID, Document: e.Document, IssuedAt: e.IssuedAt, ValidFrom: e.ValidFrom, ValidUntil: e.ValidUntil}
}

func audit(ctx context.Context, tx store.Store, orgID, actor, action, target string, detail map[string]any) error {
	if actor == "" {
		actor = "system"
	}
	raw, err := json.Marshal(detail)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	if _, err := tx.AppendAudit(ctx, store.AuditEvent{OrgID: orgID, Actor: actor, Action: action, Target: target, Detail: raw}); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	return nil
}

// Withdraw revokes an endorsement the organization gave: its revocation
// bit is set in the status list (so every verifier sees it), with an audit
// event carrying the reason and a transparency-log entry, in one
// transaction.
func (s *Service) Withdraw(ctx context.Context, orgID, id, reason, actor string) error {
	reason = strings.TrimSpace(reason)
	if reason == "" {
		reason = "withdrawn by the endorser"
	}
	if utf8.RuneCountInString(reason) > status.MaxReasonLen {
		return issue.FieldErrors{{Field: "reason", Problem: fmt.Sprintf("must be at most %d characters", status.MaxReasonLen)}}
	}
	at := s.now().UTC().Truncate(time.Microsecond)
	return s.Store.WithTx(ctx, func(tx store.Store) error {
		e, err := tx.Endorsement(ctx, id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && (e.OrgID != orgID || e.Direction != store.EndorsementGiven)) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("endorse: withdraw: %w", err)
		}
		if _, err := tx.SetCredentialStatus(ctx, id, store.PurposeRevocation, false, true, at); errors.Is(err, store.ErrConflict) {
			return ErrAlreadyWithdrawn
		} else if err != nil {
			return fmt.Errorf("endorse: withdraw: %w", err)
		}
		if err := audit(ctx, tx, orgID, actor, "endorsement.withdraw", id, map[string]any{"reason": reason}); err != nil {
			return err
		}
		return tlog.OnStatusChange(ctx, tx, asCredential(e), "credential.revoke", at)
	})
}

// AttachRequest attaches an EndorsementCredential issued elsewhere to the
// organization's achievement (AchievementID, its store id) or, when that
// is empty, to the organization's own issuer profile. Document is the
// credential as pasted or uploaded: JSON, or a compact VC-JWT.
// AcceptUnchecked accepts one whose checks could not all be carried out.
type AttachRequest struct {
	OrgID           string
	Actor           string
	AchievementID   string
	Document        []byte
	AcceptUnchecked bool
}

// Attach verifies and stores an endorsement received from elsewhere.
// Refusals are issue.FieldErrors in plain words; the report of the
// verification is returned with them when there was one.
func (s *Service) Attach(ctx context.Context, r AttachRequest) (store.Endorsement, *verify.Report, error) {
	raw := bytes.TrimSpace(r.Document)
	fail := func(field, problem string) (store.Endorsement, *verify.Report, error) {
		return store.Endorsement{}, nil, issue.FieldErrors{{Field: field, Problem: problem}}
	}
	switch {
	case len(raw) == 0:
		return fail(FieldDocument, "is required: paste the endorsement or choose its file")
	case len(raw) > MaxDocumentLen:
		return fail(FieldDocument, fmt.Sprintf("is too large (at most %d KB)", MaxDocumentLen>>10))
	}
	doc, err := Decode(raw)
	if err != nil {
		return fail(FieldDocument, err.Error())
	}
	org, err := s.Store.Organization(ctx, r.OrgID)
	if err != nil {
		return store.Endorsement{}, nil, fmt.Errorf("endorse: organization: %w", err)
	}
	ownID, err := s.Issuer.IssuerID(ctx, org)
	if err != nil {
		return store.Endorsement{}, nil, err
	}
	want := subject{kind: store.EndorsedProfile, id: ownID, name: org.Name, orgID: org.ID}
	if r.AchievementID != "" {
		a, entry, err := s.Issuer.Achievement(ctx, r.AchievementID, 0)
		if err != nil || entry.Achievement.OrgID != org.ID || issue.IsBookkeeping(entry.Achievement) {
			return fail(FieldAchievement, "is not an achievement of your organization")
		}
		want = subject{kind: store.EndorsedAchievement, id: a.ID, name: a.Name, orgID: org.ID, achievementID: entry.Achievement.ID}
	}
	info := Read(doc)
	switch {
	case info.ID == "":
		return fail(FieldDocument, "has no id, which Open Badges 3.0 requires of an endorsement")
	case info.SubjectID != want.id:
		return fail(FieldDocument, fmt.Sprintf("endorses %q, not %s (%s)", info.SubjectID, want.name, want.id))
	case info.IssuerID == ownID:
		return fail(FieldDocument, "was issued by your own organization: an endorsement comes from someone else")
	}
	rep, err := s.Issuer.Verify(ctx, raw)
	if err != nil {
		return fail(FieldDocument, "cannot be read as a credential")
	}
	switch rep.Verdict {
	case verify.NotVerified:
		return store.Endorsement{}, rep, issue.FieldErrors{{Field: FieldDocument, Problem: "did not verify: " + reason(rep)}}
	case verify.CouldNotCheck:
		if !r.AcceptUnchecked {
			return store.Endorsement{}, rep, issue.FieldErrors{{Field: FieldAccept, Problem: "the endorsement could not be fully checked (" + reason(rep) +
				"); tick the box to attach it anyway: it will be shown as \"Could not check\""}}
		}
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	issued := info.ValidFrom
	if issued.IsZero() {
		issued = now
	}
	e := store.Endorsement{
		ID: info.ID, OrgID: org.ID, Direction: store.EndorsementReceived, SubjectKind: want.kind, SubjectID: want.id,
		SubjectOrgID: org.ID, SubjectAchievementID: want.achievementID, SubjectName: want.name,
		EndorserID: info.IssuerID, EndorserName: info.IssuerName, Comment: info.Comment, Document: string(raw),
		IssuedAt: issued, ValidFrom: issued, ValidUntil: info.ValidUntil, CreatedBy: r.Actor,
	}
	err = s.Store.WithTx(ctx, func(tx store.Store) error {
		stored, err := tx.InsertEndorsement(ctx, e)
		if err != nil {
			return err
		}
		e = stored
		return audit(ctx, tx, org.ID, r.Actor, "endorsement.attach", e.ID, map[string]any{"subject": want.id, "endorser": info.IssuerID, "verdict": string(rep.Verdict)})
	})
	if errors.Is(err, store.ErrConflict) {
		return store.Endorsement{}, rep, issue.FieldErrors{{Field: FieldDocument, Problem: "is already kept on this server (attached before, or issued here), so it shows on your pages already"}}
	}
	if err != nil {
		return store.Endorsement{}, rep, fmt.Errorf("endorse: attach: %w", err)
	}
	return e, rep, nil
}

// Detach removes an endorsement the organization attached.
func (s *Service) Detach(ctx context.Context, orgID, id, actor string) error {
	return s.Store.WithTx(ctx, func(tx store.Store) error {
		if err := tx.DeleteEndorsement(ctx, orgID, id); errors.Is(err, store.ErrNotFound) {
			return ErrNotFound
		} else if err != nil {
			return fmt.Errorf("endorse: detach: %w", err)
		}
		return audit(ctx, tx, orgID, actor, "endorsement.detach", id, nil)
	})
}

// reason is the plain sentence of the first problem of a report.
func reason(rep *verify.Report) string {
	if p := rep.Problems(); len(p) > 0 {
		return strings.TrimSuffix(p[0].Summary, ".")
	}
	return strings.TrimSuffix(rep.Verdict.Headline(), ".")
}

// Decode reads an endorsement document: a JSON object, or the payload of a
// compact VC-JWT (VC-JOSE-COSE, or the OB 3.0 "vc" claim). It checks the
// type only; whether the document holds is verification's business.
func Decode(raw []byte) (map[string]any, error) {
	raw = bytes.TrimSpace(raw)
	var payload []byte
	if len(raw) > 0 && raw[0] == '{' {
		payload = raw
	} else {
		parts := strings.Split(string(raw), ".")
		if len(parts) != 3 {
			return nil, errors.New("is neither a JSON credential nor a JWT")
		}
		b, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			return nil, errors.New("is a JWT whose payload cannot be read")
		}
		payload = b
	}
	doc, err := verify.DecodeDocument(payload)
	if err != nil {
		return nil, errors.New("is not valid JSON")
	}
	if vc, ok := doc["vc"].(map[string]any); ok {
		doc = vc
	}
	if !hasType(doc["type"], credential.TypeEndorsementCredential) {
		return nil, errors.New(`is not an EndorsementCredential (its type does not include "EndorsementCredential")`)
	}
	return doc, nil
}

func hasType(v any, want string) bool {
	switch t := v.(type) {
	case string:
		return t == want
	case []any:
		for _, x := range t {
			if x == want {
				return true
			}
		}
	}
	return false
}

// Info is what an endorsement says, read from its display fields.
type Info struct {
	ID, Name             string
	IssuerID, IssuerName string
	SubjectID, Comment   string
	ValidFrom            time.Time
	ValidUntil           *time.Time
}

// Read returns what an endorsement document says, without judging it.
func Read(doc map[string]any) Info {
	str := func(v any) string { s, _ := v.(string); return s }
	in := Info{ID: str(doc["id"]), Name: str(doc["name"])}
	switch iss := doc["issuer"].(type) {
	case string:
		in.IssuerID = iss
	case map[string]any:
		in.IssuerID, in.IssuerName = str(iss["id"]), str(iss["name"])
	}
	subj, _ := doc["credentialSubject"].(map[string]any)
	if list, ok := doc["credentialSubject"].([]any); ok && len(list) > 0 {
		subj, _ = list[0].(map[string]any)
	}
	if subj != nil {
		in.SubjectID, in.Comment = str(subj["id"]), str(subj["endorsementComment"])
	}
	if t, err := time.Parse(time.RFC3339, firstNonEmpty(str(doc["validFrom"]), str(doc["issuanceDate"]))); err == nil {
		in.ValidFrom = t.UTC()
	}
	if t, err := time.Parse(time.RFC3339, firstNonEmpty(str(doc["validUntil"]), str(doc["expirationDate"]))); err == nil {
		t = t.UTC()
		in.ValidUntil = &t
	}
	return in
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
