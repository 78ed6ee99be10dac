-- 0005: OAuth 2.0 authorization code grant with dynamic client
-- registration (RFC 7591), PKCE (RFC 7636), rotating refresh tokens and
-- revocation (RFC 7009), as the Open Badges 3.0 API requires.
--
-- A dynamically registered client has credentials like any API client but
-- belongs to no organization until a user authorizes it, so
-- api_clients.org_id becomes nullable; access tokens gain the organization,
-- user and grant they were issued for.
ALTER TABLE api_clients ALTER COLUMN org_id DROP NOT NULL;

ALTER TABLE access_tokens
    ADD COLUMN org_id   TEXT REFERENCES organizations (id) ON DELETE CASCADE,
    ADD COLUMN user_id  TEXT REFERENCES users (id) ON DELETE CASCADE,
    ADD COLUMN grant_id TEXT;
CREATE INDEX access_tokens_grant ON access_tokens (grant_id) WHERE grant_id IS NOT NULL;

-- The registration of a dynamically registered client.
CREATE TABLE oauth_clients (
    client_id     TEXT PRIMARY KEY REFERENCES api_clients (client_id) ON DELETE CASCADE,
    redirect_uris TEXT NOT NULL, -- space-separated; URIs contain no spaces
    auth_method   TEXT NOT NULL CHECK (auth_method IN ('client_secret_basic', 'client_secret_post')),
    grant_types   TEXT NOT NULL, -- space-separated
    metadata      JSONB NOT NULL
);

-- Authorization codes live 60 seconds and are redeemed once; used codes are
-- kept for a day so that a replay can revoke the tokens issued from them.
CREATE TABLE authorization_codes (
    hash           BYTEA PRIMARY KEY CHECK (length(hash) = 32), -- SHA-256 of the code
    grant_id       TEXT NOT NULL UNIQUE,
    client_id      TEXT NOT NULL REFERENCES api_clients (client_id) ON DELETE CASCADE,
    org_id         TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    redirect_uri   TEXT NOT NULL,
    scopes         TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    expires_at     TIMESTAMPTZ NOT NULL,
    used_at        TIMESTAMPTZ
);
CREATE INDEX authorization_codes_expires ON authorization_codes (expires_at);

-- Refresh tokens rotate: redeeming one marks it used and issues the next.
-- A used token presented again revokes its whole grant.
CREATE TABLE refresh_tokens (
    hash       BYTEA PRIMARY KEY CHECK (length(hash) = 32), -- SHA-256 of the token
    grant_id   TEXT NOT NULL,
    client_id  TEXT NOT NULL REFERENCES api_clients (client_id) ON DELETE CASCADE,
    org_id     TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scopes     TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);
CREATE INDEX refresh_tokens_grant ON refresh_tokens (grant_id);
CREATE INDEX refresh_tokens_expires ON refresh_tokens (expires_at);
