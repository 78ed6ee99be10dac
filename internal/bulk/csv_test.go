package bulk

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// readAll reads every row of content and returns the rows' fields and the
// problems as strings.
func readAll(t *testing.T, content string, m Mapping) ([]map[string]string, []string, error) {
	t.Helper()
	rd, err := NewReader(strings.NewReader(content), m)
	if err != nil {
		return nil, nil, err
	}
	var rows []map[string]string
	var probs []string
	for {
		row, ps, err := rd.Next()
		if errors.Is(err, io.EOF) {
			return rows, probs, nil
		}
		for _, p := range ps {
			probs = append(probs, p.String())
		}
		if errors.Is(err, errStop) {
			return rows, probs, nil
		}
		if err != nil {
			return rows, probs, err
		}
		if len(ps) == 0 {
			rows = append(rows, row.Fields)
		}
	}
}

func TestReader(t *testing.T) {
	tests := []struct {
		name      string
		csv       string
		mapping   []string
		wantRows  []map[string]string
		wantProbs []string
		wantErr   string
	}{
		{
			name:     "plain",
			csv:      "email,name\na@x.org,Ann\n",
			wantRows: []map[string]string{{"email": "a@x.org", "name": "Ann"}},
		},
		{
			name:     "BOM and CRLF",
			csv:      "\xEF\xBB\xBFemail,name\r\na@x.org,Ann\r\nb@x.org,Bob\r\n",
			wantRows: []map[string]string{{"email": "a@x.org", "name": "Ann"}, {"email": "b@x.org", "name": "Bob"}},
		},
		{
			name:     "quoted fields with commas, quotes and newlines",
			csv:      "email,name,result\na@x.org,\"Doe, Ann \"\"AJ\"\"\",\"line1\nline2\"\n",
			wantRows: []map[string]string{{"email": "a@x.org", "name": `Doe, Ann "AJ"`, "result": "line1\nline2"}},
		},
		{
			name:     "header names are normalized and unknown columns ignored",
			csv:      "E-Mail ,Name,Valid Until,Faculty\na@x.org,Ann,2030-01-01,Law\n",
			mapping:  []string{"E-Mail=email"},
			wantRows: []map[string]string{{"email": "a@x.org", "name": "Ann", "valid_until": "2030-01-01"}},
		},
		{
			name:     "custom mapping and ignore",
			csv:      "Student mail,Full name,email\na@x.org,Ann,old@x.org\n",
			mapping:  []string{"Student mail=email", "full name=name", "email=ignore"},
			wantRows: []map[string]string{{"email": "a@x.org", "name": "Ann"}},
		},
		{
			name:    "missing required columns",
			csv:     "mail,fullname\na@x.org,Ann\n",
			wantErr: `no column for email and name (the header has "mail", "fullname"`,
		},
		{
			name:    "two columns for one field",
			csv:     "email,name,Mail\na@x.org,Ann,b@x.org\n",
			mapping: []string{"Mail=email"},
			wantErr: `columns "email" and "Mail" both map to email`,
		},
		{
			name:    "mapping names a column the file lacks",
			csv:     "email,name\n",
			mapping: []string{"Mail=email"},
			wantErr: `the mapping names column "mail"`,
		},
		{
			name:    "empty file",
			csv:     "",
			wantErr: "the file is empty",
		},
		{
			name:      "wrong field count is a row problem; reading goes on",
			csv:       "email,name\na@x.org\nb@x.org,Bob\n",
			wantRows:  []map[string]string{{"email": "b@x.org", "name": "Bob"}},
			wantProbs: []string{"line 2: the row has 1 fields, the header has 2"},
		},
		{
			name:      "bad UTF-8",
			csv:       "email,name\na@x.org,\xff\xfe\n",
			wantProbs: []string{"line 2, column name: is not valid UTF-8 text (save the file as UTF-8)"},
		},
		{
			name:      "bare quote ends the file",
			csv:       "email,name\na@x.org,An\"n\nb@x.org,Bob\n",
			wantProbs: []string{`line 2: a quote (") inside an unquoted field at character 11 of the line; quote the whole field and double the quote; the rest of the file cannot be read`},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ParseMapping(tc.mapping)
			if err != nil {
				t.Fatal(err)
			}
			rows, probs, err := readAll(t, tc.csv, m)
			if tc.wantErr != "" {
				if err == nil || !errors.Is(err, ErrHeader) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want ErrHeader containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != len(tc.wantRows) {
				t.Fatalf("rows = %v, want %v", rows, tc.wantRows)
			}
			for i := range rows {
				for k, v := range tc.wantRows[i] {
					if rows[i][k] != v {
						t.Errorf("row %d %s = %q, want %q", i+1, k, rows[i][k], v)
					}
				}
				if len(rows[i]) != len(tc.wantRows[i]) {
					t.Errorf("row %d = %v, want %v", i+1, rows[i], tc.wantRows[i])
				}
			}
			if strings.Join(probs, "\n") != strings.Join(tc.wantProbs, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(probs, "\n"), strings.Join(tc.wantProbs, "\n"))
			}
		})
	}
}

