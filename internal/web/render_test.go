package web

import (
	"reflect"
	"strings"
	"testing"
)

func TestMarkdownBlocks(t *testing.T) {
	tests := []struct {
		in   string
		want []mdBlock
	}{
		{"", nil},
		{"Pass the exam.", []mdBlock{{Text: "Pass the exam."}}},
		{"Line one\nline two\n\nNext", []mdBlock{{Text: "Line one line two"}, {Text: "Next"}}},
		{"Intro\n### Outcomes\n- a\n* b\n\nEnd", []mdBlock{{Text: "Intro"}, {Heading: "Outcomes"}, {Items: []string{"a", "b"}}, {Text: "End"}}},
		{"<script>x</script>", []mdBlock{{Text: "<script>x</script>"}}},
	}
	for _, tt := range tests {
		if got := markdownBlocks(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("markdownBlocks(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/admin":               "/admin",
		"/c/x?y=1":             "/c/x?y=1",
		"//evil.example":       "",
		"/\\evil.example":      "",
		"https://evil.example": "",
		"":                     "",
		"/a\r\nSet-Cookie":     "",
	} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzMarkdownBlocks checks that no text of a narrative is lost: every
// non-blank line, without its Markdown marker, appears in some block.
func FuzzMarkdownBlocks(f *testing.F) {
	f.Add("Intro\n### Outcomes\n- a\n* b\n\nEnd")
	f.Add("#\n-\n* \n")
	f.Add("a\r\nb")
	f.Fuzz(func(t *testing.T, s string) {
		blocks := markdownBlocks(s)
		var all strings.Builder
		for _, b := range blocks {
			all.WriteString(b.Heading + "\x00" + b.Text + "\x00" + strings.Join(b.Items, "\x00") + "\x00")
		}
		for _, line := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
			t1 := strings.TrimSpace(line)
			switch {
			case strings.HasPrefix(t1, "#"):
				t1 = strings.TrimSpace(strings.TrimLeft(t1, "#"))
			case strings.HasPrefix(t1, "- ") || strings.HasPrefix(t1, "* "):
				t1 = t1[2:]
			}
			if t1 != "" && !strings.Contains(all.String(), t1) {
				t.Fatalf("line %q lost from %q: %+v", t1, s, blocks)
			}
		}
	})
}
