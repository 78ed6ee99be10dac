-- 0002: Bitstring Status List 1.0. Every organization has, per status
-- purpose (revocation, suspension), numbered lists of at least 131,072
-- entries. An entry is handed out by counting: status_lists.allocated is
-- the next sequence number of the list, and the store maps it to a list
-- index through a keyed pseudo-random permutation (perm_key), so indexes
-- look random to outsiders while two nodes can never receive the same one:
-- the counter is advanced by an UPDATE that locks the row.
--
-- The bitstring itself lives in its own table: allocation updates the small
-- counter row thousands of times a second during bulk issuance, and must
-- not rewrite a 16 KiB blob each time.

CREATE TABLE status_lists (
    org_id     TEXT NOT NULL REFERENCES organizations (id),
    purpose    TEXT NOT NULL CHECK (purpose IN ('revocation', 'suspension')),
    list       INTEGER NOT NULL CHECK (list >= 0),
    size       INTEGER NOT NULL CHECK (size >= 8 AND size % 8 = 0),
    allocated  INTEGER NOT NULL DEFAULT 0 CHECK (allocated >= 0 AND allocated <= size),
    perm_key   BLOB NOT NULL CHECK (length(perm_key) = 16),
    created_at TEXT NOT NULL,
    PRIMARY KEY (org_id, purpose, list)
) STRICT;

CREATE TABLE status_list_bits (
    org_id     TEXT NOT NULL,
    purpose    TEXT NOT NULL,
    list       INTEGER NOT NULL,
    bits       BLOB NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1), -- increases with every change of bits
    updated_at TEXT NOT NULL,
    PRIMARY KEY (org_id, purpose, list),
    FOREIGN KEY (org_id, purpose, list) REFERENCES status_lists (org_id, purpose, list)
) STRICT;

-- credential_status records the entry of each credential per purpose. It
-- is written when the index is allocated, before the credential is signed
-- and stored, so it does not reference credentials: an issuance that fails
-- after allocation leaves an unused entry behind, which is harmless.
CREATE TABLE credential_status (
    credential_id TEXT NOT NULL,
    org_id        TEXT NOT NULL,
    purpose       TEXT NOT NULL,
    list          INTEGER NOT NULL,
    idx           INTEGER NOT NULL CHECK (idx >= 0),
    is_set        INTEGER NOT NULL DEFAULT 0 CHECK (is_set IN (0, 1)),
    changed_at    TEXT,
    PRIMARY KEY (credential_id, purpose),
    UNIQUE (org_id, purpose, list, idx),
    FOREIGN KEY (org_id, purpose, list) REFERENCES status_lists (org_id, purpose, list)
) STRICT;

-- settings holds server-wide values that command-line tools need without
-- the server's flags, such as the public base URL the server last ran
-- with (microcred credentials list prints public addresses from it).
CREATE TABLE settings (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
