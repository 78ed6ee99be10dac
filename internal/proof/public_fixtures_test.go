package proof

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/did"
)

// fixtureResolver resolves did:key locally and the did:web documents saved
// under testdata/did, so the public samples verify offline.
func fixtureResolver(t testing.TB) *did.Resolver {
	t.Helper()
	docs := map[string]*did.Document{}
	entries, err := os.ReadDir(filepath.Join("testdata", "did"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		doc, err := did.ParseDocument(readFile(t, "testdata", "did", e.Name()))
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		docs[doc.ID] = doc
	}
	return &did.Resolver{Documents: docs}
}

// TestPublicSamples verifies the signed credentials other implementations
// published (see testdata/README.md): the proofs of every sample verify,
// whatever its status or expiry, which are not the proof's business.
func TestPublicSamples(t *testing.T) {
	keys := fixtureResolver(t)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		file  string
		types []string // proof types in order
		// wantErr, when set, is the error every proof reports.
		wantErr error
	}{
		{"w3c/ed25519-signature-2020-signed.json", []string{ProofTypeEd25519Signature2020}, nil},
		{"dcc/v2DoubleSigWithValidStatus.json", []string{SuiteRDFC, ProofTypeEd25519Signature2020}, nil},
		{"dcc/v2DoubleSigWithBadStatusUrl.json", []string{ProofTypeEd25519Signature2020, SuiteRDFC}, nil},
		{"dcc/v1Expired.json", []string{ProofTypeEd25519Signature2020}, nil},
		{"dcc/v1ExpiredWithValidStatus.json", []string{ProofTypeEd25519Signature2020}, nil},
		{"dcc/v1NoStatus.json", []string{ProofTypeEd25519Signature2020}, nil},
		{"dcc/v1OBv3SpecExample.json", []string{SuiteRDFC}, nil},
		{"dcc/v1Revoked.json", []string{ProofTypeEd25519Signature2020}, nil},
		{"dcc/v1RevokedAndExpired.json", []string{ProofTypeEd25519Signature2020}, nil},
		{"dcc/v1SimpleIssuerId.json", []string{ProofTypeEd25519Signature2020}, nil},
		{"dcc/v1WithValidStatus.json", []string{ProofTypeEd25519Signature2020}, nil},
		{"dcc/v2EddsaWithValidStatus.json", []string{SuiteRDFC}, nil},
		{"dcc/v2Expired.json", []string{ProofTypeEd25519Signature2020}, nil},
		{"dcc/v2ExpiredWithValidStatus.json", []string{ProofTypeEd25519Signature2020}, nil},
		{"dcc/v2NoStatus.json", []string{ProofTypeEd25519Signature2020}, nil},
		{"dcc/v2OBv3SpecExample.json", []string{SuiteRDFC}, nil},
		{"dcc/v2Revoked.json", []string{ProofTypeEd25519Signature2020}, nil},
		{"dcc/v2RevokedAndExpired.json", []string{ProofTypeEd25519Signature2020}, nil},
		{"dcc/v2SimpleIssuerId.json", []string{ProofTypeEd25519Signature2020}, nil},
		{"dcc/v2WithValidStatus.json", []string{ProofTypeEd25519Signature2020}, nil},
		{"dcc/v2didWebWithValidStatus.json", []string{ProofTypeEd25519Signature2020}, nil},
		{"dcc/v2didWebMultikeyWithValidStatus.json", []string{ProofTypeEd25519Signature2020}, nil},
		// The DID document of this sample is not published: the key
		// cannot be obtained, which is "could not check".
		{"dcc/v2WithBadDidWeb.json", []string{ProofTypeEd25519Signature2020}, did.ErrFetch},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			doc := readJSON(t, "testdata", filepath.FromSlash(tc.file))
			res, err := Verify(context.Background(), doc, keys, VerifyOptions{Now: now})
			if err != nil {
				t.Fatal(err)
			}
			if len(res) != len(tc.types) {
				t.Fatalf("%d results, want %d", len(res), len(tc.types))
			}
			for i, r := range res {
				if r.Suite != tc.types[i] || r.Unsupported {
					t.Errorf("proof %d: suite %q unsupported %v, want %q", i+1, r.Suite, r.Unsupported, tc.types[i])
				}
				if tc.wantErr != nil {
					if r.Verified || !errors.Is(r.Err, tc.wantErr) {
						t.Errorf("proof %d: verified %v err %v, want %v", i+1, r.Verified, r.Err, tc.wantErr)
					}
					continue
				}
				if !r.Verified {
					t.Errorf("proof %d (%s): %v", i+1, r.Suite, r.Err)
				}
			}
		})
	}
}

// TestPublished1EdTechSample: the signed credential of 1EdTech's OB 3.0
// implementation guide ("Getting started") names the cryptosuite
// "eddsa-rdf-2022", which no specification defines. microcred cannot check
// such a proof: it is Unsupported, not a failed signature.
func TestPublished1EdTechSample(t *testing.T) {
	doc := readJSON(t, "testdata", "1edtech", "getting-started-sample.json")
	res, err := Verify(context.Background(), doc, fixtureResolver(t), VerifyOptions{Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].Verified || !res[0].Unsupported || !errors.Is(res[0].Err, ErrUnsupportedSuite) || !CouldNotCheck(res[0].Err) {
		t.Fatalf("%+v", res)
	}
	if !strings.Contains(res[0].Err.Error(), `cryptosuite "eddsa-rdf-2022"`) {
		t.Errorf("message %q does not name the cryptosuite", res[0].Err)
	}
}

// TestPublicSamplesTampered changes one claim of each sample: every
// proof must then fail with ErrSignature, never pass or be Unsupported.
func TestPublicSamplesTampered(t *testing.T) {
	keys := fixtureResolver(t)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, file := range []string{"w3c/ed25519-signature-2020-signed.json", "dcc/v2DoubleSigWithValidStatus.json", "dcc/v1WithValidStatus.json", "dcc/v2didWebMultikeyWithValidStatus.json"} {
		t.Run(file, func(t *testing.T) {
			doc := readJSON(t, "testdata", filepath.FromSlash(file))
			doc["credentialSubject"].(map[string]any)["name"] = "Mallory"
			res, err := Verify(context.Background(), doc, keys, VerifyOptions{Now: now})
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range res {
				if r.Verified || r.Unsupported || !errors.Is(r.Err, ErrSignature) {
					t.Errorf("proof %d: %+v, want a signature failure", i+1, r)
				}
				if msg := r.Err.Error(); strings.Contains(msg, "()") || strings.Contains(msg, "<nil>") {
					t.Errorf("proof %d: message %q", i+1, msg)
				}
			}
		})
	}
}
