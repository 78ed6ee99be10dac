package issue

import (
	"strings"
	"testing"
	"time"
)

// TestNewCredentialUUID checks the layout of version 7 UUIDs and that ids
// of later milliseconds sort after earlier ones, which is what keeps the
// credential indexes append-only.
func TestNewCredentialUUID(t *testing.T) {
	base := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	seen := map[string]bool{}
	prev := ""
	for i := range 200 {
		id := newCredentialUUID(base.Add(time.Duration(i) * time.Millisecond))
		if len(id) != 36 || id[14] != '7' || !strings.ContainsRune("89ab", rune(id[19])) {
			t.Fatalf("%s is not a version 7 RFC 9562 UUID", id)
		}
		if strings.Count(id, "-") != 4 || id[8] != '-' || id[13] != '-' || id[18] != '-' || id[23] != '-' {
			t.Fatalf("%s: bad layout", id)
		}
		if seen[id] {
			t.Fatalf("%s repeated", id)
		}
		seen[id] = true
		if id <= prev {
			t.Errorf("%s (ms %d) sorts before %s", id, i, prev)
		}
		prev = id
	}
	// 2026-05-01T12:00:00Z is 1777636800000 ms = 0x019de368f600.
	if got, want := newCredentialUUID(base)[:13], "019de368-f600"; got != want {
		t.Errorf("time prefix %s, want %s", got, want)
	}
}
