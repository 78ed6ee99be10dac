package web_test

import (
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/evidence"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

// mailedToken returns the token of the newest mail to `to` linking to
// prefix, from the store's outbox.
func (b *browserEnv) mailedToken(to, prefix string) string {
	b.t.Helper()
	mails, err := b.store.ListMail(context.Background(), 200)
	if err != nil {
		b.t.Fatal(err)
	}
	re := regexp.MustCompile(regexp.QuoteMeta(prefix) + `([A-Za-z0-9_.%-]+)`)
	for _, m := range mails {
		if m.To == to {
			if mm := re.FindStringSubmatch(m.Body); mm != nil {
				tok, err := url.PathUnescape(mm[1])
				if err != nil {
					b.t.Fatal(err)
				}
				return tok
			}
		}
	}
	b.t.Fatalf("no mail to %s linking to %s", to, prefix)
	return ""
}

// dropFlash removes the current page's flash message, so that a wait for
// the next page's flash does not match this one's.
func dropFlash() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[bool](`document.querySelectorAll(".flash").forEach((el) => el.remove()); true`)(ctx, t)
		return err
	})
}

func (b *browserEnv) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// signInAs signs email in through the login form.
func (b *browserEnv) signInAs(shot, email, password, then string) {
	b.t.Helper()
	b.step(shot,
		clearCookies(),
		chromedp.Navigate(b.base+"/login?next="+url.QueryEscape(then)),
		chromedp.WaitVisible(chromedp.CSS(`#email`)),
		setValue(`#email`, email),
		setValue(`#password`, password),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`main h1`)),
	)
}

