package proof

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"
)

// TestHashPaths holds the hashing path that Sign and Verify use to the
// published steps: transformHash is sha256(Transform) and proofConfigHash
// is sha256(ProofConfig), whether the proof configuration hash is
// remembered or not, and both fail where the steps fail.
func TestHashPaths(t *testing.T) {
	noCtx := SampleCredential()
	delete(noCtx, "@context")
	inline := SampleCredential()
	inline["@context"] = append(inline["@context"].([]any), map[string]any{"extra": "https://example.org/extra"})
	inline["extra"] = "value"
	docs := map[string]map[string]any{
		"sample":         SampleCredential(),
		"inline context": inline,
		"no context":     noCtx,
	}
	proofs := map[string]map[string]any{
		"plain": {"type": ProofType, "created": "2026-07-01T10:00:00Z", "verificationMethod": "did:key:z6Mk#z6Mk", "proofPurpose": "assertionMethod"},
		"full": {"type": ProofType, "created": "2026-07-01T10:00:01Z", "verificationMethod": "did:key:z6Mk#z6Mk", "proofPurpose": "assertionMethod",
			"id": "urn:uuid:p2", "previousProof": []any{"urn:uuid:p1"}, "domain": "example.org", "challenge": "c", "proofValue": "zignored"},
		"numeric challenge": {"type": ProofType, "verificationMethod": "did:key:z6Mk#z6Mk", "proofPurpose": "assertionMethod", "challenge": 7.0},
	}
	for dname, doc := range docs {
		for _, suite := range []string{SuiteRDFC, SuiteJCS} {
			t.Run(dname+"/"+suite, func(t *testing.T) {
				want, wantErr := Transform(doc, suite)
				got, err := transformHash(doc, suite)
				if (err == nil) != (wantErr == nil) || (err == nil && got != sha256.Sum256(want)) {
					t.Fatalf("transformHash = %x, %v; Transform = %q, %v", got, err, want, wantErr)
				}
				for pname, p := range proofs {
					p = cloneMap(p)
					p["cryptosuite"] = suite
					want, wantErr := ProofConfig(doc, p, suite)
					for round := range 2 { // computed, then remembered
						got, err := proofConfigHash(doc, p, suite)
						if (err == nil) != (wantErr == nil) || (err == nil && got != sha256.Sum256(want)) {
							t.Fatalf("%s, round %d: proofConfigHash = %x, %v; ProofConfig = %q, %v", pname, round, got, err, want, wantErr)
						}
					}
				}
			})
		}
	}
}

// TestConfigKey checks that configurations that differ in any way get
// different keys, including ones with inline contexts (objects, numbers,
// null), and that only reasonably small ones are remembered.
func TestConfigKey(t *testing.T) {
	tests := []struct {
		name      string
		config    map[string]any
		cacheable bool
	}{
		{"list", map[string]any{"a": []any{"b", "c"}}, true},
		{"joined list", map[string]any{"a": []any{"bc"}}, true},
		{"string", map[string]any{"a": "bc"}, true},
		{"key boundary", map[string]any{"ab": "c"}, true},
		{"two members", map[string]any{"a": "b", "c": ""}, true},
		{"empty list", map[string]any{"a": []any{}}, true},
		{"empty", map[string]any{}, true},
		{"number", map[string]any{"a": 1.0}, true},
		{"other number", map[string]any{"a": 2.0}, true},
		{"true", map[string]any{"a": true}, true},
		{"false", map[string]any{"a": false}, true},
		{"object", map[string]any{"a": map[string]any{}}, true},
		{"object member", map[string]any{"a": map[string]any{"b": "c"}}, true},
		{"object members split", map[string]any{"a": map[string]any{"b": "", "c": ""}}, true},
		{"mixed list", map[string]any{"a": []any{"b", map[string]any{}}}, true},
		{"inline context", map[string]any{"@context": []any{"https://www.w3.org/ns/credentials/v2", map[string]any{"x": map[string]any{"@id": "ex:x", "@type": "@id"}}}}, true},
		{"null", map[string]any{"a": nil}, true},
		{"Go type", map[string]any{"a": 1}, false},
		{"too large", map[string]any{"a": string(make([]byte, maxConfigKey+1))}, false},
	}
	seen := map[string]string{}
	for _, tc := range tests {
		key, ok := configKey(nil, tc.config)
		if ok != tc.cacheable {
			t.Errorf("%s: cacheable = %v, want %v", tc.name, ok, tc.cacheable)
		}
		if !ok {
			continue
		}
		if other, dup := seen[string(key)]; dup {
			t.Errorf("%s and %s share the key %q", tc.name, other, key)
		}
		seen[string(key)] = tc.name
		again, _ := configKey(nil, cloneMap(tc.config))
		if !bytes.Equal(again, key) {
			t.Errorf("%s: key not deterministic", tc.name)
		}
	}
}

