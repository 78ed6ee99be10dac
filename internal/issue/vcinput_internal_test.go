package issue

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/mr-tron/base58"
)

// TestDigests checks the digest forms relatedResource accepts, against a
// published digest and against a shipped copy.
func TestDigests(t *testing.T) {
	content := []byte(`{"@context":{}}`)
	s256, s384, s512 := sha256.Sum256(content), sha512.Sum384(content), sha512.Sum512(content)
	other := sha512.Sum384([]byte("another version"))
	mh := func(code byte, d []byte) []byte { return append([]byte{code, byte(len(d))}, d...) }
	sri := func(alg string, d []byte) string { return alg + "-" + base64.StdEncoding.EncodeToString(d) }
	published := digests{published: map[string][]byte{"sha384": s384[:], "sha256": s256[:]}}
	copyOnly := digests{copy: []byte("the copy microcred ships")}
	copy384 := sha512.Sum384(copyOnly.copy)
	none := digests{}
	cases := []struct {
		name  string
		check func() error
		ok    bool
	}{
		{"sri matching the published sha384", func() error { return checkSRI(sri("sha384", s384[:]), published) }, true},
		{"sri with options", func() error { return checkSRI(sri("sha384", s384[:])+"?ct=application/ld+json", published) }, true},
		{"sri of another version", func() error { return checkSRI(sri("sha384", other[:]), published) }, false},
		{"sri several, one matching", func() error { return checkSRI(sri("sha384", other[:])+" "+sri("sha256", s256[:]), published) }, true},
		{"sri of an algorithm with no published digest", func() error { return checkSRI(sri("sha512", s512[:]), published) }, true},
		{"sri matching the shipped copy", func() error { return checkSRI(sri("sha384", copy384[:]), copyOnly) }, true},
		{"sri differing from the shipped copy only: left to the verifier", func() error { return checkSRI(sri("sha384", other[:]), copyOnly) }, true},
		{"sri of a resource not held, well formed", func() error { return checkSRI(sri("sha256", make([]byte, 32)), none) }, true},
		{"sri empty", func() error { return checkSRI(" ", none) }, false},
		{"sri of the wrong length", func() error { return checkSRI(sri("sha384", s256[:]), none) }, false},
		{"sri unknown algorithm", func() error { return checkSRI("md5-1B2M2Y8AsgTpgAmY7PhCfg==", none) }, false},
		{"multibase base64url sha2-256, published", func() error {
			return checkMultibaseDigest("u"+base64.RawURLEncoding.EncodeToString(mh(0x12, s256[:])), published)
		}, true},
		{"multibase base58btc sha2-384, published", func() error { return checkMultibaseDigest("z"+base58.Encode(mh(0x20, s384[:])), published) }, true},
		{"multibase of another version", func() error {
			return checkMultibaseDigest("u"+base64.RawURLEncoding.EncodeToString(mh(0x20, other[:])), published)
		}, false},
		{"multibase wrong length", func() error {
			return checkMultibaseDigest("u"+base64.RawURLEncoding.EncodeToString(mh(0x12, s256[:20])), none)
		}, false},
		{"multibase unknown hash", func() error {
			return checkMultibaseDigest("u"+base64.RawURLEncoding.EncodeToString(mh(0x11, s256[:20])), none)
		}, false},
		{"multibase unknown base", func() error { return checkMultibaseDigest("f1220", none) }, false},
	}
	for _, c := range cases {
		if err := c.check(); (err == nil) != c.ok {
			t.Errorf("%s: err = %v; want ok %v", c.name, err, c.ok)
		}
	}
	// A mismatch gives the published digest, in the caller's form.
	if err := checkSRI(sri("sha384", other[:]), published); !strings.Contains(describeDigestError(err, "x"), sri("sha384", s384[:])) {
		t.Errorf("SRI mismatch: %v; want it to give the published digest", err)
	}
	want := "z" + base58.Encode(mh(0x20, s384[:]))
	if err := checkMultibaseDigest("z"+base58.Encode(mh(0x20, other[:])), published); !strings.Contains(describeDigestError(err, "x"), want) {
		t.Errorf("multibase mismatch: %v; want it to give %s", err, want)
	}
}

// TestPublishedDigests: the digests VC 2.0 publishes for its base context
// (its examples of digestSRI and digestMultibase) are accepted.
func TestPublishedDigests(t *testing.T) {
	v2 := knownDigests("https://www.w3.org/ns/credentials/v2")
	if err := checkSRI("sha384-l/HrjlBCNWyAX91hr6LFV2Y3heB5Tcr6IeE4/Tje8YyzYBM8IhqjHWiWpr8+ZbYU", v2); err != nil {
		t.Error(err)
	}
	if err := checkMultibaseDigest("uEiBZlVztZpfWHgPyslVv6-UwirFoQoRvW1htfx963sknNA", v2); err != nil {
		t.Error(err)
	}
	// A context without a corroborated published digest is left to the
	// verifier when its digest differs from the shipped copy.
	if err := checkMultibaseDigest("uEiBXOT-8adbvubm13Jy2uYgLCUQ2Cr_i6vRZyeWM8iedfA", knownDigests("https://www.w3.org/ns/credentials/examples/v2")); err != nil {
		t.Error(err)
	}
}

// FuzzDigests checks that the digest parsers never panic, and that a
// digest of the content itself always matches.
func FuzzDigests(f *testing.F) {
	for _, s := range []string{"sha256-", "sha384-AAAA", "md5-x", "sha512-!!", "u", "uEiA", "z", "zQm", "u" + "gICAgICAgICAgA", "sha256-a?b c"} {
		f.Add(s, []byte("content"))
	}
	f.Fuzz(func(t *testing.T, digest string, content []byte) {
		h := sha256.Sum256(content)
		known := digests{published: map[string][]byte{"sha256": h[:]}, copy: content}
		_ = checkSRI(digest, known)
		_ = checkMultibaseDigest(digest, known)
		if err := checkSRI("sha256-"+base64.StdEncoding.EncodeToString(h[:]), known); err != nil {
			t.Fatalf("own SRI digest refused: %v", err)
		}
		if err := checkMultibaseDigest("u"+base64.RawURLEncoding.EncodeToString(append([]byte{0x12, 0x20}, h[:]...)), known); err != nil {
			t.Fatalf("own multibase digest refused: %v", err)
		}
	})
}
