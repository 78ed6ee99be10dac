package web_test

import (
	"context"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/microcred/microcred/internal/web"
)

// TestBrowserSetupToken drives a real headless Chromium through the first
// run of a server that asks for a setup token: the form shows the token
// field, a wrong token is refused with a message on that field, and the
// right one creates the owner and the organization.
func TestBrowserSetupToken(t *testing.T) {
	browser := requireChromium(t)
	shots := artifactsDir(t)
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	const token = "k7x2m9q4w8e5r1t6y3u0i2o7p4"
	srv := httptest.NewUnstartedServer(nil)
	base := "http://" + srv.Listener.Addr().String()
	st := openStore(t)
	svc := newService(t, st, base)
	h, err := web.New(web.Config{Store: st, Issuer: svc, BaseURL: base, Logger: testLogger(t), BulkDir: t.TempDir(), SetupToken: token})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = h
	srv.Start()
	t.Cleanup(srv.Close)

	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(browser), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("disable-background-networking", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	t.Cleanup(cancelAlloc)
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	// The first action starts the browser; without a deadline, so that no
	// step's deadline bounds the browser's life.
	if err := chromedp.Do(bctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start %s: %v", browser, err)
	}
	b := &browserEnv{t: t, base: base, store: st, svc: svc, ctx: bctx, shots: shots}

	fill := func(tok string) []chromedp.Action[chromedp.Void] {
		return []chromedp.Action[chromedp.Void]{
			setValue(`#setup_token`, tok),
			setValue(`#owner_name`, "Rosa Registrar"),
			setValue(`#owner_email`, "rosa@harbour.example.edu"),
			setValue(`#password`, testPassword),
			setValue(`#password_confirm`, testPassword),
			setValue(`#name`, "Harbour College"),
			setValue(`#slug`, "harbour"),
			setValue(`#country`, "NL"),
			chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
		}
	}
	b.step("setup-01-form", chromedp.Navigate(base+"/setup"), chromedp.WaitVisible(chromedp.CSS(`#setup_token`)))
	b.step("setup-02-wrong-token", append(fill("not-the-token"), chromedp.WaitVisible(chromedp.CSS(`.field-error`)))...)
	page, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(`main`)))
	if err != nil || !strings.Contains(page, "Enter the setup token that microcred printed") {
		t.Fatalf("wrong token: page says %q (%v)", page, err)
	}
	if orgs, _ := st.ListOrganizations(context.Background()); len(orgs) != 0 {
		t.Fatalf("a wrong setup token created %d organizations", len(orgs))
	}
	b.step("setup-03-done", append(fill(token), chromedp.WaitVisible(chromedp.CSS(`a[href="/admin/orgs/harbour"]`)))...)
	if _, err := st.OrganizationBySlug(context.Background(), "harbour"); err != nil {
		t.Errorf("setup with the token created no organization: %v", err)
	}
}
