package web_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/microcred/microcred/internal/auth"
	"github.com/microcred/microcred/internal/badge"
	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/endorse"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/testutil"
)

// phoneWidth is the CSS width of a common phone (iPhone 12 to 15).
const phoneWidth = 390

// axeSource returns axe-core's browser bundle from
// internal/web/testdata/axe, installing the locked version with npm ci
// when it is missing. With no npm the test cannot check accessibility, so
// it fails under CI and is skipped elsewhere.
func axeSource(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(testutil.RepoRoot(t), "internal", "web", "testdata", "axe")
	bundle := filepath.Join(dir, "node_modules", "axe-core", "axe.min.js")
	if _, err := os.Stat(bundle); err != nil {
		npm, err := exec.LookPath("npm")
		if err != nil {
			if os.Getenv("CI") != "" {
				t.Fatal("npm not found: cannot install axe-core for the accessibility checks")
			}
			t.Skip("npm not found: install npm to run the accessibility checks")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
		}
	}
	src, err := os.ReadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	return string(src)
}

// axeViolation is the part of an axe-core result the test reports.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any  `json:"target"`
		HTML   string `json:"html"`
	} `json:"nodes"`
}

// phonePage is one page of the phone-width walk.
type phonePage struct {
	name string
	path string
	// axe runs axe-core on the page (every page of the walks does).
	axe bool
	// before, when set, runs after the page loads and before the checks
	// (to submit a form and check its answer page).
	before []chromedp.Action[chromedp.Void]
}

