package proof

import (
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/microcred/microcred/internal/did"
	"github.com/microcred/microcred/internal/jsonld"
)

// Earlier names of the EdDSA suites that credentials issued today still
// carry: the DCC stack and many wallets sign with Ed25519Signature2020, and
// implementations of the 2022 drafts wrote cryptosuite "eddsa-2022".
// Verify checks both; Sign never produces them.
const (
	// SuiteEdDSA2022 is the draft name of eddsa-rdfc-2022 (Data Integrity
	// EdDSA Cryptosuites, drafts of 2022 and early 2023). The algorithm is
	// the same: RDFC-1.0 (URDNA2015) of the document and of the proof
	// configuration with the document's @context.
	SuiteEdDSA2022 = "eddsa-2022"

	// ProofTypeEd25519Signature2020 is the proof type of the legacy
	// Ed25519Signature2020 suite (W3C CCG, and the "Ed25519Signature2020"
	// section of Data Integrity EdDSA Cryptosuites). It has no cryptosuite
	// property: the type names the algorithm. Result.Suite reports it.
	ProofTypeEd25519Signature2020 = "Ed25519Signature2020"

	// ContextEd25519Signature2020 defines the terms of the legacy suite's
	// proofs; microcred ships it.
	ContextEd25519Signature2020 = "https://w3id.org/security/suites/ed25519-2020/v1"
)

// isRDFC reports whether a cryptosuite name means the RDFC-1.0
// transformation: eddsa-rdfc-2022 or its draft name eddsa-2022.
func isRDFC(suite string) bool {
	return suite == SuiteRDFC || suite == SuiteEdDSA2022
}

// legacyContext returns the @context the Ed25519Signature2020 suite
// canonicalizes with: ctx itself when it already includes the suite's
// context, otherwise ctx with the suite context appended. This is what
// jsonld-signatures (the reference implementation every issuer of this
// suite used) does when it creates the verify data: its ensureSuiteContext
// appends the suite context to the proof options, and since the proof
// options share the document's @context array, to the document too.
func legacyContext(ctx any) (any, bool) {
	list := contextList(ctx)
	for _, c := range list {
		if s, ok := c.(string); ok && s == ContextEd25519Signature2020 {
			return ctx, false
		}
	}
	out := make([]any, 0, len(list)+1)
	out = append(out, list...)
	return append(out, ContextEd25519Signature2020), true
}

// legacyConfigHash returns the hash of the canonical proof options of an
// Ed25519Signature2020 proof: the proof without proofValue (and without
// the jws and signatureValue of older suites, which jsonld-signatures also
// drops), carrying the document's @context unless the proof has its own,
// canonicalized with RDFC-1.0 (URDNA2015).
func legacyConfigHash(doc, p map[string]any) ([sha256.Size]byte, error) {
	if v, ok := p["created"]; ok {
		if _, err := parseDateTime(v); err != nil {
			return [sha256.Size]byte{}, fmt.Errorf("%w: created: %w", ErrProofDate, err)
		}
	}
	config := make(map[string]any, len(p)+1)
	for k, v := range p {
		switch k {
		case "proofValue", "jws", "signatureValue":
		default:
			config[k] = v
		}
	}
	if _, ok := config["@context"]; !ok {
		if ctx, ok := doc["@context"]; ok {
			config["@context"] = ctx
		}
	}
	config["@context"], _ = legacyContext(config["@context"])
	var buf [512]byte
	key, cacheable := configKey(buf[:0], config)
	if cacheable {
		if h, ok := lookupConfigHash(key); ok {
			return h, nil
		}
	}
	h, err := transformHash(config, SuiteRDFC)
	if err == nil && cacheable {
		storeConfigHash(key, h)
	}
	return h, err
}

// CouldNotCheck reports whether err, from a Result or a JWTResult, means
// that microcred could not check the proof rather than that the proof is
// false: a proof type, cryptosuite or JWT algorithm it does not implement,
// a context it does not ship (contexts are never fetched), a DID method it
// does not resolve, or an issuer document or key set it could not fetch.
// The verdict for such a proof is "could not be checked", never "invalid".
func CouldNotCheck(err error) bool {
	for _, target := range []error{
		ErrUnknownProofType, ErrUnsupportedSuite, ErrJWTUnsupportedAlgorithm, ErrKeyFetch,
		jsonld.ErrRemoteContext, did.ErrFetch, did.ErrUnsupportedMethod,
	} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}
