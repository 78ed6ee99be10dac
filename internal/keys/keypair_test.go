package keys

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/microcred/microcred/internal/testutil"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/microcred/microcred/internal/did"
)

// TestParseVectorKeyFiles imports the W3C key pair files as key files and
// writes them back with the same Multikey strings.
func TestParseVectorKeyFiles(t *testing.T) {
	dir := testutil.Vectors(t)
	files := map[string][]byte{}
	data, err := os.ReadFile(filepath.Join(dir, "vc-di-eddsa", "keyPair.json"))
	if err != nil {
		t.Fatal(err)
	}
	files["keyPair"] = data
	data, err = os.ReadFile(filepath.Join(dir, "vc-di-eddsa", "proof-set-chain", "multiKeyPairs.json"))
	if err != nil {
		t.Fatal(err)
	}
	var chain map[string]json.RawMessage
	if err := json.Unmarshal(data, &chain); err != nil {
		t.Fatal(err)
	}
	for name, raw := range chain {
		files[name] = raw
	}
	if len(files) != 5 {
		t.Fatalf("loaded %d key files, want 5", len(files))
	}
	for name, data := range files {
		t.Run(name, func(t *testing.T) {
			var want struct{ PublicKeyMultibase, PrivateKeyMultibase string }
			if err := json.Unmarshal(data, &want); err != nil {
				t.Fatal(err)
			}
			kp, err := ParseKeyFile(data)
			if err != nil {
				t.Fatal(err)
			}
			if kp.Private == nil || !kp.Public.Equal(kp.Private.Public()) {
				t.Fatal("secret missing or not matching")
			}
			if kp.Controller != "did:key:"+want.PublicKeyMultibase || kp.ID != kp.Controller+"#"+want.PublicKeyMultibase {
				t.Errorf("controller %s id %s", kp.Controller, kp.ID)
			}
			out, err := kp.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]string
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatal(err)
			}
			if got["publicKeyMultibase"] != want.PublicKeyMultibase || got["secretKeyMultibase"] != want.PrivateKeyMultibase {
				t.Error("re-encoded key file differs from the vector")
			}
		})
	}
}

