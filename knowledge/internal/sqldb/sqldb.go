// Package sqldb is the one place where Herald's two databases differ: a
// handle around *sql.DB and *sql.Tx that knows its dialect (SQLite or
// PostgreSQL), rebinds the store's `?` placeholders to PostgreSQL's `$n`,
// and names the few SQL forms that are spelled differently (GREATEST and
// LEAST, row locks that skip locked rows, case-insensitive LIKE, advisory
// locks). Everything else the store writes is SQL both databases read the
// same way, so the domain code is one implementation for both.
package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// Dialect is the SQL dialect of a database.
type Dialect int

// The dialects Herald speaks.
const (
	SQLite Dialect = iota
	Postgres
)

// String names the dialect.
func (d Dialect) String() string {
	if d == Postgres {
		return "postgres"
	}
	return "sqlite"
}

// Rebind rewrites the `?` placeholders of q as `$1`, `$2`, … for
// PostgreSQL, leaving question marks inside string literals, quoted
// identifiers and comments alone. For SQLite it returns q unchanged.
func (d Dialect) Rebind(q string) string {
	if d != Postgres || strings.IndexByte(q, '?') < 0 {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(q) {
				if q[j] == c {
					if j+1 < len(q) && q[j+1] == c { // a doubled quote stays inside
						j += 2
						continue
					}
					break
				}
				j++
			}
			end := min(j+1, len(q))
			b.WriteString(q[i:end])
			i = end - 1
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				j = len(q) - i
			}
			b.WriteString(q[i : i+j])
			i += j - 1
		case c == '/' && i+1 < len(q) && q[i+1] == '*':
			j := strings.Index(q[i+2:], "*/")
			end := len(q)
			if j >= 0 {
				end = i + 2 + j + 2
			}
			b.WriteString(q[i:end])
			i = end - 1
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Greatest returns the SQL for the larger of two values: SQLite's scalar
// max(a, b), PostgreSQL's GREATEST(a, b).
func (d Dialect) Greatest(a, b string) string {
	if d == Postgres {
		return "GREATEST(" + a + ", " + b + ")"
	}
	return "max(" + a + ", " + b + ")"
}

// Least returns the SQL for the smaller of two values.
func (d Dialect) Least(a, b string) string {
	if d == Postgres {
		return "LEAST(" + a + ", " + b + ")"
	}
	return "min(" + a + ", " + b + ")"
}

// SkipLocked returns the clause that ends a SELECT whose rows a claim is
// about to update, so that concurrent claimers take different rows:
// FOR UPDATE SKIP LOCKED on PostgreSQL; nothing on SQLite, where the
// write transaction already holds the only write lock.
func (d Dialect) SkipLocked() string {
	if d == Postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// LikeASCII returns the operator that matches a LIKE pattern ignoring the
// case of ASCII letters only: SQLite's LIKE, and PostgreSQL's ILIKE on
// Herald's columns, which are COLLATE "C".
func (d Dialect) LikeASCII() string {
	if d == Postgres {
		return "ILIKE"
	}
	return "LIKE"
}

// InIDs returns the condition that col is one of ids, and its arguments:
// on SQLite the ids written out, col IN (1,2,3) (numbers, nothing to
// quote); on PostgreSQL one array argument, col = ANY(?), so that the
// statement's text is the same whatever the ids and it is planned once
// per connection.
func (d Dialect) InIDs(col string, ids []int64) (string, []any) {
	if d == Postgres {
		return col + " = ANY(?)", []any{ids}
	}
	list := make([]string, len(ids))
	for i, id := range ids {
		list[i] = strconv.FormatInt(id, 10)
	}
	return col + " IN (" + strings.Join(list, ",") + ")", nil
}

// LockKey is the 64-bit key of a PostgreSQL advisory lock named name.
func LockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte("herald:" + name))
	return int64(h.Sum64())
}

// Of returns the dialect of a handle: the handle's own when it is one of
// this package's (DB, Tx, Conn), SQLite for anything else (a plain
// *sql.DB of the engines' own tests).
func Of(db any) Dialect {
	if x, ok := db.(interface{ Dialect() Dialect }); ok {
		return x.Dialect()
	}
	return SQLite
}

