package proof

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// craftJWT signs payload with go-jose under arbitrary headers, to build the
// hostile tokens a verifier must refuse.
func craftJWT(t testing.TB, alg jose.SignatureAlgorithm, key any, headers map[string]any, payload any) string {
	t.Helper()
	body, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	opts := &jose.SignerOptions{}
	for k, v := range headers {
		opts.WithHeader(jose.HeaderKey(k), v)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := signer.Sign(body)
	if err != nil {
		t.Fatal(err)
	}
	token, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func b64(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func TestJWTRoundTrip(t *testing.T) {
	key := testKey("issuer")
	doc := SampleCredential()
	token, err := SignJWT(doc, key, "")
	if err != nil {
		t.Fatal(err)
	}
	header := map[string]any{}
	raw, _ := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[0])
	if err := json.Unmarshal(raw, &header); err != nil {
		t.Fatal(err)
	}
	if header["alg"] != "EdDSA" || header["typ"] != "vc+jwt" || header["cty"] != "vc" || header["kid"] != key.ID {
		t.Fatalf("header = %v", header)
	}
	got, kid, err := VerifyJWTWithKID(context.Background(), token, resolverFor(key))
	if err != nil || kid != key.ID {
		t.Fatalf("VerifyJWTWithKID: %v, kid %q", err, kid)
	}
	if !jsonEqual(t, got, doc) {
		t.Fatal("payload is not the credential")
	}
	// An explicit kid wins over the key's id.
	token, err = SignJWT(doc, key, "did:web:university.example#key-2")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := VerifyJWT(context.Background(), token, resolverFor().add("did:web:university.example#key-2", key.Public)); err != nil {
		t.Fatalf("explicit kid: %v", err)
	}
	// The earlier media type name and an iss equal to the issuer are accepted.
	withIss := SampleCredential()
	withIss["iss"] = "did:web:university.example"
	token = craftJWT(t, jose.EdDSA, key.Private, map[string]any{"typ": "application/vc-ld+jwt", "kid": key.ID}, withIss)
	if _, err := VerifyJWT(context.Background(), token, resolverFor(key)); err != nil {
		t.Fatalf("vc-ld+jwt with matching iss: %v", err)
	}
}

func TestVerifyJWTNegative(t *testing.T) {
	key, other := testKey("issuer"), testKey("other")
	doc := SampleCredential()
	good, err := SignJWT(doc, key, "")
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, ".")
	std := map[string]any{"typ": "vc+jwt", "kid": key.ID}
	tampered := SampleCredential()
	tampered["name"] = "Forged Badge"
	withVC := SampleCredential()
	withVC["vc"] = map[string]any{}
	wrongIss := SampleCredential()
	wrongIss["iss"] = "https://evil.example"
	expired := SampleCredential()
	expired["exp"] = float64(time.Now().Add(-time.Hour).Unix())
	flipped := []byte(parts[2])
	if flipped[10] == 'A' {
		flipped[10] = 'B'
	} else {
		flipped[10] = 'A'
	}

	tests := []struct {
		name  string
		token string
		want  error
	}{
		{"alg none", b64(map[string]any{"alg": "none", "typ": "vc+jwt", "kid": key.ID}) + "." + parts[1] + ".", ErrJWTAlgorithm},
		{"alg none uppercase", b64(map[string]any{"alg": "NONE", "typ": "vc+jwt", "kid": key.ID}) + "." + parts[1] + ".", ErrJWTAlgorithm},
		{"alg missing", b64(map[string]any{"typ": "vc+jwt", "kid": key.ID}) + "." + parts[1] + "." + parts[2], ErrJWTAlgorithm},
		// The classic confusion attack: HMAC keyed with the public key.
		{"alg HS256 with public key as secret", craftJWT(t, jose.HS256, []byte(key.Public), std, doc), ErrJWTAlgorithm},
		{"alg ES256 header on EdDSA signature", b64(map[string]any{"alg": "ES256", "typ": "vc+jwt", "kid": key.ID}) + "." + parts[1] + "." + parts[2], ErrJWTAlgorithm},
		{"typ vp+jwt", craftJWT(t, jose.EdDSA, key.Private, map[string]any{"typ": "vp+jwt", "kid": key.ID}, doc), ErrJWTType},
		{"typ at+jwt", craftJWT(t, jose.EdDSA, key.Private, map[string]any{"typ": "at+jwt", "kid": key.ID}, doc), ErrJWTType},
		{"typ JWT without vc claim or credential", craftJWT(t, jose.EdDSA, key.Private, map[string]any{"typ": "JWT", "kid": key.ID}, map[string]any{"sub": "x"}), ErrJWTType},
		{"typ missing without vc claim or credential", craftJWT(t, jose.EdDSA, key.Private, map[string]any{"kid": key.ID}, map[string]any{"sub": "x"}), ErrJWTType},
		{"cty vp", craftJWT(t, jose.EdDSA, key.Private, map[string]any{"typ": "vc+jwt", "cty": "vp", "kid": key.ID}, doc), ErrJWTType},
		{"kid missing", craftJWT(t, jose.EdDSA, key.Private, map[string]any{"typ": "vc+jwt"}, doc), ErrJWTKeyID},
		{"kid unknown", craftJWT(t, jose.EdDSA, key.Private, map[string]any{"typ": "vc+jwt", "kid": "did:example:nobody#k"}, doc), ErrKey},
		{"signed by another key", craftJWT(t, jose.EdDSA, other.Private, std, doc), ErrSignature},
		{"bad signature", parts[0] + "." + parts[1] + "." + string(flipped), ErrSignature},
		{"tampered payload", parts[0] + "." + b64(tampered) + "." + parts[2], ErrSignature},
		{"vc claim", craftJWT(t, jose.EdDSA, key.Private, std, withVC), ErrJWTClaims},
		{"iss differs from issuer", craftJWT(t, jose.EdDSA, key.Private, std, wrongIss), ErrJWTClaims},
		{"expired", craftJWT(t, jose.EdDSA, key.Private, std, expired), ErrJWTClaims},
		{"payload not an object", craftJWT(t, jose.EdDSA, key.Private, std, []any{1, 2}), ErrJWTClaims},
		{"huge token", parts[0] + "." + strings.Repeat("A", MaxJWTSize) + "." + parts[2], ErrMalformedJWT},
		{"two parts", parts[0] + "." + parts[1], ErrMalformedJWT},
		{"JSON serialization", `{"payload":"` + parts[1] + `"}`, ErrMalformedJWT},
		{"header not base64url", "!!!." + parts[1] + "." + parts[2], ErrMalformedJWT},
		{"header not JSON", base64.RawURLEncoding.EncodeToString([]byte("nope")) + "." + parts[1] + "." + parts[2], ErrMalformedJWT},
		{"payload not base64url", parts[0] + ".%%%." + parts[2], ErrMalformedJWT},
		{"empty", "", ErrMalformedJWT},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := VerifyJWT(context.Background(), tc.token, resolverFor(key, other))
			if got != nil || !errors.Is(err, tc.want) {
				t.Fatalf("VerifyJWT = %v, %v; want error %v", got != nil, err, tc.want)
			}
		})
	}
	if _, err := SignJWT(withVC, key, ""); !errors.Is(err, ErrJWTClaims) {
		t.Errorf("SignJWT with a vc member: %v", err)
	}
}
