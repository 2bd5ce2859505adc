package knowledge

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/herald-bot/herald/knowledge/internal/sqldb"
)

// Several processes opening one new database at once (two herald ingest,
// say) migrate it once and all succeed.
func TestConcurrentFirstOpensMigrateOnce(t *testing.T) {
	ctx := context.Background()
	migs, err := migrations(sqldb.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	for round := range 5 {
		path := filepath.Join(t.TempDir(), "new", "herald.db")
		const openers = 4
		start := make(chan struct{})
		var wg sync.WaitGroup
		dbs := make([]*DB, openers)
		errs := make([]error, openers)
		for i := range openers {
			wg.Go(func() {
				<-start
				dbs[i], errs[i] = Open(ctx, path)
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("round %d: open %d of %d: %v", round, i+1, openers, err)
			}
		}
		for i, db := range dbs {
			a := &Article{Title: fmt.Sprintf("Article %d", i), Text: fmt.Sprintf("Opener %d stored this article about the harbour.", i)}
			if _, err := db.PutArticle(ctx, a); err != nil {
				t.Fatalf("round %d: store through opener %d: %v", round, i, err)
			}
		}
		var versions, articles int
		if err := dbs[0].SQL().QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&versions); err != nil {
			t.Fatal(err)
		}
		if err := dbs[0].SQL().QueryRow(`SELECT count(*) FROM articles`).Scan(&articles); err != nil {
			t.Fatal(err)
		}
		if versions != len(migs) || articles != openers {
			t.Fatalf("round %d: %d migrations recorded (want %d), %d articles (want %d)", round, versions, len(migs), articles, openers)
		}
		for _, db := range dbs {
			db.Close()
		}
	}
}

// snapshot is what a folder holds: file names and contents.
func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			out[p+"/"] = nil
			return nil
		}
		b, err := os.ReadFile(p)
		out[p] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameSnapshot(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || !bytes.Equal(v, w) {
			return false
		}
	}
	return true
}

// writeSQLite makes an SQLite file at path with the given statements,
// in SQLite's default journal mode.
func writeSQLite(t *testing.T, path string, stmts ...string) {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	for _, s := range stmts {
		if _, err := raw.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// What is not a Herald database, or not there when it must be, is refused
// with its own message and left exactly as it was.
func TestOpenRefusesWhatIsNotAHeraldDatabase(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name      string
		setup     func(t *testing.T, dir string) string // returns the path to open
		mustExist bool
		code      string
		message   string
	}{
		{name: "a folder", code: EINVALID, message: "is a folder, not a database file",
			setup: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "db")
				os.Mkdir(p, 0o755)
				return p
			}},
		{name: "another program's SQLite database", code: EINVALID, message: "is an SQLite database of another program",
			setup: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "notes.db")
				writeSQLite(t, p, `CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)`, `INSERT INTO notes(body) VALUES ('keep me')`)
				return p
			}},
		{name: "another tool's schema_migrations", code: EINVALID, message: "is an SQLite database of another program",
			setup: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "app.db")
				writeSQLite(t, p, `CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, dirty BOOLEAN NOT NULL)`, `INSERT INTO schema_migrations VALUES (3, 0)`)
				return p
			}},
		{name: "a file that is not SQLite", code: EINVALID, message: "is not a database (not an SQLite file)",
			setup: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "notes.txt")
				os.WriteFile(p, bytes.Repeat([]byte("These are my notes, not a database.\n"), 200), 0o644)
				return p
			}},
		{name: "a newer Herald's database", code: EINVALID, message: "was written by a newer version of Herald",
			setup: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "herald.db")
				db, err := Open(ctx, p)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.SQL().Exec(`INSERT INTO schema_migrations VALUES (999, 0)`); err != nil {
					t.Fatal(err)
				}
				db.Close()
				return p
			}},
		{name: "a missing database that must exist", mustExist: true, code: ENOTFOUND, message: "There is no database at",
			setup: func(t *testing.T, dir string) string { return filepath.Join(dir, "typo", "herald.db") }},
		{name: "an empty file that must be a database", mustExist: true, code: ENOTFOUND, message: "is an empty file",
			setup: func(t *testing.T, dir string) string {
				p := filepath.Join(dir, "herald.db")
				os.WriteFile(p, nil, 0o644)
				return p
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := tc.setup(t, dir)
			before := snapshot(t, dir)
			db, err := OpenWith(ctx, path, OpenOptions{MustExist: tc.mustExist})
			if err == nil {
				db.Close()
				t.Fatal("opened")
			}
			if ErrorCode(err) != tc.code || !strings.Contains(ErrorMessage(err), tc.message) || !strings.Contains(ErrorMessage(err), path) {
				t.Errorf("code %q, message %q; want %q and a message with %q and the path", ErrorCode(err), ErrorMessage(err), tc.code, tc.message)
			}
			if tc.code == ENOTFOUND && !errors.Is(err, ErrNoDatabase) {
				t.Errorf("%v is not ErrNoDatabase", err)
			}
			if after := snapshot(t, dir); !sameSnapshot(before, after) {
				t.Errorf("the folder changed:\nbefore %v\nafter  %v", keys(before), keys(after))
			}
		})
	}
}

// readOnlyDir returns a folder in which a file cannot be created: a
// temporary folder without write permission, or, for root (whom
// permissions do not stop), /sys when it refuses new files.
func readOnlyDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	for _, d := range []string{dir, "/sys"} {
		f, err := os.CreateTemp(d, "probe-*")
		if err == nil {
			f.Close()
			os.Remove(f.Name())
			continue
		}
		if errors.Is(err, fs.ErrPermission) {
			return d
		}
	}
	t.Skip("no folder here refuses new files (running as root without /sys)")
	return ""
}

// A database Herald may not create or write says so, apart from the
// other refusals.
func TestOpenSaysWhenItMayNotWrite(t *testing.T) {
	ctx := context.Background()
	t.Run("a new database in a read-only folder", func(t *testing.T) {
		path := filepath.Join(readOnlyDir(t), "herald-test.db")
		db, err := Open(ctx, path)
		if err == nil {
			db.Close()
			t.Fatal("opened")
		}
		if ErrorCode(err) != EFORBIDDEN || !strings.Contains(ErrorMessage(err), "may not write to the database "+path) {
			t.Errorf("code %q, message %q", ErrorCode(err), ErrorMessage(err))
		}
		if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("the database was created: %v", err)
		}
	})
	t.Run("a read-only database file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "herald.db")
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
		if err := os.Chmod(path, 0o444); err != nil {
			t.Fatal(err)
		}
		if f, err := os.OpenFile(path, os.O_RDWR, 0); err == nil {
			f.Close()
			t.Skip("permissions do not stop this user (root)")
		}
		db, err = Open(ctx, path)
		if err == nil {
			db.Close()
			t.Fatal("opened")
		}
		if ErrorCode(err) != EFORBIDDEN || !strings.Contains(ErrorMessage(err), "may not write to the database "+path) {
			t.Errorf("code %q, message %q", ErrorCode(err), ErrorMessage(err))
		}
	})
}

// MustExist opens an existing database like Open does.
func TestOpenExistingDatabase(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "herald.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	mustPutTaurus(t, db)
	db.Close()
	db, err = OpenWith(ctx, path, OpenOptions{MustExist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c, err := db.Counts(ctx, "*")
	if err != nil || c.Articles != 1 {
		t.Fatalf("counts %+v, %v", c, err)
	}
}