// TestOB3VectorKey derives the Open Badges 3.0 vector key from its seed
// with the vector's https controller and checks the verification method.
func TestOB3VectorKey(t *testing.T) {
	var v struct {
		PrivateKeyHex      string `json:"privateKeyHex"`
		PublicKeyMultibase string `json:"publicKeyMultibase"`
		ProofConfig        struct {
			VerificationMethod string `json:"verificationMethod"`
		} `json:"proofConfig"`
	}
	data, err := os.ReadFile(filepath.Join(testutil.Vectors(t), "ob3", "obv3p0", "vector.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	priv, err := hex.DecodeString(v.PrivateKeyHex)
	if err != nil {
		t.Fatal(err)
	}
	kp, err := FromSeed(priv[:32], "https://example.edu/issuers/565049")
	if err != nil {
		t.Fatal(err)
	}
	if kp.PublicKeyMultibase() != v.PublicKeyMultibase {
		t.Errorf("public Multikey %s, want %s", kp.PublicKeyMultibase(), v.PublicKeyMultibase)
	}
	if kp.ID != v.ProofConfig.VerificationMethod {
		t.Errorf("ID %s, want the vector's verificationMethod %s", kp.ID, v.ProofConfig.VerificationMethod)
	}
	vm := kp.VerificationMethod()
	if vm.ID != kp.ID || vm.Type != "Multikey" || vm.Controller != "https://example.edu/issuers/565049" || vm.PublicKeyMultibase != v.PublicKeyMultibase {
		t.Errorf("verification method %+v", vm)
	}
}

func TestGenerateControllers(t *testing.T) {
	tests := []struct {
		controller string
		wantID     func(mb string) string
	}{
		{"", func(mb string) string { return "did:key:" + mb + "#" + mb }},
		{"did:web:example.com", func(mb string) string { return "did:web:example.com#" + mb }},
		{"did:web:localhost%3A8080:orgs:acme", func(mb string) string { return "did:web:localhost%3A8080:orgs:acme#" + mb }},
		{"https://example.edu/issuers/1", func(mb string) string { return "https://example.edu/issuers/1#" + mb }},
	}
	for _, tt := range tests {
		t.Run(tt.controller, func(t *testing.T) {
			kp, err := Generate(tt.controller)
			if err != nil {
				t.Fatal(err)
			}
			mb := did.EncodePublicKey(kp.Public)
			if kp.ID != tt.wantID(mb) {
				t.Errorf("ID = %s, want %s", kp.ID, tt.wantID(mb))
			}
			if !strings.HasPrefix(kp.ID, kp.Controller+"#") {
				t.Errorf("ID %s is not under controller %s", kp.ID, kp.Controller)
			}
			msg := []byte("x")
			if !ed25519.Verify(kp.Public, msg, ed25519.Sign(kp.Private, msg)) {
				t.Error("generated pair does not sign and verify")
			}
			// The key file round trip keeps every field.
			data, err := kp.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			back, err := ParseKeyFile(data)
			if err != nil {
				t.Fatal(err)
			}
			if back.ID != kp.ID || back.Controller != kp.Controller || !back.Private.Equal(kp.Private) || !back.Public.Equal(kp.Public) {
				t.Errorf("round trip changed the pair: %v -> %v", kp, back)
			}
		})
	}
	a, err := Generate("")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Generate("")
	if err != nil {
		t.Fatal(err)
	}
	if a.Public.Equal(b.Public) {
		t.Error("two generated keys are equal")
	}
	// The key's own did:key is accepted as controller.
	if kp, err := FromSeed(make([]byte, 32), "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"); err != nil || kp.ID != "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp#z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp" {
		t.Errorf("own did:key controller: %v, %v", kp, err)
	}
}

func TestFromSeedErrors(t *testing.T) {
	seed := make([]byte, 32)
	tests := []struct {
		name       string
		seed       []byte
		controller string
		msg        string
	}{
		{"short seed", seed[:31], "", "31 bytes"},
		{"long seed", make([]byte, 64), "", "64 bytes"},
		{"other did:key", seed, "did:key:z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG", "another key"},
		{"bad did:web", seed, "did:web:..", "empty label"},
		{"did:web traversal", seed, "did:web:example.com:..", `".."`},
		{"http", seed, "http://example.edu/issuers/1", "not a did:key, did:web or https"},
		{"https with fragment", seed, "https://example.edu/issuers/1#x", "fragment"},
		{"https without host", seed, "https:///issuers", "https URL"},
		{"https user info", seed, "https://u:p@example.edu/", "user info"},
		{"other DID method", seed, "did:example:123", "not a did:key, did:web or https"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kp, err := FromSeed(tt.seed, tt.controller)
			if err == nil || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("FromSeed = %v, %v; want error mentioning %q", kp, err, tt.msg)
			}
		})
	}
}

const (
	vecPub    = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
	vecSecret = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
	otherPub  = "z6MktgKTsu1QhX6QPbyqG6geXdw6FQCZBPq7uQpieWbiQiG7"
	otherSec  = "z3u2W4YnTstS1nSSBAgZcYSJF43JuZ9uLV6bF38B1Bf8NugW"
)

