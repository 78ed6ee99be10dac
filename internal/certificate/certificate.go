// Package certificate draws a credential's PDF certificate — organization,
// learner, achievement and badge, dates, level, credits, learning outcomes
// and a QR code to the credential's page — with the signed credential
// itself embedded as a file attachment, and reads that attachment back.
package certificate

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"codeberg.org/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"rsc.io/qr"
)

// font is the family the certificate is set in: the Go fonts (BSD
// licence, shipped inside the binary by golang.org/x/image), embedded as
// UTF-8 TrueType fonts. The PDF core fonts cover only Windows-1252, so a
// name such as "Łódź", "Ελληνικά" or "Кириллица" would lose its letters;
// the Go fonts cover Latin, Greek and Cyrillic (WGL4).
const font = "Go"

// Paper sizes.
const (
	A4     = "A4"
	Letter = "Letter"
)

// Data is what a certificate shows.
type Data struct {
	Paper       string // A4 or Letter
	OrgName     string
	OrgLogoPNG  []byte // optional
	Learner     string
	Achievement string
	Description string
	BadgePNG    []byte // optional
	IssuedOn    string
	ValidUntil  string // optional
	Level       string // e.g. "EQF level 6"; optional
	Credits     string // e.g. "5 ECTS credits · 140 hours"; optional
	Outcomes    []string
	// QRURL is where the QR code leads (the credential page); PageURL is
	// printed under it.
	QRURL, PageURL string
	CredentialID   string
	// Credential is the signed credential, embedded as Filename.
	Credential []byte
	Filename   string
}

// Render draws the certificate on one page.
func Render(d Data) ([]byte, error) {
	size := "A4"
	if d.Paper == Letter {
		size = "Letter"
	}
	pdf := fpdf.New("P", "mm", size, "")
	pdf.SetTitle(d.Achievement+" · "+d.OrgName, true)
	pdf.SetAuthor(d.OrgName, true)
	pdf.SetCreator("microcred", true)
	pdf.SetMargins(20, 18, 20)
	pdf.SetAutoPageBreak(false, 0)
	pdf.AddUTF8FontFromBytes(font, "", goregular.TTF)
	pdf.AddUTF8FontFromBytes(font, "B", gobold.TTF)
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("certificate: font: %w", err)
	}
	pdf.AddPage()
	w, h := pdf.GetPageSize()
	cw := w - 40

	// A frame, the organization's logo and name.
	pdf.SetDrawColor(31, 95, 191)
	pdf.SetLineWidth(1.2)
	pdf.Rect(10, 10, w-20, h-20, "D")
	y := 22.0
	if len(d.OrgLogoPNG) > 0 {
		registerPNG(pdf, "logo", d.OrgLogoPNG)
		pdf.ImageOptions("logo", w/2-10, y, 20, 0, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
		y += 24
	}
	pdf.SetTextColor(29, 36, 48)
	pdf.SetFont(font, "B", 16)
	pdf.SetXY(20, y)
	pdf.CellFormat(cw, 8, d.OrgName, "", 1, "C", false, 0, "")
	y += 14
	pdf.SetFont(font, "", 12)
	pdf.SetTextColor(91, 100, 114)
	pdf.SetXY(20, y)
	pdf.CellFormat(cw, 6, "certifies that", "", 1, "C", false, 0, "")
	y += 9
	pdf.SetTextColor(29, 36, 48)
	pdf.SetFont(font, "B", 24)
	pdf.SetXY(20, y)
	pdf.CellFormat(cw, 11, d.Learner, "", 1, "C", false, 0, "")
	y += 14
	pdf.SetFont(font, "", 12)
	pdf.SetTextColor(91, 100, 114)
	pdf.SetXY(20, y)
	pdf.CellFormat(cw, 6, "has earned", "", 1, "C", false, 0, "")
	y += 9
	if len(d.BadgePNG) > 0 {
		registerPNG(pdf, "badge", d.BadgePNG)
		pdf.ImageOptions("badge", w/2-20, y, 40, 40, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
		y += 44
	}
	pdf.SetTextColor(31, 95, 191)
	pdf.SetFont(font, "B", 20)
	pdf.SetXY(20, y)
	pdf.MultiCell(cw, 9, d.Achievement, "", "C", false)
	y = pdf.GetY() + 3
	if d.Description != "" {
		pdf.SetTextColor(29, 36, 48)
		pdf.SetFont(font, "", 10.5)
		pdf.SetXY(30, y)
		pdf.MultiCell(cw-20, 5, clip(d.Description, 420), "", "C", false)
		y = pdf.GetY() + 4
	}

	// The facts, then the learning outcomes.
	pdf.SetTextColor(29, 36, 48)
	facts := [][2]string{{"Issued", d.IssuedOn}}
	if d.ValidUntil != "" {
		facts = append(facts, [2]string{"Valid until", d.ValidUntil})
	}
	if d.Level != "" {
		facts = append(facts, [2]string{"Level", d.Level})
	}
	if d.Credits != "" {
		facts = append(facts, [2]string{"Workload and credits", d.Credits})
	}
	for _, f := range facts {
		pdf.SetXY(30, y)
		pdf.SetFont(font, "B", 10.5)
		pdf.CellFormat(45, 6, f[0], "", 0, "L", false, 0, "")
		pdf.SetFont(font, "", 10.5)
		pdf.CellFormat(cw-55, 6, f[1], "", 1, "L", false, 0, "")
		y += 6
	}
	if len(d.Outcomes) > 0 {
		y += 3
		pdf.SetXY(30, y)
		pdf.SetFont(font, "B", 10.5)
		pdf.CellFormat(cw-20, 6, "Learning outcomes", "", 1, "L", false, 0, "")
		pdf.SetFont(font, "", 10)
		for i, o := range d.Outcomes {
			if i == 8 || pdf.GetY() > h-80 {
				break
			}
			pdf.SetX(33)
			pdf.MultiCell(cw-26, 5, "- "+clip(o, 200), "", "L", false)
		}
	}

	// The QR code to the credential's page, and its address in words.
	code, err := qr.Encode(d.QRURL, qr.M)
	if err != nil {
		return nil, fmt.Errorf("certificate: qr code: %w", err)
	}
	registerPNG(pdf, "qr", code.PNG())
	qs := 34.0
	pdf.ImageOptions("qr", w-20-qs, h-20-qs-10, qs, qs, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	pdf.SetFont(font, "", 8.5)
	pdf.SetTextColor(91, 100, 114)
	pdf.SetXY(20, h-20-qs-8)
	pdf.MultiCell(cw-qs-6, 4.5, "Check this certificate: scan the code or visit\n"+d.PageURL+
		"\nThe page shows whether the credential is valid now. The signed credential ("+d.Filename+
		") is attached to this PDF.\nCredential id: "+d.CredentialID, "", "L", false)

	pdf.SetAttachments([]fpdf.Attachment{{Content: d.Credential, Filename: d.Filename, Description: "The signed credential"}})
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("certificate: %w", err)
	}
	return buf.Bytes(), nil
}

func registerPNG(pdf *fpdf.Fpdf, name string, b []byte) {
	pdf.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(b))
}

