package verify

import (
	"strings"
	"testing"
)

// TestDecodeRefusesLoneSurrogates: encoding/json turns "\ud800" into
// U+FFFD, so a document holding one would be checked (or signed) as other
// text than the one given; I-JSON (RFC 7493 §2.1), which eddsa-jcs-2022
// requires, forbids it.
func TestDecodeRefusesLoneSurrogates(t *testing.T) {
	for _, in := range []string{`{"name":"\ud800"}`, `{"name":"a\udfffb"}`, "{\"name\":\"\xff\"}"} {
		if _, err := DecodeDocument([]byte(in)); err == nil || !strings.Contains(err.Error(), "invalid JSON") {
			t.Errorf("%s: err = %v, want an invalid JSON error", in, err)
		}
	}
	doc, err := DecodeDocument([]byte(`{"name":"\ud83d\ude00"}`))
	if err != nil || doc["name"] != "\U0001F600" {
		t.Fatalf("surrogate pair: %v, %v", doc, err)
	}
}
