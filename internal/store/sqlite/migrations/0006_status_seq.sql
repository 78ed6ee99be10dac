-- 0006: credential_status records the sequence number of each entry's slot
-- and keeps that unique per list, instead of the index. Indexes are a keyed
-- permutation of sequence numbers, random-looking on purpose, so a unique
-- index over them took a write to a random page for every entry — two per
-- credential, the largest share of an issuance batch's page writes.
-- Sequence numbers are handed out in order, so their index grows at its
-- right edge. The guarantee is the same for every entry recorded from now
-- on: a slot is used once, and the permutation maps distinct slots of a
-- list to distinct indexes. Entries recorded before keep seq NULL; they
-- were checked by the old constraint when they were written, and the
-- allocation counter never hands their slots out again.
--
-- SQLite cannot drop a table constraint in place, so the table is rebuilt.
-- No other table references it.
CREATE TABLE credential_status_new (
    credential_id TEXT NOT NULL,
    org_id        TEXT NOT NULL,
    purpose       TEXT NOT NULL,
    list          INTEGER NOT NULL,
    idx           INTEGER NOT NULL CHECK (idx >= 0),
    seq           INTEGER CHECK (seq >= 0),
    is_set        INTEGER NOT NULL DEFAULT 0 CHECK (is_set IN (0, 1)),
    changed_at    TEXT,
    PRIMARY KEY (credential_id, purpose),
    FOREIGN KEY (org_id, purpose, list) REFERENCES status_lists (org_id, purpose, list)
) STRICT;
INSERT INTO credential_status_new (credential_id, org_id, purpose, list, idx, is_set, changed_at)
    SELECT credential_id, org_id, purpose, list, idx, is_set, changed_at FROM credential_status;
DROP TABLE credential_status;
ALTER TABLE credential_status_new RENAME TO credential_status;
CREATE UNIQUE INDEX credential_status_slot ON credential_status (org_id, purpose, list, seq);