func TestParseKeyFile(t *testing.T) {
	web := "did:web:example.com"
	full := `{"@context":"https://w3id.org/security/multikey/v1","type":"Multikey","id":"` + web + `#key-1","controller":"` + web + `","publicKeyMultibase":"` + vecPub + `","secretKeyMultibase":"` + vecSecret + `"}`
	kp, err := ParseKeyFile([]byte(full))
	if err != nil {
		t.Fatal(err)
	}
	if kp.ID != web+"#key-1" || kp.Controller != web || kp.Private == nil {
		t.Fatalf("parsed %v", kp)
	}
	out, err := kp.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != full {
		t.Errorf("MarshalJSON\n got %s\nwant %s", out, full)
	}
	pubOnly, err := kp.PublicMultikey()
	if err != nil {
		t.Fatal(err)
	}
	wantPub := `{"@context":"https://w3id.org/security/multikey/v1","type":"Multikey","id":"` + web + `#key-1","controller":"` + web + `","publicKeyMultibase":"` + vecPub + `"}`
	if string(pubOnly) != wantPub {
		t.Errorf("PublicMultikey\n got %s\nwant %s", pubOnly, wantPub)
	}
	pk, err := ParseKeyFile(pubOnly)
	if err != nil {
		t.Fatal(err)
	}
	if pk.Private != nil || !pk.Public.Equal(kp.Public) {
		t.Errorf("public-only file parsed as %v", pk)
	}
	if out, err := pk.MarshalJSON(); err != nil || string(out) != wantPub {
		t.Errorf("public-only MarshalJSON = %s, %v", out, err)
	}

	accepted := []struct{ name, json, id, controller string }{
		{"context array", `{"@context":["https://w3id.org/security/multikey/v1"],"publicKeyMultibase":"` + vecPub + `"}`, "did:key:" + vecPub + "#" + vecPub, "did:key:" + vecPub},
		{"cid context", `{"@context":"https://www.w3.org/ns/cid/v1","type":"Multikey","controller":"` + web + `","publicKeyMultibase":"` + vecPub + `"}`, web + "#" + vecPub, web},
		{"id without controller", `{"id":"https://example.edu/i#k","publicKeyMultibase":"` + vecPub + `"}`, "https://example.edu/i#k", "https://example.edu/i"},
		{"both secret members", `{"publicKeyMultibase":"` + vecPub + `","secretKeyMultibase":"` + vecSecret + `","privateKeyMultibase":"` + vecSecret + `"}`, "did:key:" + vecPub + "#" + vecPub, "did:key:" + vecPub},
	}
	for _, tt := range accepted {
		t.Run(tt.name, func(t *testing.T) {
			kp, err := ParseKeyFile([]byte(tt.json))
			if err != nil {
				t.Fatal(err)
			}
			if kp.ID != tt.id || kp.Controller != tt.controller {
				t.Errorf("id %s controller %s, want %s %s", kp.ID, kp.Controller, tt.id, tt.controller)
			}
		})
	}
}

// The key pair of the JavaScript Multikey library's own tests
// (digitalbazaar/ed25519-multikey, test/mock-data.js): its secret is the
// 64-byte form, seed and public key.
const (
	jsPub    = "z6MknCCLeeHBUaHu4aHSVLDCYQW9gjVJ7a63FpMvtuVMy53T"
	jsSecret = "zrv2EET2WWZ8T1Jbg4fEH5cQxhbUS22XxdweypUbjWVzv1YD6VqYuW6LH7heQCNYQCuoKaDwvv2qCWz3uBzG2xesqmf"
)

// TestParseJavaScriptKeyFiles reads the key files the JavaScript libraries
// export: a Multikey with a 64-byte secretKeyMultibase, and an
// Ed25519VerificationKey2020 with a 64-byte privateKeyMultibase.
func TestParseJavaScriptKeyFiles(t *testing.T) {
	for name, file := range map[string]string{
		"Multikey": `{"@context": "https://w3id.org/security/multikey/v1", "type": "Multikey", "controller": "did:key:` + jsPub + `", "id": "did:key:` + jsPub + `#` + jsPub + `",
			"publicKeyMultibase": "` + jsPub + `", "secretKeyMultibase": "` + jsSecret + `"}`,
		// The issuer key of 1EdTech's OB 3.0 Linked Data proof walkthrough
		// (openbadges-specification, ob_v3p0/impl/linked-data-proof-ob.html).
		"1EdTech walkthrough": `{"type": "Multikey", "id": "https://example.edu/issuers/565049#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi", "controller": "https://example.edu/issuers/565049",
			"publicKeyMultibase": "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",
			"secretKeyMultibase": "zrv2bqTbNwCTsRrHFcJCPjVAduh4Ezcnoq1A3ZxH1GWTNkxipLVuaAoMFmze2gFN9oNXfJjufxSHWVZzsJiUsMHFMcx"}`,
		"Ed25519VerificationKey2020": `{"@context": "https://w3id.org/security/suites/ed25519-2020/v1", "type": "Ed25519VerificationKey2020", "controller": "did:web:issuer.example", "id": "did:web:issuer.example#key-1",
			"publicKeyMultibase": "` + jsPub + `", "privateKeyMultibase": "` + jsSecret + `"}`,
	} {
		t.Run(name, func(t *testing.T) {
			kp, err := ParseKeyFile([]byte(file))
			if err != nil {
				t.Fatal(err)
			}
			var f struct{ PublicKeyMultibase string }
			if err := json.Unmarshal([]byte(file), &f); err != nil {
				t.Fatal(err)
			}
			if kp.Private == nil || kp.PublicKeyMultibase() != f.PublicKeyMultibase || !kp.Public.Equal(kp.Private.Public()) {
				t.Fatalf("%v", kp)
			}
		})
	}
}

