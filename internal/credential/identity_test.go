package credential

import "testing"

func TestHashedEmail(t *testing.T) {
	// The example from the Open Badges 3.0 IdentityHash definition.
	id := HashedEmail("a@example.com", "Kosher")
	want := "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
	if id.IdentityHash != want {
		t.Errorf("IdentityHash = %s, want %s", id.IdentityHash, want)
	}
	if id.Type != TypeIdentityObject || id.IdentityType != IdentityTypeEmailAddress || id.Salt != "Kosher" ||
		id.Hashed == nil || !*id.Hashed {
		t.Errorf("IdentityObject = %+v", id)
	}
	// The fixture's identifier was produced the same way.
	c, err := Parse(readTestdata(t, "ob3-full.json"))
	if err != nil {
		t.Fatal(err)
	}
	got := c.CredentialSubject.Identifier[0]
	if h := HashedEmail("amara.okafor@example.org", got.Salt).IdentityHash; h != got.IdentityHash {
		t.Errorf("fixture hash %s, recomputed %s", got.IdentityHash, h)
	}
}

func TestIdentityMatches(t *testing.T) {
	cases := []struct {
		name     string
		id       IdentityObject
		identity string
		want     bool
	}{
		{"sha256 match", HashedEmail("a@example.com", "Kosher"), "a@example.com", true},
		{"sha256 other email", HashedEmail("a@example.com", "Kosher"), "b@example.com", false},
		{"sha256 upper-case hex", IdentityObject{Hashed: Bool(true), Salt: "Kosher",
			IdentityHash: "sha256$B5809D8A92F8858436D7E6B87C12EBC0AE1EAC4BAECC2C0B913AEE2C922EF399"}, "a@example.com", true},
		{"md5", IdentityObject{Hashed: Bool(true), IdentityHash: "md5$e9b8b0d9d1a4f0c1e1c0f6c5b1b3c8b1"}, "x", false},
		{"md5 match", IdentityObject{Hashed: Bool(true), IdentityHash: "md5$9dd4e461268c8034f5c8564e155c67a6"}, "x", true},
		{"plaintext", IdentityObject{Hashed: Bool(false), IdentityHash: "student-1"}, "student-1", true},
		{"plaintext mismatch", IdentityObject{Hashed: Bool(false), IdentityHash: "student-1"}, "student-2", false},
		{"unknown algorithm", IdentityObject{Hashed: Bool(true), IdentityHash: "sha1$00"}, "x", false},
		{"no separator", IdentityObject{Hashed: Bool(true), IdentityHash: "abc"}, "x", false},
		{"bad hex", IdentityObject{Hashed: Bool(true), IdentityHash: "sha256$zz"}, "x", false},
	}
	for _, tc := range cases {
		if got := tc.id.Matches(tc.identity); got != tc.want {
			t.Errorf("%s: Matches = %v, want %v", tc.name, got, tc.want)
		}
	}
}
