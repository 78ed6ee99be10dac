package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserPathway drives a real headless Chromium through a pathway's
// life, written as JSON in the advanced editor: a mistake in the document is reported next to the field, the
// corrected pathway is saved, and its public page draws the stacking
// diagram as an image with an accessible name and description.
func TestBrowserPathway(t *testing.T) {
	b := newBrowserEnv(t, browserOptions{})
	base := b.base
	b.signIn("pathway-01-signed-in")
	const doc = `{"id": "industry-credit", "name": "Industry credit track",
  "description": "Nine US credit hours from industry certificates.",
  "root": {"kind": "minCredits", "minCredits": 9, "unit": "SCH", "rules": [
    {"label": "Certificates with an ACE recommendation", "kind": "credential", "match": {"framework": "ACE", "minAmount": 1}},
    {"label": "Certificates with an ECTS recommendation", "kind": "credential", "match": {"framework": "ECTS", "minAmount": 1}}]}}`
	b.step("pathway-02-error-shown",
		chromedp.Navigate(base+"/admin/orgs/harbour/pathways/new?kind=pathway"),
		chromedp.Click(chromedp.CSS(`details.json-editor > summary`)),
		chromedp.WaitVisible(chromedp.CSS(`#document`)),
		setValue(`#document`, strings.Replace(doc, `"unit": "SCH"`, `"unit": "hours"`, 1)),
		chromedp.Click(chromedp.CSS(`details.json-editor button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.field-error`)),
	)
	msg := evalJS[string](b, "field error", `document.querySelector(".field-error").textContent`)
	if !strings.Contains(msg, `root.unit: "hours" is not a credit unit`) {
		t.Errorf("field error = %q", msg)
	}
	if inv := evalJS[string](b, "aria-invalid", `document.querySelector("#document").getAttribute("aria-invalid")`); inv != "true" {
		t.Errorf("aria-invalid = %q", inv)
	}
	b.step("pathway-03-saved",
		setValue(`#document`, doc),
		chromedp.Click(chromedp.CSS(`details.json-editor button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	if flash := evalJS[string](b, "flash", `document.querySelector(".flash").textContent`); !strings.Contains(flash, "saved as version 1") {
		t.Errorf("flash = %q", flash)
	}
	b.step("pathway-04-public-page",
		chromedp.Navigate(base+"/pathways/harbour/industry-credit"),
		chromedp.WaitVisible(chromedp.CSS(`svg.pathway-diagram`)),
	)
	// The diagram is laid out (it has a size) and is exposed as an image
	// whose name and description come from its title and desc.
	width := evalJS[float64](b, "diagram width", `document.querySelector("svg.pathway-diagram").getBoundingClientRect().width`)
	if width < 300 {
		t.Errorf("diagram width = %v", width)
	}
	name := evalJS[string](b, "diagram name", `(() => {
		const svg = document.querySelector("svg.pathway-diagram");
		return svg.getAttribute("role") + "|" + svg.getAttribute("aria-labelledby").split(" ").map(id => document.getElementById(id).textContent).join("|");
	})()`)
	for _, want := range []string{"img|How credentials stack into Industry credit track|", "needs at least 9 US semester credit hours",
		"Certificates with an ACE recommendation"} {
		if !strings.Contains(name, want) {
			t.Errorf("diagram name and description %q lack %q", name, want)
		}
	}
	if n := evalJS[float64](b, "requirements", `document.querySelectorAll("ul.rules li").length`); n != 3 {
		t.Errorf("%v requirements listed as text, want 3", n)
	}
}
