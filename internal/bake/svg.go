package bake

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// SVG namespaces of the credential elements.
const (
	nsOB3 = "https://purl.imsglobal.org/ob/v3p0"
	nsOB2 = "http://openbadges.org"
)

// looksLikeSVG reports whether data is XML whose root element is svg. It
// reads only up to the root start tag.
func looksLikeSVG(data []byte) bool {
	dec := newDecoder(data)
	for {
		tok, err := dec.RawToken()
		if err != nil {
			return false
		}
		if se, ok := tok.(xml.StartElement); ok {
			return se.Name.Local == "svg"
		}
	}
}

func newDecoder(data []byte) *xml.Decoder {
	dec := xml.NewDecoder(bytes.NewReader(data))
	// SVGs written by hand or by editors use HTML entities and unquoted
	// oddities; finding one element must not fail on them.
	dec.Strict = false
	dec.Entity = xml.HTMLEntity
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	return dec
}

// credentialElement reports whether an element carries a credential, and
// which version. encoding/xml resolves the prefix to its namespace; an
// undeclared prefix is left as "openbadges".
func credentialElement(n xml.Name) (Version, bool) {
	switch {
	case n.Local == "credential" && (n.Space == nsOB3 || n.Space == "openbadges"):
		return OB3, true
	case n.Local == "assertion" && (n.Space == nsOB2 || n.Space == "https://openbadges.org" || n.Space == "openbadges"):
		return OB2, true
	}
	return 0, false
}

func unbakeSVG(data []byte) (*Baked, error) {
	dec := newDecoder(data)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil, ErrNotBaked
		}
		if err != nil {
			return nil, fmt.Errorf("%w: the SVG cannot be read: %v", ErrCorrupt, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		v, ok := credentialElement(se.Name)
		if !ok {
			continue
		}
		verify := ""
		for _, a := range se.Attr {
			if a.Name.Local == "verify" {
				verify = a.Value
			}
		}
		bodyStart := dec.InputOffset()
		body, text, err := elementBody(dec, data, bodyStart)
		if err != nil {
			return nil, err
		}
		b := &Baked{Version: v, Format: SVG}
		if cdata, ok := cdataContent(body); ok {
			b.Credential = cdata
		} else {
			b.Credential = []byte(strings.TrimSpace(text))
		}
		if len(bytes.TrimSpace(b.Credential)) == 0 {
			// No body: the verify attribute holds the credential (a JWS,
			// or for Open Badges 2.0 also a hosted assertion's URL).
			b.Credential = []byte(verify)
		} else {
			b.Verify = verify
		}
		if len(b.Credential) == 0 {
			return nil, fmt.Errorf("%w: the SVG's %s element is empty", ErrCorrupt, se.Name.Local)
		}
		if len(b.Credential) > MaxCredentialBytes {
			return nil, fmt.Errorf("%w: the baked credential is larger than %d bytes", ErrCorrupt, MaxCredentialBytes)
		}
		return b, nil
	}
}

// elementBody reads to the end of the element whose start tag ended at
// bodyStart and returns its raw content and its character data.
func elementBody(dec *xml.Decoder, data []byte, bodyStart int64) (raw []byte, text string, err error) {
	var sb strings.Builder
	depth := 0
	for {
		before := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return nil, "", fmt.Errorf("%w: the SVG's credential element is not closed: %v", ErrCorrupt, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			if depth == 0 {
				return data[bodyStart:before], sb.String(), nil
			}
			depth--
		case xml.CharData:
			if depth == 0 {
				sb.Write(t)
				if sb.Len() > MaxCredentialBytes {
					return nil, "", fmt.Errorf("%w: the baked credential is larger than %d bytes", ErrCorrupt, MaxCredentialBytes)
				}
			}
		}
	}
}

// cdataContent concatenates the CDATA sections of raw element content,
// byte for byte (a "]]>" inside the credential is split across two
// sections when baked). It reports false when there are none.
func cdataContent(raw []byte) ([]byte, bool) {
	const open, end = "<![CDATA[", "]]>"
	var out []byte
	found := false
	for {
		i := bytes.Index(raw, []byte(open))
		if i < 0 {
			return out, found
		}
		raw = raw[i+len(open):]
		j := bytes.Index(raw, []byte(end))
		if j < 0 {
			return out, found
		}
		out = append(out, raw[:j]...)
		raw = raw[j+len(end):]
		found = true
	}
}