// TestBrowserLearnerJourney walks a learner through a real Chromium: claim
// a credential from the issuance mail and set a password, see it in the
// wallet, import a credential from another issuer, share one by link and
// revoke the link; then apply for an evidence-based credential, submit,
// get asked for changes, resubmit, be approved by a reviewer and find the
// credential in the wallet.
func TestBrowserLearnerJourney(t *testing.T) {
	b := newBrowserEnv(t, browserOptions{})
	ctx := context.Background()
	a := catalog.DemoCatalogAt(b.base)[0].Achievements[0]
	a.StacksInto = nil
	entry, err := b.svc.SaveAchievement(ctx, b.org.ID, &a, b.owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	const learner, pw = "ada.learner@example.org", "ada's long passphrase"
	if _, _, err := b.svc.Issue(ctx, issue.Request{OrgID: b.org.ID, AchievementID: entry.Achievement.ID, RecipientEmail: learner,
		RecipientName: "Ada Learner", Notify: true, Actor: b.owner.ID}); err != nil {
		t.Fatal(err)
	}

	// 1. Claim from the mail: choose a password, land in the wallet.
	claim := b.mailedToken(learner, "/claim/")
	b.step("learner-01-claim",
		chromedp.Navigate(b.base+"/claim/"+url.PathEscape(claim)),
		chromedp.WaitVisible(chromedp.CSS(`#password`)),
		setValue(`#name`, "Ada Learner"),
		setValue(`#password`, pw),
		setValue(`#password_confirm`, pw),
		chromedp.Click(chromedp.CSS(`#pulse-yes`)),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.wallet-list`)),
	)
	if page := b.text(`main`); !strings.Contains(page, a.Name) || !strings.Contains(page, "✔ Verified") {
		t.Fatalf("wallet after claiming: %s", page)
	}

	// 2. Import a credential from another issuer.
	b.step("learner-02-import",
		setValue(`#credential`, foreignCredential(t)),
		dropFlash(),
		chromedp.Click(chromedp.CSS(`form[action="/wallet/import"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	if page := b.text(`main`); !strings.Contains(page, "Industry Academy") || strings.Count(page, "✔ Verified") < 2 {
		t.Fatalf("wallet after import: %s", page)
	}

	// 3. Share the first credential by link, open it, revoke it.
	b.step("learner-03-share-link",
		chromedp.Click(chromedp.CSS(`.wallet-item details summary`)),
		chromedp.Click(chromedp.CSS(`.wallet-item form[action="/wallet/share"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice-page`)),
	)
	m := regexp.MustCompile(`/s/[A-Za-z0-9_-]+`).FindString(b.text(`.notice-page`))
	if m == "" {
		t.Fatal("no share link shown")
	}
	b.step("learner-04-shared-page", chromedp.Navigate(b.base+m), chromedp.WaitVisible(chromedp.CSS(`.verdict-title`)))
	if v := b.text(`.verdict-title`); !strings.Contains(v, "Verified") {
		t.Errorf("shared page verdict %q", v)
	}
	b.step("learner-05-share-revoked",
		chromedp.Navigate(b.base+"/wallet"),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/revoke"] button`)),
		dropFlash(),
		chromedp.Click(chromedp.CSS(`form[action$="/revoke"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		chromedp.Navigate(b.base+m),
		chromedp.WaitVisible(chromedp.CSS(`main h1`)),
	)
	if page := b.text(`main`); !strings.Contains(page, "does not work") {
		t.Errorf("revoked share link shows: %s", page)
	}

	// 4. Evidence: the achievement asks for evidence; the learner applies.
	rubric, err := evidence.ParseRubric("Dashboard: Missing = 0; Good = 3\nExplanation: Unclear = 0; Clear = 2", 4)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := json.Marshal(evidence.Requirement{AchievementID: entry.Achievement.ID, OrgID: b.org.ID, Instructions: "Upload your dashboard and explain it.", Rubric: rubric, MaxFiles: 2})
	if err := b.store.PutEvidenceRequirement(ctx, store.EvidenceRequirement{AchievementID: entry.Achievement.ID, OrgID: b.org.ID, Document: req}); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(t.TempDir(), "dashboard.png")
	if err := os.WriteFile(shot, testPNG, 0o600); err != nil {
		t.Fatal(err)
	}
	b.step("learner-06-apply",
		chromedp.Navigate(b.base+"/achievements/"+entry.Achievement.ID),
		chromedp.WaitVisible(chromedp.CSS(`form[action^="/apply/"] button`)),
		chromedp.Click(chromedp.CSS(`form[action^="/apply/"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`#statement`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#file`), []string{shot}),
		chromedp.Click(chromedp.CSS(`form[action$="/files"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`ul.files`)),
		setValue(`#statement`, "A dashboard of harbour traffic."),
		dropFlash(),
		chromedp.Click(chromedp.CSS(`button[name="then"][value="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	appURL, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil || !strings.Contains(b.text(`main`), "Submitted") {
		t.Fatalf("after submitting: %v %s", err, b.text(`main`))
	}
	appID := appURL[strings.LastIndex(appURL, "/")+1:]

	// 5. The reviewer asks for changes.
	b.signInAs("reviewer-01-signed-in", b.owner.Email, testPassword, "/admin/orgs/"+b.org.Slug+"/reviews")
	b.step("reviewer-02-request-changes",
		chromedp.Click(chromedp.CSS(`a[href$="/reviews/`+appID+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#comment`)),
		setValue(`#comment`, "Explain how the colours were chosen."),
		dropFlash(),
		chromedp.Click(chromedp.CSS(`button[name="action"][value="request_changes"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)

	// 6. The learner reads the comment and resubmits.
	b.signInAs("learner-07-changes-requested", learner, pw, "/applications/"+appID)
	if page := b.text(`main`); !strings.Contains(page, "Explain how the colours were chosen.") {
		t.Fatalf("the learner does not see the reviewer's comment: %s", page)
	}
	b.step("learner-08-resubmit",
		setValue(`#statement`, "A dashboard of harbour traffic; colours follow a colour-blind safe palette."),
		dropFlash(),
		chromedp.Click(chromedp.CSS(`button[name="then"][value="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)

	// 7. The reviewer approves with passing scores.
	b.signInAs("reviewer-03-queue", b.owner.Email, testPassword, "/admin/orgs/"+b.org.Slug+"/reviews/"+appID)
	b.step("reviewer-04-approve",
		chromedp.Click(chromedp.CSS(`#score-c1-1`)),
		chromedp.Click(chromedp.CSS(`#score-c2-1`)),
		dropFlash(),
		chromedp.Click(chromedp.CSS(`button[name="action"][value="approve"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)

	// 8. The credential is in the learner's wallet.
	b.signInAs("learner-09-wallet", learner, pw, "/wallet")
	app, err := b.store.Application(ctx, appID)
	if err != nil || app.CredentialID == "" {
		t.Fatalf("application after approval: %+v %v", app, err)
	}
	if c, err := b.store.Credential(ctx, app.CredentialID); err != nil || !strings.Contains(c.Document, "dashboard.png") {
		t.Fatalf("awarded credential: %v", err)
	}
	if page := b.text(`main`); strings.Count(page, a.Name) < 2 {
		t.Errorf("the awarded credential is not in the wallet: %s", page)
	}
}
