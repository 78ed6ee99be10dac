package issue

import (
	"net/url"
	"sync"
	"time"

	"github.com/microcred/microcred/internal/auth"
	"github.com/microcred/microcred/internal/store"
)

// ClaimLinkLifetime is how long the claim link of an issuance mail works.
// A learner who misses it signs up with the same address instead, and the
// credentials issued to it appear in the new account all the same.
const ClaimLinkLifetime = 90 * 24 * time.Hour

// ClaimPurpose is the purpose of claim-link tokens (see auth.Signer).
const ClaimPurpose = "claim"

// links holds the signer of mailed links, derived from the master key so
// that every node of a cluster signs and checks alike.
type links struct {
	once   sync.Once
	signer *auth.Signer
}

// Links returns the signer of the links microcred sends by mail (claim,
// address verification, password reset).
func (s *Service) Links() *auth.Signer {
	s.links.once.Do(func() { s.links.signer = auth.NewSigner(s.Master.Derive("link-signing")) })
	return s.links.signer
}

// ClaimURL is the single-use link, sent with every issuance mail, that adds
// the credential to the recipient's wallet: it proves the learner holds the
// address the credential was issued to.
func (s *Service) ClaimURL(c store.Credential) string {
	s.init()
	tok := s.Links().Sign(ClaimPurpose, s.now().Add(ClaimLinkLifetime), c.ID, c.RecipientEmail)
	return s.base + "/claim/" + url.PathEscape(tok)
}
