package knowledge

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/herald-bot/herald/knowledge/internal/sqldb"
)

// copyBatch is how many rows CopyTo reads and writes at a time; articles
// are copied with their passages in one transaction per batch.
const copyBatch = 500

// copyTable is one table CopyTo copies: its key, by which it pages through
// the rows and resumes (empty: the table is small and copied whole each
// run, rows already there left alone), and whether it counts as data that
// makes a database non-empty.
type copyTable struct {
	name, key string
	content   bool
}

// copyTables are the tables CopyTo copies, parents first. The keyword
// index is copied at the end, whole, with its statistics (copyIndex);
// limits and change notes are per process and start afresh.
var copyTables = []copyTable{
	{"feeds", "id", true},
	{"articles", "id", true},
	{"passages", "id", false},
	{"article_urls", "", false},
	{"outlet_boilerplate", "id", false},
	{"feed_items", "", false},
	{"digest_schedules", "id", true},
	{"digest_posts", "id", false},
	{"conversation_turns", "id", true},
	{"conversation_messages", "", false},
	{"posted_answers", "id", true},
	{"answer_votes", "", false},
	{"feed_channels", "feed_id", false},
	{"feed_posts", "id", false},
	{"feed_alerts", "", false},
	{"guilds", "", true},
	{"passage_vectors", "passage_id", false},
}

// CopyStep is how far CopyTo is: the table it copies and its rows done of
// total.
type CopyStep struct {
	Table       string
	Done, Total int64
}

// CopyReport is what CopyTo did.
type CopyReport struct {
	// Resumed is true when the copy continued an interrupted one.
	Resumed bool
	// Rows counts the rows copied in this run, by table.
	Rows map[string]int64
	// Repaired counts text values that were not valid UTF-8 or held NUL
	// bytes (PostgreSQL refuses both) and were repaired.
	Repaired int
}

// CopyTo copies this database (the source, SQLite) into dst (PostgreSQL):
// articles with their text, dates and every address, passages, the
// outlets' boilerplate found, feeds and their items,
// digest schedules and posts, conversations, posted answers and votes,
// feed posts and alerts, servers, vectors, and the keyword index with its
// statistics per language, so that dst ranks exactly as the source. Ids
// are kept, so everything that refers to them (Discord buttons, feed
// items) stays valid. dst must be empty, or hold an interrupted copy of this same
// database: CopyTo then continues where it stopped (rows are copied in key
// order, a batch a transaction). The source must not be written to from
// the start of the first run to the end of the last (stop herald serve
// and feed polls): CopyTo checks it at the end and refuses to finish
// otherwise. progress, when not nil, is called as rows are copied.
func (db *DB) CopyTo(ctx context.Context, dst *DB, progress func(CopyStep)) (*CopyReport, error) {
	if dst.db.Dialect() != sqldb.Postgres {
		return nil, Errorf(EINVALID, "herald migrate copies into a PostgreSQL database: give its postgres:// URL.")
	}
	if db.db.Dialect() != sqldb.SQLite {
		return nil, Errorf(EINVALID, "herald migrate copies from a SQLite database file.")
	}
	rep := &CopyReport{Rows: map[string]int64{}}
	source, err := db.copyIdentity(ctx)
	if err != nil {
		return nil, err
	}
	start, err := db.changeCounters(ctx, db.db)
	if err != nil {
		return nil, err
	}
	if rep.Resumed, err = dst.startCopy(ctx, source, db.Path, start); err != nil {
		return nil, err
	}
	if progress == nil {
		progress = func(CopyStep) {}
	}
	for _, t := range copyTables {
		if t.name == "passages" {
			continue // with the articles
		}
		n, err := db.copyTable(ctx, dst, t, rep, progress)
		rep.Rows[t.name] += n
		if err != nil {
			return rep, err
		}
	}
	if err := db.finishCopy(ctx, dst, progress); err != nil {
		return rep, err
	}
	return rep, nil
}

// copyIdentity names this database for store_copies: its file and its
// first article, so that a copy continues only from the same database.
func (db *DB) copyIdentity(ctx context.Context) (string, error) {
	abs, err := filepath.Abs(db.Path)
	if err != nil {
		abs = db.Path
	}
	var first string
	err = db.db.QueryRowContext(ctx, `SELECT coalesce((SELECT content_hash FROM articles ORDER BY id LIMIT 1), '')`).Scan(&first)
	if err != nil {
		return "", fmt.Errorf("copy: identify the source: %w", err)
	}
	sum := sha256.Sum256([]byte(abs + "\x00" + first))
	return abs + " " + hex.EncodeToString(sum[:8]), nil
}

