-- 0010: hardening. Each queued message records the organization it is
-- about, so the demo outbox shows an organization's mail to its owners only
-- ('' for mail outside any organization, which no page shows).
ALTER TABLE mail_outbox ADD COLUMN org_id TEXT NOT NULL DEFAULT '';
CREATE INDEX mail_outbox_org ON mail_outbox (org_id, id);
