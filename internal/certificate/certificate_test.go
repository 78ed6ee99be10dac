package certificate

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestRenderAndAttachment(t *testing.T) {
	cred := []byte(`{"type":["VerifiableCredential"],"name":"Zoë"}`)
	for _, paper := range []string{A4, Letter} {
		b, err := Render(Data{Paper: paper, OrgName: "Harbour College", Learner: "Zoë Ångström", Achievement: "Data Visualisation",
			Description: "Charts.", IssuedOn: "6 December 2026", Level: "EQF level 5", Credits: "2 ECTS credits",
			Outcomes: []string{"Choose a chart", "Critique a dashboard"}, QRURL: "http://x.test/c/1?src=qr", PageURL: "http://x.test/c/1",
			CredentialID: "urn:uuid:1", Credential: cred, Filename: "1.json"})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(b, []byte("%PDF-")) {
			t.Fatalf("%s: not a PDF", paper)
		}
		got, err := Attachment(b)
		if err != nil || !bytes.Equal(got, cred) {
			t.Errorf("%s: attachment = %q, %v", paper, got, err)
		}
	}
}

// FuzzAttachment: the reader of embedded files never panics and never
// returns more than MaxAttachment bytes.
func FuzzAttachment(f *testing.F) {
	f.Add([]byte("%PDF-1.4\n<< /Type /EmbeddedFile /Length 5 /Filter /FlateDecode >>\nstream\nxxxxx\nendstream"))
	f.Add([]byte("/Type /EmbeddedFile /Length 999999 /Filter /FlateDecode\nstream\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if out, err := Attachment(b); err == nil && len(out) > MaxAttachment {
			t.Fatalf("%d bytes", len(out))
		}
	})
}

// TestRenderKeepsEveryLetter draws names in Polish, Greek, Cyrillic and
// Turkish and reads the PDF's text back with pdftotext (poppler-utils):
// every letter must survive, as it would not in the PDF core fonts
// (Windows-1252 only).
func TestRenderKeepsEveryLetter(t *testing.T) {
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext not found: install poppler-utils")
		}
		t.Skip("pdftotext not found: install poppler-utils to read the certificate's text back")
	}
	names := map[string]string{
		"org":         "Politechnika Łódzka",
		"learner":     "Αλέξανδρος Παπαδόπουλος",
		"achievement": "Кириллица и данные",
		"description": "Bir İstanbul kursu: çalışma, öğrenme, ĞÜŞİÖÇ",
		"outcome":     "Zażółć gęślą jaźń",
	}
	b, err := Render(Data{Paper: A4, OrgName: names["org"], Learner: names["learner"], Achievement: names["achievement"],
		Description: names["description"], IssuedOn: "6 December 2026", Credits: "5 ECTS credits · 140 hours",
		Outcomes: []string{names["outcome"]}, QRURL: "http://x.test/c/1?src=qr", PageURL: "http://x.test/c/1",
		CredentialID: "urn:uuid:1", Credential: []byte(`{}`), Filename: "1.json"})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "c.pdf")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftotext, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := strings.Join(strings.Fields(string(out)), " ")
	for what, name := range names {
		if !strings.Contains(text, name) {
			t.Errorf("%s %q is not in the certificate's text:\n%s", what, name, text)
		}
	}
	if !strings.Contains(text, "5 ECTS credits · 140 hours") {
		t.Errorf("credits line lost: %s", text)
	}
}
