package proof

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/microcred/microcred/internal/keys"
)

// The JOSE header values of a credential secured as a JWT (VC-JOSE-COSE):
// the media type application/vc+jwt without its "application/" prefix, and
// the content type of the payload, a credential.
const (
	JWTType        = "vc+jwt"
	JWTContentType = "vc"
)

// MaxJWTSize bounds the compact JWS VerifyJWT accepts, in bytes. Baked
// images can make credentials large, but not this large.
const MaxJWTSize = 1 << 20

// Errors of VerifyJWT, wrapped with detail.
var (
	// ErrMalformedJWT reports input that is not a compact JWS at all: too
	// large, wrong number of parts, bad base64url or a header that is not
	// JSON. Such input is unusable rather than unverified.
	ErrMalformedJWT = errors.New("malformed JWT")
	// ErrJWTAlgorithm reports an alg other than EdDSA, including "none"
	// and the HMAC algorithms, which would let anyone forge a credential.
	ErrJWTAlgorithm = errors.New("JWT algorithm not allowed")
	// ErrJWTType reports a typ or cty header that does not announce a
	// verifiable credential.
	ErrJWTType = errors.New("JWT is not a verifiable credential")
	// ErrJWTKeyID reports a missing kid header: without it the verifier
	// cannot know which key must have signed.
	ErrJWTKeyID = errors.New("JWT has no kid")
	// ErrJWTClaims reports a payload that is not a credential or whose
	// JWT claims contradict it (vc/vp claims, iss unlike the issuer, exp in
	// the past).
	ErrJWTClaims = errors.New("JWT claims rejected")
)

// SignJWT secures doc as a VC-JOSE-COSE JWT: a compact JWS whose payload is
// the credential itself, with the header alg EdDSA, typ vc+jwt, cty vc and
// kid, the verification method URL (key.ID when kid is empty).
func SignJWT(doc map[string]any, key *keys.KeyPair, kid string) (string, error) {
	if doc == nil {
		return "", errors.New("sign JWT: nil document")
	}
	if key == nil || len(key.Private) != ed25519.PrivateKeySize {
		return "", errors.New("sign JWT: no Ed25519 private key")
	}
	if kid == "" {
		kid = key.ID
	}
	if kid == "" {
		return "", errors.New("sign JWT: no kid (pass one or set KeyPair.ID)")
	}
	if _, ok := doc["vc"]; ok {
		return "", fmt.Errorf("sign JWT: %w: the credential has a vc member", ErrJWTClaims)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return "", fmt.Errorf("sign JWT: encode payload: %w", err)
	}
	opts := (&jose.SignerOptions{}).WithType(JWTType).WithContentType(JWTContentType).WithHeader("kid", kid)
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: key.Private}, opts)
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

// VerifyJWT checks a VC-JOSE-COSE JWT and returns the credential it
// carries. It accepts only alg EdDSA, requires a kid (resolved through keys
// for assertionMethod) and a typ of vc+jwt (or the earlier vc-ld+jwt),
// refuses tokens over MaxJWTSize, and checks the iss and exp claims when
// present.
func VerifyJWT(ctx context.Context, token string, keys KeyResolver) (map[string]any, error) {
	doc, _, err := VerifyJWTWithKID(ctx, token, keys)
	return doc, err
}

// VerifyJWTWithKID is VerifyJWT that also returns the kid whose key
// verified the signature. The credential is returned only when every check
// passed.
func VerifyJWTWithKID(ctx context.Context, token string, keys KeyResolver) (map[string]any, string, error) {
	return verifyJWT(ctx, token, keys, time.Now())
}

