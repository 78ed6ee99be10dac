package issue

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"strings"

	"github.com/microcred/microcred/internal/did"
	"github.com/microcred/microcred/internal/proof"
	"github.com/microcred/microcred/internal/store"
)

// The service's resolver also serves JWT verification, whose keys may be
// RSA or ECDSA P-256 (RS256 and ES256 tokens of other issuers) and may be
// given as a jwk header to be found among the issuer's keys.
var _ proof.VerificationKeyResolver = localResolver{}

// localSlug returns the organization slug of a did:web DID of this server,
// and false for any other identifier.
func (r localResolver) localSlug(controller string) (string, bool) {
	slug, local := strings.CutPrefix(controller, "did:web:"+r.s.host+":orgs:")
	return slug, local && !strings.Contains(slug, ":")
}

// VerificationKey implements proof.VerificationKeyResolver. The keys of
// this server's organizations are Ed25519 and answered by PublicKey; other
// identifiers are resolved through did.Resolver.
func (r localResolver) VerificationKey(ctx context.Context, vm, relationship string) (crypto.PublicKey, error) {
	controller, _, err := did.SplitMethodURL(vm)
	if err != nil {
		return nil, err
	}
	if _, local := r.localSlug(controller); local {
		pub, err := r.PublicKey(ctx, vm, relationship)
		if err != nil {
			return nil, err
		}
		return pub, nil
	}
	return (&did.Resolver{Fetcher: r.s.fetcher()}).VerificationKey(ctx, vm, relationship)
}

// VerificationKeys implements proof.VerificationKeyResolver: the keys a
// controller lists under relationship, from the store for this server's
// organizations.
func (r localResolver) VerificationKeys(ctx context.Context, controller, relationship string) (map[string]crypto.PublicKey, error) {
	s := r.s
	slug, local := r.localSlug(controller)
	if !local {
		return (&did.Resolver{Fetcher: s.fetcher()}).VerificationKeys(ctx, controller, relationship)
	}
	org, err := s.Store.OrganizationBySlug(ctx, slug)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: no organization %q on this server", did.ErrMethodNotFound, slug)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", did.ErrFetch, err)
	}
	if org.DIDMethod == store.DIDKey {
		return nil, fmt.Errorf("%w: organization %q uses did:key", did.ErrMethodNotFound, slug)
	}
	doc, err := s.DIDDocument(ctx, org)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", did.ErrFetch, err)
	}
	return (&did.Resolver{Documents: map[string]*did.Document{controller: doc}}).VerificationKeys(ctx, controller, relationship)
}
