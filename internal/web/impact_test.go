package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/analytics"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/web"
)

// seedImpact records a month of figures for the env's achievement: 40
// issued (41 with the credential newEnv issues), 30 claimed, 10 shared and verified by third parties, 3 pulse
// answers from employers (suppressed) and 30 from learners.
func seedImpact(t *testing.T, e *env) time.Time {
	t.Helper()
	ctx := context.Background()
	now := time.Now().UTC()
	day := time.Date(now.Year(), now.Month(), 1, 12, 0, 0, 0, time.UTC)
	if err := e.store.AddRollups(ctx, []store.Rollup{{OrgID: e.org.ID, AchievementID: e.achievementID, Day: day.Format(time.DateOnly), Kind: analytics.Issued, N: 40}}); err != nil {
		t.Fatal(err)
	}
	rec := func(ev store.Event) {
		t.Helper()
		ev.OrgID, ev.AchievementID, ev.At = e.org.ID, e.achievementID, day
		if err := analytics.Record(ctx, e.store, ev); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 30 {
		id := fmt.Sprintf("urn:uuid:c%02d", i)
		rec(store.Event{CredentialID: id, Kind: analytics.Claimed})
		ans := "yes"
		if i%3 == 0 {
			ans = "no"
		}
		rec(store.Event{Kind: analytics.PulseStandout, Dim: ans})
		if i < 10 {
			rec(store.Event{CredentialID: id, Kind: analytics.Shared, Dim: "linkedin"})
			rec(store.Event{CredentialID: id, Kind: analytics.Verified, Dim: "page", Domain: "acme.example"})
		}
	}
	for range 3 {
		rec(store.Event{Kind: analytics.PulseHire, Dim: "yes"})
	}
	return day
}

func TestImpactDashboard(t *testing.T) {
	e := newEnv(t, envOptions{})
	day := seedImpact(t, e)
	page := e.do(request{method: "GET", path: "/admin/orgs/city-uni/impact", as: "viewer"})
	if page.Code != http.StatusOK {
		t.Fatalf("impact page = %d: %s", page.Code, clipBody(page.Body.String()))
	}
	body := page.Body.String()
	claim := analytics.NewProportion(30, 41)
	want := fmt.Sprintf("73%% (95%% CI %d–%d%%)", int(claim.Low*100+0.5), int(claim.High*100+0.5))
	for _, s := range []string{"Micro-Credentials Impact Report", want, "fewer than 5", `id="chart-issued-t"`, `data-value="41"`,
		`role="img"`, `id="table-funnel"`, "impact.csv?table=achievements", "print=1", "pathways", `href="/admin/orgs/city-uni/impact"`} {
		if !strings.Contains(body, s) {
			t.Errorf("impact page lacks %q", s)
		}
	}
	// The employers' pulse has 3 answers: neither the count nor the rate shows.
	if !strings.Contains(body, "fewer than 5 answers") || strings.Contains(body, "3 answers") {
		t.Error("a suppressed pulse is shown")
	}

	// Each table downloads as CSV with the page's cells.
	csvRec := e.do(request{method: "GET", path: "/admin/orgs/city-uni/impact.csv?table=funnel&period=12m", as: "viewer"})
	if csvRec.Code != 200 || !strings.HasPrefix(csvRec.Header().Get("Content-Type"), "text/csv") {
		t.Fatalf("csv = %d %q", csvRec.Code, csvRec.Header().Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(csvRec.Body.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || rows[0][0] != "Stage" || rows[1][1] != "41" || rows[2][1] != "30" || rows[4][1] != "10" {
		t.Errorf("funnel csv = %q", rows)
	}
	if r := e.do(request{method: "GET", path: "/admin/orgs/city-uni/impact.csv?table=stacking&period=12m", as: "viewer"}); r.Code != 200 ||
		!strings.HasPrefix(r.Body.String(), "From,Kind,To,Kind,Learners,Credits (ECTS)") {
		t.Errorf("stacking csv = %d %q", r.Code, r.Body.String())
	}
	if !strings.Contains(body, `id="chart-stacking-t"`) || !strings.Contains(body, "No stacked credentials awarded in this period.") {
		t.Error("the impact page lacks the (empty) stacking flow")
	}
	if r := e.do(request{method: "GET", path: "/admin/orgs/city-uni/impact.csv?table=nope", as: "viewer"}); r.Code != http.StatusBadRequest {
		t.Errorf("unknown table = %d", r.Code)
	}

	// A custom period before the data shows none of it; a bad date names the field.
	old := e.do(request{method: "GET", path: "/admin/orgs/city-uni/impact?period=custom&from=2001-01-01&to=2001-03-31", as: "owner"})
	if old.Code != 200 || strings.Contains(old.Body.String(), `data-value="41"`) || !strings.Contains(old.Body.String(), "1 January 2001 to 31 March 2001") {
		t.Errorf("custom period = %d", old.Code)
	}
	bad := e.do(request{method: "GET", path: "/admin/orgs/city-uni/impact?period=custom&from=yesterday&to=" + day.Format(time.DateOnly), as: "owner"})
	if bad.Code != http.StatusBadRequest || !strings.Contains(bad.Body.String(), "From: enter a date") {
		t.Errorf("bad from = %d", bad.Code)
	}
	// Filtering by another achievement leaves nothing; an unknown one is refused.
	if r := e.do(request{method: "GET", path: "/admin/orgs/city-uni/impact?achievement=nope", as: "owner"}); r.Code != http.StatusBadRequest || !strings.Contains(r.Body.String(), "Achievement: choose") {
		t.Errorf("unknown achievement = %d", r.Code)
	}
	if r := e.do(request{method: "GET", path: "/admin/orgs/city-uni/impact?period=all&achievement=" + e.achievementID, as: "owner"}); r.Code != 200 || !strings.Contains(r.Body.String(), `data-value="41"`) {
		t.Errorf("filtered all-time = %d", r.Code)
	}
	// Members only.
	if r := e.do(request{method: "GET", path: "/admin/orgs/city-uni/impact", as: "learner"}); r.Code != http.StatusNotFound {
		t.Errorf("learner sees the report: %d", r.Code)
	}
}

func TestImpactFormatting(t *testing.T) {
	for _, c := range []struct {
		p    analytics.Proportion
		want string
	}{
		{analytics.NewProportion(72, 100), "72% (95% CI 63–80%)"},
		{analytics.NewProportion(3, 4), "fewer than 5"},
		{analytics.NewProportion(0, 0), "no data yet"},
	} {
		if got := web.FmtProportion(c.p); got != c.want {
			t.Errorf("%+v: %q, want %q", c.p, got, c.want)
		}
	}
}

// rollupCounts sums the rollups of kind/dim of the env's organization
// around now.
func (e *env) rollupCounts(t *testing.T) map[string]int64 {
	t.Helper()
	now := time.Now().UTC()
	q := store.RollupQuery{OrgID: e.org.ID, From: now.AddDate(0, 0, -2).Format(time.DateOnly), To: now.AddDate(0, 0, 2).Format(time.DateOnly)}
	rs, err := e.store.RollupsByMonth(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for _, r := range rs {
		out[r.Kind+"/"+r.Dim] += r.N
	}
	return out
}

func TestVerifyPageRecordsVerificationAndPulse(t *testing.T) {
	e := newEnv(t, envOptions{})
	// A bad domain names the field and verifies nothing.
	bad := e.do(request{method: "POST", path: "/verify", form: url.Values{"credential": {e.document()}, "verifier_domain": {"not a domain!"}}})
	if bad.Code != http.StatusBadRequest || !strings.Contains(bad.Body.String(), "Your organization&#39;s domain: enter a domain") {
		t.Fatalf("bad domain = %d", bad.Code)
	}
	// A member of the issuing organization checking is not a third party.
	if r := e.do(request{method: "POST", path: "/verify", as: "owner", form: url.Values{"credential": {e.document()}}}); r.Code != 200 || strings.Contains(r.Body.String(), "more likely to hire") {
		t.Fatalf("owner verify = %d", r.Code)
	}
	if n := e.rollupCounts(t)[analytics.Verified+"/page"]; n != 0 {
		t.Errorf("the owner's check was counted: %d", n)
	}
	rec := e.do(request{method: "POST", path: "/verify", form: url.Values{"credential": {e.document()}, "verifier_domain": {"https://www.HR.Acme.example/jobs"}}})
	body := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(body, "✔ Verified") || !strings.Contains(body, "more likely to hire") {
		t.Fatalf("verify = %d %s", rec.Code, clipBody(body))
	}
	token := between(body, `name="token" value="`, `"`)
	id := between(body, `name="credential_id" value="`, `"`)
	if token == "" || id == "" {
		t.Fatal("no pulse form")
	}
	ans := e.do(request{method: "POST", path: "/verify/pulse", form: url.Values{"credential_id": {id}, "token": {token}, "answer": {"yes"}}})
	if ans.Code != 200 || !strings.Contains(ans.Body.String(), "Thank you") {
		t.Errorf("pulse = %d", ans.Code)
	}
	// A second answer for the same credential, a forged token and a bad answer are not counted.
	e.do(request{method: "POST", path: "/verify/pulse", form: url.Values{"credential_id": {id}, "token": {token}, "answer": {"no"}}})
	if r := e.do(request{method: "POST", path: "/verify/pulse", form: url.Values{"credential_id": {id}, "token": {"1." + token}, "answer": {"no"}}}); r.Code != http.StatusBadRequest {
		t.Errorf("forged token = %d", r.Code)
	}
	if r := e.do(request{method: "POST", path: "/verify/pulse", form: url.Values{"credential_id": {id}, "token": {token}, "answer": {"maybe"}}}); r.Code != http.StatusBadRequest {
		t.Errorf("answer maybe = %d", r.Code)
	}
	counts := e.rollupCounts(t)
	if counts[analytics.Verified+"/page"] != 1 || counts[analytics.PulseHire+"/yes"] != 1 || counts[analytics.PulseHire+"/no"] != 0 {
		t.Errorf("rollups = %v", counts)
	}
	now := time.Now().UTC()
	d, err := e.store.VerifierDomains(context.Background(), store.RollupQuery{OrgID: e.org.ID, From: now.AddDate(0, 0, -2).Format(time.DateOnly), To: now.AddDate(0, 0, 2).Format(time.DateOnly)})
	if err != nil || d["*"] != 1 {
		t.Errorf("verifier domains = %v %v", d, err)
	}
}

func between(s, from, to string) string {
	_, rest, ok := strings.Cut(s, from)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, to)
	return v
}

func TestAuditLogReadable(t *testing.T) {
	e := newEnv(t, envOptions{})
	r := e.do(request{method: "GET", path: "/admin/orgs/city-uni/audit", as: "owner"})
	body := r.Body.String()
	for _, want := range []string{"Owner Person &lt;owner@example.edu&gt;", "(user)", "issued a credential", "created the organization", "<dt>Achievement version</dt>", "Technical record"} {
		if !strings.Contains(body, want) {
			t.Errorf("audit page lacks %q", want)
		}
	}
	if strings.Contains(body, "<td><code>"+e.users["owner"].ID+"</code></td>") {
		t.Error("the actor is shown as an id")
	}
}

func TestAuditDetails(t *testing.T) {
	got := web.AuditDetails([]byte(`{"recipientEmail":"a@b.example","notify":true,"valid_until":null,"n":3,"list":["x"]}`))
	want := "List=[\"x\"];N=3;Notify=yes;Recipient email=a@b.example;Valid until=none;"
	var s string
	for _, d := range got {
		s += d.Label + "=" + d.Value + ";"
	}
	if s != want {
		t.Errorf("details = %s, want %s", s, want)
	}
	if d := web.AuditDetails([]byte(`"plain"`)); len(d) != 1 || d[0].Value != `"plain"` {
		t.Errorf("non-object details = %+v", d)
	}
}

func TestTransparencyPage(t *testing.T) {
	e := newEnv(t, envOptions{})
	r := e.do(request{method: "GET", path: "/transparency"})
	body := r.Body.String()
	for _, want := range []string{"What it proves", "City University issued a credential", `href="/log/entries/0"`, "No names, email addresses"} {
		if r.Code != 200 || !strings.Contains(body, want) {
			t.Errorf("transparency page (%d) lacks %q", r.Code, want)
		}
	}
	if strings.Contains(body, "learner@example.edu") {
		t.Error("the transparency page shows a recipient")
	}
	// Every page's footer leads to it.
	if r := e.do(request{method: "GET", path: "/verify"}); !strings.Contains(r.Body.String(), `<a href="/transparency">`) {
		t.Error("the footer of the verify page has no link to the transparency page")
	}
}
