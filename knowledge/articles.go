package knowledge

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"

	"github.com/herald-bot/herald/knowledge/boilerplate"
	"github.com/herald-bot/herald/knowledge/internal/sqlbatch"
	"github.com/herald-bot/herald/knowledge/internal/sqldb"
	"github.com/herald-bot/herald/knowledge/keyword"
	"github.com/herald-bot/herald/knowledge/summarize"
	"github.com/herald-bot/herald/knowledge/text"
)

// Passage sizes in words: passages are built from whole sentences and aim
// for the middle of this range.
const (
	passageMinWords = 100
	passageMaxWords = 250
)

// PutStatus says what storing an article did.
type PutStatus int

// What PutArticles did with each article.
const (
	Created   PutStatus = iota + 1 // a new article
	Updated                        // the same article (URL or text) with changes
	Unchanged                      // the same article, nothing new
	Merged                         // the same text as a stored article, under another address: the address was added to it
)

// String names the status for reports.
func (s PutStatus) String() string {
	switch s {
	case Created:
		return "added"
	case Updated:
		return "updated"
	case Unchanged:
		return "unchanged"
	case Merged:
		return "merged"
	}
	return "unknown"
}

// PutArticle stores one article; see PutArticles.
func (db *DB) PutArticle(ctx context.Context, a *Article) (PutStatus, error) {
	res, err := db.PutArticles(ctx, []*Article{a})
	if err != nil {
		return 0, err
	}
	return res[0].Status, res[0].Err
}

// PutResult is what storing one article of a batch did: its status, or
// the reason it was refused (the rest of the batch still goes in).
type PutResult struct {
	Status PutStatus
	Err    error
}

// PutArticles stores articles in one transaction. An article is the same as
// a stored one when it is found under the same canonical URL (any of the
// stored one's addresses), or has the same text, in the same guild scope;
// the stored one is then updated, never duplicated. The same text under a
// new address is the stored article too (Merged: the address is added to
// it), unless the text is too short to identify an article and the
// headlines differ: two pages of one site whose text is the same notice
// are two articles. Each article's ID, ContentHash and FetchedAt are
// filled in; its text is normalised, cleaned of boilerplate and split into
// passages aligned to sentences. An article that cannot be stored (no
// text, a bad URL) gets its own error in the results; an error of the
// database fails the whole batch.
func (db *DB) PutArticles(ctx context.Context, batch []*Article) ([]PutResult, error) {
	now := db.Now()
	set, err := db.boilerplate(ctx)
	if err != nil {
		return nil, fmt.Errorf("store %d articles: %w", len(batch), err)
	}
	var cache text.StemCache
	for _, a := range batch {
		if a.prep == nil {
			a.prepare(now, &cache, set)
		}
	}
	return db.putPrepared(ctx, batch, indexBatch(batch))
}

// putPrepared is PutArticles for a prepared batch and its keyword index;
// once the batch is stored, the outlets written to may show new
// boilerplate (see learnBoilerplate).
func (db *DB) putPrepared(ctx context.Context, batch []*Article, idx *batchIndex) ([]PutResult, error) {
	keys := make([][]boilerplate.Sentence, len(batch))
	for i, a := range batch {
		if a.prep != nil {
			keys[i] = a.prep.sentences
		}
	}
	out, err := db.putBatch(ctx, batch, idx)
	if err != nil {
		return nil, err
	}
	var written []writtenArticle
	for i, a := range batch {
		if st := out[i].Status; out[i].Err == nil && (st == Created || st == Updated) && a.Source != "" {
			written = append(written, writtenArticle{id: a.ID, scope: outletScope{a.GuildID, a.Source}, keys: keys[i]})
		}
	}
	db.learnBoilerplate(ctx, written)
	return out, nil
}

