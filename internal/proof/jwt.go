package proof

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/microcred/microcred/internal/did"
	"github.com/microcred/microcred/internal/keys"
)

// The JOSE header values of a credential secured as a JWT (VC-JOSE-COSE):
// the media type application/vc+jwt without its "application/" prefix, and
// the content type of the payload, a credential.
const (
	JWTType        = "vc+jwt"
	JWTContentType = "vc"
	// JWTTypeOB3 is the typ of the Open Badges 3.0 JWT format (OB 3.0,
	// section 8.2.4.1: "If present, MUST be set to JWT").
	JWTTypeOB3 = "JWT"
)

// The two JWT formats credentials travel in.
const (
	// JWTFormatVCJOSE is VC-JOSE-COSE: the payload is the credential itself
	// (typ vc+jwt).
	JWTFormatVCJOSE = "vc+jwt"
	// JWTFormatOB3 is the Open Badges 3.0 JWT format, which is also the
	// VC 1.1 JWT encoding: the credential is the payload's vc claim, beside
	// the registered claims iss, jti, nbf, sub and exp.
	JWTFormatOB3 = "vc claim"
)

// Where the key that verified a JWT came from (JWTResult.KeySource).
const (
	// KeyFromKID: the kid header named a verification method (a DID URL,
	// or a method of the issuer's DID document) resolved by the
	// KeyResolver.
	KeyFromKID = "kid"
	// KeyFromJWKS: the key was found in a JWK Set: the issuer's
	// https://{authority}/.well-known/jwks.json, or the document the kid
	// URL points to.
	KeyFromJWKS = "jwks"
	// KeyFromJWK: the jwk header carried the key, and it was found among
	// the issuer's keys.
	KeyFromJWK = "jwk"
)

// MaxJWTSize bounds the compact JWS VerifyJWT accepts, in bytes. Baked
// images can make credentials large, but not this large.
const MaxJWTSize = 1 << 20

// MaxJWKSBytes bounds a fetched JWK Set or JWK document.
const MaxJWKSBytes = 256 << 10

// Errors of the JWT functions, wrapped with detail.
var (
	// ErrMalformedJWT reports input that is not a compact JWS at all: too
	// large, wrong number of parts, bad base64url or a header that is not
	// JSON. Such input is unusable rather than unverified.
	ErrMalformedJWT = errors.New("malformed JWT")
	// ErrJWTAlgorithm reports an alg that can never secure a credential
	// ("none", the HMAC algorithms, which would let anyone holding the
	// public key forge one, or no alg), or an alg that does not fit the key.
	ErrJWTAlgorithm = errors.New("JWT algorithm not allowed")
	// ErrJWTUnsupportedAlgorithm reports an asymmetric alg other than
	// EdDSA, RS256 and ES256: the token may be genuine, microcred cannot
	// check it (JWTResult.CouldNotCheck).
	ErrJWTUnsupportedAlgorithm = errors.New("JWT algorithm not supported")
	// ErrJWTType reports a typ or cty header that does not announce a
	// verifiable credential.
	ErrJWTType = errors.New("JWT is not a verifiable credential")
	// ErrJWTKeyID reports a JWT with neither a kid nor a jwk header (OB 3.0
	// requires one of them), or a kid that is not a string.
	ErrJWTKeyID = errors.New("JWT names no key")
	// ErrJWTClaims reports a payload that is not a credential or whose
	// JWT claims contradict it (iss, jti, sub, nbf, exp).
	ErrJWTClaims = errors.New("JWT claims rejected")
	// ErrJWTExpired and ErrJWTNotYetValid report an exp in the past and an
	// nbf in the future; both also wrap ErrJWTClaims.
	ErrJWTExpired     = errors.New("the JWT has expired")
	ErrJWTNotYetValid = errors.New("the JWT is not yet valid")
	// ErrJWTIssuerKey reports a key that is not among the issuer's keys:
	// a jwk header that the issuer's DID document or key set does not
	// list. With JWTResult.CouldNotCheck it means the issuer's keys could
	// not be consulted.
	ErrJWTIssuerKey = errors.New("the key is not one of the issuer's keys")
	// ErrKeyFetch reports a key set that could not be fetched, or fetching
	// that is disabled: the token could not be checked.
	ErrKeyFetch = errors.New("key set unavailable")
)

// Fetcher retrieves a document by https URL; JWT verification uses it for
// JWK Sets. The guarded outbound HTTP client implements it, as does any
// did.Fetcher; tests pass a map.
type Fetcher interface {
	Fetch(ctx context.Context, url string) ([]byte, error)
}

// VerificationKeyResolver is a KeyResolver that also returns RSA and ECDSA
// P-256 keys, which RS256 and ES256 JWTs need, and lists a controller's
// keys (to find the key of a jwk header among the issuer's). *did.Resolver
// implements it. A KeyResolver without it verifies EdDSA JWTs only.
type VerificationKeyResolver interface {
	KeyResolver
	// VerificationKey is PublicKey for any supported key type:
	// ed25519.PublicKey, *rsa.PublicKey or *ecdsa.PublicKey.
	VerificationKey(ctx context.Context, verificationMethod, relationship string) (crypto.PublicKey, error)
	// VerificationKeys returns the keys the controller's document lists
	// under relationship, by verification method URL.
	VerificationKeys(ctx context.Context, controller, relationship string) (map[string]crypto.PublicKey, error)
}

