package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/microcred/microcred/internal/issue"
)

func TestCredentialList(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	for i := range 60 {
		if _, _, err := e.svc.Issue(ctx, issue.Request{OrgID: e.org.ID, AchievementID: e.achievementID, RecipientEmail: fmt.Sprintf("p%02d@example.org", i),
			RecipientName: fmt.Sprintf("Person %02d", i), Actor: e.users["owner"].ID}); err != nil {
			t.Fatal(err)
		}
	}
	first := e.do(request{method: "GET", path: "/admin/orgs/city-uni/credentials", as: "viewer"})
	body := first.Body.String()
	if first.Code != 200 || strings.Count(body, "<tr><td>") != 50 || !strings.Contains(body, `rel="next"`) {
		t.Fatalf("first page = %d, %d rows", first.Code, strings.Count(body, "<tr><td>"))
	}
	next := between(body, `rel="next" href="`, `"`)
	second := e.do(request{method: "GET", path: strings.ReplaceAll(next, "&amp;", "&"), as: "viewer"})
	if n := strings.Count(second.Body.String(), "<tr><td>"); second.Code != 200 || n != 11 || strings.Contains(second.Body.String(), `rel="next"`) {
		t.Errorf("second page = %d, %d rows", second.Code, n)
	}
	for _, c := range []struct {
		query string
		want  []string
	}{
		{"q=person+0", []string{"p00@", "p09@"}},
		{"q=P42@EXAMPLE.org", []string{"p42@"}},
		{"q=" + e.credUUID, []string{"learner@example.edu"}},
		{"status=active&q=Learner", []string{"learner@example.edu"}},
		{"status=revoked", nil},
	} {
		r := e.do(request{method: "GET", path: "/admin/orgs/city-uni/credentials?" + c.query, as: "viewer"})
		if r.Code != 200 {
			t.Errorf("%s = %d", c.query, r.Code)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(r.Body.String(), w) {
				t.Errorf("%s lacks %s", c.query, w)
			}
		}
		if c.want == nil && !strings.Contains(r.Body.String(), "No credential matches") {
			t.Errorf("%s matches something", c.query)
		}
	}
	if r := e.do(request{method: "GET", path: "/admin/orgs/city-uni/credentials?from=soon", as: "viewer"}); r.Code != http.StatusBadRequest || !strings.Contains(r.Body.String(), "Issued from: enter a date") {
		t.Errorf("bad date = %d", r.Code)
	}
	// The export has every match, not one page.
	exp := e.do(request{method: "GET", path: "/admin/orgs/city-uni/credentials.csv", as: "viewer"})
	rows, err := csv.NewReader(strings.NewReader(exp.Body.String())).ReadAll()
	if err != nil || exp.Code != 200 || len(rows) != 62 || rows[0][1] != "Recipient name" {
		t.Errorf("export = %d, %d rows, %v", exp.Code, len(rows), err)
	}
}
