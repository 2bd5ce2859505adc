package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// herald: lines of stderr, the sentences the user reads.
func heraldLines(stderr string) []string {
	var out []string
	for _, l := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(l, "herald") {
			out = append(out, l)
		}
	}
	return out
}

// The commands that only read (or change what is stored) refuse a
// database that does not exist, and create neither it nor its folders.
func TestReadingCommandsRefuseAMissingDatabase(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "typo", "herald.db")
	queries := filepath.Join(dir, "queries.jsonl")
	os.WriteFile(queries, []byte(`{"id":"q1","question":"Taurus?","asked_at":"2024-03-06","gold_ids":["taurus"]}`+"\n"), 0o644)
	env := map[string]string{"HERALD_DB": path, "HOME": dir,
		"HERALD_EMBED_MODEL": "nomic-embed-text", "OPENAI_BASE_URL": "http://127.0.0.1:1/v1"}
	for _, args := range [][]string{
		{"ask", "Why did Scholz refuse the Taurus?"},
		{"search", "Taurus"},
		{"articles"},
		{"remove", "1"},
		{"summarize", "1"},
		{"digest"},
		{"chat"},
		{"reindex"},
		{"feed", "list"},
		{"feed", "pause", "1"},
		{"feed", "poll"},
		{"eval", "--db", path, "--queries", queries},
		{"bench", "run", "--db", path, "--queries", queries},
	} {
		t.Run(strings.Join(args[:min(2, len(args))], " "), func(t *testing.T) {
			_, stderr, err := runHerald(t, env, args...)
			if err == nil || exitCode(err) != 1 {
				t.Fatalf("err %v (status %d)\n%s", err, exitCode(err), stderr)
			}
			lines := heraldLines(stderr)
			want := "herald: There is no database at " + path + ". Add articles first with 'herald ingest', or point --db or HERALD_DB at your database."
			if len(lines) != 1 || lines[0] != want {
				t.Errorf("stderr:\n%s\nwant the one line:\n%s", stderr, want)
			}
			if _, err := os.Stat(filepath.Dir(path)); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the database's folder was created: %v", err)
			}
		})
	}
}

// ingest (and demo) still make a new database, folders included.
func TestIngestCreatesTheDatabase(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "new", "folder", "herald.db")
	sample := filepath.Join(dir, "taurus.md")
	os.WriteFile(sample, []byte(sampleArticle), 0o644)
	env := map[string]string{"HERALD_DB": path, "HOME": dir}
	if out, stderr, err := runHerald(t, env, "ingest", sample); err != nil || !strings.Contains(out, "1 added") {
		t.Fatalf("ingest: %v\n%s%s", err, out, stderr)
	}
	if out, stderr, err := runHerald(t, env, "articles"); err != nil || !strings.Contains(out, "Germany Blames") {
		t.Fatalf("articles: %v\n%s%s", err, out, stderr)
	}
}

