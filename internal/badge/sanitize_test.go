package badge

import (
	"regexp"
	"strings"
	"testing"
)

func TestSanitizeSVG(t *testing.T) {
	in := `<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10" onload="alert(1)">
<script>alert(2)</script><style>circle{fill:url(https://evil.example/x)}</style>
<foreignObject><div xmlns="http://www.w3.org/1999/xhtml">hi</div></foreignObject>
<a href="https://evil.example"><circle r="1"/></a>
<circle cx="5" cy="5" r="4" fill="url(#g)" stroke="url(https://evil.example/p)" onclick="x()"/>
<use xlink:href="https://evil.example/s.svg#a"/><use href="#c"/>
<image href="https://evil.example/i.png"/><image href="data:image/png;base64,iVBORw0KGgo="/>
<text x="1" y="9">A &amp; B</text></svg>`
	out, err := SanitizeSVG([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	got := string(out)
	for _, bad := range []string{"script", "alert", "style", "foreignObject", "evil.example", "onclick", "onload", "<a", "ENTITY"} {
		if strings.Contains(got, bad) {
			t.Errorf("sanitized SVG still contains %q:\n%s", bad, got)
		}
	}
	for _, good := range []string{`<circle cx="5" cy="5" r="4" fill="url(#g)"></circle>`, `<use href="#c">`, `data:image/png;base64,iVBORw0KGgo=`, `A &amp; B`, `xmlns="http://www.w3.org/2000/svg"`} {
		if !strings.Contains(got, good) {
			t.Errorf("sanitized SVG lost %q:\n%s", good, got)
		}
	}
	for _, notSVG := range []string{"<html><body/></html>", "not xml", "", `<svg xmlns="http://www.w3.org/2000/svg"><g>`} {
		if _, err := SanitizeSVG([]byte(notSVG)); err == nil {
			t.Errorf("SanitizeSVG(%q) accepted it", notSVG)
		}
	}
	// A designed badge survives sanitizing with its design.
	d := Default("Cloud Operations")
	clean, err := SanitizeSVG(d.SVG())
	if err != nil {
		t.Fatal(err)
	}
	if back, ok := DesignOf(clean); !ok || back.Title != d.Title {
		t.Errorf("design lost in sanitizing: %+v %v\n%s", back, ok, clean)
	}
}

// eventAttr matches an on* attribute inside a tag.
var eventAttr = regexp.MustCompile(`<[^>]*\son[a-z]+\s*=`)

// FuzzSanitizeSVG: whatever goes in, nothing executable comes out.
func FuzzSanitizeSVG(f *testing.F) {
	f.Add(`<svg xmlns="http://www.w3.org/2000/svg"><script>x</script><circle onclick="y"/></svg>`)
	f.Add(`<svg><foreignObject><iframe/></foreignObject></svg>`)
	f.Add(`<svg xmlns:x="http://www.w3.org/1999/xlink"><use x:href="http://e/"/></svg>`)
	f.Fuzz(func(t *testing.T, s string) {
		out, err := SanitizeSVG([]byte(s))
		if err != nil {
			return
		}
		low := strings.ToLower(string(out))
		for _, bad := range []string{"<script", "<foreignobject", "=\"javascript:", "<iframe", "<style", "<a "} {
			if strings.Contains(low, bad) {
				t.Fatalf("SanitizeSVG(%q) = %q contains %q", s, out, bad)
			}
		}
		if eventAttr.MatchString(low) {
			t.Fatalf("SanitizeSVG(%q) = %q has an event attribute", s, out)
		}
	})
}
