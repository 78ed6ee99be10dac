package web

import "testing"

func TestNegotiate(t *testing.T) {
	offers := []string{mediaHTML, mediaVCLDJSON, mediaLDJSON, mediaVCJWT}
	for accept, want := range map[string]string{
		"": mediaHTML,
		"text/html,application/xhtml+xml,*/*;q=0.8":     mediaHTML,
		"application/ld+json":                           mediaLDJSON,
		"application/vc+ld+json":                        mediaVCLDJSON,
		"application/vc+jwt":                            mediaVCJWT,
		"application/vc+jwt;q=0.5, application/ld+json": mediaLDJSON,
		"application/*":                                 mediaVCLDJSON,
		"image/png":                                     "",
		"text/html;q=0, application/vc+jwt;q=0.1":       mediaVCJWT,
	} {
		if got := negotiate(accept, offers...); got != want {
			t.Errorf("negotiate(%q) = %q, want %q", accept, got, want)
		}
	}
}
