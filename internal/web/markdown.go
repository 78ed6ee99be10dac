package web

import (
	"bytes"
	"html/template"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// mdRenderer turns an issuer's Markdown (criteria, descriptions,
// instructions) into HTML for a page. Raw HTML in the source is never
// passed through (goldmark's default: it is dropped, and text is escaped),
// and links with a dangerous scheme such as javascript: lose their target.
// The signed credential keeps the Markdown text itself, as OB 3.0 says.
var mdRenderer = goldmark.New(
	goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify),
	goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(headingLevels{}, 100))),
	goldmark.WithRendererOptions(html.WithHardWraps()),
)

// mdTopLevel is the heading level a Markdown "#" becomes: the Markdown is
// always shown under a page's h2, so its headings start at h3.
const mdTopLevel = 3

// headingLevels shifts the Markdown's headings under the page's own: the
// highest becomes h3, and no heading goes more than one level deeper than
// the one before it, so the page's outline has no gaps.
type headingLevels struct{}

func (headingLevels) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	var headings []*ast.Heading
	top := 7
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering {
			headings = append(headings, h)
			top = min(top, h.Level)
		}
		return ast.WalkContinue, nil
	})
	prev := mdTopLevel - 1
	for _, h := range headings {
		level := min(h.Level-top+mdTopLevel, prev+1, 6)
		h.Level = level
		prev = level
	}
}

// renderMarkdown renders s as safe HTML; on a rendering failure it shows
// the text escaped, never nothing.
func renderMarkdown(s string) template.HTML {
	var buf bytes.Buffer
	if err := mdRenderer.Convert([]byte(s), &buf); err != nil {
		return template.HTML("<p>" + template.HTMLEscapeString(s) + "</p>")
	}
	return template.HTML(buf.String()) // #nosec: goldmark escapes text and drops raw HTML
}
