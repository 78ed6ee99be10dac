package proof

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"github.com/microcred/microcred/internal/testutil"
	"path/filepath"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/keys"
)

// TestEdDSAVectors reproduces every intermediate value of the W3C
// vc-di-eddsa test vectors from the unsigned credential, the key and the
// proof configuration, then checks the signed credential.
func TestEdDSAVectors(t *testing.T) {
	root := filepath.Join(testutil.Vectors(t), "vc-di-eddsa")
	tests := []struct {
		name, dir, suite, suffix, unsigned string
	}{
		{"rdfc alumni", "eddsa-rdfc-2022", SuiteRDFC, "DataInt", "unsigned.json"},
		{"rdfc employment", "eddsa-rdfc-2022/employ", SuiteRDFC, "DataInt", "employmentAuth.json"},
		{"jcs alumni", "eddsa-jcs-2022", SuiteJCS, "JCS", "unsigned.json"},
	}
	key := multikeyPair(t, readJSON(t, root, "keyPair.json"))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(root, tc.dir)
			unsigned := readJSON(t, root, tc.unsigned)
			config := readJSON(t, dir, "proofConfig"+tc.suffix+".json")
			signed := readJSON(t, dir, "signed"+tc.suffix+".json")

			// The proof options are the signed proof without its value; the
			// published configuration adds the document's @context.
			options := map[string]any{}
			for k, v := range signed["proof"].(map[string]any) {
				if k != "proofValue" {
					options[k] = v
				}
			}
			if !jsonEqual(t, config["@context"], unsigned["@context"]) {
				t.Fatal("vector proof configuration @context differs from the document's")
			}

			transformed, err := Transform(unsigned, tc.suite)
			if err != nil {
				t.Fatalf("Transform: %v", err)
			}
			if want := string(readFile(t, dir, "canonDoc"+tc.suffix+".txt")); string(transformed) != want {
				t.Fatalf("canonical document:\n got %q\nwant %q", transformed, want)
			}
			proofCanon, err := ProofConfig(unsigned, options, tc.suite)
			if err != nil {
				t.Fatalf("ProofConfig: %v", err)
			}
			if want := string(readFile(t, dir, "proofCanon"+tc.suffix+".txt")); string(proofCanon) != want {
				t.Fatalf("canonical proof configuration:\n got %q\nwant %q", proofCanon, want)
			}
			// The configuration as published canonicalizes the same way.
			fromConfig, err := ProofConfig(unsigned, config, tc.suite)
			if err != nil || string(fromConfig) != string(proofCanon) {
				t.Fatalf("ProofConfig(published config) = %q, %v", fromConfig, err)
			}
			docHash := sha256.Sum256(transformed)
			proofHash := sha256.Sum256(proofCanon)
			hashData := HashData(transformed, proofCanon)
			for _, c := range []struct{ file, got string }{
				{"docHash" + tc.suffix + ".txt", hex.EncodeToString(docHash[:])},
				{"proofHash" + tc.suffix + ".txt", hex.EncodeToString(proofHash[:])},
				{"combinedHash" + tc.suffix + ".txt", hex.EncodeToString(hashData)},
			} {
				if want := readText(t, dir, c.file); c.got != want {
					t.Errorf("%s: got %s want %s", c.file, c.got, want)
				}
			}
			sig := ed25519.Sign(key.Private, hashData)
			if want := readText(t, dir, "sigHex"+tc.suffix+".txt"); hex.EncodeToString(sig) != want {
				t.Errorf("signature: got %x want %s", sig, want)
			}
			if want := readText(t, dir, "sigBTC58"+tc.suffix+".txt"); encodeProofValue(sig) != want {
				t.Errorf("proofValue: got %s want %s", encodeProofValue(sig), want)
			}

			got, err := Sign(unsigned, key, optionsFrom(t, options))
			if err != nil {
				t.Fatalf("Sign: %v", err)
			}
			if !jsonEqual(t, got, signed) {
				t.Fatalf("signed document differs:\n got %s\nwant %s", normalizeJSON(t, got), normalizeJSON(t, signed))
			}
			if _, ok := unsigned["proof"]; ok {
				t.Fatal("Sign modified its input")
			}
			res := mustVerify(t, signed, resolverFor(key), VerifyOptions{})
			if res[0].Suite != tc.suite || res[0].VerificationMethod != key.ID || res[0].ProofPurpose != "assertionMethod" ||
				!res[0].Created.Equal(time.Date(2023, 2, 24, 23, 36, 38, 0, time.UTC)) {
				t.Fatalf("result = %+v", res[0])
			}
		})
	}
}

// optionsFrom turns vector proof options into Sign options.
func optionsFrom(t testing.TB, p map[string]any) Options {
	t.Helper()
	created, err := parseDateTime(p["created"])
	if err != nil {
		t.Fatal(err)
	}
	opt := Options{
		Suite:              p["cryptosuite"].(string),
		Created:            created,
		VerificationMethod: p["verificationMethod"].(string),
		ProofPurpose:       p["proofPurpose"].(string),
		PreviousProof:      p["previousProof"],
	}
	opt.ID, _ = p["id"].(string)
	return opt
}

