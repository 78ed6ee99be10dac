package did

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"github.com/microcred/microcred/internal/testutil"
	"os"
	"path/filepath"
	"testing"

	"github.com/mr-tron/base58"
)

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

type vectorPair struct {
	PublicKeyMultibase  string `json:"publicKeyMultibase"`
	PrivateKeyMultibase string `json:"privateKeyMultibase"`
}

// TestMultikeyVectors decodes the key pairs of the W3C Data Integrity EdDSA
// vectors, checks that each secret derives its public key, and re-encodes
// both byte for byte.
func TestMultikeyVectors(t *testing.T) {
	dir := testutil.Vectors(t)
	pairs := map[string]vectorPair{}
	var single vectorPair
	readJSON(t, filepath.Join(dir, "vc-di-eddsa", "keyPair.json"), &single)
	pairs["keyPair"] = single
	var chain map[string]vectorPair
	readJSON(t, filepath.Join(dir, "vc-di-eddsa", "proof-set-chain", "multiKeyPairs.json"), &chain)
	for name, p := range chain {
		pairs["proof-set-chain/"+name] = p
	}
	if len(pairs) != 5 {
		t.Fatalf("loaded %d key pairs, want 5", len(pairs))
	}
	for name, p := range pairs {
		t.Run(name, func(t *testing.T) {
			pub, err := DecodePublicKey(p.PublicKeyMultibase)
			if err != nil {
				t.Fatalf("DecodePublicKey: %v", err)
			}
			priv, err := DecodeSecretKey(p.PrivateKeyMultibase)
			if err != nil {
				t.Fatalf("DecodeSecretKey: %v", err)
			}
			if !pub.Equal(priv.Public()) {
				t.Fatal("secret key does not derive the public key")
			}
			if got := EncodePublicKey(pub); got != p.PublicKeyMultibase {
				t.Errorf("EncodePublicKey = %s, want %s", got, p.PublicKeyMultibase)
			}
			if got := EncodeSecretKey(priv); got != p.PrivateKeyMultibase {
				t.Errorf("EncodeSecretKey does not reproduce the vector")
			}
			msg := []byte("microcred")
			if !ed25519.Verify(pub, msg, ed25519.Sign(priv, msg)) {
				t.Error("signature by the decoded secret does not verify under the decoded public key")
			}
		})
	}
}

// TestOB3Vector checks the Open Badges 3.0 vector key: hex and Multikey forms
// agree, and the verification method fragment is the Multikey.
func TestOB3Vector(t *testing.T) {
	var v struct {
		PublicKeyHex       string `json:"publicKeyHex"`
		PrivateKeyHex      string `json:"privateKeyHex"`
		PublicKeyMultibase string `json:"publicKeyMultibase"`
		ProofConfig        struct {
			VerificationMethod string `json:"verificationMethod"`
		} `json:"proofConfig"`
	}
	readJSON(t, filepath.Join(testutil.Vectors(t), "ob3", "obv3p0", "vector.json"), &v)
	pubRaw, err := hex.DecodeString(v.PublicKeyHex)
	if err != nil {
		t.Fatal(err)
	}
	privRaw, err := hex.DecodeString(v.PrivateKeyHex)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := DecodePublicKey(v.PublicKeyMultibase)
	if err != nil {
		t.Fatal(err)
	}
	if !pub.Equal(ed25519.PublicKey(pubRaw)) {
		t.Fatal("publicKeyMultibase does not decode to publicKeyHex")
	}
	priv := ed25519.NewKeyFromSeed(privRaw[:ed25519.SeedSize])
	if !priv.Equal(ed25519.PrivateKey(privRaw)) {
		t.Fatal("privateKeyHex seed does not expand to privateKeyHex")
	}
	if got := EncodePublicKey(ed25519.PublicKey(pubRaw)); got != v.PublicKeyMultibase {
		t.Errorf("EncodePublicKey = %s, want %s", got, v.PublicKeyMultibase)
	}
	back, err := DecodeSecretKey(EncodeSecretKey(priv))
	if err != nil || !back.Equal(priv) {
		t.Fatalf("secret key round trip failed: %v", err)
	}
	_, fragment, err := SplitMethodURL(v.ProofConfig.VerificationMethod)
	if err != nil || fragment != v.PublicKeyMultibase {
		t.Errorf("verification method fragment = %q (%v), want the Multikey", fragment, err)
	}
}

// didKeySpecVectors are the Ed25519 vectors of the did:key method
// specification (test-vectors/ed25519-x25519.json): seed, DID and the raw
// public key in base58.
var didKeySpecVectors = []struct{ seed, did, publicKeyBase58 string }{
	{"0000000000000000000000000000000000000000000000000000000000000000", "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", "4zvwRjXUKGfvwnParsHAS3HuSVzV5cA4McphgmoCtajS"},
	{"0000000000000000000000000000000000000000000000000000000000000001", "did:key:z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG", "6ASf5EcmmEHTgDJ4X4ZT5vT6iHVJBXPg5AN5YoTCpGWt"},
	{"0000000000000000000000000000000000000000000000000000000000000002", "did:key:z6MknGc3ocHs3zdPiJbnaaqDi58NGb4pk1Sp9WxWufuXSdxf", "8pM1DN3RiT8vbom5u1sNryaNT1nyL8CTTW3b5PwWXRBH"},
	{"0000000000000000000000000000000000000000000000000000000000000003", "did:key:z6MkvqoYXQfDDJRv8L4wKzxYeuKyVZBfi9Qo6Ro8MiLH3kDQ", "HPYVwAQmskwT1qEEeRzhoomyfyupJGASQQtCXSNG8XS2"},
	{"0000000000000000000000000000000000000000000000000000000000000004", "did:key:z6MkwW6aqMnjgrhJXFUko3NnZPGzVpkNzhYK7yEhnsibmLwL", "J3qYF7YJMKCqQke47UQwiHizgFUXapHxRxKmxbkar89x"},
}

func TestDIDKeySpecVectors(t *testing.T) {
	for _, v := range didKeySpecVectors {
		t.Run(v.did, func(t *testing.T) {
			seed, err := hex.DecodeString(v.seed)
			if err != nil {
				t.Fatal(err)
			}
			pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
			if base58.Encode(pub) != v.publicKeyBase58 {
				t.Fatalf("seed derives %s, want %s", base58.Encode(pub), v.publicKeyBase58)
			}
			if got := KeyDID(pub); got != v.did {
				t.Errorf("KeyDID = %s, want %s", got, v.did)
			}
			doc, err := ResolveKey(v.did)
			if err != nil {
				t.Fatal(err)
			}
			got, err := doc.VerificationMethod[0].Ed25519PublicKey()
			if err != nil || !got.Equal(pub) {
				t.Errorf("resolved key %x (%v), want %x", got, err, pub)
			}
			if doc.VerificationMethod[0].ID != KeyVerificationMethod(pub) {
				t.Errorf("method id %s, want %s", doc.VerificationMethod[0].ID, KeyVerificationMethod(pub))
			}
		})
	}
}
