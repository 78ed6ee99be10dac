-- 0015: the registrar's credential list. Keyset paging walks
-- (issued_at, id) newest first, per organization and per achievement; the
-- search by name prefix uses the lower-cased name; the status filters
-- start from the few credentials whose revocation or suspension bit is set;
-- the expired filter from the validity end.
CREATE INDEX credentials_org_issued_id ON credentials (org_id, issued_at, id);
CREATE INDEX credentials_org_achievement_issued ON credentials (org_id, achievement_id, issued_at, id);
CREATE INDEX credentials_org_name ON credentials (org_id, lower(recipient_name));
CREATE INDEX credentials_valid_until ON credentials (valid_until);
CREATE INDEX credential_status_set ON credential_status (org_id, purpose, is_set);
