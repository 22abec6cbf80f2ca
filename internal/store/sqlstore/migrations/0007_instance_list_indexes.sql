-- 0007: indexes for DescribeInstances on a large fleet (bench/instances).
-- Never edited once committed.

-- VpcId with Status, the common filter of consoles and scripts: both are
-- equalities, so the rows come newest first from the index and TotalCount is
-- counted from the index alone.
CREATE INDEX instances_account_vpc_status ON instances (account_id, region_id, vpc_id, status, created_at, id);

-- Tag filters (Tag.N of every Describe action) read the IDs of the resources
-- carrying a tag from this index alone; it replaces tags_lookup, its prefix.
CREATE INDEX tags_lookup_resource ON tags (account_id, resource_type, tag_key, tag_value, resource_id);
DROP INDEX tags_lookup;
