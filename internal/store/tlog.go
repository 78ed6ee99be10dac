package store

import (
	"context"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// LogStore keeps the transparency log: an append-only RFC 6962 Merkle tree
// whose leaves, stored hashes (in the layout of golang.org/x/mod/sumdb/tlog),
// signed checkpoints and signing key live in the database. Package
// internal/tlog builds the log on it; the store only allocates sequence
// numbers and keeps the rows.
type LogStore interface {
	// AppendLeaves appends leaves to the log in one transaction (the
	// caller's, when called on a Store inside WithTx) and returns the index
	// of the first. The tree size is allocated in the database under a row
	// lock held until commit, so concurrent appenders — several processes
	// on one PostgreSQL — get consecutive, never overlapping ranges. The
	// stored hashes of every new leaf are computed and inserted in the same
	// transaction. Call it last in a transaction: the lock serializes all
	// appenders until the commit.
	AppendLeaves(ctx context.Context, leaves []LogLeaf) (first int64, err error)
	// ReadHashes returns the stored hashes at the given stored hash indexes
	// (tlog.StoredHashIndex), in the order asked, with one query per batch.
	// A missing index is ErrNotFound.
	ReadHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error)
	// TreeSize returns the number of leaves committed.
	TreeSize(ctx context.Context) (int64, error)
	// Leaf returns the leaf at index.
	Leaf(ctx context.Context, index int64) (LogLeaf, error)
	// Leaves returns the leaves with from <= index < to, at most 1000, in
	// index order.
	Leaves(ctx context.Context, from, to int64) ([]LogLeaf, error)
	// LeavesByCredential returns the leaves recorded for the credential
	// whose id hashes to credentialHash (see LogLeaf), oldest first.
	LeavesByCredential(ctx context.Context, credentialHash string) ([]LogLeaf, error)

	// SaveCheckpoint stores a signed checkpoint. Saving a second checkpoint
	// for a size already stored keeps the first (the log's signatures are
	// deterministic, so both are the same note).
	SaveCheckpoint(ctx context.Context, c LogCheckpoint) error
	// LatestCheckpoint returns the checkpoint of the largest size.
	LatestCheckpoint(ctx context.Context) (LogCheckpoint, error)
	// Checkpoint returns the checkpoint of the given tree size.
	Checkpoint(ctx context.Context, size int64) (LogCheckpoint, error)

	// CreateLogSigner stores the log's signing key unless one exists, and
	// returns the key stored: two nodes racing to create it both end up
	// with the same one.
	CreateLogSigner(ctx context.Context, k LogSigner) (LogSigner, error)
	// LogSigner returns the log's signing key.
	LogSigner(ctx context.Context) (LogSigner, error)
}

// LogLeaf is one leaf of the transparency log.
type LogLeaf struct {
	Index int64 // set by the store
	// Data is the leaf as hashed into the tree (internal/tlog's canonical
	// text record).
	Data []byte
	// Kind is the event the leaf records ("issue", "revoke", ...), for
	// listings; the tree covers only Data.
	Kind string
	// CredentialHash is the lowercase hex SHA-256 of the credential id for
	// credential events, "" otherwise; it indexes the leaf for lookups.
	CredentialHash string
	CreatedAt      time.Time // set by the store when zero
}

// LogCheckpoint is a signed checkpoint of the log: a C2SP tlog-checkpoint
// body in a signed note.
type LogCheckpoint struct {
	Size      int64
	Note      string // the signed note text, byte for byte
	CreatedAt time.Time
}

// LogSigner is the log's signing key: an Ed25519 key sealed by the caller
// (never plaintext), with its note key name and the public verifier key.
type LogSigner struct {
	Name        string
	VerifierKey string
	SealedKey   []byte
	CreatedAt   time.Time
}
