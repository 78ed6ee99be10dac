// Package verify is the verification pipeline: it takes a credential in any
// supported form (JSON with Data Integrity proofs, or a JWT), checks it step
// by step and returns a report with one of three verdicts (verified, not
// verified, could not be checked) whose every check says, in plain words,
// what was checked and what was found, with the technical detail beside it.
//
// The checks follow the verification procedures of Open Badges 3.0
// (section "Verification") and VC Data Model 2.0 (section "Validation"):
// they fail the verdict exactly where those procedures do — a signature
// that does not match, a signer who is not the issuer, expired, not yet
// valid, revoked or suspended, a credential that is not a verifiable
// credential, an Open Badge that names no recipient. Every other departure
// from the data models is a warning. A check that cannot be carried out
// (a proof suite this build does not implement, a DID document or status
// list that cannot be fetched) is "not checked", never "failed": a genuine
// credential must never be called false because of a verifier's limits.
package verify

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/did"
	"github.com/microcred/microcred/internal/jsonld"
	"github.com/microcred/microcred/internal/proof"
)

// Options configure a verification.
type Options struct {
	// Keys resolves verification methods to public keys (a *did.Resolver).
	Keys proof.KeyResolver
	// Now is the time validity is judged at; zero means time.Now().
	Now time.Time
	// Status reads credentialStatus entries from the issuer's status
	// lists; nil means offline, and a credential with entries then gets a
	// "not checked" status check (see checkStatus).
	Status StatusChecker
	// Log, when set, adds the transparency-log inclusion check (see
	// LogOptions); nil leaves the check out.
	Log *LogOptions
}

// Credential verifies data, which holds either a JSON credential with one
// or more Data Integrity proofs or a compact JWT. It returns an error
// wrapping ErrUnusable (an *UnusableError) only when the input cannot be
// read as either; every other problem is a check in the report.
func Credential(ctx context.Context, data []byte, opt Options) (*Report, error) {
	now := opt.Now
	if now.IsZero() {
		now = time.Now()
	}
	if opt.Keys == nil {
		opt.Keys = &did.Resolver{}
	}
	rep := &Report{}
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	var signers []string
	if kind := imageKind(trimmed); kind != "" {
		unreadImage(rep, kind)
		return rep.finish(), nil
	}
	if len(trimmed) > 0 && trimmed[0] != '{' {
		var err error
		if signers, err = checkJWT(ctx, rep, string(trimmed), opt); err != nil {
			return nil, err
		}
	} else {
		doc, err := DecodeDocument(trimmed)
		if err != nil {
			return nil, unusable("%v", err)
		}
		if isOB2(doc) {
			unreadOB2(rep)
			return rep.finish(), nil
		}
		rep.Credential = doc
		rep.Format = "a JSON credential secured with Data Integrity proofs"
		signers = checkProofs(ctx, rep, doc, opt.Keys, proof.VerifyOptions{Now: now}, "issuer")
	}
	if rep.Credential != nil {
		checkModel(rep)
		checkIssuer(rep, signers)
		checkValidity(rep, now)
		checkStatus(ctx, rep, opt, now)
		checkLog(ctx, rep, opt.Log, trimmed)
	}
	return rep.finish(), nil
}

