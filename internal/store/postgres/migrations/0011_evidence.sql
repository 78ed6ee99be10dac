-- 0011: evidence-based awards. An achievement may require evidence and
-- define a rubric (evidence_requirements, the document is JSON); learners
-- apply, write a statement, add links and upload files; reviewers score,
-- comment and decide. File content is stored once per SHA-256 (blobs), in
-- the database, so every app node serves it and a backup holds it.
CREATE TABLE evidence_requirements (
    achievement_id TEXT PRIMARY KEY REFERENCES achievements (id) ON DELETE CASCADE,
    org_id         TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    document       TEXT NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);

CREATE TABLE applications (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    achievement_id TEXT NOT NULL REFERENCES achievements (id) ON DELETE CASCADE,
    learner_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    state          TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'changes_requested', 'approved', 'rejected')),
    statement      TEXT NOT NULL DEFAULT '',
    links          TEXT NOT NULL DEFAULT '', -- one URL per line
    assigned_to    TEXT NOT NULL DEFAULT '',
    credential_id  TEXT NOT NULL DEFAULT '',
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    submitted_at   TIMESTAMPTZ
);
CREATE INDEX applications_queue ON applications (org_id, state, submitted_at);
CREATE INDEX applications_learner ON applications (learner_id, created_at);

CREATE TABLE blobs (
    sha256     BYTEA PRIMARY KEY CHECK (length(sha256) = 32),
    data       BYTEA NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE application_files (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    media_type     TEXT NOT NULL,
    size           INTEGER NOT NULL,
    sha256         BYTEA NOT NULL REFERENCES blobs (sha256),
    created_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX application_files_app ON application_files (application_id, created_at);

CREATE TABLE reviews (
    id             TEXT PRIMARY KEY,
    application_id TEXT NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    reviewer_id    TEXT NOT NULL,
    action         TEXT NOT NULL,
    comment        TEXT NOT NULL DEFAULT '',
    scores         TEXT NOT NULL DEFAULT '', -- JSON {criterion id: level index}
    points         INTEGER,
    created_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX reviews_app ON reviews (application_id, created_at);