// JWTOptions configures CheckJWT. The zero value checks against the current
// time and resolves keys through the KeyResolver only.
type JWTOptions struct {
	// Now is the time against which nbf and exp are checked; zero means
	// time.Now().
	Now time.Time
	// ClockSkew tolerates an nbf slightly in the future; zero means
	// DefaultClockSkew.
	ClockSkew time.Duration
	// Keys fetches JWK Sets for issuers identified by an https URL (the
	// OB 3.0 recommended https://{authority}/.well-known/jwks.json) and
	// https kid URLs. Nil means such keys are not fetched and their tokens
	// "could not be checked". Pass the guarded fetcher, never a bare
	// http.Client: the URLs come from the token.
	Keys Fetcher
}

// JWTResult is the outcome of CheckJWT.
type JWTResult struct {
	// Credential is the credential the token carries (the payload, or its
	// vc claim), set whenever the payload could be decoded, even when a
	// check failed, so that a report can show what the token claims; it
	// is trustworthy only when Verified. In the vc claim format, members
	// that the VC 1.1 JWT encoding moves into claims (id from jti, issuer
	// from iss, issuanceDate or validFrom from nbf, expirationDate or
	// validUntil from exp, credentialSubject.id from sub) are filled in
	// when the credential lacks them.
	Credential map[string]any
	// Format is JWTFormatVCJOSE or JWTFormatOB3.
	Format string
	// Alg is the alg header as the token states it.
	Alg string
	// KeyID is the kid header, empty when absent.
	KeyID string
	// KeySource says where the key came from (KeyFromKID, KeyFromJWKS,
	// KeyFromJWK); VerificationMethod is the URL of that key: the kid, the
	// issuer's method matching the jwk header, or the key set URL with the
	// key's kid as fragment.
	KeySource          string
	VerificationMethod string
	// IssuerBound is true when the key is shown to be the issuer's: the
	// kid's DID, or the document listing the jwk header's key, is the
	// issuer's id, or the key is in the issuer's key set. A verified token
	// that is not IssuerBound was signed by someone other than the issuer
	// it names (a DID kid of another DID).
	IssuerBound bool
	// Verified is true when the signature is valid and every claim check
	// passed.
	Verified bool
	// CouldNotCheck is true when the token may be genuine but microcred
	// could not check it: an algorithm it does not implement, a key set it
	// could not fetch, an issuer whose keys cannot be consulted. Report it
	// as "could not be checked", never as invalid.
	CouldNotCheck bool
	// Err says why the token is not Verified.
	Err error
}

// SignJWT secures doc as a VC-JOSE-COSE JWT: a compact JWS whose payload is
// the credential itself, with the header alg EdDSA, typ vc+jwt, cty vc and
// kid, the verification method URL (key.ID when kid is empty).
func SignJWT(doc map[string]any, key *keys.KeyPair, kid string) (string, error) {
	if doc == nil {
		return "", errors.New("sign JWT: nil document")
	}
	if _, ok := doc["vc"]; ok {
		return "", fmt.Errorf("sign JWT: %w: the credential has a vc member", ErrJWTClaims)
	}
	opts := (&jose.SignerOptions{}).WithType(JWTType).WithContentType(JWTContentType)
	return signCompact(doc, key, kid, opts)
}

// SignOB3JWT secures doc in the Open Badges 3.0 JWT format (OB 3.0,
// section 8.2.4): the header alg EdDSA, typ JWT and kid (key.ID when kid is
// empty); the payload the registered claims the format requires — iss (the
// issuer's id), jti (the credential's id), nbf (validFrom, or the VC 1.1
// issuanceDate), sub (credentialSubject.id) and, when the credential has
// validUntil (or expirationDate), exp — and the credential unchanged in the
// vc claim. A credential lacking what a required claim is made of is
// refused, naming the member.
func SignOB3JWT(doc map[string]any, key *keys.KeyPair, kid string) (string, error) {
	if doc == nil {
		return "", errors.New("sign OB 3.0 JWT: nil document")
	}
	iss := issuerID(doc["issuer"])
	if iss == "" {
		return "", fmt.Errorf("sign OB 3.0 JWT: issuer.id is %s: the iss claim is required", describe(doc["issuer"]))
	}
	jti, _ := doc["id"].(string)
	if jti == "" {
		return "", fmt.Errorf("sign OB 3.0 JWT: id is %s: the jti claim is required", describe(doc["id"]))
	}
	sub := subjectID(doc["credentialSubject"])
	if sub == "" {
		return "", errors.New("sign OB 3.0 JWT: credentialSubject.id is missing: the sub claim is required")
	}
	fromName, from := validFromMember(doc)
	if from == nil {
		return "", errors.New("sign OB 3.0 JWT: validFrom (or issuanceDate) is missing: the nbf claim is required")
	}
	nbf, err := parseDateTime(from)
	if err != nil {
		return "", fmt.Errorf("sign OB 3.0 JWT: %s: %w", fromName, err)
	}
	claims := map[string]any{"iss": iss, "jti": jti, "sub": sub, "nbf": nbf.Unix(), "vc": doc}
	if untilName, until := validUntilMember(doc); until != nil {
		exp, err := parseDateTime(until)
		if err != nil {
			return "", fmt.Errorf("sign OB 3.0 JWT: %s: %w", untilName, err)
		}
		claims["exp"] = exp.Unix()
	}
	opts := (&jose.SignerOptions{}).WithType(JWTTypeOB3)
	return signCompact(claims, key, kid, opts)
}

