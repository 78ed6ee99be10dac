package web_test

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/microcred/microcred/internal/auth"
	"github.com/microcred/microcred/internal/bulk"
	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/issue"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/testutil"
	"github.com/microcred/microcred/internal/web"
)

// findChromium returns the browser to drive: $MICROCRED_CHROMIUM, else the
// first of chromium, chromium-browser and google-chrome on PATH.
func findChromium() string {
	if p := os.Getenv("MICROCRED_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// artifactsDir is where screenshots go: $MICROCRED_ARTIFACTS, else
// test-artifacts/browser under the repository root (git-ignored).
func artifactsDir(t *testing.T) string {
	if d := os.Getenv("MICROCRED_ARTIFACTS"); d != "" {
		return d
	}
	return filepath.Join(testutil.RepoRoot(t), "test-artifacts", "browser")
}

// browserEnv is a real server on a loopback port over a fresh SQLite
// database, with one organization (Harbour College, slug harbour) and its
// owner, and a headless Chromium to drive it.
type browserEnv struct {
	t     *testing.T
	base  string
	store store.Store
	svc   *issue.Service
	org   store.Organization
	owner store.User
	// ctx is the browser tab. It has no deadline, since a deadline on the
	// first run would bound the browser's life; each step bounds its own.
	ctx   context.Context
	shots string
}

// browserOptions adjust the server of a browserEnv.
type browserOptions struct {
	// issuerStore, when set, wraps the store the issuance service writes
	// through (the handlers keep the store itself).
	issuerStore func(store.Store) store.Store
	// bulkWorkers, when positive, runs bulk jobs with that many workers
	// instead of the default.
	bulkWorkers int
}

// requireChromium returns the browser to drive, skipping the test when
// there is none (outside CI) or in -short mode.
func requireChromium(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	browser := findChromium()
	if browser == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("no Chromium found (set MICROCRED_CHROMIUM or install the chromium package); CI must run the browser test")
		}
		t.Skip("no Chromium found: install the Debian package chromium or set MICROCRED_CHROMIUM to run the browser test")
	}
	return browser
}

// newBrowserEnv starts the server, seeds the organization and its owner
// and starts the browser; everything stops when the test ends.
func newBrowserEnv(t *testing.T, opt browserOptions) *browserEnv {
	t.Helper()
	browser := requireChromium(t)
	shots := artifactsDir(t)
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}

	// The real server on a loopback port; the base URL must be known before
	// the issuance service is built, so the listener comes first.
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	st := openStore(t)
	issuerStore := st
	if opt.issuerStore != nil {
		issuerStore = opt.issuerStore(st)
	}
	svc := newService(t, issuerStore, base)
	cfg := web.Config{Store: st, Issuer: svc, BaseURL: base, Logger: testLogger(t), BulkDir: t.TempDir()}
	if opt.bulkWorkers > 0 {
		m := &bulk.Manager{Runner: &bulk.Runner{Store: st, Issuer: svc, Workers: opt.bulkWorkers}, Logger: testLogger(t)}
		// Registered after the store's cleanup, so it runs before it: the
		// jobs stop before the database closes.
		t.Cleanup(m.Close)
		cfg.Bulk = m
	}
	h, err := web.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = h
	srv.Start()
	t.Cleanup(srv.Close)

	ctx := context.Background()
	hash, err := auth.HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	owner, err := st.CreateUser(ctx, store.User{Email: "owner@example.edu", Name: "Olga Owner", PasswordHash: hash})
	if err != nil {
		t.Fatal(err)
	}
	org, err := svc.CreateOrganization(ctx, store.Organization{Name: "Harbour College", Slug: "harbour", URL: "https://harbour.example.edu",
		Email: "office@harbour.example.edu", Country: "NL"}, owner.ID, owner.ID)
	if err != nil {
		t.Fatal(err)
	}

	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(browser),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start %s: %v", browser, err)
	}
	return &browserEnv{t: t, base: base, store: st, svc: svc, org: org, owner: owner, ctx: bctx, shots: shots}
}

// step runs actions in the browser, failing the test on an error, and
// saves a full-page screenshot named name.png.
func (b *browserEnv) step(name string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	b.do(name, actions...)
	b.screenshot(name)
}

// do runs actions in the browser within a minute, failing the test on an
// error.
func (b *browserEnv) do(name string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	sctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		b.t.Fatalf("step %s: %v", name, err)
	}
}

// screenshot saves a full-page screenshot of the tab as name.png.
func (b *browserEnv) screenshot(name string) {
	b.t.Helper()
	sctx, cancel := context.WithTimeout(b.ctx, 60*time.Second)
	defer cancel()
	png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("step %s: screenshot: %v", name, err)
	}
	path := filepath.Join(b.shots, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot %s", path)
}

