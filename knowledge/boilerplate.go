package knowledge

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/herald-bot/herald/knowledge/internal/sqldb"
	"github.com/herald-bot/herald/knowledge/text"
)

// Boilerplate the store can see. The rules of text.Boilerplate recognise
// kinds of site furniture sentence by sentence; what they miss (a
// registration notice in a site's own words, a sponsor credit) shows in
// the store: the same sentence, word for word, in many articles of one
// outlet that are about different things. After each write the store
// counts, over the newest boilerWindow articles of every outlet it wrote
// to, how many hold each sentence and in how many it shares no word with
// the headline; a sentence held by at least boilerMinArticles of them, at
// least four in five of those unrelated to it, is that outlet's
// boilerplate from then on, recorded in outlet_boilerplate with its
// counts.
//
// Counting is per outlet (and per server scope), so a wire story that many
// outlets run is never boilerplate, and a sentence that news repeats about
// one story (a quote, a background line) shares words with the headlines
// of the articles that repeat it. Reported speech is never counted.
//
// Articles stored after a sentence was found have it dropped at ingest;
// articles stored before keep it in their stored text (their quotes stay
// byte-exact), and every reader of sentences (answers, summaries, digest
// leads, feed-post leads) skips it there (see readable).
//
// Why a window and not a count of every sentence ever stored: such a
// table holds some 70 rows an article, keyed by a hash, so each batch of
// an ingest would rewrite pages all over it; the window (kept in memory,
// read from the database once per outlet and process) costs about a
// millisecond a write and finds what recurs now, which is what a site's
// furniture does.
const (
	boilerWindow      = 200
	boilerMinArticles = 5
	// boilerOfftopicNum/Den: offtopic*5 >= articles*4.
	boilerOfftopicNum, boilerOfftopicDen = 4, 5
	boilerMinTokens                      = 3
	boilerMaxTokens                      = 60
	boilerMaxBytes                       = 600 // longer sentences have more than boilerMaxTokens tokens anyway
	// identifyingWords is how long a text must be, without the outlets'
	// known boilerplate, to identify an article on its own: shorter texts
	// under other addresses and other headlines are other articles.
	identifyingWords = 100
)

// outletSentence is one distinct sentence of an article, as counted for its
// outlet.
type outletSentence struct {
	key      int64
	offtopic bool
}

// outletName names an outlet: its source name folded, else its URL's
// host; "" when it has neither.
func outletName(source, rawURL string) string {
	if s := boilerOutlet(source); s != "" {
		return s
	}
	if u, err := url.Parse(rawURL); err == nil && u.Host != "" {
		return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	}
	return ""
}

// boilerOutlet names the outlet whose boilerplate an article shares: its
// source folded ("" when it names none: only named outlets have
// boilerplate of their own).
func boilerOutlet(source string) string {
	return strings.ToLower(strings.Join(strings.Fields(source), " "))
}

// A sentence's key is a 64-bit FNV-1a hash of the scope (the server, ""
// for the operator's), the outlet and the sentence's words (see
// nextWord): case and punctuation do not count. Keys are stored
// (outlet_boilerplate.key), so this is a format: changing it forgets what
// was found.

// fnvPrime is FNV-1a's 64-bit prime.
const fnvPrime = 1099511628211

// scopeHash is the hash state after the scope and the outlet.
func scopeHash(guild, outlet string) uint64 {
	return hashPart(hashPart(14695981039346656037, guild), outlet)
}

// hashPart goes on hashing h with s and a zero byte after it.
func hashPart(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h * fnvPrime
}

// hashWord goes on hashing h with a word and a zero byte after it.
func hashWord(h uint64, w []byte) uint64 {
	for _, c := range w {
		h ^= uint64(c)
		h *= fnvPrime
	}
	return h * fnvPrime
}

