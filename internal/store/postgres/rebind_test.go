package postgres

import "testing"

func TestRebind(t *testing.T) {
	cases := map[string]string{
		"SELECT 1":                               "SELECT 1",
		"SELECT * FROM t WHERE a = ?":            "SELECT * FROM t WHERE a = $1",
		"INSERT INTO t VALUES (?, ?, ?)":         "INSERT INTO t VALUES ($1, $2, $3)",
		"x IN (?, ?) AND y = ? LIMIT ? OFFSET ?": "x IN ($1, $2) AND y = $3 LIMIT $4 OFFSET $5",
	}
	for in, want := range cases {
		for range 2 { // second pass is served from the cache
			if got := rebind(in); got != want {
				t.Errorf("rebind(%q) = %q, want %q", in, got, want)
			}
		}
	}
}
