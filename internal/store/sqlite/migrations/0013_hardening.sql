-- 0013: hardening. Each queued message records the organization it is
-- about, so the demo outbox shows an organization's mail to its owners only
-- ('' for mail outside any organization, which no page shows).
ALTER TABLE mail_outbox ADD COLUMN org_id TEXT NOT NULL DEFAULT '';
CREATE INDEX mail_outbox_org ON mail_outbox (org_id, id);
-- A bulk job keeps the report of its last validation (written by package
-- bulk, with the mapping it was made for), so that viewing a pending job
-- does not read the whole file again.
ALTER TABLE bulk_jobs ADD COLUMN validation TEXT NOT NULL DEFAULT '';
