package store

import (
	"context"
	"time"
)

// Status purposes of Bitstring Status List entries that the store keeps.
const (
	PurposeRevocation = "revocation"
	PurposeSuspension = "suspension"
)

// ValidPurpose reports whether p is a status purpose the store keeps.
func ValidPurpose(p string) bool { return p == PurposeRevocation || p == PurposeSuspension }

// StatusSlot is one reserved position of a status list: the Seq-th entry
// handed out in list List. The caller maps Seq to the list index with the
// list's permutation key (see package status); because the counter behind
// Seq only grows, two reservations never share a slot.
type StatusSlot struct {
	OrgID   string
	Purpose string
	List    int    // list number, 0, 1, 2, ... per organization and purpose
	Size    int    // entries in the list
	Seq     int    // 0 <= Seq < Size
	Key     []byte // the list's secret permutation key (16 bytes)
}

// StatusList is one bitstring of an organization for one purpose.
type StatusList struct {
	OrgID     string
	Purpose   string
	List      int
	Size      int    // entries (bits)
	Allocated int    // entries handed out so far
	Bits      []byte // Size/8 bytes; bit i is bit 7-(i%8) of byte i/8
	Version   int64  // increases with every change of Bits
	UpdatedAt time.Time
}

// CredentialStatus is the status entry of one credential for one purpose,
// and whether its bit is set (revoked, or currently suspended).
type CredentialStatus struct {
	CredentialID string
	OrgID        string
	Purpose      string
	List         int
	Index        int
	// Seq is the sequence number of the slot (StatusSlot.Seq) that Index
	// was derived from. The store keeps it unique per list: that is the
	// database's guarantee that no slot, and so no index, is handed out
	// twice. (Indexes are random-looking by design; a unique index on them
	// would cost a random page write per entry, while sequence numbers
	// arrive in order.) Entries recorded before sequence numbers were
	// stored read back -1.
	Seq       int
	Set       bool
	ChangedAt *time.Time // when Set last changed; nil if never
}

// StatusStore keeps Bitstring Status Lists and the entries credentials
// hold in them. Allocation and bit changes happen in the database under
// row locks, so several nodes on one PostgreSQL never hand out the same
// index or lose a concurrent change.
type StatusStore interface {
	// ReserveStatusSlots reserves n consecutive slots of the newest list of
	// the organization for purpose that has room, creating lists of
	// listSize entries (a multiple of 8) as needed: when a list fills up,
	// the rest of the reservation comes from the next list. Slots are
	// returned in order.
	ReserveStatusSlots(ctx context.Context, orgID, purpose string, n, listSize int) ([]StatusSlot, error)
	// InsertCredentialStatus records a credential's entry. A second entry
	// for the same list index, or for the same credential and purpose, is
	// ErrConflict.
	InsertCredentialStatus(ctx context.Context, cs CredentialStatus) error
	// CredentialStatuses returns a credential's entries, ordered by
	// purpose; none when it has no status entries.
	CredentialStatuses(ctx context.Context, credentialID string) ([]CredentialStatus, error)
	// SetCredentialStatus changes the bit of a credential's entry for
	// purpose from "from" to "to" and bumps the list's version. It returns
	// ErrConflict, changing nothing, when the bit is not "from" (a second
	// revocation, an unsuspension of a credential not suspended), and
	// ErrNotFound when the credential has no entry for purpose. The check
	// and the change happen under the list's row lock.
	SetCredentialStatus(ctx context.Context, credentialID, purpose string, from, to bool, at time.Time) (CredentialStatus, error)
	// StatusList returns one list with its bitstring.
	StatusList(ctx context.Context, orgID, purpose string, list int) (StatusList, error)
	// StatusListVersion returns a list's version and last change without
	// reading its bitstring: the cheap check whether a cached copy is
	// current.
	StatusListVersion(ctx context.Context, orgID, purpose string, list int) (version int64, updatedAt time.Time, err error)

	// ReplacementOf returns the newest credential whose Replaces is id
	// (its renewal), or ErrNotFound.
	ReplacementOf(ctx context.Context, id string) (Credential, error)

	// Setting returns a server-wide setting (ErrNotFound when unset);
	// SetSetting creates or replaces it.
	Setting(ctx context.Context, name string) (string, error)
	SetSetting(ctx context.Context, name, value string) error
}

// SettingBaseURL names the setting holding the public base URL the server
// last started with.
const SettingBaseURL = "base_url"
