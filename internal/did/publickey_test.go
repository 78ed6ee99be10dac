package did

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestJWKPublicKey(t *testing.T) {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	for _, pub := range []any{&rk.PublicKey, &ek.PublicKey, edPub} {
		j, err := JWKFromKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		got, err := j.PublicKey()
		if err != nil {
			t.Fatalf("%T: %v", pub, err)
		}
		if !got.(interface{ Equal(crypto.PublicKey) bool }).Equal(pub) {
			t.Errorf("%T does not round-trip", pub)
		}
	}
	if _, err := JWKFromKey(&p384.PublicKey); !errors.Is(err, ErrUnsupportedKey) {
		t.Errorf("P-384: %v", err)
	}

	ecJWK, _ := JWKFromKey(&ek.PublicKey)
	offCurve := *ecJWK
	y, _ := base64.RawURLEncoding.DecodeString(offCurve.Y)
	y[31] ^= 1
	offCurve.Y = base64.RawURLEncoding.EncodeToString(y)
	smallJWK, _ := JWKFromKey(&small.PublicKey)
	withD := *ecJWK
	withD.D = "c2VjcmV0"
	tests := []struct {
		name string
		jwk  JWK
		want error
		msg  string
	}{
		{"RSA 1024 bits", *smallJWK, ErrKeyLength, "1024 bits"},
		{"point off the curve", offCurve, ErrUnsupportedKey, "not a point of P-256"},
		{"private key", withD, ErrUnsupportedKey, `member "d"`},
		{"kty missing", JWK{X: "abc"}, ErrUnsupportedKey, `member "kty" is missing`},
		{"kty oct", JWK{Kty: "oct"}, ErrUnsupportedKey, `kty "oct"`},
		{"crv secp256k1", JWK{Kty: "EC", Crv: "secp256k1", X: ecJWK.X, Y: ecJWK.Y}, ErrUnsupportedKey, `crv "secp256k1"`},
		{"RSA without e", JWK{Kty: "RSA", N: smallJWK.N}, ErrUnsupportedKey, `member "e" is missing`},
		{"OKP X25519", JWK{Kty: "OKP", Crv: "X25519", X: ecJWK.X}, ErrUnsupportedKey, `crv "X25519"`},
		{"x not base64url", JWK{Kty: "OKP", Crv: "Ed25519", X: "a+b/"}, ErrUnsupportedKey, "base64url"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.jwk.PublicKey()
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err %v, want %v mentioning %q", err, tc.want, tc.msg)
			}
		})
	}
}

// TestVerificationKeyTypes resolves RSA, P-256 and Ed25519 keys of one DID
// document for JWTs, and lists them for a relationship.
func TestVerificationKeyTypes(t *testing.T) {
	const id = "did:web:issuer.example"
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	rj, _ := JWKFromKey(&rk.PublicKey)
	ej, _ := JWKFromKey(&ek.PublicKey)
	doc := map[string]any{
		"id": id,
		"verificationMethod": []any{
			map[string]any{"id": id + "#rsa", "type": TypeJsonWebKey2020, "controller": id, "publicKeyJwk": rj},
			map[string]any{"id": id + "#p256", "type": TypeJsonWebKey, "controller": id, "publicKeyJwk": ej},
			map[string]any{"id": "#ed", "type": TypeEd25519VerificationKey2020, "controller": id, "publicKeyMultibase": EncodePublicKey(edPub)},
			map[string]any{"id": id + "#other", "type": "EcdsaSecp256k1VerificationKey2019", "controller": id},
		},
		"assertionMethod": []any{id + "#rsa", id + "#p256", "#ed", id + "#other"},
		"authentication":  []any{id + "#ed"},
	}
	raw, _ := json.Marshal(doc)
	d, err := ParseDocument(raw)
	if err != nil {
		t.Fatal(err)
	}
	r := &Resolver{Documents: map[string]*Document{id: d}}
	for vm, want := range map[string]any{id + "#rsa": &rk.PublicKey, id + "#p256": &ek.PublicKey, id + "#ed": edPub} {
		got, err := r.VerificationKey(t.Context(), vm, AssertionMethod)
		if err != nil || !got.(interface{ Equal(crypto.PublicKey) bool }).Equal(want) {
			t.Errorf("%s: %v", vm, err)
		}
	}
	// PublicKey stays Ed25519-only, for Data Integrity.
	if _, err := r.PublicKey(t.Context(), id+"#rsa", AssertionMethod); !errors.Is(err, ErrUnsupportedKey) {
		t.Errorf("PublicKey of an RSA method: %v", err)
	}
	if _, err := r.VerificationKey(t.Context(), id+"#rsa", Authentication); !errors.Is(err, ErrRelationship) {
		t.Errorf("RSA key for authentication: %v", err)
	}
	all, err := r.VerificationKeys(t.Context(), id, AssertionMethod)
	if err != nil || len(all) != 3 {
		t.Fatalf("VerificationKeys: %d keys, %v", len(all), err)
	}
	if _, ok := all[id+"#ed"]; !ok {
		t.Error("relative reference not made absolute")
	}
	if _, err := r.VerificationKeys(t.Context(), "did:web:nobody.example", AssertionMethod); !errors.Is(err, ErrFetch) {
		t.Errorf("unknown DID: %v", err)
	}
}

// TestP256DIDKey resolves P-256 did:key DIDs (the did:key specification's
// example zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169, and one made
// from a fresh key) to ECDSA keys for ES256 JWTs; Data Integrity's
// Ed25519-only PublicKey refuses them.
func TestP256DIDKey(t *testing.T) {
	ek, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	point, _ := ek.PublicKey.Bytes()
	compressed := append([]byte{2 | point[64]&1}, point[1:33]...)
	fresh := "did:key:" + multibase(p256PubHeader, compressed)
	r := &Resolver{}
	for _, id := range []string{"did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169", fresh} {
		vm := id + "#" + strings.TrimPrefix(id, "did:key:")
		pub, err := r.VerificationKey(t.Context(), vm, AssertionMethod)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		ec, ok := pub.(*ecdsa.PublicKey)
		if !ok || ec.Curve != elliptic.P256() {
			t.Fatalf("%s: %T", id, pub)
		}
		if id == fresh && !ec.Equal(&ek.PublicKey) {
			t.Error("fresh key does not round-trip")
		}
		if _, err := r.PublicKey(t.Context(), vm, AssertionMethod); !errors.Is(err, ErrMulticodec) {
			t.Errorf("Ed25519 PublicKey of a P-256 did:key: %v", err)
		}
	}
	bad := append([]byte{}, compressed...)
	bad[0] = 7
	if _, err := ResolveKey("did:key:" + multibase(p256PubHeader, bad)); err == nil {
		t.Error("malformed P-256 did:key resolved")
	}
}