// signCompact signs payload with alg EdDSA under opts plus the kid header.
func signCompact(payload map[string]any, key *keys.KeyPair, kid string, opts *jose.SignerOptions) (string, error) {
	if key == nil || len(key.Private) != ed25519.PrivateKeySize {
		return "", errors.New("sign JWT: no Ed25519 private key")
	}
	if kid == "" {
		kid = key.ID
	}
	if kid == "" {
		return "", errors.New("sign JWT: no kid (pass one or set KeyPair.ID)")
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(payload); err != nil {
		return "", fmt.Errorf("sign JWT: encode payload: %w", err)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: key.Private}, opts.WithHeader("kid", kid))
	if err != nil {
		return "", fmt.Errorf("sign JWT: %w", err)
	}
	jws, err := signer.Sign(bytes.TrimRight(buf.Bytes(), "\n"))
	if err != nil {
		return "", fmt.Errorf("sign JWT: %w", err)
	}
	token, err := jws.CompactSerialize()
	if err != nil {
		return "", fmt.Errorf("sign JWT: %w", err)
	}
	return token, nil
}

// VerifyJWT checks a credential secured as a JWT (VC-JOSE-COSE or the
// Open Badges 3.0 format, alg EdDSA, RS256 or ES256) and returns the
// credential only when every check passed. See CheckJWT.
func VerifyJWT(ctx context.Context, token string, keys KeyResolver) (map[string]any, error) {
	doc, _, err := VerifyJWTWithKID(ctx, token, keys)
	return doc, err
}

// VerifyJWTWithKID is VerifyJWT that also returns the verification method
// whose key verified the signature (the kid, for a kid naming one). The
// credential is returned only when every check passed.
func VerifyJWTWithKID(ctx context.Context, token string, keys KeyResolver) (map[string]any, string, error) {
	return verifyJWT(ctx, token, keys, time.Now())
}

func verifyJWT(ctx context.Context, token string, keys KeyResolver, now time.Time) (map[string]any, string, error) {
	res, err := CheckJWT(ctx, token, keys, JWTOptions{Now: now})
	if err != nil {
		return nil, "", err
	}
	vm := res.VerificationMethod
	if vm == "" {
		vm = res.KeyID
	}
	if !res.Verified {
		return nil, vm, fmt.Errorf("verify JWT: %w", res.Err)
	}
	return res.Credential, vm, nil
}

// jwtHeader is the JOSE header members CheckJWT reads.
type jwtHeader struct {
	Alg any             `json:"alg"`
	Typ any             `json:"typ"`
	Cty any             `json:"cty"`
	Kid any             `json:"kid"`
	JWK json.RawMessage `json:"jwk"`
}