// nextWord returns the next word of s from byte i on, lowercased into
// buf, and the offset after it; a word is a run of ASCII letters and
// digits and of the bytes of other characters (kept as they are); every
// other byte separates words. ok is false when no word is left.
func nextWord(s string, i int, buf []byte) (w []byte, next int, ok bool) {
	for i < len(s) && !isWordByte(s[i]) {
		i++
	}
	if i == len(s) {
		return nil, i, false
	}
	w = buf[:0]
	for ; i < len(s) && isWordByte(s[i]); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		w = append(w, c)
	}
	return w, i, true
}

func isWordByte(c byte) bool {
	return c >= 0x80 || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// sentenceKeys returns the keys of a sentence in guild's scope and in the
// operator's (the same when guild is ""), and its number of words.
func sentenceKeys(s string, scope, operator uint64, buf []byte) (key, opKey int64, words int, _ []byte) {
	h, o := scope, operator
	for i := 0; ; {
		var w []byte
		var ok bool
		if w, i, ok = nextWord(s, i, buf); !ok {
			break
		}
		buf = w
		h, o = hashWord(h, w), hashWord(o, w)
		words++
	}
	return int64(h), int64(o), words, buf
}

// wordHead is the prefix of a word that decides whether a sentence's
// word meets a headline's: its first four bytes (so "banks" meets "bank"
// and "council" "councillor"; a rough stem is enough for telling a
// sentence unrelated to its headline).
func wordHead(w []byte) string { return string(w[:min(4, len(w))]) }

// hasQuoteMark reports whether s holds a quotation mark: " “ ” „ « ».
func hasQuoteMark(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			return true
		case 0xE2: // “ ” „ are E2 80 9C..9E
			if i+2 < len(s) && s[i+1] == 0x80 && s[i+2] >= 0x9C && s[i+2] <= 0x9E {
				return true
			}
		case 0xC2: // « » are C2 AB, C2 BB
			if i+1 < len(s) && (s[i+1] == 0xAB || s[i+1] == 0xBB) {
				return true
			}
		}
	}
	return false
}

// speechWords mark reported speech, which is never boilerplate.
var speechWords = map[string]bool{"said": true, "says": true, "told": true, "according": true, "asked": true, "sagte": true, "sagt": true}

// countedSentences returns the distinct sentences of body that are
// counted for its outlet, each with whether it shares no content word with
// the headline, and the sentences that known holds as the outlet's
// boilerplate. sents are body's sentences when the caller has them (nil:
// found here).
func countedSentences(body string, sents []text.Span, title, guild, outlet, lang string, known *boilerSet) ([]outletSentence, []text.Span) {
	if outlet == "" {
		return nil, nil
	}
	if sents == nil {
		sents = text.Sentences(body)
	}
	an := text.AnalyzerFor(lang)
	if an.Language() == "" {
		// Undeclared: English stop words, which leave a sentence of
		// another language sharing more words with its headline, so
		// less likely to be taken for boilerplate.
		an = text.AnalyzerFor("en")
	}
	var buf []byte
	heads := map[string]bool{}
	for i := 0; ; {
		var w []byte
		var ok bool
		if w, i, ok = nextWord(title, i, buf); !ok {
			break
		}
		buf = w
		if !an.IsStopword(string(w)) {
			heads[wordHead(w)] = true
		}
	}
	seen := map[int64]bool{}
	var out []outletSentence
	var drop []text.Span
	scope, operator := scopeHash(guild, outlet), scopeHash("", outlet)
	for _, sp := range sents {
		s := body[sp.Start:sp.End]
		if len(s) > boilerMaxBytes {
			continue
		}
		var k, op int64
		var words int
		k, op, words, buf = sentenceKeys(s, scope, operator, buf)
		if words < boilerMinTokens || words > boilerMaxTokens {
			continue
		}
		if known.hasKey(k, op) {
			drop = append(drop, sp)
		}
		if seen[k] {
			continue
		}
		seen[k] = true
		off, speech := true, false
		quoted := hasQuoteMark(s)
		for i := 0; ; {
			var w []byte
			var ok bool
			if w, i, ok = nextWord(s, i, buf); !ok {
				break
			}
			buf = w
			if quoted && speechWords[string(w)] {
				speech = true
				break
			}
			if off && len(w) >= 3 && heads[wordHead(w)] && !an.IsStopword(string(w)) {
				off = false
				if !quoted {
					break
				}
			}
		}
		if !speech {
			out = append(out, outletSentence{key: k, offtopic: off})
		}
	}
	return out, drop
}

