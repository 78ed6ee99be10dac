-- 0017: the registrar's credential list. Keyset paging walks
-- (issued_at, id) newest first, per organization and per achievement; the
-- search by name prefix uses the lower-cased name; the status filters
-- start from the few credentials whose revocation or suspension bit is set;
-- the expired filter walks only the credentials that have a validity end.
CREATE INDEX credentials_org_issued_id ON credentials (org_id, issued_at, id);
CREATE INDEX credentials_org_achievement_issued ON credentials (org_id, achievement_id, issued_at, id);
CREATE INDEX credentials_org_name ON credentials (org_id, lower(recipient_name));
CREATE INDEX credentials_org_expiring ON credentials (org_id, issued_at, id, valid_until) WHERE valid_until IS NOT NULL;
CREATE INDEX credential_status_set ON credential_status (org_id, purpose, is_set);

-- The impact dashboard reads a year as twelve monthly rows per
-- achievement, kind and dim instead of 365 daily ones: rollups_monthly is
-- kept beside rollups in the same transaction, and filled here from the
-- daily rows already counted.
CREATE TABLE rollups_monthly (
    org_id         TEXT NOT NULL,
    achievement_id TEXT NOT NULL,
    month          TEXT NOT NULL, -- YYYY-MM, UTC
    kind           TEXT NOT NULL,
    dim            TEXT NOT NULL,
    n              BIGINT NOT NULL,
    total          DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (org_id, month, achievement_id, kind, dim)
);
INSERT INTO rollups_monthly (org_id, achievement_id, month, kind, dim, n, total)
    SELECT org_id, achievement_id, substr(day, 1, 7), kind, dim, SUM(n), SUM(total) FROM rollups
    GROUP BY org_id, achievement_id, substr(day, 1, 7), kind, dim;
