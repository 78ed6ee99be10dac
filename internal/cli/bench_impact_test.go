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
	if len(lines) != 9 {
		t.Fatalf("bench impact printed %d lines: %s", len(lines), out)
	}
	for _, line := range lines {
		var r impactBenchResult
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		if r.DB != "sqlite" || r.Credentials != 3000 || r.N != 5 || r.P50ms <= 0 || r.P99ms < r.P50ms || r.BaselineP50 <= 0 || r.TargetMs == 0 {
			t.Errorf("bad result %+v", r)
		}
	}
	if code, _, _ := run(t, nil, "bench", "impact", "--learners", "10", "--credentials", "5"); code != exitBadInput {
		t.Errorf("more learners than credentials: exit %d", code)
	}
}