func TestParseMapping(t *testing.T) {
	for _, bad := range [][]string{{"x"}, {"=email"}, {"a=nosuchfield"}, {"a=email", "A=name"}} {
		if _, err := ParseMapping(bad); err == nil {
			t.Errorf("ParseMapping(%q) accepted", bad)
		}
	}
	m, err := ParseMapping([]string{" Student Mail = Email ", "x=", "y=ignore"})
	if err != nil {
		t.Fatal(err)
	}
	if got := m.String(); got != "student_mail=email\nx=ignore\ny=ignore" {
		t.Errorf("String() = %q", got)
	}
	round, err := ParseMapping(strings.Split(m.String(), "\n"))
	if err != nil || round.String() != m.String() {
		t.Errorf("round trip: %v %q", err, round.String())
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		end  bool
		want string
		ok   bool
	}{
		{"2026-06-30", false, "2026-06-30T00:00:00Z", true},
		{"2026-06-30", true, "2026-06-30T23:59:59Z", true},
		{"2026-06-30T12:00:00+02:00", true, "2026-06-30T10:00:00Z", true},
		{"30/06/2026", false, "", false},
		{"2026-02-30", false, "", false},
	}
	for _, tc := range tests {
		got, err := parseDate(tc.in, tc.end)
		if (err == nil) != tc.ok || (tc.ok && got.UTC().Format("2006-01-02T15:04:05Z07:00") != tc.want) {
			t.Errorf("parseDate(%q, %v) = %v, %v; want %s ok=%v", tc.in, tc.end, got, err, tc.want, tc.ok)
		}
	}
}

// FuzzReadCSV checks that no input makes the reader panic, loop or
// return a row without its problems explained.
func FuzzReadCSV(f *testing.F) {
	f.Add("email,name\na@x.org,Ann\n", "")
	f.Add("\xEF\xBB\xBFemail,name\r\n\"a@x.org\",\"An\"\"n\"\r\n", "")
	f.Add("Mail,Who\na,b,c\n\"unterminated\n", "Mail=email\nWho=name")
	f.Add("email,name,valid_until\n\xff,x,2020-13-01\n", "")
	f.Add("email\n", "")
	f.Fuzz(func(t *testing.T, content, mapping string) {
		m, err := ParseMapping(strings.Split(mapping, "\n"))
		if err != nil {
			return
		}
		rd, err := NewReader(strings.NewReader(content), m)
		if err != nil {
			if !errors.Is(err, ErrHeader) {
				t.Fatalf("header error not wrapping ErrHeader: %v", err)
			}
			return
		}
		for i := 0; ; i++ {
			if i > len(content)+1 {
				t.Fatal("more rows than bytes")
			}
			row, probs, err := rd.Next()
			if errors.Is(err, io.EOF) || errors.Is(err, errStop) {
				return
			}
			if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if len(probs) == 0 {
				_, _ = rowRequest(rd, row, "org", "ach")
			}
			for _, p := range probs {
				if p.String() == "" || p.Line <= 0 {
					t.Fatalf("problem without line or text: %+v", p)
				}
			}
		}
	})
}

func TestLineLimit(t *testing.T) {
	long := strings.Repeat("a", maxLineBytes+1)
	tests := []struct {
		name, content string
		headerErr     bool
		problem       bool
	}{
		{"short lines", "email,name\na@example.org,A\n", false, false},
		{"long header", long + "\n", true, false},
		{"long row", "email,name\n" + long + "\n", false, true},
		{"row at the limit", "email,name\na@example.org," + strings.Repeat("b", 100) + "\n", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, probs, err := readAll(t, tt.content, nil)
			if tt.headerErr != (err != nil) {
				t.Fatalf("err = %v, want header error %v", err, tt.headerErr)
			}
			got := strings.Contains(strings.Join(probs, "\n"), "one row per line")
			if got != tt.problem {
				t.Errorf("problems %q, want the line-length problem: %v", probs, tt.problem)
			}
			if _, _, err := Peek(strings.NewReader(tt.content), 10); tt.headerErr && err == nil {
				t.Error("Peek read a header longer than the limit")
			}
		})
	}
}
