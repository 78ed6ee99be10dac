package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/analytics"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/verify"
)

// Third-party verifications for the impact report: when a credential an
// organization of this server issued is verified on the verification
// page, the verification is counted for that organization (with the
// verifier's domain when known), and the verifier is asked, optionally,
// whether it makes them more likely to hire.

// pulseKey signs the hire-pulse form so that only someone who has just
// verified a credential can answer for it. It lives as long as the
// process: a form older than a restart is refused politely.
var pulseKey = func() []byte {
	k := make([]byte, 32)
	if _, err := rand.Read(k); err != nil {
		panic("web: no randomness for the pulse key: " + err.Error())
	}
	return k
}()

// pulseLifetime is how long after a verification its pulse form is taken.
const pulseLifetime = 2 * time.Hour

// hirePulse is the form shown after a verified result.
type hirePulse struct {
	CredentialID string
	Token        string
}

func pulseToken(credentialID string, at time.Time) string {
	ts := strconv.FormatInt(at.Unix(), 10)
	m := hmac.New(sha256.New, pulseKey)
	m.Write([]byte("hire-pulse\x00" + credentialID + "\x00" + ts))
	return ts + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func pulseTokenOK(credentialID, token string, now time.Time) bool {
	ts, _, ok := strings.Cut(token, ".")
	sec, err := strconv.ParseInt(ts, 10, 64)
	if !ok || err != nil {
		return false
	}
	at := time.Unix(sec, 0)
	if now.Before(at.Add(-time.Minute)) || now.After(at.Add(pulseLifetime)) {
		return false
	}
	return hmac.Equal([]byte(token), []byte(pulseToken(credentialID, at)))
}

// recordPageVerification counts a verified credential of this server's
// organizations checked on the verification page, unless the viewer is a
// member of the issuing organization (staff checking their own), and
// returns the hire-pulse form to show, or nil.
func (s *server) recordPageVerification(r *http.Request, rep *verify.Report, typedDomain string) *hirePulse {
	if rep == nil || !rep.Verified {
		return nil
	}
	c, ok := analytics.OwnCredential(r.Context(), s.store, rep.Credential, func(ctx context.Context, o store.Organization) (string, error) {
		return s.issuer.IssuerID(ctx, o)
	})
	if !ok {
		return nil
	}
	if v := currentViewer(r); v != nil && v.role(c.OrgID) != "" {
		return nil
	}
	domain := typedDomain
	if domain == "" {
		domain = analytics.RequestDomain(r, s.base)
	}
	e := credentialEvent(c, analytics.Verified, "page")
	e.Domain = domain
	s.recordEvent(r, e)
	return &hirePulse{CredentialID: c.ID, Token: pulseToken(c.ID, s.now())}
}

// verifyPulse records an employer's answer to "Does this make you more
// likely to hire?", at most once per credential.
func (s *server) verifyPulse(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	id, answer := r.PostFormValue("credential_id"), r.PostFormValue("answer")
	if answer != "yes" && answer != "no" {
		s.renderError(w, r, http.StatusBadRequest, "Choose yes or no, or just leave the page: the question is optional.")
		return
	}
	if !pulseTokenOK(id, r.PostFormValue("token"), s.now()) {
		s.notice(w, r, http.StatusBadRequest, noticeData{Heading: "This form has expired",
			Message: "Answers are taken within two hours of a verification. Thank you all the same.", Link: "/verify", LinkText: "Verify a credential"})
		return
	}
	c, err := s.store.Credential(r.Context(), id)
	if err != nil {
		s.notFound(w, r)
		return
	}
	e := credentialEvent(c, analytics.PulseHire, answer)
	e.Once = true
	s.recordEvent(r, e)
	s.notice(w, r, http.StatusOK, noticeData{Heading: "Thank you",
		Message: "Your answer is counted anonymously in the issuing organization's impact report.", Link: "/verify", LinkText: "Verify another credential"})
}
