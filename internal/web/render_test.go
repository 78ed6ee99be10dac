package web

import (
	"regexp"
	"strings"
	"testing"
)

func TestRenderMarkdown(t *testing.T) {
	tests := []struct {
		in         string
		want, nots []string
	}{
		{in: "", nots: []string{"<p>"}},
		{in: "Pass the **exam**.", want: []string{"<p>Pass the <strong>exam</strong>.</p>"}},
		{in: "Intro\n\n# Outcomes\n\n- a\n* b", want: []string{"<h3>Outcomes</h3>", "<li>a</li>"}},
		// Headings never skip a level under the page's h2.
		{in: "#### Deep\n\n###### Deeper", want: []string{"<h3>Deep</h3>", "<h4>Deeper</h4>"}},
		{in: "<script>alert(1)</script>\n\nText <img src=x onerror=alert(1)>", nots: []string{"<script", "<img", "onerror=alert"}},
		{in: "[click](javascript:alert(1))", nots: []string{"javascript:"}},
		{in: "a & b < c", want: []string{"a &amp; b &lt; c"}},
	}
	for _, tt := range tests {
		got := string(renderMarkdown(tt.in))
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("renderMarkdown(%q) = %q, want it to contain %q", tt.in, got, w)
			}
		}
		for _, n := range tt.nots {
			if strings.Contains(got, n) {
				t.Errorf("renderMarkdown(%q) = %q, must not contain %q", tt.in, got, n)
			}
		}
	}
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/admin":               "/admin",
		"/c/x?y=1":             "/c/x?y=1",
		"//evil.example":       "",
		"/\\evil.example":      "",
		"https://evil.example": "",
		"":                     "",
		"/a\r\nSet-Cookie":     "",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzRenderMarkdown checks that no Markdown, however malformed, lets
// markup through: the output has no script element, no event attribute
// and no javascript: link.
// eventAttr matches an on* attribute inside a tag.
var eventAttr = regexp.MustCompile(`<[^>]*\son[a-z]+\s*=`)

func FuzzRenderMarkdown(f *testing.F) {
	f.Add("Intro\n### Outcomes\n- a\n* b\n\nEnd")
	f.Add("<script>x</script>")
	f.Add("[a](javascript:alert(1)) <a href=\"x\" onclick=\"y\">z</a>")
	f.Add("#\n-\n* \n")
	f.Fuzz(func(t *testing.T, s string) {
		got := strings.ToLower(string(renderMarkdown(s)))
		for _, bad := range []string{"<script", "href=\"javascript:"} {
			if strings.Contains(got, bad) {
				t.Fatalf("renderMarkdown(%q) = %q contains %q", s, got, bad)
			}
		}
		if eventAttr.MatchString(got) {
			t.Fatalf("renderMarkdown(%q) = %q has an event attribute", s, got)
		}
	})
}
