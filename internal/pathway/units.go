package pathway

import (
	"fmt"
	"math"

	"github.com/microcred/microcred/internal/catalog"
)

// Unit is a credit unit.
type Unit string

// Credit units.
const (
	// ECTS is the European Credit Transfer and Accumulation System credit.
	ECTS Unit = "ECTS"
	// SCH is the US semester credit hour, the unit of ACE credit
	// recommendations.
	SCH Unit = "SCH"
	// NCrF is the credit of India's National Credit Framework.
	NCrF Unit = "NCrF"
)

// Units lists the credit units, in the order forms show them.
var Units = []Unit{SCH, ECTS, NCrF}

// Valid reports whether u is one of Units.
func (u Unit) Valid() bool { return u == ECTS || u == SCH || u == NCrF }

// Label names the unit in plain words.
func (u Unit) Label() string {
	switch u {
	case ECTS:
		return "ECTS credits"
	case SCH:
		return "US semester credit hours"
	case NCrF:
		return "NCrF credits"
	}
	return string(u)
}

// UnitOfFramework returns the unit of a catalog credit framework
// (catalog.FrameworkACE is in semester credit hours).
func UnitOfFramework(framework string) (Unit, bool) {
	switch framework {
	case catalog.FrameworkACE, string(SCH):
		return SCH, true
	case catalog.FrameworkECTS:
		return ECTS, true
	case catalog.FrameworkNCrF:
		return NCrF, true
	}
	return "", false
}

// Default notional learning hours behind one credit; see the package
// comment for their sources.
const (
	DefaultECTSHours = catalog.ECTSHoursPerCredit        // 30
	DefaultSCHHours  = catalog.SemesterHourLearningHours // 45
	DefaultNCrFHours = catalog.NCrFHoursPerCredit        // 30
	// DefaultStep is the rounding step of converted credits.
	DefaultStep = 0.5
)

// Conversion converts credits between units through the notional
// learning hours of one credit of each. The zero Conversion uses the
// defaults.
type Conversion struct {
	// HoursPerCredit overrides the default hours of a unit.
	HoursPerCredit map[Unit]float64 `json:"hoursPerCredit,omitempty"`
	// Step is the rounding step: converted figures are rounded down to a
	// multiple of it. 0 means DefaultStep; a negative step disables
	// rounding.
	Step float64 `json:"step,omitempty"`
}

// Hours returns the notional hours of one credit of u.
func (c Conversion) Hours(u Unit) float64 {
	if h, ok := c.HoursPerCredit[u]; ok && h > 0 {
		return h
	}
	switch u {
	case ECTS:
		return DefaultECTSHours
	case SCH:
		return DefaultSCHHours
	case NCrF:
		return DefaultNCrFHours
	}
	return 0
}

// Validate checks the overrides.
func (c Conversion) Validate() error {
	for u, h := range c.HoursPerCredit {
		if !u.Valid() {
			return fmt.Errorf("conversion: hours per credit: unknown unit %q (use SCH, ECTS or NCrF)", u)
		}
		if !(h > 0) || h > 1000 || math.IsInf(h, 0) {
			return fmt.Errorf("conversion: hours per credit of %s: %v is not between 0 and 1000", u, h)
		}
	}
	if math.IsNaN(c.Step) || c.Step > 10 {
		return fmt.Errorf("conversion: step: %v is not a rounding step up to 10", c.Step)
	}
	return nil
}

// Convert converts amount credits of unit from into unit to, rounded
// down to the step. Same-unit amounts are returned unrounded.
func (c Conversion) Convert(amount float64, from, to Unit) (float64, error) {
	if !from.Valid() {
		return 0, fmt.Errorf("convert: unknown unit %q", from)
	}
	if !to.Valid() {
		return 0, fmt.Errorf("convert: unknown unit %q", to)
	}
	if !(amount > 0) || math.IsInf(amount, 0) {
		return 0, nil
	}
	if from == to {
		return amount, nil
	}
	v := amount * c.Hours(from) / c.Hours(to)
	step := c.Step
	if step == 0 {
		step = DefaultStep
	}
	if step > 0 {
		// The epsilon keeps 1.5 * 30 / 45 = 0.99999… from losing a step.
		v = math.Floor(v/step+1e-9) * step
	}
	return v, nil
}
