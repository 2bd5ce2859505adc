package knowledge

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver (pure Go, no cgo)

	"github.com/herald-bot/herald/knowledge/internal/sqldb"
	"github.com/herald-bot/herald/knowledge/keyword"
	"github.com/herald-bot/herald/knowledge/text"
)

// cacheKiB is SQLite's page cache per connection.
const cacheKiB = 16000

// busyTimeout is how long a connection waits for another's lock.
const busyTimeout = 10 * time.Second

//go:embed migrations/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// DB is Herald's store, on SQLite or PostgreSQL: articles, passages, the
// full-text index and everything later features keep (feeds,
// conversations, digests). The SQL is the same for both but for the few
// forms knowledge/internal/sqldb names.
type DB struct {
	db *sqldb.DB
	// Path is the SQLite file, or the PostgreSQL URL without its password.
	Path   string
	Now    func() time.Time
	Logger *slog.Logger

	dfMu    sync.Mutex
	dfCache map[string]int // document frequency of a term, reset on every write
	dfGen   uint64

	vec vectorState // the in-memory vector index and query cache (vectors.go)

	passages passageMap // passage → article facts for the first stage (passagemap.go)

	boiler boilerCache // the outlets' boilerplate sentences (boilerplate.go)

	// Embedder, when set, adds vector search to Search (hybrid retrieval,
	// fused by reciprocal rank) and embeds new passages after ingestion.
	Embedder Embedder
	// QueryEmbedTimeout bounds how long a search waits for its question's
	// embedding before it goes on with keyword search alone; zero means
	// DefaultQueryEmbedTimeout.
	QueryEmbedTimeout time.Duration

	// FeedCheck, when set, fetches a feed for AddFeed before it is
	// followed and says why it cannot be read (see FeedSpec.Keep);
	// cmd/herald sets it to the feed poller's CheckFeed.
	FeedCheck func(ctx context.Context, url string) error

	// writeGate admits this process's write transactions one at a time,
	// in the order they asked (see beginWrite).
	writeGate chan struct{}

	// SyncEvery is how often a search first checks whether other
	// processes wrote to the database, so that what this one keeps in
	// memory learns of it (see changes.go); zero means DefaultSyncEvery,
	// a negative value every search.
	SyncEvery time.Duration
	changes   changeWatch

	stems     chan *text.StemCache // free StemCaches for searches (search.go)
	stemsOnce sync.Once

	bg background // the goroutines the DB owns; Close stops and waits for them
}

// Open opens the database at path, creating it and its folder if needed,
// and brings its schema up to date; see OpenWith. A postgres:// or
// postgresql:// URL opens that PostgreSQL database instead (see
// IsPostgresURL).
func Open(ctx context.Context, path string) (*DB, error) {
	return OpenWith(ctx, path, OpenOptions{})
}

// OpenWith opens the database at path and brings its schema up to date.
// Per-connection pragmas are in the DSN so that every pooled connection
// gets them. A folder, a file Herald may not write, another program's
// SQLite database and a file that is not SQLite are refused, each with its
// own message, and left as they are; so is a missing database when
// opts.MustExist.
func OpenWith(ctx context.Context, path string, opts OpenOptions) (*DB, error) {
	if path == "" {
		return nil, Errorf(EINVALID, "No database path given.")
	}
	if IsPostgresURL(path) {
		return openPostgres(ctx, path)
	}
	migs, err := migrations(sqldb.SQLite)
	if err != nil {
		return nil, err
	}
	if err := checkDatabaseFile(path, opts); err != nil {
		return nil, err
	}
	if err := probeDatabase(ctx, path, migs[len(migs)-1].version); err != nil {
		return nil, err
	}
	q := url.Values{}
	for _, p := range []string{"foreign_keys(1)", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()), "journal_mode(WAL)", "synchronous(NORMAL)", fmt.Sprintf("cache_size(-%d)", cacheKiB)} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	dsn := "file:" + filepath.ToSlash(path) + "?" + q.Encode()
	raw, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	db := newDB(sqldb.New(raw, sqldb.SQLite), path)
	if err := db.migrateSettled(ctx, migs); err != nil {
		raw.Close()
		return nil, sqliteOpenError(path, err)
	}
	return db, nil
}

// newDB is a DB on an open handle, before its migrations.
func newDB(h *sqldb.DB, path string) *DB {
	return &DB{db: h, Path: path, Now: time.Now, Logger: slog.Default(), dfCache: map[string]int{}, writeGate: make(chan struct{}, 1)}
}

