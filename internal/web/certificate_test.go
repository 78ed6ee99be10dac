package web_test

import (
	"bytes"
	"context"
	"image/png"
	"mime/multipart"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/microcred/microcred/internal/certificate"
)

// TestCertificateQRCode rasterizes the certificate's page with pdftoppm
// and reads its QR code with a QR reader: it leads to the credential page.
func TestCertificateQRCode(t *testing.T) {
	pdftoppm, err := exec.LookPath("pdftoppm")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftoppm not found (install poppler-utils); CI must rasterize the certificate")
		}
		t.Skip("pdftoppm not found: install poppler-utils to run this test")
	}
	e := newEnv(t, envOptions{})
	rec := e.do(request{method: "GET", path: "/c/" + e.credUUID + ".pdf"})
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/pdf" {
		t.Fatalf("pdf: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "certificate.pdf")
	if err := os.WriteFile(in, rec.Body.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(pdftoppm, "-r", "150", "-png", "-f", "1", "-l", "1", "-singlefile", in, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	f, err := os.Open(filepath.Join(dir, "page.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("no QR code found on the certificate: %v", err)
	}
	if want := testBase + "/c/" + e.credUUID + "?src=qr"; res.GetText() != want {
		t.Errorf("QR code = %q, want %q", res.GetText(), want)
	}
}

// TestCertificateAttachmentVerifies extracts the credential embedded in
// the PDF and verifies it; the paper follows the viewer's locale or the
// paper parameter.
func TestCertificateAttachmentVerifies(t *testing.T) {
	e := newEnv(t, envOptions{})
	rec := e.do(request{method: "GET", path: "/c/" + e.credUUID + ".pdf"})
	att, err := certificate.Attachment(rec.Body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := e.svc.Verify(context.Background(), att)
	if err != nil || !rep.Verified {
		t.Fatalf("attached credential does not verify: %v %+v", err, rep)
	}
	for _, tt := range []struct {
		path, lang, media string
	}{
		{".pdf", "nl-NL,nl;q=0.9", "595.28 841.89"},
		{".pdf", "en-US,en;q=0.9", "612.00 792.00"},
		{".pdf?paper=a4", "en-US", "595.28 841.89"},
		{".pdf?paper=letter", "", "612.00 792.00"},
	} {
		rec := e.do(request{method: "GET", path: "/c/" + e.credUUID + tt.path, header: map[string]string{"Accept-Language": tt.lang}})
		if !strings.Contains(rec.Body.String(), "/MediaBox [0 0 "+tt.media+"]") {
			t.Errorf("%s with %q: not the page size %s", tt.path, tt.lang, tt.media)
		}
	}
	if _, err := certificate.Attachment([]byte("%PDF-1.4 nothing")); err == nil {
		t.Error("a PDF without attachment gave one")
	}
}

// TestVerifyPDFUpload: an employer uploads the PDF certificate to the
// verification page and gets the verdict of the credential inside it.
func TestVerifyPDFUpload(t *testing.T) {
	e := newEnv(t, envOptions{})
	pdf := e.do(request{method: "GET", path: "/c/" + e.credUUID + ".pdf"}).Body.Bytes()
	post := func(name string, data []byte) string {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", name)
		_, _ = fw.Write(data)
		_ = mw.Close()
		return e.do(request{method: "POST", path: "/verify", body: body.String(), contentType: mw.FormDataContentType()}).Body.String()
	}
	if page := post("certificate.pdf", pdf); !strings.Contains(page, "✔ Verified") {
		t.Errorf("uploaded certificate not verified:\n%s", page)
	}
	if page := post("other.pdf", []byte("%PDF-1.4\n%%EOF")); !strings.Contains(page, "This PDF has no credential attached") || !strings.Contains(page, `data-field="file"`) {
		t.Errorf("a PDF without credential:\n%s", page)
	}
}
