package status

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/microcred/microcred/internal/credential"
	"github.com/microcred/microcred/internal/proof"
)

// Source fetches status list credentials for a Checker.
type Source interface {
	// Fetch returns the list credential at url. When etag is not empty and
	// the list still has that ETag, it may answer NotModified without a
	// document.
	Fetch(ctx context.Context, url, etag string) (Fetched, error)
}

// Fetched is a Source's answer.
type Fetched struct {
	Document    []byte
	ETag        string
	NotModified bool
	// MaxAge is how long the answer may be used without asking again;
	// zero means revalidate on every check.
	MaxAge time.Duration
}

// ErrNotLocal is returned by a local source for a URL it does not serve.
var ErrNotLocal = errors.New("status: not a list of this server")

// DefaultMaxLists bounds a Checker's cache.
const DefaultMaxLists = 1024

// Checker reads status bits from verified, cached status lists. Set the
// exported fields before first use; a Checker is safe for concurrent use.
type Checker struct {
	Source Source
	// MinListBits is the shortest list accepted; 0 means DefaultListSize,
	// the specification's minimum. Shorter lists give too little privacy.
	MinListBits int
	MaxLists    int // cached lists; 0 means DefaultMaxLists

	mu    sync.RWMutex
	lists map[string]*decodedList
}

// decodedList is a verified list credential, reduced to what checks need.
type decodedList struct {
	etag       string
	bits       Bitstring
	issuer     string
	purposes   []string
	validFrom  time.Time
	validUntil time.Time // zero when the list states none
	freshUntil time.Time
}

// Result is the outcome of one status check.
type Result struct {
	Entry Entry
	Set   bool // the credential is revoked (revocation) or suspended (suspension)
}

// Check reads the bit of entry e for a credential issued by issuer, at
// time now, verifying list credentials' proofs with keys. It fails when the
// list cannot be fetched or verified, was issued by someone else, has
// another purpose, is outside its validity period, or is too short for the
// index.
func (c *Checker) Check(ctx context.Context, e Entry, issuer string, keys proof.KeyResolver, now time.Time) (Result, error) {
	c.mu.RLock()
	d := c.lists[e.StatusListCredential]
	c.mu.RUnlock()
	if d == nil || !now.Before(d.freshUntil) || (!d.validUntil.IsZero() && !now.Before(d.validUntil)) {
		var err error
		if d, err = c.refresh(ctx, e.StatusListCredential, d, keys, now); err != nil {
			return Result{}, err
		}
	}
	if d.issuer != issuer {
		return Result{}, fmt.Errorf("status: the status list %s is issued by %s, not by the credential's issuer %s", e.StatusListCredential, d.issuer, issuer)
	}
	if !contains(d.purposes, e.StatusPurpose) {
		return Result{}, fmt.Errorf("status: the status list %s is for %s, not %s", e.StatusListCredential, strings.Join(d.purposes, ", "), e.StatusPurpose)
	}
	set, err := d.bits.Get(e.StatusListIndex)
	if err != nil {
		return Result{}, err
	}
	return Result{Entry: e, Set: set}, nil
}

// refresh fetches (conditionally, when a copy is cached) and verifies the
// list at url, and caches the result.
func (c *Checker) refresh(ctx context.Context, url string, old *decodedList, keys proof.KeyResolver, now time.Time) (*decodedList, error) {
	if c.Source == nil {
		return nil, errors.New("status: no status list source")
	}
	etag := ""
	if old != nil {
		etag = old.etag
	}
	f, err := c.Source.Fetch(ctx, url, etag)
	if err != nil {
		return nil, fmt.Errorf("status: fetch %s: %w", url, err)
	}
	var d *decodedList
	if f.NotModified && old != nil {
		cp := *old
		d = &cp
	} else {
		if d, err = c.verifyList(ctx, url, f.Document, keys, now); err != nil {
			return nil, err
		}
		d.etag = f.ETag
	}
	if !d.validUntil.IsZero() && !now.Before(d.validUntil) {
		return nil, fmt.Errorf("status: the status list %s expired on %s", url, d.validUntil.UTC().Format(time.RFC3339))
	}
	d.freshUntil = now.Add(f.MaxAge)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lists == nil {
		c.lists = map[string]*decodedList{}
	}
	max := c.MaxLists
	if max <= 0 {
		max = DefaultMaxLists
	}
	if _, ok := c.lists[url]; !ok && len(c.lists) >= max {
		for k := range c.lists { // drop an arbitrary entry; lists are cheap to refetch
			delete(c.lists, k)
			break
		}
	}
	c.lists[url] = d
	return d, nil
}

