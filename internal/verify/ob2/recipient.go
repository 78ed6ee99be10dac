package ob2

import (
	"crypto/md5"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"
)

// Recipient describes whom the assertion was awarded to, as it says.
type Recipient struct {
	Type   string // "email", "url", "telephone", "id"
	Hashed bool   // Identity is a salted hash, not the value itself
	// Identity is the plain value, or "sha256$<hex>" / "md5$<hex>" when
	// hashed.
	Identity string
	Salt     string
}

// RecipientOf reads the recipient of an assertion; ok is false when it
// names none.
func RecipientOf(assertion map[string]any) (r Recipient, ok bool) {
	m, _ := assertion["recipient"].(map[string]any)
	if m == nil {
		return Recipient{}, false
	}
	r.Type, _ = m["type"].(string)
	r.Identity, _ = m["identity"].(string)
	r.Salt, _ = m["salt"].(string)
	switch h := m["hashed"].(type) {
	case bool:
		r.Hashed = h
	case string:
		r.Hashed = strings.EqualFold(h, "true")
	}
	return r, r.Identity != ""
}

// Matches reports whether value (an email address, URL, telephone number
// or id, as the recipient type says) is the one the badge was awarded to.
// Email addresses compare without regard to case. A hashed identity is
// compared with the salted SHA-256 (or legacy MD5) of value, in constant
// time.
func (r Recipient) Matches(value string) bool {
	value = strings.TrimSpace(value)
	if r.Type == "email" || r.Type == "" {
		value = strings.ToLower(value)
	}
	if !r.Hashed {
		want := r.Identity
		if r.Type == "email" || r.Type == "" {
			want = strings.ToLower(want)
		}
		return value != "" && value == want
	}
	alg, digest, ok := strings.Cut(r.Identity, "$")
	if !ok {
		return false
	}
	got := r.hash(alg, value+r.Salt)
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(strings.ToLower(digest))) == 1
}

// hash returns the hex digest of s with the named algorithm, "" for an
// unknown one.
func (Recipient) hash(alg, s string) string {
	switch strings.ToLower(alg) {
	case "sha256":
		sum := sha256.Sum256([]byte(s))
		return hex.EncodeToString(sum[:])
	case "md5":
		sum := md5.Sum([]byte(s))
		return hex.EncodeToString(sum[:])
	}
	return ""
}
