package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/proof"
)

// TestVerifyPresentation runs "microcred verify --presentation": exit 0
// when the holder's proof carries the challenge asked for and every
// credential verifies, 1 when the challenge differs.
func TestVerifyPresentation(t *testing.T) {
	key := newKey(t, "")
	code, signedCred, errs := run(t, sampleFor(t, controllerOf(t, key)), "sign", "--key", key)
	if code != 0 {
		t.Fatalf("sign: %s", errs)
	}
	var cred map[string]any
	if err := json.Unmarshal([]byte(signedCred), &cred); err != nil {
		t.Fatal(err)
	}
	holder, err := keys.FromSeed([]byte(strings.Repeat("h", 32)), "")
	if err != nil {
		t.Fatal(err)
	}
	vp, err := proof.Sign(map[string]any{
		"@context": []any{"https://www.w3.org/ns/credentials/v2"}, "type": "VerifiablePresentation",
		"holder": holder.Controller, "verifiableCredential": []any{cred},
	}, holder, proof.Options{ProofPurpose: "authentication", Challenge: "n-42", Domain: "verifier.example"})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := json.Marshal(vp)
	code, out, errs := run(t, data, "verify", "--offline", "--presentation", "--challenge", "n-42", "--domain", "verifier.example")
	if code != 0 || !strings.HasPrefix(out, "VERIFIED") || !strings.Contains(out, "Credential 1 of 1: VERIFIED") {
		t.Fatalf("exit %d:\n%s%s", code, out, errs)
	}
	code, out, _ = run(t, data, "verify", "--offline", "--presentation", "--challenge", "n-43", "--domain", "verifier.example", "--json")
	if code != 1 || !strings.Contains(out, `"verdict":"not_verified"`) || !strings.Contains(out, `"presentationVerdict":"not_verified"`) {
		t.Fatalf("wrong challenge: exit %d: %s", code, out)
	}
	if code, _, _ := run(t, []byte(signedCred), "verify", "--offline", "--presentation"); code != 2 {
		t.Fatalf("a credential given as a presentation: exit %d, want 2", code)
	}
}

// TestLoadStatusLists checks both forms of --status-list: FILE, served
// for the list's own id, and URL=FILE, served for the address the
// credential names whatever the list's id says.
func TestLoadStatusLists(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.json")
	b := filepath.Join(dir, "b.json")
	if err := os.WriteFile(a, []byte(`{"id":"https://x.example/lists/a"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(b, []byte(`{"id":"https://cdn.x.example/b"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	files, err := loadStatusLists([]string{a, "https://x.example/lists/b=" + b})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || files["https://x.example/lists/a"] == nil || files["https://x.example/lists/b"] == nil {
		t.Fatalf("files for %v", keysOf(files))
	}
	for _, bad := range [][]string{{filepath.Join(dir, "missing.json")}, {"https://x.example/c=" + filepath.Join(dir, "missing.json")}} {
		if _, err := loadStatusLists(bad); err == nil {
			t.Errorf("%v: accepted", bad)
		}
	}
}

func keysOf[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
