package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters for new hashes.
//
// The figures are the OWASP Password Storage Cheat Sheet minimum for
// argon2id (m=19 MiB, t=2, p=1). The server is sized for two cores: one
// hash costs about 20-30 ms of one core and 19 MiB of memory, so a burst of
// logins cannot exhaust memory (the login rate limiter caps the rate) while
// an offline attacker still pays the memory-hard cost per guess. Stored
// hashes carry their own parameters, so raising these later only affects
// new hashes.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonSaltLen   = 16
	argonKeyLen    = 32
)

// Limits on the parameters accepted from a stored PHC string, so that a
// tampered hash cannot make CheckPassword allocate gigabytes.
const (
	maxArgonMemoryKiB = 1 << 20 // 1 GiB
	maxArgonTime      = 100
	maxArgonKeyLen    = 1024
)

// Password length limits, in characters.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 1024
)

// ErrMalformedHash reports a stored password hash that is not an argon2id
// PHC string this package can check.
var ErrMalformedHash = errors.New("auth: malformed password hash")

var b64 = base64.RawStdEncoding

// HashPassword returns the argon2id PHC string of password with a fresh
// random salt: "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>".
//
// It takes a slot of DefaultGate, waiting as long as needed; request
// handlers use a Gate's HashPassword, which refuses when overloaded.
func HashPassword(password string) (string, error) {
	defer DefaultGate.wait()()
	return hashPassword(password)
}

func hashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemoryKiB, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether password matches the PHC string phc, using
// the parameters recorded in phc. The comparison is constant-time. err is
// non-nil only when phc is malformed. Like HashPassword it waits for a slot
// of DefaultGate; request handlers use Gate.CheckPassword.
func CheckPassword(phc, password string) (ok bool, err error) {
	p, err := parsePHC(phc)
	if err != nil {
		return false, err
	}
	defer DefaultGate.wait()()
	return p.check(password), nil
}

// check computes the key of password with p's parameters and compares it
// with p's hash in constant time.
func (p phcParams) check(password string) bool {
	key := argon2.IDKey([]byte(password), p.salt, p.time, p.memory, p.threads, uint32(len(p.hash)))
	return subtle.ConstantTimeCompare(key, p.hash) == 1
}

type phcParams struct {
	memory, time uint32
	threads      uint8
	salt, hash   []byte
}

func parsePHC(phc string) (phcParams, error) {
	var p phcParams
	parts := strings.Split(phc, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return p, fmt.Errorf("%w: not an argon2id PHC string", ErrMalformedHash)
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, fmt.Errorf("%w: unsupported version %q", ErrMalformedHash, parts[2])
	}
	seen := map[string]bool{}
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, found := strings.Cut(kv, "=")
		if !found || seen[k] {
			return p, fmt.Errorf("%w: bad parameter %q", ErrMalformedHash, kv)
		}
		seen[k] = true
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return p, fmt.Errorf("%w: bad parameter %q", ErrMalformedHash, kv)
		}
		switch k {
		case "m":
			p.memory = uint32(n)
		case "t":
			p.time = uint32(n)
		case "p":
			if n > 255 {
				return p, fmt.Errorf("%w: parallelism %d out of range", ErrMalformedHash, n)
			}
			p.threads = uint8(n)
		default:
			return p, fmt.Errorf("%w: unknown parameter %q", ErrMalformedHash, k)
		}
	}
	if !seen["m"] || !seen["t"] || !seen["p"] {
		return p, fmt.Errorf("%w: missing parameter", ErrMalformedHash)
	}
	if p.time < 1 || p.time > maxArgonTime || p.threads < 1 ||
		p.memory < 8*uint32(p.threads) || p.memory > maxArgonMemoryKiB {
		return p, fmt.Errorf("%w: parameters out of range", ErrMalformedHash)
	}
	var err error
	if p.salt, err = b64.DecodeString(parts[4]); err != nil || len(p.salt) < 8 {
		return p, fmt.Errorf("%w: bad salt", ErrMalformedHash)
	}
	if p.hash, err = b64.DecodeString(parts[5]); err != nil || len(p.hash) < 16 || len(p.hash) > maxArgonKeyLen {
		return p, fmt.Errorf("%w: bad hash", ErrMalformedHash)
	}
	return p, nil
}

// ValidatePassword checks a new password against the length policy: at
// least MinPasswordLen and at most MaxPasswordLen characters. Length is the
// policy (NIST SP 800-63B): no composition rules.
func ValidatePassword(password string) error {
	n := utf8.RuneCountInString(password)
	switch {
	case n < MinPasswordLen:
		return fmt.Errorf("password must be at least %d characters long", MinPasswordLen)
	case n > MaxPasswordLen:
		return fmt.Errorf("password must be at most %d characters long", MaxPasswordLen)
	}
	return nil
}