func bakeSVG(data, credential []byte, kind string, v Version) ([]byte, error) {
	for _, r := range string(credential) {
		if !xmlChar(r) {
			return nil, fmt.Errorf("%w: it contains the character %U, which XML cannot carry (bake it into a PNG instead)", ErrBadCredential, r)
		}
	}
	dec := newDecoder(data)
	var rootEnd int64 = -1
	var rootSelfClosing bool
	prefixNS := ""
	for {
		before := dec.InputOffset()
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: the SVG cannot be read: %v", ErrCorrupt, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if _, ok := credentialElement(se.Name); ok {
			return nil, ErrAlreadyBaked
		}
		if rootEnd < 0 {
			if se.Name.Local != "svg" {
				return nil, ErrNotImage
			}
			rootEnd = dec.InputOffset()
			tag := data[before:rootEnd]
			rootSelfClosing = bytes.HasSuffix(bytes.TrimRight(tag[:len(tag)-1], " \t\r\n"), []byte("/"))
			for _, a := range se.Attr {
				if a.Name.Space == "xmlns" && a.Name.Local == "openbadges" {
					prefixNS = a.Value
				}
			}
		}
	}
	if rootEnd < 0 {
		return nil, ErrNotImage
	}
	ns := nsOB3
	if v == OB2 {
		ns = nsOB2
	}
	if prefixNS != "" && prefixNS != ns {
		return nil, fmt.Errorf("%w: the SVG binds the prefix openbadges to %q, not %q", ErrBadCredential, prefixNS, ns)
	}
	var el bytes.Buffer
	name := "openbadges:credential"
	verify := ""
	if v == OB2 {
		name = "openbadges:assertion"
		if kind == kindJSON {
			verify = hostedURL(credential)
		}
	}
	if kind == kindJWS {
		verify = string(credential)
	}
	el.WriteString("<" + name)
	if verify != "" {
		el.WriteString(` verify="`)
		_ = xml.EscapeText(&el, []byte(verify))
		el.WriteString(`"`)
	}
	el.WriteString(">")
	if kind == kindJSON {
		el.WriteString("<![CDATA[")
		el.Write(bytes.ReplaceAll(credential, []byte("]]>"), []byte("]]]]><![CDATA[>")))
		el.WriteString("]]>")
	}
	el.WriteString("</" + name + ">")

	// The start tag ends with ">" (or "/>"): the namespace declaration
	// goes before it, the element right after it.
	tagClose := int(rootEnd) - 1
	if rootSelfClosing {
		tagClose = bytes.LastIndexByte(data[:rootEnd], '/')
	}
	var out bytes.Buffer
	out.Grow(len(data) + el.Len() + 64)
	out.Write(data[:tagClose])
	if prefixNS == "" {
		out.WriteString(` xmlns:openbadges="` + ns + `"`)
	}
	if rootSelfClosing {
		out.WriteString(">")
		out.Write(el.Bytes())
		out.WriteString("</svg>")
		out.Write(data[rootEnd:])
		return out.Bytes(), nil
	}
	out.WriteString(">")
	out.Write(el.Bytes())
	out.Write(data[rootEnd:])
	return out.Bytes(), nil
}

// hostedURL returns the URL an Open Badges 2.0 SVG's verify attribute
// names for a JSON assertion: verify.url (1.x) or the hosted id.
func hostedURL(assertion []byte) string {
	var a struct {
		ID     string `json:"id"`
		Verify struct {
			URL string `json:"url"`
		} `json:"verify"`
		Verification struct {
			Type string `json:"type"`
		} `json:"verification"`
	}
	if json.Unmarshal(assertion, &a) != nil {
		return ""
	}
	if a.Verify.URL != "" {
		return a.Verify.URL
	}
	if strings.HasPrefix(a.ID, "http://") || strings.HasPrefix(a.ID, "https://") {
		return a.ID
	}
	return ""
}

// xmlChar reports whether XML 1.0 allows r in character data.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}
