package knowledge

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/herald-bot/herald/internal/pgtest"
	"github.com/herald-bot/herald/knowledge/internal/sqldb"
)

// testPG is this test binary's PostgreSQL server, started by the first
// test that needs it; TestMain stops it.
var testPG pgtest.Lazy

// pgDatabase is the database on testPG whose schemas the tests use: a
// schema per test is much faster to make than a database.
var pgDatabase struct {
	once sync.Once
	name string
	err  error
	n    atomic.Int64
}

func TestMain(m *testing.M) {
	code := m.Run()
	testPG.Stop()
	os.Exit(code)
}

// backend is a database Herald runs on, as the store's tests see it: a
// way to make a fresh, empty database and return what Open takes.
type backend struct {
	name  string
	fresh func(tb testing.TB) string
}

// backends are the databases every store test runs against.
var backends = []backend{
	{"sqlite", func(tb testing.TB) string { return filepath.Join(tb.TempDir(), "herald.db") }},
	{"postgres", freshPostgres},
}

// freshPostgres returns the URL of a new, empty schema on the test
// binary's PostgreSQL server (Open migrates it); the test is skipped where
// PostgreSQL is not installed.
func freshPostgres(tb testing.TB) string {
	tb.Helper()
	srv := testPG.Server(tb)
	ctx := context.Background()
	pgDatabase.once.Do(func() { pgDatabase.name, pgDatabase.err = srv.CreateDatabase(ctx, "") })
	if pgDatabase.err != nil {
		tb.Fatalf("cannot create the PostgreSQL test database: %v", pgDatabase.err)
	}
	schema := fmt.Sprintf("test%d", pgDatabase.n.Add(1))
	url := srv.URL(pgDatabase.name)
	raw, err := sql.Open("pgx", url)
	if err != nil {
		tb.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		tb.Fatal(err)
	}
	return url + "&search_path=" + schema
}

// mustOpen opens the database dsn names, closed when the test ends.
func mustOpen(tb testing.TB, dsn string) *DB {
	tb.Helper()
	db, err := Open(context.Background(), dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// forEachBackend runs test once on each backend, as subtests named after
// them, each with a fresh database.
func forEachBackend(t *testing.T, test func(t *testing.T, db *DB)) {
	t.Helper()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { test(t, mustOpen(t, b.fresh(t))) })
	}
}

// forEachBackendFresh runs test once on each backend, with a function
// that opens a fresh database of it each time it is called, for tests
// that compare databases.
func forEachBackendFresh(t *testing.T, test func(t *testing.T, open func() *DB)) {
	t.Helper()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { test(t, func() *DB { return mustOpen(t, b.fresh(t)) }) })
	}
}

// forEachDSN runs test once on each backend with what Open takes for a
// fresh database, for tests that open (and reopen) it themselves.
func forEachDSN(t *testing.T, test func(t *testing.T, dsn string)) {
	t.Helper()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { test(t, b.fresh(t)) })
	}
}

// TestMigrationsPerDialect checks that PostgreSQL has a migration for
// every number SQLite has, and no other: a migration added for one
// database needs its twin for the other.
func TestMigrationsPerDialect(t *testing.T) {
	versions := func(d sqldb.Dialect) []int {
		migs, err := migrations(d)
		if err != nil {
			t.Fatal(err)
		}
		var out []int
		for _, m := range migs {
			out = append(out, m.version)
		}
		return out
	}
	lite, pg := versions(sqldb.SQLite), versions(sqldb.Postgres)
	if !slices.Equal(lite, pg) {
		t.Errorf("migrations: SQLite has %v, PostgreSQL %v: write knowledge/migrations/postgres/NNNN_*.sql for each SQLite migration", lite, pg)
	}
}

// schemaAt makes the database at dsn (a SQLite path or a PostgreSQL URL)
// a database of an earlier Herald: it applies the migrations numbered
// below version, records them, and returns the raw handle (to fill it as
// that Herald would have) with its dialect. Close it before opening the
// database with Open.
func schemaAt(t *testing.T, dsn string, version int) (*sqldb.DB, sqldb.Dialect) {
	t.Helper()
	ctx := context.Background()
	driver, source, dialect, pattern := "sqlite", "file:"+dsn, sqldb.SQLite, "migrations/*.sql"
	if IsPostgresURL(dsn) {
		driver, source, dialect, pattern = "pgx", dsn, sqldb.Postgres, "migrations/postgres/*.sql"
	}
	pool, err := sql.Open(driver, source)
	if err != nil {
		t.Fatal(err)
	}
	raw := sqldb.New(pool, dialect)
	names, _ := fs.Glob(migrationFiles, pattern)
	sort.Strings(names)
	if _, err := raw.ExecContext(ctx, `CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		v, _ := strconv.Atoi(strings.SplitN(filepath.Base(name), "_", 2)[0])
		if v >= version {
			break
		}
		body, _ := migrationFiles.ReadFile(name)
		if _, err := raw.ExecContext(ctx, string(body)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := raw.ExecContext(ctx, `INSERT INTO schema_migrations VALUES (?, 0)`, v); err != nil {
			t.Fatal(err)
		}
	}
	return raw, dialect
}
