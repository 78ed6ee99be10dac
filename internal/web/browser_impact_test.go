package web_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/microcred/microcred/internal/analytics"
	"github.com/microcred/microcred/internal/api"
	"github.com/microcred/microcred/internal/auth"
	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/store"
)

// TestBrowserImpactDashboard renders the impact dashboard in a real
// headless Chromium and checks every number its charts carry (the
// data-value attributes of the bars, points and funnel stages) against
// the metrics the JSON API serves for the same organization and period.
func TestBrowserImpactDashboard(t *testing.T) {
	b := newBrowserEnv(t, browserOptions{})
	ctx := context.Background()
	var ach catalog.Achievement
	for _, o := range catalog.DemoCatalogAt(b.base) {
		ach = o.Achievements[0]
		break
	}
	ach.StacksInto = nil
	entry, err := b.svc.SaveAchievement(ctx, b.org.ID, &ach, b.owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	achID := entry.Achievement.ID
	now := time.Now().UTC()
	month := func(back int) time.Time {
		return time.Date(now.Year(), now.Month(), 1, 12, 0, 0, 0, time.UTC).AddDate(0, -back, 0)
	}
	// Issued: 40 this month, 12 last month, 3 (suppressed) the month before.
	for back, n := range map[int]int64{0: 40, 1: 12, 2: 3} {
		if err := b.store.AddRollups(ctx, []store.Rollup{{OrgID: b.org.ID, AchievementID: achID, Day: month(back).Format(time.DateOnly), Kind: analytics.Issued, N: n}}); err != nil {
			t.Fatal(err)
		}
	}
	rec := func(e store.Event) {
		e.OrgID, e.AchievementID = b.org.ID, achID
		if err := analytics.Record(ctx, b.store, e); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 30 {
		id := fmt.Sprintf("urn:uuid:b%02d", i)
		at := month(i % 2)
		rec(store.Event{CredentialID: id, Kind: analytics.Claimed, At: at})
		if i < 16 {
			rec(store.Event{CredentialID: id, Kind: analytics.Shared, Dim: "linkedin", At: at})
			rec(store.Event{CredentialID: id, Kind: analytics.Verified, Dim: []string{"page", "api", "qr"}[i%3], Domain: "acme.example", At: at})
		}
	}
	// Nine learners completed pathway "data": from this achievement and
	// (three of them, a suppressed band) another issuer's credential, to
	// a stacked credential worth 5 ECTS.
	if _, err := b.store.SavePathwayDefinition(ctx, store.PathwayDefinition{OrgID: b.org.ID, Kind: store.PathwayKindPathway, Slug: "data", Name: "Data Pathway",
		Document: json.RawMessage(`{"id": "data", "name": "Data Pathway", "root": {"kind": "allOf", "rules": []}}`)}); err != nil {
		t.Fatal(err)
	}
	for i := range 9 {
		award := fmt.Sprintf("urn:uuid:s%02d", i)
		at := month(0)
		rec(store.Event{CredentialID: award + " a", Kind: analytics.StackedFrom, Dim: "data", Once: true, At: at})
		rec(store.Event{CredentialID: award, Kind: analytics.Stacked, Dim: "data", Once: true, At: at})
		rec(store.Event{CredentialID: award, Kind: analytics.CreditAwarded, Dim: "data", Value: 5, Once: true, At: at})
		if i < 3 {
			if err := analytics.Record(ctx, b.store, store.Event{OrgID: b.org.ID, AchievementID: analytics.ExternalAchievement, CredentialID: award + " x",
				Kind: analytics.StackedFrom, Dim: "data", Once: true, At: at}); err != nil {
				t.Fatal(err)
			}
		}
	}

	// The API's figures, through a client of the organization.
	a := api.New(api.Config{Store: b.store, Issuer: b.svc, BaseURL: b.base})
	mux := http.NewServeMux()
	a.Register(mux)
	secret, hash := auth.NewToken()
	if _, err := b.store.CreateAPIClient(ctx, store.APIClient{ClientID: "bi", SecretHash: hash, OrgID: b.org.ID, Name: "BI tool", Scopes: []string{api.ScopeCredentialRead}}); err != nil {
		t.Fatal(err)
	}
	tr := httptest.NewRequest("POST", "/oauth/token", strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	tr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	tr.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("bi:"+secret)))
	trec := httptest.NewRecorder()
	mux.ServeHTTP(trec, tr)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(trec.Body.Bytes(), &tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token: %d %s", trec.Code, trec.Body)
	}
	mr := httptest.NewRequest("GET", "/api/v1/orgs/"+b.org.Slug+"/metrics?period=12m", nil)
	mr.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	mrec := httptest.NewRecorder()
	mux.ServeHTTP(mrec, mr)
	var m analytics.ReportJSON
	if err := json.Unmarshal(mrec.Body.Bytes(), &m); err != nil || mrec.Code != 200 {
		t.Fatalf("metrics: %d %s", mrec.Code, mrec.Body)
	}
	val := func(c analytics.CountJSON) int64 {
		if c.Value == nil {
			return 0
		}
		return *c.Value
	}
	var wantBars []int64
	wantLines := map[string][]int64{}
	for _, mo := range m.Months {
		wantBars = append(wantBars, val(mo.Issued))
		for _, src := range analytics.VerificationSources {
			wantLines[src] = append(wantLines[src], val(mo.VerifiedBy[src]))
		}
	}
	wantFunnel := []int64{val(m.Total.Issued), val(m.Total.Claimed), *m.Total.ShareRate.Numerator, *m.Total.VerifiedRate.Numerator}

	b.signIn("impact-01-signed-in")
	b.step("impact-02-dashboard",
		chromedp.Navigate(b.base+"/admin/orgs/"+b.org.Slug+"/impact?period=12m"),
		chromedp.WaitVisible(chromedp.CSS(`#table-issued`)),
	)
	values := func(sel string) []int64 {
		return evalJS[[]int64](b, sel, `Array.from(document.querySelectorAll(`+jsString(sel)+`)).map(e => Number(e.getAttribute("data-value")))`)
	}
	if got := values(`[aria-labelledby^="chart-issued"] rect.bar`); fmt.Sprint(got) != fmt.Sprint(wantBars) {
		t.Errorf("issued bars = %v, API = %v", got, wantBars)
	}
	names := map[string]string{"page": "Verification page", "api": "Verification API", "qr": "QR code scan"}
	for _, src := range analytics.VerificationSources {
		got := values(`[aria-labelledby^="chart-verifications"] circle[data-series="` + names[src] + `"]`)
		if fmt.Sprint(got) != fmt.Sprint(wantLines[src]) {
			t.Errorf("%s points = %v, API = %v", src, got, wantLines[src])
		}
	}
	if got := values(`[aria-labelledby^="chart-funnel"] rect`); fmt.Sprint(got) != fmt.Sprint(wantFunnel) {
		t.Errorf("funnel = %v, API = %v", got, wantFunnel)
	}
	// The stacking flow: every band's ends and learners as the API's links.
	var wantFlow []string
	for _, l := range m.StackingFlow.Links {
		wantFlow = append(wantFlow, fmt.Sprintf("%s>%s=%d", l.From, l.To, val(l.Learners)))
	}
	gotFlow := evalJS[[]string](b, "stacking bands", `Array.from(document.querySelectorAll('[aria-labelledby^="chart-stacking"] path.band')).map(e => e.getAttribute("data-from") + ">" + e.getAttribute("data-to") + "=" + e.getAttribute("data-value"))`)
	if len(wantFlow) != 4 || fmt.Sprint(gotFlow) != fmt.Sprint(wantFlow) {
		t.Errorf("stacking bands = %v, API = %v", gotFlow, wantFlow)
	}
	if got := evalJS[int](b, "suppressed bands", `document.querySelectorAll('[aria-labelledby^="chart-stacking"] path.band.suppressed').length`); got != 1 {
		t.Errorf("%d suppressed stacking bands, want 1", got)
	}
	flowText := evalJS[string](b, "stacking table", `document.querySelector("#table-stacking").innerText`)
	for _, want := range []string{"Data Pathway", "Credentials of other issuers", "fewer than 5", "Credit awarded", "45"} {
		if !strings.Contains(flowText, want) {
			t.Errorf("stacking table lacks %q: %q", want, flowText)
		}
	}
	// The suppressed month is drawn as zero and its table cell says so.
	if wantBars[len(wantBars)-3] != 0 || val(m.Months[len(m.Months)-1].Issued) != 40 {
		t.Errorf("API months = %v", wantBars)
	}
	text := evalJS[string](b, "issued table", `document.querySelector("#table-issued").innerText`)
	if !strings.Contains(text, "fewer than 5") || !strings.Contains(text, "40") {
		t.Errorf("issued table = %q", text)
	}
	b.step("impact-03-printable", chromedp.Navigate(b.base+"/admin/orgs/"+b.org.Slug+"/impact?period=12m&print=1"), chromedp.WaitVisible(chromedp.CSS(`#table-funnel`)))
	if nav := evalJS[bool](b, "print view hides the nav", `getComputedStyle(document.querySelector(".impact-filter")).display === "none"`); !nav {
		t.Error("the printable report shows the filter form")
	}
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