// Close stops the work the DB does in the background (building the
// passage map, loading the vector index), waits for it to end, and then
// closes the database.
func (db *DB) Close() error {
	db.bg.stop()
	return db.db.Close()
}

// background owns a DB's goroutines: each runs with a context that stop
// cancels, and stop waits for them all. Its zero value is ready to use.
type background struct {
	mu     sync.Mutex
	ctx    context.Context
	cancel context.CancelFunc
	closed bool
	wg     sync.WaitGroup
}

// start runs f in a goroutine of its own, unless stop was called; it
// reports whether it did.
func (b *background) start(f func(ctx context.Context)) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return false
	}
	if b.ctx == nil {
		b.ctx, b.cancel = context.WithCancel(context.Background())
	}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		f(b.ctx)
	}()
	return true
}

// enter joins an operation of a caller's goroutine to the background
// work: the context it returns ends with ctx or when stop is called, and
// stop waits until release is called. After stop it fails.
func (b *background) enter(ctx context.Context) (context.Context, func(), error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, nil, Errorf(EUNAVAILABLE, "The database is closed.")
	}
	if b.ctx == nil {
		b.ctx, b.cancel = context.WithCancel(context.Background())
	}
	b.wg.Add(1)
	joined, cancel := context.WithCancel(ctx)
	unhook := context.AfterFunc(b.ctx, cancel)
	return joined, func() {
		unhook()
		cancel()
		b.wg.Done()
	}, nil
}

// stop cancels the goroutines' context, refuses new ones and waits for
// those running.
func (b *background) stop() {
	b.mu.Lock()
	b.closed = true
	if b.cancel != nil {
		b.cancel()
	}
	b.mu.Unlock()
	b.wg.Wait()
}

// SQL returns the underlying handle, for packages of this module that keep
// their own tables. Its statements are not rebound: on PostgreSQL they
// take $n placeholders.
func (db *DB) SQL() *sql.DB { return db.db.Raw() }

// Dialect names the database Herald runs on: "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.db.Dialect().String() }

