package did

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

// TestResolveKeyDocument compares the whole document with the shape of the
// did:key specification (Multikey form, did/v1 and multikey/v1 contexts).
func TestResolveKeyDocument(t *testing.T) {
	const did = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
	const vm = did + "#z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
	want := `{
  "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
  "id": "` + did + `",
  "verificationMethod": [{
    "id": "` + vm + `",
    "type": "Multikey",
    "controller": "` + did + `",
    "publicKeyMultibase": "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
  }],
  "authentication": ["` + vm + `"],
  "assertionMethod": ["` + vm + `"],
  "capabilityInvocation": ["` + vm + `"],
  "capabilityDelegation": ["` + vm + `"]
}`
	doc, err := ResolveKey(did)
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(want)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, compact.Bytes()) {
		t.Errorf("document\n got %s\nwant %s", got, compact.Bytes())
	}
	parsed, err := ParseDocument(got)
	if err != nil {
		t.Fatalf("the resolved document does not parse back: %v", err)
	}
	if !parsed.Authorizes(AssertionMethod, vm) {
		t.Error("parsed document lost assertionMethod")
	}
}

func TestResolveKeyErrors(t *testing.T) {
	tests := []struct {
		name, did string
		want      error
	}{
		{"not did:key", "did:web:example.com", ErrInvalidDID},
		{"empty key", "did:key:", ErrMultibase},
		{"fragment", "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp#z6Mk", ErrInvalidDID},
		{"version", "did:key:1:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", ErrInvalidDID},
		{"path", "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp/path", ErrInvalidDID},
		{"x25519", "did:key:z6LShs9GGnqk85isEBzzshkuVWrVKsRp24GnDuHk8QWkARMW", ErrMulticodec},
		{"not base58", "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooW0", ErrMultibase},
		{"short key", "did:key:" + multibase([]byte{0xed, 0x01}, make([]byte, 31)), ErrKeyLength},
		{"changed character", "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDoo", ErrMulticodec},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ResolveKey(tt.did); !errors.Is(err, tt.want) {
				t.Fatalf("ResolveKey(%q) error = %v, want %v", tt.did, err, tt.want)
			}
		})
	}
}
