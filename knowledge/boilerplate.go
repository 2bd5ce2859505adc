package knowledge

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/herald-bot/herald/knowledge/boilerplate"
	"github.com/herald-bot/herald/knowledge/internal/sqldb"
)

// The store learns each outlet's boilerplate (see package boilerplate):
// after each write it counts the sentences of the newest
// boilerplate.WindowSize articles of every outlet it wrote to, and
// records the sentences that recur in outlet_boilerplate with their
// counts. Articles stored after a sentence was found have it dropped at
// ingest; articles stored before keep it in their stored text (their
// quotes stay byte-exact), and every reader of sentences (answers,
// summaries, digest leads, feed-post leads) skips it there (see readable).
//
// Why a window and not a count of every sentence ever stored: such a
// table holds some 70 rows an article, keyed by a hash, so each batch of
// an ingest would rewrite pages all over it; the window (kept in memory,
// read from the database once per outlet and process) costs about a
// millisecond a write and finds what recurs now, which is what a site's
// furniture does.

// identifyingWords is how long a text must be, without the outlets' known
// boilerplate, to identify an article on its own: shorter texts under
// other addresses and other headlines are other articles.
const identifyingWords = 100

// outletName names an outlet: its source name folded, else its URL's
// host; "" when it has neither.
func outletName(source, rawURL string) string {
	if s := boilerplate.Outlet(source); s != "" {
		return s
	}
	if u, err := url.Parse(rawURL); err == nil && u.Host != "" {
		return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	}
	return ""
}

// boilerCache holds the boilerplate set of a DB and the last row of
// outlet_boilerplate it has read.
type boilerCache struct {
	mu   sync.Mutex
	set  *boilerplate.Set
	last int64
	// windows are the newest articles of the outlets this process
	// writes to (see learnBoilerplate).
	windows map[outletScope]*outletWindow
	tick    uint64
}

// boilerplate returns the store's boilerplate sentences, reading the ones
// found since the last call (by any process) first.
func (db *DB) boilerplate(ctx context.Context) (*boilerplate.Set, error) {
	db.boiler.mu.Lock()
	last, cur := db.boiler.last, db.boiler.set
	db.boiler.mu.Unlock()
	type row struct{ id, key int64 }
	rows, err := queryAll(ctx, db.db, func(r rowScanner) (row, error) {
		var x row
		return x, r.Scan(&x.id, &x.key)
	}, `SELECT id, key FROM outlet_boilerplate WHERE id > ? ORDER BY id`, last)
	if err != nil {
		return nil, fmt.Errorf("read the outlets' boilerplate: %w", err)
	}
	if len(rows) == 0 {
		return cur, nil
	}
	db.boiler.mu.Lock()
	defer db.boiler.mu.Unlock()
	keys := make([]int64, len(rows))
	for i, r := range rows {
		keys[i] = r.key
		db.boiler.last = max(db.boiler.last, r.id)
	}
	next := db.boiler.set.With(keys)
	db.boiler.set = next
	return next, nil
}

// readable returns an article's text as answers, summaries and leads may
// use it: boilerplate blanked out (see boilerplate.Readable), every other
// byte where it is stored.
func readable(body string, a *Article, set *boilerplate.Set) string {
	return boilerplate.Readable(body, a.Source, a.GuildID, set)
}

// withoutBoilerplate blanks the boilerplate out of the evidence's
// passages and drops the passages left without text, so that no answer
// quotes a site's notices.
func (db *DB) withoutBoilerplate(ctx context.Context, hits []Hit) ([]Hit, error) {
	set, err := db.boilerplate(ctx)
	if err != nil {
		return nil, err
	}
	out := hits[:0:0]
	for _, h := range hits {
		h.Passage.Text = readable(h.Passage.Text, &h.Article, set)
		if strings.TrimSpace(h.Passage.Text) == "" {
			continue
		}
		out = append(out, h)
	}
	return out, nil
}

// outletScope is an outlet in a server's scope ("" for the operator's):
// the unit whose boilerplate the store learns.
type outletScope struct{ guild, source string }

// outletWindow is what this process knows of an outlet's newest
// articles, and when it last used them.
type outletWindow struct {
	boilerplate.Window
	used uint64 // for evicting the least recently used window
}

// maxWindows bounds the outlets whose windows a process keeps (about
// 100 KB each).
const maxWindows = 32

// writtenArticle is an article a write stored, for learnBoilerplate.
type writtenArticle struct {
	id    int64
	scope outletScope
	keys  []boilerplate.Sentence
}

