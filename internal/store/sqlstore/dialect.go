package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/ecsd/ecsd/internal/store"
)

// dialect is everything that differs between the two engines. Queries are
// written once, with ? placeholders.
type dialect struct {
	// name is "sqlite" or "postgres".
	name string
	// dollar rebinds ? placeholders to $1, $2, … (PostgreSQL).
	dollar bool
	// writeTx and readTx are the options of Update and View transactions.
	writeTx, readTx *sql.TxOptions
	// lockMigrations, when set, runs first in every migration transaction so that
	// servers starting together apply each migration once.
	lockMigrations string
	// classify wraps err with store.ErrBusy or store.ErrConflict when the engine
	// reports a transient failure or a unique violation, and returns it unchanged
	// otherwise.
	classify func(err error) error
}

func sqliteDialect() *dialect {
	return &dialect{
		name: "sqlite",
		// writeTx is nil: the writer connection's DSN sets _txlock=immediate, so
		// every write transaction takes the write lock at BEGIN and never fails
		// halfway through upgrading a read lock.
		readTx:   &sql.TxOptions{ReadOnly: true},
		classify: classifySQLite,
	}
}

func postgresDialect() *dialect {
	return &dialect{
		name:           "postgres",
		dollar:         true,
		writeTx:        &sql.TxOptions{Isolation: sql.LevelSerializable},
		readTx:         &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
		lockMigrations: "LOCK TABLE schema_migrations IN EXCLUSIVE MODE",
		classify:       classifyPostgres,
	}
}

// bind returns q with its placeholders in the dialect's syntax.
func (d *dialect) bind(q string) string {
	if !d.dollar {
		return q
	}
	return rebind(q)
}

// rebind turns each ? in q into $1, $2, … in order. Queries in this package carry
// no string literals or comments containing '?', so no quoting rules apply.
func rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] != '?' {
			b.WriteByte(q[i])
			continue
		}
		n++
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(n))
	}
	return b.String()
}

// classifySQLite maps SQLITE_BUSY and SQLITE_LOCKED (including their extended
// codes) to store.ErrBusy and unique or primary-key violations to store.ErrConflict.
func classifySQLite(err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	code := se.Code()
	switch code & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return fmt.Errorf("%w: %w", store.ErrBusy, err)
	}
	switch code {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return fmt.Errorf("%w: %w", store.ErrConflict, err)
	}
	return err
}

// classifyPostgres maps serialization failures (40001), deadlocks (40P01) and
// lock timeouts (55P03) to store.ErrBusy and unique violations (23505) to
// store.ErrConflict.
func classifyPostgres(err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return err
	}
	switch pe.Code {
	case "40001", "40P01", "55P03":
		return fmt.Errorf("%w: %w", store.ErrBusy, err)
	case "23505":
		return fmt.Errorf("%w: %w", store.ErrConflict, err)
	}
	return err
}
