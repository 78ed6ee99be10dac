package wallet

import (
	"bytes"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	a, err := Parse([]byte("\xef\xbb\xbf  {\"id\":\"urn:uuid:ABCDEF00-0000-4000-8000-000000000001\",\"type\":[\"VerifiableCredential\"]}\n"))
	if err != nil || a.Format != "json" || a.CredentialID != "urn:uuid:abcdef00-0000-4000-8000-000000000001" {
		t.Fatalf("Parse = %+v %v", a, err)
	}
	// The same credential re-serialised is the same credential.
	b, _ := Parse([]byte(`{"type":["VerifiableCredential"], "id":"urn:uuid:abcdef00-0000-4000-8000-000000000001"}`))
	if !bytes.Equal(a.Digest, b.Digest) {
		t.Error("re-serialised credential has another digest")
	}
	if j, err := Parse([]byte("eyJhbGciOiJFZERTQSJ9.eyJ2YyI6e319.c2ln")); err != nil || j.Format != "jwt" || len(j.Digest) != 32 {
		t.Errorf("jwt: %+v %v", j, err)
	}
	for _, bad := range []string{"", "   ", "hello", "{not json", "a.b", "a b.c.d"} {
		if _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
	if _, err := Parse(bytes.Repeat([]byte("a"), MaxImportBytes+1)); err == nil || !strings.Contains(err.Error(), "at most") {
		t.Errorf("oversized: %v", err)
	}
}

func TestParseRequest(t *testing.T) {
	r, err := ParseRequest(`{"query":[{"type":"QueryByExample"}],"challenge":"abc","domain":"hr.example"}`, "", "")
	if err != nil || r.Challenge != "abc" || r.Domain != "hr.example" {
		t.Fatalf("VPR: %+v %v", r, err)
	}
	if r, err := ParseRequest("", " x ", " d "); err != nil || r.Challenge != "x" || r.Domain != "d" {
		t.Errorf("fields: %+v %v", r, err)
	}
	for _, c := range []struct{ text, ch, dom, want string }{
		{"", "", "d", "challenge is missing"},
		{"", "c", "", "domain is missing"},
		{"{", "", "", "not JSON"},
		{"", strings.Repeat("c", 600), "d", "at most 512"},
	} {
		if _, err := ParseRequest(c.text, c.ch, c.dom); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseRequest(%q,%q,%q) = %v, want %q", c.text, c.ch, c.dom, err, c.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"id":"urn:uuid:x"}`))
	f.Add([]byte("a.b.c"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data)
		if err == nil && (len(p.Digest) != 32 || (p.Format != "json" && p.Format != "jwt")) {
			t.Fatalf("Parse(%q) = %+v", data, p)
		}
	})
}