// startCopy checks that dst may receive a copy of source and records it;
// resumed is true when dst holds an unfinished copy of it.
func (dst *DB) startCopy(ctx context.Context, source, shown string, c counters) (resumed bool, err error) {
	var had string
	var finished *int64
	err = dst.db.QueryRowContext(ctx, `SELECT source, finished_at FROM store_copies WHERE id = 1`).Scan(&had, &finished)
	switch {
	case err == nil && had == source:
		return true, nil // finished or not: copying again adds what is new
	case err == nil:
		return false, Errorf(ECONFLICT, "The PostgreSQL database %s already holds a copy of another database (%s). Give herald migrate an empty database.", dst.Path, strings.SplitN(had, " ", 2)[0])
	case !isNoRows(err):
		return false, fmt.Errorf("copy: read store_copies: %w", err)
	}
	for _, t := range copyTables {
		if !t.content {
			continue
		}
		var any int
		if err := dst.db.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+t.name+` LIMIT 1) t`).Scan(&any); err != nil {
			return false, fmt.Errorf("copy: is %s empty: %w", t.name, err)
		}
		if any > 0 {
			return false, Errorf(ECONFLICT, "The PostgreSQL database %s is not empty (it has %s) and is not an interrupted copy of %s: herald migrate copies only into an empty database.", dst.Path, t.name, shown)
		}
	}
	if _, err := dst.db.ExecContext(ctx, `INSERT INTO store_copies(id, source, started_at, last_passage, last_change) VALUES (1, ?, ?, ?, ?)`,
		source, dst.Now().Unix(), c.lastPassage, c.lastChange); err != nil {
		return false, fmt.Errorf("copy: record the source: %w", err)
	}
	return false, nil
}

// columns lists the columns of a table in dst, the PostgreSQL schema's;
// SQLite's tables have the same columns (the migrations are twins).
func (dst *DB) columns(ctx context.Context, table string) ([]string, error) {
	return queryAll(ctx, dst.db, func(r rowScanner) (string, error) {
		var c string
		return c, r.Scan(&c)
	}, `SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position`, table)
}

func quoteColumns(cols []string, prefix string) string {
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = prefix + `"` + c + `"`
	}
	return strings.Join(q, ", ")
}

// copyTable copies the rows of t that dst lacks, in batches.
func (db *DB) copyTable(ctx context.Context, dst *DB, t copyTable, rep *CopyReport, progress func(CopyStep)) (int64, error) {
	fail := func(err error) (int64, error) {
		return 0, fmt.Errorf("copy %s: %w", t.name, err)
	}
	cols, err := dst.columns(ctx, t.name)
	if err != nil {
		return fail(err)
	}
	var total int64
	if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM `+t.name).Scan(&total); err != nil {
		return fail(err)
	}
	keyAt := -1
	for i, c := range cols {
		if c == t.key {
			keyAt = i
		}
	}
	if t.key != "" && keyAt < 0 {
		return fail(fmt.Errorf("no column %s", t.key))
	}
	var after int64 // the key of the last row dst has
	if t.key != "" {
		if err := dst.db.QueryRowContext(ctx, `SELECT coalesce(max(`+t.key+`), 0) FROM `+t.name).Scan(&after); err != nil {
			return fail(err)
		}
	}
	var done, copied int64
	if after > 0 {
		if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM `+t.name+` WHERE `+t.key+` <= ?`, after).Scan(&done); err != nil {
			return fail(err)
		}
	}
	progress(CopyStep{t.name, done, total})
	for {
		if err := ctx.Err(); err != nil {
			return copied, err
		}
		q := `SELECT ` + quoteColumns(cols, "") + ` FROM ` + t.name
		var args []any
		if t.key != "" {
			q += ` WHERE ` + t.key + ` > ? ORDER BY ` + t.key + ` LIMIT ` + fmt.Sprint(copyBatch)
			args = append(args, after)
		}
		rows, err := db.readRows(ctx, q, len(cols), rep, args...)
		if err != nil {
			return fail(err)
		}
		if len(rows) == 0 {
			return copied, nil
		}
		tx, err := dst.db.BeginTx(ctx, nil)
		if err != nil {
			return fail(err)
		}
		n, err := insertRows(ctx, tx, t.name, cols, rows)
		if err == nil && t.name == "articles" {
			var pn int64
			pn, err = db.copyPassages(ctx, tx, rows[0][keyAt].(int64), rows[len(rows)-1][keyAt].(int64), rep)
			rep.Rows["passages"] += pn
		}
		if err == nil {
			err = tx.Commit()
		}
		if err != nil {
			tx.Rollback()
			if ctx.Err() != nil {
				return copied, ctx.Err()
			}
			return fail(err)
		}
		copied += n
		done += int64(len(rows))
		progress(CopyStep{t.name, done, total})
		if t.key == "" {
			return copied, nil
		}
		after = rows[len(rows)-1][keyAt].(int64)
	}
}

