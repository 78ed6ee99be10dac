package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/pathway/progress"
	"github.com/microcred/microcred/internal/store"
)

const testPathway = `{
  "id": "data-programme", "name": "Data Programme",
  "description": "Statistics and one advanced module.",
  "award": {"achievementId": "applied-data-science-programme", "name": "Applied Data Science Programme Certificate"},
  "root": {"kind": "allOf", "rules": [
    {"kind": "credential", "match": {"issuer": "org:city-uni", "achievement": "statistics-for-data-science"}},
    {"label": "One advanced module", "kind": "nOf", "n": 1, "rules": [
      {"kind": "credential", "match": {"issuer": "org:city-uni", "achievement": "machine-learning-in-practice"}},
      {"kind": "credential", "match": {"issuer": "org:city-uni", "achievement": "data-engineering-and-governance"}}]},
    {"label": "Three more ECTS", "kind": "minCredits", "minCredits": 3, "unit": "ECTS",
     "rules": [{"kind": "credential", "match": {"framework": "ACE", "minAmount": 1}}]}]}}`

const testScheme = `{"id": "bsc", "name": "BSc Data Science", "unit": "ECTS",
  "rules": [{"id": "stats", "course": "STAT 101", "courseTitle": "Statistics", "credits": 5, "group": "micro",
    "match": {"issuer": "org:city-uni", "achievement": "statistics-for-data-science"}}],
  "caps": [{"group": "micro", "max": 30}]}`

func TestPathwayPages(t *testing.T) {
	e := newEnv(t, envOptions{catalogSize: 4})
	form := func(doc string) url.Values { return url.Values{"document": {doc}} }
	steps := []struct {
		name    string
		req     request
		status  int
		want    []string
		notWant []string
	}{
		{"empty list", request{method: "GET", path: "/pathways"}, 200, []string{"No pathways have been published yet."}, nil},
		{"viewer may not create", request{method: "POST", path: "/admin/orgs/city-uni/pathways/new?kind=pathway", as: "viewer", form: form(testPathway)}, 403, nil, nil},
		{"a bad rule is named", request{method: "POST", path: "/admin/orgs/city-uni/pathways/new?kind=pathway", as: "owner",
			form: form(strings.Replace(testPathway, `"n": 1`, `"n": 4`, 1))}, 400,
			[]string{"root.rules[1].n: 4 must be between 1 and the number of child rules (2)", `aria-invalid="true"`}, nil},
		{"the award must be in the catalog", request{method: "POST", path: "/admin/orgs/city-uni/pathways/new?kind=pathway", as: "owner",
			form: form(strings.Replace(testPathway, `"achievementId": "applied-data-science-programme"`, `"achievementId": "unicorn"`, 1))}, 400,
			[]string{"award.achievementId: &#34;unicorn&#34; is not an achievement of City University&#39;s catalog"}, nil},
		{"an unknown achievement is named", request{method: "POST", path: "/admin/orgs/city-uni/pathways/new?kind=pathway", as: "owner",
			form: form(strings.Replace(testPathway, "machine-learning-in-practice", "alchemy", 1))}, 400,
			[]string{"achievement &#34;alchemy&#34; of city-uni"}, nil},
		{"create", request{method: "POST", path: "/admin/orgs/city-uni/pathways/new?kind=pathway", as: "owner", form: form(testPathway)}, 303, nil, nil},
		{"create a scheme", request{method: "POST", path: "/admin/orgs/city-uni/pathways/new?kind=scheme", as: "issuer", form: form(testScheme)}, 303, nil, nil},
		{"admin list", request{method: "GET", path: "/admin/orgs/city-uni/pathways", as: "viewer"}, 200,
			[]string{"Data Programme", "BSc Data Science", "data-programme"}, []string{"/pathways/pathway/data-programme/edit"}},
		{"public list", request{method: "GET", path: "/pathways"}, 200, []string{`href="/pathways/city-uni/data-programme"`, "Applied Data Science Programme Certificate"}, nil},
		{"public page", request{method: "GET", path: "/pathways/city-uni/data-programme"}, 200,
			[]string{`<svg xmlns="http://www.w3.org/2000/svg" class="pathway-diagram"`, `role="img"`, "How credentials stack into Data Programme",
				"Statistics for Data Science", "any 1 of these", "at least 3 ECTS credits from these", "STAT 101 Statistics", "BSc Data Science"},
			[]string{"Your progress"}},
		{"the learner's progress", request{method: "GET", path: "/pathways/city-uni/data-programme", as: "learner"}, 200,
			[]string{"Your progress", "33% done.", "✓ Statistics for Data Science", "met by Statistics for Data Science", "class=\"pd-box pd-met\""}, nil},
		{"the learner's wallet", request{method: "GET", path: "/wallet/pathways", as: "learner"}, 200,
			[]string{"Data Programme", "<strong>33%</strong>", "BSc Data Science: 5 ECTS credits", "STAT 101 Statistics", "fixed by the rule"}, nil},
		{"the learner's record", request{method: "GET", path: "/wallet/clr/city-uni", as: "learner"}, 200,
			[]string{`"ClrCredential"`, `"ClrSubject"`, `"verifiableCredential"`, `"eddsa-rdfc-2022"`}, nil},
		{"record link", request{method: "GET", path: "/wallet/pathways", as: "learner"}, 200, []string{`href="/wallet/clr/city-uni"`}, nil},
		{"no record from nowhere", request{method: "GET", path: "/wallet/clr/nowhere", as: "learner"}, 404, nil, nil},
		{"edit form", request{method: "GET", path: "/admin/orgs/city-uni/pathways/pathway/data-programme/edit", as: "issuer"}, 200,
			[]string{"Saving makes version 2.", "Version 1,", "statistics-for-data-science"}, nil},
		{"the id stays", request{method: "POST", path: "/admin/orgs/city-uni/pathways/pathway/data-programme/edit", as: "owner",
			form: form(strings.Replace(testPathway, `"data-programme"`, `"other"`, 1))}, 400, []string{"The id must stay &#34;data-programme&#34;"}, nil},
		{"edit", request{method: "POST", path: "/admin/orgs/city-uni/pathways/pathway/data-programme/edit", as: "owner",
			form: form(strings.Replace(testPathway, "Data Programme", "Data Science Programme", 1))}, 303, nil, nil},
		{"new version shown", request{method: "GET", path: "/pathways/city-uni/data-programme"}, 200, []string{"Data Science Programme", "version 2"}, nil},
		{"no such pathway", request{method: "GET", path: "/pathways/city-uni/nothing"}, 404, nil, nil},
		{"no such organization", request{method: "GET", path: "/pathways/nowhere/data-programme"}, 404, nil, nil},
		{"wallet needs a sign-in", request{method: "GET", path: "/wallet/pathways"}, 303, nil, nil},
		{"no CSRF token", request{method: "POST", path: "/admin/orgs/city-uni/pathways/new?kind=pathway", as: "owner", noCSRF: true, form: form(testPathway)}, 403, nil, nil},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			rec := e.do(st.req)
			if rec.Code != st.status {
				t.Fatalf("%s %s: status %d, want %d\n%s", st.req.method, st.req.path, rec.Code, st.status, rec.Body.String())
			}
			body := rec.Body.String()
			for _, w := range st.want {
				if !strings.Contains(body, w) {
					t.Errorf("response lacks %q", w)
				}
			}
			for _, w := range st.notWant {
				if strings.Contains(body, w) {
					t.Errorf("response has %q", w)
				}
			}
			if rec.Code == http.StatusSeeOther && st.req.as != "" && !strings.Contains(rec.Header().Get("Location"), "/pathways") {
				t.Errorf("redirected to %q", rec.Header().Get("Location"))
			}
		})
	}
}

