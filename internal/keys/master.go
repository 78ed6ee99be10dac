package keys

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"golang.org/x/crypto/hkdf"
)

// MasterKey is the root secret from which the key-encryption keys that
// protect issuer private keys at rest are derived.
type MasterKey [32]byte

// ErrSealed is wrapped by every Open and Rewrap error.
var ErrSealed = errors.New("cannot open sealed key")

// LoadOrCreateMasterKey reads the base64 master key at path, or creates it
// with a fresh random key (mode 0600) when the file does not exist. An
// existing file that group or others may access is refused: the master key
// unlocks every issuer key, and a permissive mode usually means it was
// copied carelessly.
//
// Creation is atomic: the key is written to a temporary file and linked into
// place, so processes starting together all end up with the same key.
func LoadOrCreateMasterKey(path string) (MasterKey, error) {
	m, err := loadMasterKey(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return m, err
	}
	if _, err := rand.Read(m[:]); err != nil {
		return MasterKey{}, fmt.Errorf("master key: %w", err)
	}
	if err := createExclusive(path, []byte(base64.StdEncoding.EncodeToString(m[:])+"\n")); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return loadMasterKey(path)
		}
		return MasterKey{}, fmt.Errorf("master key: creating %s: %w", path, err)
	}
	return m, nil
}

func loadMasterKey(path string) (MasterKey, error) {
	var m MasterKey
	info, err := os.Stat(path)
	if err != nil {
		return m, fmt.Errorf("master key: %w", err)
	}
	if !info.Mode().IsRegular() {
		return m, fmt.Errorf("master key: %s is not a regular file", path)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return m, fmt.Errorf("master key: %s has mode %04o, readable or writable by group or others; run chmod 600 %s", path, perm, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return m, fmt.Errorf("master key: %w", err)
	}
	raw, err := base64.StdEncoding.DecodeString(string(bytes.TrimSpace(data)))
	if err != nil {
		return m, fmt.Errorf("master key: %s is not base64", path)
	}
	if len(raw) != len(m) {
		return m, fmt.Errorf("master key: %s holds %d bytes, want %d", path, len(raw), len(m))
	}
	copy(m[:], raw)
	return m, nil
}

// createExclusive publishes data at path with mode 0600 unless path exists
// (then the error wraps fs.ErrExist).
func createExclusive(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".master-key-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	// link(2) fails with EEXIST instead of replacing, unlike rename(2).
	return os.Link(tmp.Name(), path)
}

// Sealed key format, version 1 (137 bytes):
//
//	version (1) | salt (16) | wrap nonce (12) | wrapped data key (32+16) | data nonce (12) | sealed seed (32+16)
//
// The key-encryption key is HKDF-SHA256(master, salt, kekInfo); the salt
// makes it unique per sealed key, so random GCM nonces never repeat under
// one key. Both GCM layers authenticate aad(keyID), binding the ciphertext
// to the key it belongs to.
const (
	sealVersion1 = 1
	saltSize     = 16
	nonceSize    = 12
	tagSize      = 16
	dataKeySize  = 32
	sealedSize   = 1 + saltSize + nonceSize + dataKeySize + tagSize + nonceSize + ed25519.SeedSize + tagSize
)

var kekInfo = []byte("microcred keys: key-encryption key v1")

func aad(keyID string) []byte {
	return append([]byte("microcred sealed ed25519 key v1\x00"), keyID...)
}

// Seal encrypts priv for storage under keyID (the key's row or verification
// method id); Open must be given the same keyID. Each call uses a fresh data
// key, salt and nonces.
func (m MasterKey) Seal(priv ed25519.PrivateKey, keyID string) ([]byte, error) {
	if keyID == "" {
		return nil, errors.New("seal: empty key id")
	}
	if len(priv) != ed25519.PrivateKeySize || !priv.Equal(ed25519.NewKeyFromSeed(priv.Seed())) {
		return nil, errors.New("seal: not a valid Ed25519 private key")
	}
	out := make([]byte, 1+saltSize+nonceSize, sealedSize)
	out[0] = sealVersion1
	salt := out[1 : 1+saltSize]
	wrapNonce := out[1+saltSize:]
	dataKey := make([]byte, dataKeySize)
	dataNonce := make([]byte, nonceSize)
	for _, b := range [][]byte{salt, wrapNonce, dataKey, dataNonce} {
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("seal: %w", err)
		}
	}
	kek, err := m.kek(salt)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	data, err := newGCM(dataKey)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	ad := aad(keyID)
	out = kek.Seal(out, wrapNonce, dataKey, ad)
	out = append(out, dataNonce...)
	out = data.Seal(out, dataNonce, priv.Seed(), ad)
	clear(dataKey)
	return out, nil
}