func verifyJWT(ctx context.Context, token string, keys KeyResolver, now time.Time) (map[string]any, string, error) {
	if keys == nil {
		return nil, "", errors.New("verify JWT: no key resolver")
	}
	if len(token) > MaxJWTSize {
		return nil, "", fmt.Errorf("verify JWT: %w: %d bytes, at most %d", ErrMalformedJWT, len(token), MaxJWTSize)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, "", fmt.Errorf("verify JWT: %w: want 3 dot-separated parts, got %d", ErrMalformedJWT, len(parts))
	}
	// Only the canonical base64url form of each part is accepted, so that
	// a verified token has exactly one spelling: the decoder would
	// otherwise skip line breaks and ignore stray bits in the last
	// character.
	for i, name := range []string{"header", "payload", "signature"} {
		if strings.ContainsAny(parts[i], "\r\n=") {
			return nil, "", fmt.Errorf("verify JWT: %w: %s is not unpadded base64url", ErrMalformedJWT, name)
		}
		if _, err := base64.RawURLEncoding.Strict().DecodeString(parts[i]); err != nil {
			return nil, "", fmt.Errorf("verify JWT: %w: %s is not base64url: %w", ErrMalformedJWT, name, err)
		}
	}
	// Read alg before handing the token to go-jose so that a refused
	// algorithm is reported as such, not as a parse error.
	rawHeader, _ := base64.RawURLEncoding.DecodeString(parts[0])
	var header struct {
		Alg any `json:"alg"`
	}
	if err := json.Unmarshal(rawHeader, &header); err != nil {
		return nil, "", fmt.Errorf("verify JWT: %w: header is not a JSON object: %w", ErrMalformedJWT, err)
	}
	if alg, _ := header.Alg.(string); alg != string(jose.EdDSA) {
		return nil, "", fmt.Errorf("verify JWT: %w: alg %v (only EdDSA is accepted)", ErrJWTAlgorithm, header.Alg)
	}
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		return nil, "", fmt.Errorf("verify JWT: %w: %w", ErrMalformedJWT, err)
	}
	if len(jws.Signatures) != 1 {
		return nil, "", fmt.Errorf("verify JWT: %w: want one signature", ErrMalformedJWT)
	}
	h := jws.Signatures[0].Header
	typ, _ := h.ExtraHeaders[jose.HeaderType].(string)
	if !mediaTypeIs(typ, JWTType, "vc-ld+jwt") {
		return nil, "", fmt.Errorf("verify JWT: %w: typ %q, want %q", ErrJWTType, typ, JWTType)
	}
	if cty, ok := h.ExtraHeaders[jose.HeaderContentType]; ok {
		if s, _ := cty.(string); !mediaTypeIs(s, JWTContentType) {
			return nil, "", fmt.Errorf("verify JWT: %w: cty %v, want %q", ErrJWTType, cty, JWTContentType)
		}
	}
	kid := h.KeyID
	if kid == "" {
		return nil, "", fmt.Errorf("verify JWT: %w", ErrJWTKeyID)
	}
	pub, err := keys.PublicKey(ctx, kid, "assertionMethod")
	if err != nil {
		return nil, kid, fmt.Errorf("verify JWT: %w: %s: %w", ErrKey, kid, err)
	}
	if len(pub) != ed25519.PublicKeySize {
		return nil, kid, fmt.Errorf("verify JWT: %w: %s: not an Ed25519 public key", ErrKey, kid)
	}
	payload, err := jws.Verify(pub)
	if err != nil {
		return nil, kid, fmt.Errorf("verify JWT: %w: %w", ErrSignature, err)
	}
	var doc map[string]any
	if err := json.Unmarshal(payload, &doc); err != nil || doc == nil {
		return nil, kid, fmt.Errorf("verify JWT: %w: payload is not a JSON object", ErrJWTClaims)
	}
	if err := checkJWTClaims(doc, now); err != nil {
		return nil, kid, fmt.Errorf("verify JWT: %w", err)
	}
	return doc, kid, nil
}

// checkJWTClaims applies the VC-JOSE-COSE rules to registered claims that
// share the payload with the credential.
func checkJWTClaims(doc map[string]any, now time.Time) error {
	for _, name := range []string{"vc", "vp"} {
		if _, ok := doc[name]; ok {
			return fmt.Errorf("%w: the %q claim must not be present (VC 1.1 style JWT)", ErrJWTClaims, name)
		}
	}
	if iss, ok := doc["iss"]; ok {
		s, _ := iss.(string)
		if s == "" || s != issuerID(doc["issuer"]) {
			return fmt.Errorf("%w: iss %v differs from the credential issuer", ErrJWTClaims, iss)
		}
	}
	if exp, ok := doc["exp"]; ok {
		f, ok := exp.(float64)
		if !ok {
			return fmt.Errorf("%w: exp is not a number", ErrJWTClaims)
		}
		if now.After(time.Unix(int64(f), 0)) {
			return fmt.Errorf("%w: the JWT expired at %s", ErrJWTClaims, formatDateTime(time.Unix(int64(f), 0)))
		}
	}
	return nil
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
		if v == n {
			return true
		}
	}
	return false
}
