-- 0006: credential_status records the sequence number of each entry's slot
-- and keeps that unique per list, instead of the index. Indexes are a keyed
-- permutation of sequence numbers, random-looking on purpose, so a unique
-- index over them took a write to a random page for every entry — two per
-- credential. Sequence numbers are handed out in order, so their index
-- grows at its right edge. The guarantee is the same for every entry
-- recorded from now on: a slot is used once, and the permutation maps
-- distinct slots of a list to distinct indexes. Entries recorded before
-- keep seq NULL; they were checked by the old constraint when they were
-- written, and the allocation counter never hands their slots out again.
ALTER TABLE credential_status ADD COLUMN seq INTEGER CHECK (seq >= 0);
ALTER TABLE credential_status DROP CONSTRAINT credential_status_org_id_purpose_list_idx_key;
CREATE UNIQUE INDEX credential_status_slot ON credential_status (org_id, purpose, list, seq);
