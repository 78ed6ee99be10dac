package web

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/microcred/microcred/internal/analytics"
	"github.com/microcred/microcred/internal/badge"
	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/certificate"
	"github.com/microcred/microcred/internal/store"
)

// letterRegions use US Letter paper; everywhere else uses A4.
var letterRegions = []string{"us", "ca", "mx", "ph", "cl", "co", "ve", "gt", "cr", "pa", "do", "pr", "sv"}

// paperFor picks the paper: ?paper=a4|letter, else Letter when the
// viewer's first language names a Letter country (en-US, es-MX...).
func paperFor(r *http.Request) string {
	switch strings.ToLower(r.URL.Query().Get("paper")) {
	case "letter":
		return certificate.Letter
	case "a4":
		return certificate.A4
	}
	first, _, _ := strings.Cut(r.Header.Get("Accept-Language"), ",")
	first, _, _ = strings.Cut(strings.TrimSpace(first), ";")
	if _, region, ok := strings.Cut(strings.ToLower(first), "-"); ok {
		for _, l := range letterRegions {
			if region == l {
				return certificate.Letter
			}
		}
	}
	return certificate.A4
}

// credentialPDF serves /c/{uuid}.pdf: the certificate, with the signed
// credential attached and a QR code to its page.
func (s *server) credentialPDF(w http.ResponseWriter, r *http.Request, c store.Credential, id string) {
	b, err := s.certificatePDF(r, c, paperFor(r))
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.recordEvent(r, credentialEvent(c, analytics.Shared, "pdf"))
	w.Header().Set("Content-Disposition", `inline; filename="certificate-`+id+`.pdf"`)
	w.Header().Add("Vary", "Accept-Language")
	serveBytes(w, r, "application/pdf", b, c.Private)
}

// certificatePDF renders the PDF certificate of c on paper.
func (s *server) certificatePDF(r *http.Request, c store.Credential, paper string) ([]byte, error) {
	ctx := r.Context()
	id := s.issuer.CredentialUUID(c.ID)
	org, err := s.store.Organization(ctx, c.OrgID)
	if err != nil {
		return nil, fmt.Errorf("load organization: %w", err)
	}
	a, _, err := s.issuer.Achievement(ctx, c.AchievementID, c.AchievementVersion)
	if err != nil {
		return nil, fmt.Errorf("load achievement: %w", err)
	}
	page := s.base + "/c/" + id
	d := certificate.Data{
		Paper: paper, OrgName: org.Name, OrgLogoPNG: orgLogoPNG(org.ImageURL),
		Learner: c.RecipientName, Achievement: a.Name, Description: a.Description,
		IssuedOn: formatDate(c.IssuedAt), Outcomes: a.LearningOutcomes,
		QRURL: page + "?src=qr", PageURL: page, CredentialID: c.ID,
		Credential: []byte(c.Document), Filename: id + ".json",
	}
	if c.Format == store.FormatJWT {
		d.Filename = id + ".jwt"
	}
	if d.Learner == "" {
		d.Learner = "the holder of this credential"
	}
	if c.ValidUntil != nil {
		d.ValidUntil = formatDate(*c.ValidUntil)
	}
	d.Level, d.Credits = levelAndCredits(a)
	img := ""
	if a.Image != nil {
		img = a.Image.ID
	}
	if p, _, err := badge.Images(a.Name, img); err == nil {
		d.BadgePNG = p
	}
	b, err := certificate.Render(d)
	if err != nil {
		return nil, fmt.Errorf("render certificate: %w", err)
	}
	return b, nil
}

// levelAndCredits describes an achievement's level and workload in words.
func levelAndCredits(a *catalog.Achievement) (string, string) {
	var level []string
	if a.EQFLevel > 0 {
		level = append(level, fmt.Sprintf("EQF level %d", a.EQFLevel))
	}
	if a.NSQFLevel > 0 {
		level = append(level, fmt.Sprintf("NSQF level %d", a.NSQFLevel))
	}
	var credits []string
	if a.Workload.ECTS > 0 {
		credits = append(credits, formatNumber(a.Workload.ECTS)+" ECTS credits")
	}
	if a.Workload.Hours > 0 {
		credits = append(credits, formatNumber(a.Workload.Hours)+" hours")
	}
	for _, cr := range a.CreditRecommendations {
		credits = append(credits, cr.Summary())
	}
	return strings.Join(level, " · "), strings.Join(credits, " · ")
}
