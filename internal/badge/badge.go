// Package badge draws badge images: the built-in designer's shapes as SVG
// and, drawn directly with image/draw, as PNG of the same design, and it
// turns an achievement's image (uploaded or designed) into the PNG and
// SVG bytes a PDF certificate or a baked badge needs.
package badge

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"hash/fnv"
	"image"
	"image/color"
	"image/png"
	"math"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Shape is the outline of a designed badge.
type Shape string

// The designer's shapes.
const (
	Circle  Shape = "circle"
	Shield  Shape = "shield"
	Hexagon Shape = "hexagon"
	Square  Shape = "square"
)

// Shapes lists the designer's shapes in the order a form offers them.
var Shapes = []Shape{Circle, Shield, Hexagon, Square}

// Design is what the badge designer stores: a shape, three colours
// (#rrggbb), a short title and, optionally, the organization's logo as
// PNG bytes.
type Design struct {
	Shape  Shape  `json:"shape"`
	Fill   string `json:"fill"`
	Border string `json:"border"`
	Text   string `json:"text"`
	Title  string `json:"title"`
	Logo   []byte `json:"logo,omitempty"`
}

// MaxTitle is the longest title, in characters, a badge shows legibly.
const MaxTitle = 24

var hexColour = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// Validate names the first field that is wrong.
func (d Design) Validate() error {
	switch d.Shape {
	case Circle, Shield, Hexagon, Square:
	default:
		return fmt.Errorf("shape: must be one of circle, shield, hexagon, square")
	}
	for _, c := range []struct{ name, v string }{{"fill", d.Fill}, {"border", d.Border}, {"text", d.Text}} {
		if !hexColour.MatchString(c.v) {
			return fmt.Errorf("%s: must be a colour such as #1f5fbf", c.name)
		}
	}
	if strings.TrimSpace(d.Title) == "" {
		return errors.New("title: is required")
	}
	if utf8.RuneCountInString(d.Title) > MaxTitle {
		return fmt.Errorf("title: at most %d characters", MaxTitle)
	}
	if len(d.Logo) > 0 {
		if _, err := png.DecodeConfig(bytes.NewReader(d.Logo)); err != nil {
			return errors.New("logo: must be a PNG image")
		}
	}
	return nil
}

// Default returns a design for an achievement that has no image: its
// initials on a circle in colours chosen from its name.
func Default(name string) Design {
	palette := [][3]string{
		{"#1f4e79", "#f2b134", "#ffffff"}, {"#14532d", "#a7f3d0", "#ffffff"},
		{"#7c2d12", "#fed7aa", "#ffffff"}, {"#312e81", "#c7d2fe", "#ffffff"},
		{"#134e4a", "#99f6e4", "#ffffff"},
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(name))
	p := palette[h.Sum32()%uint32(len(palette))]
	var initials []rune
	for _, w := range strings.Fields(name) {
		r, _ := utf8.DecodeRuneInString(w)
		if unicode.IsUpper(r) && len(initials) < 3 {
			initials = append(initials, r)
		}
	}
	title := string(initials)
	if title == "" {
		title = "★"
	}
	return Design{Shape: Circle, Fill: p[0], Border: p[1], Text: p[2], Title: title}
}

// size is the side of the square badge, in SVG units and PNG pixels.
const size = 256

// outline returns the shape's polygon (for all but the circle) in badge
// coordinates.
func (d Design) outline() [][2]float64 {
	switch d.Shape {
	case Hexagon:
		var pts [][2]float64
		for i := range 6 {
			a := math.Pi/6 + float64(i)*math.Pi/3
			pts = append(pts, [2]float64{128 + 120*math.Cos(a), 128 + 120*math.Sin(a)})
		}
		return pts
	case Shield:
		pts := [][2]float64{{24, 16}, {232, 16}, {232, 120}}
		// The lower half is a curve to the point, as line segments.
		for i := 1; i <= 16; i++ {
			t := float64(i) / 16
			pts = append(pts, [2]float64{232 - 104*t, 120 + 120*math.Sin(t*math.Pi/2)})
		}
		for i := 15; i >= 0; i-- {
			t := float64(i) / 16
			pts = append(pts, [2]float64{24 + 104*t, 120 + 120*math.Sin(t*math.Pi/2)})
		}
		return pts
	case Square:
		return [][2]float64{{12, 12}, {244, 12}, {244, 244}, {12, 244}}
	}
	return nil
}

// metadataID marks the design inside a designed SVG, so that the PNG of
// the same badge can be drawn from it again.
const metadataID = "microcred-design"

