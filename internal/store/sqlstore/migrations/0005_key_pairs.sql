-- 0005: SSH key pairs (guide 1.12). Never edited once committed.
-- A key pair is named, unique per account and region; only its public half is
-- kept. finger_print is the lower-case hex MD5 of the public key blob. id is
-- internal: the resource_id of the key pair's rows in the tags table (0004),
-- resource_type 'keypair'. Instances refer to a key pair by name
-- (instances.key_pair_name, no foreign key: a deleted key pair's name stays on
-- its instances, guide 1.12.5).

CREATE TABLE key_pairs (
    id           TEXT   NOT NULL UNIQUE,
    account_id   BIGINT NOT NULL,
    region_id    TEXT   NOT NULL,
    name         TEXT   NOT NULL,
    finger_print TEXT   NOT NULL,
    public_key   TEXT   NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (account_id, region_id, name)
);

CREATE INDEX key_pairs_account_region ON key_pairs (account_id, region_id, created_at);
CREATE INDEX key_pairs_finger_print ON key_pairs (account_id, region_id, finger_print);
