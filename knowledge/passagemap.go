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
// It is built in the background (DB.PrepareSearch, or the first search),
// serving searches from SQLite until it is ready, and this process's writes
// keep it current. A passage it does not know (another process wrote it)
// or whose article the metadata does not know is looked up in SQLite; the
// candidates kept are read back through the SQL filter anyway, so a stale
// entry can cost a candidate but never admit an article the filter
// excludes.
type passageMap struct {
	mu    sync.RWMutex
	state int           // mapEmpty, mapBuilding or mapReady
	runs  []passageRun  // by first passage id; an article's passages have consecutive ids
	done  chan struct{} // closed when the build ends
	// changed holds the articles this process updated or removed since
	// the metadata was read: their passages are looked up in SQLite.
	changed map[int64]bool
}

const (
	mapEmpty = iota
	mapBuilding
	mapReady
)

// passageRun is the passages of one article (24 bytes an article).
type passageRun struct {
	first, last, article int64
}

// PrepareSearch starts building, in the background, what makes searches
// fast (the passage map and the article metadata); searches work, from
// SQLite, until it is done. A long-running process (the bot) calls it at
// start; otherwise the first search does. The channel is closed when the
// build ends.
func (db *DB) PrepareSearch() <-chan struct{} {
	db.passages.ready(db)
	db.passages.mu.RLock()
	defer db.passages.mu.RUnlock()
	return db.passages.done
}

// ready reports whether the map can be used, starting its build on first
// call.
func (m *passageMap) ready(db *DB) bool {
	m.mu.RLock()
	state := m.state
	m.mu.RUnlock()
	if state == mapReady {
		return true
	}
	if state == mapEmpty {
		m.mu.Lock()
		if m.state == mapEmpty {
			m.state = mapBuilding
			m.done = make(chan struct{})
			go m.build(db)
		}
		m.mu.Unlock()
	}
	return false
}

func (m *passageMap) build(db *DB) {
	defer close(m.done)
	fail := func(err error) {
		// The map stays "building": never retried, SQLite serves.
		db.Logger.Warn("cannot map passages to articles in memory; searches read them from the database", "err", err)
	}
	// One pass over an index of every passage: on a connection of its
	// own with a small page cache, so that it neither evicts what searches
	// keep cached nor leaves a big cache behind.
	ctx := context.Background()
	conn, err := db.db.Conn(ctx)
	if err != nil {
		fail(err)
		return
	}
	defer conn.Close()
	if conn.Dialect() == sqldb.SQLite {
		if _, err := conn.ExecContext(ctx, `PRAGMA cache_size = -1000`); err != nil {
			fail(err)
			return
		}
		defer func() {
			conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = -%d`, cacheKiB))
			conn.ExecContext(ctx, `PRAGMA shrink_memory`)
		}()
	}
	var articles int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM articles`).Scan(&articles); err != nil {
		fail(err)
		return
	}
	runs := make([]passageRun, 0, articles+articles/8)
	rows, err := conn.QueryContext(ctx, `SELECT article_id, min(id), max(id) FROM passages GROUP BY article_id`)
	if err != nil {
		fail(err)
		return
	}
	defer rows.Close()
	for rows.Next() {
		var r passageRun
		if err := rows.Scan(&r.article, &r.first, &r.last); err != nil {
			fail(err)
			return
		}
		runs = append(runs, r)
	}
	if err := rows.Err(); err != nil {
		fail(err)
		return
	}
	sort.Slice(runs, func(i, j int) bool { return runs[i].first < runs[j].first })
	// Read the article metadata now too, so that no search pays for
	// reading it whole.
	if _, err := db.articleView(ctx, Filter{GuildID: "*"}); err != nil {
		fail(err)
		return
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
	if db.passages.ready(db) {
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
