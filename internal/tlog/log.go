package tlog

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"sync"
	"time"

	sumdb "golang.org/x/mod/sumdb/tlog"

	"golang.org/x/mod/sumdb/note"

	"github.com/microcred/microcred/internal/keys"
	"github.com/microcred/microcred/internal/store"
)

// sealID is the associated data the log's private key is sealed under, so a
// sealed organization key can never be passed off as the log key.
const sealID = "microcred-transparency-log"

// DefaultCheckpointInterval is how often, at most, Log.Checkpoint signs a
// new checkpoint while the log grows: a checkpoint covers every entry at
// most this long after it was appended.
const DefaultCheckpointInterval = time.Second

// Append validates events and appends their leaves through tx, in one
// batch, returning the index of the first. Call it with the Store of the
// transaction that writes the rows the events describe, as the last write
// before commit: the log's sequence lock is held until the commit.
func Append(ctx context.Context, tx store.Store, events ...Event) (int64, error) {
	leaves := make([]store.LogLeaf, len(events))
	for i, e := range events {
		if err := e.Validate(); err != nil {
			return 0, err
		}
		leaves[i] = e.StoreLeaf()
	}
	first, err := tx.AppendLeaves(ctx, leaves)
	if err != nil {
		return 0, fmt.Errorf("tlog: append: %w", err)
	}
	return first, nil
}

// Log serves the transparency log kept in a store: signed checkpoints and
// inclusion and consistency proofs. Set the fields before first use; a Log
// is safe for concurrent use.
type Log struct {
	Store  store.Store
	Master keys.MasterKey
	// Origin names the log in its checkpoints and is the name of its note
	// key, e.g. "badges.example.edu/log". It is used only when the key is
	// created, on first use; afterwards the stored key's name is the origin.
	Origin string
	// CheckpointInterval bounds how often a new checkpoint is signed while
	// the log grows; 0 means DefaultCheckpointInterval.
	CheckpointInterval time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	mu     sync.Mutex
	signer note.Signer
	vkey   string
}

func (l *Log) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

// load returns the log's signer, creating and storing the key on the very
// first use. Two nodes racing to create it both keep the stored one.
func (l *Log) load(ctx context.Context) (note.Signer, string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.signer != nil {
		return l.signer, l.vkey, nil
	}
	row, err := l.Store.LogSigner(ctx)
	if errors.Is(err, store.ErrNotFound) {
		row, err = l.create(ctx)
	}
	if err != nil {
		return nil, "", fmt.Errorf("tlog: signing key: %w", err)
	}
	priv, err := l.Master.Open(row.SealedKey, sealID)
	if err != nil {
		return nil, "", fmt.Errorf("tlog: unseal signing key: %w", err)
	}
	s, vkey, err := NewSigner(row.Name, priv)
	if err != nil {
		return nil, "", err
	}
	if vkey != row.VerifierKey {
		return nil, "", errors.New("tlog: stored signing key does not match its verifier key")
	}
	l.signer, l.vkey = s, vkey
	return s, vkey, nil
}

func (l *Log) create(ctx context.Context) (store.LogSigner, error) {
	if l.Origin == "" {
		return store.LogSigner{}, errors.New("no origin configured to create the log key")
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return store.LogSigner{}, err
	}
	_, vkey, err := NewSigner(l.Origin, priv)
	if err != nil {
		return store.LogSigner{}, err
	}
	sealed, err := l.Master.Seal(priv, sealID)
	if err != nil {
		return store.LogSigner{}, err
	}
	return l.Store.CreateLogSigner(ctx, store.LogSigner{Name: l.Origin, VerifierKey: vkey, SealedKey: sealed, CreatedAt: l.now()})
}

// VerifierKey returns the log's public note verifier key string.
func (l *Log) VerifierKey(ctx context.Context) (string, error) {
	_, vkey, err := l.load(ctx)
	return vkey, err
}

// reader reads stored hashes through st.
func reader(ctx context.Context, st store.Store) sumdb.HashReader {
	return sumdb.HashReaderFunc(func(idx []int64) ([]sumdb.Hash, error) { return st.ReadHashes(ctx, idx) })
}

// Checkpoint returns the latest signed checkpoint. When the log has grown
// beyond it and it is older than CheckpointInterval, a new checkpoint of the
// current size is signed and stored first.
func (l *Log) Checkpoint(ctx context.Context) (Checkpoint, error) {
	return l.checkpoint(ctx, -1)
}