// CheckJWT checks a credential secured as a compact JWS in either format
// microcred reads:
//
//   - VC-JOSE-COSE (typ vc+jwt, or the earlier vc-ld+jwt): the payload is
//     the credential; the registered claims are optional: an iss must be
//     the credential's issuer, an exp must not have passed and an nbf must
//     have come;
//   - Open Badges 3.0 (typ JWT or none, the credential in the vc claim):
//     iss, jti and nbf are required and must equal issuer.id, id and
//     validFrom (issuanceDate); sub must equal credentialSubject.id when
//     the subject has one; exp, when present, must equal validUntil
//     (expirationDate) when the credential has one. A payload without a vc
//     claim but with a typ of JWT or none is read as VC-JOSE-COSE, whose
//     typ is a recommendation.
//
// The algorithms are EdDSA, RS256 (OB 3.0's minimum) and ES256. The key
// comes from the kid header (a DID URL resolved through keys; a kid
// relative to an issuer DID; or, for an issuer identified by an https URL,
// a key of its JWK Set at https://{authority}/.well-known/jwks.json, the OB
// 3.0 recommended practice), or from the jwk header, which is accepted only
// when the same key is one of the issuer's: listed under assertionMethod in
// the issuer's DID document, or in the issuer's JWK Set. A bare jwk proves
// only that someone holding that key signed; OB 3.0 asks verifiers to
// establish key provenance, and its recommended practices require the jwk
// to be "in the set" of the issuer's keys.
//
// CheckJWT returns an error wrapping ErrMalformedJWT only for input that is
// not a compact JWS; every other problem is in the result.
func CheckJWT(ctx context.Context, token string, keys KeyResolver, opt JWTOptions) (*JWTResult, error) {
	if keys == nil {
		return nil, errors.New("verify JWT: no key resolver")
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	if opt.ClockSkew == 0 {
		opt.ClockSkew = DefaultClockSkew
	}
	if len(token) > MaxJWTSize {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrMalformedJWT, len(token), MaxJWTSize)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: want 3 dot-separated parts, got %d", ErrMalformedJWT, len(parts))
	}
	// Only the canonical base64url form of each part is accepted, so that
	// a verified token has exactly one spelling: the decoder would
	// otherwise skip line breaks and ignore stray bits in the last
	// character.
	decoded := make([][]byte, 3)
	for i, name := range []string{"header", "payload", "signature"} {
		if strings.ContainsAny(parts[i], "\r\n=") {
			return nil, fmt.Errorf("%w: %s is not unpadded base64url", ErrMalformedJWT, name)
		}
		b, err := base64.RawURLEncoding.Strict().DecodeString(parts[i])
		if err != nil {
			return nil, fmt.Errorf("%w: %s is not base64url: %w", ErrMalformedJWT, name, err)
		}
		decoded[i] = b
	}
	var h jwtHeader
	if err := json.Unmarshal(decoded[0], &h); err != nil {
		return nil, fmt.Errorf("%w: header is not a JSON object: %w", ErrMalformedJWT, err)
	}

	res := &JWTResult{}
	res.Alg, _ = h.Alg.(string)
	fail := func(err error) (*JWTResult, error) {
		res.Verified = false
		res.Err = err
		return res, nil
	}
	couldNot := func(err error) (*JWTResult, error) {
		res.CouldNotCheck = true
		return fail(err)
	}

	// The payload is read before the signature is checked only so that a
	// report can show what the token claims; nothing in it is trusted
	// until the signature verifies.
	var payload map[string]any
	if err := json.Unmarshal(decoded[1], &payload); err != nil || payload == nil {
		return fail(fmt.Errorf("%w: the payload is not a JSON object", ErrJWTClaims))
	}
	cred, err := jwtCredential(res, h, payload)
	if cred != nil {
		res.Credential = cred
	}
	if err != nil {
		return fail(err)
	}

	alg, err := checkAlg(h.Alg)
	if err != nil {
		if errors.Is(err, ErrJWTUnsupportedAlgorithm) {
			return couldNot(err)
		}
		return fail(err)
	}
	// The key headers are checked before the JOSE library parses them, so
	// that a kid of the wrong type or a jwk carrying a private key is
	// reported as what it is rather than as an unreadable token.
	if err := checkKeyHeaders(h); err != nil {
		return fail(err)
	}
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{alg})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformedJWT, err)
	}
	if len(jws.Signatures) != 1 {
		return nil, fmt.Errorf("%w: want one signature", ErrMalformedJWT)
	}

	issuer := issuerID(res.Credential["issuer"])
	cands, err := jwtKeys(ctx, res, h, issuer, keys, opt)
	if err != nil {
		if res.CouldNotCheck {
			return couldNot(err)
		}
		return fail(err)
	}
	var sigErr error
	for _, c := range cands {
		if err := keyFitsAlg(alg, c.pub); err != nil {
			sigErr = fmt.Errorf("%w: %s: %w", ErrJWTAlgorithm, c.method, err)
			continue
		}
		if _, err := jws.Verify(c.pub); err != nil {
			sigErr = fmt.Errorf("%w (alg %s, key %s)", ErrSignature, alg, c.method)
			continue
		}
		res.VerificationMethod, res.KeySource, res.IssuerBound = c.method, c.source, c.bound
		sigErr = nil
		break
	}
	if sigErr != nil {
		return fail(sigErr)
	}
	if err := checkJWTClaims(res.Format, payload, res.Credential, opt); err != nil {
		return fail(err)
	}
	res.Verified = true
	return res, nil
}

// jwtCredential decides the format from typ, cty and the vc claim, and
// returns the credential the token carries.
func jwtCredential(res *JWTResult, h jwtHeader, payload map[string]any) (map[string]any, error) {
	typ, typOK := h.Typ.(string)
	if h.Typ != nil && !typOK {
		return nil, fmt.Errorf("%w: typ is %s, want a string", ErrJWTType, describe(h.Typ))
	}
	vc, hasVC := payload["vc"]
	switch {
	case mediaTypeIs(typ, JWTType, "vc-ld+jwt"):
		res.Format = JWTFormatVCJOSE
		if cty, ok := h.Cty.(string); h.Cty != nil && (!ok || !mediaTypeIs(cty, JWTContentType, "vc+ld+json")) {
			return payload, fmt.Errorf("%w: cty is %s, want %q", ErrJWTType, describe(h.Cty), JWTContentType)
		}
		for _, name := range []string{"vc", "vp"} {
			if _, ok := payload[name]; ok {
				return payload, fmt.Errorf("%w: a %s token must not have the %q claim (that is the VC 1.1 / Open Badges 3.0 JWT format, typ JWT)", ErrJWTClaims, typ, name)
			}
		}
		return payload, nil
	case typ != "" && !mediaTypeIs(typ, JWTTypeOB3):
		return nil, fmt.Errorf("%w: typ %q, want %q or %q", ErrJWTType, typ, JWTType, JWTTypeOB3)
	case hasVC:
		res.Format = JWTFormatOB3
		doc, ok := vc.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%w: the vc claim is %s, want a credential object", ErrJWTClaims, describe(vc))
		}
		return fillFromClaims(doc, payload), nil
	default:
		if _, ok := payload["@context"]; !ok {
			name := "typ " + typ
			if typ == "" {
				name = "no typ"
			}
			return nil, fmt.Errorf("%w: %s and no vc claim: the payload is neither an Open Badges 3.0 JWT nor a credential", ErrJWTType, name)
		}
		res.Format = JWTFormatVCJOSE
		return payload, nil
	}
}