// afterMigration does, inside the migration's transaction, what a
// migration needs beyond SQL.
func (db *DB) afterMigration(ctx context.Context, tx *sqldb.Tx, version int) error {
	switch version {
	// 6: Herald's own keyword index replaced FTS5; 11 builds it (per
	// language) from what is stored, for databases from before either.
	case 11: // The keyword index per language: index what is stored again.
		var n int64
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM passages`).Scan(&n); err != nil {
			return fmt.Errorf("count passages: %w", err)
		}
		if n == 0 {
			return nil
		}
		db.Logger.Info("re-indexing every passage once, in its article's language; this takes about a minute per 100,000 articles", "passages", n)
		start := time.Now()
		if err := rebuildIndex(ctx, tx); err != nil {
			return err
		}
		db.Logger.Info("search index built", "passages", n, "took", time.Since(start).Round(time.Second))
	case 13: // The outlets' boilerplate: look for it in what is stored.
		start := time.Now()
		n, err := findStoredBoilerplate(ctx, tx, db.Now())
		if err != nil {
			return fmt.Errorf("find the outlets' boilerplate: %w", err)
		}
		if n > 0 {
			db.Logger.Info("found the outlets' boilerplate in the stored articles", "sentences", n, "took", time.Since(start).Round(time.Millisecond))
		}
	}
	return nil
}

// rebuildIndex indexes every stored passage again, from its stored text
// and its article's headline and language, into a fresh keyword index. An
// article whose language is not an ISO 639-1 code gets the one its first
// passage is written in (English when it does not tell), as ingesting it
// now would. It runs when a database made before the index per language
// is opened.
func rebuildIndex(ctx context.Context, tx *sqldb.Tx) error {
	lastArticle := int64(-1)
	lang := ""
	err := keyword.Rebuild(ctx, tx, func(ctx context.Context, after int64) ([]keyword.Passage, error) {
		page, err := queryAll(ctx, tx, func(r rowScanner) (keyword.Passage, error) {
			var p keyword.Passage
			var seq, start, end int
			var chunk []byte
			if err := r.Scan(&p.ID, &seq, &start, &end, &chunk, &p.ArticleID, &p.Title, &p.Language); err != nil {
				return p, err
			}
			var err error
			if p.Text, err = storedPassageText(chunk, seq, start, end); err != nil {
				return p, fmt.Errorf("read passage %d: %w", p.ID, err)
			}
			return p, nil
		}, `SELECT p.id, p.seq, p.start, p."end", p.chunk, a.id, a.title, a.language FROM passages p JOIN articles a ON a.id = p.article_id
			WHERE p.id > ? ORDER BY p.id LIMIT 2000`, after)
		if err != nil {
			return nil, err
		}
		for i := range page {
			p := &page[i]
			if p.ArticleID != lastArticle {
				lastArticle = p.ArticleID
				lang = articleLanguage(p.Language, p.Text)
				if lang != p.Language {
					if _, err := tx.ExecContext(ctx, `UPDATE articles SET language = ? WHERE id = ?`, lang, p.ArticleID); err != nil {
						return nil, fmt.Errorf("store the language of article %d: %w", p.ArticleID, err)
					}
				}
			}
			p.Language = lang
		}
		return page, nil
	})
	if err != nil {
		return fmt.Errorf("rebuild the keyword index: %w", err)
	}
	_, err = tx.ExecContext(ctx, `UPDATE stats SET last_passage = `+tx.Dialect().Greatest(`last_passage`, `(SELECT coalesce(max(id), 0) FROM passages)`)+` WHERE id = 1`)
	if err != nil {
		return fmt.Errorf("rebuild the keyword index: update stats: %w", err)
	}
	return nil
}

// beginWrite starts a write transaction once the writes of this process
// that asked before it are done; end it with endWrite (deferred), which
// also rolls it back unless it was committed. SQLite lets one writer in at
// a time and its busy handler makes the others poll, sleeping up to 100 ms
// between tries: a writer that commits and at once begins again, like an
// ingest writing batch after batch, wins the lock nearly every time, and a
// small write waiting beside it (a conversation turn, a feed's state) can
// time out. Queueing here first, first come first served, bounds that wait
// by the transactions queued ahead of it; the busy timeout still covers
// other processes (a herald ingest beside herald serve). On PostgreSQL
// the transaction takes the advisory lock "write" first, so that write
// transactions of all processes run one at a time, as SQLite's do: the
// store's writes (passage ids, the index's segments, the corpus counts)
// rely on it.
func (db *DB) beginWrite(ctx context.Context) (*sqldb.Tx, error) {
	select {
	case db.writeGate <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		<-db.writeGate
		return nil, err
	}
	if err := tx.Lock(ctx, "write"); err != nil {
		tx.Rollback()
		<-db.writeGate
		return nil, err
	}
	return tx, nil
}

// endWrite rolls tx back unless it was committed and lets the next write in.
func (db *DB) endWrite(tx *sqldb.Tx) {
	if err := tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		// The transaction's own error has gone to its caller; this one
		// (the connection failing meanwhile, say) has nowhere else to go.
		db.Logger.Warn("cannot roll back a write transaction", "err", err)
	}
	<-db.writeGate
}

// querier is what queryAll reads from: a database or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// queryAll runs query and scans every row with scan. Its errors are the
// driver's (callers wrap them with what they were reading); a failure to
// close the rows counts too.
func queryAll[T any](ctx context.Context, db querier, scan func(rowScanner) (T, error), query string, args ...any) (out []T, err error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := rows.Close(); cerr != nil && err == nil {
			out, err = nil, cerr
		}
	}()
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("scan: %w", err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// deref adapts a scanner that returns a pointer to queryAll.
func deref[T any](scan func(rowScanner) (*T, error)) func(rowScanner) (T, error) {
	return func(r rowScanner) (T, error) {
		p, err := scan(r)
		if err != nil {
			var zero T
			return zero, err
		}
		return *p, nil
	}
}

// loggerOr returns l, or the default logger when l is nil: components take
// an optional Logger field.
func loggerOr(l *slog.Logger) *slog.Logger {
	if l != nil {
		return l
	}
	return slog.Default()
}

// NowOr returns now(), or the wall clock when now is nil: components take
// an optional injected clock.
func NowOr(now func() time.Time) time.Time {
	if now != nil {
		return now()
	}
	return time.Now()
}

// invalidateStats forgets cached term statistics after a write.
func (db *DB) invalidateStats() {
	db.dfMu.Lock()
	db.dfCache = map[string]int{}
	db.dfGen++
	db.dfMu.Unlock()
}

// unixOrNull stores a zero time as NULL.
func unixOrNull(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Unix()
}

func timeFromNull(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.Unix(v.Int64, 0).UTC()
}

// isNoRows reports whether err is sql.ErrNoRows.
func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
