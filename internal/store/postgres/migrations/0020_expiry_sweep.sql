-- The expiry sweep (analytics "expired" events) reads credentials in order
-- of validUntil.
CREATE INDEX credentials_valid_until ON credentials (valid_until, id) WHERE valid_until IS NOT NULL;
