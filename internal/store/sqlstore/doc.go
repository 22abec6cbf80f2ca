// Package sqlstore implements store.Store over database/sql for two engines:
// SQLite through modernc.org/sqlite (the embedded default, no cgo) and PostgreSQL
// through pgx/v5's database/sql driver (several API servers sharing one database).
//
// Both engines run the same SQL: queries are written with ? placeholders and
// rebound to $n for PostgreSQL; the few differences (transaction options, error
// codes, migration locking) live in one dialect value.
//
// SQLite: one file in WAL mode with synchronous=FULL, exactly one writer
// connection (BEGIN IMMEDIATE) and a small pool of query_only reader connections,
// so View never queues behind Update. PostgreSQL: Update runs SERIALIZABLE and
// View runs REPEATABLE READ READ ONLY; serialization failures and deadlocks
// become store.ErrBusy and Update retries them.
//
// Timestamps are stored as BIGINT nanoseconds since the Unix epoch (UTC) in both
// engines, so they sort, compare and round-trip exactly; the zero time.Time is
// stored as 0.
//
// The schema is built by the numbered migrations embedded from migrations/,
// applied in order at open, each in its own transaction and recorded in
// schema_migrations.
package sqlstore
