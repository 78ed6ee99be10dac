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

	"github.com/microcred/microcred/internal/bake"
	"github.com/microcred/microcred/internal/did"
	"github.com/microcred/microcred/internal/fetch"
	"github.com/microcred/microcred/internal/jsonld"
	"github.com/microcred/microcred/internal/proof"
)

// Options configure a verification.
type Options struct {
	// Keys resolves verification methods to public keys (a *did.Resolver).
	Keys proof.KeyResolver
	// Now is the time validity is judged at; zero means time.Now().
	Now time.Time
	// KeySets fetches the JWK Sets of JWT issuers identified by an https
	// URL (OB 3.0 recommended practice: https://{authority}/.well-known/jwks.json)
	// and the key documents their https kid URLs point to. Pass the guarded
	// outbound fetcher, never a bare HTTP client: the URLs come from the
	// credential. Nil means key sets are not fetched, and a JWT whose key is
	// in one is reported as could not be checked.
	KeySets did.Fetcher
	// Status reads credentialStatus entries from the issuer's status
	// lists; nil means offline, and a credential with entries then gets a
	// "not checked" status check (see checkStatus).
	Status StatusChecker
	// Log, when set, adds the transparency-log inclusion check (see
	// LogOptions); nil leaves the check out.
	Log *LogOptions
	// OB2 fetches what an Open Badges 2.0 assertion names (a hosted
	// assertion, its badge class and issuer, a signing key, a revocation
	// list): pass the guarded outbound client. Nil means offline, and such
	// a badge is reported as could not be checked.
	OB2 *fetch.Client

	// nested marks the verification of a credential embedded in a
	// Comprehensive Learner Record: its own embedded credentials are not
	// verified again (one level deep).
	nested bool
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
	var signers []signer
	if kind := imageKind(trimmed); kind != "" {
		// A baked badge: the credential inside is what is checked.
		baked, err := bake.Unbake(trimmed)
		if err != nil {
			unreadImage(rep, kind, err)
			return rep.finish(), nil
		}
		inner, err := Credential(ctx, baked.Credential, opt)
		if err != nil {
			return nil, err
		}
		inner.Format = inner.Format + ", read from a baked badge image (" + kind + ")"
		return inner, nil
	}
	if len(trimmed) > 0 && trimmed[0] != '{' {
		var err error
		if signers, err = checkJWT(ctx, rep, string(trimmed), opt, now); err != nil {
			return nil, err
		}
	} else {
		doc, err := DecodeDocument(trimmed)
		if err != nil {
			return nil, unusable("%v", err)
		}
		if isOB2(doc) {
			checkOB2(ctx, rep, trimmed, opt, now)
			return rep.finish(), nil
		}
		rep.Credential = doc
		rep.Format = "a JSON credential secured with Data Integrity proofs"
		for _, vm := range checkProofs(ctx, rep, doc, opt.Keys, proof.VerifyOptions{Now: now}, "issuer") {
			signers = append(signers, signer{method: vm})
		}
	}
	if rep.Credential != nil {
		checkModel(rep)
		checkIssuer(rep, signers)
		checkValidity(rep, now)
		checkStatus(ctx, rep, opt, now)
		checkLog(ctx, rep, opt.Log, trimmed)
		if isClr(rep.Credential) && !opt.nested {
			checkEmbedded(ctx, rep, opt)
		}
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
		case r.Unsupported:
			rep.notChecked(name, fmt.Sprintf("This signature is of a kind microcred cannot check (%s), so it neither confirms nor refutes the credential.", kind),
				clean(r.Err))
			unsupported = append(unsupported, len(rep.Checks)-1)
		default:
			state, summary := proofProblem(r.Err, whose)
			if proof.CouldNotCheck(r.Err) && state != NotChecked {
				// The proofs package's own judgement: the proof may be
				// genuine, microcred could not check it.
				state, summary = NotChecked, "This signature could not be checked, so it neither confirms nor refutes the credential."
			}
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
	t := r.Type
	if t == "" {
		p := doc["proof"]
		if list, ok := p.([]any); ok && i < len(list) {
			p = list[i]
		}
		m, _ := p.(map[string]any)
		t, _ = m["type"].(string)
	}
	if t == "" {
		t = "untyped"
	}
	if r.Suite != "" && r.Suite != t {
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
	case errors.Is(err, did.ErrUnsupportedMethod):
		return NotChecked, fmt.Sprintf("The %s's identifier uses a DID method microcred cannot resolve, so the signature could not be checked.", whose)
	case errors.Is(err, did.ErrUnsupportedKey), errors.Is(err, did.ErrMultibase), errors.Is(err, did.ErrMulticodec), errors.Is(err, did.ErrKeyLength):
		return NotChecked, fmt.Sprintf("The %s's public key is of a kind microcred cannot use, so the signature could not be checked.", whose)
	case errors.Is(err, did.ErrInvalidDID), errors.Is(err, did.ErrInvalidDocument), errors.Is(err, did.ErrDocumentTooLarge):
		return NotChecked, fmt.Sprintf("The %s's DID document or identifier could not be read, so the signature could not be checked.", whose)
	}
	return NotChecked, fmt.Sprintf("The %s's public key could not be used, so the signature could not be checked.", whose)
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

// signer is a key whose proof verified.
type signer struct {
	method string
	// jwt marks a JWT key, for which the proofs package established whether
	// it is the issuer's (bound): a key from the issuer's JWK Set or a jwk
	// header listed by the issuer is, though its URL is not "issuer#...".
	// A Data Integrity key is the issuer's when its controller (the part
	// of the verification method before '#') is the issuer.
	jwt, bound bool
	// source says where a JWT key came from, for the detail.
	source string
}

func (s signer) byIssuer(issuer string) bool {
	if s.jwt {
		return s.bound
	}
	return controllerOf(s.method) == issuer
}

// checkIssuer makes sure a key that signed the credential belongs to the
// issuer it names: a valid signature by someone else proves nothing.
func checkIssuer(rep *Report, signers []signer) {
	issuer := issuerID(rep.Credential)
	if issuer == "" {
		return // the data model check reports the missing issuer
	}
	if len(signers) == 0 {
		c := rep.notChecked("issuer", "Whether the issuer signed this credential could not be confirmed, because none of its signatures verified (the signature check says why).",
			"no verified signature to compare with the issuer "+issuer)
		c.Advisory = true
		return
	}
	var methods []string
	for _, s := range signers {
		if s.byIssuer(issuer) {
			rep.pass("issuer", fmt.Sprintf("It was signed by the issuer it names, %s.", displayIssuer(rep.Credential)), "signed by "+s.method+keySourceDetail(s.source))
			return
		}
		methods = append(methods, s.method)
	}
	rep.fail("issuer", "It was signed by someone other than the issuer it names, so it may be a forgery.",
		fmt.Sprintf("issuer is %s; signed by %s", issuer, strings.Join(methods, ", ")))
}

// keySourceDetail says where a JWT's key came from, for a detail.
func keySourceDetail(source string) string {
	switch source {
	case proof.KeyFromJWKS:
		return " (a key of the issuer's JWK Set)"
	case proof.KeyFromJWK:
		return " (the key in the JWT's jwk header, which the issuer lists)"
	}
	return ""
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

// checkJWT verifies a compact JWT through proof.CheckJWT: a VC-JOSE-COSE
// credential (typ vc+jwt; the payload is the credential) or an Open Badges
// 3.0 / VC 1.1 JWT (typ JWT; the credential is the vc claim), alg EdDSA,
// RS256 or ES256, the key from the kid header, the issuer's JWK Set or a
// jwk header the issuer lists. It fills rep.Credential with the credential,
// verified or not (displays label unverified claims), and returns the key
// that verified the signature.
func checkJWT(ctx context.Context, rep *Report, token string, opt Options, now time.Time) ([]signer, error) {
	header, payload, err := peekJWT(token)
	if err != nil {
		return nil, err
	}
	if isOB2(payload) {
		checkOB2(ctx, rep, []byte(token), opt, now) // an Open Badges 2.0 signed assertion
		return nil, nil
	}
	typ, _ := header["typ"].(string)
	res, err := proof.CheckJWT(ctx, token, opt.Keys, proof.JWTOptions{Now: now, Keys: opt.KeySets})
	if err != nil {
		// Only input that is not a compact JWS at all is an error.
		return nil, unusable("%s", clean(err))
	}
	rep.Format = jwtFormat(res.Format, res.Alg, typ)
	rep.Credential = res.Credential
	if res.Verified {
		rep.pass("proof", fmt.Sprintf("The digital signature matches: the credential has not been changed since it was signed with the key %s.", shortVM(res.VerificationMethod)),
			fmt.Sprintf("JWS %s signature by %s%s", res.Alg, res.VerificationMethod, keySourceDetail(res.KeySource)))
		return []signer{{method: res.VerificationMethod, jwt: true, bound: res.IssuerBound, source: res.KeySource}}, nil
	}
	e := res.Err
	detail := clean(e)
	if res.CouldNotCheck {
		rep.notChecked("proof", jwtNotChecked(e, res.Alg), detail)
		return nil, nil
	}
	switch {
	case errors.Is(e, proof.ErrJWTAlgorithm) && !strongAlg(res.Alg):
		rep.fail("proof", "The signature uses a method that does not prove who signed it, so anyone could have made this credential.", detail)
	case errors.Is(e, proof.ErrJWTAlgorithm):
		rep.fail("proof", fmt.Sprintf("The signature's algorithm (%s) does not fit the key it names, so it does not show who signed the credential.", res.Alg), detail)
	case errors.Is(e, proof.ErrJWTType):
		rep.fail("proof", "The JWT does not say it carries a credential (its typ or cty header), so it is not accepted as one.", detail)
	case errors.Is(e, proof.ErrJWTKeyID):
		rep.fail("proof", "The JWT does not name the key that signed it properly (kid or jwk header), so the signer cannot be identified.", detail)
	case errors.Is(e, proof.ErrJWTExpired):
		rep.fail("proof", "The JWT itself has expired (its exp claim has passed), so it cannot be relied on.", detail)
	case errors.Is(e, proof.ErrJWTNotYetValid):
		rep.fail("proof", "The JWT is not valid yet (its nbf claim lies in the future).", detail)
	case errors.Is(e, proof.ErrJWTClaims):
		rep.fail("proof", "The JWT's claims are not what its format requires, or contradict the credential it carries, so it cannot be trusted.", detail)
	case errors.Is(e, proof.ErrJWTIssuerKey):
		rep.fail("proof", "The key the JWT names is not one the issuer has published for signing credentials, so it may be a forgery.", detail)
	case errors.Is(e, proof.ErrKey) && errors.Is(e, did.ErrUnsupportedKey) && hasPrivateJWK(header):
		rep.fail("proof", "The JWT carries a private key in its jwk header, so anyone holding the token could have signed it.", detail)
	case errors.Is(e, proof.ErrKey):
		state, summary := keyProblem(e, "issuer")
		rep.add("proof", state, summary, keyDetail(e, orMissing(res.KeyID)))
	default:
		state, summary := proofProblem(e, "issuer")
		rep.add("proof", state, summary, detail)
	}
	return nil, nil
}

// jwtNotChecked is the sentence for a JWT that proof.CheckJWT could not
// check.
func jwtNotChecked(err error, alg string) string {
	switch {
	case errors.Is(err, proof.ErrJWTUnsupportedAlgorithm):
		return fmt.Sprintf("This credential is signed with %s, which microcred cannot check, so its signature neither confirms nor refutes it.", orMissing(alg))
	case errors.Is(err, proof.ErrKeyFetch):
		return "The issuer's published keys (its JWK Set) could not be obtained, so the signature could not be checked."
	case errors.Is(err, proof.ErrKey):
		_, summary := keyProblem(err, "issuer")
		return summary
	case errors.Is(err, proof.ErrJWTIssuerKey):
		return "The issuer's published keys could not be consulted to find the key that signed, so the signature could not be checked."
	}
	return "The signature could not be checked, so it neither confirms nor refutes the credential."
}

// jwtFormat is the report's format line for a JWT: the format CheckJWT
// recognised, the alg and the typ as the token states them.
func jwtFormat(format, alg, typ string) string {
	t := "typ " + typ
	if typ == "" {
		t = "no typ"
	}
	switch format {
	case proof.JWTFormatOB3:
		return fmt.Sprintf("an Open Badges 3.0 JWT, the credential in its vc claim (alg %s, %s)", orMissing(alg), t)
	case proof.JWTFormatVCJOSE:
		return fmt.Sprintf("a VC-JOSE JWT, the payload being the credential (alg %s, %s)", orMissing(alg), t)
	}
	return fmt.Sprintf("a JWT (alg %s, %s)", orMissing(alg), t)
}

// hasPrivateJWK tells a jwk header that carries a private key (member d).
func hasPrivateJWK(header map[string]any) bool {
	j, _ := header["jwk"].(map[string]any)
	_, ok := j["d"]
	return ok
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
