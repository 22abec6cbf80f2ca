package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/ecsd/ecsd/internal/store"
	"github.com/ecsd/ecsd/internal/store/storetest"
)

// openSQLiteFile opens the SQLite store at path or fails the test.
func openSQLiteFile(t *testing.T, path string, opts Options) *DB {
	t.Helper()
	db, err := OpenSQLite(t.Context(), path, opts)
	if err != nil {
		t.Fatalf("OpenSQLite: %v", err)
	}
	return db
}

func TestSQLite(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return openSQLiteFile(t, filepath.Join(t.TempDir(), "ecsd.db"), Options{})
	})
	storetest.RunDurability(t, func(t *testing.T) func() store.Store {
		path := filepath.Join(t.TempDir(), "ecsd.db")
		return func() store.Store { return openSQLiteFile(t, path, Options{}) }
	})
}

// postgresURL returns ECSD_TEST_POSTGRES or skips the test.
func postgresURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("ECSD_TEST_POSTGRES")
	if u == "" {
		t.Skip(`ECSD_TEST_POSTGRES not set: start a throw-away server with eval "$(.ci/postgres.sh)" to run the PostgreSQL tests`)
	}
	return u
}

// freshSchema creates a schema with a random name in the ECSD_TEST_POSTGRES
// database, drops it when the test ends, and returns a URL whose search_path
// selects it, so tests run in parallel and repeatedly without interfering.
func freshSchema(t *testing.T) string {
	t.Helper()
	base := postgresURL(t)
	cfg, err := pgx.ParseConfig(base)
	if err != nil {
		t.Fatalf("ECSD_TEST_POSTGRES: %v", err)
	}
	admin := stdlib.OpenDB(*cfg)
	var b [8]byte
	_, _ = rand.Read(b[:])
	schema := "ecsd_test_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(t.Context(), "CREATE SCHEMA "+schema); err != nil {
		_ = admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		if _, err := admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		_ = admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("ECSD_TEST_POSTGRES must be a postgres:// URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// openPostgres opens a store on url or fails the test.
func openPostgres(t *testing.T, url string) *DB {
	t.Helper()
	db, err := OpenPostgres(t.Context(), url, Options{MaxConns: 8})
	if err != nil {
		t.Fatalf("OpenPostgres: %v", err)
	}
	return db
}

func TestPostgres(t *testing.T) {
	postgresURL(t)
	storetest.Run(t, func(t *testing.T) store.Store { return openPostgres(t, freshSchema(t)) })
	storetest.RunDurability(t, func(t *testing.T) func() store.Store {
		u := freshSchema(t)
		return func() store.Store { return openPostgres(t, u) }
	})
}

// eachDialect runs fn against a fresh SQLite store and, when configured, a fresh
// PostgreSQL store.
func eachDialect(t *testing.T, fn func(t *testing.T, db *DB)) {
	t.Run("sqlite", func(t *testing.T) {
		db := openSQLiteFile(t, filepath.Join(t.TempDir(), "ecsd.db"), Options{})
		t.Cleanup(func() { _ = db.Close() })
		fn(t, db)
	})
	t.Run("postgres", func(t *testing.T) {
		db := openPostgres(t, freshSchema(t))
		t.Cleanup(func() { _ = db.Close() })
		fn(t, db)
	})
}

func TestEngineErrorsClassified(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		a := store.Account{ID: 1, Name: "alice", Status: store.AccountEnabled, CreatedAt: time.Now()}
		if err := db.Update(t.Context(), func(tx store.Tx) error { return tx.CreateAccount(a) }); err != nil {
			t.Fatal(err)
		}
		// A raw duplicate INSERT makes the engine report a unique violation.
		var rawErr error
		err := db.Update(t.Context(), func(stx store.Tx) error {
			_, rawErr = stx.(*tx).exec("INSERT INTO accounts (id, name, status, created_at) VALUES (?, ?, ?, ?)", 1, "bob", "Enabled", 0)
			return nil // swallowing it must not commit a broken transaction
		})
		if !errors.Is(rawErr, store.ErrConflict) {
			t.Errorf("duplicate INSERT: %v, want ErrConflict", rawErr)
		}
		if !errors.Is(err, store.ErrConflict) {
			t.Errorf("Update after a swallowed engine error: %v, want the poisoning ErrConflict", err)
		}
		// Unstorable times are refused, not truncated.
		far := store.Account{ID: 2, Name: "far", Status: store.AccountEnabled, CreatedAt: time.Date(3000, 1, 1, 0, 0, 0, 0, time.UTC)}
		err = db.Update(t.Context(), func(tx store.Tx) error { return tx.CreateAccount(far) })
		if err == nil || errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrBusy) {
			t.Errorf("CreateAccount in year 3000: %v, want a range error", err)
		}
	})
}

