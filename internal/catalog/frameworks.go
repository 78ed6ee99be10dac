package catalog

import (
	"math"
	"strconv"
)

// Credit framework keys used in CreditRecommendation.Framework and in
// SearchFields.Frameworks.
const (
	FrameworkACE  = "ACE"
	FrameworkECTS = "ECTS"
	FrameworkNCrF = "NCrF"
)

// Skill framework keys used in Skill.Framework.
const (
	SkillFrameworkESCO  = "ESCO"
	SkillFrameworkONET  = "O*NET-SOC"
	SkillFrameworkOther = "other"
)

// Level framework keys (qualification frameworks).
const (
	FrameworkEQF  = "EQF"
	FrameworkNSQF = "NSQF"
)

// Conversion conventions. See ECTSFromHours, NCrFCreditsFromHours and
// SemesterHoursFromHours.
const (
	// ECTSHoursPerCredit is the notional hours per ECTS credit used when a
	// figure must be derived. The ECTS Users' Guide (2015) puts one credit at
	// 25 to 30 hours, set nationally; 30, the top of the range, never
	// overstates the credit a workload is worth, and equals the NCrF figure
	// so that the two are directly comparable.
	ECTSHoursPerCredit = 30.0
	// ECTSMinHoursPerCredit and ECTSMaxHoursPerCredit bound the ECTS
	// cross-check in Validate. The official range is 25–30 hours, set
	// nationally; the check only rejects figures that are wildly off, such as
	// 5 credits for a 40-hour course, because a wrong ECTS figure misleads
	// every institution asked to recognise the credential, while a slightly
	// generous one is a matter for quality assurance. Validate also accepts
	// any figure within half a credit of the 25–30 hour range, since small
	// awards are rounded to half credits (1 credit for a 37-hour course).
	ECTSMinHoursPerCredit = 20.0
	ECTSMaxHoursPerCredit = 35.0
	// NCrFHoursPerCredit is fixed by the National Credit Framework (India,
	// 2023): one credit per 30 notional learning hours.
	NCrFHoursPerCredit = 30.0
	// SemesterHourLearningHours is the total learner effort behind one US
	// semester credit hour under the Carnegie convention: one hour of
	// instruction and two of out-of-class work a week over a 15-week term.
	SemesterHourLearningHours = 45.0
)

// ECTSFromHours converts notional learning hours to ECTS credits at
// ECTSHoursPerCredit (30 h per credit), rounded down to a half credit because
// ECTS is normally awarded in whole or half credits and a derived figure must
// not overstate the workload. Negative, NaN or infinite hours give 0.
func ECTSFromHours(hours float64) float64 {
	return halfCreditsFloor(hours, ECTSHoursPerCredit)
}

// NCrFCreditsFromHours converts notional learning hours to National Credit
// Framework credits at 30 hours per credit, rounded down to a half credit.
// Negative, NaN or infinite hours give 0.
func NCrFCreditsFromHours(hours float64) float64 {
	return halfCreditsFloor(hours, NCrFHoursPerCredit)
}

// SemesterHoursFromHours gives the US semester credit hours a workload
// corresponds to by seat time (45 hours of learner effort per semester hour),
// rounded down to a half hour. It is guidance only: ACE credit
// recommendations are made by faculty review of learning outcomes, not
// derived from hours, and often differ from this figure, so Validate never
// checks ACE amounts against the workload.
func SemesterHoursFromHours(hours float64) float64 {
	return halfCreditsFloor(hours, SemesterHourLearningHours)
}

func halfCreditsFloor(hours, perCredit float64) float64 {
	if !(hours > 0) || math.IsInf(hours, 1) {
		return 0
	}
	// The small epsilon keeps 45 h / 30 = 1.4999999… from losing a half.
	return math.Floor(hours/perCredit*2+1e-9) / 2
}

// Framework describes a credit, level or skill framework for UI filters and
// for the plain-language description of a credit recommendation.
type Framework struct {
	Key         string // the value used in catalog JSON, e.g. "ECTS"
	Kind        string // "credit", "level" or "skill"
	Name        string
	Unit        string // unit of an amount, for credit frameworks
	Description string
	URL         string // the framework's public reference
}

