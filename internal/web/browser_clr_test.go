package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/pathway/progress"
	"github.com/microcred/microcred/internal/store"
)

// TestBrowserVerifyLearnerRecord: an employer pastes a learner's record
// (CLR 2.0) into the verify page on a phone. The record is genuine; one
// credential in it was revoked after it was handed out, and the page says
// which, in plain words, beside the others that verified, the credits,
// the pathway and the academic credit (one course under a cap). Nothing scrolls sideways at 390 px and axe-core finds no
// violation.
func TestBrowserVerifyLearnerRecord(t *testing.T) {
	b := newBrowserEnv(t, browserOptions{})
	axe := axeSource(t)
	ctx := context.Background()
	ids := map[string]string{}
	for _, a := range catalog.DemoCatalogAt(b.base)[0].Achievements[:4] {
		a.StacksInto = nil
		entry, err := b.svc.SaveAchievement(ctx, b.org.ID, &a, b.owner.ID)
		if err != nil {
			t.Fatal(err)
		}
		ids[a.Slug] = entry.Achievement.ID
	}
	ps := &progress.Service{Store: b.store, IssuerID: b.svc.IssuerID, AchievementURL: b.svc.AchievementURL}
	if _, err := ps.Define(ctx, b.org, store.PathwayKindPathway, []byte(`{"id": "data-science", "name": "Data science",
	  "award": {"achievementId": "applied-data-science-programme"},
	  "root": {"kind": "allOf", "rules": [
	    {"kind": "credential", "match": {"issuer": "org:harbour", "achievement": "statistics-for-data-science"}},
	    {"kind": "credential", "match": {"issuer": "org:harbour", "achievement": "machine-learning-in-practice"}},
	    {"kind": "credential", "match": {"issuer": "org:harbour", "achievement": "data-engineering-and-governance"}}]}}`), b.owner.ID); err != nil {
		t.Fatal(err)
	}
	// A degree that credits both credentials, in semester credit hours,
	// with a cap that leaves machine learning 1 of its 3.
	if _, err := ps.Define(ctx, b.org, store.PathwayKindScheme, []byte(`{"id": "bsc", "name": "BSc Data Science", "unit": "SCH",
	  "rules": [
	    {"id": "stats", "course": "STAT 210", "courseTitle": "Applied Statistics", "credits": 3, "group": "micro",
	     "match": {"issuer": "org:harbour", "achievement": "statistics-for-data-science"}},
	    {"id": "ml", "course": "CS 340", "courseTitle": "Machine Learning", "credits": 3, "group": "micro",
	     "match": {"issuer": "org:harbour", "achievement": "machine-learning-in-practice"}}],
	  "caps": [{"group": "micro", "max": 4, "label": "at most 4 credit hours from micro-credentials"}]}`), b.owner.ID); err != nil {
		t.Fatal(err)
	}
	var revoke string
	for i, slug := range []string{"statistics-for-data-science", "machine-learning-in-practice"} {
		c, _, err := b.svc.Issue(ctx, issue.Request{OrgID: b.org.ID, AchievementID: ids[slug], RecipientEmail: "lin@example.org",
			RecipientName: "Lin Learner", Actor: b.owner.ID, Results: []issue.Result{{Value: fmt.Sprint(7 + i), Status: "Completed"}}})
		if err != nil {
			t.Fatal(err)
		}
		revoke = c.ID
		if i == 0 {
			time.Sleep(1100 * time.Millisecond) // a second apart: the cap fills in issue order
		}
	}
	l, err := ps.Load(ctx)
	if err != nil {
		t.Fatal(err)
	}
	record, err := l.ClrCredential(ctx, b.svc, b.org, "lin@example.org", nil, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.StatusService().Revoke(ctx, revoke, "issued in error", b.owner.ID); err != nil {
		t.Fatal(err)
	}

	b.do("phone viewport", chromedp.EmulateViewport(phoneWidth, 844), clearCookies())
	b.step("clr-01-verify-record",
		chromedp.Navigate(b.base+"/verify"),
		chromedp.WaitVisible(chromedp.CSS(`#credential`)),
		setValue(`#credential`, string(record)),
		chromedp.Click(chromedp.CSS(`form[action="/verify"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`section.record`)),
	)
	text := b.text(`main`)
	for _, want := range []string{
		"✔ Verified", "This is a learner record (CLR 2.0).", "1 of them did not verify",
		"Whose record", "Lin Learner", "Harbour College", "2: 1 verified, 1 not verified",
		"✔ verified", "Statistics for Data Science", "✘ not verified", "Machine Learning in Practice", "revoked",
		"Pathways", "Applied Data Science Programme Certificate", "Built from: Statistics for Data Science, Machine Learning in Practice (not verified)",
		"Credits",
		"Academic credit", "Statistics for Data Science → STAT 210 Applied Statistics, 3 US semester credit hours (SCH)",
		"Machine Learning in Practice (not verified) → CS 340 Machine Learning, 1 US semester credit hour (SCH)",
		"3 reduced to 1 by the cap of 4 SCH", "at most 4 credit hours from micro-credentials",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the page lacks %q:\n%s", want, text)
		}
	}
	if w := evalJS[int](b, "scroll width", `document.documentElement.scrollWidth`); w > phoneWidth {
		t.Errorf("the record page is %d px wide at %d px", w, phoneWidth)
	}
	evalJS[bool](b, "inject axe", axe+"\n;true")
	raw := evalJS[string](b, "axe", `axe.run(document, {resultTypes: ["violations"]}).then((r) => JSON.stringify(r.violations))`, chromedp.EvalAwaitPromise)
	var vs []axeViolation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, fmt.Sprint(n.Target)+" "+n.HTML)
		}
		t.Errorf("axe %s (%s): %s\n\t%s", v.ID, v.Impact, v.Help, strings.Join(where, "\n\t"))
	}
}
