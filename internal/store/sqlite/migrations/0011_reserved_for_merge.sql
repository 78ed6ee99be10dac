-- 0011: placeholder so that this branch's migrations run without a gap up to
-- 0012 (the number assigned to the suspension setting). Delete this file when
-- the branch that owns migration 0011 is merged.
SELECT 1;
