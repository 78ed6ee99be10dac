package proof

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"
	"regexp"
	"sync"
	"time"

	"github.com/mr-tron/base58"

	"github.com/microcred/microcred/internal/canonjson"
	"github.com/microcred/microcred/internal/jsonld"
)

// The cryptosuites this package implements, and the proof type both use.
const (
	SuiteRDFC = "eddsa-rdfc-2022"
	SuiteJCS  = "eddsa-jcs-2022"

	// ProofType is the only Data Integrity proof type this package creates
	// or accepts.
	ProofType = "DataIntegrityProof"
)

// Errors that explain why a proof is unusable or does not verify. Results
// and returned errors wrap them with detail, so test with errors.Is.
var (
	// ErrNoProof reports a document without a proof property.
	ErrNoProof = errors.New("document has no proof")
	// ErrMalformedProof reports a proof that is not a JSON object or lacks
	// a required property, or a property of the wrong JSON type.
	ErrMalformedProof = errors.New("malformed proof")
	// ErrUnknownProofType reports a proof whose type is neither
	// DataIntegrityProof nor Ed25519Signature2020. Verify marks such a
	// result Unsupported: microcred cannot check it, which says nothing
	// about the credential.
	ErrUnknownProofType = errors.New("unsupported proof type")
	// ErrUnsupportedSuite reports a cryptosuite other than eddsa-rdfc-2022,
	// eddsa-2022 and eddsa-jcs-2022 (Verify marks the result Unsupported),
	// or, from Sign, one it does not produce.
	ErrUnsupportedSuite = errors.New("unsupported cryptosuite")
	// ErrProofPurpose reports a proof made for another purpose than the one
	// the verifier expects.
	ErrProofPurpose = errors.New("unexpected proof purpose")
	// ErrProofDate reports an invalid created or expires date, a proof
	// created in the future, or an expired proof.
	ErrProofDate = errors.New("proof date check failed")
	// ErrContextMismatch reports a proof whose @context is not a prefix of
	// the document's @context.
	ErrContextMismatch = errors.New("proof @context does not match the document")
	// ErrPreviousProof reports a previousProof reference that names no proof
	// of the set, or a chained proof whose referenced proof did not verify.
	ErrPreviousProof = errors.New("previous proof check failed")
	// ErrProofValue reports a proofValue that is not a base58btc multibase
	// encoding of a 64-byte signature.
	ErrProofValue = errors.New("invalid proofValue")
	// ErrDomain and ErrChallenge report a domain or challenge that differs
	// from the one the verifier expects.
	ErrDomain    = errors.New("proof domain mismatch")
	ErrChallenge = errors.New("proof challenge mismatch")
	// ErrKey reports a verification method the key resolver could not
	// turn into an Ed25519 public key for the proof's purpose.
	ErrKey = errors.New("verification key unavailable")
	// ErrSignature reports a signature that does not match the document.
	ErrSignature = errors.New("signature does not match the document")
	// ErrCanonicalize reports a document that cannot be canonicalized.
	ErrCanonicalize = errors.New("canonicalization failed")
)

// Transform returns the canonical bytes of an unsecured document for suite:
// RDFC-1.0 N-Quads for eddsa-rdfc-2022 (and its draft name eddsa-2022),
// RFC 8785 JSON for eddsa-jcs-2022.
// doc must not carry the proof being created or verified.
func Transform(doc map[string]any, suite string) ([]byte, error) {
	switch suite {
	case SuiteRDFC, SuiteEdDSA2022:
		// A document without @context has no RDF meaning: it would
		// canonicalize to nothing and any change to it would go unnoticed.
		if _, ok := doc["@context"]; !ok {
			return nil, fmt.Errorf("%w: eddsa-rdfc-2022 needs a JSON-LD document with @context", ErrCanonicalize)
		}
		nq, err := jsonld.Canonicalize(doc)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrCanonicalize, err)
		}
		return []byte(nq), nil
	case SuiteJCS:
		if err := jcsTermCheck(doc); err != nil {
			return nil, err
		}
		out, err := canonjson.Marshal(doc)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrCanonicalize, err)
		}
		return out, nil
	default:
		return nil, fmt.Errorf("%w: %q", ErrUnsupportedSuite, suite)
	}
}

