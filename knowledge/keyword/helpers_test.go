package keyword

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/herald-bot/herald/internal/pgtest"
	"github.com/herald-bot/herald/knowledge/internal/sqldb"
)

// testPG is this test binary's PostgreSQL server, started by the first
// test that needs it; TestMain stops it.
var testPG pgtest.Lazy

func TestMain(m *testing.M) {
	code := m.Run()
	testPG.Stop()
	os.Exit(code)
}

// testBackends are the databases the tests that take a backend run on.
var testBackends = []string{"sqlite", "postgres"}

// openTestDB opens a new SQLite database in t.TempDir() holding the
// index's tables (testdata/schema.sql) and nothing else.
func openTestDB(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "index.db")+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	schema, err := os.ReadFile("testdata/schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(string(schema)); err != nil {
		t.Fatal(err)
	}
	return db
}

// openBackendDB opens a new database of backend ("sqlite" or "postgres")
// holding the index's tables and nothing else; on PostgreSQL a database
// of the test binary's server (testdata/schema_postgres.sql), the test
// skipped where PostgreSQL is not installed.
func openBackendDB(t testing.TB, backend string) DB {
	t.Helper()
	if backend == "sqlite" {
		return openTestDB(t)
	}
	ctx := context.Background()
	srv := testPG.Server(t)
	name, err := srv.CreateDatabase(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("pgx", srv.URL(name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	schema, err := os.ReadFile("testdata/schema_postgres.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.ExecContext(ctx, string(schema)); err != nil {
		t.Fatal(err)
	}
	return sqldb.New(raw, sqldb.Postgres)
}

// begin starts a transaction on db (a database openBackendDB returned)
// and returns it with its commit.
func begin(t testing.TB, db DB) (DB, func() error) {
	t.Helper()
	ctx := context.Background()
	switch d := db.(type) {
	case *sql.DB:
		tx, err := d.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		return tx, tx.Commit
	case *sqldb.DB:
		tx, err := d.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		return tx, tx.Commit
	}
	t.Fatalf("begin: a %T", db)
	return nil, nil
}
