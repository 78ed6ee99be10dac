package analytics

import (
	"fmt"
	"html/template"
	"math"
	"sort"
	"strings"
)

// The stacking flow follows learners from the micro-credentials they hold,
// through the pathways those credentials counted towards, to the stacked
// credential each completed pathway earned, and on to the credit that
// credential carries. It is counted when a stacked credential is awarded
// (package pathway/progress records the events), from the same rollups as
// every other figure:
//
//   - StackedFrom on the micro-credential's achievement, Dim the pathway:
//     one per learner, per achievement of the credentials the award used;
//   - Stacked on the stacked credential's achievement, Dim the pathway:
//     one per learner awarded;
//   - CreditAwarded on the stacked credential's achievement, Dim the
//     pathway, Value its credits: one per learner awarded credit.

// ExternalAchievement stands for the achievements of other issuers in
// StackedFrom events: credentials a learner imported that counted towards
// a pathway.
const ExternalAchievement = "~external"

// StackedFrom counts a learner's micro-credential of an achievement used
// by a stacked credential's award; Dim: the pathway.
const StackedFrom = "stacked_from"

// Stages of the stacking flow, left to right.
const (
	StageMicro   = "micro-credential"
	StagePathway = "pathway"
	StageStacked = "stacked credential"
	StageCredit  = "credit"
)

// FlowNode is one box of the stacking flow.
type FlowNode struct {
	ID    string // "a:" achievement, "p:" pathway, "s:" stacked achievement, "credit"
	Name  string
	Stage string
}

// FlowLink is one band: Learners went from one node to the next (Credits:
// credit awarded, on the links into the credit node).
type FlowLink struct {
	From, To string
	Learners Count
	Credits  float64
}

// Flow is the stacking flow of a report.
type Flow struct {
	Nodes []FlowNode
	Links []FlowLink
}

// flowAcc collects the flow's rollups while a report is built.
type flowAcc struct {
	links map[[2]string]*FlowLink
}

func (f *flowAcc) add(kind, achievementID, pathwayID string, n int64, total float64) {
	if pathwayID == "" || achievementID == "" {
		return
	}
	var from, to string
	switch kind {
	case StackedFrom:
		from, to = "a:"+achievementID, "p:"+pathwayID
	case Stacked:
		from, to = "p:"+pathwayID, "s:"+achievementID
	case CreditAwarded:
		from, to = "s:"+achievementID, "credit"
	default:
		return
	}
	if f.links == nil {
		f.links = map[[2]string]*FlowLink{}
	}
	l := f.links[[2]string{from, to}]
	if l == nil {
		l = &FlowLink{From: from, To: to}
		f.links[[2]string{from, to}] = l
	}
	l.Learners.N += n
	l.Credits += total
}

// flow names the nodes and orders nodes and links: by stage, then by
// learners, most first.
func (f *flowAcc) flow(achievementName, pathwayName Names) Flow {
	var out Flow
	weight := map[string]int64{}
	for _, l := range f.links {
		l.Learners = NewCount(l.Learners.N)
		out.Links = append(out.Links, *l)
		weight[l.From] += l.Learners.N
		weight[l.To] += l.Learners.N
	}
	stageOf := func(id string) (string, int) {
		switch {
		case strings.HasPrefix(id, "a:"):
			return StageMicro, 0
		case strings.HasPrefix(id, "p:"):
			return StagePathway, 1
		case strings.HasPrefix(id, "s:"):
			return StageStacked, 2
		}
		return StageCredit, 3
	}
	for id := range weight {
		stage, _ := stageOf(id)
		n := FlowNode{ID: id, Stage: stage}
		switch stage {
		case StageMicro, StageStacked:
			n.Name = nameOr(achievementName, id[2:])
			if id[2:] == ExternalAchievement {
				n.Name = "Credentials of other issuers"
			}
		case StagePathway:
			n.Name = nameOr(pathwayName, id[2:])
		default:
			n.Name = "Credit awarded"
		}
		out.Nodes = append(out.Nodes, n)
	}
	sort.Slice(out.Nodes, func(i, j int) bool {
		_, si := stageOf(out.Nodes[i].ID)
		_, sj := stageOf(out.Nodes[j].ID)
		if si != sj {
			return si < sj
		}
		if wi, wj := weight[out.Nodes[i].ID], weight[out.Nodes[j].ID]; wi != wj {
			return wi > wj
		}
		return out.Nodes[i].Name < out.Nodes[j].Name
	})
	pos := map[string]int{}
	for i, n := range out.Nodes {
		pos[n.ID] = i
	}
	sort.Slice(out.Links, func(i, j int) bool {
		a, b := out.Links[i], out.Links[j]
		if pos[a.From] != pos[b.From] {
			return pos[a.From] < pos[b.From]
		}
		return pos[a.To] < pos[b.To]
	})
	return out
}

func nameOr(names Names, id string) string {
	if names != nil {
		if n := names(id); n != "" {
			return n
		}
	}
	return id
}

// Node returns the node with id.
func (f Flow) Node(id string) FlowNode {
	for _, n := range f.Nodes {
		if n.ID == id {
			return n
		}
	}
	return FlowNode{ID: id, Name: id}
}

// FlowNodeJSON and FlowLinkJSON are the flow as the API serves it.
type FlowNodeJSON struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Stage string `json:"stage"`
}

// FlowLinkJSON is one band; Credits is null when Learners is suppressed.
type FlowLinkJSON struct {
	From     string    `json:"from"`
	To       string    `json:"to"`
	Learners CountJSON `json:"learners"`
	Credits  *float64  `json:"credits,omitempty"`
}

// FlowJSON is a Flow as JSON.
type FlowJSON struct {
	Nodes []FlowNodeJSON `json:"nodes"`
	Links []FlowLinkJSON `json:"links"`
}

