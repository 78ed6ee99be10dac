-- 0016: stacking pathways and credit articulation schemes
-- (internal/pathway). Each definition is a JSON document kept in numbered,
-- immutable versions, like catalog achievements: an audit records the
-- version it used, and changing a pathway never rewrites the past.
CREATE TABLE pathway_definitions (
    org_id          TEXT NOT NULL REFERENCES organizations (id),
    kind            TEXT NOT NULL CHECK (kind IN ('pathway', 'scheme')),
    slug            TEXT NOT NULL,
    current_version INTEGER NOT NULL CHECK (current_version >= 1),
    name            TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    PRIMARY KEY (org_id, kind, slug)
) STRICT;

CREATE TABLE pathway_definition_versions (
    org_id     TEXT NOT NULL,
    kind       TEXT NOT NULL,
    slug       TEXT NOT NULL,
    version    INTEGER NOT NULL CHECK (version >= 1),
    name       TEXT NOT NULL,
    document   TEXT NOT NULL,
    created_by TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    PRIMARY KEY (org_id, kind, slug, version),
    FOREIGN KEY (org_id, kind, slug) REFERENCES pathway_definitions (org_id, kind, slug)
) STRICT;

-- The last computed progress of a learner (by email key) along a pathway;
-- only pathways with some progress have a row. award_state follows a
-- completed pathway's stacked credential: '' (none), 'review' (waiting for
-- a registrar), 'issued' (award_credential_id names it).
CREATE TABLE pathway_progress (
    org_id              TEXT NOT NULL,
    pathway             TEXT NOT NULL,
    learner_key         TEXT NOT NULL,
    version             INTEGER NOT NULL,
    progress            REAL NOT NULL CHECK (progress >= 0 AND progress <= 1),
    complete            INTEGER NOT NULL CHECK (complete IN (0, 1)),
    used                TEXT NOT NULL DEFAULT '[]', -- JSON array of credential ids
    award_state         TEXT NOT NULL DEFAULT '' CHECK (award_state IN ('', 'review', 'issued')),
    award_credential_id TEXT NOT NULL DEFAULT '',
    updated_at          TEXT NOT NULL,
    PRIMARY KEY (org_id, pathway, learner_key)
) STRICT;
CREATE INDEX pathway_progress_learner ON pathway_progress (learner_key);
CREATE INDEX pathway_progress_award ON pathway_progress (org_id, award_state) WHERE award_state <> '';
