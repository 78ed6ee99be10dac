package cli

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBakeUnbakeVerify signs a credential (Data Integrity and JWT), bakes it
// into a PNG and an SVG, unbakes each to the identical bytes, and verifies
// the baked image itself.
func TestBakeUnbakeVerify(t *testing.T) {
	dir := t.TempDir()
	key := newKey(t, "")
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 4, 4))); err != nil {
		t.Fatal(err)
	}
	pngPath := filepath.Join(dir, "badge.png")
	svgPath := filepath.Join(dir, "badge.svg")
	os.WriteFile(pngPath, buf.Bytes(), 0o600)
	os.WriteFile(svgPath, []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>`), 0o600)

	for _, suite := range []string{"eddsa-rdfc-2022", "jwt"} {
		code, signed, errs := run(t, sampleFor(t, controllerOf(t, key)), "sign", "--key", key, "--suite", suite)
		if code != exitOK {
			t.Fatalf("sign: %s", errs)
		}
		credPath := filepath.Join(dir, suite+".cred")
		os.WriteFile(credPath, []byte(signed), 0o600)
		for _, img := range []string{pngPath, svgPath} {
			out := filepath.Join(dir, suite+"-baked"+filepath.Ext(img))
			if code, _, errs := run(t, nil, "bake", "--image", img, "--credential", credPath, "-o", out); code != exitOK {
				t.Fatalf("bake %s into %s: exit %d %s", suite, img, code, errs)
			}
			code, got, errs := run(t, nil, "unbake", out)
			if code != exitOK || got != signed {
				t.Fatalf("unbake %s: exit %d %s\n%q\nwant\n%q", out, code, errs, got, signed)
			}
			code, report, errs := run(t, readFile(t, out), "verify")
			if code != exitOK || !strings.Contains(report, "VERIFIED") {
				t.Errorf("verify baked %s: exit %d\n%s%s", out, code, report, errs)
			}
			if code, _, errs := run(t, nil, "bake", "--image", out, "--credential", credPath, "-o", out+"2"); code != exitBadInput || !strings.Contains(errs, "already carries a credential") {
				t.Errorf("baking twice: exit %d %s", code, errs)
			}
		}
	}
	tests := []struct {
		args []string
		msg  string
	}{
		{[]string{"bake", "--image", pngPath}, "are required"},
		{[]string{"bake", "--image", pngPath, "--credential", pngPath, "-o", filepath.Join(dir, "x")}, "not UTF-8 text"},
		{[]string{"bake", "--image", pngPath, "--credential", svgPath, "-o", filepath.Join(dir, "x")}, "neither a JSON object nor a compact JWS"},
		{[]string{"bake", "--image", filepath.Join(dir, "missing.png"), "--credential", pngPath, "-o", filepath.Join(dir, "x")}, "no such file"},
		{[]string{"bake", "--image", pngPath, "--credential", pngPath, "-o", "x", "--version", "4"}, `"4" is not 3 or 2`},
		{[]string{"unbake"}, "expected one image FILE"},
		{[]string{"unbake", pngPath}, "carries no credential"},
		{[]string{"unbake", filepath.Join(dir, "jwt.cred")}, "not a PNG or SVG image"},
	}
	for _, tt := range tests {
		if code, _, errs := run(t, nil, tt.args...); code != exitBadInput || !strings.Contains(errs, tt.msg) {
			t.Errorf("%v: exit %d %q, want 2 mentioning %q", tt.args, code, errs, tt.msg)
		}
	}
	if code, _, errs := run(t, buf.Bytes(), "verify"); code != exitBadInput || !strings.Contains(errs, "carries no credential") {
		t.Errorf("verify of an unbaked PNG: exit %d %s", code, errs)
	}
}
