-- 0015: an organization may opt in to a second credentialStatus entry, for
-- suspension. Off by default: Open Badges 3.0 allows one credentialStatus
-- (0..1), so new credentials get only the revocation entry. Credentials
-- issued before keep the entries they were issued with.
ALTER TABLE organizations ADD COLUMN suspension BOOLEAN NOT NULL DEFAULT FALSE;
