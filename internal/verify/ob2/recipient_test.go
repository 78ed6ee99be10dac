package ob2

import (
	"context"
	"encoding/json"
	"testing"
)

// TestRecipient checks the hashed identity of the specification's example
// assertion ("sha256$c7ef86...", salt "deadsea") and plain identities.
func TestRecipient(t *testing.T) {
	var a map[string]any
	if err := json.Unmarshal([]byte(readTestdata(t, "spec/assertion.json")), &a); err != nil {
		t.Fatal(err)
	}
	r, ok := RecipientOf(a)
	if !ok || !r.Hashed || r.Type != "email" || r.Salt != "deadsea" {
		t.Fatalf("RecipientOf = %+v, %v", r, ok)
	}
	// The examples do not name the address; the hash of a known one made
	// the same way must match, and others must not.
	made := Recipient{Type: "email", Hashed: true, Salt: "deadsea", Identity: "sha256$" + sha256Hex("beth@example.org"+"deadsea")}
	for value, want := range map[string]bool{"beth@example.org": true, " Beth@Example.org ": true, "eve@example.org": false, "": false} {
		if got := made.Matches(value); got != want {
			t.Errorf("Matches(%q) = %v, want %v", value, got, want)
		}
	}
	if r.Matches("eve@example.org") {
		t.Error("the example's hash matches an unrelated address")
	}
	plain := Recipient{Type: "email", Identity: "Alice@Example.org"}
	if !plain.Matches("alice@example.org") || plain.Matches("bob@example.org") {
		t.Error("plain email comparison")
	}
	url := Recipient{Type: "url", Identity: "https://example.org/Alice"}
	if url.Matches("https://example.org/alice") || !url.Matches("https://example.org/Alice") {
		t.Error("URLs compare exactly")
	}
	if (Recipient{Hashed: true, Identity: "sha512$00"}).Matches("x") {
		t.Error("unknown hash algorithm matched")
	}
	if _, ok := RecipientOf(map[string]any{}); ok {
		t.Error("recipient found in an empty assertion")
	}
}

func sha256Hex(s string) string {
	return Recipient{}.hash("sha256", s)
}

// TestVerifyRecipient confirms or refutes the expected recipient of a
// signed assertion awarded to alice@example.org.
func TestVerifyRecipient(t *testing.T) {
	s := newIssuerServer(t)
	signed := signJWS(t, "issuer-key.pem", "RS256", []byte(s.expand(readTestdata(t, "signed-claims.json"))))
	for who, want := range map[string]Verdict{"": Verified, "ALICE@example.org": Verified, "bob@example.org": NotVerified} {
		opt := s.options(now)
		opt.Recipient = who
		res, err := Verify(context.Background(), []byte(signed), opt)
		if err != nil {
			t.Fatal(err)
		}
		last := res.Checks[len(res.Checks)-1]
		if res.Verdict != want || last.Name != "recipient" {
			t.Errorf("recipient %q: verdict %q, last check %+v", who, res.Verdict, last)
		}
	}
}
