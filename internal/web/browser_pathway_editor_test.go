package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/microcred/microcred/internal/catalog"
)

// noSidewaysScroll fails when the page is wider than the viewport.
func noSidewaysScroll(t *testing.T, b *browserEnv, name string, width int) {
	t.Helper()
	if w := evalJS[int](b, name+": scroll width", `document.documentElement.scrollWidth`); w > width {
		wide := evalJS[string](b, name+": wide elements", `Array.from(document.querySelectorAll("body *")).
			filter((el) => el.getBoundingClientRect().right > `+fmt.Sprint(width)+` + 0.5).
			slice(-5).map((el) => el.tagName.toLowerCase() + (el.className ? "." + String(el.className).replace(/ /g, ".") : "") +
				" (" + Math.round(el.getBoundingClientRect().right) + " px)").join(", ")`)
		t.Errorf("%s: the page is %d px wide at a %d px viewport; widest elements: %s", name, w, width, wide)
	}
}

// TestBrowserPathwayEditor builds a pathway with a nested group through
// the form editor, at desktop width and at 390 px: adds the group and the
// rules inside it with the form's buttons, previews the diagram, meets a
// mistake named by rule and field whose summary link moves the focus to
// the field, saves, and finds the pathway on its public page, with no
// axe-core violation on any of these pages.
func TestBrowserPathwayEditor(t *testing.T) {
	b := newBrowserEnv(t, browserOptions{})
	axe := axeSource(t)
	ctx := context.Background()
	var slugs []string
	for _, a := range catalog.DemoCatalogAt(b.base)[0].Achievements[:3] {
		a.StacksInto = nil
		if _, err := b.svc.SaveAchievement(ctx, b.org.ID, &a, b.owner.ID); err != nil {
			t.Fatalf("save achievement %q: %v", a.Name, err)
		}
		if a.Slug == "" {
			t.Fatalf("demo achievement %q has no slug", a.Name)
		}
		slugs = append(slugs, "harbour/"+a.Slug)
	}
	b.signIn("pathway-editor-01-signed-in")
	for _, vp := range []struct {
		name          string
		width, height int64
	}{{"desktop", 1280, 900}, {"phone", phoneWidth, 844}} {
		id := "stack-" + vp.name
		shot := func(n string) string { return "pathway-editor-" + vp.name + "-" + n }
		b.do(vp.name+" viewport", chromedp.EmulateViewport(vp.width, vp.height))
		b.step(shot("02-new"),
			chromedp.Navigate(b.base+"/admin/orgs/harbour/pathways/new?kind=pathway"),
			chromedp.WaitVisible(chromedp.CSS(`#p-name`)),
			setValue(`#p-name`, "Stacked "+vp.name),
			setValue(`#p-id`, id),
			setValue(`#r1-local`, slugs[0]),
			setValue(`#r0-newkind`, "nOf"),
			chromedp.Click(chromedp.CSS(`button[value="add:0"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#r2-n`)),
		)
		b.step(shot("03-group"),
			chromedp.Click(chromedp.CSS(`button[value="add:2"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#r3-local`)),
			chromedp.Click(chromedp.CSS(`button[value="add:2"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#r4-local`)),
		)
		axeCheck(t, b, axe, vp.name+" form")
		noSidewaysScroll(t, b, vp.name+" form", int(vp.width))
		if d := evalJS[string](b, "depth", `document.querySelector('input[name="r4-depth"]').value`); d != "2" {
			t.Errorf("%s: rule 5 is at depth %q, want 2 (inside the n-of group)", vp.name, d)
		}
		b.step(shot("04-mistake"),
			setValue(`#r2-label`, "One advanced module"),
			setValue(`#r2-n`, "3"),
			setValue(`#r3-local`, slugs[1]),
			setValue(`#r4-local`, slugs[2]),
			chromedp.Click(chromedp.CSS(`p.actions button[value="save"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#error-summary a[href="#r2-n"]`)),
		)
		got := evalJS[map[string]string](b, "error summary", `(() => {
			const f = document.getElementById("r2-n");
			const d = (f.getAttribute("aria-describedby") || "").split(" ").map((id) => document.getElementById(id)).filter(Boolean);
			const before = document.activeElement.id;
			document.querySelector('#error-summary a[href="#r2-n"]').click();
			return {link: document.querySelector('#error-summary a[href="#r2-n"]').textContent, before: before,
				focus: document.activeElement.id, invalid: f.getAttribute("aria-invalid") || "", described: d.map((el) => el.textContent).join(" | ")};
		})()`)
		want := "Rule 3 (n of): N must be between 1 and the number of rules inside it (2)"
		if got["link"] != want || got["before"] != "error-summary" || got["focus"] != "r2-n" || got["invalid"] != "true" || got["described"] != want {
			t.Errorf("%s: summary link %q, focus first on %q then %q, aria-invalid %q, described by %q", vp.name, got["link"], got["before"], got["focus"], got["invalid"], got["described"])
		}
		axeCheck(t, b, axe, vp.name+" errors")
		noSidewaysScroll(t, b, vp.name+" errors", int(vp.width))
		b.step(shot("05-preview"),
			setValue(`#r2-n`, "1"),
			chromedp.Click(chromedp.CSS(`p.actions button[value="preview"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#preview svg.pathway-diagram`)),
		)
		axeCheck(t, b, axe, vp.name+" preview")
		noSidewaysScroll(t, b, vp.name+" preview", int(vp.width))
		b.step(shot("06-saved"),
			chromedp.Click(chromedp.CSS(`p.actions button[value="save"]`)),
			chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		)
		if flash := evalJS[string](b, "flash", `document.querySelector(".flash").textContent`); !strings.Contains(flash, "saved as version 1") {
			t.Errorf("%s: flash = %q", vp.name, flash)
		}
		b.step(shot("07-public"),
			chromedp.Navigate(b.base+"/pathways"),
			chromedp.WaitVisible(chromedp.CSS(`a[href="/pathways/harbour/`+id+`"]`)),
			chromedp.Click(chromedp.CSS(`a[href="/pathways/harbour/`+id+`"]`)),
			chromedp.WaitVisible(chromedp.CSS(`svg.pathway-diagram`)),
		)
		text := evalJS[string](b, "requirements", `document.querySelector("ul.rules").innerText`)
		for _, w := range []string{"One advanced module", "any 1 of these"} {
			if !strings.Contains(text, w) {
				t.Errorf("%s: the public page's requirements lack %q:\n%s", vp.name, w, text)
			}
		}
		axeCheck(t, b, axe, vp.name+" public page")
		noSidewaysScroll(t, b, vp.name+" public page", int(vp.width))
	}

	// A credit scheme through its form at phone width: a rule, a limit
	// with a mistake, then saved.
	b.step("pathway-editor-scheme-01-new",
		chromedp.Navigate(b.base+"/admin/orgs/harbour/pathways/new?kind=scheme"),
		chromedp.WaitVisible(chromedp.CSS(`#s-name`)),
		setValue(`#s-name`, "BSc Data Science"),
		setValue(`#s-id`, "bsc"),
		setValue(`#a0-local`, slugs[0]),
		setValue(`#a0-group`, "micro-credentials"),
		setValue(`#a0-credits`, "3"),
		chromedp.Click(chromedp.CSS(`button[value="add-cap"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#c0-max`)),
	)
	axeCheck(t, b, axe, "scheme form")
	noSidewaysScroll(t, b, "scheme form", phoneWidth)
	b.step("pathway-editor-scheme-02-mistake",
		setValue(`#c0-group`, "micro"),
		setValue(`#c0-max`, "18"),
		chromedp.Click(chromedp.CSS(`p.actions button[value="save"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#error-summary a[href="#c0-group"]`)),
	)
	axeCheck(t, b, axe, "scheme errors")
	noSidewaysScroll(t, b, "scheme errors", phoneWidth)
	b.step("pathway-editor-scheme-03-saved",
		setValue(`#c0-group`, "micro-credentials"),
		chromedp.Click(chromedp.CSS(`p.actions button[value="save"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	if flash := evalJS[string](b, "flash", `document.querySelector(".flash").textContent`); !strings.Contains(flash, "“BSc Data Science” saved as version 1") {
		t.Errorf("scheme flash = %q", flash)
	}
}
