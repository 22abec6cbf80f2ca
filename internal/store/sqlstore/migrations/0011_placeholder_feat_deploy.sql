-- 0011: PLACEHOLDER on branch feat/deploy only, so that this branch's 0012 applies
-- (versions must be contiguous). Migrations 0008–0011 belong to other branches:
-- DELETE THIS FILE when merging feat/deploy.
SELECT 1;
