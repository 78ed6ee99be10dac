-- 0010: accounts for everyone. A user can be disabled by an operator; a
-- learner can hold several verified addresses; links sent by mail (claim,
-- sign-up, password reset, address verification) are signed and expiring,
-- and this table makes each usable once (the SHA-256 of a used token is
-- kept until it would have expired anyway).
ALTER TABLE users ADD COLUMN disabled_at TIMESTAMPTZ;

CREATE TABLE user_emails (
    email_key  TEXT PRIMARY KEY,
    email      TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX user_emails_user ON user_emails (user_id);

CREATE TABLE used_tokens (
    hash       BYTEA PRIMARY KEY CHECK (length(hash) = 32),
    used_at    TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX used_tokens_expires ON used_tokens (expires_at);

-- Email keys lower-case ASCII letters only (see store.EmailKey); lower()
-- would follow the database's locale, translate() does not.
UPDATE users SET email_key = translate(btrim(email, ' '), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
    WHERE email_key <> translate(btrim(email, ' '), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz');
UPDATE credentials SET recipient_email_key = translate(btrim(recipient_email, ' '), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
    WHERE recipient_email_key <> translate(btrim(recipient_email, ' '), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz');
UPDATE invitations SET email_key = translate(btrim(email, ' '), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')
    WHERE email_key <> translate(btrim(email, ' '), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz');
