package did

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidDID reports a malformed DID or DID URL.
var ErrInvalidDID = errors.New("invalid DID")

// ErrUnsupportedMethod reports a DID method this package cannot resolve.
var ErrUnsupportedMethod = errors.New("unsupported DID method")

const keyPrefix = "did:key:"

// KeyDID returns the did:key DID of an Ed25519 public key
// ("did:key:z6Mk...").
func KeyDID(pub ed25519.PublicKey) string {
	return keyPrefix + EncodePublicKey(pub)
}

// KeyVerificationMethod returns the URL of the one verification method of a
// did:key DID document: the DID with the Multikey as fragment
// ("did:key:z6Mk...#z6Mk...").
func KeyVerificationMethod(pub ed25519.PublicKey) string {
	mb := EncodePublicKey(pub)
	return keyPrefix + mb + "#" + mb
}

// ResolveKey expands an Ed25519 did:key DID into its DID document as the
// did:key method specification defines it: one Multikey verification method
// whose fragment is the method-specific identifier, referenced from
// authentication, assertionMethod, capabilityInvocation and
// capabilityDelegation. Ed25519 keys are supported, and P-256 keys (for
// ES256 JWTs; VerificationMethod.PublicKey returns them, Ed25519PublicKey
// refuses them); other key types fail with ErrMulticodec. No X25519 keyAgreement method is derived (the
// specification makes that optional and credentials never need it).
func ResolveKey(did string) (*Document, error) {
	mb, ok := strings.CutPrefix(did, keyPrefix)
	if !ok {
		return nil, fmt.Errorf("%w: %q is not a did:key DID", ErrInvalidDID, truncate(did))
	}
	if strings.ContainsAny(mb, ":/?#") {
		return nil, fmt.Errorf("%w: %q: did:key takes a bare multibase key (no version, path, query or fragment)", ErrInvalidDID, truncate(did))
	}
	if _, err := DecodePublicKey(mb); err != nil {
		// A P-256 did:key (zDn...) serves ES256 JWTs; its key is checked
		// here so that a malformed one fails at resolution.
		if _, perr := decodeP256(mb); perr != nil {
			return nil, fmt.Errorf("did:key %q: %w", truncate(did), err)
		}
	}
	vmID := did + "#" + mb
	return &Document{
		Context: []any{ContextDID, ContextMultikey},
		ID:      did,
		VerificationMethod: []VerificationMethod{{
			ID:                 vmID,
			Type:               TypeMultikey,
			Controller:         did,
			PublicKeyMultibase: mb,
		}},
		Authentication:       []any{vmID},
		AssertionMethod:      []any{vmID},
		CapabilityInvocation: []any{vmID},
		CapabilityDelegation: []any{vmID},
	}, nil
}

// truncate shortens attacker-supplied identifiers quoted in errors.
func truncate(s string) string {
	const limit = 200
	if len(s) <= limit {
		return s
	}
	return s[:limit] + "..."
}
