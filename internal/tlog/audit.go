package tlog

import (
	"context"
	"errors"
	"fmt"
	"time"

	sumdb "golang.org/x/mod/sumdb/tlog"

	"github.com/microcred/microcred/internal/store"
)

// Source is where an auditor reads a log: over HTTP from a server
// (HTTPSource) or directly from the database (StoreSource).
type Source interface {
	// Checkpoint returns the latest signed checkpoint note.
	Checkpoint(ctx context.Context) ([]byte, error)
	// Leaves returns leaves from index from on, at least one and at most
	// to-from.
	Leaves(ctx context.Context, from, to int64) ([][]byte, error)
	// Consistency returns the proof that the tree of size newSize extends
	// the tree of size oldSize.
	Consistency(ctx context.Context, oldSize, newSize int64) ([][]byte, error)
}

// Finding is one problem an audit found.
type Finding struct {
	Index  int64  `json:"index"` // the log entry concerned, or -1
	Detail string `json:"detail"`
}

// AuditReport is the outcome of an audit.
type AuditReport struct {
	Checkpoint Checkpoint `json:"-"`
	Size       int64      `json:"size"`
	Root       string     `json:"root"`
	// Previous is the size of the earlier checkpoint the new one was
	// checked to extend, or -1 when there was none.
	Previous int64     `json:"previous"`
	Findings []Finding `json:"findings"`
	// Events counts the entries by kind.
	Events map[Kind]int64 `json:"events"`
}

// OK reports whether the audit found nothing wrong.
func (r *AuditReport) OK() bool { return len(r.Findings) == 0 }

func (r *AuditReport) add(index int64, format string, a ...any) {
	r.Findings = append(r.Findings, Finding{Index: index, Detail: fmt.Sprintf(format, a...)})
}

// Audit checks a log independently of the server that keeps it: it
// fetches the latest checkpoint and verifies its signature against the
// pinned verifierKey; when previous (a signed checkpoint note seen in an
// earlier audit) is given, it checks with a consistency proof that the new
// tree extends it — a log that rewrote any entry since cannot produce one;
// it downloads every leaf, checks that each is a canonical entry and
// recomputes the root hash, which must equal the checkpoint's. check, when
// not nil, is called for every leaf (the database auditor re-derives the
// leaf from the stored rows there).
//
// An error means the audit could not run (network, bad key); problems with
// the log itself are findings in the report.
func Audit(ctx context.Context, src Source, verifierKey string, previous []byte, check func(index int64, leaf []byte, e Event) error) (*AuditReport, error) {
	signed, err := src.Checkpoint(ctx)
	if err != nil {
		return nil, fmt.Errorf("tlog: audit: fetch checkpoint: %w", err)
	}
	rep := &AuditReport{Previous: -1, Events: map[Kind]int64{}}
	c, err := OpenCheckpoint(signed, verifierKey)
	if err != nil {
		rep.add(-1, "the checkpoint does not verify with the pinned log key: %v", err)
		return rep, nil
	}
	rep.Checkpoint, rep.Size, rep.Root = c, c.Size, c.Hash.String()
	if len(previous) > 0 {
		old, err := OpenCheckpoint(previous, verifierKey)
		if err != nil {
			return nil, fmt.Errorf("tlog: audit: the previous checkpoint: %w", err)
		}
		rep.Previous = old.Size
		switch {
		case old.Size > c.Size:
			rep.add(-1, "the log shrank: it had %d entries, now claims %d", old.Size, c.Size)
		case old.Size == c.Size && old.Hash != c.Hash:
			rep.add(-1, "two different trees of size %d are signed: history was rewritten", c.Size)
		case old.Size > 0 && old.Size < c.Size:
			proof, err := src.Consistency(ctx, old.Size, c.Size)
			if err != nil {
				rep.add(-1, "no consistency proof from size %d to %d: %v", old.Size, c.Size, err)
			} else if err := VerifyConsistency(old, c, proof); err != nil {
				rep.add(-1, "history rewritten: the tree of size %d does not extend the one of size %d seen before (%v)", c.Size, old.Size, err)
			}
		}
	}
	var tree StreamTree
	for tree.Size() < c.Size {
		leaves, err := src.Leaves(ctx, tree.Size(), c.Size)
		if err != nil {
			return nil, fmt.Errorf("tlog: audit: fetch leaves from %d: %w", tree.Size(), err)
		}
		if len(leaves) == 0 {
			rep.add(tree.Size(), "the log has no entry %d although its checkpoint counts %d", tree.Size(), c.Size)
			return rep, nil
		}
		for _, leaf := range leaves {
			i := tree.Size()
			if i >= c.Size {
				break
			}
			if err := tree.Append(leaf); err != nil {
				return nil, err
			}
			e, err := ParseLeaf(leaf)
			if err != nil {
				rep.add(i, "entry is not a valid record: %v", err)
				continue
			}
			rep.Events[e.Kind]++
			if check != nil {
				if err := check(i, leaf, e); err != nil {
					rep.add(i, "%v", err)
				}
			}
		}
	}
	root, err := tree.Root()
	if err != nil {
		return nil, err
	}
	if root != c.Hash {
		rep.add(-1, "the entries hash to root %s, but the checkpoint of size %d signs %s: some entry was changed after it was logged",
			root, c.Size, c.Hash)
	}
	return rep, nil
}

