package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/ecsd/ecsd/internal/store"
)

// Options tunes a DB; the zero value selects the defaults.
type Options struct {
	// BusyTimeout is how long a SQLite connection waits for a lock held by another
	// process (another ecsd on the same file, a backup tool) before it fails with
	// SQLITE_BUSY. Default 5s.
	BusyTimeout time.Duration
	// ReadConns is the number of SQLite reader connections. Default 4.
	ReadConns int
	// MaxConns bounds the PostgreSQL connection pool. Default 16.
	MaxConns int
	// Attempts is how many times Update runs fn when it fails with store.ErrBusy,
	// the first run included. Default 10.
	Attempts int
}

func (o Options) withDefaults() Options {
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = 5 * time.Second
	}
	if o.ReadConns <= 0 {
		o.ReadConns = 4
	}
	if o.MaxConns <= 0 {
		o.MaxConns = 16
	}
	if o.Attempts <= 0 {
		o.Attempts = 10
	}
	return o
}

// DB is a store.Store backed by SQLite or PostgreSQL. It is safe for concurrent use.
type DB struct {
	d        *dialect
	write    *sql.DB // SQLite: the single writer connection; PostgreSQL: the pool
	read     *sql.DB // SQLite: the query_only reader pool; PostgreSQL: same as write
	attempts int
	// writeStmts and readStmts cache prepared statements per pool (one cache when
	// the pools are the same).
	writeStmts, readStmts *stmtCache

	closeOnce sync.Once
	closeErr  error
}

var _ store.Store = (*DB)(nil)

// Open opens the store a server is configured with: PostgreSQL when dsn starts
// with postgres:// or postgresql://, the SQLite file PATH when dsn is sqlite:PATH,
// and SQLite at dataDir/ecsd.db (creating dataDir) when dsn is empty.
func Open(ctx context.Context, dsn, dataDir string) (*DB, error) {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return OpenPostgres(ctx, dsn, Options{})
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			return nil, errors.New("open store: sqlite dsn has no path (want sqlite:PATH)")
		}
		return OpenSQLite(ctx, path, Options{})
	case dsn != "":
		return nil, errors.New("open store: unsupported dsn (want postgres://…, postgresql://… or sqlite:PATH)")
	case dataDir == "":
		return nil, errors.New("open store: neither a dsn nor a data directory is set")
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	return OpenSQLite(ctx, filepath.Join(dataDir, "ecsd.db"), Options{})
}

// OpenSQLite opens (creating if needed) the SQLite database file at path and
// applies pending migrations. The directory must exist; ":memory:" is not
// supported, because the reader pool must see the writer's file.
func OpenSQLite(ctx context.Context, path string, opts Options) (*DB, error) {
	opts = opts.withDefaults()
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	write, err := sql.Open("sqlite", sqliteDSN(abs, opts, true))
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", abs, err)
	}
	// Exactly one writer connection, kept open for the life of the DB: SQLite
	// allows one writer at a time anyway, and queueing in database/sql (which
	// honours ctx) is cheaper than spinning on SQLITE_BUSY.
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	// The writer opens first, so the file exists and is in WAL mode before any
	// reader connects.
	if err := write.PingContext(ctx); err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", abs, err)
	}
	read, err := sql.Open("sqlite", sqliteDSN(abs, opts, false))
	if err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", abs, err)
	}
	read.SetMaxOpenConns(opts.ReadConns)
	read.SetMaxIdleConns(opts.ReadConns)
	return open(ctx, sqliteDialect(), write, read, opts)
}

// sqliteDSN returns the modernc.org/sqlite DSN for path. PRAGMAs travel as
// _pragma parameters so that every connection the pool opens gets them.
func sqliteDSN(path string, opts Options, writer bool) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", opts.BusyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	if writer {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(FULL)")
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// OpenPostgres connects to the PostgreSQL database at url (a postgres:// URL or
// a key=value DSN, as pgx parses it) and applies pending migrations. Tables are
// created in the first schema of the connection's search_path.
func OpenPostgres(ctx context.Context, url string, opts Options) (*DB, error) {
	opts = opts.withDefaults()
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	pool := stdlib.OpenDB(*cfg)
	pool.SetMaxOpenConns(opts.MaxConns)
	pool.SetMaxIdleConns(opts.MaxConns)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := pool.PingContext(ctx); err != nil {
		_ = pool.Close()
		return nil, fmt.Errorf("open postgres %s:%d/%s: %w", cfg.Host, cfg.Port, cfg.Database, err)
	}
	return open(ctx, postgresDialect(), pool, pool, opts)
}

