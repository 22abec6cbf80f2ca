-- 0016: the OSS-compatible object service (docs/object-storage.md). Never
-- edited once committed. Bucket names are global (unique across accounts).
-- Object bytes live in files under <data-dir>/oss/<bucket>/; these rows hold
-- their metadata and the name of the file (file_id, generated, never derived
-- from the key). Object keys are BYTEA so that both engines order them by
-- their UTF-8 bytes, as OSS lists them.

CREATE TABLE oss_buckets (
    name       TEXT   PRIMARY KEY,
    account_id BIGINT NOT NULL,
    region_id  TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE INDEX oss_buckets_account ON oss_buckets (account_id, name);

CREATE TABLE oss_objects (
    bucket       TEXT   NOT NULL,
    object_key   BYTEA  NOT NULL,
    size         BIGINT NOT NULL,
    etag         TEXT   NOT NULL,
    crc64        TEXT   NOT NULL,
    content_type TEXT   NOT NULL,
    file_id      TEXT   NOT NULL,
    modified_at  BIGINT NOT NULL,
    PRIMARY KEY (bucket, object_key)
);

CREATE TABLE oss_uploads (
    id           TEXT   PRIMARY KEY,
    bucket       TEXT   NOT NULL,
    object_key   BYTEA  NOT NULL,
    content_type TEXT   NOT NULL,
    initiated_at BIGINT NOT NULL
);

CREATE INDEX oss_uploads_bucket ON oss_uploads (bucket, object_key, initiated_at);

CREATE TABLE oss_parts (
    upload_id   TEXT    NOT NULL,
    part_number INTEGER NOT NULL,
    size        BIGINT  NOT NULL,
    etag        TEXT    NOT NULL,
    crc64       TEXT    NOT NULL,
    file_id     TEXT    NOT NULL,
    modified_at BIGINT  NOT NULL,
    PRIMARY KEY (upload_id, part_number)
);