func TestSQLitePragmas(t *testing.T) {
	db := openSQLiteFile(t, filepath.Join(t.TempDir(), "ecsd.db"), Options{BusyTimeout: 1234 * time.Millisecond})
	defer db.Close()
	for _, c := range []struct {
		pool   *sql.DB
		pragma string
		want   string
	}{
		{db.write, "journal_mode", "wal"},
		{db.write, "synchronous", "2"},
		{db.write, "foreign_keys", "1"},
		{db.write, "busy_timeout", "1234"},
		{db.write, "query_only", "0"},
		{db.read, "journal_mode", "wal"},
		{db.read, "foreign_keys", "1"},
		{db.read, "busy_timeout", "1234"},
		{db.read, "query_only", "1"},
	} {
		var got string
		if err := c.pool.QueryRowContext(t.Context(), "PRAGMA "+c.pragma).Scan(&got); err != nil {
			t.Fatalf("PRAGMA %s: %v", c.pragma, err)
		}
		if got != c.want {
			t.Errorf("PRAGMA %s = %s, want %s", c.pragma, got, c.want)
		}
	}
	if n := db.write.Stats().MaxOpenConnections; n != 1 {
		t.Errorf("writer MaxOpenConnections = %d, want 1", n)
	}
}

// TestSQLiteBusyAcrossHandles opens the same file twice, as two processes would:
// while one holds the write lock, the other's Update fails with ErrBusy after its
// bounded retries, and succeeds once the lock is released.
func TestSQLiteBusyAcrossHandles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ecsd.db")
	a := openSQLiteFile(t, path, Options{})
	defer a.Close()
	b := openSQLiteFile(t, path, Options{BusyTimeout: 20 * time.Millisecond, Attempts: 3})
	defer b.Close()

	inside, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	errc := make(chan error, 1)
	go func() {
		errc <- a.Update(t.Context(), func(tx store.Tx) error {
			if err := tx.PutSetting("holder", "a"); err != nil {
				return err
			}
			once.Do(func() { close(inside) })
			<-release
			return nil
		})
	}()
	<-inside
	calls := 0
	err := b.Update(t.Context(), func(tx store.Tx) error { calls++; return tx.PutSetting("holder", "b") })
	if !errors.Is(err, store.ErrBusy) {
		t.Errorf("Update while another handle writes: %v, want ErrBusy", err)
	}
	if calls > 3 {
		t.Errorf("fn ran %d times, want at most 3", calls)
	}
	close(release)
	if err := <-errc; err != nil {
		t.Fatalf("holder's Update: %v", err)
	}
	if err := b.Update(t.Context(), func(tx store.Tx) error { return tx.PutSetting("holder", "b") }); err != nil {
		t.Fatalf("Update after release: %v", err)
	}
}

func TestOpen(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "nested")
	db, err := Open(t.Context(), "", dir)
	if err != nil {
		t.Fatalf("Open in a data directory: %v", err)
	}
	if db.Dialect() != "sqlite" {
		t.Errorf("Dialect = %s, want sqlite", db.Dialect())
	}
	_ = db.Close()
	if _, err := os.Stat(filepath.Join(dir, "ecsd.db")); err != nil {
		t.Errorf("data directory: %v", err)
	}

	path := filepath.Join(t.TempDir(), "with space?#%.db")
	db, err = Open(t.Context(), "sqlite:"+path, "ignored")
	if err != nil {
		t.Fatalf("Open(sqlite:PATH): %v", err)
	}
	_ = db.Close()
	if _, err := os.Stat(path); err != nil {
		t.Errorf("sqlite:PATH: %v", err)
	}

	for _, dsn := range []string{"mysql://u:p@h/db", "sqlite:", ""} {
		if db, err := Open(t.Context(), dsn, ""); err == nil {
			_ = db.Close()
			t.Errorf("Open(%q, \"\") succeeded", dsn)
		} else if strings.Contains(err.Error(), "u:p") {
			t.Errorf("Open(%q) error leaks credentials: %v", dsn, err)
		}
	}
}

func TestOpenPostgresDispatch(t *testing.T) {
	u := freshSchema(t)
	db, err := Open(t.Context(), u, "")
	if err != nil {
		t.Fatalf("Open(postgres://…): %v", err)
	}
	defer db.Close()
	if db.Dialect() != "postgres" {
		t.Errorf("Dialect = %s, want postgres", db.Dialect())
	}
}

// TestPostgresConcurrentOpen starts several servers on one empty schema at
// once: each migration is applied exactly once and every open succeeds.
func TestPostgresConcurrentOpen(t *testing.T) {
	u := freshSchema(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			db, err := OpenPostgres(t.Context(), u, Options{MaxConns: 2})
			if err == nil {
				err = db.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("open %d: %v", i, err)
		}
	}
	db := openPostgres(t, u)
	defer db.Close()
	var n int
	if err := db.write.QueryRowContext(t.Context(), "SELECT COUNT(*) FROM schema_migrations").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if ms, _ := embeddedMigrations(); n != len(ms) {
		t.Errorf("schema_migrations has %d rows, want %d", n, len(ms))
	}
}
