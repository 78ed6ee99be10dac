package did

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
)

// ParsePublicKeyPEM reads a PEM public key, the form of an Open Badges 2.0
// CryptographicKey's publicKeyPem: "PUBLIC KEY" (PKIX: RSA, ECDSA P-256 or
// Ed25519) or "RSA PUBLIC KEY" (PKCS #1). RSA keys below MinRSABits are
// refused (ErrKeyLength), other key types wrap ErrUnsupportedKey.
func ParsePublicKeyPEM(data string) (crypto.PublicKey, error) {
	block, rest := pem.Decode([]byte(strings.TrimSpace(data)))
	if block == nil {
		return nil, fmt.Errorf("%w: publicKeyPem is not PEM", ErrUnsupportedKey)
	}
	if len(strings.TrimSpace(string(rest))) > 0 {
		return nil, fmt.Errorf("%w: publicKeyPem has data after the key", ErrUnsupportedKey)
	}
	var pub crypto.PublicKey
	var err error
	switch block.Type {
	case "PUBLIC KEY":
		pub, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
	default:
		return nil, fmt.Errorf("%w: publicKeyPem holds a %q block, want PUBLIC KEY", ErrUnsupportedKey, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: publicKeyPem: %v", ErrUnsupportedKey, err)
	}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if bits := k.N.BitLen(); bits < MinRSABits {
			return nil, fmt.Errorf("publicKeyPem: %w: RSA key of %d bits, at least %d are required", ErrKeyLength, bits, MinRSABits)
		}
		return k, nil
	case *ecdsa.PublicKey:
		if k.Curve.Params().Name != "P-256" {
			return nil, fmt.Errorf("%w: publicKeyPem: ECDSA key on %s, want P-256", ErrUnsupportedKey, k.Curve.Params().Name)
		}
		return k, nil
	case ed25519.PublicKey:
		return k, nil
	default:
		return nil, fmt.Errorf("%w: publicKeyPem: %T", ErrUnsupportedKey, pub)
	}
}