// TestBrowserPhoneWidthAndAccessibility loads every public, learner and
// admin page in a 390 px wide viewport, asserts that nothing scrolls
// sideways, and runs axe-core on each, failing on any violation whatever
// its impact.
func TestBrowserPhoneWidthAndAccessibility(t *testing.T) {
	b := newBrowserEnv(t, browserOptions{})
	axe := axeSource(t)
	ctx := context.Background()

	// A learner with an account and a credential in the wallet, and the
	// demo catalog's first achievements in the organization.
	hash, err := auth.HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	learner, err := b.store.CreateUser(ctx, store.User{Email: "ada.learner@example.org", Name: "Ada Learner", PasswordHash: hash, IsLearner: true})
	if err != nil {
		t.Fatal(err)
	}
	var achievementID string
	for i, a := range catalog.DemoCatalogAt(b.base)[0].Achievements[:2] {
		a.StacksInto = nil
		entry, err := b.svc.SaveAchievement(ctx, b.org.ID, &a, b.owner.ID)
		if err != nil {
			t.Fatalf("save achievement %q: %v", a.Name, err)
		}
		if i == 0 {
			achievementID = entry.Achievement.ID
		}
	}
	c, _, err := b.svc.Issue(ctx, issue.Request{OrgID: b.org.ID, AchievementID: achievementID, RecipientEmail: learner.Email,
		RecipientName: learner.Name, Notify: true, Actor: b.owner.ID,
		Results: []issue.Result{{Value: "B+"}}, Identifiers: []issue.Identifier{{Type: "identifier", Value: "S-2024-0042"}}})
	if err != nil {
		t.Fatal(err)
	}
	credPath := "/c/" + b.svc.CredentialUUID(c.ID)
	// An accreditor's endorsement of the achievement, shown on its pages.
	agency, err := b.svc.CreateOrganization(ctx, store.Organization{Name: "Quality Agency", Slug: "quality-agency", URL: "https://qa.example",
		Email: "office@qa.example"}, b.owner.ID, b.owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	endorsement, err := (&endorse.Service{Store: b.store, Issuer: b.svc}).Issue(ctx, endorse.Request{OrgID: agency.ID, AchievementID: achievementID,
		Comment: "Meets the agency's framework for short courses.", Actor: b.owner.ID})
	if err != nil {
		t.Fatal(err)
	}
	credJSON := string(c.Document)

	b.do("phone viewport", chromedp.EmulateViewport(phoneWidth, 844))
	submit := chromedp.Click(chromedp.CSS(`main form button[type="submit"]`))

	public := []phonePage{
		{name: "home", path: "/", axe: true},
		{name: "catalog", path: "/catalog", axe: true},
		{name: "achievement", path: "/achievements/" + achievementID, axe: true},
		{name: "org-profile", path: "/orgs/harbour", axe: true},
		{name: "credential", path: credPath, axe: true},
		{name: "endorsement", path: "/endorsements/" + strings.TrimPrefix(endorsement.ID, "urn:uuid:"), axe: true},
		{name: "verify", path: "/verify", axe: true},
		{name: "verify-result", path: "/verify", axe: true, before: []chromedp.Action[chromedp.Void]{
			chromedp.SetValue(chromedp.CSS(`#credential`), credJSON), submit, chromedp.WaitVisible(chromedp.CSS(`.verdict`)),
		}},
		{name: "verify-error", path: "/verify", axe: true, before: []chromedp.Action[chromedp.Void]{
			chromedp.SetValue(chromedp.CSS(`#credential`), "not a credential"), submit, chromedp.WaitVisible(chromedp.CSS(`.errors`)),
		}},
		{name: "login", path: "/login", axe: true},
		{name: "login-error", path: "/login", axe: true, before: []chromedp.Action[chromedp.Void]{
			setValue(`#email`, "nobody@example.org"), setValue(`#password`, "wrong password"),
			submit, chromedp.WaitVisible(chromedp.CSS(`main .field-error`)),
		}},
		{name: "signup", path: "/signup", axe: true},
		{name: "reset", path: "/reset", axe: true},
		{name: "privacy", path: "/privacy", axe: true},
		{name: "not-found", path: "/no-such-page", axe: true},
	}
	learnerPages := []phonePage{
		{name: "wallet", path: "/wallet", axe: true},
		{name: "account", path: "/account", axe: true},
		{name: "applications", path: "/applications", axe: true},
		{name: "present", path: "/wallet/present", axe: true},
		{name: "pathways-public", path: "/pathways", axe: true},
		{name: "transparency", path: "/transparency", axe: true},
		{name: "credential-as-learner", path: credPath, axe: true},
	}
	org := "/admin/orgs/harbour"
	admin := []phonePage{
		{name: "admin", path: "/admin", axe: true},
		{name: "org-new", path: "/admin/orgs/new", axe: true},
		{name: "outbox", path: "/admin/outbox", axe: true},
		{name: "org", path: org, axe: true},
		{name: "members", path: org + "/members", axe: true},
		{name: "keys", path: org + "/keys", axe: true},
		{name: "clients", path: org + "/clients", axe: true},
		{name: "achievements", path: org + "/achievements", axe: true},
		{name: "achievement-new", path: org + "/achievements/new", axe: true},
		{name: "achievement-new-errors", path: org + "/achievements/new", axe: true, before: []chromedp.Action[chromedp.Void]{
			submit, chromedp.WaitVisible(chromedp.CSS(`.errors`)),
		}},
		{name: "achievement-edit", path: org + "/achievements/" + achievementID + "/edit", axe: true},
		{name: "evidence-requirement", path: org + "/achievements/" + achievementID + "/evidence", axe: true},
		{name: "issue", path: org + "/issue", axe: true},
		{name: "issue-errors", path: org + "/issue", axe: true, before: []chromedp.Action[chromedp.Void]{
			submit, chromedp.WaitVisible(chromedp.CSS(`.errors`)),
		}},
		{name: "bulk", path: org + "/bulk", axe: true},
		{name: "badge-designer", path: org + "/achievements/" + achievementID + "/badge", axe: true},
		{name: "credentials", path: org + "/credentials", axe: true},
		{name: "reviews", path: org + "/reviews", axe: true},
		{name: "audit", path: org + "/audit", axe: true},
		{name: "impact", path: org + "/impact", axe: true},
		{name: "pathways-admin", path: org + "/pathways", axe: true},
		{name: "endorsements-admin", path: org + "/endorsements", axe: true},
		{name: "org-outbox", path: org + "/outbox", axe: true},
		{name: "credential-as-issuer", path: credPath, axe: true},
	}

	check := func(p phonePage) {
		t.Helper()
		checkPhonePage(t, b, axe, p)
	}

	b.do("anonymous", clearCookies())
	for _, p := range public {
		check(p)
		if p.name == "credential" {
			// The result and the student number are shown, named.
			page := evalJS[string](b, "credential text", `document.querySelector("section.meaning").innerText`)
			for _, want := range []string{"B+", "S-2024-0042", "Learner identifier"} {
				if !strings.Contains(page, want) {
					t.Errorf("credential page lacks %q:\n%s", want, page)
				}
			}
		}
	}
	b.do("learner sign-in",
		chromedp.Navigate(b.base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#email`)),
		setValue(`#email`, learner.Email),
		setValue(`#password`, testPassword),
		submit,
		chromedp.WaitVisible(chromedp.CSS(`a[href="/wallet"]`)),
	)
	for _, p := range learnerPages {
		check(p)
	}
	b.do("learner sign-out", clearCookies())
	b.do("owner sign-in",
		chromedp.Navigate(b.base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#email`)),
		setValue(`#email`, b.owner.Email),
		setValue(`#password`, testPassword),
		submit,
		chromedp.WaitVisible(chromedp.CSS(`a[href="/admin/orgs/`+b.org.Slug+`"]`)),
	)
	for _, p := range admin {
		check(p)
	}

	// The error summary of the issuing form names the field by its label,
	// links to it and has the focus; the field is marked invalid and
	// described by its message.
	b.do("issue with errors", chromedp.Navigate(b.base+org+"/issue"), chromedp.WaitVisible(chromedp.CSS(`#recipient_email`)), submit,
		chromedp.WaitVisible(chromedp.CSS(`#error-summary a[href="#recipient_email"]`)))
	got := evalJS[map[string]string](b, "error summary", `(() => {
		const f = document.getElementById("recipient_email");
		const d = (f.getAttribute("aria-describedby") || "").split(" ").map((id) => document.getElementById(id)).filter(Boolean);
		return {link: document.querySelector('#error-summary a[href="#recipient_email"]').textContent,
			focus: document.activeElement.id, invalid: f.getAttribute("aria-invalid") || "",
			described: d.map((el) => el.textContent).join(" | ")};
	})()`)
	if got["link"] != "Recipient email" || got["focus"] != "error-summary" || got["invalid"] != "true" || got["described"] == "" {
		t.Errorf("issue form errors: summary link %q, focus on %q, aria-invalid %q, described by %q; want the label, the summary, true and the message",
			got["link"], got["focus"], got["invalid"], got["described"])
	}
}

// checkPhonePage loads p in the current (phone-width) viewport, runs its
// before actions, fails if anything scrolls sideways and, when p.axe is
// set, runs axe-core and fails on every violation whatever its impact.
func checkPhonePage(t *testing.T, b *browserEnv, axe string, p phonePage) {
	t.Helper()
	actions := append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(b.base + p.path), chromedp.WaitReady(chromedp.CSS(`body`))}, p.before...)
	b.step("phone-"+p.name, actions...)
	noSidewaysScroll(t, b, p.name+" ("+p.path+")", phoneWidth)
	if p.axe {
		axeCheck(t, b, axe, p.name+" ("+p.path+")")
	}
}

// axeCheck runs axe-core on the page in b and fails the test on every
// violation, whatever its impact.
func axeCheck(t *testing.T, b *browserEnv, axe, name string) {
	t.Helper()
	if !evalJS[bool](b, "axe loaded", `typeof window.axe === "object"`) {
		evalJS[bool](b, "inject axe", axe+"\n;true")
	}
	raw := evalJS[string](b, name+": axe", `axe.run(document, {resultTypes: ["violations"]}).then((r) => JSON.stringify(r.violations))`,
		chromedp.EvalAwaitPromise)
	var vs []axeViolation
	if err := json.Unmarshal([]byte(raw), &vs); err != nil {
		t.Fatalf("%s: axe result: %v", name, err)
	}
	for _, v := range vs {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, fmt.Sprint(n.Target)+" "+n.HTML)
		}
		t.Errorf("%s: axe %s (%s): %s\n\t%s", name, v.ID, v.Impact, v.Help, strings.Join(where, "\n\t"))
	}
}

