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
    digest        BYTEA NOT NULL CHECK (length(digest) = 32),
    credential_id TEXT NOT NULL DEFAULT '',
    document      TEXT NOT NULL,
    format        TEXT NOT NULL,
    name          TEXT NOT NULL DEFAULT '',
    issuer_name   TEXT NOT NULL DEFAULT '',
    added_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (user_id, digest)
);
CREATE INDEX wallet_items_user ON wallet_items (user_id, added_at);

CREATE TABLE wallet_meta (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ref        TEXT NOT NULL,
    collection TEXT NOT NULL DEFAULT '',
    on_profile BOOLEAN NOT NULL DEFAULT FALSE,
    PRIMARY KEY (user_id, ref)
);

CREATE TABLE profiles (
    user_id    TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    handle     TEXT NOT NULL UNIQUE,
    headline   TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE share_links (
    id         TEXT PRIMARY KEY,
    token_hash BYTEA NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    ref        TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX share_links_user ON share_links (user_id, created_at);

CREATE TABLE holder_keys (
    user_id              TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    did                  TEXT NOT NULL,
    public_key_multibase TEXT NOT NULL,
    sealed_private_key   BYTEA NOT NULL,
    created_at           TIMESTAMPTZ NOT NULL
);
