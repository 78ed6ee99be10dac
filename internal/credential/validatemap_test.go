package credential

import (
	"encoding/json"
	"os"
	"testing"
)

// TestValidateMapMatchesJSON: a decoded tree is checked in place, typed Go
// values go through JSON; both give exactly what ValidateJSON gives.
func TestValidateMapMatchesJSON(t *testing.T) {
	full, err := os.ReadFile("testdata/ob3-full.json")
	if err != nil {
		t.Fatal(err)
	}
	docs := []string{
		string(full),
		`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential","OpenBadgeCredential"],"credentialSubject":{"creditsEarned":-1.5e3}}`,
		`{"type":"x","issuer":5,"validFrom":"yesterday","credentialSubject":[]}`,
	}
	for _, d := range docs {
		var tree map[string]any
		if err := json.Unmarshal([]byte(d), &tree); err != nil {
			t.Fatal(err)
		}
		want := ValidateJSON([]byte(d))
		got := ValidateMap(tree)
		if (want == nil) != (got == nil) || (want != nil && want.Error() != got.Error()) {
			t.Errorf("ValidateMap = %v\nValidateJSON = %v", got, want)
		}
	}
	if !isJSONTree(map[string]any{"a": []any{1.0, "x", nil, true, map[string]any{}}}, 0) {
		t.Error("a decoded tree is not recognized")
	}
	typed := map[string]any{"type": []string{"VerifiableCredential"}}
	if isJSONTree(typed, 0) {
		t.Error("typed values taken for a decoded tree")
	}
	if err := ValidateMap(typed); err == nil {
		t.Error("typed document validated")
	}
}