// TestProofSetChainVectors reproduces the proof set and proof chain vectors:
// two independent proofs, then a proof chained to both, then one chained to
// that.
func TestProofSetChainVectors(t *testing.T) {
	dir := filepath.Join(testutil.Vectors(t), "vc-di-eddsa", "proof-set-chain")
	pairs := readJSON(t, dir, "multiKeyPairs.json")
	var k [5]*keys.KeyPair
	for i := 1; i <= 4; i++ {
		k[i] = multikeyPair(t, pairs["keyPair"+string(rune('0'+i))].(map[string]any))
	}
	resolver := resolverFor(k[1], k[2], k[3], k[4])

	steps := []struct {
		config, signedConfig, want string
		key                        *keys.KeyPair
	}{
		{"proofSetConfig1.json", "proofSetConfigSigned1.json", "signedProofSet1.json", k[1]},
		{"proofSetConfig2.json", "proofSetConfigSigned2.json", "signedProofSet2.json", k[2]},
		{"proofChainConfig1.json", "proofChainConfigSigned1.json", "signedProofChain1.json", k[3]},
		{"proofChainConfig2.json", "proofChainConfigSigned2.json", "signedProofChain2.json", k[4]},
	}
	doc := readJSON(t, dir, "unsigned.json")
	for i, st := range steps {
		opt := optionsFrom(t, readJSON(t, dir, st.config))
		got, err := Sign(doc, st.key, opt)
		if err != nil {
			t.Fatalf("step %d: Sign: %v", i+1, err)
		}
		want := readJSON(t, dir, st.want)
		if !jsonEqual(t, got, want) {
			t.Fatalf("step %d: %s differs:\n got %s\nwant %s", i+1, st.want, normalizeJSON(t, got), normalizeJSON(t, want))
		}
		proofs, _ := proofList(got["proof"])
		if !jsonEqual(t, proofs[len(proofs)-1], readJSON(t, dir, st.signedConfig)) {
			t.Fatalf("step %d: new proof differs from %s", i+1, st.signedConfig)
		}
		res := mustVerify(t, want, resolver, VerifyOptions{})
		if len(res) != i+1 {
			t.Fatalf("step %d: %d results, want %d", i+1, len(res), i+1)
		}
		doc = got
	}

	// The chain vectors also publish the document each chained proof
	// signs: the unsecured credential with the referenced proofs.
	for _, c := range []struct {
		temp, signedConfig string
		key                *keys.KeyPair
	}{
		{"proofChainTempDoc1.json", "proofChainConfigSigned1.json", k[3]},
		{"proofChainTempDoc2.json", "proofChainConfigSigned2.json", k[4]},
	} {
		temp := readJSON(t, dir, c.temp)
		proof := readJSON(t, dir, c.signedConfig)
		transformed, err := Transform(temp, SuiteRDFC)
		if err != nil {
			t.Fatal(err)
		}
		config, err := ProofConfig(temp, proof, SuiteRDFC)
		if err != nil {
			t.Fatal(err)
		}
		sig, err := decodeProofValue(proof["proofValue"])
		if err != nil {
			t.Fatal(err)
		}
		if !ed25519.Verify(c.key.Public, HashData(transformed, config), sig) {
			t.Fatalf("%s: proof does not verify over the published chain document", c.temp)
		}
	}
}

// TestOB3Vector reproduces the Open Badges 3.0 implementation guide vector.
func TestOB3Vector(t *testing.T) {
	dir := filepath.Join(testutil.Vectors(t), "ob3", "obv3p0")
	v := readJSON(t, dir, "vector.json")
	unsigned := v["unsigned"].(map[string]any)
	config := v["proofConfig"].(map[string]any)
	privBytes, err := hex.DecodeString(v["privateKeyHex"].(string))
	if err != nil || len(privBytes) != ed25519.PrivateKeySize {
		t.Fatalf("private key: %v", err)
	}
	key := &keys.KeyPair{ID: config["verificationMethod"].(string), Private: privBytes}
	key.Public = key.Private.Public().(ed25519.PublicKey)
	if hex.EncodeToString(key.Public) != v["publicKeyHex"] {
		t.Fatal("public key does not match the private key")
	}

	transformed, err := Transform(unsigned, SuiteRDFC)
	if err != nil {
		t.Fatal(err)
	}
	if want := string(readFile(t, dir, v["documentCanonFile"].(string))); string(transformed) != want {
		t.Fatalf("canonical document:\n got %q\nwant %q", transformed, want)
	}
	proofCanon, err := ProofConfig(unsigned, config, SuiteRDFC)
	if err != nil {
		t.Fatal(err)
	}
	if want := string(readFile(t, dir, v["proofCanonFile"].(string))); string(proofCanon) != want {
		t.Fatalf("canonical proof configuration:\n got %q\nwant %q", proofCanon, want)
	}
	hashData := HashData(transformed, proofCanon)
	if got := hex.EncodeToString(hashData[32:]); got != v["documentHashHex"] {
		t.Errorf("document hash %s, want %s", got, v["documentHashHex"])
	}
	if got := hex.EncodeToString(hashData[:32]); got != v["proofHashHex"] {
		t.Errorf("proof hash %s, want %s", got, v["proofHashHex"])
	}
	sig := ed25519.Sign(key.Private, hashData)
	if got := hex.EncodeToString(sig); got != v["signatureHex"] {
		t.Errorf("signature %s, want %s", got, v["signatureHex"])
	}
	signed, err := Sign(unsigned, key, optionsFrom(t, config))
	if err != nil {
		t.Fatal(err)
	}
	if got := signed["proof"].(map[string]any)["proofValue"]; got != v["proofValue"] {
		t.Errorf("proofValue %v, want %v", got, v["proofValue"])
	}
	mustVerify(t, signed, resolverFor(key), VerifyOptions{})
}
