package auth

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
)

// NewToken returns a random bearer token (32 random bytes, base64url
// without padding) and its SHA-256 digest. Store only the digest: a leaked
// database then cannot be replayed as cookies or bearer tokens.
func NewToken() (token string, hash []byte) {
	b := make([]byte, 32)
	// crypto/rand.Read never returns an error on supported platforms and
	// crashes the program irrecoverably if the system source fails.
	_, _ = rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken returns the SHA-256 digest of token, the form tokens are stored
// and looked up by.
func HashToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}

// CSRFToken returns the CSRF form token of a session: base64url of
// HMAC-SHA256(secret, "csrf"). It is stable for the life of the session, so
// every form of the session carries the same value.
func CSRFToken(secret []byte) string {
	return base64.RawURLEncoding.EncodeToString(csrfMAC(secret))
}

// CheckCSRF reports, in constant time, whether token is the CSRF token of
// the session secret. An empty secret never matches.
func CheckCSRF(secret []byte, token string) bool {
	if len(secret) == 0 {
		return false
	}
	got, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil {
		return false
	}
	return hmac.Equal(got, csrfMAC(secret))
}

func csrfMAC(secret []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("csrf"))
	return m.Sum(nil)
}