// putBatch stores a prepared batch in one write transaction.
func (db *DB) putBatch(ctx context.Context, batch []*Article, idx *batchIndex) ([]PutResult, error) {

	out := make([]PutResult, len(batch))
	valid := 0
	for i, a := range batch {
		if a.prep.err != nil {
			out[i].Err = a.prep.err
			continue
		}
		valid++
	}
	defer func() {
		for _, a := range batch {
			a.prep = nil
		}
	}()
	if valid == 0 {
		return out, nil
	}
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return nil, fmt.Errorf("store %d articles: begin: %w", valid, err)
	}
	defer db.endWrite(tx)
	// The statements run with a context that cannot be cancelled: the
	// driver watches a cancellable one with a goroutine per statement,
	// which costs more than the insert. Cancellation is checked between
	// articles instead.
	wctx := context.WithoutCancel(ctx)
	w, err := newArticleWriter(wctx, tx)
	if err != nil {
		return nil, fmt.Errorf("store %d articles: %w", valid, err)
	}
	defer w.close()
	// The batch takes the passage ids base to base+total-1; those of
	// articles not written stay unused.
	base := w.lastPID + 1
	skip := make([]bool, idx.total)
	skipped := false
	for i, a := range batch {
		if out[i].Err != nil {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		st, err := w.put(wctx, a, base+idx.first[i])
		if err != nil {
			return nil, fmt.Errorf("store %d articles: %w", valid, err)
		}
		out[i].Status = st
		if st == Unchanged || st == Merged {
			skipped = true
			for off := idx.first[i]; off < idx.first[i]+int64(len(a.prep.spans)); off++ {
				skip[off] = true
			}
		}
	}
	if idx.total > 0 {
		w.lastPID = base + idx.total - 1
	}
	if !skipped {
		skip = nil
	}
	if err := idx.seg.Write(wctx, tx, base, skip); err != nil {
		return nil, fmt.Errorf("store %d articles: write keyword postings: %w", valid, err)
	}
	if err := w.flushStats(wctx); err != nil {
		return nil, fmt.Errorf("store %d articles: %w", valid, err)
	}
	var updated []int64
	for i, a := range batch {
		if out[i].Err == nil && out[i].Status == Updated {
			updated = append(updated, a.ID)
		}
	}
	if err := db.recordArticleChanges(wctx, tx, updated); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store %d articles: commit: %w", valid, err)
	}
	db.invalidateStats()
	for i, a := range batch {
		if out[i].Err == nil && (out[i].Status == Created || out[i].Status == Updated) && len(a.prep.spans) > 0 {
			first := base + idx.first[i]
			db.passages.added(a.ID, first, first+int64(len(a.prep.spans))-1, out[i].Status == Updated)
			if out[i].Status == Updated {
				db.forgetArticleMeta(a.ID)
			}
		}
	}
	return out, nil
}

// preparation is the CPU-bound work of storing an article, done before the
// write transaction (and, when ingesting, on another core than the writer).
type preparation struct {
	err         error
	fingerprint int64
	spans       []text.Span
	words       []int64
	// What the keyword index gets of each passage: its terms in the
	// article's language, headline included, and its lengths.
	analyses []keyword.Analysis
	chunks   [][]byte // the stored (compressed) chunks, see chunk.go
	// sentences are the text's counted sentences, for its outlet's window
	// (see learnBoilerplate); identWords counts the words of the text that
	// are not known boilerplate.
	sentences  []boilerplate.Sentence
	identWords int
}

// prepare normalises the article and computes what storing it needs,
// stemming through cache (one per preparing goroutine; nil caches
// nothing); boiler is the boilerplate the store knows, dropped from the
// text.
func (a *Article) prepare(now time.Time, cache *text.StemCache, boiler *boilerplate.Set) {
	p := &preparation{}
	a.prep = p
	if p.err = prepareArticle(a, now); p.err != nil {
		return
	}
	// The content hash and the counted sentences are of the text as the
	// rules leave it, before the outlet's known boilerplate goes, so that
	// a record is the same whatever the store has learnt since.
	sents := text.Sentences(a.Text)
	var known []text.Span
	p.sentences, known = boilerplate.Counted(a.Text, sents, a.Title, a.GuildID, boilerplate.Outlet(a.Source), a.Language, boiler)
	if len(known) > 0 {
		if a.Text = boilerplate.DropSentences(a.Text, known); a.Text == "" {
			a.Text = a.Title // only notices: the headline still finds it
		}
		sents = text.Sentences(a.Text)
	}
	p.identWords = wordsUpTo(a.Text, identifyingWords)
	p.fingerprint = int64(text.Fingerprint(a.Text))
	p.spans = splitPassages(a.Text, sents)
	p.words = make([]int64, len(p.spans))
	x := keyword.Indexer{Cache: cache}
	x.SetArticle(a.Language, a.Title)
	p.analyses = make([]keyword.Analysis, len(p.spans))
	p.chunks = make([][]byte, len(p.spans))
	for i, sp := range p.spans {
		cut, next := chunkBounds(p.spans, i, len(a.Text))
		p.chunks[i] = encodeChunk(a.Text[cut:next])
		p.analyses[i] = x.Passage(a.Text[sp.Start:sp.End])
		p.words[i] = int64(p.analyses[i].Words)
	}
}

// batchIndex is the keyword index of a batch of prepared articles, built
// before its write transaction (by the ingester, on another core than the
// writer): postings over offsets, each article's passages numbered on from
// the previous article's. The writer gives the batch the passage ids from
// base to base+total-1 and writes the postings rebased on them.
type batchIndex struct {
	seg   *keyword.Segment
	first []int64 // offset of each article's first passage; -1 when it failed preparation
	total int64   // passages in the batch
}

