package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/microcred/microcred/internal/bake"
	"github.com/microcred/microcred/internal/verify"
)

// TestBakedBadges: /c/{id}.png and .svg carry the stored credential byte
// for byte in the places Open Badges 3.0 baking defines, and what is
// unbaked verifies.
func TestBakedBadges(t *testing.T) {
	e := newEnv(t, envOptions{})
	ctx := context.Background()
	c, err := e.store.Credential(ctx, "urn:uuid:"+e.credUUID)
	if err != nil {
		t.Fatal(err)
	}
	for ext, mediaType := range map[string]string{"png": "image/png", "svg": "image/svg+xml"} {
		rec := e.do(request{method: "GET", path: "/c/" + e.credUUID + "." + ext})
		if rec.Code != 200 || rec.Header().Get("Content-Type") != mediaType {
			t.Fatalf("%s: %d %q", ext, rec.Code, rec.Header().Get("Content-Type"))
		}
		b, err := bake.Unbake(rec.Body.Bytes())
		if err != nil {
			t.Fatalf("%s: unbake: %v", ext, err)
		}
		if string(b.Credential) != c.Document || b.Version != bake.OB3 {
			t.Errorf("%s: unbaked credential differs from the stored one", ext)
		}
		rep, err := e.svc.Verify(ctx, b.Credential)
		if err != nil || rep.Verdict != verify.Verified {
			t.Errorf("%s: unbaked credential: %v %+v", ext, err, rep)
		}
	}
	if svg := e.do(request{method: "GET", path: "/c/" + e.credUUID + ".svg"}); !strings.Contains(svg.Header().Get("Content-Security-Policy"), "sandbox") {
		t.Error("the baked SVG is served without a sandbox policy")
	}
	if rec := e.do(request{method: "GET", path: "/c/" + e.credUUID + ".gif"}); rec.Code != 404 {
		t.Errorf(".gif: %d", rec.Code)
	}
	if page := e.do(request{method: "GET", path: "/c/" + e.credUUID}).Body.String(); !strings.Contains(page, `id="baked-png"`) {
		t.Error("the credential page does not offer the baked badge")
	}
}
