-- 0003: VSwitches and the private IPs allocated in them. Never edited once committed.

CREATE TABLE vswitches (
    id          TEXT    PRIMARY KEY,
    account_id  BIGINT  NOT NULL,
    region_id   TEXT    NOT NULL,
    vpc_id      TEXT    NOT NULL,
    zone_id     TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL,
    cidr_block  TEXT    NOT NULL,
    status      TEXT    NOT NULL,
    is_default  BOOLEAN NOT NULL,
    created_at  BIGINT  NOT NULL
);

CREATE INDEX vswitches_account_region ON vswitches (account_id, region_id, created_at);
CREATE INDEX vswitches_vpc ON vswitches (vpc_id);

CREATE TABLE private_ips (
    vswitch_id TEXT   NOT NULL,
    address    TEXT   NOT NULL,
    account_id BIGINT NOT NULL,
    owner_type TEXT   NOT NULL,
    owner_id   TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (vswitch_id, address)
);

CREATE INDEX private_ips_owner ON private_ips (owner_type, owner_id);
