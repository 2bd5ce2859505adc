package knowledge

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// passageMap knows, in memory, which article each passage belongs to and
// what a filter needs of that article (date, server, outlet), so that the
// first stage can filter and weight hundreds of candidates without a
// database lookup each: that was a third of a search at 100,000 articles.
//
// It is built in the background on the first search (serving that search
// and those until it is ready from SQLite), and this process's writes keep
// it current. It may lag behind other processes' writes: a passage it does
// not know is looked up in SQLite, and the candidates kept are read back
// through the SQL filter anyway, so a stale entry can cost a candidate but
// never admit an article the filter excludes.
type passageMap struct {
	mu    sync.RWMutex
	state int          // mapEmpty, mapBuilding or mapReady
	runs  []passageRun // by first passage id; an article's passages have consecutive ids
	strs  []string     // servers and outlets, each once
	strID map[string]uint32
}

const (
	mapEmpty = iota
	mapBuilding
	mapReady
)

// passageRun is the passages of one article, with what a Filter looks at
// (48 bytes an article).
type passageRun struct {
	first, last, article int64
	published            int64  // unix seconds; 0 when unknown
	guild, source        uint32 // in strs; the source in lower case
	removed              bool
}

// PrepareSearch starts building, in the background, what makes searches
// fast (the passage map); searches work, from SQLite, until it is done.
// A long-running process (the bot) calls it at start; otherwise the first
// search does.
func (db *DB) PrepareSearch() { db.passages.ready(db) }

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
			go m.build(db)
		}
		m.mu.Unlock()
	}
	return false
}

// intern returns the id of s; the caller holds mu for writing.
func (m *passageMap) intern(s string) uint32 {
	if id, ok := m.strID[s]; ok {
		return id
	}
	if m.strID == nil {
		m.strID = map[string]uint32{}
	}
	id := uint32(len(m.strs))
	m.strs = append(m.strs, s)
	m.strID[s] = id
	return id
}

func (m *passageMap) build(db *DB) {
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
	if _, err := conn.ExecContext(ctx, `PRAGMA cache_size = -1000`); err != nil {
		fail(err)
		return
	}
	defer func() {
		conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = -%d`, cacheKiB))
		conn.ExecContext(ctx, `PRAGMA shrink_memory`)
	}()
	var articles int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM articles`).Scan(&articles); err != nil {
		fail(err)
		return
	}
	rows, err := conn.QueryContext(ctx, `SELECT p.article_id, min(p.id), max(p.id), ifnull(a.published_at, 0), a.guild_id, lower(a.source)
		FROM passages p JOIN articles a ON a.id = p.article_id GROUP BY p.article_id`)
	if err != nil {
		fail(err)
		return
	}
	defer rows.Close()
	runs := make([]passageRun, 0, articles+articles/8)
	var guild, source sql.RawBytes
	m.mu.Lock() // for intern; searches do not read the map until it is ready
	for rows.Next() {
		var r passageRun
		if err := rows.Scan(&r.article, &r.first, &r.last, &r.published, &guild, &source); err != nil {
			m.mu.Unlock()
			fail(err)
			return
		}
		r.guild, r.source = m.intern(string(guild)), m.intern(string(source))
		runs = append(runs, r)
	}
	if err := rows.Err(); err != nil {
		m.mu.Unlock()
		fail(err)
		return
	}
	sort.Slice(runs, func(i, j int) bool { return runs[i].first < runs[j].first })
	// Writes of this process while building: keep those the snapshot
	// missed (they come after it), and the removals.
	for _, r := range m.runs {
		switch {
		case r.removed:
			markRemoved(runs, r.article)
		case len(runs) == 0 || r.first > runs[len(runs)-1].last:
			runs = append(runs, r)
		}
	}
	m.runs, m.state = slices.Clip(runs), mapReady
	m.mu.Unlock()
}

// markRemoved marks the runs of an article removed.
func markRemoved(runs []passageRun, article int64) {
	for i := range runs {
		if runs[i].article == article {
			runs[i].removed = true
		}
	}
}

