-- Transparency log (internal/tlog): an append-only RFC 6962 Merkle tree.
--
-- tlog_state holds the tree size in a single row. An appender grows it with
-- UPDATE ... RETURNING inside its transaction: the row lock allocates the
-- sequence numbers and serializes appenders until commit, so two server
-- processes never hand out the same leaf index.
CREATE TABLE tlog_state (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    size BIGINT NOT NULL CHECK (size >= 0)
);
INSERT INTO tlog_state (id, size) VALUES (1, 0);

-- One row per leaf: the canonical leaf text (no personal data) and, for
-- credential events, the SHA-256 of the credential id for lookups.
CREATE TABLE tlog_leaves (
    idx             BIGINT PRIMARY KEY CHECK (idx >= 0),
    data            BYTEA NOT NULL,
    kind            TEXT NOT NULL,
    credential_hash TEXT,
    created_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX tlog_leaves_credential ON tlog_leaves (credential_hash, idx) WHERE credential_hash IS NOT NULL;

-- The stored hashes of golang.org/x/mod/sumdb/tlog, by StoredHashIndex.
CREATE TABLE tlog_hashes (
    idx  BIGINT PRIMARY KEY CHECK (idx >= 0),
    hash BYTEA NOT NULL CHECK (length(hash) = 32)
);

-- Every signed checkpoint, so that an auditor can check consistency between
-- any two tree sizes the log has vouched for.
CREATE TABLE tlog_checkpoints (
    size       BIGINT PRIMARY KEY CHECK (size >= 0),
    note       TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

-- The log's signing key (one row): an Ed25519 key sealed under the master
-- key, with the note key name and the public verifier key string.
CREATE TABLE tlog_signer (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    name         TEXT NOT NULL,
    verifier_key TEXT NOT NULL,
    sealed_key   BYTEA NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);

-- The log is append-only at the schema level too.
CREATE FUNCTION tlog_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
CREATE TRIGGER tlog_leaves_no_change BEFORE UPDATE OR DELETE ON tlog_leaves
    FOR EACH ROW EXECUTE FUNCTION tlog_append_only();
CREATE TRIGGER tlog_leaves_no_truncate BEFORE TRUNCATE ON tlog_leaves
    FOR EACH STATEMENT EXECUTE FUNCTION tlog_append_only();
CREATE TRIGGER tlog_hashes_no_change BEFORE UPDATE OR DELETE ON tlog_hashes
    FOR EACH ROW EXECUTE FUNCTION tlog_append_only();
CREATE TRIGGER tlog_hashes_no_truncate BEFORE TRUNCATE ON tlog_hashes
    FOR EACH STATEMENT EXECUTE FUNCTION tlog_append_only();
