package proof

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"time"
)

// KeyResolver turns a verification method URL into the Ed25519 public key
// it denotes, checking that the key's controller authorizes it for the
// given verification relationship (the proof purpose, such as
// "assertionMethod"). *did.Resolver implements it.
type KeyResolver interface {
	PublicKey(ctx context.Context, verificationMethod, relationship string) (ed25519.PublicKey, error)
}

// VerifyOptions configures Verify. The zero value checks an issuer's
// credential proofs against the current time.
type VerifyOptions struct {
	// ProofPurpose is the purpose every proof must state; empty means
	// "assertionMethod".
	ProofPurpose string
	// Domain and Challenge, when set, must equal the proof's domain and
	// challenge (used for presentations, against replay).
	Domain, Challenge string
	// Now is the time against which created and expires are checked;
	// zero means time.Now().
	Now time.Time
	// ClockSkew is how far in the future a proof's created date may lie
	// before it is refused; zero means DefaultClockSkew.
	ClockSkew time.Duration
}

// DefaultClockSkew tolerates clocks of issuer and verifier that disagree
// by a few minutes.
const DefaultClockSkew = 5 * time.Minute

// MaxProofs bounds the proofs Verify checks in one document, because each
// one costs a canonicalization and a key lookup.
const MaxProofs = 32

// Result is the outcome of checking one proof.
type Result struct {
	// Type is the proof's type (DataIntegrityProof, Ed25519Signature2020,
	// or whatever an unsupported proof says), empty when it has none.
	Type string
	// Suite is the cryptosuite of a DataIntegrityProof, or the type of a
	// proof whose type names its algorithm (Ed25519Signature2020, and the
	// types microcred does not check, such as JsonWebSignature2020).
	Suite              string
	VerificationMethod string
	ProofPurpose       string
	Created            time.Time
	// Verified is true only when the signature matches the document, every
	// check on the proof passed and, in a chain, every referenced proof
	// verified too.
	Verified bool
	// Unsupported is true when the proof's type or cryptosuite is not one
	// microcred can check (Err wraps ErrUnknownProofType or
	// ErrUnsupportedSuite). Such a proof was not checked: report it as
	// "could not be checked", never as invalid. A proof whose key could not
	// be obtained is not Unsupported, but its Err wraps ErrKey and, from a
	// *did.Resolver, did.ErrFetch or did.ErrUnsupportedMethod, which also
	// mean "could not be checked".
	Unsupported bool
	// Err says why the proof did not verify; it wraps one of the package's
	// Err* values.
	Err error
}

// Verify checks every proof of doc, in proof-set order, and returns one
// Result per proof. It returns an error only when the input cannot be
// checked at all: no proof, a proof that is not a JSON object, or more than
// MaxProofs proofs. previousProof references must name proofs of the same
// set; a chained proof is verified only when the proofs it references are.
func Verify(ctx context.Context, doc map[string]any, keys KeyResolver, opt VerifyOptions) ([]Result, error) {
	if doc == nil {
		return nil, fmt.Errorf("verify: %w", ErrNoProof)
	}
	if keys == nil {
		return nil, errors.New("verify: no key resolver")
	}
	all, err := proofList(doc["proof"])
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	if len(all) > MaxProofs {
		return nil, fmt.Errorf("verify: %w: %d proofs, at most %d are checked", ErrMalformedProof, len(all), MaxProofs)
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	if opt.ClockSkew == 0 {
		opt.ClockSkew = DefaultClockSkew
	}
	if opt.ProofPurpose == "" {
		opt.ProofPurpose = "assertionMethod"
	}

	v := &verifier{keys: keys, opt: opt, doc: doc, all: all}
	v.unsecured = shallowCopy(doc)
	delete(v.unsecured, "proof")

	results := make([]Result, len(all))
	refs := make([][]int, len(all))
	for i, p := range all {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("verify: %w", err)
		}
		results[i], refs[i] = v.verifyOne(ctx, p)
	}
	// A chain is only as good as its links: demote a proof whose
	// referenced proofs (directly or further up the chain) failed.
	state := make([]int, len(all)) // 0 unknown, 1 visiting, 2 good, 3 bad
	var good func(i int) bool
	good = func(i int) bool {
		switch state[i] {
		case 1, 3:
			return false // a reference cycle proves nothing
		case 2:
			return true
		}
		state[i] = 1
		ok := results[i].Verified
		for _, j := range refs[i] {
			if ok && !good(j) {
				ok = false
			}
		}
		state[i] = 3
		if ok {
			state[i] = 2
		}
		return ok
	}
	for i := range results {
		if results[i].Verified && !good(i) {
			results[i].Verified = false
			results[i].Err = fmt.Errorf("%w: a proof referenced by previousProof did not verify", ErrPreviousProof)
		}
	}
	return results, nil
}

