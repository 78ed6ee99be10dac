package issue

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/microcred/microcred/internal/catalog"
	"github.com/microcred/microcred/internal/did"
	"github.com/microcred/microcred/internal/fetch"
	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/limit"
	"github.com/microcred/microcred/internal/status"
	"github.com/microcred/microcred/internal/store"
)

// Service issues credentials and manages issuer identities. Set the
// exported fields before first use and do not change them afterwards; a
// Service is safe for concurrent use.
type Service struct {
	Store   store.Store
	Master  keys.MasterKey
	BaseURL string           // e.g. "http://127.0.0.1:8080" (no trailing slash)
	Now     func() time.Time // nil means time.Now
	Fetcher did.Fetcher      // for foreign did:web documents; nil means a did.HTTPFetcher over Fetch
	// Fetch is the guarded outbound client for foreign did:web documents
	// and status lists; nil means fetch.Default() (public https only).
	// serve and demo build it from --fetch-allow.
	Fetch *fetch.Client
	// VerifyGate bounds the verifications the public endpoints run at
	// once (see AdmitVerify); nil means DefaultVerifyGate().
	VerifyGate *limit.Gate
	// Status allocates status list indexes for new credentials and
	// publishes the lists; nil means a status.Service over Store signed
	// by this service (see StatusService).
	Status *status.Service
	// OnVerify, when set, is told the verdict of every Verify call:
	// "verified", "not_verified" or "unusable" (metrics count them).
	OnVerify func(verdict string)

	once  sync.Once
	host  string       // BaseURL's host[:port], percent-encoded for did:web
	base  string       // BaseURL without trailing slash
	batch *batchWriter // group commit of issued credentials
	// checker reads credential status for Verify: this server's lists
	// from the store, others over HTTP, verified and cached.
	checker *status.Checker
	links   links // see Links
	ob2     struct {
		once   sync.Once
		client *fetch.Client
	}
	cache struct {
		keys         *boundedCache[string, *keys.KeyPair]            // key id → unsealed pair (immutable)
		active       *boundedCache[string, activeKey]                // org id → active key, short-lived
		orgs         *boundedCache[string, store.Organization]       // org id → organization, short-lived
		achievements *boundedCache[achievementKey, *achievementData] // immutable versions
		current      *boundedCache[string, store.Achievement]        // achievement id → row with its current version, short-lived
		methods      *boundedCache[string, []byte]                   // local verification method → public key
		templates    *boundedCache[templateKey, templateOutcome]     // checked and prepared credential templates, see template.go
	}
}

// Cache bounds. Versions and unsealed keys are immutable, so their caches
// only need a size bound. Organizations and active keys change (profile edits,
// key rotation), possibly on another node, so they expire after orgTTL: a
// credential signed with a key retired a few seconds earlier still verifies,
// because retired keys stay in the DID document.
const (
	maxCachedKeys         = 4096
	maxCachedOrgs         = 4096
	maxCachedAchievements = 8192
	orgTTL                = 10 * time.Second
	// currentTTL bounds how long an achievement's current version number
	// is trusted. Saving a version through this service drops the entry at
	// once; a version saved on another node is used here within a second.
	// Either way a credential records the version it embeds.
	currentTTL = time.Second
)

type achievementKey struct {
	id      string
	version int
}

// achievementData is a decoded achievement version with its OB 3.0 JSON,
// shared by every credential issued under that version. The OB3 map is never
// modified after it is built, so concurrent issuers may embed it.
type achievementData struct {
	entry *catalog.Achievement
	ob3   map[string]any
}

type activeKey struct {
	pair *keys.KeyPair
	row  store.SigningKey
}