// checkProofs adds one check per proof of doc and returns the verification
// methods whose proofs verified. whose names the party expected to sign
// ("issuer", "holder") in the sentences.
func checkProofs(ctx context.Context, rep *Report, doc map[string]any, keys proof.KeyResolver, vo proof.VerifyOptions, whose string) []string {
	results, err := proof.Verify(ctx, doc, keys, vo)
	if err != nil {
		switch {
		case errors.Is(err, proof.ErrNoProof):
			rep.fail("proof", "The credential carries no digital signature, so nothing shows who issued it or that it is unaltered.",
				"no proof property")
		case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
			rep.notChecked("proof", "The signature check did not finish in time.", clean(err))
		default:
			rep.fail("proof", "The credential's signature block cannot be read, so the credential cannot be trusted.", clean(err))
		}
		return nil
	}
	var signers []string
	var unsupported []int // indexes in rep.Checks
	start := len(rep.Checks)
	for i, r := range results {
		name := "proof"
		if len(results) > 1 {
			name = fmt.Sprintf("proof %d", i+1)
		}
		kind := proofKind(r, doc, i)
		switch {
		case r.Verified:
			when := ""
			if !r.Created.IsZero() {
				when = ", created " + r.Created.UTC().Format(time.RFC3339)
			}
			rep.pass(name, fmt.Sprintf("The digital signature matches: the credential has not been changed since it was signed with the key %s.", shortVM(r.VerificationMethod)),
				fmt.Sprintf("%s proof by %s%s", kind, r.VerificationMethod, when))
			signers = append(signers, r.VerificationMethod)
		case r.Unsupported || errors.Is(r.Err, proof.ErrUnknownProofType) || errors.Is(r.Err, proof.ErrUnsupportedSuite):
			rep.notChecked(name, fmt.Sprintf("This signature is of a kind microcred cannot check (%s), so it neither confirms nor refutes the credential.", kind),
				clean(r.Err))
			unsupported = append(unsupported, len(rep.Checks)-1)
		default:
			state, summary := proofProblem(r.Err, whose)
			detail := kind + ": " + clean(r.Err)
			switch {
			case errors.Is(r.Err, proof.ErrKey):
				detail = kind + ": " + keyDetail(r.Err, r.VerificationMethod)
			case errors.Is(r.Err, jsonld.ErrRemoteContext):
				if m := remoteContextURL.FindStringSubmatch(r.Err.Error()); m != nil {
					detail = kind + ": the JSON-LD context " + m[1] + " is not shipped with microcred (contexts are never fetched)"
				}
			}
			rep.add(name, state, summary, detail)
		}
	}
	// A proof set is verified when every proof of a supported type
	// verifies and one of them is by the expected signer (checked by the
	// issuer or holder check); a proof of a kind microcred cannot check
	// then does not hold up the verdict.
	if len(signers) > 0 && len(signers)+len(unsupported) == len(rep.Checks)-start {
		for _, i := range unsupported {
			rep.Checks[i].Advisory = true
		}
	}
	return signers
}

// proofKind names a proof for the technical detail: its type and
// cryptosuite as the document states them.
func proofKind(r proof.Result, doc map[string]any, i int) string {
	p := doc["proof"]
	if list, ok := p.([]any); ok && i < len(list) {
		p = list[i]
	}
	m, _ := p.(map[string]any)
	t, _ := m["type"].(string)
	if t == "" {
		t = "untyped"
	}
	if r.Suite != "" {
		return t + " (" + r.Suite + ")"
	}
	return t
}

// shortVM shortens a did:key verification method, whose fragment repeats
// the identifier, for a sentence.
func shortVM(vm string) string {
	if strings.HasPrefix(vm, "did:key:") {
		if id, _, ok := strings.Cut(vm, "#"); ok {
			return id
		}
	}
	return vm
}

// proofProblem classifies a proof that did not verify: a key that cannot
// be obtained (network, unsupported key or DID method) is not checked; a
// signature that does not match, a key the controller does not authorize,
// a wrong purpose, domain or challenge fail.
func proofProblem(err error, whose string) (State, string) {
	switch {
	case errors.Is(err, proof.ErrKey):
		return keyProblem(err, whose)
	case errors.Is(err, jsonld.ErrRemoteContext):
		return NotChecked, "The credential refers to a vocabulary (JSON-LD context) that microcred does not have, and contexts are never downloaded, so the signature could not be checked."
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return NotChecked, "The signature check did not finish in time."
	case errors.Is(err, proof.ErrSignature):
		return Failed, "The digital signature does not match: the credential was changed after it was signed, or it was not signed with this key."
	case errors.Is(err, proof.ErrChallenge), errors.Is(err, proof.ErrDomain):
		return Failed, "The signature was made for another verifier or another request (its challenge or domain differs), so it may be a replay."
	case errors.Is(err, proof.ErrProofPurpose):
		return Failed, "The signature was made for another purpose than the one it is presented for."
	case errors.Is(err, proof.ErrProofDate):
		return Failed, "The signature's own dates rule it out (made in the future, or expired)."
	}
	return Failed, "The signature is not valid, so the credential cannot be trusted."
}

