-- 0010: instances carry their tags, so that DescribeInstances' tag filters are
-- checked inside the listing indexes (see instance_tags.go). Never edited once
-- committed.

-- " key=value key=value ", encoded; written by the store whenever the
-- instance's tags change, and filled for existing instances once at start-up.
ALTER TABLE instances ADD COLUMN tag_text TEXT NOT NULL DEFAULT '';

-- The two listing indexes that DescribeInstances filters by Status (and VpcId)
-- end with tag_text, so a tag filter never leaves the index.
DROP INDEX instances_account_status;
CREATE INDEX instances_account_status ON instances (account_id, region_id, status, created_at, id, tag_text);
DROP INDEX instances_account_vpc_status;
CREATE INDEX instances_account_vpc_status ON instances (account_id, region_id, vpc_id, status, created_at, id, tag_text);
