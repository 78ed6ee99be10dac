-- 0018: Open Badges 3.0 EndorsementCredentials: those an organization
-- issued here (direction 'given', signed with its key, withdrawn through
-- its status list entry like any credential) and those issued elsewhere
-- that an organization attached to its own achievement or profile
-- ('received'). subject_id is the endorsed id as the document says it;
-- subject_org_id and subject_achievement_id name what of this server it
-- endorses ('' for an external subject), so pages find them by index.
CREATE TABLE endorsements (
    id                     TEXT PRIMARY KEY,
    org_id                 TEXT NOT NULL REFERENCES organizations (id),
    direction              TEXT NOT NULL CHECK (direction IN ('given', 'received')),
    subject_kind           TEXT NOT NULL CHECK (subject_kind IN ('achievement', 'profile')),
    subject_id             TEXT NOT NULL,
    subject_org_id         TEXT NOT NULL DEFAULT '',
    subject_achievement_id TEXT NOT NULL DEFAULT '',
    subject_name           TEXT NOT NULL DEFAULT '',
    endorser_id            TEXT NOT NULL,
    endorser_name          TEXT NOT NULL DEFAULT '',
    comment                TEXT NOT NULL DEFAULT '',
    document               TEXT NOT NULL,
    issued_at              TEXT NOT NULL,
    valid_from             TEXT NOT NULL,
    valid_until            TEXT,
    created_by             TEXT NOT NULL DEFAULT '',
    created_at             TEXT NOT NULL
) STRICT;
CREATE INDEX endorsements_org ON endorsements (org_id, created_at);
CREATE INDEX endorsements_subject ON endorsements (subject_id);
CREATE INDEX endorsements_subject_org ON endorsements (subject_org_id) WHERE subject_org_id <> '';
CREATE INDEX endorsements_subject_achievement ON endorsements (subject_achievement_id) WHERE subject_achievement_id <> '';