// fillFromClaims returns the credential of a vc claim with the members
// that the VC 1.1 JWT encoding may move into registered claims filled in
// from them (VC Data Model 1.1, section 6.3.1, "JWT decoding"). The claim
// object itself is not modified.
func fillFromClaims(vc, payload map[string]any) map[string]any {
	out := shallowCopy(vc)
	if _, ok := out["id"]; !ok {
		if jti, ok := payload["jti"].(string); ok && jti != "" {
			out["id"] = jti
		}
	}
	if _, ok := out["issuer"]; !ok {
		if iss, ok := payload["iss"].(string); ok && iss != "" {
			out["issuer"] = iss
		}
	}
	v2 := hasContext(out, "https://www.w3.org/ns/credentials/v2")
	if n, _ := validFromMember(out); n == "" {
		if t, ok := numericDate(payload["nbf"]); ok {
			if v2 {
				out["validFrom"] = formatDateTime(t)
			} else {
				out["issuanceDate"] = formatDateTime(t)
			}
		}
	}
	if n, _ := validUntilMember(out); n == "" {
		if t, ok := numericDate(payload["exp"]); ok {
			if v2 {
				out["validUntil"] = formatDateTime(t)
			} else {
				out["expirationDate"] = formatDateTime(t)
			}
		}
	}
	if sub, ok := payload["sub"].(string); ok && sub != "" {
		if cs, ok := out["credentialSubject"].(map[string]any); ok {
			if _, has := cs["id"]; !has {
				cs = shallowCopy(cs)
				cs["id"] = sub
				out["credentialSubject"] = cs
			}
		}
	}
	return out
}

// checkAlg maps the alg header to the algorithms microcred verifies.
func checkAlg(v any) (jose.SignatureAlgorithm, error) {
	alg, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("%w: alg is %s", ErrJWTAlgorithm, describe(v))
	}
	switch jose.SignatureAlgorithm(alg) {
	case jose.EdDSA, jose.RS256, jose.ES256:
		return jose.SignatureAlgorithm(alg), nil
	}
	up := strings.ToUpper(alg)
	if up == "NONE" || strings.HasPrefix(up, "HS") || alg == "" {
		return "", fmt.Errorf("%w: alg %q cannot secure a credential (microcred accepts EdDSA, RS256 and ES256)", ErrJWTAlgorithm, alg)
	}
	return "", fmt.Errorf("%w: alg %q (microcred checks EdDSA, RS256 and ES256)", ErrJWTUnsupportedAlgorithm, alg)
}

// keyFitsAlg checks that the key is of the type the algorithm signs with,
// so that a token cannot pick an algorithm the key was never meant for.
func keyFitsAlg(alg jose.SignatureAlgorithm, pub crypto.PublicKey) error {
	var want string
	switch k := pub.(type) {
	case ed25519.PublicKey:
		if alg == jose.EdDSA {
			return nil
		}
		want = "an Ed25519 key, which signs EdDSA"
	case *rsa.PublicKey:
		if alg == jose.RS256 {
			return nil
		}
		want = "an RSA key, which signs RS256"
	case *ecdsa.PublicKey:
		if alg == jose.ES256 && k.Curve.Params().Name == "P-256" {
			return nil
		}
		want = "an ECDSA " + k.Curve.Params().Name + " key"
	default:
		want = fmt.Sprintf("a key of type %T", pub)
	}
	return fmt.Errorf("alg %s does not fit %s", alg, want)
}

// checkKeyHeaders checks the kid and jwk headers for what would make them
// unusable.
func checkKeyHeaders(h jwtHeader) error {
	if h.Kid != nil {
		if kid, ok := h.Kid.(string); !ok || kid == "" {
			return fmt.Errorf("%w: kid is %s, want a URL string", ErrJWTKeyID, describe(h.Kid))
		}
	}
	if len(h.JWK) > 0 && string(h.JWK) != "null" {
		var j did.JWK
		if err := json.Unmarshal(h.JWK, &j); err != nil {
			return fmt.Errorf("%w: the jwk header is not a JWK object", ErrKey)
		}
		if _, err := j.PublicKey(); err != nil {
			return fmt.Errorf("%w: jwk header: %w", ErrKey, err)
		}
	}
	return nil
}

// keyCandidate is a key that may have signed a token.
type keyCandidate struct {
	pub    crypto.PublicKey
	method string
	source string
	bound  bool
}

