-- 0004: bulk issuance jobs (internal/bulk). A job is one CSV file issued
-- for one achievement of one organization; the SHA-256 of the file's bytes
-- identifies it, so running the same file again finds the same job. Each
-- row of the file is issued with the idempotency key "bulk:<job id>:<row>",
-- which the credentials table keeps unique per organization: the credential
-- and its key commit together, so bulk_rows is bookkeeping that can always
-- be re-derived from credentials after a crash.
CREATE TABLE bulk_jobs (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES organizations (id),
    achievement_id TEXT NOT NULL,
    csv_sha256     TEXT NOT NULL CHECK (length(csv_sha256) = 64),
    csv_path       TEXT NOT NULL DEFAULT '', -- the uploaded file, for jobs the server resumes
    file_name      TEXT NOT NULL DEFAULT '',
    mapping        TEXT NOT NULL DEFAULT '', -- column=field pairs, one per line
    notify         INTEGER NOT NULL DEFAULT 1 CHECK (notify IN (0, 1)),
    state          TEXT NOT NULL CHECK (state IN ('pending', 'validating', 'running', 'paused', 'cancelled', 'done', 'failed')),
    total          INTEGER NOT NULL DEFAULT 0 CHECK (total >= 0),
    done           INTEGER NOT NULL DEFAULT 0 CHECK (done >= 0),
    failed         INTEGER NOT NULL DEFAULT 0 CHECK (failed >= 0),
    error          TEXT NOT NULL DEFAULT '',
    created_by     TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    UNIQUE (org_id, achievement_id, csv_sha256)
) STRICT;
CREATE INDEX bulk_jobs_state ON bulk_jobs (state);

-- One row per CSV row that has an outcome: the credential issued for it, or
-- the error that stopped it. Rows not yet attempted have no entry.
CREATE TABLE bulk_rows (
    job_id          TEXT NOT NULL REFERENCES bulk_jobs (id),
    row_num         INTEGER NOT NULL CHECK (row_num >= 1),
    line            INTEGER NOT NULL DEFAULT 0,
    recipient_email TEXT NOT NULL DEFAULT '',
    credential_id   TEXT,
    error           TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (job_id, row_num)
) STRICT;