// keyProblem classifies a key resolution failure without exposing the
// network error (addresses of resolvers and hosts stay out of reports).
func keyProblem(err error, whose string) (State, string) {
	switch {
	case errors.Is(err, did.ErrMethodNotFound), errors.Is(err, did.ErrControllerMismatch),
		errors.Is(err, did.ErrRelationship), errors.Is(err, did.ErrDocumentID):
		return Failed, fmt.Sprintf("The key that made the signature is not one the %s has published for signing credentials.", whose)
	case errors.Is(err, did.ErrFetch):
		return NotChecked, fmt.Sprintf("The %s's public key could not be obtained from the address the signature names, so the signature could not be checked.", whose)
	}
	return NotChecked, fmt.Sprintf("The %s's public key is of a kind microcred cannot use, so the signature could not be checked.", whose)
}

// remoteContextURL finds the context URL in a jsonld remote-context error.
var remoteContextURL = regexp.MustCompile(`context "([^"]+)" is not shipped`)

// keyDetail is the technical detail of a key error: the failure's kind and
// the verification method, without the underlying network error.
func keyDetail(err error, vm string) string {
	for _, s := range []error{did.ErrFetch, did.ErrMethodNotFound, did.ErrControllerMismatch, did.ErrRelationship,
		did.ErrDocumentID, did.ErrUnsupportedKey, did.ErrUnsupportedMethod, did.ErrInvalidDID, did.ErrInvalidDocument,
		did.ErrDocumentTooLarge, did.ErrMultibase, did.ErrMulticodec, did.ErrKeyLength} {
		if errors.Is(err, s) {
			return fmt.Sprintf("verification key unavailable: %s: %v", vm, s)
		}
	}
	return fmt.Sprintf("verification key unavailable: %s", vm)
}

// checkIssuer makes sure a key that signed the credential belongs to the
// issuer it names: a valid signature by someone else proves nothing.
func checkIssuer(rep *Report, signers []string) {
	issuer := issuerID(rep.Credential)
	if issuer == "" {
		return // the data model check reports the missing issuer
	}
	if len(signers) == 0 {
		c := rep.notChecked("issuer", "Whether the issuer signed this credential could not be confirmed, because no signature could be checked.",
			"no verified signature to compare with the issuer "+issuer)
		c.Advisory = true
		return
	}
	for _, vm := range signers {
		if controllerOf(vm) == issuer {
			rep.pass("issuer", fmt.Sprintf("It was signed by the issuer it names, %s.", displayIssuer(rep.Credential)), "signed by "+vm)
			return
		}
	}
	rep.fail("issuer", "It was signed by someone other than the issuer it names, so it may be a forgery.",
		fmt.Sprintf("issuer is %s; signed by %s", issuer, strings.Join(signers, ", ")))
}

func controllerOf(vm string) string {
	c, _, _ := strings.Cut(vm, "#")
	return c
}

func displayIssuer(doc map[string]any) string {
	if m, ok := doc["issuer"].(map[string]any); ok {
		if n, _ := m["name"].(string); strings.TrimSpace(n) != "" {
			return oneLine(n) + " (" + issuerID(doc) + ")"
		}
	}
	return issuerID(doc)
}