// signIn signs the owner in through the login form.
func (b *browserEnv) signIn(shot string) {
	b.t.Helper()
	b.step(shot,
		chromedp.Navigate(b.base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#email`)),
		setValue(`#email`, b.owner.Email),
		setValue(`#password`, testPassword),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/admin/orgs/`+b.org.Slug+`"]`)),
	)
}

// setValue sets the value of the form field sel.
func setValue(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.SetValue(chromedp.CSS(sel), value)
}

// clearCookies drops the browser's cookies, so that the next page is seen
// by an anonymous visitor.
func clearCookies() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{})
		return err
	})
}

// TestBrowserIssueFlow drives a real headless Chromium through the whole
// issuer journey: sign in, create an achievement, issue a credential, open
// its public page as an anonymous visitor and see it verified.
func TestBrowserIssueFlow(t *testing.T) {
	b := newBrowserEnv(t, browserOptions{})
	base, bctx := b.base, b.ctx
	step, set := b.step, setValue
	submit := chromedp.Click(chromedp.CSS(`main form button[type="submit"]`))

	b.signIn("01-signed-in")

	escoURI, escoName := firstESCOSkill(t)

	const achName = "Applied Data Visualisation"
	step("02-achievement-created",
		chromedp.Navigate(base+"/admin/orgs/harbour/achievements/new"),
		chromedp.WaitVisible(chromedp.CSS(`#name`)),
		set(`#name`, achName),
		set(`#description`, "Design honest charts and dashboards for decision makers."),
		set(`#achievementType`, "MicroCredential"),
		set(`#criteria`, "Pass the portfolio assessment of three dashboards."),
		set(`#tag`, "data, visualisation"),
		set(`#learningOutcomes`, "Choose a chart type for an analytical question\nCritique a dashboard for misleading encodings"),
		set(`#hours`, "60"),
		set(`#ects`, "2"),
		set(`#eqfLevel`, "5"),
		set(`#assessmentType`, "portfolio"),
		chromedp.Click(chromedp.CSS(`input[name="assessment.identityVerified"]`)),
		set(`#assessmentDescription`, "Three dashboards, reviewed by two assessors."),
		set(`#participation`, "online"),
		set(`#qaBody`, "Harbour College Quality Office"),
		set(`#qaDescription`, "Programme review under the national accreditation framework."),
		set(`#country`, "NL"),
		set(`select[name="creditRecommendations[0].framework"]`, "ECTS"),
		set(`input[name="creditRecommendations[0].amount"]`, "2"),
		set(`input[name="creditRecommendations[0].level"]`, "first cycle"),
		set(`input[name="creditRecommendations[0].recommendingBody"]`, "Harbour College Examination Board"),
		set(`select[name="skills[0].framework"]`, "ESCO"),
		set(`input[name="skills[0].ref"]`, escoURI),
		set(`input[name="skills[0].name"]`, escoName),
		submit,
		chromedp.WaitVisible(chromedp.CSS(`article.achievement h1`)),
	)
	title, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(`article.achievement h1`)))
	if err != nil || title != achName {
		t.Fatalf("achievement page title = %q, %v", title, err)
	}

	step("03-issued",
		chromedp.Click(chromedp.CSS(`a[href*="/issue?achievement="]`)),
		chromedp.WaitVisible(chromedp.CSS(`#recipient_email`)),
		set(`#recipient_email`, "ada.learner@example.org"),
		set(`#recipient_name`, "Ada Learner"),
		set(`#narrative`, "Built three dashboards for the harbour authority."),
		submit,
		chromedp.WaitVisible(chromedp.CSS(`.verdict`)),
	)
	loc, err := chromedp.Run(bctx, chromedp.Location())
	if err != nil || !strings.HasPrefix(loc, base+"/c/") {
		t.Fatalf("after issuing the browser is at %q (%v), want the credential page", loc, err)
	}

	// The public page as an anonymous visitor: no cookies.
	step("04-public-page-verified",
		clearCookies(),
		chromedp.Navigate(loc),
		chromedp.WaitVisible(chromedp.CSS(`.verdict-title`)),
	)
	verdict, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(`.verdict-title`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(verdict, "Verified") || strings.Contains(verdict, "Not verified") {
		t.Errorf("public page verdict = %q, want Verified", verdict)
	}
	page, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(`main`)))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{achName, "Ada Learner", "Harbour College"} {
		if !strings.Contains(page, want) {
			t.Errorf("public page lacks %q", want)
		}
	}
	if nav, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(`header.site`))); err != nil || !strings.Contains(nav, "Sign in") {
		t.Errorf("public page was not viewed anonymously: header %q, %v", nav, err)
	}
}

// firstESCOSkill returns a real ESCO skill from the demo catalog.
func firstESCOSkill(t *testing.T) (uri, name string) {
	for _, o := range catalog.DemoCatalog() {
		for _, a := range o.Achievements {
			for _, s := range a.Skills {
				if s.Framework == catalog.SkillFrameworkESCO && s.URI != "" {
					return s.URI, s.Name
				}
			}
		}
	}
	t.Fatal("the demo catalog has no ESCO skill")
	return "", ""
}
