package did

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"

	"github.com/mr-tron/base58"
)

// Errors returned by the Multikey decoders. They are wrapped with detail, so
// test with errors.Is.
var (
	// ErrMultibase reports a string that is not base58btc multibase
	// (missing 'z' prefix or characters outside the base58 alphabet).
	ErrMultibase = errors.New("invalid multibase")
	// ErrMulticodec reports a multicodec header other than the expected one.
	ErrMulticodec = errors.New("unknown multicodec")
	// ErrKeyLength reports a key whose length does not match its codec.
	ErrKeyLength = errors.New("wrong key length")
)

// Multicodec headers (unsigned varints) from the multiformats table.
var (
	ed25519PubHeader  = []byte{0xed, 0x01} // ed25519-pub, 0xed
	ed25519PrivHeader = []byte{0x80, 0x26} // ed25519-priv, 0x1300
)

// maxMultibaseLen bounds the input of the decoders. An Ed25519 key in
// Multikey form is 48 characters; base58 decoding is quadratic, so refusing
// long inputs early keeps hostile documents cheap to reject.
const maxMultibaseLen = 128

// EncodePublicKey returns the Multikey form of an Ed25519 public key
// ("z6Mk...").
func EncodePublicKey(pub ed25519.PublicKey) string {
	return encode(ed25519PubHeader, pub)
}

// DecodePublicKey parses a Multikey Ed25519 public key. Errors wrap
// ErrMultibase, ErrMulticodec or ErrKeyLength.
func DecodePublicKey(multibase string) (ed25519.PublicKey, error) {
	raw, err := decode(multibase, ed25519PubHeader, "ed25519-pub")
	if err != nil {
		return nil, fmt.Errorf("public key: %w", err)
	}
	if len(raw) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("public key: %w: ed25519-pub key is %d bytes, want %d", ErrKeyLength, len(raw), ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(raw), nil
}

// EncodeSecretKey returns the Multikey form of an Ed25519 private key: the
// ed25519-priv codec over the 32-byte seed ("z3u2..."), the form other
// Verifiable Credential libraries export. It panics if priv is not a 64-byte
// Ed25519 private key, like the ed25519 package does for malformed keys.
func EncodeSecretKey(priv ed25519.PrivateKey) string {
	if len(priv) != ed25519.PrivateKeySize {
		panic(fmt.Sprintf("did: bad ed25519 private key length %d", len(priv)))
	}
	return encode(ed25519PrivHeader, priv.Seed())
}

// ErrSecretKeyMismatch reports a 64-byte secret key whose second half is not
// the public key of its seed.
var ErrSecretKeyMismatch = errors.New("secret key halves do not match")

// DecodeSecretKey parses a Multikey Ed25519 secret key and expands it into a
// full private key. Two forms are in use: the ed25519-priv codec over the
// 32-byte seed ("z3u2...", the W3C test vectors), and over the 64 bytes of
// seed and public key ("zrv...", what the JavaScript libraries
// @digitalbazaar/ed25519-multikey and ed25519-verification-key-2020
// export). The 64-byte form is accepted when its second half is the public
// key of its seed. Errors wrap ErrMultibase, ErrMulticodec, ErrKeyLength or
// ErrSecretKeyMismatch and never include the secret itself.
func DecodeSecretKey(multibase string) (ed25519.PrivateKey, error) {
	raw, err := decode(multibase, ed25519PrivHeader, "ed25519-priv")
	if err != nil {
		return nil, fmt.Errorf("secret key: %w", err)
	}
	switch len(raw) {
	case ed25519.SeedSize:
		return ed25519.NewKeyFromSeed(raw), nil
	case ed25519.PrivateKeySize:
		priv := ed25519.NewKeyFromSeed(raw[:ed25519.SeedSize])
		if !bytes.Equal(priv[ed25519.SeedSize:], raw[ed25519.SeedSize:]) {
			return nil, fmt.Errorf("secret key: %w: the last 32 of its 64 bytes are not the public key of the first 32 (the seed)", ErrSecretKeyMismatch)
		}
		return priv, nil
	default:
		return nil, fmt.Errorf("secret key: %w: ed25519-priv key is %d bytes, want a %d-byte seed or %d bytes of seed and public key", ErrKeyLength, len(raw), ed25519.SeedSize, ed25519.PrivateKeySize)
	}
}

func encode(header, key []byte) string {
	buf := make([]byte, 0, len(header)+len(key))
	buf = append(buf, header...)
	buf = append(buf, key...)
	return "z" + base58.Encode(buf)
}

// decode checks the multibase prefix and the multicodec header and returns the
// key bytes that follow the header. Error messages quote only the prefix and
// header bytes, so secret material never reaches a log.
func decode(s string, header []byte, codec string) ([]byte, error) {
	if s == "" {
		return nil, fmt.Errorf("%w: empty string", ErrMultibase)
	}
	if s[0] != 'z' {
		return nil, fmt.Errorf("%w: prefix %q, want 'z' (base58btc)", ErrMultibase, s[0])
	}
	if len(s) > maxMultibaseLen {
		return nil, fmt.Errorf("%w: %d characters, longer than any supported key", ErrKeyLength, len(s))
	}
	raw, err := base58.Decode(s[1:])
	if err != nil {
		return nil, fmt.Errorf("%w: base58btc: %v", ErrMultibase, err)
	}
	if len(raw) < len(header) || !bytes.Equal(raw[:len(header)], header) {
		return nil, fmt.Errorf("%w: header %s, want %s (%x)", ErrMulticodec, describeHeader(raw), codec, header)
	}
	return raw[len(header):], nil
}

// describeHeader names the varint at the start of raw so that an error says
// what the key is ("ed25519-pub" for a public key passed as a secret, say).
func describeHeader(raw []byte) string {
	code, n := uvarint(raw)
	if n <= 0 {
		return fmt.Sprintf("unreadable varint % x", raw[:min(len(raw), 2)])
	}
	name := map[uint64]string{
		0xed:   "ed25519-pub",
		0xec:   "x25519-pub",
		0xe7:   "secp256k1-pub",
		0x1200: "p256-pub",
		0x1201: "p384-pub",
		0x1205: "rsa-pub",
		0x1300: "ed25519-priv",
		0x1301: "secp256k1-priv",
		0x1306: "p256-priv",
	}[code]
	if name == "" {
		name = "unregistered"
	}
	return fmt.Sprintf("0x%x (%s)", code, name)
}

// uvarint decodes a multiformats unsigned varint (at most 9 bytes). It
// returns n <= 0 when raw does not start with a complete varint.
func uvarint(raw []byte) (uint64, int) {
	var v uint64
	for i := 0; i < len(raw) && i < 9; i++ {
		b := raw[i]
		v |= uint64(b&0x7f) << (7 * i)
		if b < 0x80 {
			return v, i + 1
		}
	}
	return 0, 0
}