// TestConfigKeyOf: the key computed from the document and the proof is
// the key of the configuration document they make.
func TestConfigKeyOf(t *testing.T) {
	doc := SampleCredential()
	for _, p := range []map[string]any{
		{"type": ProofType, "cryptosuite": SuiteRDFC, "created": "2024-01-01T00:00:00Z", "proofValue": "z1"},
		{"type": ProofType, "cryptosuite": SuiteRDFC, "@context": "https://example.org/other", "nonce": 1.0},
		{},
	} {
		config, err := configDocument(doc, p, SuiteRDFC)
		if err != nil && len(p) > 0 {
			t.Fatal(err)
		}
		if config == nil {
			config = map[string]any{"@context": doc["@context"]}
		}
		want, ok1 := configKey(nil, config)
		got, ok2 := configKeyOf(nil, doc, p)
		if !ok1 || !ok2 || !bytes.Equal(got, want) {
			t.Errorf("proof %v: configKeyOf differs from configKey", p)
		}
	}
	noCtx := map[string]any{"name": "x"}
	p := map[string]any{"@context": "https://example.org/c", "type": ProofType}
	want, _ := configKey(nil, map[string]any{"@context": "https://example.org/c", "type": ProofType})
	if got, _ := configKeyOf(nil, noCtx, p); !bytes.Equal(got, want) {
		t.Error("document without @context: the proof's own @context must be kept")
	}
}

// TestSignLeavesInput checks that Sign does not change the document it is
// given, now that the secured document shares nested values with it.
func TestSignLeavesInput(t *testing.T) {
	key := testKey("issuer")
	for _, suite := range []string{SuiteRDFC, SuiteJCS} {
		t.Run(suite, func(t *testing.T) {
			doc := signSample(t, key, Options{Suite: suite, ID: "urn:uuid:p1"})
			before, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			signed, err := Sign(doc, key, Options{Suite: suite, Created: testNow, PreviousProof: "urn:uuid:p1"})
			if err != nil {
				t.Fatal(err)
			}
			after, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(before, after) {
				t.Fatalf("Sign changed its input:\n%s\n%s", before, after)
			}
			if reflect.DeepEqual(signed["proof"], doc["proof"]) {
				t.Fatal("the secured document has no new proof")
			}
			if res := mustVerify(t, signed, resolverFor(key), VerifyOptions{Now: testNow}); len(res) != 2 {
				t.Fatalf("%d results, want 2", len(res))
			}
		})
	}
}

func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// TestConcurrentSignVerify signs and verifies from several goroutines at
// once, with proof configurations that repeat and ones that do not, so
// that the remembered configuration hashes and the recycled buffers are
// shared; every result must equal the one computed alone.
func TestConcurrentSignVerify(t *testing.T) {
	key := testKey("issuer")
	want := map[int]any{}
	for i := range 6 {
		signed, err := Sign(SampleCredential(), key, Options{Created: testNow.Add(-time.Duration(i) * time.Second)})
		if err != nil {
			t.Fatal(err)
		}
		want[i] = signed["proof"].(map[string]any)["proofValue"]
	}
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := range 30 {
				i := (g + round) % 6
				signed, err := Sign(SampleCredential(), key, Options{Created: testNow.Add(-time.Duration(i) * time.Second)})
				if err != nil {
					errs <- err
					return
				}
				if got := signed["proof"].(map[string]any)["proofValue"]; got != want[i] {
					errs <- fmt.Errorf("goroutine %d, round %d: proofValue %v, want %v", g, round, got, want[i])
					return
				}
				res, err := Verify(context.Background(), signed, resolverFor(key), VerifyOptions{Now: testNow})
				if err != nil || !res[0].Verified {
					errs <- fmt.Errorf("goroutine %d, round %d: verify %v %+v", g, round, err, res)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
