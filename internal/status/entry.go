package status

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/store"
)

// Purposes of the lists microcred keeps, in the order credentials list
// their entries.
var Purposes = []string{store.PurposeRevocation, store.PurposeSuspension}

// Type names from the Bitstring Status List 1.0 vocabulary (defined by the
// VC 2.0 context, so credentials need no extra context for them).
const (
	TypeEntry          = "BitstringStatusListEntry"
	TypeListCredential = "BitstringStatusListCredential"
	TypeList           = "BitstringStatusList"

	// The StatusList2021 names, the draft Bitstring Status List grew out
	// of; credentials issued by the DCC stack and others still carry them.
	TypeEntry2021          = "StatusList2021Entry"
	TypeListCredential2021 = "StatusList2021Credential"
	TypeList2021           = "StatusList2021"

	// TypeRevocationList is Open Badges 3.0's own status method: the entry
	// names a revocation list (1EdTech VCRL 1.0) that lists revoked
	// credential ids.
	TypeRevocationList = "1EdTechRevocationList"
)

// Validity of published list credentials: each is signed for a period of
// SignPeriod and stays valid until ValidFor after the period starts, and
// verifiers may cache it for TTL (also the ttl the list states).
const (
	SignPeriod = 12 * time.Hour
	ValidFor   = 24 * time.Hour
	TTL        = 5 * time.Minute
)

// Entry is a BitstringStatusListEntry, a StatusList2021Entry or a
// 1EdTechRevocationList entry (Type tells which).
type Entry struct {
	// Type is the entry's type; empty means TypeEntry.
	Type                 string
	ID                   string // <list URL>#<index>
	StatusPurpose        string
	StatusListIndex      int
	StatusListCredential string
	// CredentialID is the id of the credential the entry belongs to; a
	// 1EdTechRevocationList lists revoked credentials by id, so checking
	// one needs it. Verifiers set it; ParseEntries does not know it.
	CredentialID string
}

// Kind returns the entry's type, TypeEntry when Type is empty.
func (e Entry) Kind() string {
	if e.Type == "" {
		return TypeEntry
	}
	return e.Type
}

// NewEntry returns the entry of index in the list credential at listURL.
func NewEntry(listURL, purpose string, index int) Entry {
	return Entry{
		ID:                   listURL + "#" + strconv.Itoa(index),
		StatusPurpose:        purpose,
		StatusListIndex:      index,
		StatusListCredential: listURL,
	}
}

// Map returns the entry as the JSON object a credential carries. The
// specification makes statusListIndex a string holding a base-10 integer.
func (e Entry) Map() map[string]any {
	m := map[string]any{
		"type":                 TypeEntry,
		"statusPurpose":        e.StatusPurpose,
		"statusListIndex":      strconv.Itoa(e.StatusListIndex),
		"statusListCredential": e.StatusListCredential,
	}
	if e.ID != "" {
		m["id"] = e.ID
	}
	return m
}

// ErrUnsupportedEntry reports a credentialStatus of a type other than
// BitstringStatusListEntry, StatusList2021Entry and 1EdTechRevocationList.
var ErrUnsupportedEntry = errors.New("status: unsupported credentialStatus type")

// ParseEntries reads a credential's credentialStatus value (an object or
// an array of objects; nil gives no entries). An entry of another type
// fails with ErrUnsupportedEntry; a malformed entry with a description of
// the problem naming the field.
func ParseEntries(v any) ([]Entry, error) {
	var objs []any
	switch t := v.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		objs = []any{t}
	case []any:
		objs = t
	default:
		return nil, errors.New("status: credentialStatus must be an object or an array of objects")
	}
	entries := make([]Entry, 0, len(objs))
	for i, o := range objs {
		m, ok := o.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("status: credentialStatus[%d] is not an object", i)
		}
		e, err := parseEntry(m)
		if err != nil {
			return nil, fmt.Errorf("credentialStatus[%d]: %w", i, err)
		}
		entries = append(entries, e)
	}
	return entries, nil
}

