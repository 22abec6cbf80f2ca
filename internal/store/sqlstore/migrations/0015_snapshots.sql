-- 0015: snapshots, automatic snapshot policies and the disks they apply to
-- (guide 1.8). Never edited once committed.

CREATE TABLE snapshots (
    id                   TEXT    PRIMARY KEY,
    account_id           BIGINT  NOT NULL,
    region_id            TEXT    NOT NULL,
    name                 TEXT    NOT NULL,
    description          TEXT    NOT NULL,
    type                 TEXT    NOT NULL,
    source_disk_id       TEXT    NOT NULL,
    source_disk_type     TEXT    NOT NULL,
    source_disk_size_gib INTEGER NOT NULL,
    source_disk_category TEXT    NOT NULL,
    status               TEXT    NOT NULL,
    progress             INTEGER NOT NULL,
    size_bytes           BIGINT  NOT NULL,
    retention_days       INTEGER NOT NULL,
    expires_at           BIGINT  NOT NULL,
    policy_id            TEXT    NOT NULL,
    task_id              TEXT    NOT NULL,
    encrypted            BOOLEAN NOT NULL,
    kms_key_id           TEXT    NOT NULL,
    created_at           BIGINT  NOT NULL,
    finished_at          BIGINT  NOT NULL,
    driver_handle        TEXT    NOT NULL
);

CREATE INDEX snapshots_account_region ON snapshots (account_id, region_id, created_at, id);
CREATE INDEX snapshots_source_disk ON snapshots (source_disk_id, status);
CREATE INDEX snapshots_expiry ON snapshots (expires_at);
-- Usage "disk": disks made from a snapshot.
CREATE INDEX disks_source_snapshot ON disks (source_snapshot_id);

-- Custom images made from snapshots (usage "image"); written by CreateImage.
CREATE TABLE snapshot_image_refs (
    snapshot_id TEXT   NOT NULL,
    image_id    TEXT   NOT NULL,
    account_id  BIGINT NOT NULL,
    PRIMARY KEY (snapshot_id, image_id)
);

CREATE TABLE auto_snapshot_policies (
    id              TEXT    PRIMARY KEY,
    account_id      BIGINT  NOT NULL,
    region_id       TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    time_points     TEXT    NOT NULL,
    repeat_weekdays TEXT    NOT NULL,
    retention_days  INTEGER NOT NULL,
    created_at      BIGINT  NOT NULL
);

CREATE INDEX auto_snapshot_policies_account_region ON auto_snapshot_policies (account_id, region_id, created_at, id);

-- The policy each disk executes, and the last time slot the scheduler handled
-- for it (fired or skipped), so that no slot fires twice.
CREATE TABLE disk_auto_snapshot_policies (
    disk_id    TEXT   PRIMARY KEY,
    account_id BIGINT NOT NULL,
    region_id  TEXT   NOT NULL,
    policy_id  TEXT   NOT NULL,
    applied_at BIGINT NOT NULL,
    last_slot  BIGINT NOT NULL
);

CREATE INDEX disk_auto_snapshot_policies_policy ON disk_auto_snapshot_policies (policy_id);
