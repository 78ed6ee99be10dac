-- 0008: a stretch of document that many credentials share byte for byte —
-- the achievement every credential of it embeds, most of each document —
-- is kept once in document_parts, and the credential row keeps the rest
-- of its document with the part's id and the byte offset it goes back in.
-- Reads put the document together again, byte for byte. Parts are
-- identified by their SHA-256 and never change or go away.
CREATE TABLE document_parts (
    id   TEXT PRIMARY KEY CHECK (length(id) = 64), -- hex SHA-256 of data
    data TEXT NOT NULL
);
ALTER TABLE credentials
    ADD COLUMN document_part TEXT REFERENCES document_parts (id),
    ADD COLUMN document_part_at INTEGER CHECK (document_part_at >= 0);
