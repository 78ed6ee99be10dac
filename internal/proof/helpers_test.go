package proof

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/microcred/microcred/internal/did"
	"github.com/microcred/microcred/internal/keys"
)

func readFile(t testing.TB, path ...string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(path...))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func readText(t testing.TB, path ...string) string {
	return strings.TrimSpace(string(readFile(t, path...)))
}

func readJSON(t testing.TB, path ...string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(readFile(t, path...), &m); err != nil {
		t.Fatalf("%s: %v", filepath.Join(path...), err)
	}
	return m
}

// jsonEqual compares two JSON values after a round trip through
// encoding/json, so that []string and []any, or int and float64, compare
// as JSON does.
func jsonEqual(t testing.TB, a, b any) bool {
	t.Helper()
	na, nb := normalizeJSON(t, a), normalizeJSON(t, b)
	return string(na) == string(nb)
}

func normalizeJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var x any
	if err := json.Unmarshal(b, &x); err != nil {
		t.Fatal(err)
	}
	out, err := json.MarshalIndent(x, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// multikeyPair decodes a Multikey key pair from the vectors; the
// verification method is the did:key URL of the public key.
func multikeyPair(t testing.TB, pair map[string]any) *keys.KeyPair {
	t.Helper()
	pubMB, _ := pair["publicKeyMultibase"].(string)
	privMB, _ := pair["privateKeyMultibase"].(string)
	pub, err := did.DecodePublicKey(pubMB)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := did.DecodeSecretKey(privMB)
	if err != nil {
		t.Fatal(err)
	}
	if !pub.Equal(priv.Public()) {
		t.Fatalf("key pair %s: public key does not match the secret key", pubMB)
	}
	controller := "did:key:" + pubMB
	return &keys.KeyPair{ID: controller + "#" + pubMB, Controller: controller, Public: pub, Private: priv}
}

// mapResolver resolves verification methods from a fixed table and records
// the relationship it was asked for.
type mapResolver struct {
	keys      map[string]ed25519.PublicKey
	purposeOK func(string) bool
	asked     []string
}

func resolverFor(pairs ...*keys.KeyPair) *mapResolver {
	r := &mapResolver{keys: map[string]ed25519.PublicKey{}}
	for _, p := range pairs {
		r.keys[p.ID] = p.Public
	}
	return r
}

func (r *mapResolver) add(vm string, pub ed25519.PublicKey) *mapResolver {
	r.keys[vm] = pub
	return r
}

func (r *mapResolver) PublicKey(_ context.Context, vm, relationship string) (ed25519.PublicKey, error) {
	r.asked = append(r.asked, relationship)
	if r.purposeOK != nil && !r.purposeOK(relationship) {
		return nil, fmt.Errorf("%s is not authorized for %s", vm, relationship)
	}
	pub, ok := r.keys[vm]
	if !ok {
		return nil, fmt.Errorf("unknown verification method %s", vm)
	}
	return pub, nil
}

// mustVerify asserts that every proof of doc verifies and returns the
// results.
func mustVerify(t testing.TB, doc map[string]any, r KeyResolver, opt VerifyOptions) []Result {
	t.Helper()
	res, err := Verify(context.Background(), doc, r, opt)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	if len(res) == 0 {
		t.Fatal("Verify returned no results")
	}
	for i, r := range res {
		if !r.Verified || r.Err != nil {
			t.Fatalf("proof %d: verified=%v err=%v", i+1, r.Verified, r.Err)
		}
	}
	return res
}
