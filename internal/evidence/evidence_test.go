package evidence

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

var pngData = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{1}, 64)...)

func TestParseRubric(t *testing.T) {
	r, err := ParseRubric("Data cleaning: Missing = 0; Partial = 2; Complete = 4\r\n\n  Charts : Poor=0;Good=3 \n", 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Criteria) != 2 || r.Criteria[1].ID != "c2" || r.Criteria[1].Name != "Charts" || r.Criteria[0].Levels[2] != (Level{Name: "Complete", Points: 4}) || r.MaxPoints() != 7 {
		t.Fatalf("rubric = %+v", r)
	}
	if back, err := ParseRubric(FormatRubric(r), 5); err != nil || FormatRubric(back) != FormatRubric(r) {
		t.Errorf("round trip: %v\n%s", err, FormatRubric(back))
	}
	for _, bad := range []string{"no colon here", "X: Low = none", "X: Low"} {
		if _, err := ParseRubric(bad, 0); err == nil || !strings.Contains(err.Error(), "line 1") {
			t.Errorf("ParseRubric(%q) = %v, want an error naming line 1", bad, err)
		}
	}
}

func TestRequirementValidate(t *testing.T) {
	good := func() Requirement {
		r, _ := ParseRubric("A: No = 0; Yes = 2\nB: No = 0; Yes = 3", 3)
		return Requirement{Instructions: "Upload your dashboard.", Rubric: r, MaxFiles: 3}
	}
	if err := (func() *Requirement { q := good(); return &q })().Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, field string
		mod         func(*Requirement)
	}{
		{"no instructions", "instructions", func(q *Requirement) { q.Instructions = " " }},
		{"no criteria", "rubric", func(q *Requirement) { q.Rubric.Criteria = nil }},
		{"one level", "rubric", func(q *Requirement) { q.Rubric.Criteria[0].Levels = q.Rubric.Criteria[0].Levels[:1] }},
		{"negative points", "rubric", func(q *Requirement) { q.Rubric.Criteria[0].Levels[1].Points = -1 }},
		{"pass above max", "passPoints", func(q *Requirement) { q.Rubric.PassPoints = 6 }},
		{"too many files", "maxFiles", func(q *Requirement) { q.MaxFiles = 99 }},
		{"duplicate ids", "rubric", func(q *Requirement) { q.Rubric.Criteria[1].ID = "c1" }},
	} {
		q := good()
		c.mod(&q)
		var fe FieldErrors
		if err := q.Validate(); !errors.As(err, &fe) || fe[0].Field != c.field {
			t.Errorf("%s: %v, want an error on %s", c.name, err, c.field)
		}
	}
}

func TestApplyScore(t *testing.T) {
	r, _ := ParseRubric("A: No = 0; Yes = 2\nB: No = 0; Some = 1; Yes = 3", 3)
	s, err := r.Apply(Score{"c1": 1, "c2": 1})
	if err != nil || s.Points != 3 || s.MaxPoints != 5 || !s.Passed || s.Lines[1].Level.Name != "Some" {
		t.Fatalf("Apply = %+v %v", s, err)
	}
	if s, _ := r.Apply(Score{"c1": 0, "c2": 2}); s.Passed != true || s.Points != 3 {
		t.Errorf("pass at exactly the mark: %+v", s)
	}
	if s, _ := r.Apply(Score{"c1": 1, "c2": 0}); s.Passed {
		t.Errorf("2 of 3 passed")
	}
	var fe FieldErrors
	if _, err := r.Apply(Score{"c1": 5}); !errors.As(err, &fe) || len(fe) != 2 {
		t.Errorf("invalid score: %v", err)
	}
}