// verifier holds what the proofs of one document share.
type verifier struct {
	keys      KeyResolver
	opt       VerifyOptions
	doc       map[string]any
	unsecured map[string]any
	all       []map[string]any
	// cache keeps the hash of the canonical document per suite for proofs
	// that sign the plain unsecured document, so a proof set
	// canonicalizes it once.
	cache map[string][sha256.Size]byte
}

// verifyOne runs the cryptosuite's verification algorithm on one proof and
// returns its result and the indexes of the proofs it references.
func (v *verifier) verifyOne(ctx context.Context, p map[string]any) (Result, []int) {
	r := Result{}
	r.Type, _ = p["type"].(string)
	r.Suite, _ = p["cryptosuite"].(string)
	r.VerificationMethod, _ = p["verificationMethod"].(string)
	r.ProofPurpose, _ = p["proofPurpose"].(string)
	fail := func(err error) (Result, []int) {
		r.Verified = false
		r.Err = err
		return r, nil
	}
	unsupported := func(err error) (Result, []int) {
		r.Unsupported = true
		return fail(err)
	}

	legacy := false
	switch t := p["type"]; {
	case r.Type == ProofType:
		switch {
		case r.Suite == SuiteRDFC, r.Suite == SuiteJCS, r.Suite == SuiteEdDSA2022:
		case r.Suite != "":
			return unsupported(fmt.Errorf("%w: cryptosuite %q (microcred checks %s, %s and %s)", ErrUnsupportedSuite, r.Suite, SuiteRDFC, SuiteJCS, SuiteEdDSA2022))
		default:
			return fail(fmt.Errorf("%w: %w: cryptosuite is %s, a DataIntegrityProof needs one", ErrMalformedProof, ErrUnsupportedSuite, describeMember(p, "cryptosuite")))
		}
	case r.Type == ProofTypeEd25519Signature2020:
		legacy = true
		r.Suite = ProofTypeEd25519Signature2020
	case r.Type != "":
		r.Suite = r.Type
		return unsupported(fmt.Errorf("%w: type %q (microcred checks %s and %s)", ErrUnknownProofType, r.Type, ProofType, ProofTypeEd25519Signature2020))
	case t == nil:
		return fail(fmt.Errorf("%w: %w: type is %s", ErrMalformedProof, ErrUnknownProofType, describeMember(p, "type")))
	default:
		// A list of types, or a number: not a proof type any suite defines.
		return fail(fmt.Errorf("%w: %w: type is %s, want a string", ErrMalformedProof, ErrUnknownProofType, describeMember(p, "type")))
	}
	if r.VerificationMethod == "" {
		return fail(fmt.Errorf("%w: verificationMethod is %s, want a URL string", ErrMalformedProof, describeMember(p, "verificationMethod")))
	}
	if r.ProofPurpose == "" {
		return fail(fmt.Errorf("%w: proofPurpose is %s, want a string such as \"assertionMethod\"", ErrMalformedProof, describeMember(p, "proofPurpose")))
	}
	if r.ProofPurpose != v.opt.ProofPurpose {
		return fail(fmt.Errorf("%w: proofPurpose %q, want %q", ErrProofPurpose, r.ProofPurpose, v.opt.ProofPurpose))
	}
	if c, ok := p["created"]; ok {
		t, err := parseDateTime(c)
		if err != nil {
			return fail(fmt.Errorf("%w: created: %w", ErrProofDate, err))
		}
		r.Created = t
		if t.After(v.opt.Now.Add(v.opt.ClockSkew)) {
			return fail(fmt.Errorf("%w: created %s is in the future", ErrProofDate, formatDateTime(t)))
		}
	}
	if e, ok := p["expires"]; ok {
		t, err := parseDateTime(e)
		if err != nil {
			return fail(fmt.Errorf("%w: expires: %w", ErrProofDate, err))
		}
		if !v.opt.Now.Before(t) {
			return fail(fmt.Errorf("%w: proof expired at %s", ErrProofDate, formatDateTime(t)))
		}
	}
	if v.opt.Domain != "" && !domainMatches(p["domain"], v.opt.Domain) {
		return fail(fmt.Errorf("%w: proof domain is %s, want %q", ErrDomain, describe(p["domain"]), v.opt.Domain))
	}
	if v.opt.Challenge != "" {
		if c, _ := p["challenge"].(string); c != v.opt.Challenge {
			return fail(fmt.Errorf("%w: proof challenge is %s, want %q", ErrChallenge, describe(p["challenge"]), v.opt.Challenge))
		}
	}
	if legacy {
		return v.verifyLegacy(ctx, p, r)
	}
	sig, err := decodeProofValue(p["proofValue"])
	if err != nil {
		return fail(err)
	}

	input := v.unsecured
	var refs []int
	cacheable := true
	if prev, ok := p["previousProof"]; ok {
		ids, err := previousProofIDs(prev)
		if err != nil {
			return fail(err)
		}
		matching, idx, err := matchingProofs(v.all, ids)
		if err != nil {
			return fail(err)
		}
		refs = idx
		input = shallowCopy(v.unsecured)
		input["proof"] = matching
		cacheable = false
	}
	if pctx, ok := p["@context"]; ok {
		if err := contextPrefix(pctx, v.doc["@context"]); err != nil {
			return fail(err)
		}
		if !reflect.DeepEqual(pctx, v.doc["@context"]) {
			if cacheable {
				input = shallowCopy(input)
			}
			input["@context"] = pctx
			cacheable = false
		}
	}

	options := make(map[string]any, len(p))
	for k, val := range p {
		if k != "proofValue" {
			options[k] = val
		}
	}
	docHash, ok := v.cache[r.Suite]
	if !ok || !cacheable {
		docHash, err = transformHash(input, r.Suite)
		if err != nil {
			return fail(fmt.Errorf("document: %w", err))
		}
		if cacheable {
			if v.cache == nil {
				v.cache = make(map[string][sha256.Size]byte, 2)
			}
			v.cache[r.Suite] = docHash
		}
	}
	configHash, err := proofConfigHash(input, options, r.Suite)
	if err != nil {
		return fail(fmt.Errorf("proof configuration: %w", err))
	}
	if err := v.checkSignature(ctx, r, hashData(docHash, configHash), sig); err != nil {
		return fail(err)
	}
	r.Verified = true
	return r, refs
}

