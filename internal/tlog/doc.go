// Package tlog is microcred's transparency log: an append-only RFC 6962
// Merkle tree of every issuance, revocation, suspension and key rotation,
// kept in the database, so that anyone can check — without trusting the
// server's word — that a credential was issued, when, and that the record
// has not been rewritten since.
//
// # Leaves
//
// A leaf is a short canonical text record with no personal data (see
// Event): the event, the organization, the SHA-256 of the credential id and
// of the stored document (or, for a key rotation, the verification
// methods), and the time. An auditor with database access recomputes every
// leaf from the stored rows (RowChecker); one with only the public
// endpoints recomputes the tree from the leaves.
//
// # Storage and concurrency
//
// Leaves and the stored hashes of golang.org/x/mod/sumdb/tlog (level/index
// → hash) live in the store (store.LogStore). Appends are batched: one
// transaction appends all leaves of a group-commit batch with one
// multi-row insert per table. The sequence numbers are allocated in the
// database under the tlog_state row lock (UPDATE ... RETURNING), so several
// server processes on one PostgreSQL never produce the same index.
//
// # Checkpoints and proofs
//
// Checkpoints are C2SP tlog-checkpoint bodies ("<origin>\n<size>\n<base64
// root>\n") in C2SP signed notes (golang.org/x/mod/sumdb/note), signed with
// an Ed25519 note key that is created once, sealed under the master key and
// stored in the database; its verifier key string is public (/log/key).
// Log.Checkpoint signs a new checkpoint lazily, at most once per
// CheckpointInterval while the log grows, and every signed checkpoint is
// kept so that consistency can be proved between any two of them.
// Inclusion and consistency proofs are RFC 6962 proofs computed by the
// sumdb/tlog library from the stored hashes with one query per proof.
//
// # Auditing
//
// Audit fetches the latest checkpoint, verifies it against a pinned key,
// checks with a consistency proof that it extends a checkpoint seen before
// (a rewritten history cannot), downloads every leaf and recomputes the
// root (StreamTree, O(log n) memory).
package tlog
