package jsonld

import (
	"github.com/microcred/microcred/internal/testutil"
	"path/filepath"
	"strings"
	"testing"
)

type canonCase struct {
	name string
	doc  any
	want string // empty: only fast and reference are compared
}

func conformanceCases(t *testing.T) []canonCase {
	v := testutil.Vectors(t)
	eddsa := filepath.Join(v, "vc-di-eddsa")
	rdfc := filepath.Join(eddsa, "eddsa-rdfc-2022")
	ob := readJSON(t, filepath.Join(v, "ob3", "obv3p0", "vector.json")).(map[string]any)
	obProof := ob["proofConfig"].(map[string]any)
	if _, ok := obProof["@context"]; !ok {
		obProof["@context"] = ob["unsigned"].(map[string]any)["@context"]
	}
	cases := []canonCase{
		{"eddsa unsigned", readJSON(t, filepath.Join(eddsa, "unsigned.json")), string(readFile(t, filepath.Join(rdfc, "canonDocDataInt.txt")))},
		{"eddsa proof config", readJSON(t, filepath.Join(rdfc, "proofConfigDataInt.json")), string(readFile(t, filepath.Join(rdfc, "proofCanonDataInt.txt")))},
		{"employment authorization", readJSON(t, filepath.Join(eddsa, "employmentAuth.json")), string(readFile(t, filepath.Join(rdfc, "employ", "canonDocDataInt.txt")))},
		{"employment proof config", readJSON(t, filepath.Join(rdfc, "employ", "proofConfigDataInt.json")), string(readFile(t, filepath.Join(rdfc, "employ", "proofCanonDataInt.txt")))},
		{"ob3 unsigned", ob["unsigned"], string(readFile(t, filepath.Join(v, "ob3", "obv3p0", "document-canon.txt")))},
		{"ob3 proof config", obProof, string(readFile(t, filepath.Join(v, "ob3", "obv3p0", "proof-canon.txt")))},
		{"clr unsigned", readJSON(t, filepath.Join("testdata", "clr", "unsigned.json")), string(readFile(t, filepath.Join("testdata", "clr", "document-canon.txt")))},
		{"clr proof config", readJSON(t, filepath.Join("testdata", "clr", "proof-config.json")), string(readFile(t, filepath.Join("testdata", "clr", "proof-canon.txt")))},
	}
	chain := filepath.Join(eddsa, "proof-set-chain")
	unsigned := readJSON(t, filepath.Join(chain, "unsigned.json")).(map[string]any)
	for _, name := range []string{"unsigned", "signedProofSet1", "signedProofSet2", "signedProofChain1", "signedProofChain2", "proofChainTempDoc1", "proofChainTempDoc2"} {
		cases = append(cases, canonCase{name: "chain " + name, doc: readJSON(t, filepath.Join(chain, name+".json"))})
	}
	for _, name := range []string{"proofChainConfig1", "proofChainConfig2", "proofSetConfig1", "proofSetConfig2"} {
		cfg := readJSON(t, filepath.Join(chain, name+".json")).(map[string]any)
		if _, ok := cfg["@context"]; !ok {
			cfg["@context"] = unsigned["@context"]
		}
		cases = append(cases, canonCase{name: "chain " + name, doc: cfg})
	}
	return cases
}

// TestConformance checks both paths against every published vector.
func TestConformance(t *testing.T) {
	for _, c := range conformanceCases(t) {
		t.Run(c.name, func(t *testing.T) {
			ref, err := CanonicalizeReference(deepCopy(c.doc))
			if err != nil {
				t.Fatalf("reference: %v", err)
			}
			if _, err := ToRDF(deepCopy(c.doc)); err != nil {
				t.Fatalf("fast path refused a vector: %v", err)
			}
			fast, err := Canonicalize(deepCopy(c.doc))
			if err != nil {
				t.Fatalf("fast: %v", err)
			}
			if c.want != "" {
				want := strings.TrimRight(c.want, "\n") + "\n"
				if ref != want {
					t.Errorf("reference differs from the vector:\n got: %s\nwant: %s", ref, want)
				}
			}
			if fast != ref {
				t.Errorf("fast differs from reference:\nfast: %s\n ref: %s", fast, ref)
			}
		})
	}
}
