-- 0012: PLACEHOLDER on branch feat/ram only. Migration numbers 0008-0012 belong to
-- other branches; this empty file keeps the numbering contiguous so that feat/ram's
-- 0013 and 0014 apply. DELETE THIS FILE WHEN MERGING (the real 0012 replaces it).
SELECT 1;
