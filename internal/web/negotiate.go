package web

import (
	"mime"
	"strconv"
	"strings"
)

// Media types /c/{uuid} answers besides its HTML page, so that a
// verifier given only the page's address can ask for the credential.
const (
	mediaLDJSON   = "application/ld+json"
	mediaVCLDJSON = "application/vc+ld+json"
	mediaVCJWT    = "application/vc+jwt"
	mediaHTML     = "text/html"
)

// negotiate returns the offer the Accept header prefers (highest q, then
// the most specific match, then the order of offers), or "" when it
// accepts none. An empty header accepts anything: the first offer.
func negotiate(accept string, offers ...string) string {
	if strings.TrimSpace(accept) == "" {
		return offers[0]
	}
	best, bestQ, bestSpec := "", 0.0, -1
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 0 && f <= 1 {
				q = f
			}
		}
		if q == 0 {
			continue
		}
		for _, o := range offers {
			spec := -1
			switch {
			case mt == o:
				spec = 2
			case strings.HasSuffix(mt, "/*") && strings.HasPrefix(o, strings.TrimSuffix(mt, "*")):
				spec = 1
			case mt == "*/*":
				spec = 0
			}
			if spec < 0 {
				continue
			}
			if q > bestQ || (q == bestQ && spec > bestSpec) {
				best, bestQ, bestSpec = o, q, spec
			}
			break
		}
	}
	return best
}
