package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"time"
)

// migrationFiles holds the schema history: migrations/NNNN_name.sql, numbered from
// 0001 without gaps and applied in order. Migrations are never edited once
// committed — databases in the field have already run them; change the schema by
// adding the next file. Write SQL that both SQLite and PostgreSQL accept.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migration is one numbered schema change.
type migration struct {
	version int
	name    string // file name, recorded in schema_migrations
	sql     string
}

// loadMigrations reads the NNNN_name.sql files at the root of fsys and checks
// that they are numbered 1, 2, 3, ….
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	nameRE := regexp.MustCompile(`^([0-9]{4})_[a-z0-9_]+\.sql$`)
	var out []migration
	for _, name := range names {
		m := nameRE.FindStringSubmatch(name)
		if m == nil {
			return nil, fmt.Errorf("migration %s: name is not NNNN_lowercase_words.sql", name)
		}
		v, _ := strconv.Atoi(m[1])
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", name, err)
		}
		out = append(out, migration{version: v, name: name, sql: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %s: expected version %04d (versions start at 1 without gaps or duplicates)", m.name, i+1)
		}
	}
	return out, nil
}

// embeddedMigrations returns the migrations compiled into the binary.
func embeddedMigrations() ([]migration, error) {
	dir, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	return loadMigrations(dir)
}

// migrate brings the schema up to date with the embedded migrations.
func (db *DB) migrate(ctx context.Context) error {
	ms, err := embeddedMigrations()
	if err != nil {
		return err
	}
	return db.migrateTo(ctx, ms)
}

// migrateTo applies every migration in ms that schema_migrations does not list,
// each in its own transaction.
func (db *DB) migrateTo(ctx context.Context, ms []migration) error {
	if err := db.createMigrationsTable(ctx); err != nil {
		return err
	}
	var newest sql.NullInt64
	if err := db.write.QueryRowContext(ctx, "SELECT MAX(version) FROM schema_migrations").Scan(&newest); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if newest.Valid && int(newest.Int64) > len(ms) {
		return fmt.Errorf("database schema version %d is newer than this binary's %d: upgrade ecsd", newest.Int64, len(ms))
	}
	for _, m := range ms {
		if err := db.applyMigration(ctx, m); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
	}
	return nil
}

// createMigrationsTable creates schema_migrations if needed. PostgreSQL servers
// racing to create it can fail even with IF NOT EXISTS (duplicate type 42710 or a
// unique violation in the catalog); once the winner commits, a retry sees the
// table, so any failure is retried a few times.
func (db *DB) createMigrationsTable(ctx context.Context) error {
	const q = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    BIGINT PRIMARY KEY,
    name       TEXT   NOT NULL,
    applied_at BIGINT NOT NULL
)`
	var err error
	for attempt := 1; attempt <= 5; attempt++ {
		if _, err = db.write.ExecContext(ctx, q); err == nil {
			return nil
		}
		if werr := sleep(ctx, backoff(attempt)); werr != nil {
			break
		}
	}
	return fmt.Errorf("create schema_migrations: %w", err)
}

// applyMigration runs m unless it is recorded as applied, and records it, in one
// transaction. On PostgreSQL the transaction first locks schema_migrations, so a
// server that starts at the same time waits and then sees the migration applied.
func (db *DB) applyMigration(ctx context.Context, m migration) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	if db.d.lockMigrations != "" {
		if _, err := tx.ExecContext(ctx, db.d.lockMigrations); err != nil {
			return fmt.Errorf("lock schema_migrations: %w", err)
		}
	}
	var n int
	if err := tx.QueryRowContext(ctx, db.d.bind("SELECT COUNT(*) FROM schema_migrations WHERE version = ?"), m.version).Scan(&n); err != nil {
		return fmt.Errorf("read schema_migrations: %w", err)
	}
	if n > 0 {
		return nil
	}
	// No arguments: pgx sends it with the simple protocol, which accepts several
	// statements; modernc.org/sqlite executes them one after another.
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	// Migration bookkeeping is the one place the store reads the wall clock itself.
	if _, err := tx.ExecContext(ctx, db.d.bind("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"),
		m.version, m.name, time.Now().UTC().UnixNano()); err != nil {
		return fmt.Errorf("record: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
