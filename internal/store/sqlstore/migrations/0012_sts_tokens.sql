-- 0012: temporary credentials issued by STS AssumeRole. Never edited once
-- committed. A token is its STS.-prefixed AccessKey ID, secret and
-- SecurityToken, the account and role it acts as, the session name and the
-- optional session policy; it works until expires_at (nanoseconds, UTC), also
-- across restarts. Rows past expiry are deleted lazily.

CREATE TABLE sts_tokens (
    access_key_id  TEXT   PRIMARY KEY,
    secret         TEXT   NOT NULL,
    security_token TEXT   NOT NULL,
    account_id     BIGINT NOT NULL,
    role_id        TEXT   NOT NULL,
    role_name      TEXT   NOT NULL,
    session_name   TEXT   NOT NULL,
    session_policy TEXT   NOT NULL,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL
);

CREATE INDEX sts_tokens_expires_at ON sts_tokens (expires_at);
