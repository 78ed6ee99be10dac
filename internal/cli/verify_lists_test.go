package cli

import (
	"os"
	"path/filepath"
	"testing"
)

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
