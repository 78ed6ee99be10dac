package keys

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func TestLoadOrCreateMasterKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "master.key")
	m1, err := LoadOrCreateMasterKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if m1 == (MasterKey{}) {
		t.Fatal("created an all-zero master key")
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("created with mode %04o, want 0600", perm)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(data)))
	if err != nil || !bytes.Equal(raw, m1[:]) {
		t.Fatalf("file does not hold the key in base64: %v", err)
	}
	m2, err := LoadOrCreateMasterKey(path)
	if err != nil {
		t.Fatal(err)
	}
	if m1 != m2 {
		t.Error("second load returned a different key")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the key file", len(entries))
	}
}

// TestLoadOrCreateMasterKeyConcurrent starts several loaders on a missing
// file; all must agree on one key.
func TestLoadOrCreateMasterKeyConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "master.key")
	const n = 8
	keys := make([]MasterKey, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			keys[i], errs[i] = LoadOrCreateMasterKey(path)
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if keys[i] != keys[0] {
			t.Fatal("concurrent loaders created different keys")
		}
	}
}

func TestLoadMasterKeyErrors(t *testing.T) {
	dir := t.TempDir()
	good := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32))
	tests := []struct {
		name    string
		content string
		mode    os.FileMode
		msg     string
	}{
		{"world readable", good, 0o644, "chmod 600"},
		{"group readable", good, 0o640, "mode 0640"},
		{"world writable", good, 0o602, "group or others"},
		{"not base64", "not base64!", 0o600, "not base64"},
		{"short key", base64.StdEncoding.EncodeToString(make([]byte, 16)), 0o600, "16 bytes"},
		{"empty", "", 0o600, "0 bytes"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, fmt.Sprintf("key%d", i))
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tt.mode); err != nil {
				t.Fatal(err)
			}
			_, err := LoadOrCreateMasterKey(path)
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("err = %v, want mention of %q", err, tt.msg)
			}
			if strings.Contains(err.Error(), good) {
				t.Errorf("error reveals the key: %v", err)
			}
			after, readErr := os.ReadFile(path)
			if readErr != nil || string(after) != tt.content {
				t.Error("a refused key file was modified")
			}
		})
	}
	if _, err := LoadOrCreateMasterKey(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("directory as key file: err = %v", err)
	}
	if _, err := LoadOrCreateMasterKey(filepath.Join(dir, "missing", "master.key")); err == nil {
		t.Error("created a key in a missing directory")
	}
	// A key written by an operator with a trailing newline loads.
	path := filepath.Join(dir, "operator.key")
	if err := os.WriteFile(path, []byte(good+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	m, err := LoadOrCreateMasterKey(path)
	if err != nil || m != MasterKey(bytes.Repeat([]byte{7}, 32)) {
		t.Errorf("operator key: %v", err)
	}
}

func testMaster(b byte) MasterKey {
	var m MasterKey
	for i := range m {
		m[i] = b + byte(i)
	}
	return m
}

func TestSealOpen(t *testing.T) {
	m := testMaster(1)
	kp, err := Generate("did:web:example.com")
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := m.Seal(kp.Private, kp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(sealed) != sealedSize || sealed[0] != 1 {
		t.Fatalf("sealed form: %d bytes, version %d", len(sealed), sealed[0])
	}
	if bytes.Contains(sealed, kp.Private.Seed()) || bytes.Contains(sealed, kp.Private.Seed()[:8]) {
		t.Fatal("sealed form contains the seed")
	}
	priv, err := m.Open(sealed, kp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !priv.Equal(kp.Private) {
		t.Fatal("opened a different key")
	}
	again, err := m.Seal(kp.Private, kp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(again, sealed) {
		t.Error("sealing twice gave identical ciphertexts")
	}

	// Every single-byte change is detected.
	for i := range sealed {
		tampered := bytes.Clone(sealed)
		tampered[i] ^= 0x01
		if _, err := m.Open(tampered, kp.ID); !errors.Is(err, ErrSealed) {
			t.Fatalf("byte %d flipped: err = %v", i, err)
		}
	}

	other, err := Generate("")
	if err != nil {
		t.Fatal(err)
	}
	otherSealed, err := m.Seal(other.Private, other.ID)
	if err != nil {
		t.Fatal(err)
	}
	// Splice: the data key of one sealed key with the payload of another.
	spliced := append(bytes.Clone(sealed[:1+saltSize+nonceSize+dataKeySize+tagSize]), otherSealed[1+saltSize+nonceSize+dataKeySize+tagSize:]...)
	failures := []struct {
		name   string
		master MasterKey
		sealed []byte
		keyID  string
		msg    string
	}{
		{"wrong key id", m, sealed, other.ID, "authentication failed"},
		{"swapped ciphertexts", m, otherSealed, kp.ID, "authentication failed"},
		{"spliced layers", m, spliced, kp.ID, "authentication failed"},
		{"wrong master key", testMaster(2), sealed, kp.ID, "authentication failed"},
		{"empty", m, nil, kp.ID, "empty"},
		{"unknown version", m, append([]byte{2}, sealed[1:]...), kp.ID, "version 2"},
		{"truncated", m, sealed[:len(sealed)-1], kp.ID, "136 bytes"},
		{"extended", m, append(bytes.Clone(sealed), 0), kp.ID, "138 bytes"},
	}
	for _, tt := range failures {
		t.Run(tt.name, func(t *testing.T) {
			priv, err := tt.master.Open(tt.sealed, tt.keyID)
			if !errors.Is(err, ErrSealed) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("Open = %v, %v; want ErrSealed mentioning %q", priv != nil, err, tt.msg)
			}
		})
	}
}

func TestSealErrors(t *testing.T) {
	m := testMaster(1)
	kp, err := Generate("")
	if err != nil {
		t.Fatal(err)
	}
	inconsistent := bytes.Clone(kp.Private)
	inconsistent[40] ^= 1 // public half no longer matches the seed
	tests := []struct {
		name  string
		priv  ed25519.PrivateKey
		keyID string
	}{
		{"empty key id", kp.Private, ""},
		{"nil key", nil, "k"},
		{"seed only", ed25519.PrivateKey(kp.Private.Seed()), "k"},
		{"inconsistent key", inconsistent, "k"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if out, err := m.Seal(tt.priv, tt.keyID); err == nil {
				t.Fatalf("Seal accepted it: %d bytes", len(out))
			}
		})
	}
}

func TestRewrap(t *testing.T) {
	oldKey, newKey := testMaster(1), testMaster(9)
	kp, err := Generate("")
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := oldKey.Seal(kp.Private, kp.ID)
	if err != nil {
		t.Fatal(err)
	}
	rewrapped, err := oldKey.Rewrap(sealed, kp.ID, newKey)
	if err != nil {
		t.Fatal(err)
	}
	payload := 1 + saltSize + nonceSize + dataKeySize + tagSize
	if !bytes.Equal(rewrapped[payload:], sealed[payload:]) {
		t.Error("rewrap changed the encrypted private key")
	}
	priv, err := newKey.Open(rewrapped, kp.ID)
	if err != nil || !priv.Equal(kp.Private) {
		t.Fatalf("open after rewrap: %v", err)
	}
	if _, err := oldKey.Open(rewrapped, kp.ID); !errors.Is(err, ErrSealed) {
		t.Errorf("old master key still opens the rewrapped key: %v", err)
	}
	if _, err := newKey.Rewrap(sealed, kp.ID, oldKey); !errors.Is(err, ErrSealed) {
		t.Errorf("rewrap with the wrong master key: %v", err)
	}
	if _, err := oldKey.Rewrap(sealed, "other", newKey); !errors.Is(err, ErrSealed) {
		t.Errorf("rewrap with the wrong key id: %v", err)
	}
}

func TestMasterKeyRedaction(t *testing.T) {
	m := testMaster(0x41) // printable bytes, so a leak would show as text
	for _, out := range []string{
		fmt.Sprint(m), fmt.Sprintf("%v %+v %#v %s %x %q %d", m, m, m, m, m, m, m), fmt.Sprint(&m), m.String(),
	} {
		if strings.Contains(out, "ABC") || strings.Contains(out, "414243") || strings.Contains(out, "65 66") {
			t.Errorf("master key printed: %s", out)
		}
		if !strings.Contains(out, "REDACTED") {
			t.Errorf("output %q lacks REDACTED", out)
		}
	}
}

func BenchmarkSeal(b *testing.B) {
	m := testMaster(1)
	kp, err := Generate("")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := m.Seal(kp.Private, kp.ID); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpen(b *testing.B) {
	m := testMaster(1)
	kp, err := Generate("")
	if err != nil {
		b.Fatal(err)
	}
	sealed, err := m.Seal(kp.Private, kp.ID)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := m.Open(sealed, kp.ID); err != nil {
			b.Fatal(err)
		}
	}
}