// jwtKeys finds the key (or, for a key set entry without kid, the keys)
// that must have signed the token; see CheckJWT for the rules. Errors that
// mean "could not be checked" set res.CouldNotCheck.
func jwtKeys(ctx context.Context, res *JWTResult, h jwtHeader, issuer string, keys KeyResolver, opt JWTOptions) ([]keyCandidate, error) {
	if h.Kid != nil {
		kid, ok := h.Kid.(string)
		if !ok || kid == "" {
			return nil, fmt.Errorf("%w: kid is %s, want a URL string", ErrJWTKeyID, describe(h.Kid))
		}
		res.KeyID = kid
	}
	var headerKey crypto.PublicKey
	if len(h.JWK) > 0 && string(h.JWK) != "null" {
		var j did.JWK
		if err := json.Unmarshal(h.JWK, &j); err != nil {
			return nil, fmt.Errorf("%w: the jwk header is not a JWK object", ErrKey)
		}
		pub, err := j.PublicKey()
		if err != nil {
			return nil, fmt.Errorf("%w: jwk header: %w", ErrKey, err)
		}
		headerKey = pub
	}
	kid := res.KeyID
	issuerDID := strings.HasPrefix(issuer, "did:")
	switch {
	case strings.HasPrefix(kid, "did:") && !strings.Contains(kid, "#") && !strings.HasPrefix(kid, "did:key:"):
		// A DID without fragment: any key its controller lists for
		// assertions may have signed.
		vkr, ok := keys.(VerificationKeyResolver)
		if !ok {
			res.CouldNotCheck = true
			return nil, fmt.Errorf("%w: kid %s names no key (no #fragment) and the DID's keys cannot be listed", ErrKey, kid)
		}
		all, err := vkr.VerificationKeys(ctx, kid, "assertionMethod")
		if err != nil {
			return nil, keyError(res, kid, err)
		}
		var cands []keyCandidate
		for vm, pub := range all {
			if headerKey == nil || keysEqual(headerKey, pub) {
				cands = append(cands, keyCandidate{pub: pub, method: vm, source: KeyFromKID, bound: kid == issuer})
			}
		}
		if len(cands) == 0 {
			return nil, fmt.Errorf("%w: the jwk header is not a key of kid %s", ErrJWTIssuerKey, kid)
		}
		slices.SortFunc(cands, func(a, b keyCandidate) int { return strings.Compare(a.method, b.method) })
		return cands, nil
	case strings.HasPrefix(kid, "did:"):
		vm := kid
		if !strings.Contains(vm, "#") {
			// A did:key kid without fragment names the DID's only key.
			vm += "#" + strings.TrimPrefix(vm, "did:key:")
		}
		pub, err := resolveKey(ctx, keys, vm)
		if err != nil {
			return nil, keyError(res, kid, err)
		}
		if headerKey != nil && !keysEqual(headerKey, pub) {
			return nil, fmt.Errorf("%w: the jwk header differs from the key of kid %s", ErrJWTIssuerKey, kid)
		}
		controller, _, _ := strings.Cut(vm, "#")
		return []keyCandidate{{pub: pub, method: vm, source: KeyFromKID, bound: controller == issuer}}, nil
	case issuerDID && kid != "" && !strings.Contains(kid, ":"):
		// A kid relative to the issuer's DID ("key-1" or "#key-1").
		vm := issuer + "#" + strings.TrimPrefix(kid, "#")
		pub, err := resolveKey(ctx, keys, vm)
		if err != nil {
			return nil, keyError(res, vm, err)
		}
		if headerKey != nil && !keysEqual(headerKey, pub) {
			return nil, fmt.Errorf("%w: the jwk header differs from the key of kid %s", ErrJWTIssuerKey, vm)
		}
		return []keyCandidate{{pub: pub, method: vm, source: KeyFromKID, bound: true}}, nil
	case issuerDID && headerKey != nil:
		vkr, ok := keys.(VerificationKeyResolver)
		if !ok {
			res.CouldNotCheck = true
			return nil, fmt.Errorf("%w: the issuer's keys cannot be listed to find the jwk header's key", ErrJWTIssuerKey)
		}
		all, err := vkr.VerificationKeys(ctx, issuer, "assertionMethod")
		if err != nil {
			return nil, keyError(res, issuer, err)
		}
		for vm, pub := range all {
			if keysEqual(pub, headerKey) {
				return []keyCandidate{{pub: pub, method: vm, source: KeyFromJWK, bound: true}}, nil
			}
		}
		return nil, fmt.Errorf("%w: the jwk header is not listed under assertionMethod in the DID document of %s", ErrJWTIssuerKey, issuer)
	case strings.HasPrefix(issuer, "https://") && (kid != "" || headerKey != nil):
		if strings.HasPrefix(kid, "https://") && strings.Contains(kid, "#") {
			// A method of a controller document (Controlled Identifiers),
			// as Data Integrity proofs of such issuers name them.
			if pub, err := resolveKey(ctx, keys, kid); err == nil {
				if headerKey != nil && !keysEqual(headerKey, pub) {
					return nil, fmt.Errorf("%w: the jwk header differs from the key of kid %s", ErrJWTIssuerKey, kid)
				}
				controller, _, _ := strings.Cut(kid, "#")
				return []keyCandidate{{pub: pub, method: kid, source: KeyFromKID, bound: controller == issuer}}, nil
			}
		}
		return keySetKeys(ctx, res, issuer, kid, headerKey, opt)
	case kid == "" && headerKey == nil:
		return nil, fmt.Errorf("%w: neither a kid nor a jwk header", ErrJWTKeyID)
	case kid != "" && strings.Contains(kid, "#") && !issuerDID:
		// An https controller document method, or another URL the key
		// resolver may know.
		pub, err := resolveKey(ctx, keys, kid)
		if err != nil {
			return nil, keyError(res, kid, err)
		}
		return []keyCandidate{{pub: pub, method: kid, source: KeyFromKID}}, nil
	default:
		res.CouldNotCheck = true
		what := "kid " + kid
		if kid == "" {
			what = "the jwk header"
		}
		return nil, fmt.Errorf("%w: %s cannot be tied to issuer %s", ErrJWTIssuerKey, what, describe(issuer))
	}
}