// StreamTree computes the RFC 6962 tree hash of a sequence of leaves in
// O(log n) memory: it keeps only the roots of the complete subtrees at the
// right edge, which are all that the next leaf's stored hashes and the
// tree hash read. The hashing is golang.org/x/mod/sumdb/tlog's.
type StreamTree struct {
	n     int64
	edge  map[int64]sumdb.Hash // stored hash index → hash, right edge only
	store func(index int64, h sumdb.Hash) error
}

// OnHash makes the tree call fn with every stored hash it computes, in
// stored-index order (to write them somewhere, as the benchmark does).
func (t *StreamTree) OnHash(fn func(index int64, h sumdb.Hash) error) { t.store = fn }

// Size returns the number of leaves appended.
func (t *StreamTree) Size() int64 { return t.n }

// ReadHashes implements sumdb.HashReader over the right edge.
func (t *StreamTree) ReadHashes(indexes []int64) ([]sumdb.Hash, error) {
	out := make([]sumdb.Hash, len(indexes))
	for i, x := range indexes {
		h, ok := t.edge[x]
		if !ok {
			return nil, fmt.Errorf("tlog: stream tree: hash %d is not on the right edge", x)
		}
		out[i] = h
	}
	return out, nil
}

// Append adds a leaf.
func (t *StreamTree) Append(leaf []byte) error {
	return t.AppendHash(sumdb.RecordHash(leaf))
}

// AppendHash adds a leaf given its record hash.
func (t *StreamTree) AppendHash(h sumdb.Hash) error {
	if t.edge == nil {
		t.edge = make(map[int64]sumdb.Hash)
	}
	hs, err := sumdb.StoredHashesForRecordHash(t.n, h, t)
	if err != nil {
		return err
	}
	base := sumdb.StoredHashIndex(0, t.n)
	for i, x := range hs {
		t.edge[base+int64(i)] = x
		if t.store != nil {
			if err := t.store(base+int64(i), x); err != nil {
				return err
			}
		}
	}
	t.n++
	// Keep the complete subtrees of the new size: one per set bit.
	keep := make(map[int64]sumdb.Hash, 64)
	for level := 0; t.n>>level > 0; level++ {
		if (t.n>>level)&1 == 1 {
			x := sumdb.StoredHashIndex(level, (t.n>>level)-1)
			keep[x] = t.edge[x]
		}
	}
	t.edge = keep
	return nil
}

// Root returns the tree hash of the leaves appended.
func (t *StreamTree) Root() (sumdb.Hash, error) {
	return sumdb.TreeHash(t.n, t)
}

// StoreSource reads a log directly from a store, for `microcred log audit
// --db`: the latest stored checkpoint, leaves and proofs from the stored
// hashes.
type StoreSource struct{ Store store.Store }

// Checkpoint implements Source.
func (s StoreSource) Checkpoint(ctx context.Context) ([]byte, error) {
	c, err := s.Store.LatestCheckpoint(ctx)
	if err != nil {
		return nil, err
	}
	return []byte(c.Note), nil
}

// Leaves implements Source.
func (s StoreSource) Leaves(ctx context.Context, from, to int64) ([][]byte, error) {
	ls, err := s.Store.Leaves(ctx, from, to)
	if err != nil {
		return nil, err
	}
	out := make([][]byte, 0, len(ls))
	for i, l := range ls {
		if l.Index != from+int64(i) {
			return out, nil // a gap: the auditor reports the missing entry
		}
		out = append(out, l.Data)
	}
	return out, nil
}

