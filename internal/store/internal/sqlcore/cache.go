package sqlcore

import (
	"sync"

	"golang.org/x/mod/sumdb/tlog"
)

// caches remembers facts the database never changes once they are
// committed, so that a batch transaction need not read them again: every
// read saved there is a round trip on PostgreSQL. Entries are added only
// through Store.whenCommitted; a missing entry is read from the database,
// so a cache is never a source of truth, only of rows already seen.
type caches struct {
	// statusSizes holds the size of each status list (listKey -> int); a
	// list's size is fixed when it is created.
	statusSizes sync.Map
	hashes      hashCache
	parts       partSet
	// validity remembers the shortest validity period stored per
	// (org, achievement) ([2]string -> int64), so that most inserts write
	// nothing to credential_validity; another node can only have lowered
	// the value further, and the write keeps the lower of the two.
	validity sync.Map
}

func newCaches() *caches {
	return &caches{hashes: hashCache{m: make(map[int64]tlog.Hash)}, parts: partSet{m: make(map[string]bool)}}
}

// partSet holds the ids of shared document parts known to be stored. Parts
// are immutable and never deleted, so a known part needs no INSERT ... ON
// CONFLICT DO NOTHING in every batch.
type partSet struct {
	mu sync.Mutex
	m  map[string]bool
}

// maxCachedParts bounds partSet. There is one part per achievement version
// and issuer profile in use, so the bound is rarely reached; when it is,
// the set starts again.
const maxCachedParts = 4096

func (p *partSet) has(id string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.m[id]
}

func (p *partSet) add(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.m) >= maxCachedParts {
		clear(p.m)
	}
	p.m[id] = true
}

// listKey names a status list.
type listKey struct {
	org, purpose string
	list         int
}

// hashCache holds stored hashes of the transparency log (stored hash index
// -> hash), which never change once written. Appending a leaf reads the
// roots of the complete subtrees to its left — the frontier of the tree
// before it — so the cache keeps the frontier of the largest tree it has
// seen committed and whatever was added since; on a single node every
// append finds all it needs here.
type hashCache struct {
	mu   sync.Mutex
	m    map[int64]tlog.Hash
	size int64 // largest committed tree size added
}

// maxCachedHashes is the size beyond which the cache drops every entry
// outside the frontier. A frontier has at most 63 entries; a batch of 256
// leaves adds about 512.
const maxCachedHashes = 2048

// get returns the cached hash at index i.
func (c *hashCache) get(i int64) (tlog.Hash, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.m[i]
	return h, ok
}

// add records committed hashes of a tree of size treeSize.
func (c *hashCache) add(hs map[int64]tlog.Hash, treeSize int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, h := range hs {
		c.m[i] = h
	}
	c.size = max(c.size, treeSize)
	if len(c.m) <= maxCachedHashes {
		return
	}
	keep := make(map[int64]tlog.Hash, 64)
	for _, i := range frontier(c.size) {
		if h, ok := c.m[i]; ok {
			keep[i] = h
		}
	}
	c.m = keep
}

// frontier returns the stored hash indexes of the roots of the complete
// subtrees a tree of n leaves splits into, largest first: the hashes the
// next append needs.
func frontier(n int64) []int64 {
	var out []int64
	var start int64
	for level := 62; level >= 0; level-- {
		if n&(1<<level) != 0 {
			out = append(out, tlog.StoredHashIndex(level, start>>level))
			start += 1 << level
		}
	}
	return out
}
