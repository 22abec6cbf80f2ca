-- 0002: VPCs (VPC API 2016-04-28). Never edited once committed.

CREATE TABLE vpcs (
    id             TEXT    PRIMARY KEY,
    account_id     BIGINT  NOT NULL,
    region_id      TEXT    NOT NULL,
    name           TEXT    NOT NULL,
    description    TEXT    NOT NULL,
    cidr_block     TEXT    NOT NULL,
    status         TEXT    NOT NULL,
    vrouter_id     TEXT    NOT NULL,
    route_table_id TEXT    NOT NULL,
    is_default     BOOLEAN NOT NULL,
    created_at     BIGINT  NOT NULL
);

CREATE INDEX vpcs_account_region ON vpcs (account_id, region_id, created_at);