// boilerSet is the store's boilerplate sentences, by key. It is immutable
// once made; the nil set holds nothing.
type boilerSet struct {
	keys map[int64]struct{}
}

// hasKey reports whether a sentence, by its keys in the article's scope
// and in the operator's, is boilerplate.
func (s *boilerSet) hasKey(key, opKey int64) bool {
	if s == nil || len(s.keys) == 0 {
		return false
	}
	if _, ok := s.keys[key]; ok {
		return true
	}
	_, ok := s.keys[opKey]
	return ok
}

// spans returns the sentences of body that are the outlet's boilerplate.
func (s *boilerSet) spans(body, guild, outlet string) []text.Span {
	if s == nil || len(s.keys) == 0 || outlet == "" {
		return nil
	}
	var out []text.Span
	var buf []byte
	scope, operator := scopeHash(guild, outlet), scopeHash("", outlet)
	for _, sp := range text.Sentences(body) {
		if sp.End-sp.Start > boilerMaxBytes {
			continue
		}
		var k, op int64
		var words int
		k, op, words, buf = sentenceKeys(body[sp.Start:sp.End], scope, operator, buf)
		if words >= boilerMinTokens && words <= boilerMaxTokens && s.hasKey(k, op) {
			out = append(out, sp)
		}
	}
	return out
}

// boilerCache holds the boilerplate set of a DB and the last row of
// outlet_boilerplate it has read.
type boilerCache struct {
	mu   sync.Mutex
	set  *boilerSet
	last int64
	// windows are the newest articles of the outlets this process
	// writes to (see learnBoilerplate).
	windows map[outletScope]*outletWindow
	tick    uint64
}

// boilerplate returns the store's boilerplate sentences, reading the ones
// found since the last call (by any process) first.
func (db *DB) boilerplate(ctx context.Context) (*boilerSet, error) {
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
	next := &boilerSet{keys: make(map[int64]struct{}, len(rows))}
	if db.boiler.set != nil {
		for k := range db.boiler.set.keys {
			next.keys[k] = struct{}{}
		}
	}
	for _, r := range rows {
		next.keys[r.key] = struct{}{}
		db.boiler.last = max(db.boiler.last, r.id)
	}
	db.boiler.set = next
	return next, nil
}

// unreadableSpans returns the parts of an article's text that no answer,
// summary or lead may use: the lines and sentences the ingest rules take
// for boilerplate (text stored before the rules had them, or text the
// rules see differently now) and the outlet's boilerplate sentences the
// store has found. The spans are sorted and do not overlap.
func unreadableSpans(body string, a *Article, set *boilerSet) []text.Span {
	spans := text.Boilerplate(body, a.Source)
	if more := set.spans(body, a.GuildID, boilerOutlet(a.Source)); len(more) > 0 {
		spans = append(spans, more...)
		sort.Slice(spans, func(i, j int) bool { return spans[i].Start < spans[j].Start })
		merged := spans[:1]
		for _, sp := range spans[1:] {
			if last := &merged[len(merged)-1]; sp.Start <= last.End {
				last.End = max(last.End, sp.End)
			} else {
				merged = append(merged, sp)
			}
		}
		spans = merged
	}
	return spans
}

