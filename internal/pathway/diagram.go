package pathway

import (
	"fmt"
	"html"
	"strings"
	"unicode/utf8"
)

// DiagramOptions adjusts a pathway diagram.
type DiagramOptions struct {
	// Progress, when set, is a learner's result for the pathway (the Root
	// of its PathwayResult): met requirements are drawn filled and ticked.
	Progress *Node
	// Name names what a credential rule asks for (an achievement's name
	// from the catalog); nil or "" falls back to the rule's label.
	Name func(m *Match) string
	// ID prefixes the ids of the drawing's title and description, so that
	// two diagrams on one page stay distinct.
	ID string
}

// Diagram returns an SVG drawing of how credentials stack in p: the
// credentials it asks for on the left, the groups they form in the
// middle, and the pathway with its award on the right, joined by lines
// that show what counts towards what. The drawing is an image with a
// title and a description for assistive technology; every requirement is
// also written as text, and met requirements carry a tick as well as a
// fill, so that nothing depends on colour alone. All text is escaped.
// Styling is in presentation attributes, not a style element, so that a
// page's Content-Security-Policy (no inline styles) leaves it intact.
func Diagram(p *Pathway, opt DiagramOptions) string {
	d := &diagram{opt: opt, results: map[string]*Node{}}
	if opt.Progress != nil {
		var index func(n *Node)
		index = func(n *Node) {
			d.results[n.RuleID] = n
			if n.Kind != KindPathway {
				for i := range n.Children {
					index(&n.Children[i])
				}
			}
		}
		index(opt.Progress)
	}
	root := d.layout(&p.Root, 0)
	if p.Root.Label == "" && p.Root.Kind != KindCredential {
		root.label = p.Name
	}
	cols := d.depth + 1
	if p.Award != nil {
		cols++
	}
	const (
		boxW, boxH = 250, 46
		colGap     = 60
		rowH       = 62
		pad        = 12
	)
	width := pad*2 + cols*boxW + (cols-1)*colGap
	height := pad*2 + max(1, d.rows)*rowH
	x := func(n *dnode) int { return pad + (d.depth-n.depth)*(boxW+colGap) }
	y := func(n *dnode) int { return pad + int(n.row*rowH) }
	prefix := opt.ID
	if prefix == "" {
		prefix = "pathway-" + p.ID
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="pathway-diagram" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="%s-title %s-desc">`,
		width, height, width, height, esc(prefix), esc(prefix))
	fmt.Fprintf(&b, `<title id="%s-title">%s</title>`, esc(prefix), esc("How credentials stack into "+p.Name))
	fmt.Fprintf(&b, `<desc id="%s-desc">%s</desc>`, esc(prefix), esc(d.describe(p, root)))
	// Lines first, under the boxes.
	var lines func(n *dnode)
	lines = func(n *dnode) {
		for _, c := range n.children {
			x1, y1 := x(c)+boxW, y(c)+boxH/2
			x2, y2 := x(n), y(n)+boxH/2
			fmt.Fprintf(&b, `<path %s d="M%d %d C%d %d %d %d %d %d"/>`, lineAttrs, x1, y1, x1+colGap/2, y1, x2-colGap/2, y2, x2, y2)
			lines(c)
		}
	}
	lines(root)
	var boxes func(n *dnode)
	boxes = func(n *dnode) {
		class, attrs := "pd-box", boxAttrs
		mark := ""
		if r := d.results[n.rule.ID]; r != nil {
			switch {
			case r.Complete:
				class, attrs, mark = "pd-box pd-met", metAttrs, "✓ "
			case r.Progress > 0:
				class, attrs = "pd-box pd-part", partAttrs
			}
		}
		fmt.Fprintf(&b, `<g><title>%s</title><rect class="%s" %s x="%d" y="%d" width="%d" height="%d" rx="6"/>`, esc(n.label+" — "+n.detail), class, attrs, x(n), y(n), boxW, boxH)
		fmt.Fprintf(&b, `<text %s x="%d" y="%d">%s</text>`, titleAttrs, x(n)+10, y(n)+19, esc(mark+clip(n.label, 30)))
		fmt.Fprintf(&b, `<text %s x="%d" y="%d">%s</text></g>`, smallAttrs, x(n)+10, y(n)+36, esc(clip(n.detail, 38)))
		for _, c := range n.children {
			boxes(c)
		}
	}
	boxes(root)
	if p.Award != nil {
		ax, ay := x(root)+boxW+colGap, y(root)
		fmt.Fprintf(&b, `<path %s d="M%d %d L%d %d"/>`, lineAttrs, x(root)+boxW, ay+boxH/2, ax, ay+boxH/2)
		name := p.Award.Name
		if name == "" {
			name = p.Name
		}
		detail := "awarded when complete"
		if p.Award.Review {
			detail = "awarded after registrar review"
		}
		fmt.Fprintf(&b, `<g><title>%s</title><rect class="pd-box pd-award" %s x="%d" y="%d" width="%d" height="%d" rx="6"/>`, esc(name+" — "+detail), awardAttrs, ax, ay, boxW, boxH)
		fmt.Fprintf(&b, `<text %s x="%d" y="%d">%s</text>`, titleAttrs, ax+10, ay+19, esc("★ "+clip(name, 30)))
		fmt.Fprintf(&b, `<text %s x="%d" y="%d">%s</text></g>`, smallAttrs, ax+10, ay+36, esc(detail))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// Presentation attributes of the drawing's parts.
const (
	boxAttrs   = `fill="#ffffff" stroke="#4a5568" stroke-width="1.5"`
	metAttrs   = `fill="#e6f4ea" stroke="#1e7e34" stroke-width="2.5"`
	partAttrs  = `fill="#fff8e1" stroke="#b7791f" stroke-width="1.5"`
	awardAttrs = `fill="#edf2ff" stroke="#3b5bdb" stroke-width="2"`
	lineAttrs  = `fill="none" stroke="#718096" stroke-width="1.5"`
	titleAttrs = `font-family="system-ui, sans-serif" font-size="12.5" font-weight="600" fill="#1a202c"`
	smallAttrs = `font-family="system-ui, sans-serif" font-size="11.5" fill="#4a5568"`
)

type diagram struct {
	opt     DiagramOptions
	results map[string]*Node
	rows    int
	depth   int
}

type dnode struct {
	rule     *Rule
	label    string
	detail   string
	depth    int
	row      float64
	children []*dnode
}

// layout places leaves on consecutive rows and each group at the mean
// row of its children.
func (d *diagram) layout(r *Rule, depth int) *dnode {
	n := &dnode{rule: r, depth: depth, label: d.label(r), detail: detail(r)}
	d.depth = max(d.depth, depth)
	if len(r.Rules) == 0 {
		n.row = float64(d.rows)
		d.rows++
		return n
	}
	var sum float64
	for i := range r.Rules {
		c := d.layout(&r.Rules[i], depth+1)
		n.children = append(n.children, c)
		sum += c.row
	}
	n.row = sum / float64(len(n.children))
	return n
}

func (d *diagram) label(r *Rule) string {
	if r.Kind == KindCredential && r.Match != nil && d.opt.Name != nil {
		if s := d.opt.Name(r.Match); s != "" {
			return s
		}
	}
	if r.Label != "" {
		return r.Label
	}
	return labelOf(r)
}

func detail(r *Rule) string {
	var s string
	switch r.Kind {
	case KindCredential:
		if r.Match.Framework != "" {
			s = "any credential with this credit"
		} else {
			s = "credential"
		}
		if r.Match.Result != nil {
			s += ", with a result condition"
		}
	case KindAllOf:
		s = fmt.Sprintf("all %d of these", len(r.Rules))
	case KindNOf:
		s = fmt.Sprintf("any %d of these %d", r.N, len(r.Rules))
	case KindMinCredits:
		s = fmt.Sprintf("at least %s %s", fmtNum(r.MinCredits), r.Unit.Label())
	case KindPathway:
		s = "the whole pathway " + r.Pathway
	}
	if r.WithinDays > 0 {
		s += fmt.Sprintf(", within %d days", r.WithinDays)
	}
	if len(r.Prerequisites) > 0 {
		s += ", after " + strings.Join(r.Prerequisites, ", ")
	}
	return s
}

// describe is the diagram's text description: the requirements as one
// sentence per group.
func (d *diagram) describe(p *Pathway, root *dnode) string {
	var parts []string
	var walk func(n *dnode)
	walk = func(n *dnode) {
		if len(n.children) == 0 {
			return
		}
		names := make([]string, len(n.children))
		for i, c := range n.children {
			names[i] = c.label
		}
		parts = append(parts, fmt.Sprintf("%s needs %s: %s.", n.label, n.detail, strings.Join(names, "; ")))
		for _, c := range n.children {
			walk(c)
		}
	}
	walk(root)
	s := p.Name + ". " + strings.Join(parts, " ")
	if p.Award != nil {
		s += " Completing it earns " + firstNonEmpty(p.Award.Name, p.Name) + "."
	}
	return s
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func esc(s string) string { return html.EscapeString(s) }
