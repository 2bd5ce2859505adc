package knowledge

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/herald-bot/herald/knowledge/internal/sqldb"
	"github.com/herald-bot/herald/knowledge/keyword"
)

// passageMap knows, in memory, which article each passage belongs to, so
// that the first stage can filter and date hundreds of candidates with the
// article metadata the vector search already holds (articleView), without
// a database lookup each: that was a third of a search at 100,000
// articles.
//
// A long-running process (the bot) builds it in the background with
// DB.PrepareSearch, serving searches from SQLite until it is ready; a
// one-shot command never builds it (its searches are over before the
// build would be), and this process's writes keep it current. A passage
// it does not know (another process wrote it) or whose article the
// metadata does not know is looked up in SQLite; the candidates kept are
// read back through the SQL filter anyway, so a stale entry can cost a
// candidate but never admit an article the filter excludes.
type passageMap struct {
	mu    sync.RWMutex
	state int           // mapEmpty, mapBuilding or mapReady
	runs  []passageRun  // by first passage id; an article's passages have consecutive ids
	done  chan struct{} // closed when the build ends
	// changed holds the articles this process updated or removed since
	// the metadata was read: their passages are looked up in SQLite.
	changed map[int64]bool
	// step, when set (by tests), is called as the build reaches each of
	// its steps (buildSteps), before it takes it.
	step func(ctx context.Context, name string)
}

const (
	mapEmpty = iota
	mapBuilding
	mapReady
)

// buildSteps names the steps of the build in order, as the test hook sees
// them.
var buildSteps = [...]string{"count", "runs", "metadata", "publish"}

// passageRun is the passages of one article (24 bytes an article).
type passageRun struct {
	first, last, article int64
}

// PrepareSearch starts building, in the background, what makes searches
// of a long-running process fast (the passage map and the article
// metadata); searches work, from SQLite and with the same results, until
// it is done. The channel is closed when the build ends (at once when it
// was started before or the DB is closed). Close stops the build.
func (db *DB) PrepareSearch() <-chan struct{} {
	m := &db.passages
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.state != mapEmpty {
		return m.done
	}
	m.state = mapBuilding
	m.done = make(chan struct{})
	done := m.done
	if !db.bg.start(func(ctx context.Context) { m.build(ctx, db, done) }) {
		close(done)
	}
	return done
}

// ready reports whether the map can be used.
func (m *passageMap) ready() bool {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.state == mapReady
}

func (m *passageMap) build(ctx context.Context, db *DB, done chan struct{}) {
	defer close(done)
	err := m.read(ctx, db)
	if err != nil && ctx.Err() == nil {
		// The map stays "building": never retried, SQLite serves.
		db.Logger.Warn("cannot map passages to articles in memory; searches read them from the database", "err", err)
	}
}

// at calls the test hook, if any, at a step of the build.
func (m *passageMap) at(ctx context.Context, step string) {
	if m.step != nil {
		m.step(ctx, step)
	}
}

// read builds the map: one pass over an index of every passage, on a
// connection of its own with a small page cache, so that it neither
// evicts what searches keep cached nor leaves a big cache behind.
func (m *passageMap) read(ctx context.Context, db *DB) error {
	// Note the change counters before the snapshot, so that what other
	// processes change after it is learned (see changes.go), not missed
	// until a first search notes them.
	db.syncChanges(ctx)
	conn, err := db.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("map passages: %w", err)
	}
	defer conn.Close()
	if conn.Dialect() == sqldb.SQLite {
		if _, err := conn.ExecContext(ctx, `PRAGMA cache_size = -1000`); err != nil {
			return fmt.Errorf("map passages: %w", err)
		}
		defer func() {
			// Best effort: the connection goes back to the pool either way.
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA cache_size = -%d`, cacheKiB))
			_, _ = conn.ExecContext(context.WithoutCancel(ctx), `PRAGMA shrink_memory`)
		}()
	}
	m.at(ctx, "count")
	var articles int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM articles`).Scan(&articles); err != nil {
		return fmt.Errorf("map passages: count articles: %w", err)
	}
	m.at(ctx, "runs")
	runs, err := readRuns(ctx, conn, articles)
	if err != nil {
		return err
	}
	// Read the article metadata now too, so that no search pays for
	// reading it whole.
	m.at(ctx, "metadata")
	if _, err := db.articleView(ctx, Filter{GuildID: "*"}); err != nil {
		return fmt.Errorf("map passages: %w", err)
	}
	m.at(ctx, "publish")
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	// Writes of this process while building: keep those the snapshot
	// missed (they come after it).
	for _, r := range m.runs {
		if len(runs) == 0 || r.first > runs[len(runs)-1].last {
			runs = append(runs, r)
		}
	}
	m.runs, m.state = slices.Clip(runs), mapReady
	m.mu.Unlock()
	return nil
}

