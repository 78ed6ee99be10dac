package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
)

// TestBrowserEndorsement drives a real headless Chromium through an
// endorsement: an accreditor's owner makes a mistake on the form (the
// summary names the field by its label), endorses another college's
// achievement, and the endorsement then shows, verified, on the
// achievement's page, on a credential of it and on its own page, at
// desktop width and at 390 px, with no axe-core violation; withdrawn, it
// says so.
func TestBrowserEndorsement(t *testing.T) {
	b := newBrowserEnv(t, browserOptions{})
	axe := axeSource(t)
	ctx := context.Background()
	a := catalog.DemoCatalogAt(b.base)[0].Achievements[0]
	a.StacksInto = nil
	entry, err := b.svc.SaveAchievement(ctx, b.org.ID, &a, b.owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := b.svc.Issue(ctx, issue.Request{OrgID: b.org.ID, AchievementID: entry.Achievement.ID, RecipientEmail: "ada@example.org",
		RecipientName: "Ada Learner", Actor: b.owner.ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.CreateOrganization(ctx, store.Organization{Name: "Quality Agency", Slug: "quality-agency", URL: "https://qa.example",
		Email: "office@qa.example"}, b.owner.ID, b.owner.ID); err != nil {
		t.Fatal(err)
	}
	b.signIn("endorse-01-signed-in")
	admin := b.base + "/admin/orgs/quality-agency/endorsements"
	submit := chromedp.Click(chromedp.CSS(`form[action$="/endorsements"] button[type="submit"]`))
	b.step("endorse-02-error",
		chromedp.Navigate(admin),
		chromedp.WaitVisible(chromedp.CSS(`#achievement`)),
		chromedp.SetValue(chromedp.CSS(`#achievement`), entry.Achievement.ID),
		submit,
		chromedp.WaitVisible(chromedp.CSS(`#error-summary a[href="#comment"]`)),
	)
	if link := evalJS[string](b, "summary link", `document.querySelector('#error-summary a[href="#comment"]').textContent`); link != "Your endorsement, in your words" {
		t.Errorf("the error summary names the field %q", link)
	}
	axeCheck(t, b, axe, "endorsements form with errors")
	const words = "Meets the agency's framework for short courses."
	b.step("endorse-03-issued",
		chromedp.SetValue(chromedp.CSS(`#achievement`), entry.Achievement.ID),
		setValue(`#comment`, words),
		submit,
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	if flash := evalJS[string](b, "flash", `document.querySelector(".flash").textContent`); !strings.Contains(flash, "Endorsement issued: Quality Agency endorses "+a.Name) {
		t.Errorf("flash = %q", flash)
	}
	given, err := b.store.ListEndorsements(ctx, store.EndorsementQuery{SubjectAchievementID: entry.Achievement.ID})
	if err != nil || len(given) != 1 {
		t.Fatalf("endorsements = %v, %v", given, err)
	}
	pages := []struct{ name, path string }{
		{"achievement", "/achievements/" + entry.Achievement.ID},
		{"credential", "/c/" + b.svc.CredentialUUID(c.ID)},
		{"endorsement", "/endorsements/" + strings.TrimPrefix(given[0].ID, "urn:uuid:")},
		{"admin", "/admin/orgs/quality-agency/endorsements"},
	}
	walk := func(width string, wantLabel string) {
		for _, p := range pages {
			name := "endorse-" + width + "-" + p.name
			b.step(name, chromedp.Navigate(b.base+p.path), chromedp.WaitVisible(chromedp.CSS(`.endorsement-verdict`)))
			text := evalJS[string](b, name+" text", `document.querySelector("main").innerText`)
			for _, want := range []string{words, wantLabel} {
				if !strings.Contains(text, want) {
					t.Errorf("%s at %s: the page lacks %q", p.name, width, want)
				}
			}
			if w := evalJS[int](b, name+" width", `document.documentElement.scrollWidth`); width == "phone" && w > phoneWidth {
				t.Errorf("%s: the page is %d px wide at a %d px viewport", p.name, w, phoneWidth)
			}
			if p.name != "admin" || width == "phone" {
				axeCheck(t, b, axe, name)
			}
		}
	}
	walk("desktop", "Verified")
	b.do("phone viewport", chromedp.EmulateViewport(phoneWidth, 844))
	walk("phone", "Verified")

	// The technical detail is folded away until asked for.
	b.do("open detail", chromedp.Navigate(b.base+pages[0].path), chromedp.WaitVisible(chromedp.CSS(`.endorsement-verdict`)))
	if open := evalJS[bool](b, "details", `document.querySelector(".endorsement details").open`); open {
		t.Error("the technical detail is open by default")
	}

	b.step("endorse-withdraw",
		chromedp.Navigate(admin),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/withdraw"] button`)),
		chromedp.Click(chromedp.CSS(`form[action$="/withdraw"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	walk("phone-withdrawn", "Withdrawn")
}
