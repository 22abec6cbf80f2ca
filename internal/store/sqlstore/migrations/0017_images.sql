-- 0017: custom images (guide 1.9): made from snapshots or instances, copied
-- from other regions, imported from the object store; and the accounts they
-- are shared with. Never edited once committed.

CREATE TABLE images (
    id                TEXT    PRIMARY KEY,
    account_id        BIGINT  NOT NULL,
    region_id         TEXT    NOT NULL,
    name              TEXT    NOT NULL,
    description       TEXT    NOT NULL,
    version           TEXT    NOT NULL,
    family            TEXT    NOT NULL,
    os_name           TEXT    NOT NULL,
    os_name_en        TEXT    NOT NULL,
    platform          TEXT    NOT NULL,
    os_type           TEXT    NOT NULL,
    architecture      TEXT    NOT NULL,
    size_gib          INTEGER NOT NULL,
    status            TEXT    NOT NULL,
    progress          INTEGER NOT NULL,
    origin            TEXT    NOT NULL,
    source_image_id   TEXT    NOT NULL,
    source_region_id  TEXT    NOT NULL,
    source_instance_id TEXT   NOT NULL,
    task_id           TEXT    NOT NULL,
    file_format       TEXT    NOT NULL,
    virtual_size      BIGINT  NOT NULL,
    content_path      TEXT    NOT NULL,
    disks             TEXT    NOT NULL,
    resource_group_id TEXT    NOT NULL,
    created_at        BIGINT  NOT NULL
);

CREATE INDEX images_account_region ON images (account_id, region_id, created_at, id);
CREATE INDEX images_name ON images (account_id, region_id, name);

-- The accounts an image is shared with (ModifyImageSharePermission).
CREATE TABLE image_shares (
    image_id   TEXT   NOT NULL,
    account_id BIGINT NOT NULL,
    owner_id   BIGINT NOT NULL,
    region_id  TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (image_id, account_id)
);

CREATE INDEX image_shares_account ON image_shares (account_id, region_id);