// Consistency implements Source.
func (s StoreSource) Consistency(ctx context.Context, oldSize, newSize int64) ([][]byte, error) {
	p, err := sumdb.ProveTree(newSize, oldSize, reader(ctx, s.Store))
	if err != nil {
		return nil, err
	}
	return hashBytes(p), nil
}

// RowChecker re-derives log entries from the rows of a store: an issuance
// entry must match its credential row, or given endorsement row
// (organization, hash of the stored document, issue time), a revocation or suspension entry a stored
// credential of that organization, a key rotation a stored key. After the
// audit, Unlogged lists the stored credentials without an issuance entry.
// A row edited or inserted behind the server's back shows up as a
// mismatch.
type RowChecker struct {
	creds  map[string]store.Credential // credential id hash → row
	logged map[string]bool
	st     store.Store
}

// NewRowChecker loads every credential of the store.
func NewRowChecker(ctx context.Context, st store.Store) (*RowChecker, error) {
	rc := &RowChecker{creds: map[string]store.Credential{}, logged: map[string]bool{}, st: st}
	const page = 1000
	for offset := 0; ; offset += page {
		list, err := st.ListCredentials(ctx, store.CredentialQuery{Limit: page, Offset: offset})
		if err != nil {
			return nil, fmt.Errorf("tlog: audit: list credentials: %w", err)
		}
		for _, c := range list {
			rc.creds[HashCredentialID(c.ID)] = c
		}
		if len(list) < page {
			break
		}
	}
	// Endorsements given here are logged like credentials (package
	// endorse); received ones were signed elsewhere and are not logged.
	for offset := 0; ; offset += page {
		list, err := st.ListEndorsements(ctx, store.EndorsementQuery{Direction: store.EndorsementGiven, Limit: page, Offset: offset})
		if err != nil {
			return nil, fmt.Errorf("tlog: audit: list endorsements: %w", err)
		}
		for _, e := range list {
			rc.creds[HashCredentialID(e.ID)] = store.Credential{ID: e.ID, OrgID: e.OrgID, Document: e.Document, IssuedAt: e.IssuedAt}
		}
		if len(list) < page {
			return rc, nil
		}
	}
}

// Check compares one entry with the rows; use it as Audit's check.
func (rc *RowChecker) Check(ctx context.Context, _ int64, _ []byte, e Event) error {
	switch e.Kind {
	case KindKeyRotation:
		k, err := rc.st.SigningKeyByVerificationMethod(ctx, e.Key)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("key rotation to %s: no such signing key is stored", e.Key)
		}
		if err != nil {
			return err
		}
		if k.OrgID != e.OrgID {
			return fmt.Errorf("key rotation to %s: the stored key belongs to organization %s, the entry says %s", e.Key, k.OrgID, e.OrgID)
		}
		if !k.CreatedAt.Equal(e.Time) {
			return fmt.Errorf("key rotation to %s: stored key created %s, the entry says %s", e.Key, k.CreatedAt.UTC().Format(time.RFC3339Nano), e.Time.Format(time.RFC3339Nano))
		}
		return nil
	}
	c, ok := rc.creds[e.CredentialHash]
	if !ok {
		return fmt.Errorf("%s entry for credential hash %s: no such credential is stored", e.Kind, e.CredentialHash)
	}
	if e.Kind == KindIssue {
		if rc.logged[e.CredentialHash] {
			return fmt.Errorf("credential %s is logged as issued twice", c.ID)
		}
		rc.logged[e.CredentialHash] = true
	}
	if c.OrgID != e.OrgID {
		return fmt.Errorf("%s entry for credential %s: stored under organization %s, the entry says %s", e.Kind, c.ID, c.OrgID, e.OrgID)
	}
	if h := HashDocument(c.Document); h != e.DocumentHash {
		return fmt.Errorf("%s entry for credential %s: the stored document hashes to %s, the log recorded %s: the document was changed after it was logged",
			e.Kind, c.ID, h, e.DocumentHash)
	}
	if e.Kind == KindIssue {
		if !c.IssuedAt.Equal(e.Time) {
			return fmt.Errorf("issue entry for credential %s: stored issue time %s, the entry says %s",
				c.ID, c.IssuedAt.UTC().Format(TimeLayout), e.Time.Format(TimeLayout))
		}
	}
	return nil
}

// Unlogged returns the ids of stored credentials that no issuance entry
// covers.
func (rc *RowChecker) Unlogged() []string {
	var out []string
	for h, c := range rc.creds {
		if !rc.logged[h] {
			out = append(out, c.ID)
		}
	}
	return out
}