// ProofConfig returns the canonical proof configuration of proof (the proof
// options, without proofValue) for the unsecured document doc: the proof
// with doc's @context, canonicalized like the document. It checks the type,
// the cryptosuite and the created date, as the cryptosuite's proof
// configuration algorithm requires.
func ProofConfig(doc map[string]any, proof map[string]any, suite string) ([]byte, error) {
	config, err := configDocument(doc, proof, suite)
	if err != nil {
		return nil, err
	}
	return Transform(config, suite)
}

// configDocument checks proof and returns the proof configuration document
// that ProofConfig canonicalizes.
func configDocument(doc map[string]any, proof map[string]any, suite string) (map[string]any, error) {
	if t, _ := proof["type"].(string); t != ProofType {
		return nil, fmt.Errorf("%w: %v", ErrUnknownProofType, proof["type"])
	}
	if cs, _ := proof["cryptosuite"].(string); cs != suite {
		return nil, fmt.Errorf("%w: proof cryptosuite %v, want %s", ErrUnsupportedSuite, proof["cryptosuite"], suite)
	}
	if v, ok := proof["created"]; ok {
		if _, err := parseDateTime(v); err != nil {
			return nil, fmt.Errorf("%w: created: %w", ErrProofDate, err)
		}
	}
	config := make(map[string]any, len(proof)+1)
	for k, v := range proof {
		if k != "proofValue" {
			config[k] = v
		}
	}
	if ctx, ok := doc["@context"]; ok {
		config["@context"] = ctx
	}
	return config, nil
}

// transformHash returns sha256(Transform(doc, suite)). Signing and
// verification need only the hash, so the eddsa-rdfc-2022 canonical
// N-Quads are streamed into the hash instead of being built as a document.
func transformHash(doc map[string]any, suite string) ([sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	switch suite {
	case SuiteRDFC, SuiteEdDSA2022:
		return rdfcHash(doc, jsonld.WriteCanonical)
	case SuiteJCS:
		if err := jcsTermCheck(doc); err != nil {
			return sum, err
		}
		return jcsHash(doc)
	default:
		return sum, fmt.Errorf("%w: %q", ErrUnsupportedSuite, suite)
	}
}

// jcsHash is SHA-256 of the RFC 8785 form of doc.
func jcsHash(doc map[string]any) ([sha256.Size]byte, error) {
	buf := jcsBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= maxPooledJCS {
			jcsBuffers.Put(buf)
		}
	}()
	buf.Reset()
	if err := canonjson.Append(buf, doc); err != nil {
		return [sha256.Size]byte{}, fmt.Errorf("%w: %w", ErrCanonicalize, err)
	}
	return sha256.Sum256(buf.Bytes()), nil
}

// jcsTermCheck refuses, under eddsa-jcs-2022, a JSON-LD document (one
// with @context) that JSON-LD safe mode refuses, as eddsa-rdfc-2022 does
// (see jsonld.CheckTerms): VC Data Model 2.0 §4.3 requires that the terms
// of a credential be defined by its contexts, whichever suite secures it.
func jcsTermCheck(doc map[string]any) error {
	if _, ok := doc["@context"]; !ok {
		return nil
	}
	// Only data JSON-LD would drop is refused: a context microcred does
	// not ship leaves the terms unknown, which the data-model check
	// reports, and JCS itself does not need the contexts.
	if err := jsonld.CheckTerms(doc); errors.Is(err, jsonld.ErrUndefinedTerm) {
		return fmt.Errorf("%w: %w", ErrCanonicalize, err)
	}
	return nil
}