// verifyLegacy checks an Ed25519Signature2020 proof whose common members
// verifyOne has already checked. The suite signs
// sha256(URDNA2015(proof options)) || sha256(URDNA2015(document)), exactly
// like eddsa-rdfc-2022 (RDFC-1.0 is URDNA2015 under its W3C name), with
// the proof options and the document both under the suite's context (see
// legacyContext). It has no proof chains.
func (v *verifier) verifyLegacy(ctx context.Context, p map[string]any, r Result) (Result, []int) {
	fail := func(err error) (Result, []int) {
		r.Err = err
		return r, nil
	}
	sig, err := decodeProofValue(p["proofValue"])
	if err != nil {
		return fail(err)
	}
	if _, ok := v.unsecured["@context"]; !ok {
		return fail(fmt.Errorf("%w: an Ed25519Signature2020 proof needs a JSON-LD document with @context", ErrCanonicalize))
	}
	docHash, ok := v.cache[r.Suite]
	if !ok {
		input := v.unsecured
		if c, added := legacyContext(input["@context"]); added {
			input = shallowCopy(input)
			input["@context"] = c
		}
		docHash, err = transformHash(input, SuiteRDFC)
		if err != nil {
			return fail(fmt.Errorf("document: %w", err))
		}
		if v.cache == nil {
			v.cache = make(map[string][sha256.Size]byte, 2)
		}
		v.cache[r.Suite] = docHash
	}
	configHash, err := legacyConfigHash(v.unsecured, p)
	if err != nil {
		return fail(fmt.Errorf("proof options: %w", err))
	}
	if err := v.checkSignature(ctx, r, hashData(docHash, configHash), sig); err != nil {
		return fail(err)
	}
	r.Verified = true
	return r, nil
}

