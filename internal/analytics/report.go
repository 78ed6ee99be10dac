package analytics

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/microcred/microcred/internal/store"
)

// Metrics are the figures of one achievement, or of the whole organization.
type Metrics struct {
	AchievementID, Name string
	Issued              Count
	Claimed             Count
	ClaimRate           Proportion
	ShareRate           Proportion
	VerifiedRate        Proportion // credentials verified by a third party at least once
	Verifications       Count      // every third-party verification
	VerifierDomains     Count
	Shares              map[string]int64 // by channel
	VerifiedBy          map[string]int64 // by source: page, api, qr
	Views               int64
	Revoked, Suspended  int64
	Expired             int64
	Renewed, Stacked    int64
	CreditAwarded       float64
	EvidenceSubmitted   int64
	EvidenceApproved    int64
	MeanDaysToAward     float64 // over approved applications; 0 when none
	StandsOut           Proportion
	LikelierToHire      Proportion
}

// Month is one month of the series the charts draw.
type Month struct {
	Month                             string // YYYY-MM
	Issued, Claimed, Shared, Verified int64
	Verifications, EvidenceApproved   int64
	VerifiedBy                        map[string]int64 // third-party verifications by source: page, api, qr
}

// Report is an organization's impact report for a period.
type Report struct {
	OrgID      string
	From, To   time.Time // [From, To)
	Total      Metrics
	Rows       []Metrics // per achievement, most issued first
	Months     []Month
	FunnelNote string
	// PathwayNames names the pathways of the stacking flow; the caller
	// sets it (the store's pathways are not the analytics package's).
	PathwayNames Names
	names        Names
	flow         flowAcc
}

// StackingFlow is the report's flow from micro-credentials through
// pathways to stacked credentials and credit.
func (r *Report) StackingFlow() Flow { return r.flow.flow(r.names, r.PathwayNames) }

// Names resolves achievement ids to names for the report.
type Names func(achievementID string) string

// Build reads the rollups of org between from and to and computes the
// report. It does not scan credentials: every figure comes from rollups
// kept as events happen, so its cost depends on the number of
// achievements and months, not of learners.
func Build(ctx context.Context, st store.AnalyticsStore, orgID string, from, to time.Time, names Names) (*Report, error) {
	return BuildFor(ctx, st, orgID, "", from, to, names)
}

// BuildFor is Build restricted to one achievement ("" for all of them).
func BuildFor(ctx context.Context, st store.AnalyticsStore, orgID, achievementID string, from, to time.Time, names Names) (*Report, error) {
	q := store.RollupQuery{OrgID: orgID, AchievementID: achievementID, From: from.UTC().Format("2006-01-02"), To: to.UTC().Format("2006-01-02")}
	rs, err := st.RollupsByMonth(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("analytics: %w", err)
	}
	domains, err := st.VerifierDomains(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("analytics: %w", err)
	}
	type acc struct {
		kinds  map[string]int64 // kind or kind/dim → count
		totals map[string]float64
	}
	per := map[string]*acc{}
	total := &acc{kinds: map[string]int64{}, totals: map[string]float64{}}
	months := map[string]*Month{}
	var flow flowAcc
	for _, r := range rs {
		a := per[r.AchievementID]
		if a == nil {
			a = &acc{kinds: map[string]int64{}, totals: map[string]float64{}}
			per[r.AchievementID] = a
		}
		for _, x := range []*acc{a, total} {
			x.kinds[r.Kind] += r.N
			x.totals[r.Kind] += r.Total
			if r.Dim != "" {
				x.kinds[r.Kind+"/"+r.Dim] += r.N
			}
		}
		if r.Dim != "" {
			flow.add(r.Kind, r.AchievementID, r.Dim, r.N, r.Total)
		}
		m := months[r.Day]
		if m == nil {
			m = &Month{Month: r.Day}
			months[r.Day] = m
		}
		switch r.Kind {
		case Issued:
			m.Issued += r.N
		case Claimed:
			m.Claimed += r.N
		case "first." + Shared:
			m.Shared += r.N
		case "first." + Verified:
			m.Verified += r.N
		case Verified:
			m.Verifications += r.N
			if r.Dim != "" {
				if m.VerifiedBy == nil {
					m.VerifiedBy = map[string]int64{}
				}
				m.VerifiedBy[r.Dim] += r.N
			}
		case EvidenceApproved:
			m.EvidenceApproved += r.N
		}
	}
	metrics := func(id string, a *acc, nDomains int) Metrics {
		k := a.kinds
		m := Metrics{AchievementID: id, Issued: NewCount(k[Issued]), Claimed: NewCount(k[Claimed]),
			ClaimRate:     NewProportion(k[Claimed], k[Issued]),
			ShareRate:     NewProportion(k["first."+Shared], k[Issued]),
			VerifiedRate:  NewProportion(k["first."+Verified], k[Issued]),
			Verifications: NewCount(k[Verified]), VerifierDomains: NewCount(int64(nDomains)),
			Shares: map[string]int64{}, VerifiedBy: map[string]int64{},
			Views: k[Viewed], Revoked: k[Revoked], Suspended: k[Suspended], Expired: k[Expired], Renewed: k[Renewed], Stacked: k[Stacked],
			CreditAwarded: a.totals[CreditAwarded], EvidenceSubmitted: k[EvidenceSubmitted], EvidenceApproved: k[EvidenceApproved],
			StandsOut:      NewProportion(k[PulseStandout+"/yes"], k[PulseStandout]),
			LikelierToHire: NewProportion(k[PulseHire+"/yes"], k[PulseHire]),
		}
		if n := k[EvidenceApproved]; n > 0 {
			m.MeanDaysToAward = a.totals[EvidenceApproved] / float64(n)
		}
		for key, n := range k {
			if ch, ok := cutPrefix(key, Shared+"/"); ok {
				m.Shares[ch] = n
			}
			if src, ok := cutPrefix(key, Verified+"/"); ok {
				m.VerifiedBy[src] = n
			}
		}
		if names != nil && id != "" {
			m.Name = names(id)
		}
		return m
	}
	rep := &Report{OrgID: orgID, From: from, To: to, Total: metrics("", total, domains["*"]), names: names, flow: flow}
	rep.Total.Name = "All achievements"
	for id, a := range per {
		if id == "" || id == ExternalAchievement {
			continue
		}
		rep.Rows = append(rep.Rows, metrics(id, a, domains[id]))
	}
	sort.Slice(rep.Rows, func(i, j int) bool {
		if rep.Rows[i].Issued.N != rep.Rows[j].Issued.N {
			return rep.Rows[i].Issued.N > rep.Rows[j].Issued.N
		}
		return rep.Rows[i].Name < rep.Rows[j].Name
	})
	// Every month of the period appears, so a quiet month shows as zero.
	for t := time.Date(from.Year(), from.Month(), 1, 0, 0, 0, 0, time.UTC); t.Before(to); t = t.AddDate(0, 1, 0) {
		key := t.Format("2006-01")
		if m, ok := months[key]; ok {
			rep.Months = append(rep.Months, *m)
		} else {
			rep.Months = append(rep.Months, Month{Month: key})
		}
	}
	return rep, nil
}

func cutPrefix(s, p string) (string, bool) {
	if len(s) > len(p) && s[:len(p)] == p {
		return s[len(p):], true
	}
	return "", false
}
