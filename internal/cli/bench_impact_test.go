package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestBenchImpactJSON(t *testing.T) {
	code, out, errs := run(t, nil, "bench", "impact", "--learners", "50", "--credentials", "3000", "-n", "5", "--json")
	if code != 0 {
		t.Fatalf("bench impact: exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) < 25 {
		t.Fatalf("bench impact printed %d lines: %s", len(lines), out)
	}
	ops := map[string]bool{}
	for _, line := range lines {
		var r impactBenchResult
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		if r.DB != "sqlite" || r.Credentials != 3000 || r.N != 5 || r.P50ms <= 0 || r.P99ms < r.P50ms || r.BaselineP50 <= 0 || r.TargetMs == 0 {
			t.Errorf("bad result %+v", r)
		}
		ops[r.Op] = true
	}
	for _, op := range []string{"dashboard all time", "credentials status expired", "credentials status expired p5", "credentials status active p5",
		"credentials achievement+expired", "credentials given name+expired", "credentials email", "credentials id"} {
		if !ops[op] {
			t.Errorf("no figure for %q", op)
		}
	}
	// --keep generates once and reuses the organization after.
	keep := t.TempDir()
	for i, want := range []string{"inserting 2000 credential rows", "reusing organization impact-bench-40-2000"} {
		code, _, errs := run(t, nil, "bench", "impact", "--learners", "40", "--credentials", "2000", "-n", "5", "--keep", keep)
		if code != 0 || !strings.Contains(errs, want) {
			t.Errorf("run %d with --keep: exit %d, want %q in %s", i+1, code, want, errs)
		}
	}
	if code, _, _ := run(t, nil, "bench", "impact", "--learners", "10", "--credentials", "5"); code != exitBadInput {
		t.Errorf("more learners than credentials: exit %d", code)
	}
}