// DB is a *sql.DB that speaks one dialect: every statement's placeholders
// are rebound for it.
type DB struct {
	raw *sql.DB
	d   Dialect
}

// New wraps raw, a database of dialect d.
func New(raw *sql.DB, d Dialect) *DB { return &DB{raw: raw, d: d} }

// Dialect returns the database's dialect.
func (db *DB) Dialect() Dialect { return db.d }

// Raw returns the *sql.DB underneath, for pool settings and statistics.
func (db *DB) Raw() *sql.DB { return db.raw }

// Close closes the database.
func (db *DB) Close() error { return db.raw.Close() }

// ExecContext runs a statement.
func (db *DB) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return db.raw.ExecContext(ctx, db.d.Rebind(q), args...)
}

// QueryContext runs a query.
func (db *DB) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return db.raw.QueryContext(ctx, db.d.Rebind(q), args...)
}

// QueryRowContext runs a query that returns at most one row.
func (db *DB) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return db.raw.QueryRowContext(ctx, db.d.Rebind(q), args...)
}

// PrepareContext prepares a statement.
func (db *DB) PrepareContext(ctx context.Context, q string) (*sql.Stmt, error) {
	return db.raw.PrepareContext(ctx, db.d.Rebind(q))
}

// BeginTx starts a transaction.
func (db *DB) BeginTx(ctx context.Context, opts *sql.TxOptions) (*Tx, error) {
	tx, err := db.raw.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &Tx{raw: tx, d: db.d}, nil
}

// Conn returns one connection of the pool, for work that must stay on it.
func (db *DB) Conn(ctx context.Context) (*Conn, error) {
	c, err := db.raw.Conn(ctx)
	if err != nil {
		return nil, err
	}
	return &Conn{raw: c, d: db.d}, nil
}

// Tx is a *sql.Tx that speaks one dialect.
type Tx struct {
	raw *sql.Tx
	d   Dialect
}

// Dialect returns the transaction's dialect.
func (tx *Tx) Dialect() Dialect { return tx.d }

// ExecContext runs a statement in the transaction.
func (tx *Tx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return tx.raw.ExecContext(ctx, tx.d.Rebind(q), args...)
}

// QueryContext runs a query in the transaction.
func (tx *Tx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return tx.raw.QueryContext(ctx, tx.d.Rebind(q), args...)
}

// QueryRowContext runs a query that returns at most one row.
func (tx *Tx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return tx.raw.QueryRowContext(ctx, tx.d.Rebind(q), args...)
}

// PrepareContext prepares a statement in the transaction.
func (tx *Tx) PrepareContext(ctx context.Context, q string) (*sql.Stmt, error) {
	return tx.raw.PrepareContext(ctx, tx.d.Rebind(q))
}

// Commit commits the transaction.
func (tx *Tx) Commit() error { return tx.raw.Commit() }

// Rollback aborts the transaction; after Commit it does nothing.
func (tx *Tx) Rollback() error { return tx.raw.Rollback() }

// Lock takes, on PostgreSQL, the transaction-scoped advisory lock named
// name, waiting for whoever holds it; it is released when the transaction
// ends. On SQLite it does nothing: a write transaction there already
// holds the database's only write lock.
func (tx *Tx) Lock(ctx context.Context, name string) error {
	if tx.d != Postgres {
		return nil
	}
	if _, err := tx.raw.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, LockKey(name)); err != nil {
		return fmt.Errorf("lock %s: %w", name, err)
	}
	return nil
}

// Conn is one connection of a DB's pool.
type Conn struct {
	raw *sql.Conn
	d   Dialect
}

// Dialect returns the connection's dialect.
func (c *Conn) Dialect() Dialect { return c.d }

// ExecContext runs a statement on the connection.
func (c *Conn) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return c.raw.ExecContext(ctx, c.d.Rebind(q), args...)
}

// QueryContext runs a query on the connection.
func (c *Conn) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return c.raw.QueryContext(ctx, c.d.Rebind(q), args...)
}

// QueryRowContext runs a query that returns at most one row.
func (c *Conn) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	return c.raw.QueryRowContext(ctx, c.d.Rebind(q), args...)
}

// Close returns the connection to the pool.
func (c *Conn) Close() error { return c.raw.Close() }
