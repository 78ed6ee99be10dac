package analytics

import (
	"math"
	"time"
)

// The JSON form of a report, for institutions' own BI tools. It applies
// the same suppression as the dashboard: a count of 1 to 4 is served as
// null with "suppressed": true, never as its value, so that the API does
// not reveal what the page hides.

// CountJSON is a count; Value is null when suppressed.
type CountJSON struct {
	Value      *int64 `json:"value"`
	Suppressed bool   `json:"suppressed,omitempty"`
}

// ProportionJSON is k of n with its Wilson 95% interval; every field but
// Suppressed is null when n is below MinCell.
type ProportionJSON struct {
	Numerator   *int64   `json:"numerator"`
	Denominator *int64   `json:"denominator"`
	Rate        *float64 `json:"rate"`
	Low95       *float64 `json:"low95"`
	High95      *float64 `json:"high95"`
	Suppressed  bool     `json:"suppressed,omitempty"`
}

// MetricsJSON is Metrics as JSON.
type MetricsJSON struct {
	AchievementID     string           `json:"achievementId,omitempty"`
	Name              string           `json:"name"`
	Issued            CountJSON        `json:"issued"`
	Claimed           CountJSON        `json:"claimed"`
	ClaimRate         ProportionJSON   `json:"claimRate"`
	ShareRate         ProportionJSON   `json:"shareRate"`
	VerifiedRate      ProportionJSON   `json:"thirdPartyVerifiedRate"`
	Verifications     CountJSON        `json:"thirdPartyVerifications"`
	VerifierDomains   CountJSON        `json:"uniqueVerifierDomains"`
	Shares            map[string]int64 `json:"sharesByChannel"`
	VerifiedBy        map[string]int64 `json:"verificationsBySource"`
	Views             CountJSON        `json:"views"`
	Revoked           CountJSON        `json:"revoked"`
	Suspended         CountJSON        `json:"suspended"`
	Expired           CountJSON        `json:"expired"`
	Renewed           CountJSON        `json:"renewed"`
	Stacked           CountJSON        `json:"stacked"`
	CreditAwarded     float64          `json:"creditAwarded"`
	EvidenceSubmitted CountJSON        `json:"evidenceSubmitted"`
	EvidenceApproved  CountJSON        `json:"evidenceApproved"`
	MeanDaysToAward   *float64         `json:"meanDaysToAward"`
	StandsOut         ProportionJSON   `json:"pulseStandsOut"`
	LikelierToHire    ProportionJSON   `json:"pulseLikelierToHire"`
}

// MonthJSON is one month of the series.
type MonthJSON struct {
	Month         string               `json:"month"`
	Issued        CountJSON            `json:"issued"`
	Claimed       CountJSON            `json:"claimed"`
	Shared        CountJSON            `json:"firstShared"`
	Verified      CountJSON            `json:"firstVerified"`
	Verifications CountJSON            `json:"thirdPartyVerifications"`
	VerifiedBy    map[string]CountJSON `json:"verificationsBySource"`
}

// ReportJSON is a Report as JSON.
type ReportJSON struct {
	OrgID         string        `json:"organizationId"`
	AchievementID string        `json:"achievementId,omitempty"`
	From          string        `json:"from"`
	To            string        `json:"to"` // exclusive
	MinCell       int           `json:"minCell"`
	Total         MetricsJSON   `json:"total"`
	Achievements  []MetricsJSON `json:"achievements"`
	Months        []MonthJSON   `json:"months"`
	StackingFlow  FlowJSON      `json:"stackingFlow"`
}

// Shown is n as a chart draws it: 0 when the count is suppressed.
func Shown(n int64) int64 {
	if NewCount(n).Suppressed {
		return 0
	}
	return n
}

func countJSON(n int64) CountJSON {
	if NewCount(n).Suppressed {
		return CountJSON{Suppressed: true}
	}
	return CountJSON{Value: &n}
}

