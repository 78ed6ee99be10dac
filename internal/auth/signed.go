package auth

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Errors of Signer.Open.
var (
	ErrLinkInvalid = errors.New("link is not valid")
	ErrLinkExpired = errors.New("link has expired")
)

// Signer makes and checks the tokens of links sent by mail (claim a
// credential, verify an address, reset a password). A token carries its
// fields and expiry in the clear and an HMAC-SHA256 over them and the
// link's purpose, so it needs no database row until it is used (bulk
// issuance mails hundreds of thousands); the store's used-token table then
// makes each usable once. Fields must not contain newlines.
type Signer struct{ key []byte }

// NewSigner returns a Signer with a key of at least 32 bytes (from
// keys.MasterKey.Derive, so every node of a cluster agrees).
func NewSigner(key []byte) *Signer {
	if len(key) < 32 {
		panic("auth: link-signing key shorter than 32 bytes")
	}
	return &Signer{key: append([]byte(nil), key...)}
}

const macLen = 20 // 160 bits of HMAC-SHA256 output

// Sign returns a URL-safe token for purpose holding fields until exp.
func (s *Signer) Sign(purpose string, exp time.Time, fields ...string) string {
	payload := strconv.FormatInt(exp.Unix(), 10) + "\n" + strings.Join(fields, "\n")
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(payload)) + "." + enc.EncodeToString(s.mac(purpose, payload))
}

// Open checks token for purpose at now and returns its fields and expiry.
// Every failure wraps ErrLinkInvalid or ErrLinkExpired; which field was
// wrong is not said, as a forger would learn from it.
func (s *Signer) Open(purpose, token string, now time.Time) ([]string, time.Time, error) {
	enc := base64.RawURLEncoding
	p, m, ok := strings.Cut(token, ".")
	if !ok || len(token) > 4096 {
		return nil, time.Time{}, ErrLinkInvalid
	}
	payload, err1 := enc.DecodeString(p)
	mac, err2 := enc.DecodeString(m)
	if err1 != nil || err2 != nil || !hmac.Equal(mac, s.mac(purpose, string(payload))) {
		return nil, time.Time{}, ErrLinkInvalid
	}
	fields := strings.Split(string(payload), "\n")
	sec, err := strconv.ParseInt(fields[0], 10, 64)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("%w: expiry", ErrLinkInvalid)
	}
	exp := time.Unix(sec, 0)
	if !now.Before(exp) {
		return nil, exp, ErrLinkExpired
	}
	return fields[1:], exp, nil
}

func (s *Signer) mac(purpose, payload string) []byte {
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte(purpose))
	h.Write([]byte{0})
	h.Write([]byte(payload))
	return h.Sum(nil)[:macLen]
}
