-- 0010: accounts for everyone. A user can be disabled by an operator; a
-- learner can hold several verified addresses; links sent by mail (claim,
-- sign-up, password reset, address verification) are signed and expiring,
-- and this table makes each usable once (the SHA-256 of a used token is
-- kept until it would have expired anyway).
ALTER TABLE users ADD COLUMN disabled_at TEXT;

CREATE TABLE user_emails (
    email_key  TEXT PRIMARY KEY,
    email      TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX user_emails_user ON user_emails (user_id);

CREATE TABLE used_tokens (
    hash       BLOB PRIMARY KEY CHECK (length(hash) = 32),
    used_at    TEXT NOT NULL,
    expires_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;
CREATE INDEX used_tokens_expires ON used_tokens (expires_at);

-- Email keys lower-case ASCII letters only (see store.EmailKey): SQLite's
-- built-in lower() does exactly that.
UPDATE users SET email_key = lower(trim(email)) WHERE email_key <> lower(trim(email));
UPDATE credentials SET recipient_email_key = lower(trim(recipient_email)) WHERE recipient_email_key <> lower(trim(recipient_email));
UPDATE invitations SET email_key = lower(trim(email)) WHERE email_key <> lower(trim(email));
