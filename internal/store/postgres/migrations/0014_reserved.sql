-- 0014: reserved. Another branch adds its own 0014; this file only keeps the
-- numbers without a gap on this branch and is dropped at merge.
SELECT 1;
