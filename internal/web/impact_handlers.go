package web

import (
	"encoding/csv"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/analytics"
	"github.com/microcred/microcred/internal/store"
)

// The impact dashboard: an organization's own Micro-Credentials Impact
// Report, read from the analytics rollups (never a scan of credentials),
// with every chart's numbers also in a table beside it and every table
// downloadable as CSV.

// impactPeriod is the period a report covers.
type impactPeriod = analytics.Period

// parsePeriod reads period, from and to from q; problems name the field
// by its label.
func parsePeriod(q url.Values, now time.Time) (impactPeriod, formErrors) {
	p, problems := analytics.ParsePeriod(q.Get("period"), q.Get("from"), q.Get("to"), now)
	var errs formErrors
	for _, pr := range problems {
		errs.add(pr.Field, pr.Message)
	}
	return p, errs
}

// fmtCount shows a count, or "fewer than 5" when it is suppressed.
func fmtCount(c analytics.Count) string {
	if c.Suppressed {
		return fmt.Sprintf("fewer than %d", analytics.MinCell)
	}
	return groupDigits(c.N)
}

func fmtN(n int64) string { return fmtCount(analytics.NewCount(n)) }

// fmtProportion shows "72% (95% CI 63–80%)", or why there is no figure.
func fmtProportion(p analytics.Proportion) string {
	switch {
	case p.N == 0:
		return "no data yet"
	case p.Suppressed:
		return fmt.Sprintf("fewer than %d", analytics.MinCell)
	}
	return fmt.Sprintf("%s (95%% CI %s–%s)", pct(p.P), strings.TrimSuffix(pct(p.Low), "%"), pct(p.High))
}

func pct(f float64) string { return strconv.Itoa(int(math.Round(f*100))) + "%" }

