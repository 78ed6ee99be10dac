package proof

import (
	"crypto"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/go-jose/go-jose/v4"
)

// VerifyCompactJWS checks a compact JWS whose key the caller already holds
// (an Open Badges 2.0 signed assertion, whose verification.creator names a
// CryptographicKey with a PEM public key) and returns its payload and alg.
// The same rules as CheckJWT apply: canonical base64url parts, alg EdDSA,
// RS256 or ES256 (none and HMAC are refused, other algorithms wrap
// ErrJWTUnsupportedAlgorithm), and an alg that fits the key. The payload is
// returned only when the signature verifies.
func VerifyCompactJWS(token string, pub crypto.PublicKey) ([]byte, string, error) {
	if len(token) > MaxJWTSize {
		return nil, "", fmt.Errorf("%w: %d bytes, at most %d", ErrMalformedJWT, len(token), MaxJWTSize)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, "", fmt.Errorf("%w: want 3 dot-separated parts, got %d", ErrMalformedJWT, len(parts))
	}
	for i, name := range []string{"header", "payload", "signature"} {
		if strings.ContainsAny(parts[i], "\r\n=") {
			return nil, "", fmt.Errorf("%w: %s is not unpadded base64url", ErrMalformedJWT, name)
		}
		if _, err := base64.RawURLEncoding.Strict().DecodeString(parts[i]); err != nil {
			return nil, "", fmt.Errorf("%w: %s is not base64url: %w", ErrMalformedJWT, name, err)
		}
	}
	raw, _ := base64.RawURLEncoding.DecodeString(parts[0])
	var h struct {
		Alg any `json:"alg"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		return nil, "", fmt.Errorf("%w: header is not a JSON object: %w", ErrMalformedJWT, err)
	}
	name, _ := h.Alg.(string)
	alg, err := checkAlg(h.Alg)
	if err != nil {
		return nil, name, err
	}
	if err := keyFitsAlg(alg, pub); err != nil {
		return nil, name, fmt.Errorf("%w: %w", ErrJWTAlgorithm, err)
	}
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{alg})
	if err != nil {
		return nil, name, fmt.Errorf("%w: %w", ErrMalformedJWT, err)
	}
	payload, err := jws.Verify(pub)
	if err != nil {
		return nil, name, fmt.Errorf("%w (alg %s)", ErrSignature, alg)
	}
	return payload, name, nil
}
