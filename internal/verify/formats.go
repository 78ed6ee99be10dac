package verify

import (
	"bytes"
	"context"
	"time"

	"github.com/microcred/microcred/internal/verify/ob2"
)

// Formats read through other packages: baked badge images (internal/bake)
// and Open Badges 2.0 assertions (internal/verify/ob2). What cannot be read
// or reached is reported as "could not be checked", never as not verified:
// a genuine badge from 2018 is not false because a document is offline.

// pngMagic starts every PNG file.
var pngMagic = []byte("\x89PNG\r\n\x1a\n")

// imageKind returns "PNG" or "SVG" for a badge image, "" otherwise.
func imageKind(data []byte) string {
	switch {
	case bytes.HasPrefix(data, pngMagic):
		return "PNG"
	case bytes.HasPrefix(data, []byte("<svg")), bytes.HasPrefix(data, []byte("<?xml")) && bytes.Contains(data[:min(len(data), 4096)], []byte("<svg")):
		return "SVG"
	}
	return ""
}

// unreadImage reports a badge image that carries no readable credential.
func unreadImage(rep *Report, kind string, err error) {
	rep.Format = "a badge image (" + kind + ")"
	rep.notChecked("format", "This is a badge image, but no credential could be read out of it, so there is nothing to check: ask its holder for the credential's file or link.",
		kind+" image: "+err.Error())
}

// isOB2 tells an Open Badges 2.0 assertion (JSON-LD with the OB 2.0
// context, or type Assertion without a VC context).
func isOB2(doc map[string]any) bool {
	for _, c := range contextList(doc["@context"]) {
		if s, _ := c.(string); s == "https://w3id.org/openbadges/v2" || s == "https://openbadgespec.org/v2/context.json" {
			return true
		}
	}
	return doc["@context"] == nil && contains(stringsOf(doc["type"]), "Assertion")
}

// checkOB2 verifies an Open Badges 2.0 assertion (JSON, a compact JWS, or
// a hosted assertion's URL) with the ob2 package and reports its checks
// with the same states and plain sentences as any credential's.
func checkOB2(ctx context.Context, rep *Report, data []byte, opt Options, now time.Time) {
	rep.Format = "an Open Badges 2.0 assertion"
	res, err := ob2.Verify(ctx, data, ob2.Options{Fetch: opt.OB2, Offline: opt.OB2 == nil, Now: now})
	if err != nil {
		rep.notChecked("format", "This Open Badges 2.0 badge could not be read, so it could not be checked.", err.Error())
		return
	}
	if res.Method != "" {
		rep.Format = "an Open Badges 2.0 assertion (" + res.Method + ")"
	}
	for _, c := range res.Checks {
		switch c.Status {
		case ob2.Passed:
			rep.pass(c.Name, c.Meaning, c.Detail)
		case ob2.Failed:
			rep.fail(c.Name, c.Meaning, c.Detail)
		default:
			rep.notChecked(c.Name, c.Meaning, c.Detail)
		}
	}
}
