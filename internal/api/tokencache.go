package api

import (
	"sync"
	"time"
)

// Token cache bounds.
const (
	// tokenCacheTTL is how long a validated bearer token is trusted
	// without asking the store again. It bounds the staleness on other
	// nodes: a token revoked, a client deleted or a member's role lowered
	// on one node is still honoured by another node's cache for at most
	// this long. On the node where the change happens the cache notices at
	// once, through the store's AuthEpoch.
	tokenCacheTTL = 10 * time.Second
	// tokenCacheSize bounds the entries (about 300 bytes each).
	tokenCacheSize = 4096
)

// tokenCache remembers, per token digest, what authenticate resolved a
// bearer token to, so that a busy client's requests do not each read the
// token, the client and the organization (and for user grants the
// membership) from the store.
//
// An entry is used only while it is younger than tokenCacheTTL, the token
// has not expired, and the store's AuthEpoch is the one read before the
// entry was resolved. The epoch moves on every revocation, client
// deletion, membership change and user deletion made through this
// process's store, so those take effect here immediately.
type tokenCache struct {
	mu      sync.Mutex
	entries map[[32]byte]tokenEntry
	off     bool
}

type tokenEntry struct {
	c        *caller
	expires  time.Time // the token's own expiry
	cachedAt time.Time
	epoch    uint64
}

// newTokenCache returns a cache; a disabled one (for stores without
// AuthEpoch, whose revocations it could not see) never hits.
func newTokenCache(enabled bool) *tokenCache {
	return &tokenCache{entries: make(map[[32]byte]tokenEntry), off: !enabled}
}

// get returns the cached caller of a token digest when the entry is still
// usable at now under the store's current epoch.
func (tc *tokenCache) get(key [32]byte, now time.Time, epoch uint64) (*caller, bool) {
	if tc.off {
		return nil, false
	}
	tc.mu.Lock()
	defer tc.mu.Unlock()
	e, ok := tc.entries[key]
	if !ok {
		return nil, false
	}
	if e.epoch != epoch || !now.Before(e.expires) || now.Sub(e.cachedAt) >= tokenCacheTTL || now.Before(e.cachedAt) {
		delete(tc.entries, key)
		return nil, false
	}
	return e.c, true
}

// put caches c for a token digest. epoch is the store's epoch read before
// the token was resolved.
func (tc *tokenCache) put(key [32]byte, c *caller, expires, now time.Time, epoch uint64) {
	if tc.off {
		return
	}
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if len(tc.entries) >= tokenCacheSize {
		tc.evict(now)
	}
	tc.entries[key] = tokenEntry{c: c, expires: expires, cachedAt: now, epoch: epoch}
}

// evict drops stale entries and, when the cache is still full, an
// arbitrary quarter of it (Go's map order is unspecified enough to spread
// the loss); a miss only costs the store reads the cache saves.
func (tc *tokenCache) evict(now time.Time) {
	for k, e := range tc.entries {
		if now.Sub(e.cachedAt) >= tokenCacheTTL || !now.Before(e.expires) {
			delete(tc.entries, k)
		}
	}
	drop := len(tc.entries) - tokenCacheSize*3/4
	for k := range tc.entries {
		if drop <= 0 {
			break
		}
		delete(tc.entries, k)
		drop--
	}
}

// len reports the number of entries, for tests.
func (tc *tokenCache) len() int {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	return len(tc.entries)
}