// TestBrowserRevokedCredentialPage: the issuer revokes a credential
// through the management page; its public page then says so and offers
// no LinkedIn button or other sharing, at desktop and at phone width.
func TestBrowserRevokedCredentialPage(t *testing.T) {
	b := newBrowserEnv(t, browserOptions{})
	ctx := context.Background()
	a := catalog.DemoCatalogAt(b.base)[0].Achievements[0]
	a.StacksInto = nil
	entry, err := b.svc.SaveAchievement(ctx, b.org.ID, &a, b.owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := b.svc.Issue(ctx, issue.Request{OrgID: b.org.ID, AchievementID: entry.Achievement.ID, RecipientEmail: "ada.learner@example.org",
		RecipientName: "Ada Learner", Actor: b.owner.ID})
	if err != nil {
		t.Fatal(err)
	}
	uuid := b.svc.CredentialUUID(c.ID)
	page := b.base + "/c/" + uuid

	b.step("revoked-01-before",
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.CSS(`#share-linkedin`)),
	)
	b.signIn("revoked-02-signed-in")
	b.step("revoked-03-revoked",
		chromedp.Navigate(b.base+"/admin/orgs/harbour/credentials/"+uuid),
		chromedp.WaitVisible(chromedp.CSS(`#reason-revoke`)),
		setValue(`#reason-revoke`, "Issued to the wrong learner"),
		chromedp.Click(chromedp.CSS(`form[action$="/revoke"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.status-revoked`)),
	)
	for _, width := range []int64{1280, phoneWidth} {
		name := fmt.Sprintf("revoked-04-public-%dpx", width)
		b.step(name,
			clearCookies(),
			chromedp.EmulateViewport(width, 900),
			chromedp.Navigate(page),
			chromedp.WaitVisible(chromedp.CSS(`.status-revoked`)),
		)
		n := evalJS[int](b, "sharing links", `document.querySelectorAll('#share-linkedin, #share-email, a[href*="linkedin"], a[href*="/share/"]').length`)
		if n != 0 {
			t.Errorf("%s: the revoked credential's page offers %d sharing links", name, n)
		}
		verdict := evalJS[string](b, "verdict", `document.querySelector(".verdict-title").textContent`)
		if strings.Contains(verdict, "✔ Verified") {
			t.Errorf("%s: verdict %q for a revoked credential", name, verdict)
		}
		if w := evalJS[int](b, "width", `document.documentElement.scrollWidth`); w > int(width) {
			t.Errorf("%s: page is %d px wide", name, w)
		}
	}
}

