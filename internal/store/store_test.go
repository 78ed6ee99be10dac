package store

import (
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"
)

func TestScheme(t *testing.T) {
	cases := []struct{ url, want string }{
		{"postgres://u@h/db", "postgres"},
		{"postgresql://u@h/db?sslmode=disable", "postgres"},
		{"sqlite:/var/lib/microcred.db", "sqlite"},
		{"./microcred.db", "sqlite"},
		{"/abs/path.db", "sqlite"},
	}
	for _, c := range cases {
		if got := Scheme(c.url); got != c.want {
			t.Errorf("Scheme(%q) = %q, want %q", c.url, got, c.want)
		}
	}
}

func TestOpenUnregistered(t *testing.T) {
	_, err := Open(context.Background(), "postgres://nowhere/db")
	if err == nil || !strings.Contains(err.Error(), "internal/store/postgres") {
		t.Errorf("Open without registered implementation: %v", err)
	}
}

func TestNewID(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 1000 {
		id := NewID()
		if !re.MatchString(id) {
			t.Fatalf("NewID() = %q, not a version 4 UUID", id)
		}
		if seen[id] {
			t.Fatalf("NewID() repeated %q", id)
		}
		seen[id] = true
	}
}

func TestValidSlug(t *testing.T) {
	cases := map[string]bool{
		"a": true, "uni-a": true, "a1-b2-c3": true, strings.Repeat("a", 64): true,
		"": false, "-a": false, "a-": false, "A": false, "a b": false, "a_b": false, "ü": false,
		strings.Repeat("a", 65): false,
	}
	for slug, want := range cases {
		if got := ValidSlug(slug); got != want {
			t.Errorf("ValidSlug(%q) = %v, want %v", slug, got, want)
		}
	}
}

func TestEmailKey(t *testing.T) {
	for in, want := range map[string]string{
		"  Ada.Lovelace@Example.ORG ": "ada.lovelace@example.org",
		"kim@example.org":             "kim@example.org",
		// Only ASCII letters fold: a look-alike stays a different address.
		"\u212aim@example.org":     "\u212aim@example.org",
		"Ünïcode.User@Example.ORG": "Ünïcode.user@example.org",
	} {
		if got := EmailKey(in); got != want {
			t.Errorf("EmailKey(%q) = %q, want %q", in, got, want)
		}
	}
	if EmailKey("\u212aim@example.org") == EmailKey("kim@example.org") {
		t.Error("KELVIN SIGN address has the key of the ASCII one")
	}
}

func TestErrorMatching(t *testing.T) {
	driverErr := errors.New("UNIQUE constraint failed: organizations.slug")
	err := error(&Error{Kind: ErrConflict, Op: "store: create organization", Err: driverErr})
	if !errors.Is(err, ErrConflict) || !errors.Is(err, driverErr) || errors.Is(err, ErrNotFound) {
		t.Errorf("errors.Is does not see kind and cause of %v", err)
	}
	if want := "store: create organization: conflict: UNIQUE constraint failed: organizations.slug"; err.Error() != want {
		t.Errorf("message %q, want %q", err.Error(), want)
	}
}

func TestValidateScopes(t *testing.T) {
	cases := []struct {
		scopes []string
		ok     bool
	}{
		{nil, true},
		{[]string{"https://purl.imsglobal.org/spec/ob/v3p0/scope/credential.upsert"}, true},
		{[]string{""}, false},
		{[]string{"a b"}, false},
		{[]string{"a\tb"}, false},
	}
	for _, c := range cases {
		if err := ValidateScopes(c.scopes); (err == nil) != c.ok || (err != nil && !errors.Is(err, ErrInvalid)) {
			t.Errorf("ValidateScopes(%q) = %v", c.scopes, err)
		}
	}
}
