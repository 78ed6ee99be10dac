package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestAuditVerb(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := run(t, nil, "demo", "--seed-only", "--data", dir); code != exitOK {
		t.Fatalf("demo --seed-only: exit %d: %s", code, errs)
	}
	// Learner 1 of the demo completes the programme (see demo.demoStages).
	const learner = "aarav.sharma.2@learners.example"
	code, out, errs := run(t, nil, "audit", "--data", dir, "--learner", strings.ToUpper(learner), "--json")
	if code != exitOK {
		t.Fatalf("audit --json: exit %d: %s", code, errs)
	}
	var got learnerAudit
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("audit --json: %v\n%s", err, out)
	}
	if got.Learner != learner || len(got.Orgs) != 1 || got.Orgs[0].OrgID != "demo-university" {
		t.Fatalf("audit = %+v", got)
	}
	a := got.Orgs[0].Audit
	if len(a.Pathways) != 2 || a.Pathways[0].ID != "applied-data-science" || !a.Pathways[0].Complete || len(a.Credit) != 1 || a.Credit[0].Total <= 0 {
		t.Errorf("pathways %+v, credit %+v", a.Pathways, a.Credit)
	}
	code, out, errs = run(t, nil, "audit", "--data", dir, "--learner", learner)
	if code != exitOK || !strings.Contains(out, "Pathway: Applied Data Science Programme (version 1) — 100%, complete") ||
		!strings.Contains(out, "Credit: BSc Data Science") || !strings.Contains(out, "[counts]") {
		t.Errorf("audit: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = run(t, nil, "pathways", "recompute", "--data", dir, "--award")
	if code != exitOK || !strings.Contains(out, "recomputed 50 learners") || !strings.Contains(out, "awards: 0 issued, 0 queued for review") {
		t.Errorf("pathways recompute: exit %d\n%s%s", code, out, errs)
	}
	for _, bad := range [][]string{
		{"audit", "--data", dir},
		{"audit", "--data", dir, "--learner", "nobody"},
		{"audit", "--data", dir, "--learner", learner, "--as-of", "yesterday"},
	} {
		if code, _, errs := run(t, nil, bad...); code != exitBadInput || !strings.Contains(errs, "audit: --") {
			t.Errorf("%v: exit %d, %s", bad, code, errs)
		}
	}
}

func TestBenchAuditSmall(t *testing.T) {
	code, out, errs := run(t, nil, "bench", "audit", "--learners", "300", "--json")
	if code != exitOK {
		t.Fatalf("bench audit: exit %d: %s", code, errs)
	}
	var res auditBenchResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.Learners != 300 || res.Credentials != 300 || res.Rows == 0 || res.Complete == 0 || res.Ratio <= 0 || res.Ed25519Verify <= 0 {
		t.Errorf("result = %+v", res)
	}
}
