// Package sqlbatch builds SQL statements over many rows or ids at once:
// inserts of many rows per statement, placeholder lists and id lists.
// The store and the indexes under knowledge/ share it.
package sqlbatch

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
)

// MaxIDs bounds the ids bound into one IN (...) list.
const MaxIDs = 500

// statementRows is how many rows one statement of an Inserter inserts.
const statementRows = 128

// Execer runs statements: a *sql.DB or a *sql.Tx.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// Inserter inserts rows many at a time: one statement per row costs more
// in the driver than SQLite spends storing the row. It keeps the
// arguments of a row until the row is inserted. Close it when done.
type Inserter struct {
	db     Execer
	prefix string
	cols   int
	many   *sql.Stmt
	args   []any
}

// NewInserter returns an Inserter of rows of cols columns; prefix is the
// statement up to its VALUES keyword included, as in
// "INSERT INTO t(a, b) VALUES ".
func NewInserter(db Execer, prefix string, cols int) *Inserter {
	return &Inserter{db: db, prefix: prefix, cols: cols}
}

func (r *Inserter) values(rows int) string {
	one := "(" + Placeholders(r.cols) + ")"
	return r.prefix + strings.TrimSuffix(strings.Repeat(one+",", rows), ",")
}

// Add queues one row and inserts the queued rows once there are
// statementRows of them.
func (r *Inserter) Add(ctx context.Context, row ...any) error {
	r.args = append(r.args, row...)
	if len(r.args) < statementRows*r.cols {
		return nil
	}
	if r.many == nil {
		st, err := r.db.PrepareContext(ctx, r.values(statementRows))
		if err != nil {
			return err
		}
		r.many = st
	}
	_, err := r.many.ExecContext(ctx, r.args...)
	clear(r.args)
	r.args = r.args[:0]
	return err
}

// Flush inserts the rows queued.
func (r *Inserter) Flush(ctx context.Context) error {
	if len(r.args) == 0 {
		return nil
	}
	_, err := r.db.ExecContext(ctx, r.values(len(r.args)/r.cols), r.args...)
	clear(r.args)
	r.args = r.args[:0]
	return err
}

// Close releases the prepared statement; rows still queued are dropped.
func (r *Inserter) Close() {
	if r.many != nil {
		r.many.Close()
	}
}

// Placeholders returns n comma-separated placeholders, "?,?,?".
func Placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?,", n-1) + "?"
}

// IDList writes ids as an SQL list, "1,2,3": they are numbers, nothing to
// quote.
func IDList(ids []int64) string {
	list := make([]string, len(ids))
	for i, id := range ids {
		list[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(list, ",")
}
