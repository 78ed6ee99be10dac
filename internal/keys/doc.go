// Package keys manages issuer signing keys: Ed25519 key pairs bound to their
// controller (a did:key, a did:web DID or an https controller document), the
// Multikey key file other Verifiable Credential libraries import and export,
// and envelope encryption of private keys at rest.
//
// A KeyPair's verification method id is what proofs name in
// "verificationMethod", so it is fixed when the pair is made: for did:key it
// is did:key:z6Mk...#z6Mk..., for did:web and https controllers it is the
// controller followed by "#" and the public Multikey.
//
// Private keys never appear in formatted output: KeyPair and MasterKey
// implement fmt.Formatter and slog.LogValuer with redacted values. Only
// KeyPair.MarshalJSON writes the secret, because writing a key file is its
// purpose; use PublicMultikey to publish a key.
//
// At rest each private key is sealed with its own random AES-256-GCM data
// key, which is in turn wrapped by a key-encryption key derived from the
// MasterKey with HKDF-SHA256 and a per-seal salt. The key id is bound as
// associated data, so a sealed key copied onto another key's row fails to
// open. Rotating the master key rewraps the data keys only (Rewrap).
package keys