// indexBatch builds the keyword index of a prepared batch.
func indexBatch(batch []*Article) *batchIndex {
	bi := &batchIndex{first: make([]int64, len(batch))}
	var b keyword.Builder
	for i, a := range batch {
		if a.prep == nil || a.prep.err != nil {
			bi.first[i] = -1
			continue
		}
		bi.first[i] = bi.total
		for seq := range a.prep.spans {
			b.Add(bi.total, a.prep.analyses[seq])
			bi.total++
		}
	}
	bi.seg = b.Seal()
	return bi
}

// prepareArticle normalises an article's fields before storing it.
func prepareArticle(a *Article, now time.Time) error {
	a.Text = text.Normalize(a.Text)
	a.Title = strings.TrimSpace(strings.Join(strings.Fields(text.Normalize(a.Title)), " "))
	a.Source = strings.TrimSpace(a.Source)
	if a.Text == "" {
		return Errorf(EINVALID, "The article has no text.")
	}
	if a.URL != "" {
		u, err := CanonicalURL(a.URL)
		if err != nil {
			return err
		}
		a.URL = u
	}
	if !cleanArticle(a) {
		return Errorf(EINVALID, "The text is only site notices (newsletter, cookie, share or player text, bylines, links), no article.")
	}
	if a.FetchedAt.IsZero() {
		a.FetchedAt = now
	}
	a.Language = articleLanguage(a.Language, a.Text)
	a.ContentHash = text.ContentHash(a.Text)
	return nil
}

// articleLanguage returns the ISO 639-1 code of an article's language: the
// one declared (a page's lang, a feed's language, a record's field), else
// the one its text is written in, else English.
func articleLanguage(declared, body string) string {
	if code := text.LanguageCode(declared); code != "" {
		return code
	}
	return text.DetectLanguage(body, defaultLanguage)
}

// defaultLanguage is the language of articles and questions that do not
// tell theirs.
const defaultLanguage = "en"

// articleWriter holds the prepared statements of one write transaction.
type articleWriter struct {
	tx                                        *sqldb.Tx
	byURL, byHash, insert, update, delPassage *sql.Stmt
	oldPassages, addURL, dropURL              *sql.Stmt
	// indexer analyses the passages being removed, as they were indexed.
	indexer keyword.Indexer
	// lastPID is the last passage id handed out; ids are never reused.
	lastPID int64
	// passages inserts passage rows many at a time; flushed before
	// anything reads or deletes passages.
	passages *sqlbatch.Inserter
}

func newArticleWriter(ctx context.Context, tx *sqldb.Tx) (*articleWriter, error) {
	w := &articleWriter{tx: tx, passages: sqlbatch.NewInserter(tx, `INSERT INTO passages(id, article_id, seq, start, "end", words, chunk) VALUES `, 7)}
	w.indexer.Cache = &text.StemCache{}
	stmts := []struct {
		dst **sql.Stmt
		sql string
	}{
		{&w.byURL, `SELECT ` + storedColumns + `, a.url = u.url FROM article_urls u JOIN articles a ON a.id = u.article_id WHERE u.url = ? AND u.guild_id = ?`},
		{&w.byHash, `SELECT ` + storedColumns + `, TRUE FROM articles a WHERE a.content_hash = ? AND a.guild_id = ? ORDER BY a.id LIMIT 20`},
		{&w.addURL, `INSERT INTO article_urls(url, guild_id, article_id, source, ext_id, published_at, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(url, guild_id) DO NOTHING`},
		{&w.dropURL, `DELETE FROM article_urls WHERE url = ? AND guild_id = ?`},
		{&w.insert, `INSERT INTO articles(ext_id, url, title, source, author, published_at, fetched_at, language, content_hash, fingerprint, guild_id, feed_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`},
		{&w.update, `UPDATE articles SET ext_id = ?, url = ?, title = ?, source = ?, author = ?, published_at = ?, fetched_at = ?, language = ?,
			content_hash = ?, fingerprint = ?, feed_id = coalesce(feed_id, ?) WHERE id = ?`},
		{&w.oldPassages, `SELECT id, seq, start, "end", chunk FROM passages WHERE article_id = ? ORDER BY seq`},
		{&w.delPassage, `DELETE FROM passages WHERE article_id = ?`},
	}
	for _, s := range stmts {
		st, err := tx.PrepareContext(ctx, s.sql)
		if err != nil {
			w.close()
			return nil, fmt.Errorf("prepare statement: %w", err)
		}
		*s.dst = st
	}
	if err := tx.QueryRowContext(ctx, `SELECT `+tx.Dialect().Greatest(`last_passage`, `(SELECT coalesce(max(id), 0) FROM passages)`)+` FROM stats WHERE id = 1`).Scan(&w.lastPID); err != nil {
		w.close()
		return nil, fmt.Errorf("read the last passage id: %w", err)
	}
	return w, nil
}