// checkpoint returns the latest checkpoint, signing a new one when the log
// grew and the latest is old — or, whatever its age, when it does not
// cover the leaf at index cover (cover < 0: no such need).
func (l *Log) checkpoint(ctx context.Context, cover int64) (Checkpoint, error) {
	signer, vkey, err := l.load(ctx)
	if err != nil {
		return Checkpoint{}, err
	}
	size, err := l.Store.TreeSize(ctx)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("tlog: checkpoint: %w", err)
	}
	latest, err := l.Store.LatestCheckpoint(ctx)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return Checkpoint{}, fmt.Errorf("tlog: checkpoint: %w", err)
	default:
		interval := l.CheckpointInterval
		if interval == 0 {
			interval = DefaultCheckpointInterval
		}
		fresh := l.now().Sub(latest.CreatedAt) < interval
		if latest.Size >= size || (fresh && cover < latest.Size) {
			return OpenCheckpoint([]byte(latest.Note), vkey)
		}
	}
	root, err := sumdb.TreeHash(size, reader(ctx, l.Store))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("tlog: tree hash of size %d: %w", size, err)
	}
	c, err := SignCheckpoint(Checkpoint{Origin: signer.Name(), Size: size, Hash: root}, signer)
	if err != nil {
		return Checkpoint{}, err
	}
	if err := l.Store.SaveCheckpoint(ctx, store.LogCheckpoint{Size: size, Note: string(c.Note), CreatedAt: l.now()}); err != nil {
		return Checkpoint{}, fmt.Errorf("tlog: save checkpoint: %w", err)
	}
	return c, nil
}

// storedCheckpoint returns the signed checkpoint of exactly size.
func (l *Log) storedCheckpoint(ctx context.Context, size int64) (Checkpoint, error) {
	_, vkey, err := l.load(ctx)
	if err != nil {
		return Checkpoint{}, err
	}
	row, err := l.Store.Checkpoint(ctx, size)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("tlog: checkpoint of size %d: %w", size, err)
	}
	return OpenCheckpoint([]byte(row.Note), vkey)
}

// ErrNotInLog reports a credential or index the log has no entry for.
var ErrNotInLog = errors.New("tlog: no such log entry")

// InclusionProof is the proof that a leaf is in the tree of a signed
// checkpoint: the JSON answer of /log/proof/inclusion and the file
// `microcred verify --log-proof` reads.
type InclusionProof struct {
	Index      int64    `json:"index"`
	TreeSize   int64    `json:"treeSize"`
	Leaf       string   `json:"leaf"`
	Proof      [][]byte `json:"proof"` // RFC 6962 audit path, base64 in JSON
	Checkpoint string   `json:"checkpoint"`
}

// ConsistencyProof is the proof that the tree of size New extends the tree
// of size Old: the JSON answer of /log/proof/consistency.
type ConsistencyProof struct {
	Old   int64    `json:"old"`
	New   int64    `json:"new"`
	Proof [][]byte `json:"proof"`
}

// Inclusion proves the leaf at index. With size > 0 the proof is against
// the stored checkpoint of that size; otherwise against the latest
// checkpoint, signed afresh when needed to cover the leaf.
func (l *Log) Inclusion(ctx context.Context, index, size int64) (*InclusionProof, error) {
	var c Checkpoint
	var err error
	if size > 0 {
		c, err = l.storedCheckpoint(ctx, size)
	} else {
		c, err = l.checkpoint(ctx, index)
	}
	if err != nil {
		return nil, err
	}
	if index < 0 || index >= c.Size {
		return nil, fmt.Errorf("%w: index %d is not in the tree of size %d", ErrNotInLog, index, c.Size)
	}
	leaf, err := l.Store.Leaf(ctx, index)
	if err != nil {
		return nil, fmt.Errorf("tlog: leaf %d: %w", index, err)
	}
	p, err := sumdb.ProveRecord(c.Size, index, reader(ctx, l.Store))
	if err != nil {
		return nil, fmt.Errorf("tlog: prove leaf %d in tree of size %d: %w", index, c.Size, err)
	}
	return &InclusionProof{Index: index, TreeSize: c.Size, Leaf: string(leaf.Data), Proof: hashBytes(p), Checkpoint: string(c.Note)}, nil
}

// CredentialEntries returns the log entries recorded for the credential
// with the given id, oldest (its issuance) first.
func (l *Log) CredentialEntries(ctx context.Context, credentialID string) ([]store.LogLeaf, error) {
	leaves, err := l.Store.LeavesByCredential(ctx, HashCredentialID(credentialID))
	if err != nil {
		return nil, fmt.Errorf("tlog: entries of %s: %w", credentialID, err)
	}
	return leaves, nil
}