// blankSpans returns s with the bytes of spans replaced by spaces: every
// other byte keeps its offset, so what is quoted from the result is quoted
// from s.
func blankSpans(s string, spans []text.Span) string {
	if len(spans) == 0 {
		return s
	}
	b := []byte(s)
	for _, sp := range spans {
		for i := max(sp.Start, 0); i < min(sp.End, len(b)); i++ {
			if b[i] != '\n' {
				b[i] = ' '
			}
		}
	}
	return string(b)
}

// readable returns an article's text as answers, summaries and leads may
// use it: boilerplate blanked out (see unreadableSpans), every other byte
// where it is stored.
func readable(body string, a *Article, set *boilerSet) string {
	return blankSpans(body, unreadableSpans(body, a, set))
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

// dropSentences returns s without the sentences spans cover, keeping its
// paragraphs (a line that loses some sentences keeps the others, joined by
// a space; a line that loses all goes).
func dropSentences(s string, spans []text.Span) string {
	if len(spans) == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	prev := 0
	for _, sp := range spans {
		b.WriteString(s[prev:sp.Start])
		prev = sp.End
	}
	b.WriteString(s[prev:])
	lines := strings.Split(b.String(), "\n")
	kept := lines[:0]
	blank := false
	for _, l := range lines {
		l = strings.Join(strings.Fields(l), " ")
		if l == "" {
			blank = len(kept) > 0
			continue
		}
		if blank {
			kept = append(kept, "")
			blank = false
		}
		kept = append(kept, l)
	}
	return strings.Join(kept, "\n")
}

// outletScope is an outlet in a server's scope ("" for the operator's):
// the unit whose boilerplate the store learns.
type outletScope struct{ guild, source string }

// outletWindow is what this process knows of an outlet's newest articles:
// the counted sentences of each (oldest first), at most boilerWindow.
type outletWindow struct {
	ids  []int64
	keys [][]outletSentence
	used uint64 // for evicting the least recently used window
}

// push adds an article as the newest, replacing its older copy (an
// updated article), and drops the oldest beyond boilerWindow.
func (w *outletWindow) push(id int64, keys []outletSentence) {
	for i, old := range w.ids {
		if old == id {
			w.ids = append(w.ids[:i], w.ids[i+1:]...)
			w.keys = append(w.keys[:i], w.keys[i+1:]...)
			break
		}
	}
	w.ids = append(w.ids, id)
	w.keys = append(w.keys, keys)
	if over := len(w.ids) - boilerWindow; over > 0 {
		w.ids = append(w.ids[:0:0], w.ids[over:]...)
		w.keys = append(w.keys[:0:0], w.keys[over:]...)
	}
}

// maxWindows bounds the outlets whose windows a process keeps (about
// 100 KB each).
const maxWindows = 32

// writtenArticle is an article a write stored, for learnBoilerplate.
type writtenArticle struct {
	id    int64
	scope outletScope
	keys  []outletSentence
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
			if need := boilerWindow - len(arts); need > 0 {
				older, err := loadWindow(ctx, db.db, sc, arts[0].id, need)
				if err != nil {
					return err
				}
				for _, o := range older {
					win.push(o.id, o.keys)
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
			win.push(a.id, a.keys)
		}
		c.mu.Unlock()
	}
	var found []foundSentence
	c.mu.Lock()
	for _, sc := range scopes {
		if win := c.windows[sc]; win != nil {
			found = append(found, countWindow(sc, win.ids, win.keys, c.set)...)
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

// foundSentence is a sentence found to be an outlet's boilerplate, and
// an article that holds it.
type foundSentence struct {
	scope              outletScope
	key                int64
	text               string
	articles, offtopic int
	article            int64
}

// windowArticle is one article of an outlet's window.
type windowArticle struct {
	id   int64
	keys []outletSentence
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
	outlet := boilerOutlet(sc.source)
	var out []windowArticle
	var body strings.Builder
	for i, x := range rows {
		s, err := decodeChunk(x.chunk)
		if err != nil {
			return nil, fmt.Errorf("read the newest articles of %q: article %d: %w", sc.source, x.id, err)
		}
		body.WriteString(s)
		if i+1 == len(rows) || rows[i+1].id != x.id {
			keys, _ := countedSentences(body.String(), nil, x.title, sc.guild, outlet, x.lang, nil)
			out = append(out, windowArticle{id: x.id, keys: keys})
			body.Reset()
		}
	}
	return out, nil
}

// countWindow counts the sentences of an outlet's window (the articles
// ids, their sentences keys) and returns those that are boilerplate and
// not in known yet, sorted by key, without their text (see
// sentenceTexts).
func countWindow(sc outletScope, ids []int64, keys [][]outletSentence, known *boilerSet) []foundSentence {
	type count struct {
		articles, offtopic int
		article            int64
	}
	counts := map[int64]*count{}
	for i, ks := range keys {
		for _, k := range ks {
			c := counts[k.key]
			if c == nil {
				c = &count{}
				counts[k.key] = c
			}
			c.articles++
			c.article = ids[i]
			if k.offtopic {
				c.offtopic++
			}
		}
	}
	var out []foundSentence
	for k, c := range counts {
		if _, ok := known.keySet()[k]; ok || !isBoilerplateCount(c.articles, c.offtopic) {
			continue
		}
		out = append(out, foundSentence{scope: sc, key: k, articles: c.articles, offtopic: c.offtopic, article: c.article})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

// sentenceTexts fills in the text of found sentences from the articles
// that hold them; a sentence whose article is gone meanwhile is left
// without text.
func sentenceTexts(ctx context.Context, q querier, found []foundSentence) error {
	texts := map[int64]string{}
	for i := range found {
		f := &found[i]
		body, ok := texts[f.article]
		if !ok {
			chunks, err := queryAll(ctx, q, func(r rowScanner) ([]byte, error) {
				var c []byte
				return c, r.Scan(&c)
			}, `SELECT chunk FROM passages WHERE article_id = ? ORDER BY seq`, f.article)
			if err != nil {
				return fmt.Errorf("read article %d: %w", f.article, err)
			}
			var b strings.Builder
			for _, c := range chunks {
				s, err := decodeChunk(c)
				if err != nil {
					return fmt.Errorf("read article %d: %w", f.article, err)
				}
				b.WriteString(s)
			}
			body = b.String()
			texts[f.article] = body
		}
		scope := scopeHash(f.scope.guild, boilerOutlet(f.scope.source))
		var buf []byte
		for _, sp := range text.Sentences(body) {
			s := body[sp.Start:sp.End]
			var k int64
			if k, _, _, buf = sentenceKeys(s, scope, scope, buf); k == f.key {
				f.text = strings.Join(strings.Fields(s), " ")
				break
			}
		}
	}
	return nil
}

// keySet returns the set's keys (none for the nil set).
func (s *boilerSet) keySet() map[int64]struct{} {
	if s == nil {
		return nil
	}
	return s.keys
}

// isBoilerplateCount applies the thresholds to a sentence's counts.
func isBoilerplateCount(articles, offtopic int) bool {
	return articles >= boilerMinArticles && offtopic*boilerOfftopicDen >= articles*boilerOfftopicNum
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
		db.Logger.Debug("found an outlet's boilerplate", "outlet", f.scope.source, "guild", f.scope.guild, "sentence", f.text, "articles", f.articles)
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
		if _, err := st.ExecContext(ctx, f.key, f.scope.guild, f.scope.source, f.text, f.articles, f.offtopic, now.Unix()); err != nil {
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
		arts, err := loadWindow(ctx, tx, sc, 0, boilerWindow)
		if err != nil {
			return n, err
		}
		ids := make([]int64, len(arts))
		keys := make([][]outletSentence, len(arts))
		for i, a := range arts {
			ids[i], keys[i] = a.id, a.keys
		}
		found := countWindow(sc, ids, keys, nil)
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
