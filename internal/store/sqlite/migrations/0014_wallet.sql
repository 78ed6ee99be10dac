-- 0014: the learner's wallet. wallet_items are credentials a learner
-- imported from anywhere (those issued here are linked by
-- credentials.learner_id); wallet_meta holds the learner's own filing of
-- both kinds (a collection, whether it shows on the public profile);
-- profiles give the public profile page its handle; share_links are
-- revocable, expiring links to one credential (only the SHA-256 of the
-- token is kept); holder_keys is each learner's did:key for presentations,
-- its private key sealed under the master key like organizations' keys.
CREATE TABLE wallet_items (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    digest        BLOB NOT NULL CHECK (length(digest) = 32),
    credential_id TEXT NOT NULL DEFAULT '',
    document      TEXT NOT NULL,
    format        TEXT NOT NULL,
    name          TEXT NOT NULL DEFAULT '',
    issuer_name   TEXT NOT NULL DEFAULT '',
    added_at      TEXT NOT NULL,
    UNIQUE (user_id, digest)
) STRICT;
CREATE INDEX wallet_items_user ON wallet_items (user_id, added_at);

CREATE TABLE wallet_meta (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ref        TEXT NOT NULL,
    collection TEXT NOT NULL DEFAULT '',
    on_profile INTEGER NOT NULL DEFAULT 0 CHECK (on_profile IN (0, 1)),
    PRIMARY KEY (user_id, ref)
) STRICT;

CREATE TABLE profiles (
    user_id    TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    handle     TEXT NOT NULL UNIQUE,
    headline   TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE share_links (
    id         TEXT PRIMARY KEY,
    token_hash BLOB NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ref        TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT,
    revoked_at TEXT
) STRICT;
CREATE INDEX share_links_user ON share_links (user_id, created_at);

CREATE TABLE holder_keys (
    user_id              TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    did                  TEXT NOT NULL,
    public_key_multibase TEXT NOT NULL,
    sealed_private_key   BLOB NOT NULL,
    created_at           TEXT NOT NULL
) STRICT;
