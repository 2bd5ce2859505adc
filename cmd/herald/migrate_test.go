package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/herald-bot/herald/internal/pgtest"
)

// testPG is this test binary's PostgreSQL server, started by the first
// test that needs it.
var testPG pgtest.Lazy

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		// A child of TestTwoProcessesAsShards: be herald.
		main()
		os.Exit(0)
	}
	code := m.Run()
	testPG.Stop()
	os.Exit(code)
}

// TestMigrateToPostgres moves a SQLite database to PostgreSQL through the
// command line and asks the same question of both; the migration refuses
// a PostgreSQL source and a target that is not a URL.
func TestMigrateToPostgres(t *testing.T) {
	srv := testPG.Server(t)
	name, err := srv.CreateDatabase(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	url := srv.URL(name)
	env := testEnv(t)
	sample := filepath.Join(t.TempDir(), "taurus.md")
	if err := os.WriteFile(sample, []byte(sampleArticle), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errOut, err := runHerald(t, env, "ingest", sample); err != nil {
		t.Fatalf("ingest: %v\n%s", err, errOut)
	}
	out, errOut, err := runHerald(t, env, "migrate", "--to", url)
	if err != nil {
		t.Fatalf("migrate: %v\n%s", err, errOut)
	}
	for _, want := range []string{"Copied 1 article", "with the search index", "Set HERALD_DB=" + url} {
		if !strings.Contains(out, want) {
			t.Errorf("migrate output lacks %q:\n%s", want, out)
		}
	}
	const q = "How did the recording get intercepted, according to the defence minister?"
	lite, _, err := runHerald(t, env, "ask", "--mode", "extractive", q)
	if err != nil {
		t.Fatal(err)
	}
	pgEnv := map[string]string{"HERALD_DB": url, "HOME": env["HOME"]}
	pg, errOut, err := runHerald(t, pgEnv, "ask", "--mode", "extractive", q)
	if err != nil {
		t.Fatalf("ask on PostgreSQL: %v\n%s", err, errOut)
	}
	if pg != lite || !strings.Contains(pg, "[1]") {
		t.Errorf("the answers differ:\nSQLite:\n%s\nPostgreSQL:\n%s", lite, pg)
	}
	if out, _, err := runHerald(t, env, "migrate", "--to", url); err != nil || !strings.Contains(out, "nothing new") {
		t.Errorf("again: %v\n%s", err, out)
	}
	if _, errOut, err := runHerald(t, pgEnv, "migrate", "--to", url); err == nil || !strings.Contains(errOut, "already a PostgreSQL URL") {
		t.Errorf("from PostgreSQL: %v\n%s", err, errOut)
	}
	if _, errOut, err := runHerald(t, env, "migrate", "--to", "/tmp/x.db"); err == nil || !strings.Contains(errOut, "--to postgres://") {
		t.Errorf("to a file: %v\n%s", err, errOut)
	}
}
