-- 0011: RAM identities inside an account (guide 1.2.3, 1.3): users and their
-- AccessKeys, groups and their members, custom policies and their versions,
-- roles, and which policies are attached to which user, group or role.
-- Never edited once committed. Times are BIGINT nanoseconds (UTC).
--
-- Every row carries its account_id and every lookup is scoped by it. Names are
-- unique per account; users, groups and roles also have a stable numeric-string
-- ID that memberships, attachments and AccessKeys refer to, so a rename
-- (UpdateUser NewUserName, UpdateGroup NewGroupName) keeps them. System policies
-- are built into ecsd and are not stored; attachments name a policy by
-- (policy_type, policy_name).

-- user_id is '' for the account's own (root) AccessKeys, else the RAM user's ID.
ALTER TABLE access_keys ADD COLUMN user_id TEXT NOT NULL DEFAULT '';

CREATE INDEX access_keys_user ON access_keys (user_id, created_at, id);

CREATE TABLE ram_users (
    id           TEXT   PRIMARY KEY,
    account_id   BIGINT NOT NULL,
    name         TEXT   NOT NULL,
    display_name TEXT   NOT NULL,
    mobile_phone TEXT   NOT NULL,
    email        TEXT   NOT NULL,
    comments     TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (account_id, name)
);

CREATE TABLE ram_groups (
    id         TEXT   PRIMARY KEY,
    account_id BIGINT NOT NULL,
    name       TEXT   NOT NULL,
    comments   TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (account_id, name)
);

CREATE TABLE ram_group_members (
    account_id BIGINT NOT NULL,
    group_id   TEXT   NOT NULL,
    user_id    TEXT   NOT NULL,
    joined_at  BIGINT NOT NULL,
    PRIMARY KEY (group_id, user_id)
);

CREATE INDEX ram_group_members_user ON ram_group_members (user_id);

-- Custom policies; default_version names a row of ram_policy_versions and
-- next_version is the number the next CreatePolicyVersion takes (v1, v2, …).
CREATE TABLE ram_policies (
    account_id      BIGINT NOT NULL,
    name            TEXT   NOT NULL,
    description     TEXT   NOT NULL,
    default_version TEXT   NOT NULL,
    next_version    BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    PRIMARY KEY (account_id, name)
);

CREATE TABLE ram_policy_versions (
    account_id  BIGINT NOT NULL,
    policy_name TEXT   NOT NULL,
    version_id  TEXT   NOT NULL,
    version_num BIGINT NOT NULL,
    document    TEXT   NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (account_id, policy_name, version_id)
);

CREATE TABLE ram_roles (
    id                   TEXT   PRIMARY KEY,
    account_id           BIGINT NOT NULL,
    name                 TEXT   NOT NULL,
    description          TEXT   NOT NULL,
    assume_role_policy   TEXT   NOT NULL,
    max_session_duration BIGINT NOT NULL,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL,
    UNIQUE (account_id, name)
);

-- principal_type is 'User', 'Group' or 'Role'; principal_id that entity's ID.
CREATE TABLE ram_policy_attachments (
    account_id     BIGINT NOT NULL,
    principal_type TEXT   NOT NULL,
    principal_id   TEXT   NOT NULL,
    policy_type    TEXT   NOT NULL,
    policy_name    TEXT   NOT NULL,
    attached_at    BIGINT NOT NULL,
    PRIMARY KEY (account_id, principal_type, principal_id, policy_type, policy_name)
);

CREATE INDEX ram_policy_attachments_policy ON ram_policy_attachments (account_id, policy_type, policy_name);
