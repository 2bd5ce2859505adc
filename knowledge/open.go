package knowledge

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	sqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/herald-bot/herald/knowledge/internal/sqldb"
)

// OpenOptions says how OpenWith treats the database file.
type OpenOptions struct {
	// MustExist refuses a database that does not exist yet (or is an
	// empty file) instead of creating it and its folder: commands that
	// only read use it, so that a mistyped path says so.
	MustExist bool
}

// ErrNoDatabase is the cause of the ENOTFOUND error OpenWith returns, with
// MustExist, for a database that does not exist; adapters add how to make
// one.
var ErrNoDatabase = errors.New("no database")

// checkDatabaseFile looks at path before SQLite opens it, so that what is
// not Herald's to change stays as it is: a folder, a file Herald may not
// write, a path that does not exist when it must. It creates the folder
// and an empty file for a new database unless opts.MustExist.
func checkDatabaseFile(path string, opts OpenOptions) error {
	info, err := os.Stat(path)
	switch {
	case err == nil && info.IsDir():
		return WrapError(EINVALID, fmt.Sprintf("%s is a folder, not a database file.", path), fmt.Errorf("open database %s: is a directory", path))
	case err == nil && !info.Mode().IsRegular():
		return WrapError(EINVALID, fmt.Sprintf("%s is not a regular file, so it cannot be a database.", path), fmt.Errorf("open database %s: mode %v", path, info.Mode()))
	case err == nil && info.Size() == 0 && opts.MustExist:
		return WrapError(ENOTFOUND, fmt.Sprintf("The database %s is an empty file: nothing has been stored in it yet.", path), ErrNoDatabase)
	case err == nil:
		f, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			return fileError(path, "open database", err)
		}
		return f.Close()
	case errors.Is(err, fs.ErrNotExist) && opts.MustExist:
		return WrapError(ENOTFOUND, fmt.Sprintf("There is no database at %s.", path), ErrNoDatabase)
	case errors.Is(err, fs.ErrNotExist):
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return fileError(path, "create the folder of database", err)
			}
		}
		// Created here rather than by SQLite so that a folder Herald may
		// not write to is told apart from other failures; O_EXCL because
		// another Herald may be creating it at this moment, which is fine.
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			return nil
		}
		if err != nil {
			return fileError(path, "create database", err)
		}
		return f.Close()
	}
	return fileError(path, "open database", err)
}

// fileError classifies an error of the file system about the database at
// path: a permission denied or a read-only file system is something the
// operator can change; anything else keeps its cause.
func fileError(path, op string, err error) error {
	cause := fmt.Errorf("%s %s: %w", op, path, err)
	var pe *fs.PathError
	switch {
	case errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS):
		return WrapError(EFORBIDDEN, fmt.Sprintf("Herald may not write to the database %s or its folder (%s): it needs to write both.", path, plainPathError(err)), cause)
	case errors.As(err, &pe):
		return WrapError(EINVALID, fmt.Sprintf("Cannot use %s as the database: %s.", path, plainPathError(err)), cause)
	}
	return cause
}