// checkSignature resolves the proof's Ed25519 key and checks sig over data.
func (v *verifier) checkSignature(ctx context.Context, r Result, data, sig []byte) error {
	pub, err := v.keys.PublicKey(ctx, r.VerificationMethod, r.ProofPurpose)
	if err != nil {
		return fmt.Errorf("%w: verificationMethod %s: %w", ErrKey, r.VerificationMethod, err)
	}
	if len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("%w: verificationMethod %s is not an Ed25519 public key", ErrKey, r.VerificationMethod)
	}
	if !ed25519.Verify(pub, data, sig) {
		return fmt.Errorf("%w (%s, key %s)", ErrSignature, r.Suite, r.VerificationMethod)
	}
	return nil
}

// describeMember describes member k of object m for an error message:
// "missing" when absent, "null" when null, otherwise as describe does.
func describeMember(m map[string]any, k string) string {
	v, ok := m[k]
	if ok && v == nil {
		return "null"
	}
	return describe(v)
}

// describe writes a JSON value for an error message: "missing" for an
// absent member, a quoted string, or the JSON text (shortened) of anything
// else, so that no message shows Go's <nil> or an empty pair of quotes
// without saying what they mean.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "missing"
	case string:
		if x == "" {
			return "an empty string"
		}
		if len(x) > 80 {
			x = x[:77] + "..."
		}
		return strconv.Quote(x)
	default:
		b, err := json.Marshal(x)
		if err != nil {
			return fmt.Sprintf("a %T", x)
		}
		if len(b) > 80 {
			b = append(b[:77], "..."...)
		}
		return "the JSON value " + string(b)
	}
}

// contextPrefix checks the rule of both EdDSA suites: the document's
// @context must start with every value of the proof's @context, in order.
func contextPrefix(proofCtx, docCtx any) error {
	pc, dc := contextList(proofCtx), contextList(docCtx)
	if len(pc) == 0 {
		return fmt.Errorf("%w: empty proof @context", ErrContextMismatch)
	}
	if len(dc) < len(pc) {
		return fmt.Errorf("%w: proof has %d contexts, document %d", ErrContextMismatch, len(pc), len(dc))
	}
	for i := range pc {
		if !reflect.DeepEqual(pc[i], dc[i]) {
			return fmt.Errorf("%w: context %d differs", ErrContextMismatch, i+1)
		}
	}
	return nil
}

// contextList reads an @context value as a list: a single context (a URL
// or an object) becomes a list of one.
func contextList(v any) []any {
	switch c := v.(type) {
	case nil:
		return nil
	case []any:
		return c
	default:
		return []any{c}
	}
}

// domainMatches compares a proof's domain (a string or a list of strings)
// with the domain the verifier expects, treating a string as a set of one.
func domainMatches(v any, want string) bool {
	switch d := v.(type) {
	case string:
		return d == want
	case []any:
		return len(d) == 1 && d[0] == want
	default:
		return false
	}
}
