package web

import (
	"fmt"
	"net/http"

	"github.com/microcred/microcred/internal/badge"
	"github.com/microcred/microcred/internal/bake"
	"github.com/microcred/microcred/internal/store"
)

// bakedBadge answers /c/{id}.png and /c/{id}.svg: the achievement's badge
// with the credential baked in as Open Badges 3.0 defines it (a PNG iTXt
// chunk "openbadgecredential", an SVG <openbadges:credential> element),
// holding the stored credential byte for byte (its JSON, or its compact
// JWT), so that whoever unbakes the file gets the very credential and can
// verify it anywhere.
func (s *server) bakedBadge(w http.ResponseWriter, r *http.Request, c store.Credential, ext string) {
	name, image := "Credential", ""
	if a, _, err := s.issuer.Achievement(r.Context(), c.AchievementID, c.AchievementVersion); err == nil {
		name = a.Name
		if a.Image != nil {
			image = a.Image.ID
		}
	}
	pngBytes, svgBytes, err := badge.Images(name, image)
	if err != nil {
		s.serverError(w, r, fmt.Errorf("badge image of %s: %w", c.ID, err))
		return
	}
	img, mediaType := pngBytes, "image/png"
	if ext == "svg" {
		img, mediaType = svgBytes, "image/svg+xml"
	}
	baked, err := bake.Bake(img, []byte(c.Document), bake.OB3)
	if err != nil {
		s.serverError(w, r, fmt.Errorf("bake %s: %w", c.ID, err))
		return
	}
	if ext == "svg" {
		// An SVG opened on its own must not run anything.
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf(`inline; filename="badge-%s.%s"`, s.issuer.CredentialUUID(c.ID), ext))
	serveBytes(w, r, mediaType, baked, c.Private)
}
