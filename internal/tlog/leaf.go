package tlog

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/store"
)

// Kind is the event a leaf records.
type Kind string

// Event kinds. Credential events name a credential; key rotation names the
// organization's new and retired verification methods.
const (
	KindIssue       Kind = "issue"
	KindRevoke      Kind = "revoke"
	KindSuspend     Kind = "suspend"
	KindUnsuspend   Kind = "unsuspend"
	KindKeyRotation Kind = "key-rotation"
)

// leafVersion is the first line of every leaf; a future format changes it.
const leafVersion = "microcred/v1"

// TimeLayout is the form of the time line: UTC with exactly six fractional
// digits, the precision both databases store, so an auditor re-deriving a
// leaf from the stored rows produces the same bytes.
const TimeLayout = "2006-01-02T15:04:05.000000Z"

// Event is one log entry. Its leaf (see Leaf) is a short text record:
//
//	microcred/v1
//	event issue
//	org 5d0c6c9e-0f3e-4a53-9d37-3f0cfb5d8f0e
//	credential 4b1e…(hex SHA-256 of the credential id)
//	document 9a0f…(hex SHA-256 of the stored credential document)
//	time 2026-03-01T10:00:00.123456Z
//
// Lines come in this fixed order, each "name value" ending in "\n"; lines
// whose value is empty are left out. Key rotations carry "key" (the new
// verification method) and "retired" (the old one) instead of credential
// and document. Nothing personal is in a leaf: the credential id is hashed
// (it is a random urn:uuid, so the hash reveals nothing but lets anyone
// holding the credential find its entry), the document only as its hash,
// and organization ids and verification methods are public.
type Event struct {
	Kind           Kind
	OrgID          string
	CredentialHash string // hex SHA-256 of the credential id (HashCredentialID)
	DocumentHash   string // hex SHA-256 of the stored document (HashDocument)
	Key            string // key rotation: the new verification method
	RetiredKey     string // key rotation: the retired verification method
	Time           time.Time
}

// HashCredentialID returns the lowercase hex SHA-256 of a credential id, the
// form in which leaves name credentials.
func HashCredentialID(id string) string {
	d := sha256.Sum256([]byte(id))
	return hex.EncodeToString(d[:])
}

// HashDocument returns the lowercase hex SHA-256 of a stored credential
// document (the exact bytes: JSON as stored, or the compact JWT).
func HashDocument(doc string) string {
	d := sha256.Sum256([]byte(doc))
	return hex.EncodeToString(d[:])
}

// CredentialEvent returns the event kind for credential c at time at.
func CredentialEvent(kind Kind, c store.Credential, at time.Time) Event {
	return Event{
		Kind:           kind,
		OrgID:          c.OrgID,
		CredentialHash: HashCredentialID(c.ID),
		DocumentHash:   HashDocument(c.Document),
		Time:           at,
	}
}

// IssueEvent returns the issuance event of a stored credential: its time is
// the credential's IssuedAt, so the auditor can re-derive the leaf from the
// row alone.
func IssueEvent(c store.Credential) Event {
	return CredentialEvent(KindIssue, c, c.IssuedAt)
}

// KeyRotationEvent returns the event of an organization replacing its
// signing key: key is the new key's row (its CreatedAt is the event time)
// and retired the verification method it replaces.
func KeyRotationEvent(key store.SigningKey, retired string) Event {
	return Event{Kind: KindKeyRotation, OrgID: key.OrgID, Key: key.VerificationMethod, RetiredKey: retired, Time: key.CreatedAt}
}

// Validate checks that the event has the fields its kind needs and that no
// value could break the line format.
func (e Event) Validate() error {
	switch e.Kind {
	case KindIssue, KindRevoke, KindSuspend, KindUnsuspend:
		if !isHexHash(e.CredentialHash) || !isHexHash(e.DocumentHash) {
			return fmt.Errorf("tlog: %s event needs credential and document hashes (64 lowercase hex digits)", e.Kind)
		}
		if e.Key != "" || e.RetiredKey != "" {
			return fmt.Errorf("tlog: %s event must not name keys", e.Kind)
		}
	case KindKeyRotation:
		if e.Key == "" {
			return errors.New("tlog: key-rotation event needs the new key")
		}
		if e.CredentialHash != "" || e.DocumentHash != "" {
			return errors.New("tlog: key-rotation event must not name a credential")
		}
	default:
		return fmt.Errorf("tlog: unknown event kind %q", e.Kind)
	}
	if e.OrgID == "" {
		return errors.New("tlog: event needs an organization")
	}
	if e.Time.IsZero() {
		return errors.New("tlog: event needs a time")
	}
	for _, v := range []string{e.OrgID, e.Key, e.RetiredKey} {
		if strings.ContainsAny(v, " \t\r\n") {
			return fmt.Errorf("tlog: value %q contains white space", v)
		}
	}
	return nil
}

func isHexHash(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// Leaf returns the event's canonical leaf text. It does not validate; call
// Validate first (Append does).
func (e Event) Leaf() []byte {
	var b bytes.Buffer
	b.WriteString(leafVersion + "\n")
	for _, f := range e.fields() {
		if f.value != "" {
			b.WriteString(f.name + " " + f.value + "\n")
		}
	}
	return b.Bytes()
}

type field struct{ name, value string }

func (e Event) fields() []field {
	t := ""
	if !e.Time.IsZero() {
		t = e.Time.UTC().Truncate(time.Microsecond).Format(TimeLayout)
	}
	return []field{
		{"event", string(e.Kind)},
		{"org", e.OrgID},
		{"credential", e.CredentialHash},
		{"document", e.DocumentHash},
		{"key", e.Key},
		{"retired", e.RetiredKey},
		{"time", t},
	}
}

// StoreLeaf returns the event as a row for store.LogStore.AppendLeaves.
func (e Event) StoreLeaf() store.LogLeaf {
	return store.LogLeaf{Data: e.Leaf(), Kind: string(e.Kind), CredentialHash: e.CredentialHash}
}

// ParseLeaf reads a leaf. It accepts only the canonical form: the leaf must
// be exactly what Leaf returns for the event parsed, so two different byte
// strings never stand for the same event.
func ParseLeaf(data []byte) (Event, error) {
	text := string(data)
	if !strings.HasSuffix(text, "\n") {
		return Event{}, errors.New("tlog: leaf does not end with a newline")
	}
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if lines[0] != leafVersion {
		return Event{}, fmt.Errorf("tlog: leaf starts with %q, want %q", lines[0], leafVersion)
	}
	var e Event
	for _, line := range lines[1:] {
		name, value, ok := strings.Cut(line, " ")
		if !ok || value == "" {
			return Event{}, fmt.Errorf("tlog: leaf line %q is not \"name value\"", line)
		}
		switch name {
		case "event":
			e.Kind = Kind(value)
		case "org":
			e.OrgID = value
		case "credential":
			e.CredentialHash = value
		case "document":
			e.DocumentHash = value
		case "key":
			e.Key = value
		case "retired":
			e.RetiredKey = value
		case "time":
			t, err := time.Parse(TimeLayout, value)
			if err != nil {
				return Event{}, fmt.Errorf("tlog: leaf time %q: %w", value, err)
			}
			e.Time = t
		default:
			return Event{}, fmt.Errorf("tlog: leaf has unknown line %q", name)
		}
	}
	if err := e.Validate(); err != nil {
		return Event{}, err
	}
	if !bytes.Equal(e.Leaf(), data) {
		return Event{}, errors.New("tlog: leaf is not in canonical form (line order, duplicates or spacing)")
	}
	return e, nil
}