// checkValidity judges validFrom/validUntil (VC 2.0) and their VC 1.1
// predecessors issuanceDate/expirationDate at now.
func checkValidity(rep *Report, now time.Time) {
	doc := rep.Credential
	from, fromField := stringField(doc, "validFrom", "issuanceDate")
	until, untilField := stringField(doc, "validUntil", "expirationDate")
	var parts []string
	if from != "" {
		t, err := parseDate(from)
		switch {
		case err != nil:
			rep.fail("validity period", "The credential's start date cannot be read, so its validity cannot be established.",
				fmt.Sprintf("%s %q is not a date-time with a time zone", fromField, from))
			return
		case now.Add(proof.DefaultClockSkew).Before(t):
			// An issuer's clock a few minutes ahead of ours does not make a
			// credential signed a moment ago "not yet valid".
			rep.fail("validity period", fmt.Sprintf("It is not valid yet: it only becomes valid on %s.", t.UTC().Format("2 January 2006")),
				fmt.Sprintf("%s %s is after the time of verification %s", fromField, t.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)))
			return
		}
		parts = append(parts, fromField+" "+t.UTC().Format(time.RFC3339))
	}
	if until == "" {
		rep.pass("validity period", "It is within its validity period; it does not expire.", strings.Join(append(parts, "no "+untilField), "; "))
		return
	}
	t, err := parseDate(until)
	switch {
	case err != nil:
		rep.fail("validity period", "The credential's expiry date cannot be read, so its validity cannot be established.",
			fmt.Sprintf("%s %q is not a date-time with a time zone", untilField, until))
	case !now.Before(t):
		rep.fail("validity period", fmt.Sprintf("It has expired: it was valid until %s.", t.UTC().Format("2 January 2006")),
			fmt.Sprintf("expired on %s (%s)", t.UTC().Format(time.RFC3339), untilField))
	default:
		rep.pass("validity period", fmt.Sprintf("It is within its validity period, until %s.", t.UTC().Format("2 January 2006")),
			strings.Join(append(parts, untilField+" "+t.UTC().Format(time.RFC3339)), "; "))
	}
}

// parseDate reads a date-time with a time zone (VC 2.0 dateTimeStamp; VC
// 1.1's xsd:dateTime as issuers write it).
func parseDate(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.Parse("2006-01-02T15:04:05.999999999z07:00", s)
}

// checkJWT verifies a compact JWT: a VC-JOSE-COSE credential (the payload
// is the credential) or an Open Badges 3.0 / VC 1.1 JWT (the credential is
// the vc claim). It fills rep.Credential with the credential, verified or
// not (displays label unverified claims), and returns the signing key id
// when the signature verified.
func checkJWT(ctx context.Context, rep *Report, token string, opt Options) ([]string, error) {
	header, payload, err := peekJWT(token)
	if err != nil {
		return nil, err
	}
	if isOB2(payload) {
		unreadOB2(rep) // an Open Badges 2.0 signed assertion
		rep.Format = "an Open Badges 2.0 signed assertion (JWS)"
		return nil, nil
	}
	alg, _ := header["alg"].(string)
	typ, _ := header["typ"].(string)
	rep.Format = fmt.Sprintf("a JWT (alg %s", orMissing(alg))
	if typ != "" {
		rep.Format += ", typ " + typ
	}
	rep.Format += ")"
	if vc, ok := payload["vc"].(map[string]any); ok {
		rep.Credential = vc
	} else {
		rep.Credential = payload
	}
	doc, kid, err := proof.VerifyJWTWithKID(ctx, token, opt.Keys)
	if err == nil {
		rep.Credential = doc
		if vc, ok := doc["vc"].(map[string]any); ok {
			rep.Credential = vc
		}
		rep.pass("proof", fmt.Sprintf("The digital signature matches: the credential has not been changed since it was signed with the key %s.", shortVM(kid)),
			fmt.Sprintf("JWS %s signature by %s", alg, kid))
		return []string{kid}, nil
	}
	if errors.Is(err, proof.ErrMalformedJWT) {
		return nil, unusable("%s", clean(err))
	}
	_, hasVC := payload["vc"]
	_, hasJWK := header["jwk"]
	switch {
	case errors.Is(err, proof.ErrJWTAlgorithm) && !strongAlg(alg):
		rep.fail("proof", "The signature uses a method that does not prove who signed it, so anyone could have made this credential.",
			fmt.Sprintf("alg %s is not allowed", orMissing(alg)))
	case errors.Is(err, proof.ErrJWTAlgorithm):
		rep.notChecked("proof", fmt.Sprintf("This credential is signed with %s, which microcred cannot check yet, so its signature neither confirms nor refutes it.", alg),
			fmt.Sprintf("JWS alg %s is not supported", alg))
	case (errors.Is(err, proof.ErrJWTType) || errors.Is(err, proof.ErrJWTClaims)) && hasVC,
		errors.Is(err, proof.ErrJWTType) && mediaType(typ) == "jwt":
		rep.notChecked("proof", "This credential uses the Open Badges 3.0 / VC 1.1 JWT format (a vc claim), which microcred cannot check yet.",
			fmt.Sprintf("JWT with typ %s and a vc claim is not supported", orMissing(typ)))
	case errors.Is(err, proof.ErrJWTKeyID) && hasJWK:
		rep.notChecked("proof", "The JWT carries its own key (jwk) instead of naming the issuer's key, which microcred cannot check yet.",
			"JWT header jwk without kid is not supported")
	case errors.Is(err, proof.ErrKey):
		state, summary := keyProblem(err, "issuer")
		rep.add("proof", state, summary, keyDetail(err, kid))
	default:
		state, summary := proofProblem(err, "issuer")
		if errors.Is(err, proof.ErrJWTClaims) {
			summary = "The JWT's own claims contradict the credential or have run out (iss, exp), so it cannot be trusted."
		}
		if errors.Is(err, proof.ErrJWTType) {
			summary = "The JWT does not say it carries a credential (its typ or cty header), so it is not accepted as one."
		}
		if errors.Is(err, proof.ErrJWTKeyID) {
			summary = "The JWT does not name the key that signed it (no kid), so the signer cannot be identified."
		}
		rep.add("proof", state, summary, clean(err))
	}
	return nil, nil
}

