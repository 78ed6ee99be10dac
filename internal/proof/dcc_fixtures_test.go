package proof

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/did"
	"github.com/microcred/microcred/internal/jsonld"
)

// TestDCCFixtures verifies the proofs of every credential of the Digital
// Credentials Consortium's test fixture collection (testdata/dcc-fixtures,
// see testdata/README.md) offline, with the did:web documents it
// publishes. Status and expiry are not the proofs' business: the revoked,
// expired and not-yet-valid samples carry valid proofs. The exceptions are
// listed with the error their proofs must report.
func TestDCCFixtures(t *testing.T) {
	root := filepath.Join("testdata", "dcc-fixtures")
	docs := map[string]*did.Document{}
	for _, name := range []string{"legacy", "oidf"} {
		d, err := did.ParseDocument(readFile(t, root, "dids", name, "did.json"))
		if err != nil {
			t.Fatal(err)
		}
		docs[d.ID] = d
	}
	keys := &did.Resolver{Documents: docs}
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	exceptions := map[string]struct {
		want          error
		couldNotCheck bool
	}{
		// Uses the context https://w3id.org/dcc/v1, which microcred does
		// not ship: not checked, not false.
		"v1/dataIntegrityProof/didKey/legacyRegistry-noStatus-noExpiry-oldDCCExample.json": {jsonld.ErrRemoteContext, true},
		"v2/ed25519/didKey/legacy-noStatus-noExpiry-tampered.json":                         {ErrSignature, false},
		// Names a did:web document that does not exist.
		"v2/ed25519/didWeb/badDidWeb.json": {did.ErrFetch, true},
	}
	seen, proofs := 0, 0
	suites := map[string]int{}
	err := filepath.WalkDir(filepath.Join(root, "verifiableCredentials"), func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(path, ".json") {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(path, filepath.Join(root, "verifiableCredentials")+string(filepath.Separator)))
		seen++
		t.Run(rel, func(t *testing.T) {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := json.Unmarshal(b, &doc); err != nil {
				t.Fatal(err)
			}
			res, err := Verify(context.Background(), doc, keys, VerifyOptions{Now: now})
			if err != nil {
				t.Fatal(err)
			}
			exc, isExc := exceptions[rel]
			for i, r := range res {
				proofs++
				suites[r.Suite]++
				switch {
				case !isExc && !r.Verified:
					t.Errorf("proof %d (%s): %v", i+1, r.Suite, r.Err)
				case isExc && (r.Verified || !errors.Is(r.Err, exc.want) || CouldNotCheck(r.Err) != exc.couldNotCheck):
					t.Errorf("proof %d (%s): verified %v, %v; want %v (could not check: %v)", i+1, r.Suite, r.Verified, r.Err, exc.want, exc.couldNotCheck)
				}
			}
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen < 80 || suites[ProofTypeEd25519Signature2020] < 40 || suites[SuiteRDFC] < 40 {
		t.Errorf("%d credentials, %d proofs, by suite %v", seen, proofs, suites)
	}
}
