package cli

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/microcred/microcred/internal/store"
)

// TestBulkVerbs drives bulk issue (dry run, refused file, run, re-run),
// bulk status|pause|cancel and credentials count through Main.
func TestBulkVerbs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if code, _, errs := run(t, nil, "demo", "--seed-only", "--data", dir); code != exitOK {
		t.Fatalf("demo --seed-only: exit %d: %s", code, errs)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(dir, dbFileName))
	if err != nil {
		t.Fatal(err)
	}
	orgs, err := st.ListOrganizations(ctx)
	if err != nil || len(orgs) == 0 {
		t.Fatalf("no demo organization: %v", err)
	}
	org := orgs[0]
	entries, err := st.SearchAchievements(ctx, store.AchievementQuery{OrgID: org.ID})
	st.Close()
	if err != nil || len(entries) == 0 {
		t.Fatalf("no demo achievement: %v", err)
	}
	ach := entries[0].Achievement.ID
	countArgs := []string{"credentials", "count", "--data", dir, "--org", org.Slug, "--achievement", ach}
	_, before, _ := run(t, nil, countArgs...)

	tmp := t.TempDir()
	bad := filepath.Join(tmp, "bad.csv")
	os.WriteFile(bad, []byte("Mail,name\nx@,Ann\n"), 0o600)
	good := filepath.Join(tmp, "good.csv")
	var b strings.Builder
	b.WriteString("Mail,name,valid_until\r\n")
	for i := 1; i <= 12; i++ {
		fmt.Fprintf(&b, "bulkcli%d@learners.example,Learner %d,2035-06-30\r\n", i, i)
	}
	os.WriteFile(good, []byte(b.String()), 0o600)
	results := filepath.Join(tmp, "results.csv")
	base := []string{"bulk", "issue", "--data", dir, "--org", org.Slug, "--achievement", ach, "--map", "Mail=email", "--base-url", "http://127.0.0.1:8080"}

	code, out, errs := run(t, nil, append(base, "--csv", bad)...)
	if code != exitBadInput || !strings.Contains(out, `line 2, column Mail: "x@" is not an email address`) || !strings.Contains(errs, "nothing was issued") {
		t.Fatalf("bad file: exit %d\n%s\n%s", code, out, errs)
	}
	code, out, errs = run(t, nil, append(base, "--csv", good, "--dry-run")...)
	if code != exitOK || !strings.Contains(out, "dry run: 12 rows, no problems; nothing was issued") {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, out, errs)
	}
	if _, n, _ := run(t, nil, countArgs...); n != before {
		t.Fatalf("dry run changed the count: %s -> %s", before, n)
	}
	code, out, errs = run(t, nil, append(base, "--csv", good, "--results", results, "--workers", "3")...)
	if code != exitOK || !strings.Contains(out, "issued 12, already issued 0, failed 0") {
		t.Fatalf("issue: exit %d\n%s\n%s", code, out, errs)
	}
	jobID := strings.Fields(strings.TrimPrefix(out, "job "))[0]
	jobID = strings.TrimSuffix(jobID, ":")
	var wantCount int
	fmt.Sscan(before, &wantCount)
	if _, n, _ := run(t, nil, countArgs...); strings.TrimSpace(n) != fmt.Sprint(wantCount+12) {
		t.Fatalf("count after issue = %q, want %d", n, wantCount+12)
	}
	f, err := os.Open(results)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(recs) != 13 || strings.Join(recs[0], ",") != "row,line,email,credential_id,public_link,error" {
		t.Fatalf("results: %v %v", recs, err)
	}
	code, out, _ = run(t, nil, append(base, "--csv", good)...)
	if code != exitOK || !strings.Contains(out, "already done") {
		t.Fatalf("re-run: exit %d %s", code, out)
	}
	code, out, _ = run(t, nil, "bulk", "status", "--data", dir, "--job", jobID)
	if code != exitOK || !strings.Contains(out, "done, 12 of 12 rows issued, 0 failed") {
		t.Fatalf("status: exit %d %s", code, out)
	}
	if code, _, errs = run(t, nil, "bulk", "pause", "--data", dir, "--job", jobID); code != exitFailed || !strings.Contains(errs, "is done") {
		t.Fatalf("pause of a done job: exit %d %s", code, errs)
	}
	if code, _, errs = run(t, nil, "bulk", "cancel", "--data", dir, "--job", "nope"); code != exitBadInput || !strings.Contains(errs, "no job") {
		t.Fatalf("cancel unknown: exit %d %s", code, errs)
	}
	if code, _, errs = run(t, nil, "bulk", "issue", "--data", dir); code != exitBadInput || !strings.Contains(errs, "required") {
		t.Fatalf("missing flags: exit %d %s", code, errs)
	}
}
