package bake

import (
	"bytes"
	"os"
	"testing"
)

// FuzzUnbake feeds arbitrary bytes to the unbakers: they must not panic,
// and what they return stays within the size bound.
func FuzzUnbake(f *testing.F) {
	p := testPNG(f)
	f.Add(p)
	for _, c := range []string{ob3JSON, ob3JWT, ob2JSON} {
		if b, err := Bake(p, []byte(c), Auto); err == nil {
			f.Add(b)
			f.Add(b[:len(b)-20])
		}
		if b, err := Bake([]byte(testSVG), []byte(c), Auto); err == nil {
			f.Add(b)
		}
	}
	for _, name := range []string{"ob2-spec-hosted.svg", "ob3-spec-jwt.svg", "ob3-spec-embedded.svg"} {
		if b, err := os.ReadFile("testdata/" + name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("<svg><openbadges:credential verify='a.b.c'/></svg>"))
	f.Add([]byte("<svg><openbadges:assertion><![CDATA[x]]><![CDATA[y]]></openbadges:assertion></svg>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := Unbake(data)
		if err == nil && (len(b.Credential) == 0 || len(b.Credential) > MaxCredentialBytes) {
			t.Fatalf("unbaked %d bytes", len(b.Credential))
		}
	})
}

// FuzzBakeRoundTrip bakes arbitrary text into a PNG and an SVG: whatever
// Bake accepts unbakes to the same bytes.
func FuzzBakeRoundTrip(f *testing.F) {
	f.Add(ob3JSON)
	f.Add(ob3JWT)
	f.Add(ob2JSON)
	f.Add(`{"a":"]]>]]]]><![CDATA[","b":"\r\n"}` + "\r\n")
	p := testPNG(f)
	f.Fuzz(func(t *testing.T, credential string) {
		for _, img := range [][]byte{p, []byte(testSVG)} {
			baked, err := Bake(img, []byte(credential), Auto)
			if err != nil {
				continue
			}
			b, err := Unbake(baked)
			if err != nil {
				t.Fatalf("unbake after bake: %v", err)
			}
			if !bytes.Equal(b.Credential, []byte(credential)) {
				t.Fatalf("round trip changed %q into %q", credential, b.Credential)
			}
		}
	})
}
