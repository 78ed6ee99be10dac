package issue

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/mr-tron/base58"
)

// TestDigests checks the digest forms relatedResource accepts against
// content computed here.
func TestDigests(t *testing.T) {
	content := []byte(`{"@context":{}}`)
	s256, s384, s512 := sha256.Sum256(content), sha512.Sum384(content), sha512.Sum512(content)
	mh := func(code byte, d []byte) []byte { return append([]byte{code, byte(len(d))}, d...) }
	cases := []struct {
		name  string
		check func() error
		ok    bool
	}{
		{"sri sha256", func() error { return checkSRI("sha256-"+base64.StdEncoding.EncodeToString(s256[:]), content, true) }, true},
		{"sri sha384 with options", func() error {
			return checkSRI("sha384-"+base64.StdEncoding.EncodeToString(s384[:])+"?ct=application/ld+json", content, true)
		}, true},
		{"sri several, one matching", func() error {
			return checkSRI("sha256-"+base64.StdEncoding.EncodeToString(make([]byte, 32))+" sha512-"+base64.StdEncoding.EncodeToString(s512[:]), content, true)
		}, true},
		{"sri mismatch", func() error {
			return checkSRI("sha256-"+base64.StdEncoding.EncodeToString(make([]byte, 32)), content, true)
		}, false},
		{"sri not held, well formed", func() error {
			return checkSRI("sha256-"+base64.StdEncoding.EncodeToString(make([]byte, 32)), nil, false)
		}, true},
		{"sri empty", func() error { return checkSRI(" ", nil, false) }, false},
		{"multibase base64url sha2-256", func() error {
			return checkMultibaseDigest("u"+base64.RawURLEncoding.EncodeToString(mh(0x12, s256[:])), content, true)
		}, true},
		{"multibase base58btc sha2-512", func() error { return checkMultibaseDigest("z"+base58.Encode(mh(0x13, s512[:])), content, true) }, true},
		{"multibase mismatch", func() error {
			return checkMultibaseDigest("u"+base64.RawURLEncoding.EncodeToString(mh(0x12, make([]byte, 32))), content, true)
		}, false},
		{"multibase wrong length", func() error {
			return checkMultibaseDigest("u"+base64.RawURLEncoding.EncodeToString(mh(0x12, s256[:20])), nil, false)
		}, false},
		{"multibase unknown hash", func() error {
			return checkMultibaseDigest("u"+base64.RawURLEncoding.EncodeToString(mh(0x11, s256[:20])), nil, false)
		}, false},
		{"multibase unknown base", func() error { return checkMultibaseDigest("f1220", nil, false) }, false},
	}
	for _, c := range cases {
		if err := c.check(); (err == nil) != c.ok {
			t.Errorf("%s: err = %v; want ok %v", c.name, err, c.ok)
		}
	}
	// A mismatch gives the digest of the copy in use, in the caller's form.
	wantSRI := "sha384-" + base64.StdEncoding.EncodeToString(s384[:])
	if err := checkSRI("sha384-"+base64.StdEncoding.EncodeToString(make([]byte, 48)), content, true); !strings.Contains(describeDigestError(err, "x"), wantSRI) {
		t.Errorf("SRI mismatch: %v; want it to give %s", err, wantSRI)
	}
	wantMB := "z" + base58.Encode(mh(0x12, s256[:]))
	if err := checkMultibaseDigest("z"+base58.Encode(mh(0x12, make([]byte, 32))), content, true); !strings.Contains(describeDigestError(err, "x"), wantMB) {
		t.Errorf("multibase mismatch: %v; want it to give %s", err, wantMB)
	}
}

// FuzzDigests checks that the digest parsers never panic, and that a
// digest of the content itself always matches.
func FuzzDigests(f *testing.F) {
	for _, s := range []string{"sha256-", "sha384-AAAA", "md5-x", "sha512-!!", "u", "uEiA", "z", "zQm", "u" + "gICAgICAgICAgA", "sha256-a?b c"} {
		f.Add(s, []byte("content"))
	}
	f.Fuzz(func(t *testing.T, digest string, content []byte) {
		_ = checkSRI(digest, content, true)
		_ = checkMultibaseDigest(digest, content, true)
		h := sha256.Sum256(content)
		if err := checkSRI("sha256-"+base64.StdEncoding.EncodeToString(h[:]), content, true); err != nil {
			t.Fatalf("own SRI digest refused: %v", err)
		}
		if err := checkMultibaseDigest("u"+base64.RawURLEncoding.EncodeToString(append([]byte{0x12, 0x20}, h[:]...)), content, true); err != nil {
			t.Fatalf("own multibase digest refused: %v", err)
		}
	})
}
