package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/microcred/microcred/internal/issue"
)

// TestBookkeepingAchievementHidden: the entry that records credentials
// signed through the VC-API has no learning outcomes, workload or quality
// assurance, so no public page, listing or issuing form shows it.
func TestBookkeepingAchievementHidden(t *testing.T) {
	e := newEnv(t, envOptions{})
	c, err := e.svc.IssueDocument(context.Background(), e.org.ID, map[string]any{
		"@context": []any{"https://www.w3.org/ns/credentials/v2"}, "type": []any{"VerifiableCredential"},
		"credentialSubject": map[string]any{"id": "did:example:1"},
	}, issue.DocumentOptions{})
	if err != nil {
		t.Fatal(err)
	}
	const name = "Credentials signed through the API"
	for _, p := range []struct{ path, as string }{
		{"/catalog", ""}, {"/catalog.json", ""}, {"/orgs/city-uni", ""},
		{"/admin/orgs/city-uni/achievements", "owner"}, {"/admin/orgs/city-uni/issue", "owner"}, {"/admin/orgs/city-uni/bulk", "owner"},
	} {
		rec := e.do(request{method: "GET", path: p.path, as: p.as})
		if rec.Code != http.StatusOK {
			t.Errorf("GET %s = %d", p.path, rec.Code)
			continue
		}
		if strings.Contains(rec.Body.String(), name) || strings.Contains(rec.Body.String(), c.AchievementID) {
			t.Errorf("GET %s shows the bookkeeping entry", p.path)
		}
	}
	for _, p := range []string{"/achievements/" + c.AchievementID, "/achievements/" + c.AchievementID + ".json"} {
		if rec := e.do(request{method: "GET", path: p}); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, rec.Code)
		}
	}
	// The catalog entries themselves are still listed.
	if rec := e.do(request{method: "GET", path: "/catalog.json"}); !strings.Contains(rec.Body.String(), e.achievementID) {
		t.Errorf("the catalog lost its entry: %.300s", rec.Body)
	}
}