func (w *articleWriter) close() {
	w.passages.Close()
	for _, s := range []*sql.Stmt{w.byURL, w.byHash, w.insert, w.update, w.delPassage, w.oldPassages, w.addURL, w.dropURL} {
		if s != nil {
			s.Close()
		}
	}
}

// storedColumns are the columns of a stored article that storing a new
// copy compares with (see storedArticle).
const storedColumns = `a.id, a.content_hash, a.title, a.source, a.author, coalesce(a.published_at, 0), a.ext_id, a.url, a.language`

// storedArticle is what the writer reads of an article already stored.
type storedArticle struct {
	id                          int64
	hash, title, source, author string
	published                   int64
	extID, url, language        string
	// primary is set when the article was found under its main address
	// (or by its text), unset under one of its other addresses.
	primary bool
}

func scanStored(r rowScanner) (*storedArticle, error) {
	var s storedArticle
	err := r.Scan(&s.id, &s.hash, &s.title, &s.source, &s.author, &s.published, &s.extID, &s.url, &s.language, &s.primary)
	return &s, err
}

// findByURL returns the article stored under a's address, if any.
func (w *articleWriter) findByURL(ctx context.Context, a *Article) (*storedArticle, error) {
	if a.URL == "" {
		return nil, nil
	}
	s, err := scanStored(w.byURL.QueryRowContext(ctx, a.URL, a.GuildID))
	if isNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("find the stored copy: %w", err)
	}
	return s, nil
}

// findByText returns the stored article with a's text that a is a copy
// of, if any (see sameArticle).
func (w *articleWriter) findByText(ctx context.Context, a *Article) (*storedArticle, error) {
	rows, err := w.byHash.QueryContext(ctx, a.ContentHash, a.GuildID)
	if err != nil {
		return nil, fmt.Errorf("find the stored copy: %w", err)
	}
	var cands []*storedArticle
	for rows.Next() {
		c, err := scanStored(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("find the stored copy: %w", err)
		}
		cands = append(cands, c)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return nil, fmt.Errorf("find the stored copy: %w", err)
	}
	if err := rows.Close(); err != nil {
		return nil, fmt.Errorf("find the stored copy: %w", err)
	}
	for _, c := range cands {
		if sameArticle(c, a) {
			return c, nil
		}
	}
	return nil, nil
}

// sameArticle reports whether a, whose text is the stored article's, is
// that article: always when one of them has no address, and under two
// addresses when their headlines agree or the text is long enough to
// identify an article by itself (a wire story under several outlets'
// headlines). A short text under two addresses and two headlines is a
// notice both pages show, not one article.
func sameArticle(stored *storedArticle, a *Article) bool {
	if a.URL == "" || stored.url == "" || a.prep.identWords >= identifyingWords {
		return true
	}
	return headlinesAgree(stored.title, a.Title)
}

// headlinesAgree reports whether two headlines name the same article:
// equal once folded, one of them empty, or sharing at least half of the
// content words of the shorter without both naming numbers that differ ("Quiz
// of the week: 13 – 19 August" and "… 20 – 26 August" are two).
func headlinesAgree(x, y string) bool {
	fx, fy := text.Fold(x), text.Fold(y)
	if fx == fy || fx == "" || fy == "" {
		return true
	}
	words := func(s string) (map[string]bool, map[string]bool) {
		content, numbers := map[string]bool{}, map[string]bool{}
		for _, t := range text.Tokens(s) {
			switch {
			case t[0] >= '0' && t[0] <= '9':
				numbers[t] = true
				content[t] = true
			case !text.IsStopword(t):
				content[t] = true
			}
		}
		return content, numbers
	}
	wx, nx := words(x)
	wy, ny := words(y)
	if len(wx) == 0 || len(wy) == 0 || (len(nx) > 0 && len(ny) > 0 && !maps.Equal(nx, ny)) {
		return false
	}
	return summarize.Overlap(wx, wy) >= 0.5
}

