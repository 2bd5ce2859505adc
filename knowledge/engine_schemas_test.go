package knowledge

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
)

// TestEngineTestSchemasMatchTheMigrations: the keyword and vector
// indexes test their SQL on copies of their tables (testdata/schema.sql,
// since they cannot import the store); every table and column of those
// copies must be as the store's migrations make it, so that the engines'
// tests run on the schema users have.
func TestEngineTestSchemasMatchTheMigrations(t *testing.T) {
	ctx := context.Background()
	store := MustOpenDB(t).SQL()
	for _, file := range []string{"keyword/testdata/schema.sql", "vector/testdata/schema.sql"} {
		t.Run(file, func(t *testing.T) {
			schema, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			copyDB, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "copy.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer copyDB.Close()
			if _, err := copyDB.ExecContext(ctx, string(schema)); err != nil {
				t.Fatal(err)
			}
			tables := queryStrings(t, copyDB, `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
			if len(tables) == 0 {
				t.Fatal("no tables")
			}
			for _, table := range tables {
				want := columns(t, store, table)
				if len(want) == 0 {
					t.Errorf("%s: the migrations make no table %s", file, table)
					continue
				}
				for name, decl := range columns(t, copyDB, table) {
					if want[name] != decl {
						t.Errorf("%s: %s.%s is %q, the migrations make %q", file, table, name, decl, want[name])
					}
				}
			}
		})
	}
}

// TestEngineTestSchemasMatchThePostgresMigrations: the same for the
// keyword index's PostgreSQL copy (testdata/schema_postgres.sql) against
// the PostgreSQL migrations.
func TestEngineTestSchemasMatchThePostgresMigrations(t *testing.T) {
	const file = "keyword/testdata/schema_postgres.sql"
	ctx := context.Background()
	store := mustOpen(t, freshPostgres(t)).SQL()
	schema, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	copyDB, err := sql.Open("pgx", freshPostgres(t))
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	if _, err := copyDB.ExecContext(ctx, string(schema)); err != nil {
		t.Fatal(err)
	}
	want, got := pgColumns(t, store), pgColumns(t, copyDB)
	if len(got) == 0 {
		t.Fatal("no tables")
	}
	for table, cols := range got {
		if want[table] == nil {
			t.Errorf("%s: the migrations make no table %s", file, table)
			continue
		}
		for name, decl := range cols {
			if want[table][name] != decl {
				t.Errorf("%s: %s.%s is %q, the migrations make %q", file, table, name, decl, want[table][name])
			}
		}
	}
}

// pgColumns returns the tables of the connection's current schema, each
// with its columns' type, NOT NULL and primary-key membership.
func pgColumns(t *testing.T, db *sql.DB) map[string]map[string]string {
	t.Helper()
	rows, err := db.Query(`
		SELECT c.table_name, c.column_name, c.data_type, c.is_nullable,
		       EXISTS (SELECT 1 FROM information_schema.table_constraints tc
		               JOIN information_schema.key_column_usage k
		                 ON k.constraint_name = tc.constraint_name AND k.table_schema = tc.table_schema
		               WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = c.table_schema
		                 AND tc.table_name = c.table_name AND k.column_name = c.column_name)
		FROM information_schema.columns c
		WHERE c.table_schema = current_schema()`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]map[string]string{}
	for rows.Next() {
		var table, name, typ, nullable string
		var pk bool
		if err := rows.Scan(&table, &name, &typ, &nullable, &pk); err != nil {
			t.Fatal(err)
		}
		if out[table] == nil {
			out[table] = map[string]string{}
		}
		out[table][name] = typ + map[string]string{"YES": "", "NO": " NOT NULL"}[nullable] + map[bool]string{false: "", true: " PK"}[pk]
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// columns returns a table's columns with their type, NOT NULL and
// primary-key position.
func columns(t *testing.T, db *sql.DB, table string) map[string]string {
	t.Helper()
	rows, err := db.Query(`SELECT name, type, "notnull", pk FROM pragma_table_info(?)`, table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, typ string
		var notNull, pk int
		if err := rows.Scan(&name, &typ, &notNull, &pk); err != nil {
			t.Fatal(err)
		}
		out[name] = typ + map[int]string{0: "", 1: " NOT NULL"}[notNull] + map[bool]string{false: "", true: " PK"}[pk > 0]
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func queryStrings(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
