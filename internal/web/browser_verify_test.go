package web_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/issue"
)

// TestBrowserVerifyWhateverYouAreHanded: an employer, not signed in,
// checks a credential on the verification page from what a learner handed
// them: the link to its page, its baked badge image and its PDF
// certificate. Each gives the plain verdict.
func TestBrowserVerifyWhateverYouAreHanded(t *testing.T) {
	b := newBrowserEnv(t, browserOptions{})
	ctx := context.Background()
	a := catalog.DemoCatalogAt(b.base)[0].Achievements[0]
	a.StacksInto = nil
	entry, err := b.svc.SaveAchievement(ctx, b.org.ID, &a, b.owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := b.svc.Issue(ctx, issue.Request{OrgID: b.org.ID, AchievementID: entry.Achievement.ID, RecipientEmail: "lin@example.org",
		RecipientName: "Lin Learner", Actor: b.owner.ID})
	if err != nil {
		t.Fatal(err)
	}
	page := b.base + "/c/" + b.svc.CredentialUUID(c.ID)
	dir := t.TempDir()
	download := func(url, name string) string {
		t.Helper()
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", url, resp.StatusCode)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, body, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pngFile, pdfFile := download(page+".png", "badge.png"), download(page+".pdf", "certificate.pdf")

	verdictOf := func(shot string, actions ...chromedp.Action[chromedp.Void]) string {
		t.Helper()
		steps := append([]chromedp.Action[chromedp.Void]{clearCookies(), chromedp.Navigate(b.base + "/verify"), chromedp.WaitVisible(chromedp.CSS(`#credential`))}, actions...)
		steps = append(steps, chromedp.Click(chromedp.CSS(`form[action="/verify"] button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(`.verdict-title`)))
		b.step(shot, steps...)
		return b.text(`.verdict-title`) + " | " + b.text(`main`)
	}
	for _, c := range []struct {
		shot    string
		actions []chromedp.Action[chromedp.Void]
	}{
		{"verify-01-by-link", []chromedp.Action[chromedp.Void]{setValue(`#credential`, page)}},
		{"verify-02-by-baked-png", []chromedp.Action[chromedp.Void]{chromedp.SetUploadFiles(chromedp.CSS(`#file`), []string{pngFile})}},
		{"verify-03-by-pdf", []chromedp.Action[chromedp.Void]{chromedp.SetUploadFiles(chromedp.CSS(`#file`), []string{pdfFile})}},
	} {
		got := verdictOf(c.shot, c.actions...)
		if !strings.Contains(got, "✔ Verified") || !strings.Contains(got, a.Name) || !strings.Contains(got, "Lin Learner") {
			t.Errorf("%s: %s", c.shot, got)
		}
	}
}