// JSON returns f as served by the API, with the same suppression as the
// page.
func (f Flow) JSON() FlowJSON {
	j := FlowJSON{Nodes: []FlowNodeJSON{}, Links: []FlowLinkJSON{}}
	for _, n := range f.Nodes {
		j.Nodes = append(j.Nodes, FlowNodeJSON(n))
	}
	for _, l := range f.Links {
		lj := FlowLinkJSON{From: l.From, To: l.To, Learners: l.Learners.json()}
		if l.To == "credit" && !l.Learners.Suppressed {
			lj.Credits = round4(l.Credits)
		}
		j.Links = append(j.Links, lj)
	}
	return j
}

// Sankey draws the flow as bands between columns of boxes, one column per
// stage, each band as wide as its learners. A suppressed band (1 to 4
// learners) is drawn as a thin dashed outline labelled "fewer than 5",
// and counts as nothing in the boxes' heights, so no height gives it away.
func Sankey(id, title, desc string, f Flow) template.HTML {
	const (
		w, h     = chartW, 320
		boxW     = 12
		gap      = 10.0
		top, bot = 24.0, 8.0
	)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart sankey" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-t %s-d" xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">`, w, h, id, id)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, id, esc(title), id, esc(desc))
	stages := []string{StageMicro, StagePathway, StageStacked, StageCredit}
	headings := []string{"Micro-credentials", "Pathways", "Stacked credentials", "Credit"}
	// Every column's names go to the right of its boxes; the last column
	// keeps room for them at the right edge.
	const labelRoom = 96
	colX := func(c int) float64 { return 8 + float64(c)*float64(w-16-boxW-labelRoom)/3 }
	for c, s := range headings {
		fmt.Fprintf(&b, `<text x="%.1f" y="14" class="tick">%s</text>`, colX(c), esc(s))
	}
	if len(f.Links) == 0 {
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="tick" text-anchor="middle">No stacked credentials awarded in this period.</text></svg>`, w/2, h/2)
		return template.HTML(b.String())
	}
	in, out := map[string]int64{}, map[string]int64{}
	hidden := map[string]bool{} // touched by a suppressed band
	for _, l := range f.Links {
		v := Shown(l.Learners.N)
		out[l.From] += v
		in[l.To] += v
		if l.Learners.Suppressed {
			hidden[l.From], hidden[l.To] = true, true
		}
	}
	size := func(id string) int64 { return max(in[id], out[id]) }
	cols := make([][]FlowNode, len(stages))
	for _, n := range f.Nodes {
		for c, s := range stages {
			if n.Stage == s {
				cols[c] = append(cols[c], n)
			}
		}
	}
	// One scale for every column, set by the fullest, so that a band
	// keeps its width from end to end.
	scale := math.Inf(1)
	for _, col := range cols {
		var sum int64
		for _, n := range col {
			sum += size(n.ID)
		}
		if sum > 0 {
			room := h - top - bot - gap*float64(len(col)-1)
			scale = math.Min(scale, room/float64(sum))
		}
	}
	if math.IsInf(scale, 1) {
		scale = 1
	}
	type box struct{ x, y, hgt, outY, inY float64 }
	boxes := map[string]*box{}
	for c, col := range cols {
		y := top
		for _, n := range col {
			hgt := math.Max(2, float64(size(n.ID))*scale)
			boxes[n.ID] = &box{x: colX(c), y: y, hgt: hgt, outY: y, inY: y}
			y += hgt + gap
		}
	}
	for _, l := range f.Links {
		a, z := boxes[l.From], boxes[l.To]
		if a == nil || z == nil {
			continue
		}
		from, to := f.Node(l.From).Name, f.Node(l.To).Name
		label := fmt.Sprintf("%s → %s: %d learners", from, to, l.Learners.N)
		if l.To == "credit" {
			label += ", " + formatTick(l.Credits) + " credits"
		}
		cls, bw := "band", float64(Shown(l.Learners.N))*scale
		if l.Learners.Suppressed {
			cls, bw, label = "band suppressed", 1.5, fmt.Sprintf("%s → %s: fewer than %d learners", from, to, MinCell)
		}
		y0, y1 := a.outY+bw/2, z.inY+bw/2
		a.outY += bw
		z.inY += bw
		x0, x1 := a.x+boxW, z.x
		mid := (x0 + x1) / 2
		fmt.Fprintf(&b, `<path d="M%.1f %.1fC%.1f %.1f %.1f %.1f %.1f %.1f" class="%s" stroke-width="%.1f" fill="none" data-from="%s" data-to="%s" data-value="%d"><title>%s</title></path>`,
			x0, y0, mid, y0, mid, y1, x1, y1, cls, math.Max(bw, 1), esc(l.From), esc(l.To), Shown(l.Learners.N), esc(label))
	}
	for _, col := range cols {
		for _, n := range col {
			bx := boxes[n.ID]
			count := fmt.Sprintf("%d learners", size(n.ID))
			switch {
			case hidden[n.ID] && size(n.ID) == 0:
				count = fmt.Sprintf("fewer than %d learners", MinCell)
			case hidden[n.ID]:
				count += fmt.Sprintf(", and bands of fewer than %d", MinCell)
			}
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%d" height="%.1f" class="node" data-node="%s"><title>%s: %s</title></rect>`,
				bx.x, bx.y, boxW, bx.hgt, esc(n.ID), esc(n.Name), count)
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="tick node-label">%s</text>`, bx.x+boxW+4, bx.y+bx.hgt/2+4, esc(shorten(n.Name, 24)))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// shorten cuts s to n runes with an ellipsis; the full name is in the
// box's title and in the table.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
