-- What a large fleet needs (docs/instances.md, "Performance at scale").

-- Free addresses of each VSwitch as runs [first_addr, last_addr] of IPv4
-- numbers: allocating the lowest free address, or a requested one, reads one
-- run instead of every taken address. Runs are derived from private_ips (which
-- stays the record of who holds an address) and built the first time a
-- VSwitch without any run allocates or releases (network.AllocatePrivateIP).
CREATE TABLE vswitch_free_ranges (
    vswitch_id TEXT   NOT NULL,
    first_addr BIGINT NOT NULL,
    last_addr  BIGINT NOT NULL,
    PRIMARY KEY (vswitch_id, first_addr)
);

-- The reconciler's health sweep pages through the Running instances of every
-- account by ID.
CREATE INDEX instances_status_id ON instances (status, id);

-- Running instances are no longer inspected through a scheduled step that
-- rewrote every row (intent 'Running/check'), but by the sweep, which only
-- reads: drop the old schedule.
UPDATE instances SET next_status = '', next_status_at = 0 WHERE next_status = 'Running/check';

-- The reconciler asks for the earliest due transitions, a few at a time, while
-- thousands may be due (a burst of RunInstances): with the ID in the index the
-- ORDER BY … LIMIT reads only the rows it returns instead of sorting all that
-- are due.
DROP INDEX instances_due;
CREATE INDEX instances_due ON instances (next_status_at, id);
