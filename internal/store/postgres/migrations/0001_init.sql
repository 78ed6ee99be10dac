-- 0001: the core schema. Later numbered files add bulk jobs, status lists
-- and the transparency log.

CREATE TABLE organizations (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    url         TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    image_url   TEXT NOT NULL DEFAULT '',
    country     TEXT NOT NULL DEFAULT '',
    did_method  TEXT NOT NULL DEFAULT 'web' CHECK (did_method IN ('web', 'key')),
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL,
    email_key     TEXT NOT NULL UNIQUE, -- lower-cased email, for case-insensitive uniqueness
    name          TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL DEFAULT '',
    is_learner    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMPTZ NOT NULL
);

CREATE TABLE memberships (
    org_id     TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT NOT NULL CHECK (role IN ('owner', 'issuer', 'reviewer', 'viewer')),
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE sessions (
    id          BYTEA PRIMARY KEY CHECK (length(id) = 32), -- SHA-256 of the cookie token
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_secret BYTEA NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_clients (
    client_id   TEXT PRIMARY KEY,
    secret_hash BYTEA NOT NULL,
    org_id      TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name        TEXT NOT NULL DEFAULT '',
    scopes      TEXT NOT NULL DEFAULT '', -- space-separated, as in OAuth 2.0
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX api_clients_org ON api_clients (org_id);

CREATE TABLE access_tokens (
    hash       BYTEA PRIMARY KEY CHECK (length(hash) = 32), -- SHA-256 of the bearer token
    client_id  TEXT NOT NULL REFERENCES api_clients (client_id) ON DELETE CASCADE,
    scopes     TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX access_tokens_client ON access_tokens (client_id);
CREATE INDEX access_tokens_expires ON access_tokens (expires_at);

CREATE TABLE signing_keys (
    id                   TEXT PRIMARY KEY,
    org_id               TEXT NOT NULL REFERENCES organizations (id),
    verification_method  TEXT NOT NULL UNIQUE,
    public_key_multibase TEXT NOT NULL,
    sealed_private_key   BYTEA NOT NULL, -- encrypted by the caller, never plaintext
    suite                TEXT NOT NULL DEFAULT '',
    created_at           TIMESTAMPTZ NOT NULL,
    retired_at           TIMESTAMPTZ
);
CREATE INDEX signing_keys_org ON signing_keys (org_id, created_at);

CREATE TABLE achievements (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL REFERENCES organizations (id),
    slug            TEXT,
    current_version INTEGER NOT NULL CHECK (current_version >= 1),
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL,
    UNIQUE (org_id, slug)
);

CREATE TABLE achievement_versions (
    achievement_id TEXT NOT NULL REFERENCES achievements (id),
    version        INTEGER NOT NULL CHECK (version >= 1),
    document       JSONB NOT NULL,
    name           TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    search_text    TEXT NOT NULL DEFAULT '', -- lower(name || description), filled by the store
    eqf_level      INTEGER CHECK (eqf_level BETWEEN 1 AND 8),
    nsqf_level     INTEGER CHECK (nsqf_level BETWEEN 1 AND 10),
    ects           DOUBLE PRECISION CHECK (ects >= 0),
    created_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (achievement_id, version)
);
CREATE INDEX achievement_versions_eqf ON achievement_versions (eqf_level);
CREATE INDEX achievement_versions_nsqf ON achievement_versions (nsqf_level);

CREATE TABLE achievement_skills (
    achievement_id TEXT NOT NULL,
    version        INTEGER NOT NULL,
    position       INTEGER NOT NULL,
    skill          TEXT NOT NULL, -- ESCO URI or O*NET-SOC code
    PRIMARY KEY (achievement_id, version, skill),
    FOREIGN KEY (achievement_id, version) REFERENCES achievement_versions (achievement_id, version)
);
CREATE INDEX achievement_skills_skill ON achievement_skills (skill);

CREATE TABLE achievement_credit_frameworks (
    achievement_id TEXT NOT NULL,
    version        INTEGER NOT NULL,
    position       INTEGER NOT NULL,
    framework      TEXT NOT NULL,
    PRIMARY KEY (achievement_id, version, framework),
    FOREIGN KEY (achievement_id, version) REFERENCES achievement_versions (achievement_id, version)
);
CREATE INDEX achievement_credit_frameworks_framework ON achievement_credit_frameworks (framework);

CREATE TABLE credentials (
    id                  TEXT PRIMARY KEY, -- URL or urn:uuid, as in the document
    org_id              TEXT NOT NULL REFERENCES organizations (id),
    achievement_id      TEXT NOT NULL,
    achievement_version INTEGER NOT NULL,
    learner_id          TEXT REFERENCES users (id) ON DELETE SET NULL,
    recipient_email     TEXT NOT NULL DEFAULT '',
    recipient_email_key TEXT NOT NULL DEFAULT '',
    recipient_name      TEXT NOT NULL DEFAULT '',
    format              TEXT NOT NULL CHECK (format IN ('ldp-rdfc', 'ldp-jcs', 'jwt')),
    document            TEXT NOT NULL, -- the secured credential, byte for byte (not JSONB: proofs need the bytes)
    issued_at           TIMESTAMPTZ NOT NULL,
    valid_from          TIMESTAMPTZ NOT NULL,
    valid_until         TIMESTAMPTZ,
    is_private          BOOLEAN NOT NULL DEFAULT FALSE,
    replaces            TEXT REFERENCES credentials (id),
    idempotency_key     TEXT,
    FOREIGN KEY (achievement_id, achievement_version) REFERENCES achievement_versions (achievement_id, version),
    UNIQUE (org_id, idempotency_key)
);
CREATE INDEX credentials_org_issued ON credentials (org_id, issued_at);
CREATE INDEX credentials_learner ON credentials (learner_id);
CREATE INDEX credentials_recipient ON credentials (recipient_email_key);
CREATE INDEX credentials_achievement ON credentials (achievement_id, achievement_version);
CREATE INDEX credentials_replaces ON credentials (replaces);

CREATE TABLE mail_outbox (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    to_addr       TEXT NOT NULL,
    subject       TEXT NOT NULL DEFAULT '',
    body          TEXT NOT NULL DEFAULT '',
    created_at    TIMESTAMPTZ NOT NULL,
    sent_at       TIMESTAMPTZ,
    attempts      INTEGER NOT NULL DEFAULT 0,
    error         TEXT NOT NULL DEFAULT '',
    claimed_until TIMESTAMPTZ
);
CREATE INDEX mail_outbox_pending ON mail_outbox (id) WHERE sent_at IS NULL;

-- Identity values are handed out at insert time, so with concurrent
-- transactions id order is insertion order, not commit order. That is
-- enough for an audit trail; the transparency log allocates its sequence
-- numbers under a lock in its own migration.
CREATE TABLE audit_log (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id     TEXT,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL DEFAULT '',
    detail     JSONB,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX audit_log_org ON audit_log (org_id, id);
CREATE INDEX audit_log_actor ON audit_log (actor, id);

-- The audit log is append-only at the schema level too, not only in the
-- Go interface, so a bug or a hand-typed statement cannot rewrite history.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