// verifyList checks a fetched list credential and decodes its bitstring.
func (c *Checker) verifyList(ctx context.Context, url string, data []byte, keys proof.KeyResolver, now time.Time) (*decodedList, error) {
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil || doc == nil {
		return nil, fmt.Errorf("status: the status list %s is not a JSON object", url)
	}
	if id, _ := doc["id"].(string); id != url {
		return nil, fmt.Errorf("status: the document at %s has id %q, not its own address", url, id)
	}
	if !hasType(doc["type"], TypeListCredential) {
		return nil, fmt.Errorf("status: the document at %s is not a %s", url, TypeListCredential)
	}
	issuer := issuerOf(doc)
	results, err := proof.Verify(ctx, doc, keys, proof.VerifyOptions{Now: now})
	if err != nil {
		return nil, fmt.Errorf("status: the status list %s: %w", url, err)
	}
	signed := false
	for _, r := range results {
		if r.Err != nil && !r.Verified {
			return nil, fmt.Errorf("status: the status list %s has an invalid proof: %w", url, r.Err)
		}
		if controller, _, _ := strings.Cut(r.VerificationMethod, "#"); r.Verified && controller == issuer {
			signed = true
		}
	}
	if !signed {
		return nil, fmt.Errorf("status: the status list %s is not signed by its issuer %s", url, issuer)
	}
	d := &decodedList{issuer: issuer}
	if s, _ := doc["validFrom"].(string); s != "" {
		t, err := credential.ParseDateTime(s)
		if err != nil {
			return nil, fmt.Errorf("status: the status list %s: validFrom: %w", url, err)
		}
		// The list was signed by a server whose clock may run a little
		// ahead of ours (another node, another host): tolerate the same
		// skew proofs do, but no more.
		if now.Add(proof.DefaultClockSkew).Before(t) {
			return nil, fmt.Errorf("status: the status list %s is not valid before %s", url, t.UTC().Format(time.RFC3339))
		}
		d.validFrom = t
	}
	if s, _ := doc["validUntil"].(string); s != "" {
		t, err := credential.ParseDateTime(s)
		if err != nil {
			return nil, fmt.Errorf("status: the status list %s: validUntil: %w", url, err)
		}
		d.validUntil = t
	}
	subj, _ := doc["credentialSubject"].(map[string]any)
	if subj == nil || !hasType(subj["type"], TypeList) {
		return nil, fmt.Errorf("status: the status list %s has no %s subject", url, TypeList)
	}
	switch p := subj["statusPurpose"].(type) {
	case string:
		d.purposes = []string{p}
	case []any:
		for _, x := range p {
			if s, ok := x.(string); ok {
				d.purposes = append(d.purposes, s)
			}
		}
	}
	enc, _ := subj["encodedList"].(string)
	bits, err := Decode(enc)
	if err != nil {
		return nil, fmt.Errorf("status: the status list %s: %w", url, err)
	}
	min := c.MinListBits
	if min <= 0 {
		min = DefaultListSize
	}
	if bits.Len() < min {
		return nil, fmt.Errorf("status: the status list %s has %d entries, fewer than the %d required for privacy", url, bits.Len(), min)
	}
	d.bits = bits
	return d, nil
}

func issuerOf(doc map[string]any) string {
	switch v := doc["issuer"].(type) {
	case string:
		return v
	case map[string]any:
		s, _ := v["id"].(string)
		return s
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
