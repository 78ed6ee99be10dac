-- 0009: invitations to join an organization. An owner who adds a member no
-- longer creates an account or a password: the person gets a single-use,
-- expiring link by mail, and an account that already exists joins only when
-- its holder accepts. Only the SHA-256 of the link's token is stored.
CREATE TABLE invitations (
    id          TEXT PRIMARY KEY,
    token_hash  BLOB NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    org_id      TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    email       TEXT NOT NULL,
    email_key   TEXT NOT NULL,
    name        TEXT NOT NULL DEFAULT '',
    role        TEXT NOT NULL CHECK (role IN ('owner', 'issuer', 'reviewer', 'viewer')),
    invited_by  TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    accepted_at TEXT,
    revoked_at  TEXT
) STRICT;
CREATE INDEX invitations_org ON invitations (org_id, created_at);
CREATE INDEX invitations_email ON invitations (email_key);