// Two herald ingest into one new database at once both succeed.
func TestConcurrentIngestsIntoANewDatabase(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"HERALD_DB": filepath.Join(dir, "db", "herald.db"), "HOME": dir}
	files := make([]string, 2)
	for i := range files {
		files[i] = filepath.Join(dir, []string{"a.md", "b.md"}[i])
		body := []string{"# Harbour council approves ferry terminal\n\nThe harbour council approved a new ferry terminal on Wednesday after a long debate.",
			"# Storm closes the coastal road\n\nA storm closed the coastal road and the old bridge on Thursday morning."}[i]
		os.WriteFile(files[i], []byte(body), 0o644)
	}
	start := make(chan struct{})
	var wg sync.WaitGroup
	outs := make([]string, 2)
	errs := make([]error, 2)
	for i := range files {
		wg.Go(func() {
			<-start
			var out, stderr bytes.Buffer
			errs[i] = run(context.Background(), []string{"ingest", files[i]}, func(k string) string { return env[k] }, strings.NewReader(""), &out, &stderr)
			outs[i] = out.String() + stderr.String()
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil || !strings.Contains(outs[i], "1 added") {
			t.Errorf("ingest %d: %v\n%s", i+1, err, outs[i])
		}
	}
	out, _, err := runHerald(t, env, "articles")
	if err != nil || !strings.Contains(out, "ferry terminal") || !strings.Contains(out, "coastal road") {
		t.Errorf("articles: %v\n%s", err, out)
	}
}

// What is not a Herald database gets its own message, and stays as it is.
func TestCommandsRefuseWhatIsNotAHeraldDatabase(t *testing.T) {
	dir := t.TempDir()
	folder := filepath.Join(dir, "data")
	os.Mkdir(folder, 0o755)
	foreign := filepath.Join(dir, "notes.db")
	raw, err := sql.Open("sqlite", "file:"+foreign)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes(body) VALUES ('keep me')`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	text := filepath.Join(dir, "notes.txt")
	os.WriteFile(text, bytes.Repeat([]byte("Shopping list: bread, milk, coffee.\n"), 100), 0o644)
	for _, tc := range []struct {
		name, path, want string
	}{
		{"a folder", folder, "herald: " + folder + " is a folder, not a database file. Point --db or HERALD_DB at Herald's database file."},
		{"another program's database", foreign, "herald: " + foreign + " is an SQLite database of another program, not Herald's; Herald leaves it as it is."},
		{"not SQLite", text, "herald: " + text + " is not a database (not an SQLite file); Herald leaves it as it is."},
	} {
		for _, cmd := range [][]string{{"ingest", text}, {"articles"}} {
			t.Run(tc.name+"/"+cmd[0], func(t *testing.T) {
				before := snapshotDir(t, dir)
				_, stderr, err := runHerald(t, map[string]string{"HOME": dir}, append(cmd, "--db", tc.path)...)
				if err == nil || exitCode(err) != 1 {
					t.Fatalf("err %v\n%s", err, stderr)
				}
				if lines := heraldLines(stderr); len(lines) != 1 || !strings.HasPrefix(lines[0], tc.want) {
					t.Errorf("stderr:\n%s\nwant one line starting:\n%s", stderr, tc.want)
				}
				if after := snapshotDir(t, dir); !equalSnapshots(before, after) {
					t.Errorf("files changed")
				}
			})
		}
	}
}

// A database in a folder Herald may not write says so.
func TestIngestIntoAReadOnlyFolder(t *testing.T) {
	dir := t.TempDir()
	ro := filepath.Join(dir, "ro")
	os.Mkdir(ro, 0o555)
	t.Cleanup(func() { os.Chmod(ro, 0o755) })
	target := ""
	for _, d := range []string{ro, "/sys"} {
		f, err := os.CreateTemp(d, "probe-*")
		if err == nil {
			f.Close()
			os.Remove(f.Name())
			continue
		}
		if errors.Is(err, fs.ErrPermission) {
			target = d
			break
		}
	}
	if target == "" {
		t.Skip("no folder here refuses new files (running as root without /sys)")
	}
	path := filepath.Join(target, "herald-test.db")
	sample := filepath.Join(dir, "taurus.md")
	os.WriteFile(sample, []byte(sampleArticle), 0o644)
	_, stderr, err := runHerald(t, map[string]string{"HOME": dir, "HERALD_DB": path}, "ingest", sample)
	want := "herald: Herald may not write to the database " + path + " or its folder (permission denied): it needs to write both. Point --db or HERALD_DB at Herald's database file."
	if err == nil || len(heraldLines(stderr)) != 1 || heraldLines(stderr)[0] != want {
		t.Errorf("err %v, stderr:\n%s\nwant:\n%s", err, stderr, want)
	}
}

// A query that fails shows the user one plain sentence, and the log line
// before it names the operation that failed.
func TestAFailingQueryIsLoggedWithItsOperation(t *testing.T) {
	env := testEnv(t)
	if _, stderr, err := runHerald(t, env, "feed", "list"); err == nil {
		t.Fatalf("feed list on no database: %s", stderr)
	}
	dir := t.TempDir()
	sample := filepath.Join(dir, "taurus.md")
	os.WriteFile(sample, []byte(sampleArticle), 0o644)
	if _, stderr, err := runHerald(t, env, "ingest", sample); err != nil {
		t.Fatalf("ingest: %v\n%s", err, stderr)
	}
	raw, err := sql.Open("sqlite", "file:"+env["HERALD_DB"])
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`DROP TABLE feed_items; DROP TABLE feeds`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	_, stderr, err := runHerald(t, env, "feed", "list")
	if err == nil {
		t.Fatal("feed list succeeded without a feeds table")
	}
	lines := heraldLines(stderr)
	if len(lines) != 1 || lines[0] != "herald: "+cliFailure {
		t.Errorf("the user reads:\n%s\nwant the one line %q", stderr, "herald: "+cliFailure)
	}
	logged := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(logged) != 2 || !strings.Contains(logged[0], "level=ERROR") || !strings.Contains(logged[0], `list feeds of guild \"*\"`) ||
		!strings.Contains(logged[0], "no such table: feeds") || !strings.Contains(logged[0], "command=feed") {
		t.Errorf("want one log line naming the operation, then the sentence:\n%s", stderr)
	}
}

// snapshotDir is what a folder holds: file names and contents.
func snapshotDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			out[p+"/"] = ""
			return nil
		}
		b, err := os.ReadFile(p)
		out[p] = string(b)
		return err
	})
	return out
}

func equalSnapshots(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || v != w {
			return false
		}
	}
	return true
}