// CredentialInclusion proves the issuance entry of the credential with the
// given id (its first entry) against the latest checkpoint.
func (l *Log) CredentialInclusion(ctx context.Context, credentialID string) (*InclusionProof, error) {
	leaves, err := l.CredentialEntries(ctx, credentialID)
	if err != nil {
		return nil, err
	}
	if len(leaves) == 0 {
		return nil, fmt.Errorf("%w: credential %s", ErrNotInLog, credentialID)
	}
	return l.Inclusion(ctx, leaves[0].Index, 0)
}

// Consistency proves that the tree of size newSize extends the tree of
// size oldSize (0 <= oldSize <= newSize <= the current size).
func (l *Log) Consistency(ctx context.Context, oldSize, newSize int64) (*ConsistencyProof, error) {
	size, err := l.Store.TreeSize(ctx)
	if err != nil {
		return nil, fmt.Errorf("tlog: consistency: %w", err)
	}
	if oldSize < 0 || oldSize > newSize || newSize > size {
		return nil, fmt.Errorf("%w: consistency needs 0 <= old <= new <= %d, got old %d new %d", ErrNotInLog, size, oldSize, newSize)
	}
	if oldSize == 0 || oldSize == newSize {
		// Every tree extends the empty tree, and a tree itself: the proof
		// is empty.
		return &ConsistencyProof{Old: oldSize, New: newSize, Proof: [][]byte{}}, nil
	}
	p, err := sumdb.ProveTree(newSize, oldSize, reader(ctx, l.Store))
	if err != nil {
		return nil, fmt.Errorf("tlog: prove tree %d extends %d: %w", newSize, oldSize, err)
	}
	return &ConsistencyProof{Old: oldSize, New: newSize, Proof: hashBytes(p)}, nil
}

func hashBytes(hs []sumdb.Hash) [][]byte {
	out := make([][]byte, len(hs))
	for i := range hs {
		out[i] = hs[i][:]
	}
	return out
}

func toHashes(bs [][]byte) ([]sumdb.Hash, error) {
	out := make([]sumdb.Hash, len(bs))
	for i, b := range bs {
		if len(b) != sumdb.HashSize {
			return nil, fmt.Errorf("tlog: proof hash %d has %d bytes, want %d", i, len(b), sumdb.HashSize)
		}
		copy(out[i][:], b)
	}
	return out, nil
}

// Verify checks the proof against the log's verifier key: the checkpoint's
// signature, that it is of the proof's tree size, and that the leaf is in
// that tree at the index. It returns the checkpoint and the parsed leaf.
func (p *InclusionProof) Verify(verifierKey string) (Checkpoint, Event, error) {
	c, err := OpenCheckpoint([]byte(p.Checkpoint), verifierKey)
	if err != nil {
		return Checkpoint{}, Event{}, err
	}
	if c.Size != p.TreeSize {
		return Checkpoint{}, Event{}, fmt.Errorf("tlog: proof for tree size %d comes with a checkpoint of size %d", p.TreeSize, c.Size)
	}
	hs, err := toHashes(p.Proof)
	if err != nil {
		return Checkpoint{}, Event{}, err
	}
	if err := sumdb.CheckRecord(hs, c.Size, c.Hash, p.Index, sumdb.RecordHash([]byte(p.Leaf))); err != nil {
		return Checkpoint{}, Event{}, fmt.Errorf("tlog: entry %d is not in the tree of size %d: %w", p.Index, c.Size, err)
	}
	e, err := ParseLeaf([]byte(p.Leaf))
	if err != nil {
		return Checkpoint{}, Event{}, err
	}
	return c, e, nil
}

// VerifyConsistency checks that newer extends older, both already verified
// checkpoints of the same log, with the proof from /log/proof/consistency.
// A failure means the log rewrote its history (or the proof is wrong).
func VerifyConsistency(older, newer Checkpoint, proof [][]byte) error {
	if older.Origin != newer.Origin {
		return fmt.Errorf("tlog: checkpoints of different logs %q and %q", older.Origin, newer.Origin)
	}
	if newer.Size < older.Size {
		return fmt.Errorf("tlog: the log shrank from %d to %d entries", older.Size, newer.Size)
	}
	if older.Size == 0 {
		return nil
	}
	hs, err := toHashes(proof)
	if err != nil {
		return err
	}
	if err := sumdb.CheckTree(hs, newer.Size, newer.Hash, older.Size, older.Hash); err != nil {
		return fmt.Errorf("tlog: the tree of size %d does not extend the earlier tree of size %d: %w", newer.Size, older.Size, err)
	}
	return nil
}
