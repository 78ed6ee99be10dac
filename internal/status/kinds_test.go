package status

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/microcred/microcred/internal/did"
	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/proof"
)

func TestDecode2021(t *testing.T) {
	bits := NewBitstring(DefaultListSize)
	_ = bits.Set(9, true)
	enc, err := Encode(bits)
	if err != nil {
		t.Fatal(err)
	}
	raw := enc[1:] // StatusList2021 has no Multibase prefix
	for name, in := range map[string]string{"plain": raw, "with prefix": enc, "padded": raw + strings.Repeat("=", (4-len(raw)%4)%4)} {
		b, err := Decode2021(in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if set, _ := b.Get(9); !set || b.Len() != DefaultListSize {
			t.Errorf("%s: bit 9 = %v, len %d", name, set, b.Len())
		}
	}
	for _, bad := range []string{"", "!!!", "H4sI"} {
		if _, err := Decode2021(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestCheckerListKinds checks each kind of list the Checker reads: a
// StatusList2021Credential secured as a JWT, a 1EdTechRevocationList, and
// a list whose id is not the URL it was fetched from.
func TestCheckerListKinds(t *testing.T) {
	now := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	kp, err := keys.FromSeed(make([]byte, ed25519.SeedSize), "")
	if err != nil {
		t.Fatal(err)
	}
	bits := NewBitstring(DefaultListSize)
	_ = bits.Set(9, true)
	enc, _ := Encode(bits)
	list2021 := map[string]any{
		"@context": []any{"https://www.w3.org/2018/credentials/v1"}, "id": "https://x.example/2021",
		"type": []any{"VerifiableCredential", TypeListCredential2021}, "issuer": kp.Controller, "issuanceDate": "2026-01-01T00:00:00Z",
		"credentialSubject": map[string]any{"type": TypeList2021, "statusPurpose": "revocation", "encodedList": enc[1:]},
	}
	jwt, err := proof.SignJWT(list2021, kp, "")
	if err != nil {
		t.Fatal(err)
	}
	moved, err := ListCredential("https://cdn.x.example/other-id", kp.Controller, "revocation", bits, now.Add(-time.Hour), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	movedSigned, err := proof.Sign(moved, kp, proof.Options{Created: now.Add(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	movedJSON, _ := json.Marshal(movedSigned)
	rev, _ := json.Marshal(map[string]any{"id": "https://x.example/rev", "issuer": map[string]any{"id": kp.Controller},
		"revokedCredentials": []any{map[string]any{"id": "urn:uuid:revoked"}}})
	c := &Checker{Source: Files{"https://x.example/2021": []byte(jwt), "https://x.example/moved": movedJSON, "https://x.example/rev": rev}}
	cases := []struct {
		name string
		e    Entry
		set  bool
		err  string
	}{
		{"StatusList2021 set", Entry{Type: TypeEntry2021, StatusPurpose: "revocation", StatusListIndex: 9, StatusListCredential: "https://x.example/2021"}, true, ""},
		{"StatusList2021 clear", Entry{Type: TypeEntry2021, StatusPurpose: "revocation", StatusListIndex: 8, StatusListCredential: "https://x.example/2021"}, false, ""},
		{"list id differs from its URL", Entry{StatusPurpose: "revocation", StatusListIndex: 9, StatusListCredential: "https://x.example/moved"}, true, ""},
		{"revocation list names the credential", Entry{Type: TypeRevocationList, StatusPurpose: "revocation", StatusListCredential: "https://x.example/rev", CredentialID: "urn:uuid:revoked"}, true, ""},
		{"revocation list without the credential", Entry{Type: TypeRevocationList, StatusPurpose: "revocation", StatusListCredential: "https://x.example/rev", CredentialID: "urn:uuid:fine"}, false, ""},
		{"revocation list without a credential id", Entry{Type: TypeRevocationList, StatusPurpose: "revocation", StatusListCredential: "https://x.example/rev"}, false, "no id"},
		{"bitstring entry on a revocation list", Entry{StatusPurpose: "revocation", StatusListIndex: 1, StatusListCredential: "https://x.example/rev"}, false, "does not serve"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := c.Check(context.Background(), tc.e, kp.Controller, &did.Resolver{}, now)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil || r.Set != tc.set {
				t.Fatalf("set %v, err %v; want %v", r.Set, err, tc.set)
			}
		})
	}
	if _, err := c.Check(context.Background(), cases[3].e, "did:key:z6MkOther", &did.Resolver{}, now); err == nil || !strings.Contains(err.Error(), "not by the credential's issuer") {
		t.Errorf("revocation list of another issuer: %v", err)
	}
}
