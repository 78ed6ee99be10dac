// Package testutil holds what the tests of several packages share: finding
// the module root and the conformance vectors beside it. It is imported
// only from _test.go files.
package testutil

import (
	"os"
	"path/filepath"
	"testing"
)

// RepoRoot returns the module root: the nearest directory above the test's
// working directory that holds go.mod.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// Vectors returns ../shared/vectors relative to the module root. It fails
// the test when the directory is missing: conformance tests must never be
// skipped silently.
func Vectors(t testing.TB) string {
	t.Helper()
	v := filepath.Join(RepoRoot(t), "..", "shared", "vectors")
	if _, err := os.Stat(v); err != nil {
		t.Fatalf("test vectors missing: %v", err)
	}
	return v
}
