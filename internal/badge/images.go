package badge

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"image/png"
	"strings"
)

// Images returns an achievement's badge as PNG and as SVG bytes, for a PDF
// certificate and for baking. imageURI is the achievement's image.id:
//   - a data: PNG is the PNG, and the SVG shows it;
//   - a data: SVG is the SVG; its PNG is drawn from the design it carries
//     when the designer made it, else from the default design;
//   - anything else (no image, or a remote URL, which is not fetched) gives
//     the default design for the achievement's name.
func Images(name, imageURI string) (pngBytes, svgBytes []byte, err error) {
	mt, data, ok := decodeData(imageURI)
	switch {
	case ok && mt == "image/png":
		if _, err := png.DecodeConfig(bytes.NewReader(data)); err == nil {
			return data, wrapPNG(data), nil
		}
	case ok && mt == "image/svg+xml":
		d, designed := DesignOf(data)
		if !designed {
			d = Default(name)
		}
		p, err := d.PNG()
		if err != nil {
			return nil, nil, err
		}
		return p, data, nil
	}
	d := Default(name)
	p, err := d.PNG()
	if err != nil {
		return nil, nil, err
	}
	return p, d.SVG(), nil
}

// DesignOf reads back the design a designed SVG carries.
func DesignOf(svg []byte) (Design, bool) {
	dec := xml.NewDecoder(bytes.NewReader(svg))
	inMeta := false
	for {
		tok, err := dec.Token()
		if err != nil {
			return Design{}, false
		}
		switch t := tok.(type) {
		case xml.StartElement:
			for _, a := range t.Attr {
				if t.Name.Local == "metadata" && a.Name.Local == "id" && a.Value == metadataID {
					inMeta = true
				}
			}
		case xml.CharData:
			if inMeta {
				var d Design
				if json.Unmarshal(t, &d) != nil || d.Validate() != nil {
					return Design{}, false
				}
				return d, true
			}
		}
	}
}

// DataURI returns b as a base64 data: URI of media type mt.
func DataURI(mt string, b []byte) string {
	return "data:" + mt + ";base64," + base64.StdEncoding.EncodeToString(b)
}

func wrapPNG(p []byte) []byte {
	return []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">` +
		`<image x="0" y="0" width="256" height="256" href="` + DataURI("image/png", p) + `"/></svg>`)
}

func decodeData(s string) (string, []byte, bool) {
	rest, ok := strings.CutPrefix(s, "data:")
	if !ok {
		return "", nil, false
	}
	meta, payload, ok := strings.Cut(rest, ",")
	mt, enc, _ := strings.Cut(meta, ";")
	if !ok || enc != "base64" {
		return "", nil, false
	}
	b, err := base64.StdEncoding.DecodeString(payload)
	if err != nil {
		return "", nil, false
	}
	return strings.ToLower(mt), b, true
}