// SVG draws the design.
func (d Design) SVG() []byte {
	var b bytes.Buffer
	b.WriteString(`<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256" role="img">`)
	b.WriteString(`<title>`)
	xml.EscapeText(&b, []byte(d.Title))
	b.WriteString(`</title><metadata id="` + metadataID + `">`)
	meta, _ := json.Marshal(Design{Shape: d.Shape, Fill: d.Fill, Border: d.Border, Text: d.Text, Title: d.Title})
	xml.EscapeText(&b, meta)
	b.WriteString(`</metadata>`)
	stroke := fmt.Sprintf(` fill="%s" stroke="%s" stroke-width="12"`, d.Fill, d.Border)
	if pts := d.outline(); pts != nil {
		b.WriteString(`<polygon points="`)
		for i, p := range pts {
			if i > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "%.1f,%.1f", p[0], p[1])
		}
		b.WriteString(`"` + stroke + `/>`)
	} else {
		b.WriteString(`<circle cx="128" cy="128" r="116"` + stroke + `/>`)
	}
	textY := 128
	if len(d.Logo) > 0 {
		b.WriteString(`<image x="96" y="44" width="64" height="64" href="data:image/png;base64,` + base64.StdEncoding.EncodeToString(d.Logo) + `"/>`)
		textY = 160
	}
	fmt.Fprintf(&b, `<text x="128" y="%d" font-family="sans-serif" font-weight="bold" font-size="%d" text-anchor="middle" dominant-baseline="central" fill="%s">`,
		textY, fontSize(d.Title), d.Text)
	xml.EscapeText(&b, []byte(d.Title))
	b.WriteString(`</text></svg>`)
	return b.Bytes()
}

// fontSize fits the title into the badge's width.
func fontSize(title string) int {
	n := utf8.RuneCountInString(title)
	switch {
	case n <= 3:
		return 72
	case n <= 6:
		return 44
	case n <= 10:
		return 28
	}
	return 20
}

func parseHex(s string) color.RGBA {
	var r, g, b uint8
	_, _ = fmt.Sscanf(s, "#%02x%02x%02x", &r, &g, &b)
	return color.RGBA{r, g, b, 255}
}

// inside reports whether (x, y) lies in the shape shrunk or grown by inset.
func (d Design) inside(x, y, inset float64) bool {
	pts := d.outline()
	if pts == nil {
		return math.Hypot(x-128, y-128) <= 116-inset
	}
	// Even-odd rule, then the distance to the edges for the inset.
	in := false
	minDist := math.Inf(1)
	for i, j := 0, len(pts)-1; i < len(pts); j, i = i, i+1 {
		a, b := pts[i], pts[j]
		if (a[1] > y) != (b[1] > y) && x < (b[0]-a[0])*(y-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
		minDist = math.Min(minDist, segDist(x, y, a, b))
	}
	if inset > 0 {
		return in && minDist >= inset
	}
	return in || minDist <= -inset
}

func segDist(x, y float64, a, b [2]float64) float64 {
	dx, dy := b[0]-a[0], b[1]-a[1]
	t := ((x-a[0])*dx + (y-a[1])*dy) / (dx*dx + dy*dy)
	t = math.Max(0, math.Min(1, t))
	return math.Hypot(x-a[0]-t*dx, y-a[1]-t*dy)
}

// PNG draws the design as a 256×256 PNG, the same picture as SVG: the
// shape with 4×4 supersampling for smooth edges, the logo scaled into
// place and the title in Go Bold.
func (d Design) PNG() ([]byte, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	img := image.NewRGBA(image.Rect(0, 0, size, size))
	fill, border := parseHex(d.Fill), parseHex(d.Border)
	const ss = 4
	for py := range size {
		for px := range size {
			// Only pixels near an edge need the 16 samples.
			cx, cy := float64(px)+.5, float64(py)+.5
			if d.inside(cx, cy, 7.5) {
				img.SetRGBA(px, py, fill)
				continue
			}
			if !d.inside(cx, cy, -7.5) {
				continue
			}
			var nf, nb int
			for sy := range ss {
				for sx := range ss {
					x, y := float64(px)+(float64(sx)+.5)/ss, float64(py)+(float64(sy)+.5)/ss
					switch {
					case d.inside(x, y, 6):
						nf++
					case d.inside(x, y, -6):
						nb++
					}
				}
			}
			if nf+nb == 0 {
				continue
			}
			// Premultiplied: the covered share of each colour.
			mix := func(f, b uint8) uint8 { return uint8((int(f)*nf + int(b)*nb) / (ss * ss)) }
			img.SetRGBA(px, py, color.RGBA{mix(fill.R, border.R), mix(fill.G, border.G), mix(fill.B, border.B), uint8(255 * (nf + nb) / (ss * ss))})
		}
	}
	textY := 128
	if len(d.Logo) > 0 {
		logo, err := png.Decode(bytes.NewReader(d.Logo))
		if err != nil {
			return nil, fmt.Errorf("badge: logo: %w", err)
		}
		draw.CatmullRom.Scale(img, image.Rect(96, 44, 160, 108), logo, logo.Bounds(), draw.Over, nil)
		textY = 160
	}
	if err := drawTitle(img, d.Title, textY, parseHex(d.Text)); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("badge: encode png: %w", err)
	}
	return buf.Bytes(), nil
}

var boldFont, boldFontErr = opentype.Parse(gobold.TTF)

// drawTitle writes title centred on the line through y.
func drawTitle(img draw.Image, title string, y int, c color.RGBA) error {
	if boldFontErr != nil {
		return fmt.Errorf("badge: font: %w", boldFontErr)
	}
	face, err := opentype.NewFace(boldFont, &opentype.FaceOptions{Size: float64(fontSize(title)), DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return fmt.Errorf("badge: font face: %w", err)
	}
	defer face.Close()
	dr := &font.Drawer{Dst: img, Src: image.NewUniform(c), Face: face}
	w := dr.MeasureString(title)
	m := face.Metrics()
	dr.Dot = fixed.Point26_6{X: fixed.I(size/2) - w/2, Y: fixed.I(y) + (m.Ascent-m.Descent)/2}
	dr.DrawString(title)
	return nil
}