// learnBoilerplate adds the articles a write stored to their outlets'
// windows (read from the database the first time this process sees an
// outlet), counts the sentences of those windows and records the new
// boilerplate. It is best effort: the articles are stored whatever happens
// here, so a failure is logged, not returned.
func (db *DB) learnBoilerplate(ctx context.Context, written []writtenArticle) {
	if err := db.learn(ctx, written); err != nil && ctx.Err() == nil {
		db.Logger.Warn("cannot look for the outlets' boilerplate; the articles are stored", "err", err)
	}
}

func (db *DB) learn(ctx context.Context, written []writtenArticle) error {
	c := &db.boiler
	byScope := map[outletScope][]writtenArticle{}
	var scopes []outletScope
	for _, w := range written {
		if byScope[w.scope] == nil {
			scopes = append(scopes, w.scope)
		}
		byScope[w.scope] = append(byScope[w.scope], w)
	}
	for _, sc := range scopes {
		arts := byScope[sc]
		c.mu.Lock()
		win := c.windows[sc]
		c.mu.Unlock()
		if win == nil {
			// The outlet's articles stored before these ones.
			win = &outletWindow{}
			if need := boilerplate.WindowSize - len(arts); need > 0 {
				older, err := loadWindow(ctx, db.db, sc, arts[0].id, need)
				if err != nil {
					return err
				}
				for _, o := range older {
					win.Push(o.id, o.keys)
				}
			}
		}
		c.mu.Lock()
		if c.windows == nil {
			c.windows = map[outletScope]*outletWindow{}
		}
		if cur := c.windows[sc]; cur != nil {
			win = cur // loaded meanwhile by another write
		}
		c.tick++
		win.used = c.tick
		c.windows[sc] = win
		c.evict()
		for _, a := range arts {
			win.Push(a.id, a.keys)
		}
		c.mu.Unlock()
	}
	var found []foundSentence
	c.mu.Lock()
	for _, sc := range scopes {
		if win := c.windows[sc]; win != nil {
			found = append(found, foundIn(sc, &win.Window, c.set)...)
		}
	}
	c.mu.Unlock()
	if len(found) == 0 {
		return nil
	}
	if err := sentenceTexts(ctx, db.db, found); err != nil {
		return err
	}
	if err := db.recordBoilerplate(ctx, found); err != nil {
		return err
	}
	_, err := db.boilerplate(ctx) // learn the new ones now
	return err
}

// evict drops the least recently used windows beyond maxWindows; the
// caller holds mu.
func (c *boilerCache) evict() {
	for len(c.windows) > maxWindows {
		var oldest outletScope
		first := true
		for sc, w := range c.windows {
			if first || w.used < c.windows[oldest].used {
				oldest, first = sc, false
			}
		}
		delete(c.windows, oldest)
	}
}

// foundSentence is a sentence found to be an outlet's boilerplate (with
// the newest article of its window that holds it), and its text.
type foundSentence struct {
	scope outletScope
	boilerplate.Found
	text string
}

// foundIn returns the sentences of the outlet's window that are
// boilerplate and not in known yet, sorted by key, without their text
// (see sentenceTexts).
func foundIn(sc outletScope, w *boilerplate.Window, known *boilerplate.Set) []foundSentence {
	var out []foundSentence
	for _, f := range w.Found(known) {
		out = append(out, foundSentence{scope: sc, Found: f})
	}
	return out
}

// windowArticle is one article of an outlet's window.
type windowArticle struct {
	id   int64
	keys []boilerplate.Sentence
}

// loadWindow reads the counted sentences of the n newest articles of the
// outlet stored before article before (0: of all), oldest first.
func loadWindow(ctx context.Context, q querier, sc outletScope, before int64, n int) ([]windowArticle, error) {
	if before <= 0 {
		before = math.MaxInt64
	}
	type row struct {
		id          int64
		title, lang string
		chunk       []byte
	}
	rows, err := queryAll(ctx, q, func(r rowScanner) (row, error) {
		var x row
		return x, r.Scan(&x.id, &x.title, &x.lang, &x.chunk)
	}, `SELECT a.id, a.title, a.language, p.chunk FROM articles a JOIN passages p ON p.article_id = a.id
		WHERE a.id IN (SELECT id FROM articles WHERE source = ? AND guild_id = ? AND id < ? ORDER BY id DESC LIMIT `+strconv.Itoa(n)+`)
		ORDER BY a.id, p.seq`, sc.source, sc.guild, before)
	if err != nil {
		return nil, fmt.Errorf("read the newest articles of %q: %w", sc.source, err)
	}
	outlet := boilerplate.Outlet(sc.source)
	var out []windowArticle
	var body strings.Builder
	for i, x := range rows {
		s, err := decodeChunk(x.chunk)
		if err != nil {
			return nil, fmt.Errorf("read the newest articles of %q: article %d: %w", sc.source, x.id, err)
		}
		body.WriteString(s)
		if i+1 == len(rows) || rows[i+1].id != x.id {
			keys, _ := boilerplate.Counted(body.String(), nil, x.title, sc.guild, outlet, x.lang, nil)
			out = append(out, windowArticle{id: x.id, keys: keys})
			body.Reset()
		}
	}
	return out, nil
}