// open assembles a DB and migrates it; it closes the pools on failure.
func open(ctx context.Context, d *dialect, write, read *sql.DB, opts Options) (*DB, error) {
	db := &DB{d: d, write: write, read: read, attempts: opts.Attempts, writeStmts: newStmtCache(write)}
	db.readStmts = db.writeStmts
	if read != write {
		db.readStmts = newStmtCache(read)
	}
	if err := db.migrate(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open %s: %w", d.name, err)
	}
	err := db.Update(ctx, func(st store.Tx) error { return st.(*tx).backfillInstanceTagText() })
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open %s: fill instances' tag text: %w", d.name, err)
	}
	return db, nil
}

// Dialect returns "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.d.name }

// Update runs fn in a read-write transaction and commits when fn returns nil.
// When the transaction fails with store.ErrBusy it is rolled back and run again,
// after a short jittered backoff, up to Options.Attempts times in all. fn must not
// call Update itself: on SQLite the nested call would wait forever for the one
// writer connection.
func (db *DB) Update(ctx context.Context, fn func(tx store.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := db.run(ctx, db.writeStmts, db.d.writeTx, true, fn)
		if !errors.Is(err, store.ErrBusy) {
			return err
		}
		if attempt >= db.attempts {
			return fmt.Errorf("update: gave up after %d attempts: %w", attempt, err)
		}
		if werr := sleep(ctx, backoff(attempt)); werr != nil {
			return fmt.Errorf("update: %w; not retried: %w", err, werr)
		}
	}
}

// View runs fn in a read-only transaction on the read pool; it is not retried.
func (db *DB) View(ctx context.Context, fn func(tx store.Tx) error) error {
	return db.run(ctx, db.readStmts, db.d.readTx, false, fn)
}

// Close closes the connection pools; later calls return the first call's result.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		db.writeStmts.close()
		if db.readStmts != db.writeStmts {
			db.readStmts.close()
		}
		var errs []error
		if db.read != db.write {
			errs = append(errs, db.read.Close())
		}
		errs = append(errs, db.write.Close())
		if err := errors.Join(errs...); err != nil {
			db.closeErr = fmt.Errorf("close %s store: %w", db.d.name, err)
		}
	})
	return db.closeErr
}

// run executes fn in one transaction on the statement cache's pool, committing
// when commit is set and fn succeeds, rolling back otherwise (also when fn panics).
func (db *DB) run(ctx context.Context, stmts *stmtCache, opts *sql.TxOptions, commit bool, fn func(store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	stx, err := stmts.pool.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin: %w", db.d.classify(err))
	}
	t := &tx{ctx: ctx, tx: stx, d: db.d, stmts: stmts}
	// Deferred calls run last-in first-out: the rollback below releases the
	// connection before this one prepares what the transaction ran uncached.
	defer func() {
		if len(t.uncached) > 0 {
			stmts.prepareAll(context.WithoutCancel(ctx), t.uncached)
		}
	}()
	done := false
	defer func() {
		if !done {
			_ = stx.Rollback()
		}
	}()
	if err := fn(t); err != nil {
		return err
	}
	if t.failed != nil {
		return fmt.Errorf("transaction aborted by an earlier error: %w", t.failed)
	}
	if !commit {
		return nil
	}
	done = true
	if err := stx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", db.d.classify(err))
	}
	return nil
}

// backoff returns the pause before retry number attempt (1-based): exponential
// from 2ms, capped at 100ms, with the upper half jittered.
func backoff(attempt int) time.Duration {
	d := 2 * time.Millisecond << min(attempt-1, 6)
	d = min(d, 100*time.Millisecond)
	return d/2 + rand.N(d/2+1)
}

// sleep waits for d or until ctx is done, whichever comes first.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
