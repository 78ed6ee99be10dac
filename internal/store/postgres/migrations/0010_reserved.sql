-- Reserved: the pathway branch was given migration 0013 while other
-- branches add 0009 to 0012. This placeholder only keeps the numbers
-- without gaps on that branch; delete it when the real migration of this
-- number is merged.
SELECT 1;
