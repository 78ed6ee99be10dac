package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/microcred/microcred/internal/badge"
	"github.com/microcred/microcred/internal/catalog"
)

// badgePageData is the badge page of an achievement: the current image,
// the designer's form and the upload form.
type badgePageData struct {
	Achievement *catalog.Achievement
	ID, Slug    string
	Design      badge.Design
	Shapes      []badge.Shape
	HasLogo     bool // the organization has a PNG logo the design can show
	UseLogo     bool
}

// isBadgeUpload reports a POST of an image: an achievement's badge or an
// organization's logo.
func isBadgeUpload(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/admin/orgs/") &&
		(strings.HasSuffix(r.URL.Path, "/badge") || strings.HasSuffix(r.URL.Path, "/logo"))
}

// orgLogoPNG returns the organization's logo when it is a data: PNG, the
// form a design can embed.
func orgLogoPNG(imageURL string) []byte {
	if mt, b, ok := decodeDataImage(imageURL); ok && mt == "image/png" {
		return b
	}
	return nil
}

func (s *server) badgeForm(w http.ResponseWriter, r *http.Request) {
	a, ok := s.orgAchievement(w, r)
	if !ok {
		return
	}
	d := badgePageData{Achievement: a, ID: r.PathValue("id"), Slug: currentOrg(r).Org.Slug, Shapes: badge.Shapes, HasLogo: orgLogoPNG(currentOrg(r).Org.ImageURL) != nil}
	d.Design = badge.Default(a.Name)
	if a.Image != nil {
		if _, b, ok := decodeDataImage(a.Image.ID); ok {
			if design, ok := badge.DesignOf(b); ok {
				d.Design = design
			}
		}
	}
	s.render(w, r, http.StatusOK, "badge", "Badge image · "+a.Name, d)
}

func (s *server) badgeSubmit(w http.ResponseWriter, r *http.Request) {
	a, ok := s.orgAchievement(w, r)
	if !ok {
		return
	}
	oc := currentOrg(r)
	logo := orgLogoPNG(oc.Org.ImageURL)
	d := badgePageData{Achievement: a, ID: r.PathValue("id"), Slug: oc.Org.Slug, Shapes: badge.Shapes, HasLogo: logo != nil}
	var errs formErrors
	var uri string
	if r.PostFormValue("action") == "upload" {
		uri = s.readBadgeUpload(r, &errs)
		d.Design = badge.Default(a.Name)
	} else {
		d.Design = badge.Design{Shape: badge.Shape(r.PostFormValue("shape")), Fill: r.PostFormValue("fill"), Border: r.PostFormValue("border"),
			Text: r.PostFormValue("text"), Title: strings.TrimSpace(r.PostFormValue("title"))}
		d.UseLogo = r.PostFormValue("logo") == "1"
		if d.UseLogo {
			d.Design.Logo = logo
		}
		if err := d.Design.Validate(); err != nil {
			field, msg, _ := strings.Cut(err.Error(), ": ")
			errs.add(field, upperFirstASCII(msg)+".")
		} else {
			uri = badge.DataURI("image/svg+xml", d.Design.SVG())
		}
	}
	if errs.Any() {
		s.renderWith(w, r, http.StatusBadRequest, "badge", pageData{Title: "Badge image · " + a.Name, Data: d, Errors: errs})
		return
	}
	a.ID = s.issuer.AchievementURL(d.ID)
	a.Image = &catalog.Image{ID: uri, Caption: "Badge of " + a.Name}
	if _, err := s.issuer.SaveAchievement(r.Context(), oc.Org.ID, a, currentViewer(r).User.ID); err != nil {
		s.serverError(w, r, fmt.Errorf("save badge image: %w", err))
		return
	}
	s.setFlash(w, "The badge image is saved. Credentials issued from now on carry it.")
	http.Redirect(w, r, "/achievements/"+d.ID, http.StatusSeeOther)
}

// readBadgeUpload reads the uploaded file: a PNG or an SVG of at most
// badge.MaxUpload bytes, its type taken from its content, an SVG
// sanitized. It returns the image as a data: URI.
func (s *server) readBadgeUpload(r *http.Request, errs *formErrors) string {
	f, _, err := r.FormFile("file")
	if err != nil {
		errs.add("file", "Choose a PNG or SVG file to upload.")
		return ""
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, badge.MaxUpload+1))
	switch {
	case err != nil:
		errs.add("file", "The file could not be read.")
		return ""
	case len(b) > badge.MaxUpload:
		errs.add("file", "The file is larger than 1 MB.")
		return ""
	}
	if http.DetectContentType(b) == "image/png" {
		return badge.DataURI("image/png", b)
	}
	clean, err := badge.SanitizeSVG(b)
	if err != nil {
		if errors.Is(err, badge.ErrNotSVG) || !bytes.Contains(b, []byte("<svg")) {
			errs.add("file", "The file is neither a PNG nor an SVG image.")
		} else {
			errs.add("file", "The SVG image could not be read: it is not well-formed XML.")
		}
		return ""
	}
	return badge.DataURI("image/svg+xml", clean)
}

// orgLogo takes the organization's logo by upload: a PNG or an SVG of at
// most 1 MB, its type read from its content and an SVG sanitized, as for
// badge images. It appears on the organization's pages, in designed
// badges and PDF certificates, and in the issuer profile of credentials
// issued from then on.
func (s *server) orgLogo(w http.ResponseWriter, r *http.Request) {
	oc := currentOrg(r)
	var errs formErrors
	uri := s.readBadgeUpload(r, &errs)
	if errs.Any() {
		s.renderError(w, r, http.StatusBadRequest, "The logo was not changed: "+strings.Join(errs.Get("file"), " "))
		return
	}
	if err := s.issuer.SetLogo(r.Context(), oc.Org.ID, uri, currentViewer(r).User.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.setFlash(w, "The logo was saved. Credentials issued from now on carry it.")
	seeOther(w, r, "/admin/orgs/"+oc.Org.Slug)
}