// sentenceTexts fills in the text of found sentences from the articles
// that hold them; a sentence whose article is gone meanwhile is left
// without text.
func sentenceTexts(ctx context.Context, q querier, found []foundSentence) error {
	texts := map[int64]string{}
	for i := range found {
		f := &found[i]
		body, ok := texts[f.Article]
		if !ok {
			chunks, err := queryAll(ctx, q, func(r rowScanner) ([]byte, error) {
				var c []byte
				return c, r.Scan(&c)
			}, `SELECT chunk FROM passages WHERE article_id = ? ORDER BY seq`, f.Article)
			if err != nil {
				return fmt.Errorf("read article %d: %w", f.Article, err)
			}
			var b strings.Builder
			for _, c := range chunks {
				s, err := decodeChunk(c)
				if err != nil {
					return fmt.Errorf("read article %d: %w", f.Article, err)
				}
				b.WriteString(s)
			}
			body = b.String()
			texts[f.Article] = body
		}
		f.text = boilerplate.SentenceText(body, f.scope.guild, boilerplate.Outlet(f.scope.source), f.Key)
	}
	return nil
}

// recordBoilerplate stores sentences found to be boilerplate; those
// recorded before (by another process meanwhile) stay as they are.
func (db *DB) recordBoilerplate(ctx context.Context, found []foundSentence) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return fmt.Errorf("record the outlets' boilerplate: begin: %w", err)
	}
	defer db.endWrite(tx)
	if err := insertBoilerplate(ctx, tx, found, db.Now()); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("record the outlets' boilerplate: commit: %w", err)
	}
	for _, f := range found {
		db.Logger.Debug("found an outlet's boilerplate", "outlet", f.scope.source, "guild", f.scope.guild, "sentence", f.text, "articles", f.Articles)
	}
	return nil
}

func insertBoilerplate(ctx context.Context, tx *sqldb.Tx, found []foundSentence, now time.Time) error {
	st, err := tx.PrepareContext(ctx, `INSERT INTO outlet_boilerplate(key, guild_id, outlet, sentence, articles, offtopic, found_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(key) DO NOTHING`)
	if err != nil {
		return fmt.Errorf("record the outlets' boilerplate: %w", err)
	}
	defer st.Close()
	for _, f := range found {
		if _, err := st.ExecContext(ctx, f.Key, f.scope.guild, f.scope.source, f.text, f.Articles, f.Offtopic, now.Unix()); err != nil {
			return fmt.Errorf("record the outlets' boilerplate: %w", err)
		}
	}
	return nil
}

// findStoredBoilerplate looks for the boilerplate of every outlet, once,
// when a database made before Herald looked for it is opened.
func findStoredBoilerplate(ctx context.Context, tx *sqldb.Tx, now time.Time) (int, error) {
	scopes, err := queryAll(ctx, tx, func(r rowScanner) (outletScope, error) {
		var sc outletScope
		return sc, r.Scan(&sc.guild, &sc.source)
	}, `SELECT DISTINCT guild_id, source FROM articles WHERE source <> '' ORDER BY guild_id, source`)
	if err != nil {
		return 0, fmt.Errorf("list the outlets: %w", err)
	}
	n := 0
	for _, sc := range scopes {
		arts, err := loadWindow(ctx, tx, sc, 0, boilerplate.WindowSize)
		if err != nil {
			return n, err
		}
		var w boilerplate.Window
		for _, a := range arts {
			w.Push(a.id, a.keys)
		}
		found := foundIn(sc, &w, nil)
		if err := sentenceTexts(ctx, tx, found); err != nil {
			return n, err
		}
		if err := insertBoilerplate(ctx, tx, found, now); err != nil {
			return n, err
		}
		n += len(found)
	}
	return n, nil
}
