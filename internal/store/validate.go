package store

import (
	"crypto/rand"
	"fmt"
	"regexp"
	"strings"
)

// NewID returns a random UUID (version 4) in its canonical text form. IDs
// are random rather than sequential so that any node can create rows
// without coordinating; the primary key still rejects the astronomically
// unlikely duplicate.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// EmailKey is the form in which email addresses are compared: trimmed, with
// ASCII letters lower-cased and every other character kept as it is.
// Unicode case folding or normalization would make look-alikes equal
// (U+212A KELVIN SIGN lower-cases and normalizes to "k"), letting
// "\u212aim@example.org" reach kim@example.org's wallet; mail systems
// compare non-ASCII local parts exactly, and so do we. SQLite's lower() and
// translate() on PostgreSQL compute the same key (migration 0010).
func EmailKey(email string) string {
	email = strings.TrimSpace(email)
	for i := 0; i < len(email); i++ {
		if c := email[i]; 'A' <= c && c <= 'Z' {
			b := []byte(email)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return email
}

var slugRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$`)

// ValidSlug reports whether s is a slug: 1 to 64 characters of [a-z0-9-],
// not starting or ending with '-'.
func ValidSlug(s string) bool { return slugRE.MatchString(s) }

// Validate checks the organization before it is written.
func (o *Organization) Validate() error {
	const op = "store: validate organization"
	switch {
	case !ValidSlug(o.Slug):
		return invalid(op, fmt.Sprintf("slug %q must be 1-64 characters of [a-z0-9-]", o.Slug))
	case strings.TrimSpace(o.Name) == "":
		return invalid(op, "name is required")
	case o.DIDMethod != DIDWeb && o.DIDMethod != DIDKey:
		return invalid(op, fmt.Sprintf("DID method %q is neither web nor key", o.DIDMethod))
	}
	return nil
}

// Validate checks the user before it is written.
func (u *User) Validate() error {
	const op = "store: validate user"
	if e := strings.TrimSpace(u.Email); e == "" || !strings.Contains(e, "@") {
		return invalid(op, fmt.Sprintf("email %q is not an address", u.Email))
	}
	return nil
}

// Valid reports whether r is one of the four roles.
func (r Role) Valid() bool {
	switch r {
	case RoleOwner, RoleIssuer, RoleReviewer, RoleViewer:
		return true
	}
	return false
}

// Valid reports whether f is one of the three formats.
func (f Format) Valid() bool {
	switch f {
	case FormatLDPRDFC, FormatLDPJCS, FormatJWT:
		return true
	}
	return false
}

// ValidateScopes checks that every scope is a non-empty token without
// whitespace, as RFC 6749 section 3.3 requires; the store keeps scopes as
// one space-separated string.
func ValidateScopes(scopes []string) error {
	for _, s := range scopes {
		if s == "" || strings.ContainsAny(s, " \t\r\n") {
			return invalid("store: validate scopes", fmt.Sprintf("scope %q is empty or contains whitespace", s))
		}
	}
	return nil
}

// Validate checks the achievement version before it is written.
func (v *AchievementVersion) Validate() error {
	const op = "store: validate achievement version"
	switch {
	case strings.TrimSpace(v.Name) == "":
		return invalid(op, "name is required")
	case len(v.Document) == 0:
		return invalid(op, "document is required")
	case v.EQFLevel < 0 || v.EQFLevel > 8:
		return invalid(op, fmt.Sprintf("EQF level %d is outside 1..8", v.EQFLevel))
	case v.NSQFLevel < 0 || v.NSQFLevel > 10:
		return invalid(op, fmt.Sprintf("NSQF level %d is outside 1..10", v.NSQFLevel))
	case v.ECTS < 0:
		return invalid(op, "ECTS must not be negative")
	}
	return nil
}

// Validate checks the credential before it is written.
func (c *Credential) Validate() error {
	const op = "store: validate credential"
	switch {
	case c.ID == "":
		return invalid(op, "id is required")
	case c.OrgID == "" || c.AchievementID == "" || c.AchievementVersion < 1:
		return invalid(op, "organization, achievement and achievement version are required")
	case !c.Format.Valid():
		return invalid(op, fmt.Sprintf("format %q is not ldp-rdfc, ldp-jcs or jwt", c.Format))
	case c.Document == "":
		return invalid(op, "document is required")
	case c.IssuedAt.IsZero():
		return invalid(op, "issued_at is required")
	}
	return nil
}
