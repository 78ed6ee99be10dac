package badge

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"strings"
	"testing"
)

func TestDesignRendersBothForms(t *testing.T) {
	logo := Design{Shape: Square, Fill: "#ffffff", Border: "#000000", Text: "#000000", Title: "L"}
	logoPNG, err := logo.PNG()
	if err != nil {
		t.Fatal(err)
	}
	for _, shape := range Shapes {
		d := Design{Shape: shape, Fill: "#1f5fbf", Border: "#f2b134", Text: "#ffffff", Title: "Data <Viz> & Co", Logo: logoPNG}
		svg := d.SVG()
		if err := xml.Unmarshal(svg, new(struct{})); err != nil {
			t.Fatalf("%s: SVG is not well-formed XML: %v", shape, err)
		}
		if !strings.Contains(string(svg), "Data &lt;Viz&gt; &amp; Co") {
			t.Errorf("%s: title not escaped in %s", shape, svg)
		}
		back, ok := DesignOf(svg)
		if !ok || back.Shape != shape || back.Fill != d.Fill || back.Title != d.Title {
			t.Errorf("%s: design read back = %+v, %v", shape, back, ok)
		}
		p, err := d.PNG()
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(bytes.NewReader(p))
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != 256 || b.Dy() != 256 {
			t.Errorf("%s: PNG is %v", shape, b)
		}
		// The corner is transparent, and a point inside the shape away
		// from the text has the fill colour.
		if _, _, _, a := img.At(1, 1).RGBA(); a != 0 && shape != Square {
			t.Errorf("%s: corner alpha %d, want transparent", shape, a)
		}
		if r, g, b, _ := img.At(128, 40).RGBA(); r>>8 != 0x1f || g>>8 != 0x5f || b>>8 != 0xbf {
			if shape != Square && shape != Shield { // the logo sits lower; (128,40) is fill for all shapes
				t.Errorf("%s: fill at (128,40) = %d %d %d", shape, r>>8, g>>8, b>>8)
			}
		}
	}
}

func TestDesignValidate(t *testing.T) {
	good := Design{Shape: Circle, Fill: "#000000", Border: "#111111", Text: "#ffffff", Title: "OK"}
	for name, mut := range map[string]func(*Design){
		"shape":  func(d *Design) { d.Shape = "star" },
		"fill":   func(d *Design) { d.Fill = "red" },
		"title":  func(d *Design) { d.Title = " " },
		"logo":   func(d *Design) { d.Logo = []byte("<svg/>") },
		"border": func(d *Design) { d.Border = "#12345" },
	} {
		d := good
		mut(&d)
		if err := d.Validate(); err == nil || !strings.HasPrefix(err.Error(), name) {
			t.Errorf("%s: Validate = %v, want an error naming %s", name, err, name)
		}
	}
	if err := good.Validate(); err != nil {
		t.Error(err)
	}
}

func TestImages(t *testing.T) {
	d := Default("Statistics for Data Science")
	if d.Title != "SDS" {
		t.Errorf("default title %q", d.Title)
	}
	designed := DataURI("image/svg+xml", d.SVG())
	p, s, err := Images("x", designed)
	if err != nil || !bytes.Equal(s, d.SVG()) || !bytes.HasPrefix(p, []byte("\x89PNG")) {
		t.Fatalf("designed SVG: %v %.40q", err, s)
	}
	p2, s2, err := Images("x", DataURI("image/png", p))
	if err != nil || !bytes.Equal(p2, p) || !strings.Contains(string(s2), "data:image/png;base64,") {
		t.Fatalf("PNG: %v", err)
	}
	p3, s3, err := Images("Cloud Ops", "https://img.example/remote.png")
	if err != nil || !bytes.HasPrefix(p3, []byte("\x89PNG")) || !strings.Contains(string(s3), ">CO<") {
		t.Fatalf("remote: %v %s", err, s3)
	}
}

// BenchmarkPNG measures drawing a designed badge as PNG (the cost of a
// baked PNG or a PDF certificate without a cached image), against
// encoding an already drawn image of the same size as the baseline.
func BenchmarkPNG(b *testing.B) {
	d := Default("Statistics for Data Science")
	b.Run("draw+encode", func(b *testing.B) {
		for b.Loop() {
			if _, err := d.PNG(); err != nil {
				b.Fatal(err)
			}
		}
	})
	p, _ := d.PNG()
	img, _ := png.Decode(bytes.NewReader(p))
	b.Run("baseline-encode-only", func(b *testing.B) {
		for b.Loop() {
			var buf bytes.Buffer
			_ = png.Encode(&buf, img)
		}
	})
}