// groupDigits writes n with thousands separators: 240,000.
func groupDigits(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// impactTable is one table of the report, shown on the page and exported
// as CSV from the same cells.
type impactTable struct {
	Key     string
	Caption string
	Head    []string
	Rows    [][]string
}

// impactFigure is one headline figure.
type impactFigure struct {
	Label, Value, Note string
}

// impactView is what the impact template receives.
type impactView struct {
	Org          store.Organization
	Role         store.Role
	Period       impactPeriod
	Achievements []store.CatalogEntry
	Achievement  string // the filter, "" for all
	FilterName   string
	Print        bool
	Headline     []impactFigure
	Pulse        []impactFigure
	IssuedChart  template.HTML
	VerifyChart  template.HTML
	FunnelChart  template.HTML
	StackChart   template.HTML
	Tables       map[string]impactTable
	Order        []string
	Query        string // the period and filter, for the CSV and print links
	Generated    time.Time
}

var sourceNames = map[string]string{"page": "Verification page", "api": "Verification API", "qr": "QR code scan"}

var channelNames = map[string]string{"linkedin": "LinkedIn", "link": "Link", "email": "Email", "embed": "Embedded", "pdf": "PDF"}

// buildImpact reads the report for the request's period and filter.
func (s *server) buildImpact(r *http.Request, oc orgContext) (impactView, formErrors, error) {
	ctx := r.Context()
	q := r.URL.Query()
	period, errs := parsePeriod(q, s.now().UTC())
	entries, err := s.store.SearchAchievements(ctx, store.AchievementQuery{OrgID: oc.Org.ID, Limit: 1000})
	if err != nil {
		return impactView{}, nil, fmt.Errorf("list achievements: %w", err)
	}
	names := make(map[string]string, len(entries))
	for _, e := range entries {
		names[e.Achievement.ID] = e.Version.Name
	}
	v := impactView{Org: oc.Org, Role: oc.Role, Period: period, Achievements: entries, Print: q.Get("print") == "1",
		Generated: s.now().UTC()}
	if a := q.Get("achievement"); a != "" {
		if _, ok := names[a]; ok {
			v.Achievement, v.FilterName = a, names[a]
		} else {
			errs.add("achievement", "Achievement: choose one from the list.")
		}
	}
	rep, err := analytics.BuildFor(ctx, s.store, oc.Org.ID, v.Achievement, period.From, period.To, func(id string) string {
		if n, ok := names[id]; ok {
			return n
		}
		return "Removed achievement"
	})
	if err != nil {
		return impactView{}, nil, err
	}
	if period.Key == "all" {
		rep.TrimLeading()
	}
	if rep.PathwayNames, err = s.pathwayNames(r, oc.Org.ID); err != nil {
		return impactView{}, nil, err
	}
	qs := url.Values{"period": {period.Key}}
	if period.Key == "custom" {
		qs.Set("from", period.FromInput)
		qs.Set("to", period.ToInput)
	}
	if v.Achievement != "" {
		qs.Set("achievement", v.Achievement)
	}
	v.Query = qs.Encode()
	v.fill(rep)
	return v, errs, nil
}

// fill computes the figures, tables and charts of rep.
func (v *impactView) fill(rep *analytics.Report) {
	t := rep.Total
	funnel := []analytics.Stage{
		{Name: "Issued", Count: t.Issued},
		{Name: "Claimed by the learner", Count: t.Claimed},
		{Name: "Shared", Count: analytics.NewCount(t.ShareRate.K)},
		{Name: "Verified by an employer or other third party", Count: analytics.NewCount(t.VerifiedRate.K)},
	}
	days := "no approved applications yet"
	if t.EvidenceApproved >= analytics.MinCell {
		days = strconv.FormatFloat(math.Round(t.MeanDaysToAward*10)/10, 'f', -1, 64) + " days"
	} else if t.EvidenceApproved > 0 {
		days = fmt.Sprintf("fewer than %d applications", analytics.MinCell)
	}
	v.Headline = []impactFigure{
		{"Credentials issued", fmtCount(t.Issued), ""},
		{"Claimed by their learners", fmtProportion(t.ClaimRate), "of the credentials issued in the period"},
		{"Shared by their learners", fmtProportion(t.ShareRate), "shared at least once, on any channel"},
		{"Checked by an employer or other third party", fmtProportion(t.VerifiedRate), "verified at least once by someone other than the learner"},
		{"Third-party verifications", fmtCount(t.Verifications), "every check, including repeated ones"},
		{"Different organizations verifying", fmtCount(t.VerifierDomains), "distinct web domains of verifiers who gave one"},
		{"Time from application to award", days, "average, over applications with evidence"},
		{"Credit awarded", strconv.FormatFloat(t.CreditAwarded, 'f', -1, 64), "credits (such as ECTS) awarded with the credentials"},
	}
	v.Pulse = []impactFigure{
		{"“Will this credential help you stand out to employers?” — learners answering yes", fmtProportion(t.StandsOut), fmt.Sprintf("asked once, when claiming; %s answers", fmtN(t.StandsOut.N))},
		{"“Does this make you more likely to hire?” — employers answering yes", fmtProportion(t.LikelierToHire), fmt.Sprintf("asked after a successful verification; %s answers", fmtN(t.LikelierToHire.N))},
	}

	labels := make([]string, len(rep.Months))
	issued := make([]int64, len(rep.Months))
	series := map[string][]int64{}
	issuedRows := make([][]string, len(rep.Months))
	verRows := make([][]string, len(rep.Months))
	for i, m := range rep.Months {
		mt, _ := time.Parse("2006-01", m.Month)
		labels[i] = mt.Format("Jan 2006")
		issued[i] = analytics.Shown(m.Issued)
		issuedRows[i] = []string{labels[i], fmtN(m.Issued), fmtN(m.Claimed)}
		row := []string{labels[i]}
		for _, src := range analytics.VerificationSources {
			series[sourceNames[src]] = append(series[sourceNames[src]], analytics.Shown(m.VerifiedBy[src]))
			row = append(row, fmtN(m.VerifiedBy[src]))
		}
		verRows[i] = append(row, fmtN(m.Verifications))
	}
	order := make([]string, len(analytics.VerificationSources))
	for i, src := range analytics.VerificationSources {
		order[i] = sourceNames[src]
	}
	note := fmt.Sprintf(" Months with fewer than %d are drawn as zero; the table says \"fewer than %d\".", analytics.MinCell, analytics.MinCell)
	v.IssuedChart = analytics.Bars("chart-issued", "Credentials issued per month", "Bar chart of the credentials issued in each month of "+v.Period.Label+"; the table that follows has the same numbers."+note, labels, issued)
	v.VerifyChart = analytics.Lines("chart-verifications", "Third-party verifications per month", "Line chart of verifications by employers and other third parties in each month, by how they checked; the table that follows has the same numbers."+note, labels, series, order)
	v.FunnelChart = analytics.Funnel("chart-funnel", "From issue to employer", "Funnel of the credentials issued, claimed by their learners, shared and verified by a third party; the table that follows has the same numbers.", funnel)

	v.Tables = map[string]impactTable{}
	add := func(t impactTable) {
		v.Tables[t.Key] = t
		v.Order = append(v.Order, t.Key)
	}
	var achRows [][]string
	for _, m := range append(append([]analytics.Metrics{}, rep.Rows...), rep.Total) {
		days := ""
		if m.EvidenceApproved >= analytics.MinCell {
			days = strconv.FormatFloat(math.Round(m.MeanDaysToAward*10)/10, 'f', -1, 64)
		} else if m.EvidenceApproved > 0 {
			days = fmt.Sprintf("fewer than %d", analytics.MinCell)
		}
		achRows = append(achRows, []string{m.Name, fmtCount(m.Issued), fmtCount(m.Claimed), fmtProportion(m.ClaimRate), fmtProportion(m.ShareRate),
			fmtProportion(m.VerifiedRate), fmtCount(m.Verifications), fmtCount(m.VerifierDomains), days,
			strconv.FormatFloat(m.CreditAwarded, 'f', -1, 64), fmtN(m.Revoked), fmtN(m.Expired), fmtN(m.Renewed), fmtProportion(m.StandsOut), fmtProportion(m.LikelierToHire)})
	}
	add(impactTable{Key: "achievements", Caption: "Figures by achievement",
		Head: []string{"Achievement", "Issued", "Claimed", "Claim rate", "Share rate", "Verified by a third party", "Third-party verifications",
			"Verifying organizations", "Days from application to award", "Credit awarded", "Revoked", "Expired", "Renewed", "Learners: helps stand out", "Employers: likelier to hire"},
		Rows: achRows})
	add(impactTable{Key: "issued", Caption: "Credentials issued and claimed per month", Head: []string{"Month", "Issued", "Claimed"}, Rows: issuedRows})
	verHead := []string{"Month"}
	verHead = append(verHead, order...)
	add(impactTable{Key: "verifications", Caption: "Third-party verifications per month", Head: append(verHead, "All verifications"), Rows: verRows})
	var funnelRows [][]string
	for _, st := range funnel {
		funnelRows = append(funnelRows, []string{st.Name, fmtCount(st.Count), fmtProportion(analytics.NewProportion(st.Count.N, t.Issued.N))})
	}
	add(impactTable{Key: "funnel", Caption: "From issue to employer", Head: []string{"Stage", "Credentials", "Share of those issued"}, Rows: funnelRows})
	var chRows [][]string
	for _, ch := range []string{"linkedin", "link", "email", "embed", "pdf"} {
		chRows = append(chRows, []string{channelNames[ch], fmtN(t.Shares[ch])})
	}
	add(impactTable{Key: "channels", Caption: "Shares by channel", Head: []string{"Channel", "Shares"}, Rows: chRows})
	flow := rep.StackingFlow()
	v.StackChart = analytics.Sankey("chart-stacking", "From micro-credentials to stacked credentials and credit",
		"Flow diagram: each band runs from a micro-credential to the pathway it counted towards, from the pathway to the stacked credential it earned, "+
			"and from there to credit awarded; a band's width is the number of learners. The table that follows has the same numbers. "+
			fmt.Sprintf("Bands of fewer than %d learners are drawn as thin dashed lines; the table says \"fewer than %d\".", analytics.MinCell, analytics.MinCell), flow)
	var flowRows [][]string
	for _, l := range flow.Links {
		credits := ""
		if l.To == "credit" && !l.Learners.Suppressed {
			credits = strconv.FormatFloat(math.Round(l.Credits*10)/10, 'f', -1, 64)
		}
		flowRows = append(flowRows, []string{flow.Node(l.From).Name, flow.Node(l.From).Stage, flow.Node(l.To).Name, flow.Node(l.To).Stage, fmtCount(l.Learners), credits})
	}
	add(impactTable{Key: "stacking", Caption: "From micro-credentials to stacked credentials and credit",
		Head: []string{"From", "Kind", "To", "Kind", "Learners", "Credits (ECTS)"}, Rows: flowRows})
	add(impactTable{Key: "pulse", Caption: "Pulse questions", Head: []string{"Question", "Answers", "Answering yes"}, Rows: [][]string{
		{"Will this credential help you stand out to employers? (learners)", fmtN(t.StandsOut.N), fmtProportion(t.StandsOut)},
		{"Does this make you more likely to hire? (employers)", fmtN(t.LikelierToHire.N), fmtProportion(t.LikelierToHire)},
	}})
}

// impact shows the dashboard.
func (s *server) impact(w http.ResponseWriter, r *http.Request) {
	oc := currentOrg(r)
	v, errs, err := s.buildImpact(r, oc)
	if err != nil {
		s.serverError(w, r, fmt.Errorf("impact report: %w", err))
		return
	}
	s.renderForm(w, r, "impact", "Micro-Credentials Impact Report · "+oc.Org.Name, v, errs)
}

// impactCSV exports one table of the dashboard as CSV.
func (s *server) impactCSV(w http.ResponseWriter, r *http.Request) {
	oc := currentOrg(r)
	v, errs, err := s.buildImpact(r, oc)
	if err != nil {
		s.serverError(w, r, fmt.Errorf("impact report: %w", err))
		return
	}
	if errs.Any() {
		http.Error(w, errs[0].Message, http.StatusBadRequest)
		return
	}
	key := r.URL.Query().Get("table")
	t, ok := v.Tables[key]
	if !ok {
		http.Error(w, "table: choose one of "+strings.Join(v.Order, ", ")+".", http.StatusBadRequest)
		return
	}
	name := fmt.Sprintf("%s-impact-%s-%s-%s.csv", oc.Org.Slug, key, v.Period.From.Format("20060102"), v.Period.To.AddDate(0, 0, -1).Format("20060102"))
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	cw := csv.NewWriter(w)
	_ = cw.Write(t.Head)
	for _, row := range t.Rows {
		out := make([]string, len(row))
		for i, c := range row {
			out[i] = csvSafe(c)
		}
		_ = cw.Write(out)
	}
	cw.Flush()
}

// csvSafe keeps a spreadsheet from reading a cell as a formula: a cell
// that starts with = + - @ (or a tab or carriage return) gets a leading
// apostrophe.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// pathwayNames names the organization's pathways by id, for the stacking
// flow.
func (s *server) pathwayNames(r *http.Request, orgID string) (analytics.Names, error) {
	defs, err := s.store.ListPathwayDefinitions(r.Context(), orgID, store.PathwayKindPathway)
	if err != nil {
		return nil, fmt.Errorf("list pathways: %w", err)
	}
	names := make(map[string]string, len(defs))
	for _, d := range defs {
		names[d.Slug] = d.Name
	}
	return func(id string) string {
		if n, ok := names[id]; ok {
			return n
		}
		return "Removed pathway"
	}, nil
}
