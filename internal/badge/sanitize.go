package badge

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

const (
	svgNS   = "http://www.w3.org/2000/svg"
	xlinkNS = "http://www.w3.org/1999/xlink"
)

// svgElements are the SVG elements an uploaded badge may use: shapes,
// text, groups, gradients and clipping. No script, style, foreignObject,
// animation, or anything that loads another document.
var svgElements = map[string]bool{
	"svg": true, "g": true, "path": true, "circle": true, "ellipse": true, "rect": true, "line": true,
	"polyline": true, "polygon": true, "text": true, "tspan": true, "title": true, "desc": true,
	"defs": true, "linearGradient": true, "radialGradient": true, "stop": true, "clipPath": true,
	"mask": true, "use": true, "image": true, "metadata": true, "symbol": true,
}

// svgAttributes are the attributes kept; event handlers (on*), style
// sheets and unknown attributes are dropped.
var svgAttributes = map[string]bool{
	"id": true, "class": true, "width": true, "height": true, "viewBox": true, "preserveAspectRatio": true,
	"x": true, "y": true, "x1": true, "y1": true, "x2": true, "y2": true, "cx": true, "cy": true, "r": true,
	"rx": true, "ry": true, "d": true, "points": true, "transform": true, "fill": true, "fill-opacity": true,
	"fill-rule": true, "stroke": true, "stroke-width": true, "stroke-opacity": true, "stroke-linecap": true,
	"stroke-linejoin": true, "stroke-dasharray": true, "stroke-miterlimit": true, "opacity": true,
	"clip-path": true, "clip-rule": true, "mask": true, "font-family": true, "font-size": true,
	"font-weight": true, "font-style": true, "text-anchor": true, "dominant-baseline": true,
	"letter-spacing": true, "offset": true, "stop-color": true, "stop-opacity": true,
	"gradientUnits": true, "gradientTransform": true, "fx": true, "fy": true, "dx": true, "dy": true,
	"role": true, "aria-label": true, "version": true, "href": true, "clipPathUnits": true,
	"maskUnits": true, "visibility": true, "display": true,
}

// localRef is a reference inside the document: url(#id).
var urlRef = regexp.MustCompile(`(?i)url\(\s*['"]?([^)'"]*)['"]?\s*\)`)

// embeddedRaster is the only kind of href an <image> may carry.
var embeddedRaster = regexp.MustCompile(`^data:image/(png|jpeg);base64,[A-Za-z0-9+/=\s]+$`)

// MaxUpload is the largest badge image accepted, in bytes.
const MaxUpload = 1 << 20

// ErrNotSVG is returned for input that is not an SVG document.
var ErrNotSVG = errors.New("not an SVG image")

// SanitizeSVG parses an uploaded SVG and rebuilds it from the allowed
// elements and attributes only: whatever else it held (scripts, event
// attributes, style sheets, foreignObject, links to other documents) is
// left out, along with everything inside a dropped element.
func SanitizeSVG(in []byte) ([]byte, error) {
	if len(in) > MaxUpload {
		return nil, fmt.Errorf("badge: SVG larger than %d bytes", MaxUpload)
	}
	dec := xml.NewDecoder(bytes.NewReader(in))
	dec.Strict = true
	var out bytes.Buffer
	enc := xml.NewEncoder(&out)
	skip := 0 // depth inside a dropped element
	depth := 0
	root := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("badge: SVG: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if skip > 0 {
				skip++
				continue
			}
			if depth == 1 {
				if t.Name.Local != "svg" || (t.Name.Space != svgNS && t.Name.Space != "") {
					return nil, ErrNotSVG
				}
				root = true
			}
			if (t.Name.Space != svgNS && t.Name.Space != "") || !svgElements[t.Name.Local] {
				skip = 1
				continue
			}
			el := xml.StartElement{Name: xml.Name{Local: t.Name.Local}}
			if depth == 1 {
				el.Attr = append(el.Attr, xml.Attr{Name: xml.Name{Local: "xmlns"}, Value: svgNS})
			}
			for _, a := range t.Attr {
				if v, ok := cleanAttr(t.Name.Local, a); ok {
					el.Attr = append(el.Attr, xml.Attr{Name: xml.Name{Local: a.Name.Local}, Value: v})
				}
			}
			if err := enc.EncodeToken(el); err != nil {
				return nil, fmt.Errorf("badge: SVG: %w", err)
			}
		case xml.EndElement:
			depth--
			if skip > 0 {
				skip--
				continue
			}
			if err := enc.EncodeToken(xml.EndElement{Name: xml.Name{Local: t.Name.Local}}); err != nil {
				return nil, fmt.Errorf("badge: SVG: %w", err)
			}
		case xml.CharData:
			if skip == 0 && depth > 0 {
				if err := enc.EncodeToken(t); err != nil {
					return nil, fmt.Errorf("badge: SVG: %w", err)
				}
			}
		}
		// Comments, processing instructions and directives (a DOCTYPE
		// with entities) are dropped.
	}
	if !root {
		return nil, ErrNotSVG
	}
	if err := enc.Flush(); err != nil {
		return nil, fmt.Errorf("badge: SVG: %w", err)
	}
	return out.Bytes(), nil
}

// cleanAttr keeps an allowed attribute whose value refers to nothing
// outside the document.
func cleanAttr(element string, a xml.Attr) (string, bool) {
	name := a.Name.Local
	if a.Name.Space != "" && a.Name.Space != xlinkNS && a.Name.Space != svgNS {
		return "", false
	}
	if a.Name.Space == xlinkNS && name != "href" {
		return "", false
	}
	if !svgAttributes[name] || strings.HasPrefix(strings.ToLower(name), "on") {
		return "", false
	}
	v := a.Value
	if name == "href" {
		switch {
		case element == "image" && embeddedRaster.MatchString(v):
			return v, true
		case element == "use" && strings.HasPrefix(v, "#"):
			return v, true
		}
		return "", false
	}
	for _, m := range urlRef.FindAllStringSubmatch(v, -1) {
		if !strings.HasPrefix(m[1], "#") {
			return "", false
		}
	}
	return v, true
}
