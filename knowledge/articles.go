package knowledge

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/herald-bot/herald/knowledge/internal/sqlbatch"
	"github.com/herald-bot/herald/knowledge/keyword"
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
// a stored one when it has the same canonical URL, or the same text, in the
// same guild scope; the stored one is then updated, never duplicated. Each
// article's ID, ContentHash and FetchedAt are filled in; its text is
// normalised and split into passages aligned to sentences. An article that
// cannot be stored (no text, a bad URL) gets its own error in the results;
// an error of the database fails the whole batch.
func (db *DB) PutArticles(ctx context.Context, batch []*Article) ([]PutResult, error) {
	now := db.Now()
	for _, a := range batch {
		if a.prep == nil {
			a.prepare(now)
		}
	}
	return db.putPrepared(ctx, batch, indexBatch(batch))
}

// putPrepared is PutArticles for a prepared batch and its keyword index.
func (db *DB) putPrepared(ctx context.Context, batch []*Article, idx *batchIndex) ([]PutResult, error) {
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
		if st == Unchanged {
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
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("store %d articles: commit: %w", valid, err)
	}
	db.invalidateStats()
	for i, a := range batch {
		if out[i].Err == nil && (out[i].Status == Created || out[i].Status == Updated) && len(a.prep.spans) > 0 {
			first := base + idx.first[i]
			db.passages.added(a.ID, first, first+int64(len(a.prep.spans))-1, out[i].Status == Updated)
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
	titleTokens int64
	// What the keyword index gets: each passage's distinct terms,
	// headline included, and its length in tokens with the headline.
	terms   [][]keyword.TermFreq
	lengths []int
	chunks  [][]byte // the stored (compressed) chunks, see chunk.go
}

// prepare normalises the article and computes what storing it needs.
func (a *Article) prepare(now time.Time) {
	p := &preparation{}
	a.prep = p
	if p.err = prepareArticle(a, now); p.err != nil {
		return
	}
	p.fingerprint = int64(text.Fingerprint(a.Text))
	p.spans = splitPassages(a.Text)
	p.words = make([]int64, len(p.spans))
	var x keyword.Indexer
	x.SetTitle(a.Title)
	p.titleTokens = int64(x.TitleTokens())
	p.terms = make([][]keyword.TermFreq, len(p.spans))
	p.lengths = make([]int, len(p.spans))
	p.chunks = make([][]byte, len(p.spans))
	for i, sp := range p.spans {
		cut, next := chunkBounds(p.spans, i, len(a.Text))
		p.chunks[i] = encodeChunk(a.Text[cut:next])
		var words int
		p.terms[i], p.lengths[i], words = x.Passage(a.Text[sp.Start:sp.End])
		p.words[i] = int64(words)
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
			b.Add(bi.total, a.prep.terms[seq], a.prep.lengths[seq])
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
	a.ContentHash = text.ContentHash(a.Text)
	return nil
}

// articleWriter holds the prepared statements of one write transaction.
type articleWriter struct {
	tx                                        *sql.Tx
	byURL, byHash, insert, update, delPassage *sql.Stmt
	oldPassages                               *sql.Stmt
	dPassages, dTokens, dTitleTokens          int64
	// lastPID is the last passage id handed out; ids are never reused.
	lastPID int64
	// passages inserts passage rows many at a time; flushed before
	// anything reads or deletes passages.
	passages *sqlbatch.Inserter
}

func newArticleWriter(ctx context.Context, tx *sql.Tx) (*articleWriter, error) {
	w := &articleWriter{tx: tx, passages: sqlbatch.NewInserter(tx, `INSERT INTO passages(id, article_id, seq, start, end, words, chunk) VALUES `, 7)}
	stmts := []struct {
		dst **sql.Stmt
		sql string
	}{
		{&w.byURL, `SELECT id, content_hash, title, source, author, ifnull(published_at, 0), ext_id FROM articles WHERE guild_id = ? AND url = ? AND url <> ''`},
		{&w.byHash, `SELECT id, content_hash, title, source, author, ifnull(published_at, 0), ext_id FROM articles WHERE content_hash = ? AND guild_id = ? LIMIT 1`},
		{&w.insert, `INSERT INTO articles(ext_id, url, title, source, author, published_at, fetched_at, language, content_hash, fingerprint, guild_id, feed_id)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`},
		{&w.update, `UPDATE articles SET ext_id = ?, url = ?, title = ?, source = ?, author = ?, published_at = ?, fetched_at = ?, language = ?,
			content_hash = ?, fingerprint = ?, feed_id = ifnull(feed_id, ?) WHERE id = ?`},
		{&w.oldPassages, `SELECT id, words FROM passages WHERE article_id = ?`},
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
	if err := tx.QueryRowContext(ctx, `SELECT max(last_passage, (SELECT ifnull(max(id), 0) FROM passages)) FROM stats WHERE id = 1`).Scan(&w.lastPID); err != nil {
		w.close()
		return nil, fmt.Errorf("read the last passage id: %w", err)
	}
	return w, nil
}

func (w *articleWriter) close() {
	w.passages.Close()
	for _, s := range []*sql.Stmt{w.byURL, w.byHash, w.insert, w.update, w.delPassage, w.oldPassages} {
		if s != nil {
			s.Close()
		}
	}
}

type storedArticle struct {
	id                          int64
	hash, title, source, author string
	published                   int64
	extID                       string
}

func (w *articleWriter) find(ctx context.Context, a *Article) (*storedArticle, error) {
	var s storedArticle
	scan := func(row *sql.Row) (*storedArticle, error) {
		err := row.Scan(&s.id, &s.hash, &s.title, &s.source, &s.author, &s.published, &s.extID)
		if isNoRows(err) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("find the stored copy: %w", err)
		}
		return &s, nil
	}
	if a.URL != "" {
		found, err := scan(w.byURL.QueryRowContext(ctx, a.GuildID, a.URL))
		if found != nil || err != nil {
			return found, err
		}
	}
	return scan(w.byHash.QueryRowContext(ctx, a.ContentHash, a.GuildID))
}

// put stores one prepared article; its passages, if written, take the ids
// from firstPID on.
func (w *articleWriter) put(ctx context.Context, a *Article, firstPID int64) (PutStatus, error) {
	old, err := w.find(ctx, a)
	if err != nil {
		return 0, fmt.Errorf("article %s: %w", a.ref(), err)
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
		if old.hash == a.ContentHash && old.title == a.Title && old.source == a.Source &&
			old.author == a.Author && old.published == unixOrZero(a.PublishedAt) && old.extID == a.ExternalID {
			return Unchanged, nil
		}
		if _, err := w.update.ExecContext(ctx, a.ExternalID, a.URL, a.Title, a.Source, a.Author, unixOrNull(a.PublishedAt),
			a.FetchedAt.Unix(), a.Language, a.ContentHash, fp, feedID, a.ID); err != nil {
			return 0, fmt.Errorf("article %d: update: %w", a.ID, err)
		}
		if err := w.deletePassages(ctx, a.ID); err != nil {
			return 0, fmt.Errorf("article %d: %w", a.ID, err)
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
	if err := w.writePassages(ctx, a, firstPID); err != nil {
		return 0, fmt.Errorf("article %d: %w", a.ID, err)
	}
	return Created, nil
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

func (w *articleWriter) deletePassages(ctx context.Context, articleID int64) error {
	if err := w.passages.Flush(ctx); err != nil {
		return fmt.Errorf("delete passages: flush: %w", err)
	}
	rows, err := w.oldPassages.QueryContext(ctx, articleID)
	if err != nil {
		return fmt.Errorf("delete passages: list: %w", err)
	}
	type old struct {
		id, words int64
	}
	var olds []old
	for rows.Next() {
		var o old
		if err := rows.Scan(&o.id, &o.words); err != nil {
			rows.Close()
			return fmt.Errorf("delete passages: list: %w", err)
		}
		olds = append(olds, o)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return fmt.Errorf("delete passages: list: %w", err)
	}
	if err := rows.Close(); err != nil {
		return fmt.Errorf("delete passages: list: %w", err)
	}
	var titleTokens int64
	var title string
	if len(olds) > 0 {
		if err := w.tx.QueryRowContext(ctx, `SELECT title FROM articles WHERE id = ?`, articleID).Scan(&title); err != nil {
			return fmt.Errorf("delete passages: read the title: %w", err)
		}
		titleTokens = int64(len(text.Tokens(title)))
	}
	removed := make([]int64, len(olds))
	for i, o := range olds {
		removed[i] = o.id
		w.dPassages--
		w.dTokens -= o.words
		w.dTitleTokens -= titleTokens
	}
	if err := keyword.MarkRemoved(ctx, w.tx, removed); err != nil {
		return fmt.Errorf("delete passages: mark postings removed: %w", err)
	}
	if _, err := w.delPassage.ExecContext(ctx, articleID); err != nil {
		return fmt.Errorf("delete passages: %w", err)
	}
	return nil
}

func (w *articleWriter) writePassages(ctx context.Context, a *Article, firstPID int64) error {
	p := a.prep
	for seq, sp := range p.spans {
		pid := firstPID + int64(seq)
		if err := w.passages.Add(ctx, pid, a.ID, seq, sp.Start, sp.End, p.words[seq], p.chunks[seq]); err != nil {
			return fmt.Errorf("insert passages: %w", err)
		}
		w.dPassages++
		w.dTokens += p.words[seq]
		w.dTitleTokens += p.titleTokens
	}
	return nil
}

// splitPassages splits normalised article text into passage spans; text
// with no sentence boundaries at all is one passage.
func splitPassages(s string) []text.Span {
	spans := text.Passages(s, text.Sentences(s), passageMinWords, passageMaxWords)
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
// when a tier is full, and updates the corpus counts.
func (w *articleWriter) flushStats(ctx context.Context) error {
	if err := w.passages.Flush(ctx); err != nil {
		return fmt.Errorf("flush passages: %w", err)
	}
	if err := keyword.Merge(ctx, w.tx); err != nil {
		return fmt.Errorf("merge keyword segments: %w", err)
	}
	if w.dPassages == 0 && w.dTokens == 0 {
		return nil
	}
	_, err := w.tx.ExecContext(ctx, `UPDATE stats SET passages = passages + ?, tokens = tokens + ?, title_tokens = title_tokens + ?,
		last_passage = max(last_passage, ?) WHERE id = 1`, w.dPassages, w.dTokens, w.dTitleTokens, w.lastPID)
	if err != nil {
		return fmt.Errorf("update corpus stats: %w", err)
	}
	return nil
}

// articleColumns lists the columns scanArticle reads, text excluded.
const articleColumns = `a.id, a.ext_id, a.url, a.title, a.source, a.author, a.published_at, a.fetched_at, a.language, a.content_hash, a.guild_id, ifnull(a.feed_id, 0), ifnull(a.story_id, 0)`

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
	return &a, nil
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

// ArticleByURL returns the article stored under a URL (canonicalised first).
func (db *DB) ArticleByURL(ctx context.Context, rawURL, guildID string) (*Article, error) {
	u, err := CanonicalURL(rawURL)
	if err != nil {
		return nil, err
	}
	var id int64
	err = db.db.QueryRowContext(ctx, `SELECT id FROM articles WHERE url = ? AND (? = '*' OR guild_id = '' OR guild_id = ?) ORDER BY guild_id = ? DESC LIMIT 1`, u, guildID, guildID, guildID).Scan(&id)
	if isNoRows(err) {
		return nil, Errorf(ENOTFOUND, "There is no article with the URL %s.", u)
	}
	if err != nil {
		return nil, fmt.Errorf("find article by URL %s: %w", u, err)
	}
	return db.article(ctx, id, guildID)
}

// Articles lists stored articles, newest first (by publication date, then
// by when they were fetched), without their text.
func (db *DB) Articles(ctx context.Context, f Filter) ([]Article, error) {
	where, args := filterSQL(f)
	q := `SELECT ` + articleColumns + ` FROM articles a WHERE ` + where +
		` ORDER BY ifnull(a.published_at, a.fetched_at) DESC, a.id DESC`
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	out, err := queryAll(ctx, db.db, func(r rowScanner) (Article, error) { return scanArticle(r) }, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list articles of guild %q: %w", f.GuildID, err)
	}
	return out, nil
}

// filterSQL turns a Filter into a WHERE clause over articles aliased "a".
func filterSQL(f Filter) (string, []any) {
	conds := []string{"1"}
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
	w, err := newArticleWriter(ctx, tx)
	if err != nil {
		return fmt.Errorf("remove article %d: %w", id, err)
	}
	defer w.close()
	if err := w.deletePassages(ctx, id); err != nil {
		return fmt.Errorf("remove article %d: %w", id, err)
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM articles WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("remove article %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("remove article %d: %w", id, err)
	} else if n == 0 {
		return Errorf(ENOTFOUND, "There is no article %d.", id)
	}
	if err := w.flushStats(ctx); err != nil {
		return fmt.Errorf("remove article %d: %w", id, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("remove article %d: commit: %w", id, err)
	}
	db.invalidateStats()
	db.passages.removed(id)
	return nil
}

// Counts summarises what the knowledge base holds.
type Counts struct {
	Articles int       `json:"articles"`
	Passages int       `json:"passages"`
	Sources  []string  `json:"sources"`
	Newest   time.Time `json:"newest"`
	Feeds    int       `json:"feeds"` // feeds followed (active or not) in this scope
}

// Counts returns what the store holds for a guild scope (see Filter.GuildID).
func (db *DB) Counts(ctx context.Context, guildID string) (Counts, error) {
	var c Counts
	where, args := filterSQL(Filter{GuildID: guildID})
	var newest sql.NullInt64
	err := db.db.QueryRowContext(ctx, `SELECT count(*), max(ifnull(a.published_at, a.fetched_at)) FROM articles a WHERE `+where, args...).Scan(&c.Articles, &newest)
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
