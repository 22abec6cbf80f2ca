package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/ecsd/ecsd/internal/store"
)

// tx implements store.Tx over one database/sql transaction. Its methods never
// let the engine raise an error for an expected outcome: inserts use ON CONFLICT
// DO NOTHING and report store.ErrConflict when no row was written, so the
// transaction stays usable on PostgreSQL, where any failed statement aborts it.
type tx struct {
	ctx context.Context
	tx  *sql.Tx
	d   *dialect
	// stmts caches prepared statements of the transaction's pool; uncached
	// lists the queries run without one, to prepare after the transaction.
	stmts    *stmtCache
	uncached []string
	// failed is the first engine error seen; the transaction then cannot commit.
	failed error
}

var _ store.Tx = (*tx)(nil)

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// fail classifies an engine error and remembers it as the one that poisons tx.
func (t *tx) fail(err error) error {
	err = t.d.classify(err)
	if t.failed == nil {
		t.failed = err
	}
	return err
}

// stmt returns query in the dialect's syntax, and the pool's prepared statement
// for it bound to this transaction, or nil (the query is then noted, to be
// prepared after the transaction).
func (t *tx) stmt(query string) (string, *sql.Stmt) {
	q := t.d.bind(query)
	if st := t.stmts.lookup(q); st != nil {
		return q, t.tx.StmtContext(t.ctx, st)
	}
	t.uncached = append(t.uncached, q)
	return q, nil
}

func (t *tx) execContext(query string, args ...any) (sql.Result, error) {
	q, st := t.stmt(query)
	if st != nil {
		return st.ExecContext(t.ctx, args...)
	}
	return t.tx.ExecContext(t.ctx, q, args...)
}

func (t *tx) queryRowContext(query string, args ...any) *sql.Row {
	q, st := t.stmt(query)
	if st != nil {
		return st.QueryRowContext(t.ctx, args...)
	}
	return t.tx.QueryRowContext(t.ctx, q, args...)
}

func (t *tx) queryContext(query string, args ...any) (*sql.Rows, error) {
	q, st := t.stmt(query)
	if st != nil {
		return st.QueryContext(t.ctx, args...)
	}
	return t.tx.QueryContext(t.ctx, q, args...)
}

// exec runs a statement and returns the number of rows it affected.
func (t *tx) exec(query string, args ...any) (int64, error) {
	res, err := t.execContext(query, args...)
	if err != nil {
		return 0, t.fail(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, t.fail(err)
	}
	return n, nil
}

// get runs a query expected to return at most one row and scans it with scan;
// store.ErrNotFound when there is no row.
func (t *tx) get(scan func(scanner) error, query string, args ...any) error {
	err := scan(t.queryRowContext(query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	if err != nil {
		return t.fail(err)
	}
	return nil
}

// list runs a query and calls scan for each row.
func (t *tx) list(scan func(scanner) error, query string, args ...any) error {
	rows, err := t.queryContext(query, args...)
	if err != nil {
		return t.fail(err)
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return t.fail(err)
		}
	}
	if err := rows.Err(); err != nil {
		return t.fail(err)
	}
	return nil
}

// insert runs an INSERT … ON CONFLICT DO NOTHING; store.ErrConflict when it
// wrote no row.
func (t *tx) insert(query string, args ...any) error {
	n, err := t.exec(query, args...)
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrConflict
	}
	return nil
}

// update runs an UPDATE; store.ErrNotFound when it matched no row.
func (t *tx) update(query string, args ...any) error {
	n, err := t.exec(query, args...)
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// toNanos converts t to the stored form: nanoseconds since the Unix epoch, 0 for
// the zero time. Times outside 1678–2262 cannot be stored.
func toNanos(t time.Time) (int64, error) {
	if t.IsZero() {
		return 0, nil
	}
	if t.Before(time.Unix(0, math.MinInt64)) || t.After(time.Unix(0, math.MaxInt64)) {
		return 0, fmt.Errorf("time %s outside the storable range (years 1678-2262)", t.Format(time.RFC3339))
	}
	return t.UnixNano(), nil
}

// fromNanos converts the stored form back: UTC, or the zero time for 0.
func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
