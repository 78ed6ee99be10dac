package proof

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"time"

	"github.com/microcred/microcred/internal/jsonld"
	"github.com/microcred/microcred/internal/keys"
)

// Options configures the proof that Sign creates.
type Options struct {
	// Suite is SuiteRDFC (the default) or SuiteJCS.
	Suite string
	// Created is the proof's creation time; zero means now. It is written
	// in UTC with second precision ("2006-01-02T15:04:05Z").
	Created time.Time
	// Expires, when set, is written as the proof's expires date.
	Expires time.Time
	// VerificationMethod is the URL of the key that verifies the proof;
	// empty means key.ID.
	VerificationMethod string
	// ProofPurpose defaults to "assertionMethod", the purpose of an
	// issuer's signature on a credential.
	ProofPurpose string
	// ID is an optional proof id (such as urn:uuid:...). A proof needs one
	// to be referenced by a later proof of a chain.
	ID string
	// PreviousProof, a string or a []string of proof ids, makes the new
	// proof part of a proof chain: it then also signs those proofs.
	PreviousProof any
	// Challenge and Domain, when set, are copied into the proof.
	Challenge, Domain string
	// Template, for eddsa-rdfc-2022, canonicalizes the document through a
	// jsonld.Template: the same canonical form, computed faster for a
	// document that embeds the template's parts (an issuer signing many
	// credentials of one achievement).
	Template *jsonld.Template
}

// Sign adds a DataIntegrityProof to doc, a decoded JSON object, and returns
// the secured document; doc itself is not modified. The secured document is
// a new top-level object that shares its nested values (objects, arrays)
// with doc. When doc already has a proof, the new one joins the proof set
// and proof becomes an array.
func Sign(doc map[string]any, key *keys.KeyPair, opt Options) (map[string]any, error) {
	if doc == nil {
		return nil, errors.New("sign: nil document")
	}
	if key == nil || len(key.Private) != ed25519.PrivateKeySize {
		return nil, errors.New("sign: no Ed25519 private key")
	}
	suite := opt.Suite
	if suite == "" {
		suite = SuiteRDFC
	}
	if suite != SuiteRDFC && suite != SuiteJCS {
		return nil, fmt.Errorf("sign: %w: %q", ErrUnsupportedSuite, suite)
	}
	vm := opt.VerificationMethod
	if vm == "" {
		vm = key.ID
	}
	if vm == "" {
		return nil, errors.New("sign: no verification method (set Options.VerificationMethod or KeyPair.ID)")
	}
	purpose := opt.ProofPurpose
	if purpose == "" {
		purpose = "assertionMethod"
	}
	created := opt.Created
	if created.IsZero() {
		created = time.Now()
	}

	// Only the top level changes (the proof property), so the secured
	// document shares every nested value with doc instead of copying the
	// whole tree.
	secured := shallowCopy(doc)
	existing, err := proofList(secured["proof"])
	if err != nil && !errors.Is(err, ErrNoProof) {
		return nil, fmt.Errorf("sign: existing proof: %w", err)
	}
	delete(secured, "proof")

	proof := map[string]any{
		"type":               ProofType,
		"cryptosuite":        suite,
		"created":            formatDateTime(created),
		"verificationMethod": vm,
		"proofPurpose":       purpose,
	}
	if opt.ID != "" {
		proof["id"] = opt.ID
	}
	if !opt.Expires.IsZero() {
		proof["expires"] = formatDateTime(opt.Expires)
	}
	if opt.Challenge != "" {
		proof["challenge"] = opt.Challenge
	}
	if opt.Domain != "" {
		proof["domain"] = opt.Domain
	}

	// The document the new proof signs: without proofs, or, in a chain,
	// with exactly the proofs it references (Data Integrity, Add Proof
	// Set/Chain). secured itself serves until its proof is set below.
	unsecured := secured
	if opt.PreviousProof != nil {
		unsecured = shallowCopy(secured)
		ids, err := previousProofIDs(opt.PreviousProof)
		if err != nil {
			return nil, fmt.Errorf("sign: %w", err)
		}
		matching, _, err := matchingProofs(existing, ids)
		if err != nil {
			return nil, fmt.Errorf("sign: %w", err)
		}
		if s, ok := opt.PreviousProof.(string); ok {
			proof["previousProof"] = s
		} else {
			list := make([]any, len(ids))
			for i, id := range ids {
				list[i] = id
			}
			proof["previousProof"] = list
		}
		unsecured["proof"] = matching
	}
	// eddsa-jcs-2022 binds the vocabulary by carrying the document's
	// @context in the proof itself.
	if suite == SuiteJCS {
		if ctx, ok := secured["@context"]; ok {
			proof["@context"] = deepCopy(ctx)
		}
	}

	var docHash [32]byte
	if opt.Template != nil && suite == SuiteRDFC {
		docHash, err = rdfcHash(unsecured, opt.Template.WriteCanonical)
	} else {
		docHash, err = transformHash(unsecured, suite)
	}
	if err != nil {
		return nil, fmt.Errorf("sign: document: %w", err)
	}
	configHash, err := proofConfigHash(unsecured, proof, suite)
	if err != nil {
		return nil, fmt.Errorf("sign: proof configuration: %w", err)
	}
	sig := ed25519.Sign(key.Private, hashData(docHash, configHash))
	proof["proofValue"] = encodeProofValue(sig)

	if len(existing) == 0 {
		secured["proof"] = proof
	} else {
		all := make([]any, 0, len(existing)+1)
		for _, p := range existing {
			all = append(all, p)
		}
		secured["proof"] = append(all, proof)
	}
	return secured, nil
}