func TestPathwayAwardReview(t *testing.T) {
	e := newEnv(t, envOptions{catalogSize: 3})
	ctx := context.Background()
	doc := `{"id":"stats-award","name":"Statistics award","award":{"achievementId":"machine-learning-in-practice","review":true},
		"root":{"kind":"credential","match":{"issuer":"org:city-uni","achievement":"statistics-for-data-science"}}}`
	ps := &progress.Service{Store: e.store, IssuerID: e.svc.IssuerID, AchievementURL: e.svc.AchievementURL}
	if _, err := ps.Define(ctx, e.org, store.PathwayKindPathway, []byte(doc), e.users["owner"].ID); err != nil {
		t.Fatal(err)
	}
	l, err := ps.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Recompute(ctx, time.Now()); err != nil {
		t.Fatal(err)
	}
	if st, err := l.Award(ctx, e.svc, testBase); err != nil || st.Review != 1 {
		t.Fatalf("award: %+v, %v", st, err)
	}
	rec := e.do(request{method: "GET", path: "/admin/orgs/city-uni/pathways", as: "issuer"})
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "learner@example.edu") || !strings.Contains(rec.Body.String(), "Issue the award") {
		t.Fatalf("review list: %d\n%s", rec.Code, rec.Body)
	}
	approve := url.Values{"learner": {"learner@example.edu"}, "pathway": {"stats-award"}}
	if rec := e.do(request{method: "POST", path: "/admin/orgs/city-uni/pathways/awards/approve", as: "viewer", form: approve}); rec.Code != 403 {
		t.Errorf("a viewer approved: %d", rec.Code)
	}
	before := e.countCredentials()
	rec = e.do(request{method: "POST", path: "/admin/orgs/city-uni/pathways/awards/approve", as: "owner", form: approve})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("approve: %d\n%s", rec.Code, rec.Body)
	}
	if e.countCredentials() != before+1 {
		t.Error("no award credential issued")
	}
	rows, err := e.store.ListPathwayProgress(ctx, store.PathwayProgressQuery{Pathway: "stats-award"})
	if err != nil || len(rows) != 1 || rows[0].AwardState != store.AwardIssued {
		t.Errorf("rows = %+v, %v", rows, err)
	}
	// A second approval finds nothing waiting and says so.
	rec = e.do(request{method: "POST", path: "/admin/orgs/city-uni/pathways/awards/approve", as: "owner", form: approve})
	if rec.Code != http.StatusSeeOther || e.countCredentials() != before+1 {
		t.Errorf("second approval: %d, credentials %d", rec.Code, e.countCredentials())
	}
}
