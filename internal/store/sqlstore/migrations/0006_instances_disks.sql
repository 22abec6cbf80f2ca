-- 0006: instances, their security-group memberships, and cloud disks.
-- Never edited once committed.

CREATE TABLE instances (
    id                         TEXT    PRIMARY KEY,
    account_id                 BIGINT  NOT NULL,
    region_id                  TEXT    NOT NULL,
    zone_id                    TEXT    NOT NULL,
    name                       TEXT    NOT NULL,
    description                TEXT    NOT NULL,
    host_name                  TEXT    NOT NULL,
    instance_type              TEXT    NOT NULL,
    instance_type_family       TEXT    NOT NULL,
    cpu                        INTEGER NOT NULL,
    memory_mib                 INTEGER NOT NULL,
    image_id                   TEXT    NOT NULL,
    os_name                    TEXT    NOT NULL,
    os_type                    TEXT    NOT NULL,
    vpc_id                     TEXT    NOT NULL,
    vswitch_id                 TEXT    NOT NULL,
    private_ip                 TEXT    NOT NULL,
    public_ip                  TEXT    NOT NULL,
    internet_charge_type       TEXT    NOT NULL,
    internet_max_bandwidth_in  INTEGER NOT NULL,
    internet_max_bandwidth_out INTEGER NOT NULL,
    instance_charge_type       TEXT    NOT NULL,
    status                     TEXT    NOT NULL,
    next_status                TEXT    NOT NULL,
    next_status_at             BIGINT  NOT NULL,
    key_pair_name              TEXT    NOT NULL,
    password_hash              TEXT    NOT NULL,
    user_data                  TEXT    NOT NULL,
    deployment_set_id          TEXT    NOT NULL,
    serial_number              TEXT    NOT NULL,
    ram_role_name              TEXT    NOT NULL,
    vnc_password               TEXT    NOT NULL,
    operation_locks            TEXT    NOT NULL,
    deletion_protection        BOOLEAN NOT NULL,
    auto_release_time          BIGINT  NOT NULL,
    stopped_mode               TEXT    NOT NULL,
    created_at                 BIGINT  NOT NULL,
    started_at                 BIGINT  NOT NULL,
    driver_handle              TEXT    NOT NULL
);

-- DescribeInstances: newest first within an account and region, narrowed by the
-- common filters.
CREATE INDEX instances_account_region ON instances (account_id, region_id, created_at, id);
CREATE INDEX instances_account_status ON instances (account_id, region_id, status, created_at, id);
CREATE INDEX instances_account_vpc ON instances (account_id, vpc_id, created_at, id);
CREATE INDEX instances_vswitch ON instances (vswitch_id);
CREATE INDEX instances_private_ip ON instances (account_id, private_ip);
CREATE INDEX instances_due ON instances (next_status_at);

CREATE TABLE instance_security_groups (
    instance_id       TEXT    NOT NULL,
    security_group_id TEXT    NOT NULL,
    account_id        BIGINT  NOT NULL,
    position          INTEGER NOT NULL,
    PRIMARY KEY (instance_id, security_group_id)
);

CREATE INDEX instance_security_groups_group ON instance_security_groups (security_group_id);

CREATE TABLE disks (
    id                   TEXT    PRIMARY KEY,
    account_id           BIGINT  NOT NULL,
    region_id            TEXT    NOT NULL,
    zone_id              TEXT    NOT NULL,
    name                 TEXT    NOT NULL,
    description          TEXT    NOT NULL,
    type                 TEXT    NOT NULL,
    category             TEXT    NOT NULL,
    size_gib             INTEGER NOT NULL,
    performance_level    TEXT    NOT NULL,
    image_id             TEXT    NOT NULL,
    source_snapshot_id   TEXT    NOT NULL,
    instance_id          TEXT    NOT NULL,
    device               TEXT    NOT NULL,
    status               TEXT    NOT NULL,
    portable             BOOLEAN NOT NULL,
    delete_with_instance BOOLEAN NOT NULL,
    delete_auto_snapshot BOOLEAN NOT NULL,
    enable_auto_snapshot BOOLEAN NOT NULL,
    encrypted            BOOLEAN NOT NULL,
    kms_key_id           TEXT    NOT NULL,
    created_at           BIGINT  NOT NULL,
    attached_at          BIGINT  NOT NULL,
    detached_at          BIGINT  NOT NULL,
    driver_handle        TEXT    NOT NULL
);

CREATE INDEX disks_account_region ON disks (account_id, region_id, created_at, id);
CREATE INDEX disks_instance ON disks (instance_id);