func clip(s string, n int) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n]) + "…"
}

// embeddedFile finds an embedded file stream as Render writes it.
var embeddedFile = regexp.MustCompile(`/Type /EmbeddedFile /Length (\d+) /Filter /FlateDecode[^\n]*\n\s*stream\r?\n`)

// ErrNoAttachment is returned for a PDF without an embedded credential.
var ErrNoAttachment = errors.New("certificate: the PDF has no embedded credential")

// MaxAttachment bounds the credential read back from a PDF.
const MaxAttachment = 1 << 20

// Attachment returns the credential embedded in a certificate this package
// drew.
func Attachment(pdf []byte) ([]byte, error) {
	m := embeddedFile.FindSubmatchIndex(pdf)
	if m == nil {
		return nil, ErrNoAttachment
	}
	n, err := strconv.Atoi(string(pdf[m[2]:m[3]]))
	if err != nil || n < 0 || m[1]+n > len(pdf) {
		return nil, fmt.Errorf("certificate: embedded file: bad length")
	}
	zr, err := zlib.NewReader(bytes.NewReader(pdf[m[1] : m[1]+n]))
	if err != nil {
		return nil, fmt.Errorf("certificate: embedded file: %w", err)
	}
	defer zr.Close()
	b, err := io.ReadAll(io.LimitReader(zr, MaxAttachment+1))
	if err != nil {
		return nil, fmt.Errorf("certificate: embedded file: %w", err)
	}
	if len(b) > MaxAttachment {
		return nil, fmt.Errorf("certificate: embedded file larger than %d bytes", MaxAttachment)
	}
	return b, nil
}
