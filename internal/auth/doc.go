// Package auth holds the small security primitives the web UI and the APIs
// share: argon2id password hashing in the PHC string format, random bearer
// and session tokens stored only by digest, CSRF tokens derived from a
// per-session secret, and a per-key token-bucket rate limiter.
//
// Nothing here touches the database or HTTP; callers decide what to store
// and where to check.
package auth
