package catalog

import (
	"math"
	"testing"
)

func TestCreditConversions(t *testing.T) {
	tests := []struct {
		hours              float64
		ects, ncrf, semHrs float64
	}{
		{0, 0, 0, 0},
		{-10, 0, 0, 0},
		{math.NaN(), 0, 0, 0},
		{math.Inf(1), 0, 0, 0},
		{14, 0, 0, 0},
		{15, 0.5, 0.5, 0},
		{25, 0.5, 0.5, 0.5},
		{30, 1, 1, 0.5},
		{44, 1, 1, 0.5},
		{45, 1.5, 1.5, 1},
		{135, 4.5, 4.5, 3},
		{180, 6, 6, 4},
		{360, 12, 12, 8},
		{1800, 60, 60, 40},
	}
	for _, tt := range tests {
		if got := ECTSFromHours(tt.hours); got != tt.ects {
			t.Errorf("ECTSFromHours(%v) = %v, want %v", tt.hours, got, tt.ects)
		}
		if got := NCrFCreditsFromHours(tt.hours); got != tt.ncrf {
			t.Errorf("NCrFCreditsFromHours(%v) = %v, want %v", tt.hours, got, tt.ncrf)
		}
		if got := SemesterHoursFromHours(tt.hours); got != tt.semHrs {
			t.Errorf("SemesterHoursFromHours(%v) = %v, want %v", tt.hours, got, tt.semHrs)
		}
	}
}

// A workload converted with ECTSFromHours must pass the Validate cross-check
// whenever it gives any credit: the conversion and the check agree.
func TestECTSFromHoursPassesCrossCheck(t *testing.T) {
	for h := 15.0; h <= 3000; h += 0.5 {
		if msg := ectsMismatch(h, ECTSFromHours(h)); msg != "" {
			t.Fatalf("hours %v: %s", h, msg)
		}
	}
}

func TestFrameworksTable(t *testing.T) {
	keys := append(append([]string{}, CreditFrameworks...), FrameworkEQF, FrameworkNSQF, SkillFrameworkESCO, SkillFrameworkONET)
	for _, k := range keys {
		f, ok := FrameworkByKey(k)
		if !ok {
			t.Errorf("framework %s missing", k)
			continue
		}
		if f.Name == "" || f.Description == "" || !isHTTPURL(f.URL) {
			t.Errorf("framework %s incomplete: %+v", k, f)
		}
		if f.Kind == "credit" && f.Unit == "" {
			t.Errorf("credit framework %s has no unit", k)
		}
	}
	seen := map[string]bool{}
	for _, f := range Frameworks {
		if seen[f.Key] {
			t.Errorf("duplicate framework %s", f.Key)
		}
		seen[f.Key] = true
	}
	if _, ok := FrameworkByKey("CATS"); ok {
		t.Error("unknown framework found")
	}
	if EQFLevelURI(6) != "http://data.europa.eu/snb/eqf/6" {
		t.Errorf("EQFLevelURI(6) = %s", EQFLevelURI(6))
	}
}
