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
	"github.com/microcred/microcred/internal/store"
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
	// revoked holds the credential ids of a 1EdTechRevocationList; bits
	// is nil for such a list.
	revoked map[string]bool
	kind    string // the entry type the list serves
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
	if (d.kind == TypeRevocationList) != (e.Kind() == TypeRevocationList) {
		return Result{}, fmt.Errorf("status: the document at %s is a %s, which does not serve a %s entry", e.StatusListCredential, d.kind, e.Kind())
	}
	if !contains(d.purposes, e.StatusPurpose) {
		return Result{}, fmt.Errorf("status: the status list %s is for %s, not %s", e.StatusListCredential, strings.Join(d.purposes, ", "), e.StatusPurpose)
	}
	if d.kind == TypeRevocationList {
		if e.CredentialID == "" {
			return Result{}, errors.New("status: the credential has no id, so the 1EdTechRevocationList cannot be searched for it")
		}
		return Result{Entry: e, Set: d.revoked[e.CredentialID]}, nil
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
// The list is read from the URL the credential names; its own id may
// differ (issuers serve one list under several addresses, or behind a
// redirect), and what makes it trustworthy is the issuer's signature on
// it, not its id. A list secured with any proof the proof package checks
// (Data Integrity proof sets, VC-JWT) is accepted; a 1EdTechRevocationList
// is a plain JSON document (see revocationList).
func (c *Checker) verifyList(ctx context.Context, url string, data []byte, keys proof.KeyResolver, now time.Time) (*decodedList, error) {
	data = bytes.TrimSpace(data)
	var doc map[string]any
	var signers []string
	jwtBound := false
	if len(data) > 0 && data[0] != '{' {
		// The JWT checks of the proofs package: VC-JOSE and the vc-claim
		// format, EdDSA, RS256 and ES256, judged at now; IssuerBound says
		// whether the key is the list issuer's (a key found in a JWK Set
		// or through a jwk header is, though its URL is not "issuer#...").
		res, err := proof.CheckJWT(ctx, string(data), keys, proof.JWTOptions{Now: now})
		if err != nil {
			return nil, fmt.Errorf("status: the status list %s (a JWT) cannot be read: %w", url, err)
		}
		if !res.Verified {
			return nil, fmt.Errorf("status: the status list %s (a JWT) does not verify: %w", url, res.Err)
		}
		doc = res.Credential
		signers = []string{res.VerificationMethod}
		jwtBound = res.IssuerBound
	} else {
		dec := json.NewDecoder(bytes.NewReader(data))
		if err := dec.Decode(&doc); err != nil || doc == nil {
			return nil, fmt.Errorf("status: the status list %s is not a JSON object", url)
		}
		if hasType(doc["type"], TypeRevocationList) || doc["revokedCredentials"] != nil {
			return revocationList(url, doc)
		}
		results, err := proof.Verify(ctx, doc, keys, proof.VerifyOptions{Now: now})
		if err != nil {
			return nil, fmt.Errorf("status: the status list %s: %w", url, err)
		}
		for _, r := range results {
			switch {
			case r.Verified:
				signers = append(signers, r.VerificationMethod)
			case r.Unsupported || errors.Is(r.Err, proof.ErrUnknownProofType) || errors.Is(r.Err, proof.ErrUnsupportedSuite):
				// A proof of a kind this build cannot check neither
				// helps nor harms; another proof must carry the list.
			default:
				return nil, fmt.Errorf("status: the status list %s has an invalid proof: %w", url, r.Err)
			}
		}
	}
	issuer := issuerOf(doc)
	signed := jwtBound
	for _, vm := range signers {
		if controller, _, _ := strings.Cut(vm, "#"); controller == issuer {
			signed = true
		}
	}
	if !signed {
		return nil, fmt.Errorf("status: the status list %s is not signed by its issuer %s", url, issuer)
	}
	d := &decodedList{issuer: issuer}
	var subjectType string
	switch {
	case hasType(doc["type"], TypeListCredential):
		d.kind, subjectType = TypeEntry, TypeList
	case hasType(doc["type"], TypeListCredential2021):
		d.kind, subjectType = TypeEntry2021, TypeList2021
	default:
		return nil, fmt.Errorf("status: the document at %s is neither a %s nor a %s", url, TypeListCredential, TypeListCredential2021)
	}
	from, _ := firstString(doc, "validFrom", "issuanceDate")
	if from != "" {
		t, err := credential.ParseDateTime(from)
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
	if until, field := firstString(doc, "validUntil", "expirationDate"); until != "" {
		t, err := credential.ParseDateTime(until)
		if err != nil {
			return nil, fmt.Errorf("status: the status list %s: %s: %w", url, field, err)
		}
		d.validUntil = t
	}
	subj, _ := doc["credentialSubject"].(map[string]any)
	if subj == nil || !hasType(subj["type"], subjectType) {
		return nil, fmt.Errorf("status: the status list %s has no %s subject", url, subjectType)
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
	var bits Bitstring
	var err error
	if d.kind == TypeEntry2021 {
		bits, err = Decode2021(enc)
	} else {
		bits, err = Decode(enc)
	}
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

// revocationList reads a 1EdTech Revocation List (VCRL 1.0): a JSON
// document with the list's id, its issuer and revokedCredentials, the
// objects whose id names a revoked credential. The method defines no
// signature on the list; it is trusted as far as the HTTPS connection to
// the address the credential names, and its issuer must be the
// credential's (checked by Check).
func revocationList(url string, doc map[string]any) (*decodedList, error) {
	d := &decodedList{issuer: issuerOf(doc), kind: TypeRevocationList, purposes: []string{store.PurposeRevocation}, revoked: map[string]bool{}}
	if d.issuer == "" {
		return nil, fmt.Errorf("status: the revocation list %s names no issuer", url)
	}
	list, ok := doc["revokedCredentials"].([]any)
	if !ok && doc["revokedCredentials"] != nil {
		return nil, fmt.Errorf("status: the revocation list %s: revokedCredentials is not an array", url)
	}
	for i, x := range list {
		o, _ := x.(map[string]any)
		id, _ := o["id"].(string)
		if id == "" {
			return nil, fmt.Errorf("status: the revocation list %s: revokedCredentials[%d].id is missing", url, i)
		}
		d.revoked[id] = true
	}
	return d, nil
}

func firstString(doc map[string]any, names ...string) (string, string) {
	for _, n := range names {
		if s, ok := doc[n].(string); ok {
			return s, n
		}
	}
	return "", names[0]
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
