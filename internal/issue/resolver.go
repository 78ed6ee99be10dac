package issue

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"

	"github.com/microcred/microcred/internal/did"
	"github.com/microcred/microcred/internal/proof"
	"github.com/microcred/microcred/internal/store"
	"github.com/microcred/microcred/internal/verify"
)

// Resolver returns the key resolver the service verifies with: did:web DIDs
// under the base URL's host (did:web:HOST:orgs:SLUG) are answered from the
// store without any HTTP request to this server, did:key DIDs are resolved
// locally, and other did:web DIDs are fetched through Fetcher.
func (s *Service) Resolver() proof.KeyResolver {
	s.init()
	return localResolver{s}
}

type localResolver struct{ s *Service }

// PublicKey implements proof.KeyResolver.
func (r localResolver) PublicKey(ctx context.Context, vm, relationship string) (ed25519.PublicKey, error) {
	s := r.s
	controller, _, err := did.SplitMethodURL(vm)
	if err != nil {
		return nil, err
	}
	prefix := "did:web:" + s.host + ":orgs:"
	slug, local := strings.CutPrefix(controller, prefix)
	if !local || strings.Contains(slug, ":") {
		return (&did.Resolver{Fetcher: s.fetcher()}).PublicKey(ctx, vm, relationship)
	}
	// Every key of a local document is listed under both assertionMethod
	// and authentication, and keys are never removed, so a successful
	// answer can be cached for good.
	cacheKey := relationship + " " + vm
	if pub, ok := s.cache.methods.get(cacheKey, s.now()); ok {
		return pub, nil
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
	pub, err := (&did.Resolver{Documents: map[string]*did.Document{controller: doc}}).PublicKey(ctx, vm, relationship)
	if err != nil {
		return nil, err
	}
	s.cache.methods.put(cacheKey, pub, s.now())
	return pub, nil
}

// Verify runs the full verification pipeline on a credential (JSON with
// Data Integrity proofs, or a VC-JWT) with the service's resolver.
func (s *Service) Verify(ctx context.Context, data []byte) (*verify.Report, error) {
	s.init()
	rep, err := verify.Credential(ctx, data, verify.Options{Keys: s.Resolver(), Now: s.now(), Status: s.checker})
	if s.OnVerify != nil {
		switch {
		case err != nil:
			s.OnVerify("unusable")
		case rep.Verified:
			s.OnVerify("verified")
		default:
			s.OnVerify("not_verified")
		}
	}
	if err != nil {
		return nil, fmt.Errorf("issue: verify: %w", err)
	}
	return rep, nil
}
