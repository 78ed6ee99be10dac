-- 0012: impact analytics. events is the append-only record of what
-- happened to credentials after issuance (claimed, shared, viewed, verified
-- by a third party, revoked, ...) with no personal data beyond the
-- credential id the organization already holds. rollups are the per-day
-- counts the dashboard reads, kept in the same transaction as each event
-- (issuance adds its counts per committed batch without an event row: the
-- credentials table already records it). event_firsts makes "first claim",
-- "first share" and "first third-party verification" of a credential count
-- once, so rates are proportions of credentials; verifier_domains counts
-- distinct verifiers.
CREATE TABLE events (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id         TEXT NOT NULL,
    achievement_id TEXT NOT NULL DEFAULT '',
    credential_id  TEXT NOT NULL DEFAULT '',
    kind           TEXT NOT NULL,
    dim            TEXT NOT NULL DEFAULT '',
    value          REAL NOT NULL DEFAULT 0,
    at             TEXT NOT NULL
) STRICT;
CREATE INDEX events_org_at ON events (org_id, at);

CREATE TABLE rollups (
    org_id         TEXT NOT NULL,
    achievement_id TEXT NOT NULL,
    day            TEXT NOT NULL, -- YYYY-MM-DD, UTC
    kind           TEXT NOT NULL,
    dim            TEXT NOT NULL,
    n              INTEGER NOT NULL,
    total          REAL NOT NULL,
    PRIMARY KEY (org_id, day, achievement_id, kind, dim)
) STRICT;

CREATE TABLE event_firsts (
    credential_id TEXT NOT NULL,
    kind          TEXT NOT NULL,
    PRIMARY KEY (credential_id, kind)
) STRICT;

CREATE TABLE verifier_domains (
    org_id         TEXT NOT NULL,
    achievement_id TEXT NOT NULL,
    day            TEXT NOT NULL,
    domain         TEXT NOT NULL,
    PRIMARY KEY (org_id, day, achievement_id, domain)
) STRICT;
