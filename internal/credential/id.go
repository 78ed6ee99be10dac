package credential

import "strings"

// NormalizeID returns the canonical form of a credential id: an urn:uuid
// id (RFC 9562 / RFC 8141: the "urn" and "uuid" parts are case-insensitive,
// and so are a UUID's hex digits) is lower-cased whole, so that ids that
// differ only in case name one credential. Any other id is returned
// unchanged: URLs are case-sensitive in their path.
func NormalizeID(id string) string {
	const prefix = "urn:uuid:"
	if len(id) != len(prefix)+36 || !strings.EqualFold(id[:len(prefix)], prefix) {
		return id
	}
	for i, c := range []byte(id[len(prefix):]) {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return id
			}
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f', c >= 'A' && c <= 'F':
		default:
			return id
		}
	}
	return strings.ToLower(id)
}
