-- 0009: deployment sets (guide 1.6) and the placement of instances on the
-- simulated hosts of the catalog. Never edited once committed.

CREATE TABLE deployment_sets (
    id          TEXT   PRIMARY KEY,
    account_id  BIGINT NOT NULL,
    region_id   TEXT   NOT NULL,
    zone_id     TEXT   NOT NULL,
    name        TEXT   NOT NULL,
    description TEXT   NOT NULL,
    domain      TEXT   NOT NULL,
    granularity TEXT   NOT NULL,
    strategy    TEXT   NOT NULL,
    created_at  BIGINT NOT NULL
);

-- DescribeDeploymentSets: newest first within an account and region.
CREATE INDEX deployment_sets_account_region ON deployment_sets (account_id, region_id, created_at, id);

-- Which host each instance runs on and what it takes there. Written in the
-- transaction that creates the instance, removed in the one that deletes it.
CREATE TABLE instance_placements (
    instance_id       TEXT    PRIMARY KEY,
    account_id        BIGINT  NOT NULL,
    zone_id           TEXT    NOT NULL,
    host_id           TEXT    NOT NULL,
    deployment_set_id TEXT    NOT NULL,
    vcpus             INTEGER NOT NULL,
    memory_mib        INTEGER NOT NULL
);

-- A deployment set's instances (placement, DeleteDeploymentSet, the topology).
CREATE INDEX instance_placements_set ON instance_placements (deployment_set_id, host_id, instance_id);

-- The sums of each host's placements, kept with them: placing reads a zone's
-- rows (one a busy host), never the instances.
CREATE TABLE host_usage (
    host_id    TEXT    PRIMARY KEY,
    zone_id    TEXT    NOT NULL,
    vcpus      INTEGER NOT NULL,
    memory_mib INTEGER NOT NULL,
    instances  INTEGER NOT NULL
);

CREATE INDEX host_usage_zone ON host_usage (zone_id);
