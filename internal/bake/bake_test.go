package bake

import (
	"bytes"
	"compress/zlib"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"strings"
	"testing"
)

// testPNG draws a small real PNG with the standard library's encoder.
func testPNG(t testing.TB) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for x := range 8 {
		img.Set(x, x, color.RGBA{R: 200, A: 255})
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const testSVG = `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" width="100" height="100">
  <title>Badge &amp; more</title>
  <circle cx="50" cy="50" r="40" fill="#2e7d32"/>
</svg>
`

const (
	ob3JSON = "{\n  \"@context\": [\"https://www.w3.org/ns/credentials/v2\", \"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json\"],\n" +
		"  \"type\": [\"VerifiableCredential\", \"OpenBadgeCredential\"],\n  \"name\": \"Ünïcødé ]]> & <tags>\",\n  \"issuer\": \"did:example:1\"\n}\n"
	ob3JWT  = "eyJhbGciOiJFZERTQSIsInR5cCI6InZjK2p3dCJ9.eyJpc3MiOiJkaWQ6ZXhhbXBsZToxIn0.c2lnbmF0dXJl"
	ob2JSON = `{"@context":"https://w3id.org/openbadges/v2","type":"Assertion","id":"https://example.org/beths-robotics-badge.json","verification":{"type":"hosted"}}`
	// ob2JWS is the compact JWS of the Open Badges 2.0 examples
	// ("Signed Badges Example"), header and payload as published there.
	ob2JWS = "eyJhbGciOiJSUzI1NiJ9.ew0KICAiQGNvbnRleHQiOiAiaHR0cHM6Ly93M2lkLm9yZy9vcGVuYmFkZ2VzL3YyIiwNCiAgInR5cGUiOiAiQXNzZXJ0aW9uIn0.c2ln"
)

func TestRoundTrip(t *testing.T) {
	images := map[string][]byte{PNG: testPNG(t), SVG: []byte(testSVG)}
	tests := []struct {
		name       string
		credential string
		version    Version
		want       Version
	}{
		{"OB 3.0 JSON", ob3JSON, Auto, OB3},
		{"OB 3.0 JWT", ob3JWT, Auto, OB3},
		{"OB 2.0 hosted JSON", ob2JSON, Auto, OB2},
		{"OB 2.0 signed", ob2JWS, Auto, OB2},
		{"forced OB 2.0", ob3JSON, OB2, OB2},
	}
	for format, img := range images {
		for _, tt := range tests {
			t.Run(format+" "+tt.name, func(t *testing.T) {
				baked, err := Bake(img, []byte(tt.credential), tt.version)
				if err != nil {
					t.Fatal(err)
				}
				if Format(baked) != format {
					t.Fatalf("baked image is no longer a %s", format)
				}
				got, err := Unbake(baked)
				if err != nil {
					t.Fatal(err)
				}
				if string(got.Credential) != tt.credential {
					t.Errorf("unbaked\n%q\nwant\n%q", got.Credential, tt.credential)
				}
				if got.Version != tt.want || got.Format != format {
					t.Errorf("version %v format %s, want %v %s", got.Version, got.Format, tt.want, format)
				}
				if got.IsJWS() != !strings.HasPrefix(tt.credential, "{") {
					t.Errorf("IsJWS = %v", got.IsJWS())
				}
				if _, err := Bake(baked, []byte(tt.credential), tt.version); !errors.Is(err, ErrAlreadyBaked) {
					t.Errorf("second credential: err = %v, want ErrAlreadyBaked", err)
				}
				checkImage(t, format, baked, tt.credential, got.Version)
			})
		}
	}
}

// checkImage checks that the baked image is still a valid image of its
// format, and the exact shape the specifications give.
func checkImage(t *testing.T, format string, baked []byte, credential string, v Version) {
	t.Helper()
	switch format {
	case PNG:
		if _, err := png.Decode(bytes.NewReader(baked)); err != nil {
			t.Fatalf("baked PNG does not decode: %v", err)
		}
		// The iTXt chunk sits right before IEND, uncompressed, CRC-correct
		// (chunks checks every CRC).
		var types []string
		err := chunks(baked, func(c chunk) (bool, error) {
			types = append(types, c.typ)
			if c.typ == "iTXt" {
				kw := keywordOB3
				if v == OB2 {
					kw = keywordOB2
				}
				if want := kw + "\x00\x00\x00\x00\x00" + credential; string(c.data) != want {
					t.Errorf("iTXt data %q, want %q", c.data, want)
				}
			}
			return false, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(types); n < 2 || types[n-2] != "iTXt" || types[n-1] != "IEND" {
			t.Errorf("chunk order %v", types)
		}
	case SVG:
		var anything struct{}
		if err := xmlUnmarshal(baked, &anything); err != nil {
			t.Fatalf("baked SVG is not well-formed XML: %v\n%s", err, baked)
		}
		ns, el := nsOB3, "<openbadges:credential"
		if v == OB2 {
			ns, el = nsOB2, "<openbadges:assertion"
		}
		s := string(baked)
		if !strings.Contains(s, `xmlns:openbadges="`+ns+`"`) {
			t.Errorf("no namespace declaration: %s", s)
		}
		// Directly after the <svg> start tag.
		i := strings.Index(s, "<svg")
		j := strings.Index(s[i:], ">") + i + 1
		if !strings.HasPrefix(s[j:], el) {
			t.Errorf("credential element not right after <svg>: %s", s[j:min(len(s), j+60)])
		}
	}
}

func TestSpecExamples(t *testing.T) {
	tests := []struct {
		file     string
		version  Version
		contains string
		verify   string
		jws      bool
	}{
		{"ob2-spec-hosted.svg", OB2, `"name": "3-D Printmaster"`, "https://example.org/assertions/123", false},
		{"ob3-spec-jwt.svg", OB3, "header.payload.signature", "", true},
		{"ob3-spec-embedded.svg", OB3, `"IssuerProfile"`, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			data, err := os.ReadFile("testdata/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			b, err := Unbake(data)
			if err != nil {
				t.Fatal(err)
			}
			if b.Version != tt.version || !strings.Contains(string(b.Credential), tt.contains) || b.Verify != tt.verify || b.IsJWS() != tt.jws {
				t.Errorf("got %+v", b)
			}
			if !tt.jws && !json.Valid(b.Credential) {
				t.Errorf("the embedded JSON does not parse: %q", b.Credential)
			}
			if _, err := Bake(data, []byte(ob3JWT), Auto); !errors.Is(err, ErrAlreadyBaked) {
				t.Errorf("baking again: %v", err)
			}
		})
	}
}

// pngWithText builds a PNG with an extra text chunk before IEND.
func pngWithText(t *testing.T, typ string, data []byte) []byte {
	t.Helper()
	p := testPNG(t)
	iend := len(p) - 12
	out := append([]byte{}, p[:iend]...)
	out = appendChunk(out, typ, data)
	return append(out, p[iend:]...)
}

func TestUnbakePNGVariants(t *testing.T) {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write([]byte(ob3JSON))
	zw.Close()
	var bomb bytes.Buffer
	zw = zlib.NewWriter(&bomb)
	zw.Write(bytes.Repeat([]byte("a"), MaxCredentialBytes+10))
	zw.Close()
	tests := []struct {
		name    string
		png     []byte
		want    string
		version Version
		err     error
	}{
		{"legacy tEXt URL", pngWithText(t, "tEXt", []byte("openbadges\x00https://example.org/assertions/1")), "https://example.org/assertions/1", OB2, nil},
		{"compressed iTXt", pngWithText(t, "iTXt", append([]byte("openbadgecredential\x00\x01\x00en\x00\x00"), z.Bytes()...)), ob3JSON, OB3, nil},
		{"iTXt with language tag", pngWithText(t, "iTXt", []byte("openbadgecredential\x00\x00\x00en\x00credential\x00"+ob3JWT)), ob3JWT, OB3, nil},
		{"zip bomb", pngWithText(t, "iTXt", append([]byte("openbadgecredential\x00\x01\x00\x00\x00"), bomb.Bytes()...)), "", 0, ErrCorrupt},
		{"unknown compression", pngWithText(t, "iTXt", []byte("openbadgecredential\x00\x01\x07\x00\x00x")), "", 0, ErrCorrupt},
		{"truncated iTXt", pngWithText(t, "iTXt", []byte("openbadgecredential\x00\x00")), "", 0, ErrCorrupt},
		{"other keyword only", pngWithText(t, "iTXt", []byte("Comment\x00\x00\x00\x00\x00hello")), "", 0, ErrNotBaked},
		{"plain PNG", testPNG(t), "", 0, ErrNotBaked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := Unbake(tt.png)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil || string(b.Credential) != tt.want || b.Version != tt.version {
				t.Fatalf("Unbake = %+v, %v", b, err)
			}
		})
	}
}

func TestDamagedAndRefused(t *testing.T) {
	p := testPNG(t)
	badCRC := append([]byte{}, p...)
	badCRC[len(badCRC)-1] ^= 0xff
	truncated := p[:len(p)-5]
	huge := append([]byte{}, p[:8]...)
	huge = append(huge, 0x7f, 0xff, 0xff, 0xff, 'I', 'D', 'A', 'T', 0, 0, 0, 0, 0, 0, 0, 0)
	tests := []struct {
		name  string
		image []byte
		err   error
		msg   string
	}{
		{"bad CRC", badCRC, ErrCorrupt, "CRC of the PNG IEND chunk"},
		{"truncated", truncated, ErrCorrupt, "ends inside a chunk"},
		{"length beyond the file", huge, ErrCorrupt, "more than the file holds"},
		{"not an image", []byte("GIF89a"), ErrNotImage, ""},
		{"HTML", []byte("<html><body>x</body></html>"), ErrNotImage, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Unbake(tt.image); !errors.Is(err, tt.err) || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("Unbake err = %v, want %v %q", err, tt.err, tt.msg)
			}
			if _, err := Bake(tt.image, []byte(ob3JWT), Auto); !errors.Is(err, tt.err) {
				t.Errorf("Bake err = %v, want %v", err, tt.err)
			}
		})
	}
	for _, bad := range []string{"", "hello", "[1,2]", `{"a":`, "a.b", "a.b.c.d", "a..c", "ab$.cd.ef"} {
		if _, err := Bake(p, []byte(bad), Auto); !errors.Is(err, ErrBadCredential) {
			t.Errorf("Bake(%q) err = %v, want ErrBadCredential", bad, err)
		}
	}
	// An SVG that binds the prefix to another namespace is refused rather
	// than given a second binding.
	other := `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="http://openbadges.org"><g/></svg>`
	if _, err := Bake([]byte(other), []byte(ob3JWT), OB3); err == nil || !strings.Contains(err.Error(), "binds the prefix") {
		t.Errorf("conflicting prefix: %v", err)
	}
	// An SVG whose prefix is already bound to the right namespace keeps it.
	same := `<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><g/></svg>`
	baked, err := Bake([]byte(same), []byte(ob3JWT), OB3)
	if err != nil || strings.Count(string(baked), "xmlns:openbadges") != 1 {
		t.Errorf("bound prefix: %s, %v", baked, err)
	}
	// A self-closing root gets a body.
	baked, err = Bake([]byte(`<svg xmlns="http://www.w3.org/2000/svg" />`), []byte(ob3JSON), OB3)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := Unbake(baked); err != nil || string(b.Credential) != ob3JSON {
		t.Errorf("self-closing root: %s %v", baked, err)
	}
	if _, err := Unbake([]byte(`<svg xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><openbadges:credential></openbadges:credential></svg>`)); !errors.Is(err, ErrCorrupt) {
		t.Errorf("empty element: %v", err)
	}
	if _, err := Unbake([]byte(`<svg xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><openbadges:credential><![CDATA[{}]]>`)); !errors.Is(err, ErrCorrupt) {
		t.Errorf("unclosed element: %v", err)
	}
	if _, err := Unbake([]byte(testSVG)); !errors.Is(err, ErrNotBaked) {
		t.Errorf("plain SVG: %v", err)
	}
}