// put stores one prepared article; its passages, if written, take the ids
// from firstPID on.
func (w *articleWriter) put(ctx context.Context, a *Article, firstPID int64) (PutStatus, error) {
	old, err := w.findByURL(ctx, a)
	if err != nil {
		return 0, fmt.Errorf("article %s: %w", a.ref(), err)
	}
	if old != nil && !old.primary {
		// Found under one of the article's other addresses: the record
		// there is the same as long as its text is.
		if old.hash == a.ContentHash {
			a.ID = old.id
			return Unchanged, nil
		}
		// The page there holds another text now: it is no longer that
		// article's address.
		if _, err := w.dropURL.ExecContext(ctx, a.URL, a.GuildID); err != nil {
			return 0, fmt.Errorf("article %s: detach the address: %w", a.ref(), err)
		}
		old = nil
	}
	if old == nil {
		if old, err = w.findByText(ctx, a); err != nil {
			return 0, fmt.Errorf("article %s: %w", a.ref(), err)
		}
		if old != nil && a.URL != "" && old.url != "" && old.url != a.URL {
			// The same text under another address: one more address of
			// the stored article.
			a.ID = old.id
			if err := w.addAddress(ctx, a); err != nil {
				return 0, err
			}
			return Merged, nil
		}
	}
	fp := a.prep.fingerprint
	var feedID any
	if a.FeedID != 0 {
		feedID = a.FeedID
	}
	if old != nil {
		a.ID = old.id
		// Keep what the new copy does not know.
		if a.ExternalID == "" {
			a.ExternalID = old.extID
		}
		if a.PublishedAt.IsZero() && old.published != 0 {
			a.PublishedAt = time.Unix(old.published, 0).UTC()
		}
		if a.Source == "" {
			a.Source = old.source
		}
		if a.Author == "" {
			a.Author = old.author
		}
		newURL := a.URL != "" && old.url == ""
		if a.URL == "" {
			a.URL = old.url
		}
		if old.hash == a.ContentHash && old.title == a.Title && old.source == a.Source && old.author == a.Author &&
			old.published == unixOrZero(a.PublishedAt) && old.extID == a.ExternalID && old.language == a.Language && !newURL {
			return Unchanged, nil
		}
		// The old passages leave the index as they were indexed: under
		// the old headline and language, so before the update.
		if err := w.deletePassages(ctx, a.ID, old.title, old.language); err != nil {
			return 0, err
		}
		if _, err := w.update.ExecContext(ctx, a.ExternalID, a.URL, a.Title, a.Source, a.Author, unixOrNull(a.PublishedAt),
			a.FetchedAt.Unix(), a.Language, a.ContentHash, fp, feedID, a.ID); err != nil {
			return 0, fmt.Errorf("update article %d: %w", a.ID, err)
		}
		if newURL {
			if err := w.addAddress(ctx, a); err != nil {
				return 0, err
			}
		}
		if err := w.writePassages(ctx, a, firstPID); err != nil {
			return 0, fmt.Errorf("article %d: %w", a.ID, err)
		}
		return Updated, nil
	}
	if err := w.insert.QueryRowContext(ctx, a.ExternalID, a.URL, a.Title, a.Source, a.Author, unixOrNull(a.PublishedAt),
		a.FetchedAt.Unix(), a.Language, a.ContentHash, fp, a.GuildID, feedID).Scan(&a.ID); err != nil {
		return 0, fmt.Errorf("article %s: insert: %w", a.ref(), err)
	}
	if a.URL != "" {
		if err := w.addAddress(ctx, a); err != nil {
			return 0, err
		}
	}
	if err := w.writePassages(ctx, a, firstPID); err != nil {
		return 0, fmt.Errorf("article %d: %w", a.ID, err)
	}
	return Created, nil
}

// addAddress records a.URL as an address of article a.ID, with a's outlet,
// corpus id and date.
func (w *articleWriter) addAddress(ctx context.Context, a *Article) error {
	if _, err := w.addURL.ExecContext(ctx, a.URL, a.GuildID, a.ID, a.Source, a.ExternalID, unixOrNull(a.PublishedAt), a.FetchedAt.Unix()); err != nil {
		return fmt.Errorf("article %d: add the address %s: %w", a.ID, a.URL, err)
	}
	return nil
}

// wordsUpTo counts the words of s (runs of non-space), up to max.
func wordsUpTo(s string, max int) int {
	n, in := 0, false
	for i := 0; i < len(s) && n < max; i++ {
		space := s[i] == ' ' || s[i] == '\n' || s[i] == '\t'
		if !space && !in {
			n++
		}
		in = !space
	}
	return n
}

// ref names an article in errors: its URL, else its title.
func (a *Article) ref() string {
	if a.URL != "" {
		return a.URL
	}
	return strconv.Quote(text.Snippet(a.Title, 80))
}

func unixOrZero(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.Unix()
}

// deletePassages removes an article's passages and takes them out of the
// keyword index, analysed as they were indexed: with the article's
// headline and language as stored (title, lang).
func (w *articleWriter) deletePassages(ctx context.Context, articleID int64, title, lang string) error {
	if err := w.passages.Flush(ctx); err != nil {
		return fmt.Errorf("delete passages: flush: %w", err)
	}
	removed, err := w.analyseStored(ctx, articleID, title, lang)
	if err != nil {
		return fmt.Errorf("remove the passages of article %d: %w", articleID, err)
	}
	if err := keyword.MarkRemoved(ctx, w.tx, removed); err != nil {
		return fmt.Errorf("remove the passages of article %d: %w", articleID, err)
	}
	if _, err := w.delPassage.ExecContext(ctx, articleID); err != nil {
		return fmt.Errorf("remove the passages of article %d: %w", articleID, err)
	}
	return nil
}

