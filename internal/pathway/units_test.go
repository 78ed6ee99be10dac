package pathway

import "testing"

func TestConvert(t *testing.T) {
	tests := []struct {
		name     string
		conv     Conversion
		amount   float64
		from, to Unit
		want     float64
	}{
		{"SCH to ECTS at 45 and 30 hours", Conversion{}, 12, SCH, ECTS, 18},
		{"ECTS to SCH rounds down to a half", Conversion{}, 5, ECTS, SCH, 3},
		{"NCrF to ECTS is one to one", Conversion{}, 12, NCrF, ECTS, 12},
		{"one SCH is 1.5 NCrF", Conversion{}, 1, SCH, NCrF, 1.5},
		{"same unit is not rounded", Conversion{}, 2.25, ECTS, ECTS, 2.25},
		{"two ECTS per SCH when overridden", Conversion{HoursPerCredit: map[Unit]float64{SCH: 60}}, 3, SCH, ECTS, 6},
		{"no rounding with a negative step", Conversion{Step: -1}, 1, ECTS, SCH, 30.0 / 45},
		{"whole credits with step 1", Conversion{Step: 1}, 5, ECTS, SCH, 3},
		{"negative amounts give nothing", Conversion{}, -3, ECTS, SCH, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.conv.Convert(tt.amount, tt.from, tt.to)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Convert(%v %s -> %s) = %v, want %v", tt.amount, tt.from, tt.to, got, tt.want)
			}
		})
	}
	if _, err := (Conversion{}).Convert(1, "hours", ECTS); err == nil {
		t.Error("an unknown unit converted")
	}
	if err := (Conversion{HoursPerCredit: map[Unit]float64{ECTS: 0}}).Validate(); err == nil {
		t.Error("zero hours per credit accepted")
	}
}

func TestUnitOfFramework(t *testing.T) {
	for fw, want := range map[string]Unit{"ACE": SCH, "ECTS": ECTS, "NCrF": NCrF, "SCH": SCH} {
		if u, ok := UnitOfFramework(fw); !ok || u != want {
			t.Errorf("UnitOfFramework(%q) = %q, %v; want %q", fw, u, ok, want)
		}
	}
	if _, ok := UnitOfFramework("CEU"); ok {
		t.Error("CEU has a unit")
	}
}