func (c Count) json() CountJSON { return countJSON(c.N) }

func round4(f float64) *float64 {
	v := math.Round(f*1e4) / 1e4
	return &v
}

func (p Proportion) json() ProportionJSON {
	if p.Suppressed {
		return ProportionJSON{Suppressed: true}
	}
	k, n := p.K, p.N
	return ProportionJSON{Numerator: &k, Denominator: &n, Rate: round4(p.P), Low95: round4(p.Low), High95: round4(p.High)}
}

// suppressedMap drops channels or sources counted 1 to 4.
func suppressedMap(m map[string]int64) map[string]int64 {
	out := make(map[string]int64, len(m))
	for k, v := range m {
		if !NewCount(v).Suppressed {
			out[k] = v
		}
	}
	return out
}

// JSON returns m as served by the API.
func (m Metrics) JSON() MetricsJSON {
	j := MetricsJSON{AchievementID: m.AchievementID, Name: m.Name, Issued: m.Issued.json(), Claimed: m.Claimed.json(),
		ClaimRate: m.ClaimRate.json(), ShareRate: m.ShareRate.json(), VerifiedRate: m.VerifiedRate.json(),
		Verifications: m.Verifications.json(), VerifierDomains: m.VerifierDomains.json(),
		Shares: suppressedMap(m.Shares), VerifiedBy: suppressedMap(m.VerifiedBy),
		Views: countJSON(m.Views), Revoked: countJSON(m.Revoked), Suspended: countJSON(m.Suspended), Expired: countJSON(m.Expired),
		Renewed: countJSON(m.Renewed), Stacked: countJSON(m.Stacked), CreditAwarded: m.CreditAwarded,
		EvidenceSubmitted: countJSON(m.EvidenceSubmitted), EvidenceApproved: countJSON(m.EvidenceApproved),
		StandsOut: m.StandsOut.json(), LikelierToHire: m.LikelierToHire.json()}
	if !NewCount(m.EvidenceApproved).Suppressed && m.EvidenceApproved > 0 {
		j.MeanDaysToAward = round4(m.MeanDaysToAward)
	}
	return j
}

// JSON returns mo as served by the API.
func (mo Month) JSON() MonthJSON {
	j := MonthJSON{Month: mo.Month, Issued: countJSON(mo.Issued), Claimed: countJSON(mo.Claimed), Shared: countJSON(mo.Shared),
		Verified: countJSON(mo.Verified), Verifications: countJSON(mo.Verifications), VerifiedBy: map[string]CountJSON{}}
	for _, src := range VerificationSources {
		j.VerifiedBy[src] = countJSON(mo.VerifiedBy[src])
	}
	return j
}

// VerificationSources are the Dim values of Verified, in display order.
var VerificationSources = []string{"page", "api", "qr"}

// JSON returns r as served by the API.
func (r *Report) JSON(achievementID string) ReportJSON {
	j := ReportJSON{OrgID: r.OrgID, AchievementID: achievementID, From: r.From.UTC().Format(time.DateOnly), To: r.To.UTC().Format(time.DateOnly),
		MinCell: MinCell, Total: r.Total.JSON(), Achievements: []MetricsJSON{}, Months: []MonthJSON{}, StackingFlow: r.StackingFlow().JSON()}
	for _, m := range r.Rows {
		j.Achievements = append(j.Achievements, m.JSON())
	}
	for _, mo := range r.Months {
		j.Months = append(j.Months, mo.JSON())
	}
	return j
}

// TrimLeading drops the empty months before the first month with any
// figure, for "all time" periods that start before the organization did.
func (r *Report) TrimLeading() {
	for len(r.Months) > 1 {
		m := r.Months[0]
		if m.Issued != 0 || m.Claimed != 0 || m.Shared != 0 || m.Verified != 0 || m.Verifications != 0 || m.EvidenceApproved != 0 {
			return
		}
		r.Months = r.Months[1:]
	}
}
