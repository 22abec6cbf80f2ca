-- 0001: accounts, AccessKeys, server settings and ClientToken idempotency records.
-- Migrations are never edited once committed: change the schema with a new file.
-- Times are BIGINT nanoseconds since the Unix epoch (UTC); 0 means unset.

CREATE TABLE accounts (
    id         BIGINT PRIMARY KEY,
    name       TEXT   NOT NULL UNIQUE,
    status     TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE access_keys (
    id         TEXT   PRIMARY KEY,
    secret     TEXT   NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    status     TEXT   NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE INDEX access_keys_account_id ON access_keys (account_id, created_at, id);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE idempotency (
    account_id  BIGINT NOT NULL,
    action      TEXT   NOT NULL,
    token       TEXT   NOT NULL,
    params_hash TEXT   NOT NULL,
    response    TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (account_id, action, token)
);
