-- 0007: the learner and renewal indexes of credentials cover only the rows
-- that have a value. Most credentials have neither (a learner account is
-- linked when the learner signs up; few credentials renew another), and
-- every NULL entry was one more B-tree insert per issued credential for
-- lookups that never ask for NULL. Queries of the form learner_id = ? and
-- replaces = ? (and the foreign key checks, which ask the same) use
-- partial indexes with IS NOT NULL.
DROP INDEX credentials_learner;
CREATE INDEX credentials_learner ON credentials (learner_id) WHERE learner_id IS NOT NULL;
DROP INDEX credentials_replaces;
CREATE INDEX credentials_replaces ON credentials (replaces) WHERE replaces IS NOT NULL;
