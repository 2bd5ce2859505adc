package knowledge

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/herald-bot/herald/knowledge/internal/sqldb"
)

// pgMaxConns bounds the connections one process opens to PostgreSQL:
// several processes share the server's max_connections (100 by default).
const pgMaxConns = 16

// IsPostgresURL reports whether a database setting (HERALD_DB, --db) names
// a PostgreSQL database, postgres://… or postgresql://…, rather than a
// SQLite file.
func IsPostgresURL(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// RedactURL returns a database setting fit for logs and messages: a
// PostgreSQL URL without its password; a path unchanged.
func RedactURL(s string) string {
	if !IsPostgresURL(s) {
		return s
	}
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		return "postgres://…"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	q := u.Query()
	if q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// openPostgres opens the PostgreSQL database at rawURL through pgx's
// database/sql driver and brings its schema up to date.
//
// pgx is PostgreSQL's maintained Go driver; its database/sql adapter
// (stdlib) keeps the store on the same *sql.DB, *sql.Tx and *sql.Rows as
// SQLite, so that one implementation of the domain serves both.
func openPostgres(ctx context.Context, rawURL string) (*DB, error) {
	shown := RedactURL(rawURL)
	cfg, err := pgx.ParseConfig(strings.TrimSpace(rawURL))
	if err != nil {
		return nil, WrapError(EINVALID, fmt.Sprintf("%s is not a PostgreSQL URL Herald can use: write postgres://user:password@host:5432/database.", shown), fmt.Errorf("open %s: %w", shown, err))
	}
	// Session settings, unless the URL sets them: Herald's working set is
	// small and cached, so index lookups cost about what sequential reads
	// do (the default of 4 makes the planner scan every article to join a
	// few hundred passages), and its queries are short, which JIT
	// compilation only slows down.
	for k, v := range map[string]string{"application_name": "herald", "random_page_cost": "1.1", "jit": "off"} {
		if _, ok := cfg.RuntimeParams[k]; !ok {
			cfg.RuntimeParams[k] = v
		}
	}
	raw := stdlib.OpenDB(*cfg)
	raw.SetMaxOpenConns(pgMaxConns)
	raw.SetMaxIdleConns(pgMaxConns)
	raw.SetConnMaxIdleTime(5 * time.Minute)
	pingCtx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := raw.PingContext(pingCtx); err != nil {
		raw.Close()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, WrapError(EUNAVAILABLE, fmt.Sprintf("Cannot connect to the PostgreSQL database %s. Is the server running, and are the user, password and database name right?", shown), fmt.Errorf("open %s: %w", shown, err))
	}
	migs, err := migrations(sqldb.Postgres)
	if err != nil {
		raw.Close()
		return nil, err
	}
	db := newDB(sqldb.New(raw, sqldb.Postgres), shown)
	if err := db.migratePostgres(ctx, migs); err != nil {
		raw.Close()
		return nil, err
	}
	return db, nil
}

// migratePostgres applies the PostgreSQL migrations not applied yet, in
// one transaction under an advisory lock: processes that start at once
// migrate one after the other, the later ones finding nothing to do, and
// a process serving meanwhile sees the schema before or after, never half
// of it.
func (db *DB) migratePostgres(ctx context.Context, migs []migration) error {
	fail := func(err error) error {
		return fmt.Errorf("migrate %s: %w", db.Path, err)
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fail(err)
	}
	defer tx.Rollback()
	if err := tx.Lock(ctx, "migrate"); err != nil {
		return fail(err)
	}
	var herald, tables int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FILTER (WHERE table_name = 'schema_migrations'), count(*)
		FROM information_schema.tables WHERE table_schema = current_schema()`).Scan(&herald, &tables); err != nil {
		return fail(err)
	}
	if herald == 0 && tables > 0 {
		return Errorf(EINVALID, "The PostgreSQL database %s already holds tables that are not Herald's. Give Herald an empty database of its own.", db.Path)
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return fail(err)
	}
	applied := map[int]bool{}
	rows, err := tx.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return fail(err)
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return fail(err)
		}
		applied[v] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fail(err)
	}
	changed := false
	for _, m := range migs {
		if applied[m.version] {
			continue
		}
		if _, err := tx.ExecContext(ctx, m.body); err != nil {
			return fail(fmt.Errorf("apply %s: %w", m.name, err))
		}
		if err := db.afterMigration(ctx, tx, m.version); err != nil {
			return fail(fmt.Errorf("after %s: %w", m.name, err))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations(version, applied_at) VALUES (?, ?)`, m.version, db.Now().Unix()); err != nil {
			return fail(fmt.Errorf("record %s: %w", m.name, err))
		}
		changed = true
	}
	if !changed {
		return nil
	}
	if err := tx.Commit(); err != nil {
		return fail(err)
	}
	return nil
}

// beginLocked starts a short transaction that holds the lock name: on
// PostgreSQL an advisory lock of that name only (none for ""; row locks
// then do the work), so that unrelated writers do not wait; on SQLite a
// write transaction (beginWrite), whose lock is the database's. End it
// with endLocked.
func (db *DB) beginLocked(ctx context.Context, name string) (*sqldb.Tx, error) {
	if db.db.Dialect() != sqldb.Postgres {
		return db.beginWrite(ctx)
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	if name != "" {
		if err := tx.Lock(ctx, name); err != nil {
			tx.Rollback()
			return nil, err
		}
	}
	return tx, nil
}

// endLocked rolls back a transaction of beginLocked unless it was
// committed.
func (db *DB) endLocked(tx *sqldb.Tx) {
	if db.db.Dialect() != sqldb.Postgres {
		db.endWrite(tx)
		return
	}
	tx.Rollback()
}

// SizeBytes returns how much disk the database takes: the SQLite file's
// pages (its write-ahead log aside), or the PostgreSQL database's size.
func (db *DB) SizeBytes(ctx context.Context) (int64, error) {
	q := `SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()`
	if db.db.Dialect() == sqldb.Postgres {
		q = `SELECT pg_database_size(current_database())`
	}
	var n int64
	if err := db.db.QueryRowContext(ctx, q).Scan(&n); err != nil {
		return 0, fmt.Errorf("measure the database: %w", err)
	}
	return n, nil
}