// analyseStored reads an article's stored passages and analyses them as
// the index holds them.
func (w *articleWriter) analyseStored(ctx context.Context, articleID int64, title, lang string) ([]keyword.Removed, error) {
	rows, err := w.oldPassages.QueryContext(ctx, articleID)
	if err != nil {
		return nil, fmt.Errorf("read passages: %w", err)
	}
	defer rows.Close()
	var out []keyword.Removed
	for rows.Next() {
		var id int64
		var seq, start, end int
		var chunk []byte
		if err := rows.Scan(&id, &seq, &start, &end, &chunk); err != nil {
			return nil, fmt.Errorf("read passages: %w", err)
		}
		if len(out) == 0 {
			w.indexer.SetArticle(lang, title)
		}
		s, err := decodeChunk(chunk)
		if err != nil {
			return nil, fmt.Errorf("read passage %d: %w", id, err)
		}
		out = append(out, keyword.Removed{ID: id, Analysis: w.indexer.Passage(passageText(s, seq, start, end))})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read passages: %w", err)
	}
	return out, nil
}

func (w *articleWriter) writePassages(ctx context.Context, a *Article, firstPID int64) error {
	p := a.prep
	for seq, sp := range p.spans {
		pid := firstPID + int64(seq)
		if err := w.passages.Add(ctx, pid, a.ID, seq, sp.Start, sp.End, p.words[seq], p.chunks[seq]); err != nil {
			return fmt.Errorf("insert passages: %w", err)
		}
	}
	return nil
}

// splitPassages splits normalised article text, whose sentences are
// sents, into passage spans; text with no sentence boundaries at all is
// one passage.
func splitPassages(s string, sents []text.Span) []text.Span {
	spans := text.Passages(s, sents, passageMinWords, passageMaxWords)
	if len(spans) == 0 {
		spans = []text.Span{{Start: 0, End: len(s)}}
	}
	return spans
}

// chunkBounds returns the part of the article text that passage seq stores:
// from its cut (0 for the first passage, else its start) to the next
// passage's cut (the end of the text for the last), so that the chunks in
// order rebuild the text exactly.
func chunkBounds(spans []text.Span, seq, textLen int) (cut, next int) {
	if seq > 0 {
		cut = spans[seq].Start
	}
	next = textLen
	if seq+1 < len(spans) {
		next = spans[seq+1].Start
	}
	return cut, next
}

// passageText cuts a passage out of its stored chunk.
func passageText(chunk string, seq, start, end int) string {
	cut := 0
	if seq > 0 {
		cut = start
	}
	if start-cut < 0 || end-cut > len(chunk) || start > end {
		return chunk
	}
	return chunk[start-cut : end-cut]
}

// flushStats writes the pending passages, merges segments of postings
// when a tier is full, and records the last passage id handed out (the
// index keeps its own statistics).
func (w *articleWriter) flushStats(ctx context.Context) error {
	if err := w.passages.Flush(ctx); err != nil {
		return fmt.Errorf("flush passages: %w", err)
	}
	if err := keyword.Merge(ctx, w.tx); err != nil {
		return fmt.Errorf("merge keyword segments: %w", err)
	}
	if _, err := w.tx.ExecContext(ctx, `UPDATE stats SET last_passage = `+w.tx.Dialect().Greatest(`last_passage`, `?`)+` WHERE id = 1`, w.lastPID); err != nil {
		return fmt.Errorf("record the last passage id: %w", err)
	}
	return nil
}

// articleColumns lists the columns scanArticle reads, text excluded.
const articleColumns = `a.id, a.ext_id, a.url, a.title, a.source, a.author, a.published_at, a.fetched_at, a.language, a.content_hash, a.guild_id, coalesce(a.feed_id, 0), coalesce(a.story_id, 0)`

type rowScanner interface{ Scan(dest ...any) error }

func scanArticle(r rowScanner, extra ...any) (Article, error) {
	var a Article
	var pub sql.NullInt64
	var fetched int64
	dest := append([]any{&a.ID, &a.ExternalID, &a.URL, &a.Title, &a.Source, &a.Author, &pub, &fetched, &a.Language, &a.ContentHash, &a.GuildID, &a.FeedID, &a.StoryID}, extra...)
	if err := r.Scan(dest...); err != nil {
		return a, err
	}
	a.PublishedAt = timeFromNull(pub)
	a.FetchedAt = time.Unix(fetched, 0).UTC()
	return a, nil
}

