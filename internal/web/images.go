package web

import (
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/store"
)

// imageTypes are the image media types a data: URL may carry on a page.
// An SVG shown through <img> runs no script and loads nothing, so a data:
// SVG is as safe there as a PNG.
var imageTypes = []string{"image/png", "image/svg+xml", "image/jpeg", "image/gif", "image/webp"}

// imageSrc returns s as a URL for an <img src> or og:image: a base64 data:
// URL of an image type, an http(s) URL or a path on this server; anything
// else gives "" (and the template shows no image). html/template would
// otherwise replace every data: URL with "#ZgotmplZ".
func imageSrc(s string) template.URL {
	switch {
	case strings.HasPrefix(s, "data:"):
		meta, payload, ok := strings.Cut(s[len("data:"):], ",")
		mt, enc, _ := strings.Cut(meta, ";")
		if !ok || enc != "base64" {
			return ""
		}
		known := false
		for _, t := range imageTypes {
			known = known || strings.EqualFold(mt, t)
		}
		if !known {
			return ""
		}
		if _, err := base64.StdEncoding.DecodeString(payload); err != nil {
			return ""
		}
		return template.URL(s) // #nosec: a validated base64 image
	case strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//"):
		return template.URL(s)
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return template.URL(s)
}

// decodeDataImage returns the media type and bytes of a base64 data: URL
// of an image type accepted by imageSrc.
func decodeDataImage(s string) (string, []byte, bool) {
	if imageSrc(s) == "" || !strings.HasPrefix(s, "data:") {
		return "", nil, false
	}
	meta, payload, _ := strings.Cut(s[len("data:"):], ",")
	mt, _, _ := strings.Cut(meta, ";")
	b, err := base64.StdEncoding.DecodeString(payload)
	if err != nil {
		return "", nil, false
	}
	return strings.ToLower(mt), b, true
}

// achievementImage serves /achievements/{id}/image: the badge image of the
// achievement's current version at an address of its own, for og:image
// and for mail clients, which do not show data: URLs. An image held as an
// http(s) URL is a redirect to it.
func (s *server) achievementImage(w http.ResponseWriter, r *http.Request) {
	a, _, err := s.issuer.Achievement(r.Context(), r.PathValue("id"), 0)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) || errors.Is(err, store.ErrInvalid) {
			s.notFound(w, r)
			return
		}
		s.serverError(w, r, fmt.Errorf("load achievement: %w", err))
		return
	}
	if a.Image == nil || imageSrc(a.Image.ID) == "" {
		s.notFound(w, r)
		return
	}
	mt, b, ok := decodeDataImage(a.Image.ID)
	if !ok {
		http.Redirect(w, r, a.Image.ID, http.StatusFound)
		return
	}
	h := w.Header()
	h.Set("Content-Type", mt)
	h.Set("Cache-Control", "public, max-age=300")
	h.Set("X-Content-Type-Options", "nosniff")
	// An SVG opened on its own is a document: it may not run script or
	// load anything.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	_, _ = w.Write(b)
}

// achievementImageURL is the absolute address of an achievement's badge
// image, or "" when it has none.
func (s *server) achievementImageURL(id string, img *catalog.Image) string {
	if img == nil || imageSrc(img.ID) == "" {
		return ""
	}
	return s.base + "/achievements/" + id + "/image"
}