// Frameworks lists the frameworks the catalog understands, credit frameworks
// first, in the order a filter should show them.
var Frameworks = []Framework{
	{
		Key:  FrameworkECTS,
		Kind: "credit",
		Name: "European Credit Transfer and Accumulation System",
		Unit: "ECTS credits",
		Description: "European higher-education credit: 60 credits are one full-time academic year; " +
			"one credit is 25 to 30 hours of notional learning time.",
		URL: "https://education.ec.europa.eu/education-levels/higher-education/inclusive-and-connected-higher-education/european-credit-transfer-and-accumulation-system",
	},
	{
		Key:  FrameworkACE,
		Kind: "credit",
		Name: "ACE Learning Evaluations (American Council on Education)",
		Unit: "semester hours",
		Description: "US college credit recommendations in semester hours, made by faculty review of " +
			"learning outcomes, in a category: vocational certificate, lower-division baccalaureate " +
			"(associate), upper-division baccalaureate, or graduate.",
		URL: "https://www.acenet.edu/Programs-Services/Pages/Credit-Transcripts/Learning-Evaluations.aspx",
	},
	{
		Key:  FrameworkNCrF,
		Kind: "credit",
		Name: "National Credit Framework (India)",
		Unit: "NCrF credits",
		Description: "Indian credit framework spanning school, higher and vocational education: one " +
			"credit per 30 notional learning hours, at credit levels 1 to 8.",
		URL: "https://www.ugc.gov.in/",
	},
	{
		Key:  FrameworkEQF,
		Kind: "level",
		Name: "European Qualifications Framework",
		Description: "Eight reference levels, described by learning outcomes, to which national " +
			"qualification frameworks in Europe are related.",
		URL: "https://europass.europa.eu/en/europass-digital-tools/european-qualifications-framework",
	},
	{
		Key:  FrameworkNSQF,
		Kind: "level",
		Name: "National Skills Qualifications Framework (India)",
		Description: "Indian competency-based framework organising qualifications in ten levels of " +
			"knowledge, skill and aptitude; maintained by NCVET.",
		URL: "https://ncvet.gov.in/",
	},
	{
		Key:  SkillFrameworkESCO,
		Kind: "skill",
		Name: "ESCO (European Skills, Competences, Qualifications and Occupations)",
		Description: "The EU multilingual classification of skills and occupations; every skill has a " +
			"persistent URI under http://data.europa.eu/esco/skill/.",
		URL: "https://esco.ec.europa.eu/",
	},
	{
		Key:  SkillFrameworkONET,
		Kind: "skill",
		Name: "O*NET-SOC Taxonomy",
		Description: "US occupational taxonomy based on the Standard Occupational Classification; " +
			"codes look like 15-2051.00 (Data Scientists).",
		URL: "https://www.onetcenter.org/taxonomy.html",
	},
}

// FrameworkByKey returns the framework with the given key.
func FrameworkByKey(key string) (Framework, bool) {
	for _, f := range Frameworks {
		if f.Key == key {
			return f, true
		}
	}
	return Framework{}, false
}

// CreditFrameworks lists the keys accepted in CreditRecommendation.Framework.
var CreditFrameworks = []string{FrameworkACE, FrameworkECTS, FrameworkNCrF}

// SkillFrameworks lists the keys accepted in Skill.Framework.
var SkillFrameworks = []string{SkillFrameworkESCO, SkillFrameworkONET, SkillFrameworkOther}

// ACELevels are the ACE credit recommendation categories.
var ACELevels = []string{
	"vocational certificate",
	"lower-division baccalaureate",
	"upper-division baccalaureate",
	"graduate",
}

// ECTSCycles are the QF-EHEA cycles an ECTS recommendation may name.
var ECTSCycles = []string{"short cycle", "first cycle", "second cycle", "third cycle"}

// EQFLevelURI returns the EU vocabulary URI of an EQF level
// (http://data.europa.eu/snb/eqf/<n>), as used by Europass and the European
// Learning Model.
func EQFLevelURI(level int) string {
	return "http://data.europa.eu/snb/eqf/" + strconv.Itoa(level)
}

// ONETURL returns the O*NET OnLine summary page of an O*NET-SOC code.
func ONETURL(code string) string {
	return "https://www.onetonline.org/link/summary/" + code
}
