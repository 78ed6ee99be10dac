package api

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/microcred/microcred/internal/analytics"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

// A verification of one of this server's credentials through the VC-API
// is counted for its organization with the verifier's domain; the answer
// is unchanged, and a credential that does not verify is not counted.
func TestVerifyRecordsThirdPartyVerification(t *testing.T) {
	e := newEnv(t, "sqlite", store.DIDKey)
	ctx := context.Background()
	c, _, err := e.svc.Issue(ctx, issue.Request{OrgID: e.org.ID, AchievementID: e.achID, RecipientEmail: "ada@example.org", RecipientName: "Ada", Actor: "system"})
	if err != nil {
		t.Fatal(err)
	}
	body := `{"verifiableCredential":` + c.Document + `}`
	rec := e.do("POST", "/credentials/verify", map[string]string{"Content-Type": "application/json", "Origin": "https://hr.acme.example"}, body)
	if rec.Code != http.StatusOK {
		t.Fatalf("verify = %d %s", rec.Code, rec.Body)
	}
	var tampered map[string]any
	if err := json.Unmarshal([]byte(c.Document), &tampered); err != nil {
		t.Fatal(err)
	}
	tampered["validFrom"] = "2000-01-01T00:00:00Z"
	tb, _ := json.Marshal(map[string]any{"verifiableCredential": tampered})
	if r := e.do("POST", "/credentials/verify", map[string]string{"Content-Type": "application/json"}, string(tb)); r.Code != http.StatusUnprocessableEntity {
		t.Fatalf("tampered = %d", r.Code)
	}
	now := e.clock.Now()
	q := store.RollupQuery{OrgID: e.org.ID, From: now.AddDate(0, 0, -1).Format("2006-01-02"), To: now.AddDate(0, 0, 2).Format("2006-01-02")}
	rs, err := e.store.RollupsByMonth(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	counts := map[string]int64{}
	for _, r := range rs {
		counts[r.Kind+"/"+r.Dim] += r.N
	}
	if counts[analytics.Verified+"/api"] != 1 || counts["first."+analytics.Verified+"/"] != 1 {
		t.Errorf("rollups = %v", counts)
	}
	if d, err := e.store.VerifierDomains(ctx, q); err != nil || d["*"] != 1 {
		t.Errorf("verifier domains = %v, %v", d, err)
	}
}