// added records passages this process stored for an article (replacing
// any it had before).
func (m *passageMap) added(article, first, last int64, a *Article) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.state == mapEmpty {
		return // built later from the database
	}
	markRemoved(m.runs, article)
	r := passageRun{first: first, last: last, article: article, guild: m.intern(a.GuildID), source: m.intern(strings.ToLower(a.Source))}
	if !a.PublishedAt.IsZero() {
		r.published = a.PublishedAt.Unix()
	}
	if n := len(m.runs); n == 0 || first > m.runs[n-1].last {
		m.runs = append(m.runs, r)
	}
}

// removed records that this process removed an article.
func (m *passageMap) removed(article int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch m.state {
	case mapReady:
		markRemoved(m.runs, article)
	case mapBuilding: // applied when the build is done
		m.runs = append(m.runs, passageRun{article: article, removed: true})
	}
}

// run returns the run holding passage pid, or nil; the caller holds mu.
func (m *passageMap) run(pid int64) *passageRun {
	i := sort.Search(len(m.runs), func(i int) bool { return m.runs[i].last >= pid })
	if i == len(m.runs) || m.runs[i].first > pid {
		return nil
	}
	return &m.runs[i]
}

// passes is filterSQL's condition, in Go; the caller holds mu.
func (m *passageMap) passes(r *passageRun, flt Filter) bool {
	if r.removed {
		return false
	}
	guild := m.strs[r.guild]
	if flt.GuildID != "*" && guild != "" && guild != flt.GuildID {
		return false
	}
	if !flt.Since.IsZero() && (r.published == 0 || r.published < flt.Since.Unix()) {
		return false
	}
	if !flt.Until.IsZero() && (r.published == 0 || r.published >= flt.Until.Unix()) {
		return false
	}
	if !flt.AsOf.IsZero() && r.published != 0 && r.published > flt.AsOf.Unix() {
		return false
	}
	if len(flt.Sources) > 0 {
		source := m.strs[r.source]
		for _, s := range flt.Sources {
			if strings.ToLower(strings.TrimSpace(s)) == source {
				return true
			}
		}
		return false
	}
	return true
}

// passageDates returns the publication dates (zero when unknown) of the
// passages of ranked that exist and pass the filter: from the passage map
// when it knows them, else from SQLite.
func (db *DB) passageDates(ctx context.Context, ranked []scoredPassage, f Filter) (map[int64]time.Time, error) {
	out := make(map[int64]time.Time, len(ranked))
	unknown := ranked
	if db.passages.ready(db) {
		unknown = nil
		db.passages.mu.RLock()
		for _, p := range ranked {
			r := db.passages.run(p.id)
			if r == nil {
				unknown = append(unknown, p)
				continue
			}
			if db.passages.passes(r, f) {
				var t time.Time
				if r.published != 0 {
					t = time.Unix(r.published, 0).UTC()
				}
				out[p.id] = t
			}
		}
		db.passages.mu.RUnlock()
	}
	if len(unknown) == 0 {
		return out, nil
	}
	where, args := filterSQL(f)
	for start := 0; start < len(unknown); start += maxSQLIDs {
		part := unknown[start:min(start+maxSQLIDs, len(unknown))]
		list := make([]string, len(part))
		for i, p := range part {
			list[i] = strconv.FormatInt(p.id, 10)
		}
		rows, err := db.db.QueryContext(ctx, `SELECT p.id, a.published_at FROM passages p JOIN articles a ON a.id = p.article_id
			WHERE p.id IN (`+strings.Join(list, ",")+`) AND `+where, args...)
		if err != nil {
			return nil, WrapError(EINTERNAL, "Cannot search the articles.", err)
		}
		for rows.Next() {
			var id int64
			var pub sql.NullInt64
			if err := rows.Scan(&id, &pub); err != nil {
				rows.Close()
				return nil, WrapError(EINTERNAL, "Cannot search the articles.", err)
			}
			out[id] = timeFromNull(pub)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, WrapError(EINTERNAL, "Cannot search the articles.", err)
		}
	}
	return out, nil
}