// readRuns reads every article's run of passages, by first passage.
func readRuns(ctx context.Context, conn *sqldb.Conn, articles int) ([]passageRun, error) {
	runs := make([]passageRun, 0, articles+articles/8)
	rows, err := conn.QueryContext(ctx, `SELECT article_id, min(id), max(id) FROM passages GROUP BY article_id`)
	if err != nil {
		return nil, fmt.Errorf("map passages: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r passageRun
		if err := rows.Scan(&r.article, &r.first, &r.last); err != nil {
			return nil, fmt.Errorf("map passages: %w", err)
		}
		runs = append(runs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("map passages: %w", err)
	}
	sort.Slice(runs, func(i, j int) bool { return runs[i].first < runs[j].first })
	return runs, nil
}

// added records passages this process stored for an article; updated
// tells that the article was stored before (its metadata may have changed).
func (m *passageMap) added(article, first, last int64, updated bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if updated {
		m.markChanged(article)
	}
	if m.state == mapEmpty {
		return // built later from the database
	}
	if n := len(m.runs); n == 0 || first > m.runs[n-1].last {
		m.runs = append(m.runs, passageRun{first, last, article})
	}
}

// removed records that this process removed an article.
func (m *passageMap) removed(article int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.markChanged(article)
}

// markChanged records a changed article; the caller holds mu.
func (m *passageMap) markChanged(article int64) {
	if m.changed == nil {
		m.changed = map[int64]bool{}
	}
	m.changed[article] = true
}

// article returns the article of passage pid, or 0 when the map does not
// know it; the caller holds mu.
func (m *passageMap) article(pid int64) int64 {
	i := sort.Search(len(m.runs), func(i int) bool { return m.runs[i].last >= pid })
	if i == len(m.runs) || m.runs[i].first > pid {
		return 0
	}
	return m.runs[i].article
}

// passageDates returns the publication dates (zero when unknown) of the
// passages of ranked that exist and pass the filter: from memory when the
// passage map and the article metadata know them, else from SQLite.
func (db *DB) passageDates(ctx context.Context, ranked []keyword.Scored, f Filter) (map[int64]time.Time, error) {
	out := make(map[int64]time.Time, len(ranked))
	var unknown []int64
	if db.passages.ready() {
		view, err := db.articleView(ctx, f)
		if err != nil {
			return nil, err
		}
		db.passages.mu.RLock()
		for _, p := range ranked {
			art := db.passages.article(p.ID)
			switch {
			case art == 0 || !view.known(art) || db.passages.changed[art]:
				unknown = append(unknown, p.ID)
			case view.allows(art):
				out[p.ID] = view.published(art)
			}
		}
		db.passages.mu.RUnlock()
	} else {
		for _, p := range ranked {
			unknown = append(unknown, p.ID)
		}
	}
	err := db.queryPassages(ctx, unknown, f, `p.id, a.published_at`, func(r rowScanner) error {
		var id int64
		var pub sql.NullInt64
		if err := r.Scan(&id, &pub); err != nil {
			return err
		}
		out[id] = timeFromNull(pub)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
