package sqlstore

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ecsd/ecsd/internal/store"
)

func TestEmbeddedMigrations(t *testing.T) {
	ms, err := embeddedMigrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 || ms[0].name != "0001_init.sql" {
		t.Fatalf("embedded migrations = %+v, want 0001_init.sql first", ms)
	}
}

func TestLoadMigrationsRejects(t *testing.T) {
	for name, fsys := range map[string]fstest.MapFS{
		"gap":       {"0001_a.sql": {}, "0003_c.sql": {}},
		"duplicate": {"0001_a.sql": {}, "0001_b.sql": {}},
		"zero":      {"0000_a.sql": {}},
		"bad name":  {"0001-Init.sql": {}},
	} {
		if _, err := loadMigrations(fsys); err == nil {
			t.Errorf("%s: loadMigrations accepted %v", name, fsys)
		}
	}
	ms, err := loadMigrations(fstest.MapFS{"0002_b.sql": {Data: []byte("B")}, "0001_a.sql": {Data: []byte("A")}})
	if err != nil || len(ms) != 2 || ms[0].sql != "A" || ms[1].version != 2 {
		t.Errorf("loadMigrations = %+v, %v", ms, err)
	}
}

// TestMigrationsIncremental applies a later migration to a database that already
// has the earlier ones, as an upgrade does, and refuses a database that is newer
// than the binary.
func TestMigrationsIncremental(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ecsd.db")
	db := openSQLiteFile(t, path, Options{})
	ms, err := embeddedMigrations()
	if err != nil {
		t.Fatal(err)
	}
	next := migration{version: len(ms) + 1, name: "9999_test.sql", sql: "CREATE TABLE upgrade_probe (id BIGINT PRIMARY KEY);"}
	if err := db.migrateTo(t.Context(), append(ms, next)); err != nil {
		t.Fatalf("migrate to %d: %v", next.version, err)
	}
	if err := db.migrateTo(t.Context(), append(ms, next)); err != nil {
		t.Fatalf("migrate again: %v", err)
	}
	if _, err := db.write.ExecContext(t.Context(), "INSERT INTO upgrade_probe (id) VALUES (1)"); err != nil {
		t.Fatalf("new table missing: %v", err)
	}
	_ = db.Close()
	_, err = OpenSQLite(t.Context(), path, Options{})
	if err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("opening a newer database: %v, want a refusal", err)
	}
}

func TestRebind(t *testing.T) {
	for in, want := range map[string]string{
		"SELECT 1":                              "SELECT 1",
		"SELECT a FROM t WHERE b = ?":           "SELECT a FROM t WHERE b = $1",
		"INSERT INTO t VALUES (?, ?, ?)":        "INSERT INTO t VALUES ($1, $2, $3)",
		"UPDATE t SET a=? WHERE b=? AND c = ?;": "UPDATE t SET a=$1 WHERE b=$2 AND c = $3;",
	} {
		if got := rebind(in); got != want {
			t.Errorf("rebind(%q) = %q, want %q", in, got, want)
		}
	}
	if got := sqliteDialect().bind("a = ?"); got != "a = ?" {
		t.Errorf("sqlite bind = %q", got)
	}
}

func TestClassifyPostgres(t *testing.T) {
	for code, want := range map[string]error{
		"40001": store.ErrBusy, "40P01": store.ErrBusy, "55P03": store.ErrBusy,
		"23505": store.ErrConflict, "23503": nil, "42P01": nil,
	} {
		pe := &pgconn.PgError{Code: code}
		got := classifyPostgres(pe)
		var back *pgconn.PgError
		if !errors.As(got, &back) || back != pe {
			t.Errorf("%s: classified error does not wrap the original", code)
		}
		for _, s := range []error{store.ErrBusy, store.ErrConflict} {
			if errors.Is(got, s) != (s == want) {
				t.Errorf("%s: errors.Is(%v, %v) = %v", code, got, s, !(s == want))
			}
		}
	}
}
