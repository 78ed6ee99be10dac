package ob2

import (
	"context"
	"os"
	"testing"
)

// FuzzVerify feeds arbitrary input to the assertion reader and the checks,
// offline: no panic, and a result always carries a verdict.
func FuzzVerify(f *testing.F) {
	for _, name := range []string{"spec/assertion.json", "spec/assertion-embedded.json", "spec/signed.jws", "signed-claims.json", "assertion.json"} {
		if b, err := os.ReadFile("testdata/" + name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"type":"Assertion","verify":{"type":"signed"},"issuedOn":1480000000}`))
	f.Add([]byte("https://example.org/x"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Verify(context.Background(), data, Options{Offline: true, Now: now})
		if err == nil && res.Verdict == "" {
			t.Fatal("no verdict")
		}
	})
}