func TestTransitions(t *testing.T) {
	for _, c := range []struct {
		from State
		a    Action
		to   State
		ok   bool
	}{
		{Draft, Submit, Submitted, true},
		{ChangesRequested, Submit, Submitted, true},
		{Submitted, Submit, Submitted, false},
		{Submitted, Approve, Approved, true},
		{Submitted, Reject, Rejected, true},
		{Submitted, RequestChanges, ChangesRequested, true},
		{Draft, Approve, Draft, false},
		{Approved, Reject, Approved, false},
		{Rejected, Submit, Rejected, false},
		{ChangesRequested, Approve, ChangesRequested, false},
	} {
		got, err := Next(c.from, c.a)
		if (err == nil) != c.ok || got != c.to {
			t.Errorf("Next(%s, %s) = %s, %v", c.from, c.a, got, err)
		}
		if err != nil && !errors.Is(err, ErrTransition) {
			t.Errorf("error %v does not wrap ErrTransition", err)
		}
	}
}

func TestCheckFile(t *testing.T) {
	pdf := []byte("%PDF-1.7\n1 0 obj <<>> endobj\ntrailer\n%%EOF\n")
	zip := []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00rest of a zip file")
	for _, c := range []struct {
		name     string
		file     string
		data     []byte
		wantType string
		wantErr  string
	}{
		{"pdf", "report.pdf", pdf, "application/pdf", ""},
		{"png in a folder", `C:\Users\me\shot.PNG`, pngData, "image/png", ""},
		{"text", "notes.md", []byte("# Notes\nAll good."), "text/plain", ""},
		{"traversal", "../../etc/passwd.txt", []byte("x"), "text/plain", ""}, // kept as its last element
		{"empty", "a.pdf", nil, "", "is empty"},
		{"too big", "a.txt", bytes.Repeat([]byte("a"), MaxFileBytes+1), "", "at most 10 MB"},
		{"hidden", ".htaccess", []byte("x"), "", "starts with a dot"},
		{"dots only", "..", []byte("x"), "", "no name"},
		{"control char", "a\x01.txt", []byte("x"), "", "contains the character"},
		{"zip", "work.zip", zip, "", "archive"},
		{"zip named pdf", "work.pdf", zip, "", "archive"},
		{"gzip", "data.txt", []byte("\x1f\x8b\x08\x00\x00\x00\x00\x00"), "", "archive"},
		{"polyglot png+zip", "shot.png", append(append([]byte{}, pngData...), zip...), "", "also contains an archive"},
		{"html", "page.txt", []byte("<!DOCTYPE html><script>alert(1)</script>"), "", "a web page"},
		{"svg", "logo.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "", "does not match"},
		{"type mismatch", "photo.jpg", pngData, "", "does not match"},
		{"exe", "setup.pdf", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), "", "do not accept"},
		{"latin-1 text", "a.txt", []byte("caf\xe9 au lait"), "", "not UTF-8"},
	} {
		clean, mt, err := CheckFile(c.file, c.data)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: err = %v, want %q", c.name, err, c.wantErr)
			}
			continue
		}
		if err != nil || mt != c.wantType || strings.ContainsAny(clean, `/\`) {
			t.Errorf("%s: %q %q %v", c.name, clean, mt, err)
		}
	}
}

func FuzzCheckFile(f *testing.F) {
	f.Add("a.pdf", []byte("%PDF-1.4"))
	f.Add("../x.png", pngData)
	f.Add("a.txt", []byte("PK\x05\x06"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		clean, mt, err := CheckFile(name, data)
		if err != nil {
			return
		}
		if clean == "" || strings.ContainsAny(clean, "/\\\x00") || strings.HasPrefix(clean, ".") || allowed[mt] == nil {
			t.Fatalf("accepted %q as %q (%q)", name, clean, mt)
		}
		if bytes.Contains(data, []byte("PK\x03\x04")) && len(data) < 4096 {
			t.Fatalf("accepted a file holding a ZIP header")
		}
	})
}

func FuzzParseRubric(f *testing.F) {
	f.Add("A: No = 0; Yes = 2\nB: x=1;y=2", 1)
	f.Fuzz(func(t *testing.T, text string, pass int) {
		r, err := ParseRubric(text, pass)
		if err != nil {
			return
		}
		q := Requirement{Instructions: "x", Rubric: r, MaxFiles: 1}
		if q.Validate() == nil {
			if back, err := ParseRubric(FormatRubric(r), pass); err != nil || len(back.Criteria) != len(r.Criteria) {
				t.Fatalf("valid rubric does not round-trip: %v", err)
			}
		}
	})
}
