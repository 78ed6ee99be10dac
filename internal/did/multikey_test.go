package did

import (
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"

	"github.com/mr-tron/base58"
)

func multibase(parts ...[]byte) string {
	var raw []byte
	for _, p := range parts {
		raw = append(raw, p...)
	}
	return "z" + base58.Encode(raw)
}

func TestDecodePublicKeyErrors(t *testing.T) {
	key := make([]byte, 32)
	for i := range key {
		key[i] = byte(i + 1)
	}
	tests := []struct {
		name string
		in   string
		want error
		msg  string
	}{
		{"empty", "", ErrMultibase, "empty"},
		{"base64 prefix", "m7QE", ErrMultibase, "prefix 'm'"},
		{"base58 without z", "6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", ErrMultibase, "prefix '6'"},
		{"not base58", "z6Mk0OIl", ErrMultibase, "base58btc"},
		{"only prefix", "z", ErrMultibase, "base58btc"},
		{"x25519 key", "z6LShs9GGnqk85isEBzzshkuVWrVKsRp24GnDuHk8QWkARMW", ErrMulticodec, "x25519-pub"},
		{"secret key as public", multibase([]byte{0x80, 0x26}, key), ErrMulticodec, "ed25519-priv"},
		{"unregistered codec", multibase([]byte{0x01, 0x02}, key), ErrMulticodec, "unregistered"},
		{"short", multibase([]byte{0xed, 0x01}, key[:31]), ErrKeyLength, "31 bytes"},
		{"long", multibase([]byte{0xed, 0x01}, key, []byte{0}), ErrKeyLength, "33 bytes"},
		{"header only", multibase([]byte{0xed, 0x01}), ErrKeyLength, "0 bytes"},
		{"huge input", "z" + strings.Repeat("2", 5000), ErrKeyLength, "characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pub, err := DecodePublicKey(tt.in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("DecodePublicKey(%.40q) = %x, %v; want %v", tt.in, pub, err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not mention %q", err, tt.msg)
			}
		})
	}
}

func TestDecodeSecretKeyErrors(t *testing.T) {
	seed := make([]byte, 32)
	for i := range seed {
		seed[i] = byte(0xa0 + i)
	}
	good := multibase([]byte{0x80, 0x26}, seed)
	tests := []struct {
		name string
		in   string
		want error
	}{
		{"empty", "", ErrMultibase},
		{"wrong prefix", "u" + good[1:], ErrMultibase},
		{"public key as secret", EncodePublicKey(ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)), ErrMulticodec},
		{"short seed", multibase([]byte{0x80, 0x26}, seed[:16]), ErrKeyLength},
		{"64-byte key whose halves disagree", multibase([]byte{0x80, 0x26}, append(append([]byte{}, seed...), make([]byte, 32)...)), ErrSecretKeyMismatch},
		{"48-byte key", multibase([]byte{0x80, 0x26}, append(append([]byte{}, seed...), seed[:16]...)), ErrKeyLength},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeSecretKey(tt.in)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if len(tt.in) > 10 && strings.Contains(err.Error(), tt.in[1:]) {
				t.Errorf("error %q repeats the secret input", err)
			}
		})
	}
	priv, err := DecodeSecretKey(good)
	if err != nil {
		t.Fatal(err)
	}
	if string(priv.Seed()) != string(seed) {
		t.Error("decoded seed differs")
	}
	if EncodeSecretKey(priv) != good {
		t.Error("secret key does not re-encode identically")
	}
	if !strings.HasPrefix(good, "z3u2") {
		t.Errorf("secret Multikey %q does not start with z3u2", good[:4])
	}
}

// TestDecodeSecretKeyJavaScript reads the 64-byte form (seed and public key)
// that the JavaScript Multikey library exports, with the key pair of its own
// tests (digitalbazaar/ed25519-multikey, test/mock-data.js).
func TestDecodeSecretKeyJavaScript(t *testing.T) {
	const (
		pubMB    = "z6MknCCLeeHBUaHu4aHSVLDCYQW9gjVJ7a63FpMvtuVMy53T"
		secretMB = "zrv2EET2WWZ8T1Jbg4fEH5cQxhbUS22XxdweypUbjWVzv1YD6VqYuW6LH7heQCNYQCuoKaDwvv2qCWz3uBzG2xesqmf"
	)
	priv, err := DecodeSecretKey(secretMB)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := DecodePublicKey(pubMB)
	if err != nil {
		t.Fatal(err)
	}
	if !pub.Equal(priv.Public()) {
		t.Fatal("the secret key does not belong to the public key")
	}
	// microcred writes the seed form, which the JavaScript library reads too.
	if !strings.HasPrefix(EncodeSecretKey(priv), "z3u2") {
		t.Error("re-encoded secret is not the seed form")
	}
}

func TestEncodeSecretKeyPanicsOnBadKey(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("EncodeSecretKey accepted a 10-byte key")
		}
	}()
	EncodeSecretKey(make(ed25519.PrivateKey, 10))
}

func FuzzDecodePublicKey(f *testing.F) {
	f.Add("z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp")
	f.Add("z6LShs9GGnqk85isEBzzshkuVWrVKsRp24GnDuHk8QWkARMW")
	f.Add("z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq")
	f.Add("z")
	f.Add("")
	f.Add("z111111111111111111111111111111111111")
	f.Add("z\xff\xfe")
	f.Fuzz(func(t *testing.T, s string) {
		pub, err := DecodePublicKey(s)
		if err != nil {
			if pub != nil {
				t.Fatal("key returned with an error")
			}
			return
		}
		if len(pub) != ed25519.PublicKeySize {
			t.Fatalf("decoded %d bytes", len(pub))
		}
		// Multibase base58btc is canonical: a decodable key re-encodes to the
		// same string, so one key has one did:key.
		if EncodePublicKey(pub) != s {
			t.Fatalf("%q re-encodes as %q", s, EncodePublicKey(pub))
		}
		if _, err := ResolveKey("did:key:" + s); err != nil {
			t.Fatalf("ResolveKey of a valid key: %v", err)
		}
	})
}
