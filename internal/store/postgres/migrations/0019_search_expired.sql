-- 0019: the registrar's credential search answers every filter from an
-- index walked newest first, without visiting rows that do not match.
--
-- credentials.status_set mirrors the credential's status bits (1: revoked,
-- 2: suspended; kept by the store in the transaction that changes
-- credential_status), so "revoked", "suspended" and "active" are a column
-- of the row instead of a lookup in credential_status per row. A partial
-- index over the few credentials with a bit set lists the revoked and the
-- suspended newest first.
--
-- The expired filter walks the credentials that have a validity end,
-- newest first, reading valid_until from the index; with an achievement it
-- walks that achievement's. The achievement and name indexes carry the
-- columns the filters test and the keyset order, so an achievement's
-- credentials or a name prefix are filtered and ordered without reading
-- rows.
ALTER TABLE credentials ADD COLUMN status_set SMALLINT NOT NULL DEFAULT 0;
UPDATE credentials SET status_set = 1
    WHERE id IN (SELECT credential_id FROM credential_status WHERE purpose = 'revocation' AND is_set);
UPDATE credentials SET status_set = status_set | 2
    WHERE id IN (SELECT credential_id FROM credential_status WHERE purpose = 'suspension' AND is_set);
CREATE INDEX credentials_org_status_set ON credentials (org_id, issued_at, id, status_set, achievement_id) WHERE status_set <> 0;
CREATE INDEX credentials_org_achievement_expiring ON credentials (org_id, achievement_id, issued_at, id, valid_until) WHERE valid_until IS NOT NULL;
DROP INDEX credentials_org_achievement_issued;
CREATE INDEX credentials_org_achievement_issued ON credentials (org_id, achievement_id, issued_at, id, valid_until, status_set);
DROP INDEX credentials_org_name;
-- PostgreSQL scans an expression index by the index alone only when every
-- column the query names is in it, so the name itself is included too.
CREATE INDEX credentials_org_name ON credentials (org_id, lower(recipient_name), issued_at, id, achievement_id, valid_until, status_set)
    INCLUDE (recipient_name);

-- The shortest validity period per organization and achievement (see
-- sqlcore.noteValidity): the expired filter starts its walk at now minus
-- it. Rounded down, and one second less, so the bound errs early.
CREATE TABLE credential_validity (
    org_id         TEXT NOT NULL,
    achievement_id TEXT NOT NULL,
    min_seconds    BIGINT NOT NULL,
    PRIMARY KEY (org_id, achievement_id)
);
INSERT INTO credential_validity (org_id, achievement_id, min_seconds)
    SELECT org_id, achievement_id, floor(MIN(EXTRACT(EPOCH FROM valid_until - issued_at)))::BIGINT - 1
    FROM credentials WHERE valid_until IS NOT NULL GROUP BY org_id, achievement_id;