// article returns one article with its text. Visibility follows guildID
// like Filter.GuildID; pass "*" to ignore scopes (the operator's CLI).
func (db *DB) article(ctx context.Context, id int64, guildID string) (*Article, error) {
	row := db.db.QueryRowContext(ctx, `SELECT `+articleColumns+` FROM articles a
		WHERE a.id = ? AND (? = '*' OR a.guild_id = '' OR a.guild_id = ?)`, id, guildID, guildID)
	a, err := scanArticle(row)
	if isNoRows(err) {
		return nil, Errorf(ENOTFOUND, "There is no article %d.", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read article %d: %w", id, err)
	}
	if a.Text, err = db.articleText(ctx, a.ID); err != nil {
		return nil, fmt.Errorf("read article %d: %w", id, err)
	}
	one := []Article{a}
	if err := db.fillOtherURLs(ctx, one); err != nil {
		return nil, fmt.Errorf("read article %d: %w", id, err)
	}
	return &one[0], nil
}

// articleText rebuilds an article's text from its passage chunks.
func (db *DB) articleText(ctx context.Context, id int64) (string, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT chunk FROM passages WHERE article_id = ? ORDER BY seq`, id)
	if err != nil {
		return "", fmt.Errorf("read text: %w", err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var chunk []byte
		if err := rows.Scan(&chunk); err != nil {
			return "", fmt.Errorf("read text: %w", err)
		}
		s, err := decodeChunk(chunk)
		if err != nil {
			return "", fmt.Errorf("read text: %w", err)
		}
		b.WriteString(s)
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("read text: %w", err)
	}
	return b.String(), nil
}

// ArticleByURL returns the article stored under a URL (canonicalised
// first): its main address or any other (see Article.OtherURLs). It is
// what `herald remove URL`, `herald summarize URL` and the bot's /summary
// find articles with.
func (db *DB) ArticleByURL(ctx context.Context, rawURL, guildID string) (*Article, error) {
	u, err := CanonicalURL(rawURL)
	if err != nil {
		return nil, err
	}
	var id int64
	err = db.db.QueryRowContext(ctx, `SELECT article_id FROM article_urls WHERE url = ? AND (? = '*' OR guild_id = '' OR guild_id = ?)
		ORDER BY guild_id = ? DESC LIMIT 1`, u, guildID, guildID, guildID).Scan(&id)
	if isNoRows(err) {
		return nil, Errorf(ENOTFOUND, "There is no article with the URL %s.", u)
	}
	if err != nil {
		return nil, fmt.Errorf("find article by URL %s: %w", u, err)
	}
	return db.article(ctx, id, guildID)
}

// Articles lists stored articles, newest first by publication date, the
// undated ones after all the dated (most recently stored first), without
// their text but with their other addresses.
func (db *DB) Articles(ctx context.Context, f Filter) ([]Article, error) {
	where, args := filterSQL(f)
	q := `SELECT ` + articleColumns + ` FROM articles a WHERE ` + where + ` ORDER BY ` + newestFirst
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	out, err := queryAll(ctx, db.db, func(r rowScanner) (Article, error) { return scanArticle(r) }, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list articles of guild %q: %w", f.GuildID, err)
	}
	if err := db.fillOtherURLs(ctx, out); err != nil {
		return nil, fmt.Errorf("list articles of guild %q: %w", f.GuildID, err)
	}
	return out, nil
}

// allRows is the WHERE clause of filterSQL for a filter that keeps every
// article.
const allRows = "TRUE"

// newestFirst orders articles aliased "a" by publication date, newest
// first, the undated after every dated one (an undated article is never
// new news), most recently stored first. (PostgreSQL sorts NULL first in
// a descending order, SQLite last: the first key puts them last on both.)
const newestFirst = `a.published_at IS NULL, a.published_at DESC, a.fetched_at DESC, a.id DESC`

// fillOtherURLs sets the OtherURLs of the articles.
func (db *DB) fillOtherURLs(ctx context.Context, arts []Article) error {
	byID := make(map[int64]int, len(arts))
	ids := make([]int64, 0, len(arts))
	for i, a := range arts {
		byID[a.ID] = i
		ids = append(ids, a.ID)
	}
	for start := 0; start < len(ids); start += sqlbatch.MaxIDs {
		part := ids[start:min(start+sqlbatch.MaxIDs, len(ids))]
		in, args := db.db.Dialect().InIDs("u.article_id", part)
		type row struct {
			id int64
			u  ArticleURL
		}
		rows, err := queryAll(ctx, db.db, func(r rowScanner) (row, error) {
			var x row
			var pub sql.NullInt64
			err := r.Scan(&x.id, &x.u.URL, &x.u.Source, &pub)
			x.u.PublishedAt = timeFromNull(pub)
			return x, err
		}, `SELECT u.article_id, u.url, u.source, u.published_at FROM article_urls u JOIN articles a ON a.id = u.article_id
			WHERE `+in+` AND u.url <> a.url ORDER BY u.added_at, u.url`, args...)
		if err != nil {
			return fmt.Errorf("read other addresses: %w", err)
		}
		for _, x := range rows {
			a := &arts[byID[x.id]]
			a.OtherURLs = append(a.OtherURLs, x.u)
		}
	}
	return nil
}

// filterSQL turns a Filter into a WHERE clause over articles aliased "a".
func filterSQL(f Filter) (string, []any) {
	conds := []string{allRows}
	var args []any
	if f.GuildID != "*" {
		if f.GuildID == "" {
			conds = append(conds, "a.guild_id = ''")
		} else {
			conds = append(conds, "(a.guild_id = '' OR a.guild_id = ?)")
			args = append(args, f.GuildID)
		}
	}
	if !f.Since.IsZero() {
		conds = append(conds, "a.published_at >= ?")
		args = append(args, f.Since.Unix())
	}
	if !f.Until.IsZero() {
		conds = append(conds, "a.published_at < ?")
		args = append(args, f.Until.Unix())
	}
	if !f.AsOf.IsZero() {
		conds = append(conds, "(a.published_at IS NULL OR a.published_at <= ?)")
		args = append(args, f.AsOf.Unix())
	}
	if len(f.Sources) > 0 {
		ph := make([]string, len(f.Sources))
		for i, s := range f.Sources {
			ph[i] = "?"
			args = append(args, strings.ToLower(strings.TrimSpace(s)))
		}
		conds = append(conds, "lower(a.source) IN ("+strings.Join(ph, ",")+")")
	}
	return strings.Join(conds, " AND "), args
}

// RemoveArticle deletes an article, its passages and their index entries.
func (db *DB) RemoveArticle(ctx context.Context, id int64) error {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return fmt.Errorf("remove article %d: begin: %w", id, err)
	}
	defer db.endWrite(tx)
	var title, lang string
	err = tx.QueryRowContext(ctx, `SELECT title, language FROM articles WHERE id = ?`, id).Scan(&title, &lang)
	if isNoRows(err) {
		return Errorf(ENOTFOUND, "There is no article %d.", id)
	}
	if err != nil {
		return fmt.Errorf("remove article %d: %w", id, err)
	}
	w, err := newArticleWriter(ctx, tx)
	if err != nil {
		return fmt.Errorf("remove article %d: %w", id, err)
	}
	defer w.close()
	if err := w.deletePassages(ctx, id, title, lang); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM articles WHERE id = ?`, id); err != nil {
		return fmt.Errorf("remove article %d: %w", id, err)
	}
	if err := w.flushStats(ctx); err != nil {
		return fmt.Errorf("remove article %d: %w", id, err)
	}
	if err := db.recordArticleChanges(ctx, tx, []int64{id}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("remove article %d: commit: %w", id, err)
	}
	db.invalidateStats()
	db.passages.removed(id)
	db.forgetArticleMeta(id)
	return nil
}

