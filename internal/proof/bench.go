package proof

import (
	_ "embed"
	"encoding/json"
	"fmt"
)

// sampleCredential is a realistic unsigned Open Badges 3.0 credential of
// about 2 KB: a micro-credential with an issuer profile, a result and skill
// and occupation alignments.
//
//go:embed sample/ob3-credential.json
var sampleCredential []byte

// SampleCredential returns a fresh copy of the unsigned ~2 KB
// OpenBadgeCredential used by the benchmarks and by "microcred bench".
func SampleCredential() map[string]any {
	var doc map[string]any
	if err := json.Unmarshal(sampleCredential, &doc); err != nil {
		// The file is embedded at build time and covered by tests.
		panic(fmt.Sprintf("proof: embedded sample credential: %v", err))
	}
	return doc
}