// copyPassages copies the passages of the articles with ids from first to
// last into tx.
func (db *DB) copyPassages(ctx context.Context, tx *sqldb.Tx, first, last int64, rep *CopyReport) (int64, error) {
	cols := []string{"id", "article_id", "seq", "start", "end", "words", "chunk"}
	var n int64
	after := int64(0)
	for {
		rows, err := db.readRows(ctx, `SELECT `+quoteColumns(cols, "")+` FROM passages WHERE article_id BETWEEN ? AND ? AND id > ? ORDER BY id LIMIT `+fmt.Sprint(copyBatch*4),
			len(cols), rep, first, last, after)
		if err != nil || len(rows) == 0 {
			return n, err
		}
		k, err := insertRows(ctx, tx, "passages", cols, rows)
		if err != nil {
			return n, err
		}
		n += k
		after = rows[len(rows)-1][0].(int64)
	}
}

// readRows reads rows of n columns, text made fit for PostgreSQL.
func (db *DB) readRows(ctx context.Context, q string, n int, rep *CopyReport, args ...any) ([][]any, error) {
	rows, err := db.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		vals := make([]any, n)
		ptrs := make([]any, n)
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		for i, v := range vals {
			if s, ok := v.(string); ok && (!utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0) {
				vals[i] = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
				rep.Repaired++
			}
		}
		out = append(out, vals)
	}
	return out, rows.Err()
}