// rdfcHash is the eddsa-rdfc-2022 transformation and hash: SHA-256 of
// the canonical N-Quads that write produces for doc (jsonld.WriteCanonical,
// or a jsonld.Template's).
func rdfcHash(doc map[string]any, write func(io.Writer, any) error) ([sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	if _, ok := doc["@context"]; !ok {
		return sum, fmt.Errorf("%w: eddsa-rdfc-2022 needs a JSON-LD document with @context", ErrCanonicalize)
	}
	h := hashers.Get().(hash.Hash)
	defer hashers.Put(h)
	h.Reset()
	if err := write(h, doc); err != nil {
		return sum, fmt.Errorf("%w: %w", ErrCanonicalize, err)
	}
	h.Sum(sum[:0])
	return sum, nil
}

// jcsBuffers recycles the buffers that transformHash writes JCS into.
var jcsBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledJCS keeps an exceptionally large document's buffer out of the
// pool.
const maxPooledJCS = 1 << 20

// hashers recycles SHA-256 states for transformHash.
var hashers = sync.Pool{New: func() any { return sha256.New() }}

// proofConfigHash returns sha256(ProofConfig(doc, proof, suite)).
func proofConfigHash(doc map[string]any, proof map[string]any, suite string) ([sha256.Size]byte, error) {
	var buf [512]byte
	var key []byte
	cacheable := false
	if isRDFC(suite) {
		// A remembered configuration was checked by configDocument
		// when it was first hashed, so a hit needs neither the checks
		// nor the configuration document. The key holds the proof
		// options, cryptosuite included, so the two names of the rdfc
		// suite never share an entry.
		key, cacheable = configKeyOf(buf[:0], doc, proof)
		if cacheable {
			if h, ok := lookupConfigHash(key); ok {
				return h, nil
			}
		}
	}
	config, err := configDocument(doc, proof, suite)
	if err != nil {
		return [sha256.Size]byte{}, err
	}
	if suite == SuiteJCS {
		// The proof options are the cryptosuite's own data, not
		// credential content, and are hashed as given.
		return jcsHash(config)
	}
	h, err := transformHash(config, suite)
	if err == nil && cacheable {
		storeConfigHash(key, h)
	}
	return h, err
}

// hashData is HashData from the two hashes.
func hashData(docHash, configHash [sha256.Size]byte) []byte {
	out := make([]byte, 0, 2*sha256.Size)
	out = append(out, configHash[:]...)
	return append(out, docHash[:]...)
}

// HashData joins the two SHA-256 hashes that an EdDSA Data Integrity proof
// signs: the hash of the canonical proof configuration first, then the hash
// of the canonical document.
func HashData(transformed, proofConfig []byte) []byte {
	out := make([]byte, 0, 2*sha256.Size)
	h := sha256.Sum256(proofConfig)
	out = append(out, h[:]...)
	h = sha256.Sum256(transformed)
	return append(out, h[:]...)
}

// encodeProofValue returns the base58btc multibase form of a signature.
func encodeProofValue(sig []byte) string {
	return "z" + base58.Encode(sig)
}

// maxProofValueLen bounds proofValue before base58 decoding, which is
// quadratic in the input length: a 64-byte signature is at most 88 base58
// characters plus the multibase prefix.
const maxProofValueLen = 100

// decodeProofValue parses a base58btc multibase Ed25519 signature.
func decodeProofValue(v any) ([]byte, error) {
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("%w: missing or not a string", ErrProofValue)
	}
	if len(s) < 2 || s[0] != 'z' {
		return nil, fmt.Errorf("%w: not base58btc multibase (want a 'z' prefix)", ErrProofValue)
	}
	if len(s) > maxProofValueLen {
		return nil, fmt.Errorf("%w: %d characters is too long for an Ed25519 signature", ErrProofValue, len(s))
	}
	sig, err := base58.Decode(s[1:])
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrProofValue, err)
	}
	if len(sig) != 64 {
		return nil, fmt.Errorf("%w: signature is %d bytes, want 64", ErrProofValue, len(sig))
	}
	return sig, nil
}

// xsdDateTime matches the XML Schema 1.1 dateTime lexical space (year,
// month, day, time, optional fraction, optional time zone).
var xsdDateTime = regexp.MustCompile(`^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$`)

// parseDateTime parses a proof's created or expires value. A dateTime
// without a time zone is read as UTC.
func parseDateTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, fmt.Errorf("not a string: %v", v)
	}
	if !xsdDateTime.MatchString(s) {
		return time.Time{}, fmt.Errorf("not an XML Schema dateTime: %q", s)
	}
	layout := time.RFC3339Nano
	if !hasTimeZone(s) {
		layout = "2006-01-02T15:04:05.999999999"
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("invalid dateTime %q: %w", s, err)
	}
	return t, nil
}

// hasTimeZone reports whether s, which matches xsdDateTime, ends in a time
// zone: "Z" or ±hh:mm. Without one, s ends in the seconds or their
// fraction, whose last six characters never start with a sign.
func hasTimeZone(s string) bool {
	n := len(s)
	return s[n-1] == 'Z' || (s[n-6] == '+' || s[n-6] == '-') && s[n-3] == ':'
}

// formatDateTime writes t the way proofs carry dates: UTC, whole seconds.
func formatDateTime(t time.Time) string {
	return t.UTC().Truncate(time.Second).Format("2006-01-02T15:04:05Z")
}

// deepCopy copies the maps and slices of a decoded JSON value so that the
// copy can be changed without touching the original.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	default:
		return v
	}
}
