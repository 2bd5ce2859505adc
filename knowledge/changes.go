package knowledge

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/herald-bot/herald/knowledge/internal/sqldb"
)

// DefaultSyncEvery is how often, at most, a search checks for other
// processes' writes.
const DefaultSyncEvery = time.Second

// keepChanges is how long article_changes keeps a row; a process that did
// not look for longer forgets what it keeps in memory and reads it anew.
const keepChanges = 24 * time.Hour

// changeWatch is what this process last saw of the database's change
// counters: the last passage id handed out (stats.last_passage: every
// article stored or updated takes new passage ids) and the last row of
// article_changes (every article updated or removed adds one). A search
// compares them with the database at most once per DB.SyncEvery; when
// another process wrote, the caches of this one learn it:
//
//   - term statistics are dropped (read again as needed);
//   - the passages of articles updated or removed are looked up in SQL
//     from then on, and their metadata is read again;
//   - the passage map learns the passages added since.
//
// The caches only ever speed up a search: the candidates it keeps are read
// back through SQL with the filter, so a cache that has not learned yet
// can cost a candidate but never admit an article the filter excludes
// (another server's, say).
type changeWatch struct {
	mu      sync.Mutex
	checked time.Time // monotonic
	busy    bool      // a check is running
	seen    bool      // counters holds what the database had
	counters
}

// counters are the database's change counters.
type counters struct {
	lastPassage, lastChange int64
}

// recordArticleChanges notes, in the write transaction that updates or
// removes them, that articles changed, and forgets notes older than
// keepChanges.
func (db *DB) recordArticleChanges(ctx context.Context, tx *sqldb.Tx, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	now := db.Now().Unix()
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `INSERT INTO article_changes(article_id, changed_at) VALUES (?, ?)`, id, now); err != nil {
			return fmt.Errorf("record the change of article %d: %w", id, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM article_changes WHERE changed_at < ?`, now-int64(keepChanges/time.Second)); err != nil {
		return fmt.Errorf("forget old article changes: %w", err)
	}
	return nil
}

// syncChanges brings what this process keeps in memory up to date with
// other processes' writes (see changeWatch). A failure is logged: the
// caches stay as they are, and SQL still has the last word. Searches that
// come while a check runs do not wait for it.
func (db *DB) syncChanges(ctx context.Context) {
	w := &db.changes
	every := db.SyncEvery
	if every == 0 {
		every = DefaultSyncEvery
	}
	w.mu.Lock()
	if w.busy || w.seen && every > 0 && time.Since(w.checked) < every {
		w.mu.Unlock()
		return
	}
	w.busy, w.checked = true, time.Now()
	seen, from := w.seen, w.counters
	w.mu.Unlock()
	now, err := db.learnChanges(ctx, seen, from)
	w.mu.Lock()
	w.busy = false
	if err == nil {
		w.seen, w.counters = true, now
	}
	w.mu.Unlock()
	if err != nil && ctx.Err() == nil {
		db.Logger.Warn("cannot check for other processes' writes; searching with what this one knows", "err", err)
	}
}

// learnChanges reads the change counters and, when seen and they moved
// from from, what changed; it returns the counters read.
func (db *DB) learnChanges(ctx context.Context, seen bool, from counters) (counters, error) {
	var now counters
	var firstChange int64
	if err := db.db.QueryRowContext(ctx, `SELECT s.last_passage, coalesce(max(c.seq), 0), coalesce(min(c.seq), 0)
		FROM stats s LEFT JOIN article_changes c ON TRUE WHERE s.id = 1 GROUP BY s.last_passage`).Scan(&now.lastPassage, &now.lastChange, &firstChange); err != nil {
		return now, fmt.Errorf("read the change counters: %w", err)
	}
	if !seen || now == from {
		return now, nil
	}
	db.invalidateStats()
	if now.lastChange != from.lastChange {
		if firstChange > from.lastChange+1 || now.lastChange < from.lastChange {
			// The notes since the last look were forgotten (or the
			// database was replaced): read everything anew.
			db.forgetCaches()
		} else {
			changed, err := queryAll(ctx, db.db, func(r rowScanner) (int64, error) {
				var id int64
				return id, r.Scan(&id)
			}, `SELECT article_id FROM article_changes WHERE seq > ? ORDER BY seq`, from.lastChange)
			if err != nil {
				return from, fmt.Errorf("read article changes: %w", err)
			}
			db.passages.mu.Lock()
			for _, id := range changed {
				db.passages.markChanged(id)
			}
			db.passages.mu.Unlock()
			for _, id := range changed {
				db.forgetArticleMeta(id) // read again by the next search that needs it
			}
		}
	}
	if now.lastPassage > from.lastPassage {
		runs, err := queryAll(ctx, db.db, func(r rowScanner) (passageRun, error) {
			var run passageRun
			return run, r.Scan(&run.article, &run.first, &run.last)
		}, `SELECT article_id, min(id), max(id) FROM passages WHERE id > ? GROUP BY article_id`, from.lastPassage)
		if err != nil {
			return from, fmt.Errorf("read new passages: %w", err)
		}
		db.passages.learn(runs)
	}
	return now, nil
}

// learn adds runs of passages that another process stored to a ready map,
// each where it belongs (this process may have stored later ones since).
func (m *passageMap) learn(runs []passageRun) {
	if len(runs) == 0 {
		return
	}
	sort.Slice(runs, func(i, j int) bool { return runs[i].first < runs[j].first })
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.state != mapReady {
		return // the build reads them from the database
	}
	for _, r := range runs {
		i := sort.Search(len(m.runs), func(i int) bool { return m.runs[i].last >= r.first })
		if i < len(m.runs) && m.runs[i].first <= r.last {
			continue // known already (this process's own write)
		}
		m.runs = append(m.runs, passageRun{})
		copy(m.runs[i+1:], m.runs[i:])
		m.runs[i] = r
	}
}

// forgetCaches drops the passage map and the article metadata, to be
// read again from the database: the map is built anew in the background
// when it had been built (PrepareSearch), the metadata as searches need
// it.
func (db *DB) forgetCaches() {
	m := &db.passages
	m.mu.Lock()
	rebuild := m.state == mapReady
	if rebuild {
		m.state, m.runs, m.changed = mapEmpty, nil, nil
	}
	m.mu.Unlock()
	db.vec.meta.forgetAll()
	if rebuild {
		db.PrepareSearch()
	}
}
