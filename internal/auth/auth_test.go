package auth

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestPasswordHash(t *testing.T) {
	phc, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(phc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("PHC string %q", phc)
	}
	again, err := HashPassword("correct horse battery")
	if err != nil || again == phc {
		t.Errorf("two hashes of one password are equal (salt not random): %v", err)
	}
	tests := []struct {
		name     string
		phc      string
		password string
		ok       bool
		malform  bool
	}{
		{"right", phc, "correct horse battery", true, false},
		{"wrong", phc, "correct horse battery!", false, false},
		{"empty", phc, "", false, false},
		{"other hash", again, "correct horse battery", true, false},
		// A hash made with other parameters is checked with its own.
		{"low cost params", lowCost(t, "pw-1234567"), "pw-1234567", true, false},
		{"not phc", "plaintext", "x", false, true},
		{"bcrypt", "$2a$10$abcdefghijklmnopqrstuu", "x", false, true},
		{"argon2i", strings.Replace(phc, "argon2id", "argon2i", 1), "x", false, true},
		{"bad version", strings.Replace(phc, "v=19", "v=16", 1), "x", false, true},
		{"huge memory", strings.Replace(phc, "m=19456", "m=99999999", 1), "x", false, true},
		{"zero time", strings.Replace(phc, "t=2", "t=0", 1), "x", false, true},
		{"unknown param", strings.Replace(phc, "p=1", "p=1,x=2", 1), "x", false, true},
		{"dup param", strings.Replace(phc, "p=1", "t=3", 1), "x", false, true},
		{"bad salt", strings.Replace(phc, "$argon2id$v=19$m=19456,t=2,p=1$", "$argon2id$v=19$m=19456,t=2,p=1$!!", 1), "x", false, true},
		{"truncated", phc[:len(phc)-40], "x", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := CheckPassword(tt.phc, tt.password)
			if ok != tt.ok {
				t.Errorf("ok = %v, want %v", ok, tt.ok)
			}
			if tt.malform != errors.Is(err, ErrMalformedHash) {
				t.Errorf("err = %v, malformed want %v", err, tt.malform)
			}
		})
	}
}

// lowCost builds a valid PHC string with cheap parameters.
func lowCost(t *testing.T, password string) string {
	t.Helper()
	phc, err := HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(phc, "$")
	salt, _ := base64.RawStdEncoding.DecodeString(parts[4])
	key := argonKey(password, salt, 1, 64, 1, 32)
	return "$argon2id$v=19$m=64,t=1,p=1$" + parts[4] + "$" + base64.RawStdEncoding.EncodeToString(key)
}

func TestValidatePassword(t *testing.T) {
	tests := []struct {
		pw   string
		want string
	}{
		{"short", "at least 10"},
		{"123456789", "at least 10"},
		{"1234567890", ""},
		{"ääääääääää", ""}, // ten characters, twenty bytes
		{strings.Repeat("x", 1024), ""},
		{strings.Repeat("x", 1025), "at most 1024"},
	}
	for _, tt := range tests {
		err := ValidatePassword(tt.pw)
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("ValidatePassword(%d chars) = %v, want %q", len([]rune(tt.pw)), err, tt.want)
		}
	}
}

func TestTokens(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		tok, hash := NewToken()
		if len(tok) != 43 || strings.ContainsAny(tok, "+/=") {
			t.Fatalf("token %q is not 32 bytes of unpadded base64url", tok)
		}
		if seen[tok] {
			t.Fatalf("token %q repeated", tok)
		}
		seen[tok] = true
		sum := sha256.Sum256([]byte(tok))
		if !bytes.Equal(hash, sum[:]) || !bytes.Equal(HashToken(tok), hash) {
			t.Fatal("hash is not SHA-256 of the token")
		}
	}
}

func TestCSRF(t *testing.T) {
	secret := []byte("0123456789abcdef0123456789abcdef")
	tok := CSRFToken(secret)
	if tok == "" || tok != CSRFToken(secret) {
		t.Fatal("CSRF token empty or unstable")
	}
	tests := []struct {
		name   string
		secret []byte
		token  string
		want   bool
	}{
		{"valid", secret, tok, true},
		{"other session", []byte("another secret of 32 bytes......"), tok, false},
		{"empty token", secret, "", false},
		{"tampered", secret, flipLast(tok), false},
		{"not base64", secret, "!!!", false},
		{"no secret", nil, CSRFToken(nil), false},
	}
	for _, tt := range tests {
		if got := CheckCSRF(tt.secret, tt.token); got != tt.want {
			t.Errorf("%s: CheckCSRF = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestLimiter(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	l := NewLimiter(1, 3)
	l.now = func() time.Time { return now }
	steps := []struct {
		advance time.Duration
		key     string
		want    bool
	}{
		{0, "a", true}, {0, "a", true}, {0, "a", true}, {0, "a", false}, // burst of 3
		{0, "b", true}, // keys are independent
		{500 * time.Millisecond, "a", false},
		{500 * time.Millisecond, "a", true}, // one token per second
		{0, "a", false},
		{time.Hour, "a", true}, {0, "a", true}, {0, "a", true}, {0, "a", false}, // refills to burst, not beyond
	}
	for i, s := range steps {
		now = now.Add(s.advance)
		if got := l.Allow(s.key); got != s.want {
			t.Errorf("step %d: Allow(%q) = %v, want %v", i, s.key, got, s.want)
		}
	}
}

func TestLimiterBoundedMemory(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	l := NewLimiter(10, 5)
	l.now = func() time.Time { return now }
	for i := range maxLimiterKeys + 10 {
		l.Allow(string(rune(i)) + "-key")
	}
	if n := l.Len(); n > maxLimiterKeys {
		t.Errorf("limiter tracks %d keys, bound is %d", n, maxLimiterKeys)
	}
	// Idle keys refill and are swept on the next periodic sweep.
	now = now.Add(2 * time.Minute)
	l.Allow("new")
	if n := l.Len(); n != 1 {
		t.Errorf("after idle sweep %d keys, want 1", n)
	}
}

func TestLimiterConcurrent(t *testing.T) {
	l := NewLimiter(0.001, 50)
	var wg sync.WaitGroup
	var mu sync.Mutex
	allowed := 0
	for range 8 {
		wg.Go(func() {
			for range 100 {
				if l.Allow("ip") {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if allowed != 50 {
		t.Errorf("allowed %d of 800 concurrent requests, want the burst of 50", allowed)
	}
}

// flipLast changes the last character of a base64url string.
func flipLast(s string) string {
	if s[len(s)-1] == 'A' {
		return s[:len(s)-1] + "E"
	}
	return s[:len(s)-1] + "A"
}
