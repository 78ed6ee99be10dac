package did

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"testing"
)

func TestParsePublicKeyPEM(t *testing.T) {
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	pkix := func(pub any) string {
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	}
	for name, pub := range map[string]crypto.PublicKey{"RSA": &rk.PublicKey, "P-256": &ek.PublicKey, "Ed25519": edPub} {
		got, err := ParsePublicKeyPEM("\n" + pkix(pub) + "\n")
		if err != nil || !got.(interface{ Equal(crypto.PublicKey) bool }).Equal(pub) {
			t.Errorf("%s: %v", name, err)
		}
	}
	pkcs1 := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&rk.PublicKey)}))
	if _, err := ParsePublicKeyPEM(pkcs1); err != nil {
		t.Errorf("PKCS #1: %v", err)
	}
	for name, tc := range map[string]struct {
		in   string
		want error
	}{
		"RSA 1024":    {pkix(&small.PublicKey), ErrKeyLength},
		"P-384":       {pkix(&p384.PublicKey), ErrUnsupportedKey},
		"not PEM":     {"MIIBIjANBgkq", ErrUnsupportedKey},
		"private key": {string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: []byte{1}})), ErrUnsupportedKey},
		"two blocks":  {pkix(edPub) + pkix(edPub), ErrUnsupportedKey},
	} {
		if _, err := ParsePublicKeyPEM(tc.in); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", name, err, tc.want)
		}
	}
}
