package did

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"math/big"
)

// MinRSABits is the smallest RSA modulus PublicKey accepts: NIST SP 800-131A
// and RFC 7518 (RS256 needs "a key of size 2048 bits or larger").
const MinRSABits = 2048

// PublicKey returns the public key of the method, of whatever type it
// carries: ed25519.PublicKey (Multikey, Ed25519VerificationKey2020/2018,
// OKP JWK), *rsa.PublicKey or *ecdsa.PublicKey on P-256 (JsonWebKey,
// JsonWebKey2020). Errors wrap ErrUnsupportedKey, ErrKeyLength or the
// Multikey decoding errors and name the method and the member at fault.
func (vm VerificationMethod) PublicKey() (crypto.PublicKey, error) {
	switch vm.Type {
	case TypeJsonWebKey, TypeJsonWebKey2020:
		if vm.PublicKeyJwk == nil {
			return nil, fmt.Errorf("%w: %s method %q has no publicKeyJwk", ErrUnsupportedKey, vm.Type, vm.ID)
		}
		pub, err := vm.PublicKeyJwk.PublicKey()
		if err != nil {
			return nil, fmt.Errorf("method %q publicKeyJwk: %w", vm.ID, err)
		}
		return pub, nil
	case TypeMultikey:
		if pub, err := decodeP256(vm.PublicKeyMultibase); err == nil {
			return pub, nil
		}
		return vm.Ed25519PublicKey()
	default:
		return vm.Ed25519PublicKey()
	}
}

// p256PubHeader is the multicodec header of a compressed P-256 public key
// (p256-pub, 0x1200), the Multikey form ECDSA keys take ("zDn...").
var p256PubHeader = []byte{0x80, 0x24}

// decodeP256 parses a Multikey P-256 public key (compressed point).
func decodeP256(multibase string) (*ecdsa.PublicKey, error) {
	raw, err := decode(multibase, p256PubHeader, "p256-pub")
	if err != nil {
		return nil, err
	}
	if len(raw) != 33 {
		return nil, fmt.Errorf("%w: p256-pub key is %d bytes, want 33 (compressed)", ErrKeyLength, len(raw))
	}
	x, y := elliptic.UnmarshalCompressed(elliptic.P256(), raw)
	if x == nil {
		return nil, fmt.Errorf("%w: p256-pub key is not a point of P-256", ErrUnsupportedKey)
	}
	point := make([]byte, 65)
	point[0] = 4
	x.FillBytes(point[1:33])
	y.FillBytes(point[33:])
	return ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point)
}

// PublicKey converts the JWK to a Go public key: ed25519.PublicKey for kty
// OKP crv Ed25519, *rsa.PublicKey for kty RSA (at least MinRSABits),
// *ecdsa.PublicKey for kty EC crv P-256 (the point checked to be on the
// curve). A JWK carrying a private key ("d") is refused: publishing it
// would let anyone sign.
func (j *JWK) PublicKey() (crypto.PublicKey, error) {
	if j == nil {
		return nil, fmt.Errorf("%w: no JWK", ErrUnsupportedKey)
	}
	if j.D != "" {
		return nil, fmt.Errorf("%w: the JWK contains a private key (member \"d\")", ErrUnsupportedKey)
	}
	switch j.Kty {
	case "OKP":
		if j.Crv != "Ed25519" {
			return nil, fmt.Errorf("%w: kty OKP with crv %s, want Ed25519", ErrUnsupportedKey, quoteOrMissing(j.Crv))
		}
		raw, err := jwkBytes("x", j.X)
		if err != nil {
			return nil, err
		}
		if len(raw) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("member \"x\": %w: %d bytes, want %d", ErrKeyLength, len(raw), ed25519.PublicKeySize)
		}
		return ed25519.PublicKey(raw), nil
	case "RSA":
		n, err := jwkBytes("n", j.N)
		if err != nil {
			return nil, err
		}
		e, err := jwkBytes("e", j.E)
		if err != nil {
			return nil, err
		}
		if len(e) > 4 {
			return nil, fmt.Errorf("%w: member \"e\": RSA exponent of %d bytes", ErrUnsupportedKey, len(e))
		}
		exp := int(new(big.Int).SetBytes(e).Int64())
		if exp < 3 || exp%2 == 0 {
			return nil, fmt.Errorf("%w: member \"e\": RSA exponent %d", ErrUnsupportedKey, exp)
		}
		pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: exp}
		if bits := pub.N.BitLen(); bits < MinRSABits {
			return nil, fmt.Errorf("member \"n\": %w: RSA key of %d bits, at least %d are required", ErrKeyLength, bits, MinRSABits)
		}
		return pub, nil
	case "EC":
		if j.Crv != "P-256" {
			return nil, fmt.Errorf("%w: kty EC with crv %s (microcred checks P-256, the curve of ES256)", ErrUnsupportedKey, quoteOrMissing(j.Crv))
		}
		x, err := jwkBytes("x", j.X)
		if err != nil {
			return nil, err
		}
		y, err := jwkBytes("y", j.Y)
		if err != nil {
			return nil, err
		}
		if len(x) != 32 || len(y) != 32 {
			return nil, fmt.Errorf("members \"x\" and \"y\": %w: %d and %d bytes, want 32 each", ErrKeyLength, len(x), len(y))
		}
		// The parser checks that the point is on the curve and is not
		// the point at infinity.
		point := append(append([]byte{4}, x...), y...)
		pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), point)
		if err != nil {
			return nil, fmt.Errorf("%w: members \"x\" and \"y\" are not a point of P-256", ErrUnsupportedKey)
		}
		return pub, nil
	case "":
		return nil, fmt.Errorf("%w: member \"kty\" is missing", ErrUnsupportedKey)
	default:
		return nil, fmt.Errorf("%w: kty %q (microcred checks OKP Ed25519, RSA and EC P-256)", ErrUnsupportedKey, j.Kty)
	}
}

