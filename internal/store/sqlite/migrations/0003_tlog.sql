-- Transparency log (internal/tlog): an append-only RFC 6962 Merkle tree.
--
-- tlog_state holds the tree size in a single row. An appender grows it with
-- UPDATE ... RETURNING inside its transaction, which both allocates the
-- sequence numbers and serializes appenders until commit, so two server
-- processes never hand out the same leaf index.
CREATE TABLE tlog_state (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    size INTEGER NOT NULL CHECK (size >= 0)
) STRICT;
INSERT INTO tlog_state (id, size) VALUES (1, 0);

-- One row per leaf: the canonical leaf text (no personal data) and, for
-- credential events, the SHA-256 of the credential id for lookups.
CREATE TABLE tlog_leaves (
    idx             INTEGER PRIMARY KEY CHECK (idx >= 0),
    data            BLOB NOT NULL,
    kind            TEXT NOT NULL,
    credential_hash TEXT,
    created_at      TEXT NOT NULL
) STRICT;
CREATE INDEX tlog_leaves_credential ON tlog_leaves (credential_hash, idx) WHERE credential_hash IS NOT NULL;

-- The stored hashes of golang.org/x/mod/sumdb/tlog, by StoredHashIndex.
CREATE TABLE tlog_hashes (
    idx  INTEGER PRIMARY KEY CHECK (idx >= 0),
    hash BLOB NOT NULL CHECK (length(hash) = 32)
) STRICT;

-- Every signed checkpoint, so that an auditor can check consistency between
-- any two tree sizes the log has vouched for.
CREATE TABLE tlog_checkpoints (
    size       INTEGER PRIMARY KEY CHECK (size >= 0),
    note       TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

-- The log's signing key (one row): an Ed25519 key sealed under the master
-- key, with the note key name and the public verifier key string.
CREATE TABLE tlog_signer (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    name         TEXT NOT NULL,
    verifier_key TEXT NOT NULL,
    sealed_key   BLOB NOT NULL,
    created_at   TEXT NOT NULL
) STRICT;

-- The log is append-only at the schema level too.
CREATE TRIGGER tlog_leaves_no_update BEFORE UPDATE ON tlog_leaves
BEGIN
    SELECT RAISE(ABORT, 'tlog_leaves is append-only');
END;
CREATE TRIGGER tlog_leaves_no_delete BEFORE DELETE ON tlog_leaves
BEGIN
    SELECT RAISE(ABORT, 'tlog_leaves is append-only');
END;
CREATE TRIGGER tlog_hashes_no_update BEFORE UPDATE ON tlog_hashes
BEGIN
    SELECT RAISE(ABORT, 'tlog_hashes is append-only');
END;
CREATE TRIGGER tlog_hashes_no_delete BEFORE DELETE ON tlog_hashes
BEGIN
    SELECT RAISE(ABORT, 'tlog_hashes is append-only');
END;