// keySetKeys finds the key of a token whose issuer is an https URL in the
// issuer's JWK Set (OB 3.0 recommended practices: "a verifier must build a
// well-known url with the authority part of the issuer's id",
// https://{authority}/.well-known/jwks.json). A kid must name a key of the
// set (by its kid member, or as a URL whose fragment is that kid); a jwk
// header must be one of the set's keys. When the set lacks the kid and the
// kid is an https URL on the issuer's own authority, the document it points
// to is read as a JWK or JWK Set.
func keySetKeys(ctx context.Context, res *JWTResult, issuer, kid string, headerKey crypto.PublicKey, opt JWTOptions) ([]keyCandidate, error) {
	iu, err := url.Parse(issuer)
	if err != nil || iu.Host == "" {
		return nil, fmt.Errorf("%w: issuer %q is not a URL with an authority", ErrJWTIssuerKey, issuer)
	}
	if opt.Keys == nil {
		res.CouldNotCheck = true
		return nil, fmt.Errorf("%w: the issuer's key set https://%s/.well-known/jwks.json is needed and fetching is disabled", ErrKeyFetch, iu.Host)
	}
	setURL := "https://" + iu.Host + "/.well-known/jwks.json"
	urls := []string{setURL}
	if ku, err := url.Parse(kid); err == nil && ku.Scheme == "https" && ku.Host == iu.Host {
		ku.Fragment, ku.RawFragment = "", ""
		if s := ku.String(); s != setURL {
			urls = append(urls, s)
		}
	}
	var fetchErr error
	for _, u := range urls {
		set, err := fetchKeySet(ctx, opt.Keys, u)
		if err != nil {
			fetchErr = err
			continue
		}
		var cands []keyCandidate
		for _, k := range set {
			if k.iss != "" && k.iss != issuer {
				continue
			}
			if kid != "" && !kidMatches(kid, k.kid) {
				continue
			}
			if headerKey != nil && !keysEqual(headerKey, k.pub) {
				continue
			}
			method := u
			if k.kid != "" {
				method = u + "#" + k.kid
			}
			source := KeyFromJWKS
			if headerKey != nil && kid == "" {
				source = KeyFromJWK
			}
			cands = append(cands, keyCandidate{pub: k.pub, method: method, source: source, bound: true})
		}
		if len(cands) > 0 {
			return cands, nil
		}
	}
	if fetchErr != nil && len(urls) == 1 {
		res.CouldNotCheck = true
		return nil, fmt.Errorf("%w: %w", ErrKeyFetch, fetchErr)
	}
	what := "kid " + kid
	if kid == "" {
		what = "the jwk header"
	}
	return nil, fmt.Errorf("%w: %s is not in the key set of issuer %s (%s)", ErrJWTIssuerKey, what, issuer, setURL)
}

// kidMatches compares a kid header with the kid member of a key set entry:
// equal, or the header is a URL whose fragment is the member.
func kidMatches(header, member string) bool {
	if member == "" {
		return false
	}
	if header == member {
		return true
	}
	_, frag, ok := strings.Cut(header, "#")
	return ok && frag == member
}

// setKey is one usable key of a JWK Set.
type setKey struct {
	pub      crypto.PublicKey
	kid, iss string
}

