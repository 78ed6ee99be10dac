package verify

import (
	"bytes"
)

// Formats this pipeline recognizes but does not read itself: baked badge
// images and Open Badges 2.0 assertions. Until their readers are plugged in
// (see the ob2 and bake packages), such input is reported as "could not be
// checked", not as unusable and never as not verified: a genuine badge from
// 2018 is not false because this build cannot read it.

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

// unreadImage reports a baked badge image.
func unreadImage(rep *Report, kind string) {
	rep.Format = "a baked badge image (" + kind + ")"
	rep.notChecked("format", "This is a badge image. Reading the credential baked into it is not supported here yet, so it could not be checked; verify the credential file or link instead.",
		kind+" image: no reader for baked credentials in this build")
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

// unreadOB2 reports an Open Badges 2.0 assertion.
func unreadOB2(rep *Report) {
	rep.Format = "an Open Badges 2.0 assertion"
	rep.notChecked("format", "This is an Open Badges 2.0 badge. Checking Open Badges 2.0 assertions is not supported here yet, so it could not be checked.",
		"Open Badges 2.0 assertion (context https://w3id.org/openbadges/v2): no OB 2.0 verifier in this build")
}
