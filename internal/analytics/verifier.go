package analytics

import (
	"context"
	"net/http"

	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/store"
)

// CredentialLookup is what OwnCredential needs of the store.
type CredentialLookup interface {
	Credential(ctx context.Context, id string) (store.Credential, error)
	Organization(ctx context.Context, id string) (store.Organization, error)
}

// OwnCredential finds the stored credential that a verified document is,
// when an organization of this server issued it: the document's id is
// stored and its issuer is that organization's (an id alone could be
// copied into another issuer's credential). issuerID gives an
// organization's issuer identifier.
func OwnCredential(ctx context.Context, st CredentialLookup, doc map[string]any, issuerID func(context.Context, store.Organization) (string, error)) (store.Credential, bool) {
	id, _ := doc["id"].(string)
	if id == "" {
		return store.Credential{}, false
	}
	c, err := st.Credential(ctx, credential.NormalizeID(id))
	if err != nil {
		return store.Credential{}, false
	}
	org, err := st.Organization(ctx, c.OrgID)
	if err != nil {
		return store.Credential{}, false
	}
	want, err := issuerID(ctx, org)
	if err != nil {
		return store.Credential{}, false
	}
	var got string
	switch iss := doc["issuer"].(type) {
	case string:
		got = iss
	case map[string]any:
		got, _ = iss["id"].(string)
	}
	return c, got != "" && got == want
}

// RequestDomain is the verifier's domain from a request's Origin or
// Referer header, or "" when it has none or it is the server's own
// (ownBase: a form posted from this server's pages).
func RequestDomain(r *http.Request, ownBase string) string {
	own := VerifierDomain(ownBase)
	for _, h := range []string{"Origin", "Referer"} {
		if d := VerifierDomain(r.Header.Get(h)); d != "" && d != own && d != "null" {
			return d
		}
	}
	return ""
}

// Event is an event of kind and dim about credential c.
func Event(c store.Credential, kind, dim string) store.Event {
	return store.Event{OrgID: c.OrgID, AchievementID: c.AchievementID, CredentialID: c.ID, Kind: kind, Dim: dim}
}