// plainPathError is the reason of a file system error without the path.
func plainPathError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// probeDatabase reads, without changing anything, what the file at path
// holds: nothing yet, Herald's schema at some version, or something else,
// which Herald refuses and leaves as it is. It runs on a connection of its
// own because the store's connections set WAL mode as they open, which
// would change a foreign file.
func probeDatabase(ctx context.Context, path string, latest int) error {
	q := url.Values{}
	q.Set("mode", "rw") // never create
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	probe, err := sql.Open("sqlite", "file:"+filepath.ToSlash(path)+"?"+q.Encode())
	if err != nil {
		return fmt.Errorf("probe database %s: %w", path, err)
	}
	defer probe.Close()
	tables, err := queryAll(ctx, probe, func(r rowScanner) (string, error) {
		var name string
		return name, r.Scan(&name)
	}, `SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		return sqliteOpenError(path, fmt.Errorf("probe database %s: list tables: %w", path, err))
	}
	if len(tables) == 0 {
		return nil // a new database
	}
	herald, err := hasHeraldMigrations(ctx, probe)
	if err != nil {
		return sqliteOpenError(path, fmt.Errorf("probe database %s: %w", path, err))
	}
	if !herald {
		return WrapError(EINVALID, fmt.Sprintf("%s is an SQLite database of another program, not Herald's; Herald leaves it as it is.", path),
			fmt.Errorf("probe database %s: tables %s but no Herald schema_migrations", path, strings.Join(tables, ", ")))
	}
	var version sql.NullInt64
	if err := probe.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&version); err != nil {
		return sqliteOpenError(path, fmt.Errorf("probe database %s: read schema version: %w", path, err))
	}
	if version.Int64 > int64(latest) {
		return WrapError(EINVALID, fmt.Sprintf("The database %s was written by a newer version of Herald (schema %d; this one knows up to %d). Upgrade Herald to use it.", path, version.Int64, latest),
			fmt.Errorf("probe database %s: schema version %d > %d", path, version.Int64, latest))
	}
	return nil
}

// hasHeraldMigrations reports whether the database has Herald's
// schema_migrations table (version and applied_at), not another tool's
// table of the same name.
func hasHeraldMigrations(ctx context.Context, q querier) (bool, error) {
	cols, err := queryAll(ctx, q, func(r rowScanner) (string, error) {
		var name string
		return name, r.Scan(&name)
	}, `SELECT name FROM pragma_table_info('schema_migrations')`)
	if err != nil {
		return false, fmt.Errorf("read the columns of schema_migrations: %w", err)
	}
	have := map[string]bool{}
	for _, c := range cols {
		have[c] = true
	}
	return len(cols) == 2 && have["version"] && have["applied_at"], nil
}

// sqliteOpenError classifies what SQLite says when it cannot open or read
// the database file at path.
func sqliteOpenError(path string, err error) error {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_NOTADB:
		return WrapError(EINVALID, fmt.Sprintf("%s is not a database (not an SQLite file); Herald leaves it as it is.", path), err)
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM:
		return WrapError(EFORBIDDEN, fmt.Sprintf("Herald cannot write to the database %s or its folder: it needs to write both (SQLite keeps its journal beside the file).", path), err)
	case sqlite3.SQLITE_CORRUPT:
		return WrapError(EINVALID, fmt.Sprintf("The database %s is damaged (SQLite says its disk image is malformed).", path), err)
	}
	return err
}

// migration is one embedded numbered migration.
type migration struct {
	version int
	name    string
	body    string
}

// migrations returns the embedded migrations of a dialect in order:
// SQLite's in migrations/, PostgreSQL's in migrations/postgres/ under the
// same numbers.
func migrations(d sqldb.Dialect) ([]migration, error) {
	pattern := "migrations/*.sql"
	if d == sqldb.Postgres {
		pattern = "migrations/postgres/*.sql"
	}
	names, err := fs.Glob(migrationFiles, pattern)
	if err != nil {
		return nil, fmt.Errorf("list migrations: %w", err)
	}
	sort.Strings(names)
	out := make([]migration, 0, len(names))
	for _, name := range names {
		base := filepath.Base(name)
		version, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return nil, fmt.Errorf("migration %s: bad name: %w", base, err)
		}
		body, err := migrationFiles.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("migration %s: %w", base, err)
		}
		out = append(out, migration{version: version, name: base, body: string(body)})
	}
	return out, nil
}

// appliedMigrations returns the versions recorded in schema_migrations;
// none when the table does not exist yet.
func appliedMigrations(ctx context.Context, q querier) (map[int]bool, error) {
	exists, err := queryAll(ctx, q, func(r rowScanner) (int, error) {
		var n int
		return n, r.Scan(&n)
	}, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`)
	if err != nil {
		return nil, fmt.Errorf("find schema_migrations: %w", err)
	}
	applied := map[int]bool{}
	if len(exists) == 0 || exists[0] == 0 {
		return applied, nil
	}
	versions, err := queryAll(ctx, q, func(r rowScanner) (int, error) {
		var v int
		return v, r.Scan(&v)
	}, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("read schema_migrations: %w", err)
	}
	for _, v := range versions {
		applied[v] = true
	}
	return applied, nil
}

// migrate brings the schema up to date. When something is missing, the
// check and the migrations run in one write transaction (BEGIN IMMEDIATE,
// see the DSN's _txlock), the versions read again inside it: of several
// processes opening a new database at once, the first migrates and the
// others, waiting for its lock, find nothing left to do.
func (db *DB) migrate(ctx context.Context, migs []migration) error {
	applied, err := appliedMigrations(ctx, db.db)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", db.Path, err)
	}
	if allApplied(migs, applied) {
		return nil
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return fmt.Errorf("migrate %s: begin: %w", db.Path, err)
	}
	defer db.endWrite(tx)
	if applied, err = appliedMigrations(ctx, tx); err != nil {
		return fmt.Errorf("migrate %s: %w", db.Path, err)
	}
	if allApplied(migs, applied) {
		return nil // another process migrated meanwhile
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("migrate %s: create schema_migrations: %w", db.Path, err)
	}
	for _, m := range migs {
		if applied[m.version] {
			continue
		}
		if _, err := tx.ExecContext(ctx, m.body); err != nil {
			return fmt.Errorf("migrate %s: apply %s: %w", db.Path, m.name, err)
		}
		if err := db.afterMigration(ctx, tx, m.version); err != nil {
			return fmt.Errorf("migrate %s: after %s: %w", db.Path, m.name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations(version, applied_at) VALUES (?, ?)`, m.version, db.Now().Unix()); err != nil {
			return fmt.Errorf("migrate %s: record %s: %w", db.Path, m.name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate %s: commit: %w", db.Path, err)
	}
	return nil
}

// migrateSettled is migrate, tried again while SQLite reports the file
// busy. A new database is switched to WAL mode by the first connection of
// every process that opens it; two doing that at once can deadlock on the
// file's locks (each holds a shared lock and wants the exclusive one), and
// SQLite then answers SQLITE_BUSY at once rather than wait in its busy
// handler. The loser's connection is discarded; once the file is in WAL
// mode the next one opens cleanly. The retries stop after the busy
// timeout of the DSN.
func (db *DB) migrateSettled(ctx context.Context, migs []migration) error {
	deadline := time.Now().Add(busyTimeout)
	for wait := 5 * time.Millisecond; ; wait = min(2*wait, 200*time.Millisecond) {
		err := db.migrate(ctx, migs)
		if err == nil || !isBusy(err) || time.Now().Add(wait).After(deadline) {
			return err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return err
		case <-t.C:
		}
	}
}

// isBusy reports whether err is SQLite's "database is locked".
func isBusy(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && (se.Code()&0xff == sqlite3.SQLITE_BUSY || se.Code()&0xff == sqlite3.SQLITE_LOCKED)
}

func allApplied(migs []migration, applied map[int]bool) bool {
	for _, m := range migs {
		if !applied[m.version] {
			return false
		}
	}
	return true
}
