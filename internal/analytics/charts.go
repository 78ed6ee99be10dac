package analytics

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// Charts are drawn on the server as SVG: no script, no external asset, and
// each carries a title and a description for screen readers (role="img"),
// while the page shows the same numbers in a table beside it.

const (
	chartW, chartH = 640, 240
	padL, padB     = 48, 36
	padT, padR     = 16, 12
)

func esc(s string) string { return template.HTMLEscapeString(s) }

// niceMax rounds v up to 1, 2 or 5 times a power of ten, for the axis.
func niceMax(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func open(b *strings.Builder, id, title, desc string) {
	fmt.Fprintf(b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-t %s-d" xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">`, chartW, chartH, id, id)
	fmt.Fprintf(b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, id, esc(title), id, esc(desc))
}

func axes(b *strings.Builder, top float64) {
	for i := 0; i <= 4; i++ {
		v := top * float64(i) / 4
		y := float64(chartH-padB) - float64(chartH-padB-padT)*float64(i)/4
		fmt.Fprintf(b, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" class="grid"/>`, padL, chartW-padR, y, y)
		fmt.Fprintf(b, `<text x="%d" y="%.1f" class="tick" text-anchor="end">%s</text>`, padL-6, y+4, formatTick(v))
	}
}

func formatTick(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.1fM", v/1e6)
	case v >= 1e4:
		return fmt.Sprintf("%.0fk", v/1e3)
	case v == math.Trunc(v):
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}

// Bars draws one bar per label.
func Bars(id, title, desc string, labels []string, values []int64) template.HTML {
	var b strings.Builder
	open(&b, id, title, desc)
	var top float64
	for _, v := range values {
		top = math.Max(top, float64(v))
	}
	top = niceMax(top)
	axes(&b, top)
	n := max(len(values), 1)
	slot := float64(chartW-padL-padR) / float64(n)
	for i, v := range values {
		h := float64(chartH-padB-padT) * float64(v) / top
		x := float64(padL) + slot*float64(i) + slot*0.15
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" class="bar" data-value="%d"><title>%s: %d</title></rect>`,
			x, float64(chartH-padB)-h, slot*0.7, h, v, esc(labels[i]), v)
		if n <= 12 || i%((n+11)/12) == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" class="tick" text-anchor="middle">%s</text>`, x+slot*0.35, chartH-padB+16, esc(labels[i]))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// Lines draws one or more series over the same labels.
func Lines(id, title, desc string, labels []string, series map[string][]int64, order []string) template.HTML {
	var b strings.Builder
	open(&b, id, title, desc)
	var top float64
	for _, s := range series {
		for _, v := range s {
			top = math.Max(top, float64(v))
		}
	}
	top = niceMax(top)
	axes(&b, top)
	n := len(labels)
	step := float64(chartW-padL-padR) / float64(max(n-1, 1))
	for si, name := range order {
		var pts []string
		for i, v := range series[name] {
			x := float64(padL) + step*float64(i)
			y := float64(chartH-padB) - float64(chartH-padB-padT)*float64(v)/top
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" class="s%d" data-series="%s" data-value="%d"><title>%s, %s: %d</title></circle>`, x, y, si, esc(name), v, esc(name), esc(labels[i]), v)
		}
		fmt.Fprintf(&b, `<polyline points="%s" class="line s%d"/>`, strings.Join(pts, " "), si)
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="legend s%d">%s</text>`, padL+8+si*160, padT+4, si, esc(name))
	}
	for i, l := range labels {
		if n <= 12 || i%((n+11)/12) == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" class="tick" text-anchor="middle">%s</text>`, float64(padL)+step*float64(i), chartH-padB+16, esc(l))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// Stage is one step of a funnel.
type Stage struct {
	Name  string
	Count Count
}

// Funnel draws stages as centred bars narrowing with their counts.
// Suppressed counts are drawn as empty outlines labelled "fewer than 5".
func Funnel(id, title, desc string, stages []Stage) template.HTML {
	var b strings.Builder
	h := 44 * len(stages)
	fmt.Fprintf(&b, `<svg class="chart funnel" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-t %s-d" xmlns="http://www.w3.org/2000/svg">`, chartW, h+8, id, id)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, id, esc(title), id, esc(desc))
	var top int64 = 1
	for _, s := range stages {
		top = max(top, s.Count.N)
	}
	for i, s := range stages {
		w := float64(chartW-200) * float64(s.Count.N) / float64(top)
		label := fmt.Sprintf("%s: %d", s.Name, s.Count.N)
		cls := "bar"
		if s.Count.Suppressed {
			w, label, cls = float64(chartW-200)*0.05, s.Name+": fewer than 5", "bar suppressed"
		}
		x := float64(chartW-200-int(w))/2 + 100
		fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="34" class="%s" data-value="%d"><title>%s</title></rect>`, x, 4+i*44, math.Max(w, 1), cls, s.Count.N, esc(label))
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="funnel-label" text-anchor="middle">%s</text>`, chartW/2, 26+i*44, esc(label))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
