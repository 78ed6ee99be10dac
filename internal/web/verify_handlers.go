package web

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/microcred/microcred/internal/analytics"
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
	d.Verdict = &vd
	d.Pulse = s.recordPageVerification(r, rep, domain)
	s.render(w, r, http.StatusOK, "verify", "Verification result", d)
}
