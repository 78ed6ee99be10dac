package sqlcore

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestLoadMigrations(t *testing.T) {
	file := func(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s)} }
	cases := []struct {
		name    string
		files   fstest.MapFS
		want    []string
		wantErr string
	}{
		{"ordered", fstest.MapFS{"m/0002_b.sql": file("B"), "m/0001_a.sql": file("A"), "m/README": file("x")}, []string{"0001_a.sql", "0002_b.sql"}, ""},
		{"gap", fstest.MapFS{"m/0001_a.sql": file("A"), "m/0003_c.sql": file("C")}, nil, "expected version 2"},
		{"duplicate", fstest.MapFS{"m/0001_a.sql": file("A"), "m/0001_b.sql": file("B")}, nil, "expected version 2"},
		{"bad name", fstest.MapFS{"m/init.sql": file("A")}, nil, "NNNN_description.sql"},
	}
	for _, c := range cases {
		ms, err := LoadMigrations(c.files, "m")
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: err = %v, want %q", c.name, err, c.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var names []string
		for i, m := range ms {
			names = append(names, m.Name)
			if m.Version != i+1 || m.SQL == "" {
				t.Errorf("%s: migration %d = %+v", c.name, i, m)
			}
		}
		if strings.Join(names, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s: got %v, want %v", c.name, names, c.want)
		}
	}
}

func TestLikePattern(t *testing.T) {
	cases := map[string]string{
		"Data":      "%data%",
		"100%":      `%100\%%`,
		"a_b":       `%a\_b%`,
		`back\path`: `%back\\path%`,
	}
	for in, want := range cases {
		if got := likePattern(in); got != want {
			t.Errorf("likePattern(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTimeRoundTrip(t *testing.T) {
	in := time.Date(2026, 3, 4, 5, 6, 7, 123456789, time.FixedZone("X", 3600))
	args := ConvertTimeArgs([]any{in, (*time.Time)(nil), "x"})
	text, ok := args[0].(string)
	if !ok || text != "2026-03-04T04:06:07.123456Z" || args[1] != nil || args[2] != "x" {
		t.Fatalf("ConvertTimeArgs = %#v", args)
	}
	var out time.Time
	if err := ts(&out).Scan(text); err != nil {
		t.Fatal(err)
	}
	if !out.Equal(norm(in)) || out.Location() != time.UTC {
		t.Errorf("round trip = %v, want %v", out, norm(in))
	}
	// Fixed width keeps text order equal to time order, including across
	// whole seconds.
	a, b := ConvertTimeArgs([]any{in.Truncate(time.Second)})[0].(string), ConvertTimeArgs([]any{in})[0].(string)
	if !(a < b) {
		t.Errorf("%q !< %q", a, b)
	}
	var opt *time.Time
	if err := tsOpt(&opt).Scan(nil); err != nil || opt != nil {
		t.Errorf("NULL into optional time = %v, %v", opt, err)
	}
	if err := ts(&out).Scan(int64(5)); err == nil {
		t.Error("scanning an integer as time succeeded")
	}
}
