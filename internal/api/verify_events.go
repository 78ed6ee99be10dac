package api

import (
	"net/http"

	"github.com/microcred/microcred/internal/analytics"
	"github.com/microcred/microcred/internal/verify"
)

// recordAPIVerification counts a verified credential of one of this
// server's organizations checked through POST /credentials/verify, for
// that organization's impact report, with the verifier's domain from the
// Origin or Referer header when it sends one. A failure to count is
// logged and never changes the answer.
func (a *API) recordAPIVerification(r *http.Request, rep *verify.Report) {
	if rep == nil || !rep.Verified {
		return
	}
	c, ok := analytics.OwnCredential(r.Context(), a.store, rep.Credential, a.issuer.IssuerID)
	if !ok {
		return
	}
	e := analytics.Event(c, analytics.Verified, "api")
	e.Domain = analytics.RequestDomain(r, a.base)
	e.At = a.now()
	if err := analytics.Record(r.Context(), a.store, e); err != nil {
		a.log.Warn("record analytics event", "kind", e.Kind, "err", err)
	}
}
