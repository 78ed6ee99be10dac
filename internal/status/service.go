package status

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/proof"
	"github.com/microcred/microcred/internal/store"
)

// Signer gives the service an organization's signing key and issuer id;
// *issue.Service implements it. The list credential must carry the same
// issuer as the credentials whose status it holds, so both come from the
// one place that issues.
type Signer interface {
	ActiveKey(ctx context.Context, orgID string) (*keys.KeyPair, store.SigningKey, error)
	IssuerID(ctx context.Context, org store.Organization) (string, error)
}

// ChangeHook is called inside the transaction that changes a credential's
// status, after the change and its audit entry are written; an error rolls
// everything back. The transparency log appends its leaf here.
type ChangeHook func(ctx context.Context, tx store.Store, c store.Credential, action string, at time.Time) error

// Service changes credential statuses and publishes the signed status
// lists. Set the exported fields before first use; a Service is safe for
// concurrent use.
type Service struct {
	Store    store.Store
	Signer   Signer
	BaseURL  string           // e.g. "http://127.0.0.1:8080"
	Now      func() time.Time // nil means time.Now
	ListSize int              // entries of new lists; 0 means DefaultListSize
	OnChange ChangeHook       // optional

	once  sync.Once
	alloc *Allocator
	mu    sync.Mutex
	lists map[listKey]*Published // signed list credentials, see List
	orgs  map[string]cachedOrg   // organizations by slug, see organization
}

// cachedOrg is an organization read for List, trusted for orgTTL: the
// same bound the issuer's caches give an organization's profile. Lists
// themselves are still revalidated against the store on every read, so a
// revocation shows at once.
type cachedOrg struct {
	org     store.Organization
	expires time.Time
}

const (
	orgTTL        = 10 * time.Second
	maxCachedOrgs = 4096
)

// organization returns the organization with slug, from the short-lived
// cache when possible.
func (s *Service) organization(ctx context.Context, slug string) (store.Organization, error) {
	now := time.Now()
	s.mu.Lock()
	c, ok := s.orgs[slug]
	s.mu.Unlock()
	if ok && now.Before(c.expires) {
		return c.org, nil
	}
	org, err := s.Store.OrganizationBySlug(ctx, slug)
	if err != nil {
		return org, err
	}
	s.mu.Lock()
	if len(s.orgs) >= maxCachedOrgs {
		clear(s.orgs)
	}
	s.orgs[slug] = cachedOrg{org: org, expires: now.Add(orgTTL)}
	s.mu.Unlock()
	return org, nil
}

type listKey struct {
	org, purpose string
	list         int
}

// Errors of status changes. Refusals wrap ErrRefused, so callers can tell
// a refused transition (exit status 1, HTTP 409) from bad input.
var (
	ErrRefused        = errors.New("status: refused")
	ErrAlreadyRevoked = fmt.Errorf("%w: the credential is already revoked", ErrRefused)
	ErrRevoked        = fmt.Errorf("%w: the credential is revoked, which is final", ErrRefused)
	ErrSuspended      = fmt.Errorf("%w: the credential is already suspended", ErrRefused)
	ErrNotSuspended   = fmt.Errorf("%w: the credential is not suspended", ErrRefused)
	ErrNoStatus       = fmt.Errorf("%w: the credential has no status list entry (issued before status lists existed, or elsewhere)", ErrRefused)
	// ErrNoSuspension refuses to suspend a credential issued with a
	// revocation entry only (the default): it can be revoked, not
	// suspended.
	ErrNoSuspension = fmt.Errorf("%w: the credential has no suspension entry, so it can be revoked but not suspended (its organization did not offer suspension when it was issued)", ErrRefused)
	// ErrReason reports a missing or oversized reason.
	ErrReason = errors.New("status: a reason of 1 to 1000 characters is required")
)

// MaxReasonLen bounds the reason recorded in the audit log.
const MaxReasonLen = 1000

