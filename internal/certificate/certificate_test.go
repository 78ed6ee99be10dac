package certificate

import (
	"bytes"
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