// JWKFromKey returns the public JWK of an Ed25519, RSA or ECDSA P-256
// public key.
func JWKFromKey(pub crypto.PublicKey) (*JWK, error) {
	enc := base64.RawURLEncoding.EncodeToString
	switch k := pub.(type) {
	case ed25519.PublicKey:
		return JWKFromPublicKey(k), nil
	case *rsa.PublicKey:
		return &JWK{Kty: "RSA", N: enc(k.N.Bytes()), E: enc(big.NewInt(int64(k.E)).Bytes())}, nil
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("%w: ECDSA key on %s, want P-256", ErrUnsupportedKey, k.Curve.Params().Name)
		}
		point, err := k.Bytes() // 0x04 || x || y
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrUnsupportedKey, err)
		}
		return &JWK{Kty: "EC", Crv: "P-256", X: enc(point[1:33]), Y: enc(point[33:])}, nil
	default:
		return nil, fmt.Errorf("%w: %T", ErrUnsupportedKey, pub)
	}
}

func jwkBytes(member, v string) ([]byte, error) {
	if v == "" {
		return nil, fmt.Errorf("%w: member %q is missing", ErrUnsupportedKey, member)
	}
	raw, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		return nil, fmt.Errorf("%w: member %q is not unpadded base64url", ErrUnsupportedKey, member)
	}
	return raw, nil
}

func quoteOrMissing(s string) string {
	if s == "" {
		return "missing"
	}
	return fmt.Sprintf("%q", s)
}

// VerificationKey is PublicKey for keys of any supported type (see
// VerificationMethod.PublicKey): it resolves the method, checks that its
// controller is the document's subject and that the document lists it under
// relationship, and returns its key. JWT verifiers use it for RS256 and
// ES256 as well as EdDSA.
func (r *Resolver) VerificationKey(ctx context.Context, verificationMethod, relationship string) (crypto.PublicKey, error) {
	vm, err := r.authorizedMethod(ctx, verificationMethod, relationship)
	if err != nil {
		return nil, err
	}
	pub, err := vm.PublicKey()
	if err != nil {
		return nil, fmt.Errorf("verification method %q: %w", truncate(verificationMethod), err)
	}
	return pub, nil
}

// VerificationKeys returns every key that the document of controller (a
// DID or https controller document URL) lists under relationship, keyed by
// verification method URL. Methods whose key type microcred does not
// support are left out; the error is set only when the document cannot be
// resolved or lists no usable key.
func (r *Resolver) VerificationKeys(ctx context.Context, controller, relationship string) (map[string]crypto.PublicKey, error) {
	doc, err := r.Resolve(ctx, controller)
	if err != nil {
		return nil, err
	}
	list := doc.relationship(relationship)
	if list == nil {
		return nil, fmt.Errorf("%w: unknown relationship %q", ErrRelationship, truncate(relationship))
	}
	out := make(map[string]crypto.PublicKey)
	for _, entry := range *list {
		ref, vm, err := parseEntry(entry)
		if err != nil {
			continue
		}
		if vm == nil {
			m, ok := doc.Method(doc.absolute(ref))
			if !ok {
				continue
			}
			vm = &m
		}
		if vm.Controller != doc.ID {
			continue
		}
		if pub, err := vm.PublicKey(); err == nil {
			out[doc.absolute(vm.ID)] = pub
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: the document of %q lists no usable key under %s", ErrMethodNotFound, truncate(controller), relationship)
	}
	return out, nil
}
