package jsonld

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/microcred/microcred/internal/testutil"
)

// TestFixturesNeverFallBack: every JSON-LD document among the repository's
// test fixtures and the shared vectors (credentials, presentations, proof
// vectors; their proofs removed) is converted by the fast path. A document
// may be refused (some fixtures are invalid on purpose), but never for a
// feature the fast path lacks.
func TestFixturesNeverFallBack(t *testing.T) {
	root := testutil.RepoRoot(t)
	dirs := []string{root, filepath.Join(root, "..", "shared", "vectors")}
	checked := 0
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() {
				switch d.Name() {
				case "node_modules", ".git", "contexts":
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(p, ".json") && !strings.HasSuffix(p, ".jsonld") {
				return nil
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return nil
			}
			var doc map[string]any
			if json.Unmarshal(b, &doc) != nil || doc["@context"] == nil {
				return nil
			}
			delete(doc, "proof")
			checked++
			if _, err := ToRDF(doc); errors.Is(err, ErrUnsupported) {
				t.Errorf("%s: the fast path does not handle it: %v", p, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if checked < 10 {
		t.Fatalf("only %d JSON-LD fixtures found", checked)
	}
	t.Logf("%d JSON-LD fixtures", checked)
}