// TestBrowserBadgeDesigner: an issuer designs a badge (shape, colours,
// text); the achievement page then shows it, as drawn on the server.
func TestBrowserBadgeDesigner(t *testing.T) {
	b := newBrowserEnv(t, browserOptions{})
	ctx := context.Background()
	a := catalog.DemoCatalogAt(b.base)[0].Achievements[0]
	a.StacksInto, a.Image = nil, nil
	entry, err := b.svc.SaveAchievement(ctx, b.org.ID, &a, b.owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	id := entry.Achievement.ID
	b.signIn("designer-01-signed-in")
	b.step("designer-02-form",
		chromedp.Navigate(b.base+"/admin/orgs/harbour/achievements/"+id+"/badge"),
		chromedp.WaitVisible(chromedp.CSS(`#designer`)),
		chromedp.Click(chromedp.CSS(`#designer input[name="shape"][value="hexagon"]`)),
		setValue(`#fill`, "#0b6e4f"),
		setValue(`#border`, "#f4d35e"),
		setValue(`#text`, "#ffffff"),
		setValue(`#title`, "DataViz"),
	)
	b.step("designer-03-saved",
		chromedp.Click(chromedp.CSS(`#designer button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`article.achievement img.badge-image`)),
	)
	src := evalJS[string](b, "badge src", `document.querySelector("article.achievement img.badge-image").getAttribute("src")`)
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(src, "data:image/svg+xml;base64,"))
	if err != nil || !strings.HasPrefix(src, "data:image/svg+xml;base64,") {
		t.Fatalf("badge src %.60q: %v", src, err)
	}
	d, ok := badge.DesignOf(raw)
	if !ok || d.Shape != badge.Hexagon || d.Fill != "#0b6e4f" || d.Title != "DataViz" {
		t.Errorf("saved design = %+v (%v), want a green hexagon reading DataViz", d, ok)
	}
	if w := evalJS[int](b, "image width", `document.querySelector("article.achievement img.badge-image").naturalWidth`); w != 256 {
		t.Errorf("the browser drew the badge %d px wide, want 256", w)
	}
}

// TestBrowserCredentialPrintsOnOneA4Page prints the credential page with
// its print stylesheet, as a browser's "Print" would, and counts the pages.
func TestBrowserCredentialPrintsOnOneA4Page(t *testing.T) {
	b := newBrowserEnv(t, browserOptions{})
	ctx := context.Background()
	a := catalog.DemoCatalogAt(b.base)[0].Achievements[0]
	a.StacksInto = nil
	entry, err := b.svc.SaveAchievement(ctx, b.org.ID, &a, b.owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := b.svc.Issue(ctx, issue.Request{OrgID: b.org.ID, AchievementID: entry.Achievement.ID, RecipientEmail: "ada.learner@example.org",
		RecipientName: "Ada Learner", Actor: b.owner.ID, Results: []issue.Result{{Value: "8.5"}}})
	if err != nil {
		t.Fatal(err)
	}
	b.do("open", chromedp.Navigate(b.base+"/c/"+b.svc.CredentialUUID(c.ID)), chromedp.WaitVisible(chromedp.CSS(`.verdict`)))
	var pdf []byte
	b.do("print", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		css := true
		res, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: &css})
		pdf = res.Data
		return err
	}))
	if err := os.WriteFile(filepath.Join(b.shots, "print-credential.pdf"), pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	pages := regexp.MustCompile(`/Type\s*/Page[^s]`).FindAll(pdf, -1)
	if len(pages) != 1 {
		t.Errorf("the credential page prints on %d pages, want 1", len(pages))
	}
	if !strings.Contains(string(pdf), "/MediaBox [0 0 59") {
		t.Errorf("the printout is not A4")
	}
}

// TestBrowserPhoneWidthLinkPages walks, at phone width and with axe-core,
// the pages a person reaches only through a link made for them: the claim,
// invitation, sign-up and password-reset links from the mails, a shared
// credential and the public profile, the embeddable card, and the
// registrar's page of one credential.
func TestBrowserPhoneWidthLinkPages(t *testing.T) {
	b := newBrowserEnv(t, browserOptions{})
	axe := axeSource(t)
	ctx := context.Background()
	a := catalog.DemoCatalogAt(b.base)[0].Achievements[0]
	a.StacksInto = nil
	entry, err := b.svc.SaveAchievement(ctx, b.org.ID, &a, b.owner.ID)
	if err != nil {
		t.Fatal(err)
	}
	hash, err := auth.HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	learner, err := b.store.CreateUser(ctx, store.User{Email: "ada.learner@example.org", Name: "Ada Learner", PasswordHash: hash, IsLearner: true})
	if err != nil {
		t.Fatal(err)
	}
	held, _, err := b.svc.Issue(ctx, issue.Request{OrgID: b.org.ID, AchievementID: entry.Achievement.ID, RecipientEmail: learner.Email,
		RecipientName: learner.Name, Actor: b.owner.ID})
	if err != nil {
		t.Fatal(err)
	}
	// A credential for someone with no account yet: its mail links to the
	// claim page.
	if _, _, err := b.svc.Issue(ctx, issue.Request{OrgID: b.org.ID, AchievementID: entry.Achievement.ID, RecipientEmail: "new.learner@example.org",
		RecipientName: "Nia Newcomer", Notify: true, Actor: b.owner.ID}); err != nil {
		t.Fatal(err)
	}
	uuid := b.svc.CredentialUUID(held.ID)
	submit := chromedp.Click(chromedp.CSS(`main form button[type="submit"]`))
	check := func(p phonePage) {
		t.Helper()
		checkPhonePage(t, b, axe, p)
	}

	// The mails: a sign-up and a password reset asked for anonymously, an
	// invitation sent by the owner.
	b.do("phone viewport", chromedp.EmulateViewport(phoneWidth, 844))
	b.do("ask for a sign-up link", clearCookies(), chromedp.Navigate(b.base+"/signup"), chromedp.WaitVisible(chromedp.CSS(`#email`)),
		setValue(`#email`, "grace@example.org"), submit, chromedp.WaitVisible(chromedp.CSS(`.notice-page`)))
	b.do("ask for a reset link", chromedp.Navigate(b.base+"/reset"), chromedp.WaitVisible(chromedp.CSS(`#email`)),
		setValue(`#email`, b.owner.Email), submit, chromedp.WaitVisible(chromedp.CSS(`.notice-page`)))
	b.signInAs("phone-links-owner", b.owner.Email, testPassword, "/admin/orgs/"+b.org.Slug+"/members")
	b.do("invite a member", setValue(`#m-email`, "new.member@example.org"), setValue(`#m-name`, "Mo Member"),
		dropFlash(), chromedp.Click(chromedp.CSS(`form[action$="/members"] button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	check(phonePage{name: "credential-admin", path: "/admin/orgs/" + b.org.Slug + "/credentials/" + uuid, axe: true})

	b.do("anonymous", clearCookies())
	for _, p := range []phonePage{
		{name: "claim", path: "/claim/" + b.mailedToken("new.learner@example.org", "/claim/"), axe: true},
		{name: "claim-errors", path: "/claim/" + b.mailedToken("new.learner@example.org", "/claim/"), axe: true,
			before: []chromedp.Action[chromedp.Void]{setValue(`#password`, "short"), submit, chromedp.WaitVisible(chromedp.CSS(`.errors`))}},
		{name: "invitation", path: "/invite/" + b.mailedToken("new.member@example.org", "/invite/"), axe: true},
		{name: "signup-link", path: "/signup/" + b.mailedToken("grace@example.org", "/signup/"), axe: true},
		{name: "reset-link", path: "/reset/" + b.mailedToken(b.owner.Email, "/reset/"), axe: true},
		{name: "embed", path: "/c/" + uuid + "/embed", axe: true},
	} {
		check(p)
	}

	// The learner shares a credential by link and opens a public profile.
	b.signInAs("phone-links-learner", learner.Email, testPassword, "/wallet")
	b.do("share by link",
		chromedp.Click(chromedp.CSS(`.wallet-item details summary`)),
		chromedp.Click(chromedp.CSS(`.wallet-item form[action="/wallet/share"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice-page`)),
	)
	shared := regexp.MustCompile(`/s/[A-Za-z0-9_-]+`).FindString(b.text(`.notice-page`))
	if shared == "" {
		t.Fatal("no share link shown")
	}
	b.do("choose a profile address", chromedp.Navigate(b.base+"/wallet"), chromedp.WaitVisible(chromedp.CSS(`#handle`)),
		setValue(`#handle`, "ada-learner"), dropFlash(), chromedp.Click(chromedp.CSS(`form[action="/wallet/profile"] button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	check(phonePage{name: "wallet-pathways", path: "/wallet/pathways", axe: true})
	b.do("anonymous again", clearCookies())
	check(phonePage{name: "shared", path: shared, axe: true})
	check(phonePage{name: "public-profile", path: "/u/ada-learner", axe: true})
}