// insertRows inserts rows into table, leaving alone those already there,
// and returns how many it inserted.
func insertRows(ctx context.Context, tx *sqldb.Tx, table string, cols []string, rows [][]any) (int64, error) {
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
	per := max(1, min(len(rows), 60000/len(cols)))
	var n int64
	for start := 0; start < len(rows); start += per {
		part := rows[start:min(start+per, len(rows))]
		args := make([]any, 0, len(part)*len(cols))
		for _, r := range part {
			args = append(args, r...)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO `+table+`(`+quoteColumns(cols, "")+`) VALUES `+
			strings.TrimSuffix(strings.Repeat(one+",", len(part)), ",")+` ON CONFLICT DO NOTHING`, args...)
		if err != nil {
			return n, fmt.Errorf("insert into %s: %w", table, err)
		}
		k, _ := res.RowsAffected()
		n += k
	}
	return n, nil
}

// changeCounters reads the database's change counters (see changeWatch).
func (db *DB) changeCounters(ctx context.Context, q interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}) (counters, error) {
	var c counters
	err := q.QueryRowContext(ctx, `SELECT s.last_passage, coalesce((SELECT max(seq) FROM article_changes), 0) FROM stats s WHERE s.id = 1`).Scan(&c.lastPassage, &c.lastChange)
	if err != nil {
		return c, fmt.Errorf("read the change counters: %w", err)
	}
	return c, nil
}

// finishCopy copies, from one snapshot of the source, the keyword index
// with its statistics, the last passage id and the vector space, checks that the source was not
// written to since the copy began, moves dst's id sequences past the
// copied ids, and records the copy as finished.
func (db *DB) finishCopy(ctx context.Context, dst *DB, progress func(CopyStep)) error {
	fail := func(err error) error {
		return fmt.Errorf("copy: finish: %w", err)
	}
	// A write transaction on SQLite: no writer changes the source while
	// its index is read.
	src, err := db.beginWrite(ctx)
	if err != nil {
		return fail(err)
	}
	defer db.endWrite(src)
	now, err := db.changeCounters(ctx, src)
	if err != nil {
		return err
	}
	var began counters
	if err := dst.db.QueryRowContext(ctx, `SELECT last_passage, last_change FROM store_copies WHERE id = 1`).Scan(&began.lastPassage, &began.lastChange); err != nil {
		return fail(err)
	}
	if now != began {
		return Errorf(ECONFLICT, "The database %s was written to while it was copied (Herald was still running on it), so the copy is not complete. Stop herald serve and feed polls, empty the PostgreSQL database (or take a new one) and run herald migrate again.", db.Path)
	}
	var lastPassage int64
	if err := src.QueryRowContext(ctx, `SELECT last_passage FROM stats WHERE id = 1`).Scan(&lastPassage); err != nil {
		return fail(err)
	}
	var model string
	var dim, gen, upto int64
	if err := src.QueryRowContext(ctx, `SELECT model, dim, gen, embedded_upto FROM vector_meta WHERE id = 1`).Scan(&model, &dim, &gen, &upto); err != nil {
		return fail(err)
	}
	tx, err := dst.beginWrite(ctx)
	if err != nil {
		return fail(err)
	}
	defer dst.endWrite(tx)
	if _, err := tx.ExecContext(ctx, `UPDATE stats SET last_passage = ? WHERE id = 1`, lastPassage); err != nil {
		return fail(err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE vector_meta SET model = ?, dim = ?, gen = ?, embedded_upto = ? WHERE id = 1`, model, dim, gen, upto); err != nil {
		return fail(err)
	}
	if err := copyIndex(ctx, src, tx, progress); err != nil {
		return fail(err)
	}
	for _, t := range []string{"articles", "feeds", "digest_schedules", "digest_posts", "conversation_turns", "posted_answers", "feed_posts", "segments", "outlet_boilerplate"} {
		if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'), coalesce((SELECT max(id) FROM `+t+`), 0) + 1, false)`); err != nil {
			return fail(err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE store_copies SET finished_at = ? WHERE id = 1`, dst.Now().Unix()); err != nil {
		return fail(err)
	}
	if err := tx.Commit(); err != nil {
		return fail(err)
	}
	dst.invalidateStats()
	return nil
}

// copyIndex replaces the keyword index of dst with the source's: its
// segments (each of one language), their blocks of postings, the removed
// passages, the postings of removed passages per term and the statistics
// of every language, as they are (the format is the same on both
// databases).
func copyIndex(ctx context.Context, src, dst *sqldb.Tx, progress func(CopyStep)) error {
	for _, q := range []string{`DELETE FROM postings`, `DELETE FROM segments`, `DELETE FROM deleted_passages`, `DELETE FROM removed_df`, `DELETE FROM index_stats`} {
		if _, err := dst.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	var total int64
	if err := src.QueryRowContext(ctx, `SELECT count(*) FROM postings`).Scan(&total); err != nil {
		return err
	}
	progress(CopyStep{"search index", 0, total})
	rep := &CopyReport{}
	for _, t := range []struct {
		table string
		cols  []string
	}{
		{"segments", []string{"id", "passages", "min_pid", "max_pid", "lang"}},
		{"deleted_passages", []string{"id"}},
		{"removed_df", []string{"lang", "term", "n"}},
		{"index_stats", []string{"lang", "passages", "tokens", "title_tokens", "removed"}},
		{"postings", []string{"seg", "term", "n", "data"}},
	} {
		rows, err := src.QueryContext(ctx, `SELECT `+quoteColumns(t.cols, "")+` FROM `+t.table)
		if err != nil {
			return err
		}
		var batch [][]any
		var done int64
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			_, err := insertRows(ctx, dst, t.table, t.cols, batch)
			done += int64(len(batch))
			batch = batch[:0]
			if t.table == "postings" {
				progress(CopyStep{"search index", done, total})
			}
			return err
		}
		for rows.Next() {
			vals := make([]any, len(t.cols))
			ptrs := make([]any, len(vals))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return err
			}
			if t.table == "postings" {
				if s, ok := vals[1].(string); ok && !utf8.ValidString(s) {
					rep.Repaired++ // terms are normalised text: never happens
				}
			}
			batch = append(batch, vals)
			if len(batch) == copyBatch {
				if err := flush(); err != nil {
					rows.Close()
					return err
				}
			}
		}
		err = rows.Err()
		rows.Close()
		if err == nil {
			err = flush()
		}
		if err != nil {
			return err
		}
	}
	return nil
}