// Open decrypts a key sealed by Seal under keyID. A wrong master key, a
// wrong key id and any modified byte all fail with ErrSealed.
func (m MasterKey) Open(sealed []byte, keyID string) (ed25519.PrivateKey, error) {
	dataKey, rest, err := m.unwrap(sealed, keyID)
	if err != nil {
		return nil, err
	}
	defer clear(dataKey)
	data, err := newGCM(dataKey)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrSealed, err)
	}
	seed, err := data.Open(nil, rest[:nonceSize], rest[nonceSize:], aad(keyID))
	if err != nil {
		return nil, fmt.Errorf("%w: key %q: authentication failed", ErrSealed, keyID)
	}
	defer clear(seed)
	return ed25519.NewKeyFromSeed(seed), nil
}

// Rewrap re-encrypts the data key of a sealed key under the master key to,
// leaving the encrypted private key untouched; this is how the master key is
// rotated without handling issuer keys in the clear.
func (m MasterKey) Rewrap(sealed []byte, keyID string, to MasterKey) ([]byte, error) {
	dataKey, rest, err := m.unwrap(sealed, keyID)
	if err != nil {
		return nil, err
	}
	defer clear(dataKey)
	out := make([]byte, 1+saltSize+nonceSize, sealedSize)
	out[0] = sealVersion1
	salt := out[1 : 1+saltSize]
	wrapNonce := out[1+saltSize:]
	for _, b := range [][]byte{salt, wrapNonce} {
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("rewrap: %w", err)
		}
	}
	kek, err := to.kek(salt)
	if err != nil {
		return nil, fmt.Errorf("rewrap: %w", err)
	}
	out = kek.Seal(out, wrapNonce, dataKey, aad(keyID))
	return append(out, rest...), nil
}

// unwrap checks the format, recovers the data key, and returns it with the
// data layer (nonce and sealed seed).
func (m MasterKey) unwrap(sealed []byte, keyID string) ([]byte, []byte, error) {
	if len(sealed) == 0 {
		return nil, nil, fmt.Errorf("%w: empty", ErrSealed)
	}
	if sealed[0] != sealVersion1 {
		return nil, nil, fmt.Errorf("%w: unknown format version %d", ErrSealed, sealed[0])
	}
	if len(sealed) != sealedSize {
		return nil, nil, fmt.Errorf("%w: %d bytes, want %d for version 1", ErrSealed, len(sealed), sealedSize)
	}
	salt := sealed[1 : 1+saltSize]
	wrapNonce := sealed[1+saltSize : 1+saltSize+nonceSize]
	wrapped := sealed[1+saltSize+nonceSize : 1+saltSize+nonceSize+dataKeySize+tagSize]
	rest := sealed[1+saltSize+nonceSize+dataKeySize+tagSize:]
	kek, err := m.kek(salt)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrSealed, err)
	}
	dataKey, err := kek.Open(nil, wrapNonce, wrapped, aad(keyID))
	if err != nil {
		return nil, nil, fmt.Errorf("%w: key %q: authentication failed (wrong master key, wrong key id, or modified data)", ErrSealed, keyID)
	}
	return dataKey, rest, nil
}

func (m MasterKey) kek(salt []byte) (cipher.AEAD, error) {
	key := make([]byte, 32)
	defer clear(key)
	if _, err := io.ReadFull(hkdf.New(sha256.New, m[:], salt, kekInfo), key); err != nil {
		return nil, fmt.Errorf("deriving key-encryption key: %w", err)
	}
	return newGCM(key)
}

func newGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// String redacts the key.
func (m MasterKey) String() string { return "MasterKey(REDACTED)" }

// GoString redacts the key.
func (m MasterKey) GoString() string { return m.String() }

// Format prints the redacted form for every verb.
func (m MasterKey) Format(f fmt.State, _ rune) { fmt.Fprint(f, m.String()) }

// LogValue redacts the key in structured logs.
func (m MasterKey) LogValue() slog.Value { return slog.StringValue(m.String()) }

// Derive returns a 32-byte key for one purpose, such as "link-signing",
// derived from the master key with HKDF-SHA256 (RFC 5869). Keys for
// different purposes are independent, and none reveals the master key.
func (m MasterKey) Derive(purpose string) []byte {
	key := make([]byte, 32)
	if _, err := io.ReadFull(hkdf.New(sha256.New, m[:], nil, []byte("microcred/"+purpose)), key); err != nil {
		panic("keys: HKDF-SHA256 cannot fail for 32 bytes: " + err.Error())
	}
	return key
}
