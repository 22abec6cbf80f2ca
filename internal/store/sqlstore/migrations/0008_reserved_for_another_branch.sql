-- 0008: a placeholder in feat/snap only. Migration 0008 belongs to another branch;
-- this file exists so that 0009 and 0010 load without a gap on this branch. Delete
-- it when merging (the other branch brings the real 0008).
SELECT 1;