func (s *Service) init() {
	s.once.Do(func() {
		s.alloc = &Allocator{Store: s.Store, ListSize: s.ListSize}
		s.lists = map[listKey]*Published{}
		s.orgs = map[string]cachedOrg{}
	})
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Allocate returns a new credential's indexes, one per purpose given (see
// PurposesFor; all of Purposes when none is given). Pass them to Entries
// for the credential's credentialStatus, and to Record in the transaction
// that stores the credential.
func (s *Service) Allocate(ctx context.Context, orgID string, purposes ...string) ([]Assignment, error) {
	s.init()
	return s.alloc.Allocate(ctx, orgID, purposes...)
}

// PurposesFor returns the purposes of the status entries a new credential
// of org gets. Open Badges 3.0 allows one credentialStatus (0..1), so by
// default that is the revocation entry alone; an organization that opted
// in to suspension (store.Organization.Suspension) gets a second entry,
// which goes beyond OB 3.0 (VC 2.0 allows several).
func PurposesFor(org store.Organization) []string {
	if org.Suspension {
		return Purposes
	}
	return Purposes[:1]
}

// Entries returns the credentialStatus value for assignments in the lists
// of the organization with slug: one BitstringStatusListEntry object for
// one assignment (the shape Open Badges 3.0 allows), an array of them for
// several.
func (s *Service) Entries(slug string, as []Assignment) any {
	out := make([]any, len(as))
	for i, a := range as {
		out[i] = NewEntry(ListURL(s.BaseURL, slug, a.Purpose, a.List), a.Purpose, a.Index).Map()
	}
	if len(out) == 1 {
		return out[0]
	}
	return out
}

// State is what a credential's status entries say.
type State struct {
	HasStatus   bool // the credential has entries in our lists
	CanSuspend  bool // one of them is a suspension entry
	Revoked     bool
	RevokedAt   *time.Time
	Suspended   bool
	SuspendedAt *time.Time // when the suspension began
}

// Label is the state in one word: "revoked", "suspended" or "active".
func (st State) Label() string {
	switch {
	case st.Revoked:
		return "revoked"
	case st.Suspended:
		return "suspended"
	}
	return "active"
}

// State reads a credential's status from the store.
func (s *Service) State(ctx context.Context, credentialID string) (State, error) {
	sts, err := s.Store.CredentialStatuses(ctx, credentialID)
	if err != nil {
		return State{}, fmt.Errorf("status: state: %w", err)
	}
	return stateOf(sts), nil
}

func stateOf(sts []store.CredentialStatus) State {
	var st State
	for _, cs := range sts {
		st.HasStatus = true
		switch cs.Purpose {
		case store.PurposeRevocation:
			st.Revoked, st.RevokedAt = cs.Set, cs.ChangedAt
		case store.PurposeSuspension:
			st.CanSuspend = true
			st.Suspended = cs.Set
			if cs.Set {
				st.SuspendedAt = cs.ChangedAt
			}
		}
	}
	if !st.Revoked {
		st.RevokedAt = nil
	}
	return st
}

// Revoke revokes a credential for good. It fails with ErrAlreadyRevoked
// when it is revoked already.
func (s *Service) Revoke(ctx context.Context, credentialID, reason, actor string) (State, error) {
	return s.change(ctx, credentialID, reason, actor, store.PurposeRevocation, true)
}

// Suspend suspends a credential until Unsuspend. A revoked credential
// cannot be suspended (ErrRevoked), nor a suspended one again
// (ErrSuspended).
func (s *Service) Suspend(ctx context.Context, credentialID, reason, actor string) (State, error) {
	return s.change(ctx, credentialID, reason, actor, store.PurposeSuspension, true)
}

// Unsuspend lifts a suspension (ErrNotSuspended when there is none).
func (s *Service) Unsuspend(ctx context.Context, credentialID, reason, actor string) (State, error) {
	return s.change(ctx, credentialID, reason, actor, store.PurposeSuspension, false)
}

// change flips one bit, audits it with the reason and calls OnChange, all
// in one transaction.
func (s *Service) change(ctx context.Context, credentialID, reason, actor, purpose string, to bool) (State, error) {
	reason = strings.TrimSpace(reason)
	if reason == "" || utf8.RuneCountInString(reason) > MaxReasonLen {
		return State{}, ErrReason
	}
	if actor == "" {
		actor = "system"
	}
	action := map[string]map[bool]string{
		store.PurposeRevocation: {true: "credential.revoke"},
		store.PurposeSuspension: {true: "credential.suspend", false: "credential.unsuspend"},
	}[purpose][to]
	at := s.now().UTC().Truncate(time.Microsecond)
	var st State
	err := s.Store.WithTx(ctx, func(tx store.Store) error {
		c, err := tx.Credential(ctx, credentialID)
		if err != nil {
			return fmt.Errorf("status: %s: %w", action, err)
		}
		before, err := tx.CredentialStatuses(ctx, credentialID)
		if err != nil {
			return fmt.Errorf("status: %s: %w", action, err)
		}
		if cur := stateOf(before); !cur.HasStatus {
			return ErrNoStatus
		} else if cur.Revoked && purpose == store.PurposeSuspension && to {
			return ErrRevoked
		} else if purpose == store.PurposeSuspension && !cur.CanSuspend {
			return ErrNoSuspension
		}
		cs, err := tx.SetCredentialStatus(ctx, credentialID, purpose, !to, to, at)
		switch {
		case errors.Is(err, store.ErrConflict):
			if purpose == store.PurposeRevocation {
				return ErrAlreadyRevoked
			}
			if to {
				return ErrSuspended
			}
			return ErrNotSuspended
		case errors.Is(err, store.ErrNotFound):
			return ErrNoStatus
		case err != nil:
			return fmt.Errorf("status: %s: %w", action, err)
		}
		detail, err := json.Marshal(map[string]any{"reason": reason, "purpose": purpose, "list": cs.List, "index": cs.Index})
		if err != nil {
			return fmt.Errorf("status: %s: %w", action, err)
		}
		if _, err := tx.AppendAudit(ctx, store.AuditEvent{OrgID: c.OrgID, Actor: actor, Action: action, Target: c.ID,
			Detail: detail, CreatedAt: at}); err != nil {
			return fmt.Errorf("status: %s: audit: %w", action, err)
		}
		if s.OnChange != nil {
			if err := s.OnChange(ctx, tx, c, action, at); err != nil {
				return fmt.Errorf("status: %s: %w", action, err)
			}
		}
		after, err := tx.CredentialStatuses(ctx, credentialID)
		if err != nil {
			return fmt.Errorf("status: %s: %w", action, err)
		}
		st = stateOf(after)
		return nil
	})
	return st, err
}

// Published is a signed status list credential ready to serve.
type Published struct {
	Document     []byte // JSON
	ETag         string // strong validator, quoted
	LastModified time.Time
	ValidUntil   time.Time
	version      int64
	period       time.Time
	keyID        string
}

// ErrUnknownList reports a list that does not exist (HTTP 404).
var ErrUnknownList = errors.New("status: no such status list")

// List returns the signed BitstringStatusListCredential of an
// organization's list. The signed document is cached per list and
// regenerated when the list's version, the signing period or the
// organization's active key changes; checking that costs one small query.
func (s *Service) List(ctx context.Context, slug, purpose string, list int) (*Published, error) {
	s.init()
	if !store.ValidPurpose(purpose) {
		return nil, fmt.Errorf("%w: purpose %q", ErrUnknownList, purpose)
	}
	org, err := s.organization(ctx, slug)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: organization %q", ErrUnknownList, slug)
	}
	if err != nil {
		return nil, fmt.Errorf("status: list: %w", err)
	}
	version, _, err := s.Store.StatusListVersion(ctx, org.ID, purpose, list)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: %s list %d of %q", ErrUnknownList, purpose, list, slug)
	}
	if err != nil {
		return nil, fmt.Errorf("status: list: %w", err)
	}
	kp, _, err := s.Signer.ActiveKey(ctx, org.ID)
	if err != nil {
		return nil, fmt.Errorf("status: list: %w", err)
	}
	period := s.now().UTC().Truncate(SignPeriod)
	k := listKey{org.ID, purpose, list}
	s.mu.Lock()
	p := s.lists[k]
	s.mu.Unlock()
	if p != nil && p.version == version && p.period.Equal(period) && p.keyID == kp.ID {
		return p, nil
	}
	l, err := s.Store.StatusList(ctx, org.ID, purpose, list)
	if err != nil {
		return nil, fmt.Errorf("status: list: %w", err)
	}
	issuer, err := s.Signer.IssuerID(ctx, org)
	if err != nil {
		return nil, fmt.Errorf("status: list: %w", err)
	}
	// Deterministic validity: every node computes the same document for
	// the same version and period, and Ed25519 signs deterministically.
	from := period
	if u := l.UpdatedAt.UTC().Truncate(time.Second); u.After(from) {
		from = u
	}
	until := period.Add(ValidFor)
	doc, err := ListCredential(ListURL(s.BaseURL, slug, purpose, list), issuer, purpose, Bitstring(l.Bits), from, until)
	if err != nil {
		return nil, err
	}
	signed, err := proof.Sign(doc, kp, proof.Options{Suite: proof.SuiteRDFC, Created: from})
	if err != nil {
		return nil, fmt.Errorf("status: sign list: %w", err)
	}
	body, err := json.Marshal(signed)
	if err != nil {
		return nil, fmt.Errorf("status: encode list: %w", err)
	}
	sum := sha256.Sum256(body)
	p = &Published{Document: body, ETag: `"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`,
		LastModified: from, ValidUntil: until, version: l.Version, period: period, keyID: kp.ID}
	s.mu.Lock()
	s.lists[k] = p
	s.mu.Unlock()
	return p, nil
}
