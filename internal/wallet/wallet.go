// Package wallet holds the rules of a learner's wallet that are not pages:
// what an imported credential is recorded as (its kind, a digest that
// recognises the same credential imported twice, the names lists show),
// the export bundle, and presentations — each learner's holder did:key,
// sealed under the master key like organizations' keys, and the Verifiable
// Presentation that answers a verifier's challenge and domain.
package wallet

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/did"
	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/proof"
	"github.com/microcred/microcred/internal/store"
)

// MaxImportBytes bounds one imported credential.
const MaxImportBytes = 1 << 20

// Parsed is an imported credential as the wallet records it.
type Parsed struct {
	Format       string // "json" or "jwt"
	Document     string // trimmed input
	CredentialID string
	Digest       []byte
}

// ErrNotCredential reports input that is neither a JSON object nor a
// compact JWT.
var ErrNotCredential = errors.New("this is neither a credential in JSON nor a JWT")

// Parse classifies an import and computes its digest: the SHA-256 of the
// credential's id when it has one (the same credential signed again, or
// re-serialised, is still a duplicate), else of the document itself.
func Parse(data []byte) (Parsed, error) {
	doc := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	if len(doc) == 0 {
		return Parsed{}, fmt.Errorf("%w: it is empty", ErrNotCredential)
	}
	if len(doc) > MaxImportBytes {
		return Parsed{}, fmt.Errorf("the credential is %d bytes; at most %d are accepted", len(doc), MaxImportBytes)
	}
	p := Parsed{Document: string(doc)}
	var id string
	switch {
	case doc[0] == '{':
		var m struct {
			ID any `json:"id"`
		}
		if err := json.Unmarshal(doc, &m); err != nil {
			return Parsed{}, fmt.Errorf("%w: the JSON does not parse (%v)", ErrNotCredential, err)
		}
		p.Format = "json"
		id, _ = m.ID.(string)
	case bytes.Count(doc, []byte(".")) == 2 && !bytes.ContainsAny(doc, " \t\r\n{}"):
		p.Format = "jwt"
	default:
		return Parsed{}, ErrNotCredential
	}
	if id != "" {
		p.CredentialID = credential.NormalizeID(id)
		sum := sha256.Sum256([]byte("id\x00" + p.CredentialID))
		p.Digest = sum[:]
	} else {
		sum := sha256.Sum256(doc)
		p.Digest = sum[:]
	}
	return p, nil
}

// NewHolderKey makes a learner's holder did:key, its private key sealed
// under master for the key id of its verification method.
func NewHolderKey(master keys.MasterKey, userID string) (store.HolderKey, error) {
	kp, err := keys.Generate("")
	if err != nil {
		return store.HolderKey{}, err
	}
	sealed, err := master.Seal(kp.Private, kp.ID)
	if err != nil {
		return store.HolderKey{}, fmt.Errorf("wallet: seal holder key: %w", err)
	}
	return store.HolderKey{UserID: userID, DID: kp.Controller, PublicKeyMultibase: did.EncodePublicKey(kp.Public), SealedPrivateKey: sealed}, nil
}

// HolderKeyPair is an unsealed holder key.
type HolderKeyPair = keys.KeyPair

// OpenHolderKey unseals a holder key.
func OpenHolderKey(master keys.MasterKey, k store.HolderKey) (*keys.KeyPair, error) {
	vm := k.DID + "#" + k.PublicKeyMultibase
	priv, err := master.Open(k.SealedPrivateKey, vm)
	if err != nil {
		return nil, fmt.Errorf("wallet: open holder key: %w", err)
	}
	return keys.FromSeed(priv.Seed(), "")
}

// Request is what a verifier asks of a presentation: the challenge it
// chose (against replay) and its domain (against re-targeting).
type Request struct {
	Challenge, Domain string
}

// ParseRequest reads a verifier's request: a Verifiable Presentation
// Request (JSON with "challenge" and "domain") or nothing, when the form
// gives the two fields directly.
func ParseRequest(text, challenge, domain string) (Request, error) {
	r := Request{Challenge: strings.TrimSpace(challenge), Domain: strings.TrimSpace(domain)}
	if t := strings.TrimSpace(text); t != "" {
		var vpr struct {
			Challenge string `json:"challenge"`
			Domain    string `json:"domain"`
		}
		if err := json.Unmarshal([]byte(t), &vpr); err != nil {
			return r, fmt.Errorf("the request is not JSON: paste the verifier's request as it was given, or fill in the challenge and domain")
		}
		r.Challenge, r.Domain = vpr.Challenge, vpr.Domain
	}
	switch {
	case r.Challenge == "":
		return r, fmt.Errorf("the verifier's challenge is missing: a presentation without it could be replayed")
	case r.Domain == "":
		return r, fmt.Errorf("the verifier's domain is missing: a presentation without it could be passed on to another verifier")
	case len(r.Challenge) > 512 || len(r.Domain) > 512:
		return r, fmt.Errorf("the challenge and domain must each be at most 512 characters")
	}
	return r, nil
}

// Present wraps credentials (JSON objects, or compact JWTs carried as
// EnvelopedVerifiableCredential data: URLs) in a Verifiable Presentation
// signed by the holder for the request, with proof purpose
// authentication.
func Present(docs []string, holder *keys.KeyPair, req Request, now time.Time) (map[string]any, error) {
	var vcs []any
	for i, d := range docs {
		if strings.HasPrefix(strings.TrimSpace(d), "{") {
			var m map[string]any
			if err := json.Unmarshal([]byte(d), &m); err != nil {
				return nil, fmt.Errorf("wallet: credential %d: %w", i+1, err)
			}
			vcs = append(vcs, m)
			continue
		}
		vcs = append(vcs, map[string]any{
			"@context": []any{credential.ContextV2},
			"id":       "data:application/vc+jwt," + strings.TrimSpace(d),
			"type":     "EnvelopedVerifiableCredential",
		})
	}
	vp := map[string]any{
		"@context":             []any{credential.ContextV2},
		"type":                 []any{"VerifiablePresentation"},
		"holder":               holder.Controller,
		"verifiableCredential": vcs,
	}
	signed, err := proof.Sign(vp, holder, proof.Options{ProofPurpose: "authentication", Challenge: req.Challenge, Domain: req.Domain, Created: now})
	if err != nil {
		return nil, fmt.Errorf("wallet: sign presentation: %w", err)
	}
	return signed, nil
}
