package credential

import (
	"crypto/md5" //nolint:gosec // OB 3.0 allows md5 identity hashes; we only verify them.
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"strings"
)

// HashedEmail returns an IdentityObject for an email address, hashed as Open
// Badges 3.0 specifies: "sha256$" followed by the lower-case hex SHA-256 of
// the UTF-8 email immediately followed by the salt. The email is hashed as
// given; callers decide on normalization (such as lower-casing) before
// calling, and must use the same rule when matching. A random salt per
// credential keeps the hash from being matched against a list of addresses.
func HashedEmail(email, salt string) IdentityObject {
	sum := sha256.Sum256([]byte(email + salt))
	return IdentityObject{
		Type:         TypeIdentityObject,
		Hashed:       Bool(true),
		IdentityHash: "sha256$" + hex.EncodeToString(sum[:]),
		IdentityType: IdentityTypeEmailAddress,
		Salt:         salt,
	}
}

// Matches reports whether identity (for example an email address) is the
// identity this object names. For hashed identities it recomputes the
// sha256 or md5 hash with the salt; hex digits compare case-insensitively as
// the specification allows either case.
func (o IdentityObject) Matches(identity string) bool {
	if o.Hashed == nil || !*o.Hashed {
		return subtle.ConstantTimeCompare([]byte(o.IdentityHash), []byte(identity)) == 1
	}
	alg, digest, ok := strings.Cut(o.IdentityHash, "$")
	if !ok {
		return false
	}
	var sum []byte
	switch alg {
	case "sha256":
		s := sha256.Sum256([]byte(identity + o.Salt))
		sum = s[:]
	case "md5":
		s := md5.Sum([]byte(identity + o.Salt)) //nolint:gosec // see import
		sum = s[:]
	default:
		return false
	}
	want, err := hex.DecodeString(digest)
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare(sum, want) == 1
}