func orMissing(s string) string {
	if s == "" {
		return "(missing)"
	}
	return s
}

// strongAlg tells asymmetric JWS algorithms (which prove who signed) from
// "none" and the HMAC algorithms (which anyone with the shared secret, or
// anyone at all, can produce).
func strongAlg(alg string) bool {
	switch alg {
	case "EdDSA", "Ed25519", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "ES256K":
		return true
	}
	return false
}

func mediaType(s string) string {
	return strings.TrimPrefix(strings.ToLower(s), "application/")
}

// peekJWT decodes a compact JWS's header and payload without verifying it,
// for the report's format line and for showing the (unverified) claims
// when the signature cannot be checked.
func peekJWT(token string) (map[string]any, map[string]any, error) {
	if strings.Count(token, ".") != 2 || strings.ContainsAny(token, " \t\r\n{}\"") {
		return nil, nil, unusable("the input is neither a JSON object nor a compact JWT (header.payload.signature)")
	}
	if len(token) > proof.MaxJWTSize {
		return nil, nil, unusable("the JWT is larger than %d bytes", proof.MaxJWTSize)
	}
	parts := strings.SplitN(token, ".", 3)
	var out [2]map[string]any
	for i, name := range []string{"header", "payload"} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			return nil, nil, unusable("the JWT %s is not base64url", name)
		}
		if err := json.Unmarshal(raw, &out[i]); err != nil || out[i] == nil {
			return nil, nil, unusable("the JWT %s is not a JSON object", name)
		}
	}
	return out[0], out[1], nil
}

func stringField(doc map[string]any, names ...string) (string, string) {
	for _, n := range names {
		if s, ok := doc[n].(string); ok {
			return s, n
		}
	}
	return "", names[0]
}

// issuerID returns the issuer's id whether issuer is a string or an object.
func issuerID(doc map[string]any) string {
	switch v := doc["issuer"].(type) {
	case string:
		return v
	case map[string]any:
		s, _ := v["id"].(string)
		return s
	}
	return ""
}

func stringsOf(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		out := make([]string, 0, len(t))
		for _, x := range t {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