// fetchKeySet fetches url and reads it as a JWK Set ({"keys": [...]}) or a
// single JWK. Entries of unsupported key types are skipped.
func fetchKeySet(ctx context.Context, f Fetcher, u string) ([]setKey, error) {
	data, err := f.Fetch(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", u, err)
	}
	if len(data) > MaxJWKSBytes {
		return nil, fmt.Errorf("%s: %d bytes, at most %d", u, len(data), MaxJWKSBytes)
	}
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
		Kty  string            `json:"kty"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s is not a JWK Set: %w", u, err)
	}
	entries := doc.Keys
	if entries == nil && doc.Kty != "" {
		entries = []json.RawMessage{data}
	}
	var out []setKey
	for _, raw := range entries {
		var j struct {
			did.JWK
			Iss string `json:"iss"`
		}
		if json.Unmarshal(raw, &j) != nil {
			continue
		}
		pub, err := j.JWK.PublicKey()
		if err != nil {
			continue
		}
		out = append(out, setKey{pub: pub, kid: j.Kid, iss: j.Iss})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no usable key", u)
	}
	return out, nil
}

// resolveKey resolves a verification method for assertionMethod through
// the resolver: any key type when it is a VerificationKeyResolver, Ed25519
// otherwise.
func resolveKey(ctx context.Context, keys KeyResolver, vm string) (crypto.PublicKey, error) {
	if vkr, ok := keys.(VerificationKeyResolver); ok {
		return vkr.VerificationKey(ctx, vm, "assertionMethod")
	}
	pub, err := keys.PublicKey(ctx, vm, "assertionMethod")
	if err != nil {
		return nil, err
	}
	return pub, nil
}

// keyError wraps a resolver error; a key that could not be obtained
// (document unreachable, DID method not supported) means the token could
// not be checked.
func keyError(res *JWTResult, vm string, err error) error {
	if errors.Is(err, did.ErrFetch) || errors.Is(err, did.ErrUnsupportedMethod) {
		res.CouldNotCheck = true
	}
	return fmt.Errorf("%w: kid %s: %w", ErrKey, vm, err)
}

// keysEqual compares two public keys of any supported type.
func keysEqual(a, b crypto.PublicKey) bool {
	ea, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && ea.Equal(b)
}

// checkJWTClaims applies the rules of the format to the registered claims.
// The Open Badges 3.0 format ties them to the credential (OB 3.0, 8.2.4.2:
// iss, jti and nbf required and equal to issuer.id, id and validFrom; sub
// equal to credentialSubject.id; exp equal to validUntil). VC-JOSE-COSE
// leaves them optional and does not tie nbf, exp, jti or sub to the
// credential's members, so for a vc+jwt token only an iss that names
// another issuer and the times themselves (exp passed, nbf to come) fail.
func checkJWTClaims(format string, payload, cred map[string]any, opt JWTOptions) error {
	ob3 := format == JWTFormatOB3
	if iss, ok := payload["iss"]; ok || ob3 {
		s, _ := iss.(string)
		if want := issuerID(cred["issuer"]); s == "" || s != want {
			return fmt.Errorf("%w: iss is %s, the credential's issuer.id is %s", ErrJWTClaims, describeMember(payload, "iss"), describe(want))
		}
	}
	if jti, ok := payload["jti"]; ob3 {
		s, _ := jti.(string)
		if want, _ := cred["id"].(string); !ok || s == "" || s != want {
			return fmt.Errorf("%w: jti is %s, the credential's id is %s", ErrJWTClaims, describeMember(payload, "jti"), describeMember(cred, "id"))
		}
	}
	if sub, ok := payload["sub"]; ok && ob3 {
		// OB 3.0 makes sub required, but a subject identified by
		// "identifier" instead of an id leaves the issuer nothing to put
		// in it; sub is compared when both are there.
		if want := subjectID(cred["credentialSubject"]); want != "" {
			if s, _ := sub.(string); s != want {
				return fmt.Errorf("%w: sub is %s, the credential's credentialSubject.id is %q", ErrJWTClaims, describe(sub), want)
			}
		}
	}
	if nbf, ok := payload["nbf"]; ok || ob3 {
		t, ok := numericDate(nbf)
		if !ok {
			return fmt.Errorf("%w: nbf is %s, want a NumericDate (seconds since 1970)", ErrJWTClaims, describeMember(payload, "nbf"))
		}
		if name, v := validFromMember(cred); v != nil && ob3 {
			from, err := parseDateTime(v)
			if err != nil {
				return fmt.Errorf("%w: %s: %w", ErrJWTClaims, name, err)
			}
			if from.Unix() != t.Unix() {
				return fmt.Errorf("%w: nbf %s differs from %s %s", ErrJWTClaims, formatDateTime(t), name, formatDateTime(from))
			}
		}
		if t.After(opt.Now.Add(opt.ClockSkew)) {
			return fmt.Errorf("%w: %w: nbf is %s", ErrJWTClaims, ErrJWTNotYetValid, formatDateTime(t))
		}
	}
	if exp, ok := payload["exp"]; ok {
		t, ok := numericDate(exp)
		if !ok {
			return fmt.Errorf("%w: exp is %s, want a NumericDate (seconds since 1970)", ErrJWTClaims, describeMember(payload, "exp"))
		}
		if name, v := validUntilMember(cred); v != nil && ob3 {
			until, err := parseDateTime(v)
			if err != nil {
				return fmt.Errorf("%w: %s: %w", ErrJWTClaims, name, err)
			}
			if until.Unix() != t.Unix() {
				return fmt.Errorf("%w: exp %s differs from %s %s", ErrJWTClaims, formatDateTime(t), name, formatDateTime(until))
			}
		}
		if !opt.Now.Before(t) {
			return fmt.Errorf("%w: %w at %s", ErrJWTClaims, ErrJWTExpired, formatDateTime(t))
		}
	}
	return nil
}

// numericDate reads a JWT NumericDate (RFC 7519: seconds since the epoch,
// fractions allowed).
func numericDate(v any) (time.Time, bool) {
	f, ok := v.(float64)
	if !ok || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 || f > 253402300799 {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
}

// validFromMember returns the name and value of the credential's start of
// validity: validFrom (VC 2.0) or issuanceDate (VC 1.1).
func validFromMember(doc map[string]any) (string, any) {
	for _, n := range []string{"validFrom", "issuanceDate"} {
		if v, ok := doc[n]; ok {
			return n, v
		}
	}
	return "", nil
}

// validUntilMember returns validUntil (VC 2.0) or expirationDate (VC 1.1).
func validUntilMember(doc map[string]any) (string, any) {
	for _, n := range []string{"validUntil", "expirationDate"} {
		if v, ok := doc[n]; ok {
			return n, v
		}
	}
	return "", nil
}

// hasContext reports whether the credential's @context lists url.
func hasContext(doc map[string]any, url string) bool {
	for _, c := range contextList(doc["@context"]) {
		if s, ok := c.(string); ok && s == url {
			return true
		}
	}
	return false
}

// subjectID returns credentialSubject.id, or "" when the subject (or the
// first of several) has none.
func subjectID(v any) string {
	switch x := v.(type) {
	case map[string]any:
		s, _ := x["id"].(string)
		return s
	case []any:
		if len(x) > 0 {
			return subjectID(x[0])
		}
	}
	return ""
}

// issuerID returns the id of a credential's issuer: the issuer itself when
// it is a URL, or its id member when it is an object.
func issuerID(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case map[string]any:
		s, _ := x["id"].(string)
		return s
	}
	return ""
}

// mediaTypeIs compares a typ or cty value with media type names, ignoring
// case and the optional "application/" prefix (RFC 7515, section 4.1.9).
func mediaTypeIs(v string, names ...string) bool {
	v = strings.ToLower(v)
	v = strings.TrimPrefix(v, "application/")
	for _, n := range names {
		if v == strings.ToLower(n) {
			return true
		}
	}
	return false
}
