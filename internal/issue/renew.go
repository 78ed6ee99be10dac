package issue

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/analytics"
	"github.com/microcred/microcred/internal/store"
)

// ErrNotRenewable reports a credential that may not be renewed in its
// current state: revoked, suspended, or renewed already. The wrapped
// message says which.
var ErrNotRenewable = errors.New("issue: credential cannot be renewed")

// renewKeyPrefix makes the idempotency key of a renewal: one renewal per
// credential, settled by the database's unique (organization, key) when
// two nodes renew the same credential at the same moment.
const renewKeyPrefix = "renew:"

// Renew issues the renewal of the stored credential credentialID: a new
// credential for the same recipient (email, name and DID) and the same
// achievement in its current catalog version, in the same format, carrying
// over the narrative and evidence, with Replaces pointing at the old one.
// The recipient is notified and the audit log records "credential.renew"
// besides the issuance itself.
//
// validUntil is the new expiry. Zero keeps the old credential's validity
// period, counted from now (no expiry when the old one had none). The old
// credential stays as it is: valid until it expires or is revoked; its
// public page links to the renewal.
//
// Renew fails with store.ErrNotFound for an unknown credential, with
// ErrNotRenewable when it is revoked, suspended or renewed already (renew
// the newest credential instead), and with FieldErrors (valid_until) for
// an expiry that is not in the future.
func (s *Service) Renew(ctx context.Context, credentialID string, validUntil time.Time, actor string) (store.Credential, error) {
	s.init()
	old, err := s.Store.Credential(ctx, credentialID)
	if err != nil {
		return store.Credential{}, fmt.Errorf("issue: renew %s: %w", credentialID, err)
	}
	st, err := s.Status.State(ctx, old.ID)
	if err != nil {
		return store.Credential{}, fmt.Errorf("issue: renew %s: %w", old.ID, err)
	}
	switch {
	case st.Revoked:
		return store.Credential{}, fmt.Errorf("%w: %s is revoked", ErrNotRenewable, old.ID)
	case st.Suspended:
		return store.Credential{}, fmt.Errorf("%w: %s is suspended; lift the suspension first", ErrNotRenewable, old.ID)
	}
	if next, err := s.Store.ReplacementOf(ctx, old.ID); err == nil {
		return store.Credential{}, fmt.Errorf("%w: %s is already renewed by %s", ErrNotRenewable, old.ID, next.ID)
	} else if !errors.Is(err, store.ErrNotFound) {
		return store.Credential{}, fmt.Errorf("issue: renew %s: %w", old.ID, err)
	}
	if ach, err := s.Store.Achievement(ctx, old.AchievementID); err == nil && IsBookkeeping(ach) {
		// Its content came from the caller's document, which this server
		// cannot rebuild; the caller signs a new one through the VC-API.
		return store.Credential{}, fmt.Errorf("%w: %s was signed through the VC-API from the caller's own document; send a new one there", ErrNotRenewable, old.ID)
	}
	if validUntil.IsZero() && old.ValidUntil != nil {
		from := old.ValidFrom
		if from.IsZero() {
			from = old.IssuedAt
		}
		if period := old.ValidUntil.Sub(from); period > 0 {
			validUntil = s.now().Add(period)
		}
	}
	subj := subjectOf(old)
	req := Request{
		OrgID:          old.OrgID,
		AchievementID:  old.AchievementID,
		RecipientEmail: old.RecipientEmail,
		RecipientName:  old.RecipientName,
		RecipientDID:   subj.id,
		Narrative:      subj.narrative,
		EvidenceURL:    subj.evidence,
		ValidUntil:     validUntil,
		Format:         old.Format,
		IdempotencyKey: renewKeyPrefix + old.ID,
		Actor:          actor,
		Notify:         true,
		Replaces:       old.ID,
	}
	c, existed, err := s.Issue(ctx, req)
	if err != nil {
		return store.Credential{}, err
	}
	if existed {
		// Another request renewed it between the check above and now.
		return store.Credential{}, fmt.Errorf("%w: %s is already renewed by %s", ErrNotRenewable, old.ID, c.ID)
	}
	detail := map[string]any{"replaces": old.ID}
	if c.ValidUntil != nil {
		detail["valid_until"] = c.ValidUntil.Format(time.RFC3339)
	}
	ev, err := auditEvent(old.OrgID, actor, "credential.renew", c.ID, detail)
	if err != nil {
		return store.Credential{}, fmt.Errorf("issue: renew: %w", err)
	}
	if _, err := s.Store.AppendAudit(ctx, ev); err != nil {
		// The renewal is issued; the caller must learn that its audit
		// entry is missing rather than believe nothing happened.
		return c, fmt.Errorf("issue: renew: audit %s: %w", c.ID, err)
	}
	if err := analytics.Record(ctx, s.Store, store.Event{OrgID: old.OrgID, AchievementID: old.AchievementID, CredentialID: c.ID, Kind: analytics.Renewed, At: s.now()}); err != nil {
		return c, fmt.Errorf("issue: renew: %w", err)
	}
	return c, nil
}

// renewedSubject is what a renewal carries over from the old credential's
// document besides the stored columns.
type renewedSubject struct {
	id        string // credentialSubject.id, the learner's DID
	narrative string
	evidence  string // the single evidence URL, as Request.EvidenceURL makes it
}

// subjectOf reads the learner's DID, the narrative and the evidence URL
// from a stored credential: the JSON document of a Data Integrity
// credential, or the payload of a VC-JWT (VC-JOSE-COSE: the payload is the
// credential). What cannot be read is left empty.
func subjectOf(c store.Credential) renewedSubject {
	raw := []byte(c.Document)
	if c.Format == store.FormatJWT {
		parts := strings.Split(c.Document, ".")
		if len(parts) != 3 {
			return renewedSubject{}
		}
		b, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			return renewedSubject{}
		}
		raw = b
	}
	var doc struct {
		Subject struct {
			ID        string `json:"id"`
			Narrative string `json:"narrative"`
		} `json:"credentialSubject"`
		Evidence []struct {
			ID string `json:"id"`
		} `json:"evidence"`
	}
	if json.Unmarshal(raw, &doc) != nil {
		return renewedSubject{}
	}
	out := renewedSubject{id: doc.Subject.ID, narrative: doc.Subject.Narrative}
	if len(doc.Evidence) == 1 && isHTTPURL(doc.Evidence[0].ID) {
		out.evidence = doc.Evidence[0].ID
	}
	return out
}
