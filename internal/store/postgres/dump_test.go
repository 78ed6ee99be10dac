package postgres

import (
	"slices"
	"strings"
	"testing"
)

func TestLoadOrder(t *testing.T) {
	tests := []struct {
		name  string
		names []string
		deps  map[string][]string
		want  string // comma-separated, or "error"
	}{
		{"no keys keeps the order", []string{"a", "b", "c"}, nil, "a,b,c"},
		{"referenced first", []string{"credentials", "organizations", "users"},
			map[string][]string{"credentials": {"organizations", "users"}}, "organizations,users,credentials"},
		{"chain", []string{"c", "b", "a"}, map[string][]string{"c": {"b"}, "b": {"a"}}, "a,b,c"},
		{"cycle", []string{"a", "b"}, map[string][]string{"a": {"b"}, "b": {"a"}}, "error"},
	}
	for _, tt := range tests {
		got, err := loadOrder(tt.names, tt.deps)
		if tt.want == "error" {
			if err == nil || !strings.Contains(err.Error(), "cycle") {
				t.Errorf("%s: got %v, %v; want a cycle error", tt.name, got, err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, strings.Split(tt.want, ",")) {
			t.Errorf("%s: got %v, %v; want %s", tt.name, got, err, tt.want)
		}
	}
}

func TestUnquote(t *testing.T) {
	for in, want := range map[string]string{"plain": "plain", `"Mixed"`: "Mixed", `"a""b"`: `a"b`} {
		if got := unquote(in); got != want {
			t.Errorf("unquote(%s) = %s, want %s", in, got, want)
		}
	}
}