func (s *Service) init() {
	s.once.Do(func() {
		s.base = strings.TrimRight(s.BaseURL, "/")
		if u, err := url.Parse(s.base); err == nil {
			s.host = strings.ReplaceAll(u.Host, ":", "%3A")
		}
		s.cache.keys = newBoundedCache[string, *keys.KeyPair](maxCachedKeys, 0)
		s.cache.active = newBoundedCache[string, activeKey](maxCachedOrgs, orgTTL)
		s.cache.orgs = newBoundedCache[string, store.Organization](maxCachedOrgs, orgTTL)
		s.cache.achievements = newBoundedCache[achievementKey, *achievementData](maxCachedAchievements, 0)
		s.cache.current = newBoundedCache[string, store.Achievement](maxCachedAchievements, currentTTL)
		s.cache.methods = newBoundedCache[string, []byte](maxCachedKeys, 0)
		s.cache.templates = newBoundedCache[templateKey, templateOutcome](maxCachedAchievements, 0)
		s.batch = newBatchWriter(s.Store)
		if s.Status == nil {
			s.Status = &status.Service{Store: s.Store, Signer: s, BaseURL: s.base, Now: s.Now, OnChange: OnStatusChange}
		}
		if s.VerifyGate == nil {
			s.VerifyGate = DefaultVerifyGate()
		}
		s.checker = &status.Checker{Source: status.LocalFirst{Local: s.Status, Remote: &status.HTTPSource{Client: s.Fetch}}}
	})
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// FetchClient returns the guarded outbound client the service fetches
// through (Fetch, or the public-addresses-only default), for handlers that
// fetch a URL a person gave (a pasted credential link).
func (s *Service) FetchClient() *fetch.Client {
	if s.Fetch != nil {
		return s.Fetch
	}
	return fetch.Default()
}

// ob2Client is the guarded client for Open Badges 2.0 documents: the same
// allow list as every fetch, with plain http allowed, since Open Badges
// 2.0 ids predate https everywhere (the address checks still apply).
func (s *Service) ob2Client() *fetch.Client {
	s.ob2.once.Do(func() {
		s.ob2.client = fetch.New(fetch.Config{Allow: s.FetchClient().Allow(), AllowHTTP: true})
	})
	return s.ob2.client
}

func (s *Service) fetcher() did.Fetcher {
	if s.Fetcher != nil {
		return s.Fetcher
	}
	return &did.HTTPFetcher{Client: s.Fetch}
}

// StatusService returns the status service the issuer allocates indexes
// with, so that the web server and the APIs share its signed-list cache.
func (s *Service) StatusService() *status.Service {
	s.init()
	return s.Status
}

// OrganizationChanged drops what the service caches about an organization.
// Call it after updating the organization's profile so that the next
// credential carries the new name at once rather than after a few seconds.
func (s *Service) OrganizationChanged(orgID string) {
	s.init()
	s.cache.orgs.delete(orgID)
	s.cache.active.delete(orgID)
}

// organization returns the organization, from the short-lived cache when
// possible.
func (s *Service) organization(ctx context.Context, orgID string) (store.Organization, error) {
	s.init()
	if o, ok := s.cache.orgs.get(orgID, s.now()); ok {
		return o, nil
	}
	o, err := s.Store.Organization(ctx, orgID)
	if err != nil {
		return store.Organization{}, fmt.Errorf("issue: organization: %w", err)
	}
	s.cache.orgs.put(orgID, o, s.now())
	return o, nil
}

// FieldError is one problem with one input field. Field is a form field
// name ("recipient_email") or a JSON path ("credential.issuer").
type FieldError struct {
	Field   string `json:"field"`
	Problem string `json:"problem"`
}

// FieldErrors lists every problem found in a request, so that a form or an
// API response can report them all at once.
type FieldErrors []FieldError

// Error joins the problems: "field: problem; field2: problem2".
func (e FieldErrors) Error() string {
	parts := make([]string, len(e))
	for i, fe := range e {
		parts[i] = fe.Field + ": " + fe.Problem
	}
	return strings.Join(parts, "; ")
}

func (e *FieldErrors) add(field, format string, args ...any) {
	*e = append(*e, FieldError{Field: field, Problem: fmt.Sprintf(format, args...)})
}

// err returns e as an error, or nil when it is empty (a nil FieldErrors in
// an error interface would not compare equal to nil).
func (e FieldErrors) err() error {
	if len(e) == 0 {
		return nil
	}
	return e
}

// ErrForbidden reports an action the caller may not take on the resource,
// such as a learner changing the privacy of someone else's credential.
var ErrForbidden = errors.New("issue: forbidden")

// boundedCache is a mutex-protected map with a size bound and an optional
// time to live. When full it drops about half its entries (map iteration
// order is random enough for that): the caches hold data that is cheap to
// reload, so a simple bound beats the bookkeeping of exact LRU.
type boundedCache[K comparable, V any] struct {
	mu  sync.Mutex
	max int
	ttl time.Duration
	m   map[K]cacheEntry[V]
}

type cacheEntry[V any] struct {
	v       V
	expires time.Time
}

func newBoundedCache[K comparable, V any](max int, ttl time.Duration) *boundedCache[K, V] {
	return &boundedCache[K, V]{max: max, ttl: ttl, m: make(map[K]cacheEntry[V])}
}

func (c *boundedCache[K, V]) get(k K, now time.Time) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok || (c.ttl > 0 && now.After(e.expires)) {
		var zero V
		return zero, false
	}
	return e.v, true
}

func (c *boundedCache[K, V]) put(k K, v V, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		n := 0
		for k := range c.m {
			delete(c.m, k)
			if n++; n >= c.max/2 {
				break
			}
		}
	}
	c.m[k] = cacheEntry[V]{v: v, expires: now.Add(c.ttl)}
}

func (c *boundedCache[K, V]) delete(k K) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, k)
}
