// Package account holds the rules of the links that accounts are built on
// (sign-up, password reset, adding an address): their purposes, lifetimes
// and what each token carries, so that the web pages and the operator's
// command line make and accept the same links. The tokens themselves are
// auth.Signer tokens keyed from the master key; the store makes each one
// usable once.
package account

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"time"

	"github.com/microcred/microcred/internal/auth"
	"github.com/microcred/microcred/internal/store"
)

// Purposes and lifetimes of the links. Claim links belong to issuance
// (issue.ClaimURL).
const (
	SignupPurpose = "signup"
	ResetPurpose  = "reset"
	EmailPurpose  = "add-email"

	SignupLinkLifetime = 24 * time.Hour
	ResetLinkLifetime  = time.Hour
	EmailLinkLifetime  = 24 * time.Hour
)

// PasswordFingerprint ties a reset link to the password it replaces, so the
// link stops working once the password changed by any means.
func PasswordFingerprint(hash string) string {
	sum := sha256.Sum256([]byte(hash))
	return hex.EncodeToString(sum[:8])
}

// ResetURL is the password-reset link of u under base, valid from now for
// lifetime: the token holds the user id and PasswordFingerprint.
func ResetURL(links *auth.Signer, base string, u store.User, now time.Time, lifetime time.Duration) string {
	tok := links.Sign(ResetPurpose, now.Add(lifetime), u.ID, PasswordFingerprint(u.PasswordHash))
	return base + "/reset/" + url.PathEscape(tok)
}
