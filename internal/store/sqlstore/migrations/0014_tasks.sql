-- 0014: the task engine's persisted asynchronous operations (internal/service/task,
-- guide 1.16). Never edited once committed.

CREATE TABLE tasks (
    id               TEXT    PRIMARY KEY,
    account_id       BIGINT  NOT NULL,
    region_id        TEXT    NOT NULL,
    action           TEXT    NOT NULL,
    status           TEXT    NOT NULL,
    support_cancel   BOOLEAN NOT NULL,
    resource_id      TEXT    NOT NULL,
    step             INTEGER NOT NULL,
    state            TEXT    NOT NULL,
    progress         INTEGER NOT NULL,
    operations       TEXT    NOT NULL,
    cancel_requested BOOLEAN NOT NULL,
    attempts         INTEGER NOT NULL,
    error_code       TEXT    NOT NULL,
    error_message    TEXT    NOT NULL,
    -- next_run_at is when the next step is due; 0 once the task has ended.
    next_run_at      BIGINT  NOT NULL,
    -- The lease: who runs the task now, until when, and a fencing epoch bumped
    -- by every claim and every cancellation.
    lease_owner      TEXT    NOT NULL,
    lease_until      BIGINT  NOT NULL,
    lease_epoch      BIGINT  NOT NULL,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL,
    finished_at      BIGINT  NOT NULL
);

-- DescribeTasks: newest first within an account and region.
CREATE INDEX tasks_account_region ON tasks (account_id, region_id, created_at, id);
-- The runner's claim: due tasks, earliest first.
CREATE INDEX tasks_due ON tasks (next_run_at);
-- Tasks of a resource (migrate_disk, query_load_progress, ResourceIds).
CREATE INDEX tasks_resource ON tasks (resource_id);
-- Clean-up of ended tasks.
CREATE INDEX tasks_finished ON tasks (finished_at);