func parseEntry(m map[string]any) (Entry, error) {
	var e Entry
	switch {
	case hasType(m["type"], TypeEntry):
		// Type stays empty: the default kind.
	case hasType(m["type"], TypeEntry2021):
		e.Type = TypeEntry2021
	case hasType(m["type"], TypeRevocationList):
		// The entry's id is the address of the revocation list itself.
		e.Type = TypeRevocationList
		e.StatusPurpose = store.PurposeRevocation
		e.ID, _ = m["id"].(string)
		if u, err := url.Parse(e.ID); err != nil || !u.IsAbs() || u.Host == "" {
			return Entry{}, fmt.Errorf("status: id %q of the 1EdTechRevocationList entry is not an absolute URL", e.ID)
		}
		e.StatusListCredential = e.ID
		return e, nil
	default:
		return Entry{}, fmt.Errorf("%w: %v", ErrUnsupportedEntry, m["type"])
	}
	e.ID, _ = m["id"].(string)
	e.StatusPurpose, _ = m["statusPurpose"].(string)
	if e.StatusPurpose == "" {
		return Entry{}, errors.New("status: statusPurpose is required")
	}
	idx, _ := m["statusListIndex"].(string)
	n, err := strconv.Atoi(idx)
	if err != nil || n < 0 || strconv.Itoa(n) != idx {
		return Entry{}, fmt.Errorf("status: statusListIndex %v is not a non-negative base-10 integer string", m["statusListIndex"])
	}
	e.StatusListIndex = n
	e.StatusListCredential, _ = m["statusListCredential"].(string)
	if u, err := url.Parse(e.StatusListCredential); err != nil || !u.IsAbs() || u.Host == "" {
		return Entry{}, fmt.Errorf("status: statusListCredential %q is not an absolute URL", e.StatusListCredential)
	}
	return e, nil
}

func hasType(v any, want string) bool {
	switch t := v.(type) {
	case string:
		return t == want
	case []any:
		for _, x := range t {
			if s, _ := x.(string); s == want {
				return true
			}
		}
	}
	return false
}

// ListURL is the address of an organization's list: BASE/orgs/SLUG/status/PURPOSE/N.
func ListURL(baseURL, slug, purpose string, list int) string {
	return strings.TrimRight(baseURL, "/") + "/orgs/" + slug + "/status/" + purpose + "/" + strconv.Itoa(list)
}

// ParseListURL is the inverse of ListURL for lists under baseURL.
func ParseListURL(baseURL, u string) (slug, purpose string, list int, ok bool) {
	prefix := strings.TrimRight(baseURL, "/") + "/orgs/"
	rest, found := strings.CutPrefix(u, prefix)
	if !found {
		return "", "", 0, false
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 4 || parts[1] != "status" || !store.ValidPurpose(parts[2]) || !store.ValidSlug(parts[0]) {
		return "", "", 0, false
	}
	n, err := strconv.Atoi(parts[3])
	if err != nil || n < 0 || strconv.Itoa(n) != parts[3] {
		return "", "", 0, false
	}
	return parts[0], parts[2], n, true
}

// ListCredential returns the unsigned BitstringStatusListCredential of a
// list: id listURL, issued by issuer, valid from validFrom until
// validUntil, whose subject carries the encoded bitstring and a ttl in
// milliseconds.
func ListCredential(listURL, issuer, purpose string, bits Bitstring, validFrom, validUntil time.Time) (map[string]any, error) {
	enc, err := Encode(bits)
	if err != nil {
		return nil, err
	}
	return map[string]any{
		"@context":   []any{credential.ContextV2},
		"id":         listURL,
		"type":       []any{"VerifiableCredential", TypeListCredential},
		"issuer":     issuer,
		"validFrom":  credential.FormatDateTime(validFrom),
		"validUntil": credential.FormatDateTime(validUntil),
		"credentialSubject": map[string]any{
			"id":            listURL + "#list",
			"type":          TypeList,
			"statusPurpose": purpose,
			"encodedList":   enc,
			"ttl":           float64(TTL.Milliseconds()), // JSON numbers are float64 to the JSON-LD processor
		},
	}, nil
}
