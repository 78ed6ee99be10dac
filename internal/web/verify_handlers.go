package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/microcred/microcred/internal/analytics"
	"github.com/microcred/microcred/internal/bake"
	"github.com/microcred/microcred/internal/certificate"
	"github.com/microcred/microcred/internal/limit"
	"github.com/microcred/microcred/internal/verify"
)

// verifyData is the public verifier page.
type verifyData struct {
	Input   string
	Verdict *verdict
	// Domain is the optional "Your organization's domain" field; Pulse
	// the employer question shown after a verified result.
	Domain string
	Pulse  *hirePulse
}

func (s *server) verifyForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "verify", "Verify a credential", verifyData{})
}

// verifySubmit checks a pasted or uploaded credential (JSON or VC-JWT) and
// shows the same verdict as a credential page.
func (s *server) verifySubmit(w http.ResponseWriter, r *http.Request) {
	// Admission comes before the body is read: a queued or refused request
	// holds no credential in memory.
	release, err := s.issuer.AdmitVerify(r.Context(), r.ContentLength, maxCredentialBytes+maxFormBytes)
	if errors.Is(err, limit.ErrBusy) {
		w.Header().Set("Retry-After", "1")
		s.renderError(w, r, http.StatusTooManyRequests, "Many credentials are being checked right now. Wait a moment and submit the form again.")
		return
	}
	if err != nil {
		return // the visitor went away while waiting
	}
	defer release()
	if !s.parseForm(w, r) {
		return
	}
	input := r.PostFormValue("credential")
	if r.MultipartForm != nil {
		if f, _, err := r.FormFile("file"); err == nil {
			b, err := io.ReadAll(io.LimitReader(f, maxCredentialBytes+1))
			f.Close()
			if err != nil {
				s.serverError(w, r, fmt.Errorf("read upload: %w", err))
				return
			}
			if len(b) > maxCredentialBytes {
				s.renderError(w, r, http.StatusRequestEntityTooLarge, "The file is larger than 1 MiB.")
				return
			}
			if bytes.HasPrefix(b, []byte("%PDF-")) {
				// A certificate carries the signed credential as an
				// attachment; that is what is checked, not the printout.
				att, err := certificate.Attachment(b)
				if err != nil {
					var errs formErrors
					errs.add("file", "This PDF has no credential attached. Certificates from microcred carry one; for another PDF, ask its holder for the credential's link or file.")
					s.renderForm(w, r, "verify", "Verify a credential", verifyData{}, errs)
					return
				}
				b = att
			}
			if bake.Format(b) != "" {
				// A baked badge carries the credential inside the image.
				baked, err := bake.Unbake(b)
				if err != nil {
					var errs formErrors
					errs.add("file", "This image carries no credential: it is a plain badge image, not one with the credential baked in. Ask its holder for the credential's link or file.")
					s.renderForm(w, r, "verify", "Verify a credential", verifyData{}, errs)
					return
				}
				b = baked.Credential
			}
			if len(strings.TrimSpace(string(b))) > 0 {
				input = string(b)
			}
		}
	}
	d := verifyData{Input: input, Domain: strings.TrimSpace(r.PostFormValue("verifier_domain"))}
	var errs formErrors
	domain := analytics.VerifierDomain(d.Domain)
	if d.Domain != "" && domain == "" {
		errs.add("verifier_domain", "Your organization's domain: enter a domain such as hr.example.com, or leave it empty.")
		s.renderForm(w, r, "verify", "Verify a credential", d, errs)
		return
	}
	if strings.TrimSpace(input) == "" {
		errs.add("credential", "Paste a credential (JSON or JWT) or choose a file.")
		s.renderForm(w, r, "verify", "Verify a credential", d, errs)
		return
	}
	if link := strings.TrimSpace(input); strings.HasPrefix(link, "https://") || strings.HasPrefix(link, "http://") {
		// A link pasted into the box: this server's credential pages
		// are read from the store, other addresses through the guarded
		// client.
		doc, err := s.credentialAtLink(r, link)
		if err != nil {
			errs.add("credential", "The link could not be used: "+err.Error()+".")
			s.renderForm(w, r, "verify", "Verify a credential", d, errs)
			return
		}
		input = string(doc)
	}
	rep, err := s.issuer.Verify(r.Context(), []byte(strings.TrimSpace(input)))
	if err != nil {
		if errors.Is(err, verify.ErrUnusable) {
			errs.add("credential", "This cannot be read as a credential (JSON or JWT): "+verify.Reason(err)+".")
			s.renderForm(w, r, "verify", "Verify a credential", d, errs)
			return
		}
		s.serverError(w, r, fmt.Errorf("verify: %w", err))
		return
	}
	vd := verdictOf(rep)
	s.nameEndorsed(r, &vd, rep.Credential)
	d.Verdict = &vd
	d.Pulse = s.recordPageVerification(r, rep, domain)
	s.render(w, r, http.StatusOK, "verify", "Verification result", d)
}
