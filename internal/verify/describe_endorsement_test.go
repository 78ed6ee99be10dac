package verify

import (
	"reflect"
	"testing"
)

func TestDescribeEndorsement(t *testing.T) {
	for _, tc := range []struct {
		name string
		doc  map[string]any
		want []string
	}{
		{"endorsement with words", map[string]any{
			"type":              []any{"VerifiableCredential", "EndorsementCredential"},
			"issuer":            map[string]any{"id": "did:web:qa.example", "name": "Quality Agency"},
			"credentialSubject": map[string]any{"id": "https://uni.example/achievements/1", "type": "EndorsementSubject", "endorsementComment": "Meets  our\\nframework."},
		}, []string{"Quality Agency (did:web:qa.example) endorses https://uni.example/achievements/1", "In their words: Meets our\\nframework."}},
		{"endorsement without a subject id", map[string]any{
			"type": "EndorsementCredential", "issuer": "did:key:z6Mk",
		}, []string{"did:key:z6Mk endorses something it does not name"}},
		{"not an endorsement", map[string]any{"type": []any{"VerifiableCredential"}, "issuer": "did:key:z6Mk"}, []string{"Issued by: did:key:z6Mk"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Describe(tc.doc); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("Describe = %q, want %q", got, tc.want)
			}
		})
	}
}
