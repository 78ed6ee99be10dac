package issue

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/microcred/microcred/internal/did"
	"github.com/microcred/microcred/internal/limit"
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
	rep, err := verify.Credential(ctx, data, verify.Options{Keys: s.Resolver(), KeySets: s.fetcher(), Now: s.now(), Status: s.checker, OB2: s.ob2Client()})
	if s.OnVerify != nil {
		switch {
		case err != nil:
			s.OnVerify("unusable")
		default:
			s.OnVerify(string(rep.Verdict))
		}
	}
	if err != nil {
		return nil, fmt.Errorf("issue: verify: %w", err)
	}
	return rep, nil
}

// VerifyPresentation verifies a Verifiable Presentation (the holder's proof
// against po's challenge and domain, and every embedded credential) with
// the service's resolver and status checker.
func (s *Service) VerifyPresentation(ctx context.Context, data []byte, po verify.PresentationOptions) (*verify.PresentationReport, error) {
	s.init()
	rep, err := verify.Presentation(ctx, data, verify.Options{Keys: s.Resolver(), KeySets: s.fetcher(), Now: s.now(), Status: s.checker}, po)
	if err != nil {
		return nil, fmt.Errorf("issue: verify presentation: %w", err)
	}
	return rep, nil
}

// Verification admission. The memory a verification needs grows with the
// credential (a 0.8 MB credential with thousands of entries becomes tens of
// megabytes of decoded JSON, JSON-LD and RDF while it is checked), so the
// public endpoints admit verifications while the request bodies being
// worked on add up to at most verifyBudget, let a queue wait for room and
// answer 429 beyond it. Small credentials are counted as verifyMinWeight,
// so 64 of them run at once, or one credential of the largest size. A
// 0.8 MB credential allocates ~30 MB while it is verified, and at the
// serving GOGC of 300 the heap may grow to four times what is live: with
// forty such requests at once ("microcred bench verify-http --large", see
// PERFORMANCE.md) the process peaked at 2.5 GB without the gate, ~270 MB
// with two at once and 152 MB with one.
const (
	verifyBudget    = 1 << 20
	verifyMinWeight = 16 << 10
	verifyQueue     = 64
	verifyMaxWait   = 5 * time.Second
)

// DefaultVerifyGate is the admission gate of the public verification
// endpoints: 1 MiB of credentials at once, 64 waiting for up to five
// seconds.
func DefaultVerifyGate() *limit.Gate {
	return limit.NewGate(verifyBudget, verifyQueue, verifyMaxWait)
}

// AdmitVerify waits for room to verify a request body of size bytes (the
// request's Content-Length; negative when unknown, which counts as
// maxBody). Call it before reading the body, so that a refused or queued
// request holds no credential in memory, and call release when the
// verification is done. It fails with limit.ErrBusy when the server is
// saturated (answer 429 with Retry-After).
func (s *Service) AdmitVerify(ctx context.Context, size, maxBody int64) (release func(), err error) {
	s.init()
	if size < 0 || size > maxBody {
		size = maxBody
	}
	return s.VerifyGate.Enter(ctx, max(size, verifyMinWeight))
}
