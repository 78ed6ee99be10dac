package cli

import (
	"strings"
	"testing"
)

// FuzzCredentialIDOf checks the parser of --id: whatever it accepts
// becomes one canonical id, urn:uuid: with a lower-case UUID, and the
// canonical id parses to itself.
func FuzzCredentialIDOf(f *testing.F) {
	for _, s := range []string{"urn:uuid:01a24b08-64d1-7d21-ae0f-427a378441d9", "URN:UUID:01A24B08-64D1-7D21-AE0F-427A378441D9",
		"01a24b08-64d1-7d21-ae0f-427a378441d9", "https://x.example/c/01a24b08-64d1-7d21-ae0f-427a378441d9.json?x=/c/y",
		"http://x/c/", "urn:uuid:", "nope", " \t01a24b08-64d1-7d21-ae0f-427a378441d9\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, ok := credentialIDOf(s)
		if !ok {
			if id != "" {
				t.Fatalf("credentialIDOf(%q) refused but returned %q", s, id)
			}
			return
		}
		if !strings.HasPrefix(id, "urn:uuid:") || id != strings.ToLower(id) || !uuidInText.MatchString(id[9:]) {
			t.Fatalf("credentialIDOf(%q) = %q: not a canonical urn:uuid id", s, id)
		}
		if again, ok := credentialIDOf(id); !ok || again != id {
			t.Fatalf("canonical id %q parses to %q, %v", id, again, ok)
		}
	})
}

// FuzzParseValidUntil checks --valid-until: an error names the flag and
// the value, and an accepted value is a real instant.
func FuzzParseValidUntil(f *testing.F) {
	for _, s := range []string{"2030-12-31", "2030-12-31T23:59:59Z", "2030-02-30", "2030-12-31T25:00:00Z", "", "  ", "0000-01-01", "9999-12-31T23:59:59.999999999+14:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := parseValidUntil(s)
		if err != nil {
			if !strings.Contains(err.Error(), "--valid-until") {
				t.Fatalf("parseValidUntil(%q): error %q does not name the flag", s, err)
			}
			return
		}
		if strings.TrimSpace(s) == "" {
			if !v.IsZero() {
				t.Fatalf("parseValidUntil(%q) = %v, want the zero time", s, v)
			}
			return
		}
		if v.IsZero() && !strings.HasPrefix(strings.TrimSpace(s), "0001-01-01") {
			t.Fatalf("parseValidUntil(%q) accepted it as the zero time", s)
		}
	})
}
