-- 0013: elastic network interfaces (guide 1.13): every instance's primary
-- interface and the secondary ones CreateNetworkInterface makes, with the
-- security groups of the secondary ones. Never edited once committed.

CREATE TABLE network_interfaces (
    id          TEXT   PRIMARY KEY,
    account_id  BIGINT NOT NULL,
    region_id   TEXT   NOT NULL,
    zone_id     TEXT   NOT NULL,
    vpc_id      TEXT   NOT NULL,
    vswitch_id  TEXT   NOT NULL,
    type        TEXT   NOT NULL,
    name        TEXT   NOT NULL,
    description TEXT   NOT NULL,
    status      TEXT   NOT NULL,
    instance_id TEXT   NOT NULL,
    private_ip  TEXT   NOT NULL,
    -- NULL only for the primary interfaces of instances created before this
    -- migration: their MAC is derived from the instance ID, as it always was.
    mac_address TEXT,
    created_at  BIGINT NOT NULL,
    attached_at BIGINT NOT NULL
);

-- MAC addresses are unique across all accounts.
CREATE UNIQUE INDEX network_interfaces_mac ON network_interfaces (mac_address);
-- DescribeNetworkInterfaces: newest first within an account and region.
CREATE INDEX network_interfaces_account_region ON network_interfaces (account_id, region_id, created_at, id);
-- The interfaces of an instance (DescribeInstances, attach limits, deletion).
CREATE INDEX network_interfaces_instance ON network_interfaces (instance_id);
CREATE INDEX network_interfaces_vswitch ON network_interfaces (vswitch_id);

-- Security groups of secondary interfaces; a primary interface's groups are
-- its instance's (instance_security_groups).
CREATE TABLE network_interface_security_groups (
    network_interface_id TEXT   NOT NULL,
    security_group_id    TEXT   NOT NULL,
    account_id           BIGINT NOT NULL,
    position             INTEGER NOT NULL,
    PRIMARY KEY (network_interface_id, security_group_id)
);

CREATE INDEX network_interface_security_groups_group ON network_interface_security_groups (security_group_id);

-- Every existing instance gets its primary interface row.
INSERT INTO network_interfaces (id, account_id, region_id, zone_id, vpc_id, vswitch_id, type, name, description,
    status, instance_id, private_ip, mac_address, created_at, attached_at)
SELECT 'eni-' || substr(id, 3), account_id, region_id, zone_id, vpc_id, vswitch_id, 'Primary', '', '',
    'InUse', id, private_ip, NULL, created_at, created_at
FROM instances;