// Counts summarises what the knowledge base holds.
type Counts struct {
	Articles int       `json:"articles"`
	Passages int       `json:"passages"`
	Sources  []string  `json:"sources"`
	Newest   time.Time `json:"newest"` // the newest publication date; zero when no article is dated
	Feeds    int       `json:"feeds"`  // feeds followed (active or not) in this scope
}

// Counts returns what the store holds for a guild scope (see Filter.GuildID).
func (db *DB) Counts(ctx context.Context, guildID string) (Counts, error) {
	var c Counts
	where, args := filterSQL(Filter{GuildID: guildID})
	var newest sql.NullInt64
	err := db.db.QueryRowContext(ctx, `SELECT count(*), max(a.published_at) FROM articles a WHERE `+where, args...).Scan(&c.Articles, &newest)
	if err != nil {
		return c, fmt.Errorf("count articles of guild %q: %w", guildID, err)
	}
	c.Newest = timeFromNull(newest)
	fq, fargs := `SELECT count(*) FROM feeds`, []any{}
	if guildID != "*" {
		fq += ` WHERE guild_id = '' OR guild_id = ?`
		fargs = append(fargs, guildID)
	}
	if err := db.db.QueryRowContext(ctx, fq, fargs...).Scan(&c.Feeds); err != nil {
		return c, fmt.Errorf("count feeds of guild %q: %w", guildID, err)
	}
	err = db.db.QueryRowContext(ctx, `SELECT count(*) FROM passages p JOIN articles a ON a.id = p.article_id WHERE `+where, args...).Scan(&c.Passages)
	if err != nil {
		return c, fmt.Errorf("count passages of guild %q: %w", guildID, err)
	}
	rows, err := db.db.QueryContext(ctx, `SELECT a.source, count(*) n FROM articles a WHERE `+where+` AND a.source <> '' GROUP BY a.source ORDER BY n DESC, a.source`, args...)
	if err != nil {
		return c, fmt.Errorf("list sources of guild %q: %w", guildID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return c, fmt.Errorf("list sources of guild %q: %w", guildID, err)
		}
		c.Sources = append(c.Sources, s)
	}
	if err := rows.Err(); err != nil {
		return c, fmt.Errorf("list sources of guild %q: %w", guildID, err)
	}
	return c, nil
}
