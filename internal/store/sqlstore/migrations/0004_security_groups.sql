-- 0004: security groups and their rules (guide 1.11), and the generic tags table
-- (guide 1.15) that every taggable resource shares. Never edited once committed.

CREATE TABLE security_groups (
    id                  TEXT   PRIMARY KEY,
    account_id          BIGINT NOT NULL,
    region_id           TEXT   NOT NULL,
    name                TEXT   NOT NULL,
    description         TEXT   NOT NULL,
    vpc_id              TEXT   NOT NULL,
    group_type          TEXT   NOT NULL,
    inner_access_policy TEXT   NOT NULL,
    resource_group_id   TEXT   NOT NULL,
    created_at          BIGINT NOT NULL
);

CREATE INDEX security_groups_account_region ON security_groups (account_id, region_id, created_at);
CREATE INDEX security_groups_vpc ON security_groups (vpc_id);

CREATE TABLE security_group_rules (
    id                 TEXT    PRIMARY KEY,
    account_id         BIGINT  NOT NULL,
    security_group_id  TEXT    NOT NULL,
    direction          TEXT    NOT NULL,
    ip_protocol        TEXT    NOT NULL,
    port_range         TEXT    NOT NULL,
    source_port_range  TEXT    NOT NULL,
    nic_type           TEXT    NOT NULL,
    policy             TEXT    NOT NULL,
    priority           INTEGER NOT NULL,
    source_cidr_ip     TEXT    NOT NULL,
    dest_cidr_ip       TEXT    NOT NULL,
    peer_group_id      TEXT    NOT NULL,
    peer_account_id    BIGINT  NOT NULL,
    peer_owner_account TEXT    NOT NULL,
    description        TEXT    NOT NULL,
    created_at         BIGINT  NOT NULL
);

CREATE INDEX security_group_rules_group ON security_group_rules (security_group_id, created_at);
CREATE INDEX security_group_rules_peer ON security_group_rules (peer_group_id);

-- Tags of every resource type: resource_type is the guide's lower-case name
-- (securitygroup, instance, disk, image, snapshot).
CREATE TABLE tags (
    resource_type TEXT   NOT NULL,
    resource_id   TEXT   NOT NULL,
    tag_key       TEXT   NOT NULL,
    account_id    BIGINT NOT NULL,
    tag_value     TEXT   NOT NULL,
    PRIMARY KEY (resource_type, resource_id, tag_key)
);

CREATE INDEX tags_lookup ON tags (account_id, resource_type, tag_key, tag_value);
