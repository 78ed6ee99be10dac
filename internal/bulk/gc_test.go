package bulk

import (
	"os"
	"runtime/debug"
	"testing"
)

// TestRaiseGCPercent: the target is raised while jobs run, nested jobs
// included, and restored after the last one.
func TestRaiseGCPercent(t *testing.T) {
	if _, set := os.LookupEnv("GOGC"); set {
		t.Skip("GOGC is set in the environment: the runner leaves the collector alone")
	}
	before := debug.SetGCPercent(150)
	defer debug.SetGCPercent(before)
	end1 := raiseGCPercent()
	end2 := raiseGCPercent()
	if got := debug.SetGCPercent(jobGCPercent); got != jobGCPercent {
		t.Fatalf("GC percent while jobs run %d, want %d", got, jobGCPercent)
	}
	end1()
	if got := debug.SetGCPercent(jobGCPercent); got != jobGCPercent {
		t.Fatalf("GC percent while one job still runs %d, want %d", got, jobGCPercent)
	}
	end2()
	if got := debug.SetGCPercent(150); got != 150 {
		t.Fatalf("GC percent after the jobs %d, want 150 restored", got)
	}
}