func TestParseKeyFileErrors(t *testing.T) {
	tests := []struct{ name, json, msg string }{
		{"empty", ``, "empty input"},
		{"blank", " \n", "empty input"},
		{"truncated", `{"publicKeyMultibase": "`, "byte offset"},
		{"syntax", `{"publicKeyMultibase": "` + vecPub + `",}`, "byte offset"},
		{"array", `[]`, "array"},
		{"type not string", `{"type": 1, "publicKeyMultibase": "` + vecPub + `"}`, `member "type"`},
		{"wrong type", `{"type": "JsonWebKey2020", "publicKeyMultibase": "` + vecPub + `"}`, `member "type"`},
		{"wrong context", `{"@context": "https://www.w3.org/ns/did/v1", "publicKeyMultibase": "` + vecPub + `"}`, `member "@context"`},
		{"context object", `{"@context": {"x": 1}, "publicKeyMultibase": "` + vecPub + `"}`, `member "@context"`},
		{"missing public", `{"secretKeyMultibase": "` + vecSecret + `"}`, `"publicKeyMultibase" is missing`},
		{"bad public", `{"publicKeyMultibase": "z6Mk"}`, `member "publicKeyMultibase"`},
		{"public is a secret", `{"publicKeyMultibase": "` + vecSecret + `"}`, `member "publicKeyMultibase": public key: unknown multicodec`},
		{"bad secret", `{"publicKeyMultibase": "` + vecPub + `", "secretKeyMultibase": "z3u2"}`, `member "secretKeyMultibase"`},
		{"secret is public", `{"publicKeyMultibase": "` + vecPub + `", "secretKeyMultibase": "` + vecPub + `"}`, `member "secretKeyMultibase": secret key: unknown multicodec`},
		{"mismatched secret", `{"publicKeyMultibase": "` + vecPub + `", "secretKeyMultibase": "` + otherSec + `"}`, `"secretKeyMultibase" does not match "publicKeyMultibase"`},
		{"mismatched legacy secret", `{"publicKeyMultibase": "` + vecPub + `", "privateKeyMultibase": "` + otherSec + `"}`, `"privateKeyMultibase" does not match`},
		{"secret members differ", `{"publicKeyMultibase": "` + vecPub + `", "secretKeyMultibase": "` + vecSecret + `", "privateKeyMultibase": "` + otherSec + `"}`, "differ"},
		{"did:key of another key", `{"controller": "did:key:` + otherPub + `", "publicKeyMultibase": "` + vecPub + `"}`, `member "controller"`},
		{"did:key wrong id", `{"id": "did:key:` + vecPub + `#key-1", "publicKeyMultibase": "` + vecPub + `"}`, `member "id"`},
		{"id under another controller", `{"id": "did:web:a.example#k", "controller": "did:web:b.example", "publicKeyMultibase": "` + vecPub + `"}`, `member "id"`},
		{"id without fragment", `{"id": "did:web:a.example", "publicKeyMultibase": "` + vecPub + `"}`, `member "id"`},
		{"bad controller", `{"controller": "did:web:a.example:..", "publicKeyMultibase": "` + vecPub + `"}`, `member "controller"`},
		{"unsupported controller", `{"controller": "mailto:x@example.com", "publicKeyMultibase": "` + vecPub + `"}`, `member "controller"`},
		{"too large", `{"publicKeyMultibase": "` + strings.Repeat(" ", MaxKeyFileBytes) + `"}`, "limit"},
		// The JavaScript 64-byte form whose public half is another key's.
		{"64-byte secret of another key", `{"type": "Multikey", "publicKeyMultibase": "` + vecPub + `", "secretKeyMultibase": "` + jsSecret + `"}`, `"secretKeyMultibase" does not match "publicKeyMultibase"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			kp, err := ParseKeyFile([]byte(tt.json))
			if !errors.Is(err, ErrKeyFile) {
				t.Fatalf("ParseKeyFile = %v, %v; want ErrKeyFile", kp, err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not mention %q", err, tt.msg)
			}
			for _, secret := range []string{vecSecret, otherSec} {
				if strings.Contains(err.Error(), secret[4:]) {
					t.Errorf("error %q contains a secret key", err)
				}
			}
		})
	}
}

func TestMarshalRejectsInconsistentPair(t *testing.T) {
	a, err := Generate("")
	if err != nil {
		t.Fatal(err)
	}
	b, err := Generate("")
	if err != nil {
		t.Fatal(err)
	}
	mixed := KeyPair{ID: a.ID, Controller: a.Controller, Public: a.Public, Private: b.Private}
	if _, err := mixed.MarshalJSON(); err == nil {
		t.Error("MarshalJSON wrote a pair whose private key does not match")
	}
	if _, err := (KeyPair{}).PublicMultikey(); err == nil {
		t.Error("PublicMultikey wrote a pair without a public key")
	}
}

// TestKeyPairRedaction checks that no formatting path prints the secret, in
// either encoding a reader might recognize.
func TestKeyPairRedaction(t *testing.T) {
	kp, err := Generate("did:web:example.com")
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{
		hex.EncodeToString(kp.Private.Seed()),
		did.EncodeSecretKey(kp.Private),
		fmt.Sprint([]byte(kp.Private.Seed())[:8])[1:20],
	}
	var logged bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logged, nil))
	logger.Info("key", "pair", kp, "value", *kp)
	slog.New(slog.NewTextHandler(&logged, nil)).Info("key", "pair", kp)
	outputs := map[string]string{
		"%v": fmt.Sprintf("%v", kp), "%+v": fmt.Sprintf("%+v", kp), "%#v": fmt.Sprintf("%#v", kp),
		"%s": fmt.Sprintf("%s", kp), "%x": fmt.Sprintf("%x", kp), "%q": fmt.Sprintf("%q", kp),
		"value %v": fmt.Sprintf("%v", *kp), "value %#v": fmt.Sprintf("%#v", *kp), "value %x": fmt.Sprintf("%x", *kp),
		"slice":   fmt.Sprintf("%v", []KeyPair{*kp}),
		"struct":  fmt.Sprintf("%+v", struct{ K *KeyPair }{kp}),
		"String":  kp.String(),
		"slog":    logged.String(),
		"public":  mustString(kp.PublicMultikey()),
		"vmethod": fmt.Sprintf("%+v", kp.VerificationMethod()),
	}
	for name, out := range outputs {
		for _, s := range secrets {
			if strings.Contains(out, s) {
				t.Errorf("%s output reveals the private key: %s", name, out)
			}
		}
	}
	if !strings.Contains(outputs["%v"], "REDACTED") || !strings.Contains(outputs["%v"], kp.ID) {
		t.Errorf("%%v = %s; want id and REDACTED", outputs["%v"])
	}
	if !strings.Contains(logged.String(), kp.PublicKeyMultibase()) {
		t.Errorf("slog output lacks the public key: %s", logged.String())
	}
}

func mustString(b []byte, err error) string {
	if err != nil {
		panic(err)
	}
	return string(b)
}

func FuzzParseKeyFile(f *testing.F) {
	f.Add([]byte(`{"@context":"https://w3id.org/security/multikey/v1","type":"Multikey","id":"did:web:example.com#k","controller":"did:web:example.com","publicKeyMultibase":"` + vecPub + `","secretKeyMultibase":"` + vecSecret + `"}`))
	f.Add([]byte(`{"publicKeyMultibase":"` + vecPub + `","privateKeyMultibase":"` + vecSecret + `"}`))
	f.Add([]byte(`{"publicKeyMultibase":"` + vecPub + `","controller":"did:key:` + vecPub + `"}`))
	f.Add([]byte(`{"id":"https://example.edu/i#k","publicKeyMultibase":"` + otherPub + `"}`))
	f.Add([]byte(`{"@context":[1,2],"publicKeyMultibase":7}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		kp, err := ParseKeyFile(data)
		if err != nil {
			return
		}
		if kp.Private != nil && !kp.Public.Equal(kp.Private.Public()) {
			t.Fatal("accepted a secret that does not match the public key")
		}
		if !strings.HasPrefix(kp.ID, kp.Controller+"#") {
			t.Fatalf("id %q not under controller %q", kp.ID, kp.Controller)
		}
		out, err := kp.MarshalJSON()
		if err != nil {
			t.Fatalf("accepted key file does not marshal: %v", err)
		}
		back, err := ParseKeyFile(out)
		if err != nil {
			t.Fatalf("marshalled key file does not parse: %v", err)
		}
		if back.ID != kp.ID || back.Controller != kp.Controller || !back.Public.Equal(kp.Public) || !back.Private.Equal(kp.Private) {
			t.Fatal("round trip changed the key pair")
		}
	})
}
