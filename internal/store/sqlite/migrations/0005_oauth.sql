-- 0005: OAuth 2.0 authorization code grant with dynamic client
-- registration (RFC 7591), PKCE (RFC 7636), rotating refresh tokens and
-- revocation (RFC 7009), as the Open Badges 3.0 API requires.
--
-- A dynamically registered client has credentials like any API client but
-- belongs to no organization until a user authorizes it, so
-- api_clients.org_id becomes nullable; access tokens gain the organization,
-- user and grant they were issued for. SQLite cannot drop a NOT NULL
-- constraint in place, so both tables are rebuilt. access_tokens is rebuilt
-- first, against the new api_clients: dropping the old api_clients while
-- tokens still referenced it would cascade and delete them.
CREATE TABLE api_clients_new (
    client_id   TEXT PRIMARY KEY,
    secret_hash BLOB NOT NULL,
    org_id      TEXT REFERENCES organizations (id) ON DELETE CASCADE, -- NULL: dynamically registered
    name        TEXT NOT NULL DEFAULT '',
    scopes      TEXT NOT NULL DEFAULT '', -- space-separated, as in OAuth 2.0
    created_at  TEXT NOT NULL
) STRICT;
INSERT INTO api_clients_new (client_id, secret_hash, org_id, name, scopes, created_at)
    SELECT client_id, secret_hash, org_id, name, scopes, created_at FROM api_clients;

CREATE TABLE access_tokens_new (
    hash       BLOB PRIMARY KEY CHECK (length(hash) = 32), -- SHA-256 of the bearer token
    client_id  TEXT NOT NULL REFERENCES api_clients_new (client_id) ON DELETE CASCADE,
    scopes     TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    -- Set for tokens of the authorization code grant: who authorized the
    -- client, in which organization, by which grant.
    org_id     TEXT REFERENCES organizations (id) ON DELETE CASCADE,
    user_id    TEXT REFERENCES users (id) ON DELETE CASCADE,
    grant_id   TEXT
) STRICT;
INSERT INTO access_tokens_new (hash, client_id, scopes, created_at, expires_at)
    SELECT hash, client_id, scopes, created_at, expires_at FROM access_tokens;

DROP TABLE access_tokens;
DROP TABLE api_clients;
-- Renaming also rewrites the REFERENCES clause of access_tokens_new.
ALTER TABLE api_clients_new RENAME TO api_clients;
ALTER TABLE access_tokens_new RENAME TO access_tokens;
CREATE INDEX api_clients_org ON api_clients (org_id);
CREATE INDEX access_tokens_client ON access_tokens (client_id);
CREATE INDEX access_tokens_expires ON access_tokens (expires_at);
CREATE INDEX access_tokens_grant ON access_tokens (grant_id) WHERE grant_id IS NOT NULL;

-- The registration of a dynamically registered client.
CREATE TABLE oauth_clients (
    client_id     TEXT PRIMARY KEY REFERENCES api_clients (client_id) ON DELETE CASCADE,
    redirect_uris TEXT NOT NULL, -- space-separated; URIs contain no spaces
    auth_method   TEXT NOT NULL CHECK (auth_method IN ('client_secret_basic', 'client_secret_post')),
    grant_types   TEXT NOT NULL, -- space-separated
    metadata      TEXT NOT NULL CHECK (json_valid(metadata))
) STRICT;

-- Authorization codes live 60 seconds and are redeemed once; used codes are
-- kept for a day so that a replay can revoke the tokens issued from them.
CREATE TABLE authorization_codes (
    hash           BLOB PRIMARY KEY CHECK (length(hash) = 32), -- SHA-256 of the code
    grant_id       TEXT NOT NULL UNIQUE,
    client_id      TEXT NOT NULL REFERENCES api_clients (client_id) ON DELETE CASCADE,
    org_id         TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    redirect_uri   TEXT NOT NULL,
    scopes         TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    expires_at     TEXT NOT NULL,
    used_at        TEXT
) STRICT;
CREATE INDEX authorization_codes_expires ON authorization_codes (expires_at);

-- Refresh tokens rotate: redeeming one marks it used and issues the next.
-- A used token presented again revokes its whole grant.
CREATE TABLE refresh_tokens (
    hash       BLOB PRIMARY KEY CHECK (length(hash) = 32), -- SHA-256 of the token
    grant_id   TEXT NOT NULL,
    client_id  TEXT NOT NULL REFERENCES api_clients (client_id) ON DELETE CASCADE,
    org_id     TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scopes     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
) STRICT;
CREATE INDEX refresh_tokens_grant ON refresh_tokens (grant_id);
CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);