// proofList returns the proofs of a proof property: one object or an array
// of objects.
func proofList(v any) ([]map[string]any, error) {
	switch p := v.(type) {
	case nil:
		return nil, ErrNoProof
	case map[string]any:
		return []map[string]any{p}, nil
	case []any:
		if len(p) == 0 {
			return nil, ErrNoProof
		}
		out := make([]map[string]any, len(p))
		for i, e := range p {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%w: proof %d is not a JSON object", ErrMalformedProof, i+1)
			}
			out[i] = m
		}
		return out, nil
	default:
		return nil, fmt.Errorf("%w: proof is neither an object nor an array", ErrMalformedProof)
	}
}

// previousProofIDs reads a previousProof value: a string or a list of
// strings.
func previousProofIDs(v any) ([]string, error) {
	switch p := v.(type) {
	case string:
		if p == "" {
			return nil, fmt.Errorf("%w: empty previousProof", ErrPreviousProof)
		}
		return []string{p}, nil
	case []string:
		if len(p) == 0 {
			return nil, fmt.Errorf("%w: empty previousProof", ErrPreviousProof)
		}
		return p, nil
	case []any:
		if len(p) == 0 {
			return nil, fmt.Errorf("%w: empty previousProof", ErrPreviousProof)
		}
		out := make([]string, len(p))
		for i, e := range p {
			s, ok := e.(string)
			if !ok || s == "" {
				return nil, fmt.Errorf("%w: previousProof entry %d is not a proof id", ErrPreviousProof, i+1)
			}
			out[i] = s
		}
		return out, nil
	default:
		return nil, fmt.Errorf("%w: previousProof must be a string or a list of strings", ErrPreviousProof)
	}
}

// matchingProofs returns, in proof-set order, the proofs whose id is one of
// ids, and their indexes in all. Every id must name a proof of the set.
func matchingProofs(all []map[string]any, ids []string) ([]any, []int, error) {
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[id] = false
	}
	var out []any
	var idx []int
	for i, p := range all {
		id, _ := p["id"].(string)
		if _, ok := want[id]; ok {
			want[id] = true
			out = append(out, p)
			idx = append(idx, i)
		}
	}
	for _, id := range ids {
		if !want[id] {
			return nil, nil, fmt.Errorf("%w: previousProof %q names no proof of the set", ErrPreviousProof, id)
		}
	}
	return out, idx, nil
}

func shallowCopy(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}
