package knowledge

// Hybrid retrieval's store side: embedding passages into vector_meta's
// current space, the in-memory index of that space (knowledge/vector)
// loaded on first use, vector search under a Filter, and its fusion with
// the keyword ranking by reciprocal rank.

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/herald-bot/herald/knowledge/internal/sqlbatch"
	"github.com/herald-bot/herald/knowledge/vector"
)

// DefaultEmbedBatch is how many passages EmbedMissing embeds and commits
// at a time.
const DefaultEmbedBatch = 128

// rrfK is the rank constant of reciprocal rank fusion.
const rrfK = 60

// fuseRRF merges ranked lists of passage ids by reciprocal rank fusion: an
// id scores the sum of 1/(k + rank) over the lists it appears in (rank
// from 1), and the result is ordered by that score, ties by first
// appearance. k <= 0 means rrfK.
func fuseRRF(lists [][]int64, k float64) ([]int64, map[int64]float64) {
	if k <= 0 {
		k = rrfK
	}
	score := map[int64]float64{}
	var order []int64
	for _, list := range lists {
		seen := make(map[int64]bool, len(list))
		for rank, id := range list {
			if seen[id] {
				continue // an id counts once per list, at its best rank
			}
			seen[id] = true
			if _, ok := score[id]; !ok {
				order = append(order, id)
			}
			score[id] += 1 / (k + float64(rank+1))
		}
	}
	slices.SortStableFunc(order, func(a, b int64) int { return cmp.Compare(score[b], score[a]) })
	return order, score
}

// EmbedMissing embeds, batchSize at a time (0 means DefaultEmbedBatch), the
// passages that have no vector of emb's model, and returns how many it
// embedded. The text embedded is the headline, a newline and the passage.
// Each batch is committed on its own, so an interrupted run (ctx cancelled,
// a failing endpoint) keeps what it did and the next run continues where
// it stopped. Vectors of another model, or of another dimension than the
// model now returns, count as missing and are replaced. progress, when not
// nil, is called with the passages done and the total to do, first before
// any work (counting takes a scan of the passages to do) and then after
// each batch.
func (db *DB) EmbedMissing(ctx context.Context, emb Embedder, batchSize int, progress func(done, total int)) (int, error) {
	if emb == nil || emb.Model() == "" {
		return 0, Errorf(EINVALID, "No embeddings model is configured.")
	}
	model := emb.Model()
	if batchSize <= 0 {
		batchSize = DefaultEmbedBatch
	}
	sp, err := vector.ReadSpace(ctx, db.db)
	if err != nil {
		return 0, fmt.Errorf("embed missing passages: %w", err)
	}
	var dim int
	var cursor int64
	if sp.Model == model {
		dim, cursor = sp.Dim, sp.Upto
	}
	total := 0
	if progress != nil {
		if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM passages p WHERE p.id > ? AND `+vector.MissingCond, cursor, model, dim).Scan(&total); err != nil {
			return 0, fmt.Errorf("embed missing passages: %w", err)
		}
		progress(0, total)
	}
	done := 0
	for {
		if err := ctx.Err(); err != nil {
			return done, err
		}
		batch, err := db.missingPassages(ctx, model, dim, cursor, batchSize)
		if err != nil {
			return done, err
		}
		if len(batch) == 0 {
			return done, nil
		}
		texts := make([]string, len(batch))
		for i, p := range batch {
			texts[i] = p.text
		}
		vecs, err := emb.Embed(ctx, texts)
		if err != nil {
			return done, err
		}
		if len(vecs) != len(batch) || len(vecs[0]) == 0 {
			return done, Errorf(EUNAVAILABLE, "The embeddings model returned %d vectors for %d texts.", len(vecs), len(batch))
		}
		for _, v := range vecs {
			if len(v) != len(vecs[0]) {
				return done, Errorf(EUNAVAILABLE, "The embeddings model returned vectors of %d and %d dimensions.", len(vecs[0]), len(v))
			}
		}
		next, switched, err := db.storeVectors(ctx, model, batch, vecs, cursor)
		if err != nil {
			return done, err
		}
		done += len(batch)
		dim, cursor = len(vecs[0]), next
		if switched && progress != nil {
			// The space changed under this run (the model now answers with
			// another dimension): everything is to do again.
			if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM passages p WHERE p.id > ? AND `+vector.MissingCond, cursor, model, dim).Scan(&total); err != nil {
				return done, fmt.Errorf("embed missing passages: %w", err)
			}
			total += done
		}
		if progress != nil {
			progress(done, max(total, done))
		}
	}
}

// ProbeVectorSpace embeds one short text to learn the dimension emb
// answers with now, and returns it. When emb's model is the current one but
// its dimension changed (a server that now truncates, another model under
// the same name), that dimension becomes the current space, so that the
// next EmbedMissing re-embeds every passage; EmbedMissing alone notices
// only when it has something to embed. herald reindex calls it first.
func (db *DB) ProbeVectorSpace(ctx context.Context, emb Embedder) (int, error) {
	if emb == nil || emb.Model() == "" {
		return 0, Errorf(EINVALID, "No embeddings model is configured.")
	}
	vecs, err := emb.Embed(ctx, []string{"Herald checks the embeddings model."})
	if err != nil {
		return 0, err
	}
	if len(vecs) != 1 || len(vecs[0]) == 0 {
		return 0, Errorf(EUNAVAILABLE, "The embeddings model returned no vector.")
	}
	dim := len(vecs[0])
	changed, err := vector.SetDim(ctx, db.db, emb.Model(), dim)
	if err != nil {
		return 0, fmt.Errorf("probe vector space: %w", err)
	}
	if changed {
		db.Logger.Info("embeddings model changed its dimension: re-embedding every passage", "model", emb.Model(), "dim", dim)
	}
	return dim, nil
}

type pendingPassage struct {
	id   int64
	text string
}

// missingPassages returns up to limit passages after id cursor without a
// vector of (model, dim), in id order.
func (db *DB) missingPassages(ctx context.Context, model string, dim int, cursor int64, limit int) ([]pendingPassage, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT p.id, p.seq, p.start, p.end, p.chunk, a.title
		FROM passages p JOIN articles a ON a.id = p.article_id
		WHERE p.id > ? AND `+vector.MissingCond+` ORDER BY p.id LIMIT ?`, cursor, model, dim, limit)
	if err != nil {
		return nil, fmt.Errorf("list passages without vectors: %w", err)
	}
	defer rows.Close()
	var out []pendingPassage
	for rows.Next() {
		var p pendingPassage
		var seq, start, end int
		var chunk []byte
		var title string
		if err := rows.Scan(&p.id, &seq, &start, &end, &chunk, &title); err != nil {
			return nil, fmt.Errorf("list passages without vectors: %w", err)
		}
		body, err := storedPassageText(chunk, seq, start, end)
		if err != nil {
			return nil, fmt.Errorf("read passage %d: %w", p.id, err)
		}
		p.text = title + "\n" + body
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list passages without vectors: %w", err)
	}
	return out, nil
}

// storeVectors writes one batch of vectors in a transaction and returns
// the id after which the next batch starts (see vector.Store).
func (db *DB) storeVectors(ctx context.Context, model string, batch []pendingPassage, vecs [][]float32, cursor int64) (next int64, switched bool, err error) {
	tx, err := db.beginWrite(ctx)
	if err != nil {
		return 0, false, fmt.Errorf("store vectors: %w", err)
	}
	defer db.endWrite(tx)
	ids := make([]int64, len(batch))
	for i, p := range batch {
		ids[i] = p.id
	}
	next, from, switched, err := vector.Store(ctx, tx, model, ids, vecs, cursor)
	if err != nil {
		return 0, false, fmt.Errorf("store vectors: %w", err)
	}
	if switched {
		db.Logger.Info("embeddings model changed: re-embedding every passage",
			"from", from.Model, "from_dim", from.Dim, "to", model, "to_dim", len(vecs[0]))
	}
	if err := tx.Commit(); err != nil {
		return 0, false, fmt.Errorf("store vectors: %w", err)
	}
	return next, switched, nil
}

// VectorCounts says how far the passages are embedded.
type VectorCounts struct {
	Model    string `json:"model"`    // the current embeddings model, "" before any
	Dim      int    `json:"dim"`      // its dimension
	Passages int    `json:"passages"` // all passages
	Embedded int    `json:"embedded"` // passages with a vector of the current model
}

// VectorCounts returns the current vector space and how many passages have
// a vector in it.
func (db *DB) VectorCounts(ctx context.Context) (VectorCounts, error) {
	sp, err := vector.ReadSpace(ctx, db.db)
	if err != nil {
		return VectorCounts{}, fmt.Errorf("count vectors: %w", err)
	}
	c := VectorCounts{Model: sp.Model, Dim: sp.Dim}
	if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM passages`).Scan(&c.Passages); err != nil {
		return c, fmt.Errorf("count vectors: %w", err)
	}
	if c.Embedded, err = vector.Count(ctx, db.db, sp.Model, sp.Dim); err != nil {
		return c, fmt.Errorf("count vectors: %w", err)
	}
	return c, nil
}

// vectorState is a DB's in-memory vector index, its query cache, the
// cool-down of a failing embeddings endpoint and the article metadata the
// filters use. Its mutex is never held across I/O: a load or refresh of
// the index is done by one caller at a time (load), the others waiting
// for it or for their context.
type vectorState struct {
	mu      sync.Mutex
	opts    vector.Options
	optsGen int // bumped by setVectorOptions: a load begun before is dropped
	index   vector.Searcher
	model   string
	dim     int
	gen     int64
	load    chan struct{} // closed when the load or refresh in flight ends; nil when none
	queries []cachedQuery // most recent last

	// failures counts the question embeddings that failed in a row;
	// until then, questions skip vector search.
	failures int
	until    time.Time

	meta articleMetas
}

type cachedQuery struct {
	model, text string
	vec         []float32
}

const queryCacheSize = 32

// Question embeddings: one quick try, then keyword search alone; after a
// failure, vector search is off for a cool-down that doubles with each
// failure in a row.
const (
	// DefaultQueryEmbedTimeout is how long a question waits for its
	// embedding when DB.QueryEmbedTimeout is zero.
	DefaultQueryEmbedTimeout = time.Second
	vectorCoolDown           = 30 * time.Second
	maxVectorCoolDown        = 10 * time.Minute
)

// QueryEmbedder is implemented by Embedders that can embed one question
// with a single attempt, without the retries a backfill wants: a
// question does not wait for retries, it goes on with keyword search.
// Search uses it when the DB's Embedder has it.
type QueryEmbedder interface {
	EmbedQuery(ctx context.Context, text string) ([]float32, error)
}

// errVectorsCooling is the reason a question skipped vector search: the
// embeddings endpoint failed a moment ago.
var errVectorsCooling = errors.New("vector search is off for a moment after the embeddings endpoint failed")

// setVectorOptions sets how the in-memory vector index is built; the next
// vector search reloads it.
func (db *DB) setVectorOptions(o vector.Options) {
	db.vec.mu.Lock()
	defer db.vec.mu.Unlock()
	db.vec.opts = o
	db.vec.optsGen++
	db.vec.index = nil
}

// LoadVectors loads the vectors of model into memory now, if it is the
// current embeddings model, so that the first question does not wait for
// them; `herald serve` may call it in the background at start. It returns
// the number of vectors loaded. It returns when ctx ends, and Close stops
// it.
func (db *DB) LoadVectors(ctx context.Context, model string) (int, error) {
	sp, err := vector.ReadSpace(ctx, db.db)
	if err != nil {
		return 0, fmt.Errorf("load vectors: %w", err)
	}
	if sp.Model != model || model == "" {
		return 0, nil
	}
	idx, err := db.vectorSearcher(ctx, model, sp.Dim)
	if err != nil {
		return 0, err
	}
	return idx.Len(), nil
}

// vectorSearcher returns the in-memory index of (model, dim), loading it
// on first use and adding the vectors of batches written since. One
// caller loads or refreshes at a time, without holding the mutex; the
// others wait for it, or for their ctx.
func (db *DB) vectorSearcher(ctx context.Context, model string, dim int) (vector.Searcher, error) {
	ctx, release, err := db.bg.enter(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	st := &db.vec
	for {
		sp, err := vector.ReadSpace(ctx, db.db)
		if err != nil {
			return nil, fmt.Errorf("load vectors: %w", err)
		}
		st.mu.Lock()
		if wait := st.load; wait != nil {
			st.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		idx := st.index
		if idx != nil && (st.model != model || st.dim != dim) {
			idx = nil
		}
		if idx != nil && st.gen >= sp.Gen {
			st.mu.Unlock()
			return idx, nil
		}
		done := make(chan struct{})
		st.load = done
		gen, opts, optsGen := st.gen, st.opts, st.optsGen
		st.mu.Unlock()

		if idx != nil {
			err = vector.Refresh(ctx, db.db, idx, model, dim, gen)
		} else {
			idx, err = vector.Load(ctx, db.db, model, dim, opts)
		}
		st.mu.Lock()
		st.load = nil
		if err == nil && st.optsGen == optsGen {
			st.index, st.model, st.dim, st.gen = idx, model, dim, sp.Gen
		}
		st.mu.Unlock()
		close(done)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("load vectors: %w", err)
		}
		return idx, nil
	}
}

// embedQuery returns the unit-length embedding of a query, from a small
// cache of recent queries when possible. It makes one quick try (see
// QueryEmbedder and DB.QueryEmbedTimeout); after a failure, queries skip
// the endpoint for a cool-down (errVectorsCooling).
func (db *DB) embedQuery(ctx context.Context, emb Embedder, query string) ([]float32, error) {
	model := emb.Model()
	st := &db.vec
	now := db.Now()
	st.mu.Lock()
	for i := len(st.queries) - 1; i >= 0; i-- {
		if c := st.queries[i]; c.model == model && c.text == query {
			st.mu.Unlock()
			return c.vec, nil
		}
	}
	cooling := now.Before(st.until)
	st.mu.Unlock()
	if cooling {
		return nil, errVectorsCooling
	}
	timeout := db.QueryEmbedTimeout
	if timeout <= 0 {
		timeout = DefaultQueryEmbedTimeout
	}
	tctx, cancel := context.WithTimeout(ctx, timeout)
	var v []float32
	var err error
	if q, ok := emb.(QueryEmbedder); ok {
		v, err = q.EmbedQuery(tctx, query)
	} else {
		var vecs [][]float32
		if vecs, err = emb.Embed(tctx, []string{query}); err == nil {
			if len(vecs) != 1 {
				err = Errorf(EUNAVAILABLE, "The embeddings model returned %d vectors for one question.", len(vecs))
			} else {
				v = vecs[0]
			}
		}
	}
	cancel()
	if err == nil && len(v) == 0 {
		err = Errorf(EUNAVAILABLE, "The embeddings model returned no vector for the question.")
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err() // the question was cancelled, not the endpoint's fault
		}
		st.mu.Lock()
		st.failures++
		pause := vectorCoolDown << min(st.failures-1, 10)
		pause = min(pause, maxVectorCoolDown)
		st.until = db.Now().Add(pause)
		st.mu.Unlock()
		return nil, fmt.Errorf("embed the question (vector search off for %s): %w", pause, err)
	}
	v = vector.Normalize(v)
	st.mu.Lock()
	st.failures, st.until = 0, time.Time{}
	st.queries = append(st.queries, cachedQuery{model: model, text: query, vec: v})
	if len(st.queries) > queryCacheSize {
		st.queries = slices.Delete(st.queries, 0, len(st.queries)-queryCacheSize)
	}
	st.mu.Unlock()
	return v, nil
}

// vectorSearch embeds query with emb and returns up to k passages (0 means
// Ranking.Candidates of DefaultRanking) by descending cosine similarity,
// restricted by f like Search (guild scope, dates, sources; f.Limit is
// ignored). Only passages with a vector of emb's model are found. The
// in-memory index is loaded on the first call, which may take seconds on
// a large database (see LoadVectors).
func (db *DB) vectorSearch(ctx context.Context, emb Embedder, query string, f Filter, k int) ([]vector.Hit, error) {
	if emb == nil || strings.TrimSpace(query) == "" {
		return nil, nil
	}
	if k <= 0 {
		k = DefaultRanking().Candidates
	}
	q, err := db.embedQuery(ctx, emb, query)
	if err != nil {
		return nil, err
	}
	idx, err := db.vectorSearcher(ctx, emb.Model(), len(q))
	if err != nil {
		return nil, err
	}
	if idx.Len() == 0 {
		return nil, nil
	}
	where, args := filterSQL(f)
	var allow func(passageID, articleID int64) bool
	if where != allRows {
		pred, err := db.articlePredicate(ctx, f)
		if err != nil {
			return nil, err
		}
		allow = func(_, articleID int64) bool { return pred(articleID) }
	}
	// A few more than k: the check below drops passages deleted since the
	// index was loaded, and any that stale article metadata let through.
	want := k + k/8 + 4
	exact := false // allow is the exact list of allowed passages
	for attempt := 0; ; attempt++ {
		hits := idx.Search(ctx, q, want, allow)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ids := make([]int64, len(hits))
		for i, h := range hits {
			ids[i] = h.PassageID
		}
		// SQL has the last word on what exists and what f allows.
		ok, err := db.filterPassageIDs(ctx, ids, f)
		if err != nil {
			return nil, err
		}
		out := hits[:0]
		for _, h := range hits {
			if ok[h.PassageID] && len(out) < k {
				out = append(out, h)
			}
		}
		if len(out) >= k {
			return out, nil
		}
		exhausted := len(hits) < want
		switch {
		case !exhausted && attempt == 0:
			want *= 4
		case where != allRows && !exact:
			// Too few, by the article metadata in memory, which may be
			// stale: list what the filter allows and search only that. A
			// narrow filter lands here; the list is short then.
			set, err := db.allowedPassages(ctx, where, args)
			if err != nil {
				return nil, err
			}
			allow = func(id, _ int64) bool { _, ok := set[id]; return ok }
			want, exact = k, true
		default:
			return out, nil
		}
	}
}

// articleMeta is what Filter looks at in an article, kept in memory so
// that a filtered vector search skips excluded passages during the scan.
type articleMeta struct {
	known     bool
	guild     string
	published int64 // unix seconds; unknownDate when NULL
	source    string
}

const unknownDate = math.MinInt64

// articlePredicate returns a function that tells, from the article
// metadata held in memory, whether f allows an article. It mirrors
// filterSQL; it may be stale (an article updated since it was read), so
// vectorSearch checks its results with SQL. Unknown articles are allowed,
// for the check to decide.
func (db *DB) articlePredicate(ctx context.Context, f Filter) (func(articleID int64) bool, error) {
	v, err := db.articleView(ctx, f)
	if err != nil {
		return nil, err
	}
	return v.allows, nil
}

// articleView is the article metadata held in memory, seen through a
// filter: the vector search and the keyword first stage both filter with
// it before SQL has the last word.
type articleView struct {
	metas              []articleMeta
	f                  Filter
	sources            []string
	since, until, asOf int64
}

// articleMetas is the article metadata held in memory, by article id. The
// slice is never changed where a view may read it: articles are added
// past its end, and an article read again (forgotten by this process's
// update or removal, its id perhaps reused) is written into a copy.
type articleMetas struct {
	mu        sync.Mutex
	articles  []articleMeta
	interned  map[string]string // guild ids and sources, stored once
	forgotten map[int64]bool    // to read again
	reading   chan struct{}     // closed when the refresh in flight ends; nil when none
	// epoch counts forgetAll's calls: a refresh begun before one is
	// dropped.
	epoch int
}

// forgetAll drops every article's metadata, to be read again (another
// process changed articles this one can no longer tell).
func (m *articleMetas) forgetAll() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.articles, m.interned, m.forgotten = nil, nil, nil
	m.epoch++
}

// articleView reads the articles added (or forgotten) since the last call
// and returns the metadata seen through f.
func (db *DB) articleView(ctx context.Context, f Filter) (*articleView, error) {
	metas, err := db.refreshArticleMeta(ctx)
	if err != nil {
		return nil, err
	}
	v := &articleView{metas: metas, f: f, since: f.Since.Unix(), until: f.Until.Unix(), asOf: f.AsOf.Unix()}
	for _, s := range f.Sources {
		v.sources = append(v.sources, strings.ToLower(strings.TrimSpace(s)))
	}
	return v, nil
}

// forgetArticleMeta marks an article's metadata stale after this process
// changed or removed it: it counts as unknown until read again.
func (db *DB) forgetArticleMeta(id int64) {
	m := &db.vec.meta
	m.mu.Lock()
	defer m.mu.Unlock()
	if id <= 0 || id >= int64(len(m.articles)) {
		return
	}
	if m.forgotten == nil {
		m.forgotten = map[int64]bool{}
	}
	m.forgotten[id] = true
}

// known reports whether the metadata of article id is held.
func (v *articleView) known(id int64) bool {
	return id > 0 && id < int64(len(v.metas)) && v.metas[id].known
}

// published is the publication date of a known article (zero if unknown).
func (v *articleView) published(id int64) time.Time {
	if !v.known(id) || v.metas[id].published == unknownDate {
		return time.Time{}
	}
	return time.Unix(v.metas[id].published, 0).UTC()
}

// allows is filterSQL's condition for article id; unknown articles pass.
func (v *articleView) allows(id int64) bool {
	if !v.known(id) {
		return true
	}
	a, f := &v.metas[id], v.f
	switch f.GuildID {
	case "*":
	case "":
		if a.guild != "" {
			return false
		}
	default:
		if a.guild != "" && a.guild != f.GuildID {
			return false
		}
	}
	if !f.Since.IsZero() && (a.published == unknownDate || a.published < v.since) {
		return false
	}
	if !f.Until.IsZero() && (a.published == unknownDate || a.published >= v.until) {
		return false
	}
	if !f.AsOf.IsZero() && a.published != unknownDate && a.published > v.asOf {
		return false
	}
	if len(v.sources) > 0 && !slices.Contains(v.sources, a.source) {
		return false
	}
	return true
}

// metaRow is an article's metadata as read from SQLite.
type metaRow struct {
	id            int64
	guild, source string
	published     sql.NullInt64
}

// refreshArticleMeta reads the articles added or forgotten since the last
// call and returns the metadata. One caller reads at a time, without the
// mutex held; the others wait for it, or for their ctx.
func (db *DB) refreshArticleMeta(ctx context.Context) ([]articleMeta, error) {
	m := &db.vec.meta
	for {
		m.mu.Lock()
		if wait := m.reading; wait != nil {
			m.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		from := max(int64(len(m.articles))-1, 0)
		again := make([]int64, 0, len(m.forgotten))
		for id := range m.forgotten {
			again = append(again, id)
		}
		done := make(chan struct{})
		m.reading = done
		epoch := m.epoch
		m.mu.Unlock()

		rows, err := db.readArticleMeta(ctx, from, again)
		m.mu.Lock()
		m.reading = nil
		stale := m.epoch != epoch
		if err == nil && !stale {
			m.apply(rows, again)
		}
		metas := m.articles
		m.mu.Unlock()
		close(done)
		if err == nil && stale {
			continue // forgotten meanwhile: read from the start
		}
		if err != nil {
			return nil, fmt.Errorf("read article metadata: %w", err)
		}
		return metas, nil
	}
}

// apply stores rows read for the articles after the last known and for
// again; the caller holds mu.
func (m *articleMetas) apply(rows []metaRow, again []int64) {
	if m.interned == nil {
		m.interned = map[string]string{}
	}
	intern := func(s string) string {
		if v, ok := m.interned[s]; ok {
			return v
		}
		m.interned[s] = s
		return s
	}
	known := int64(len(m.articles))
	copied := false
	write := func(id int64, a articleMeta) {
		if id < known && !copied {
			m.articles = slices.Clone(m.articles) // views keep the old one
			copied = true
		}
		for int64(len(m.articles)) <= id {
			m.articles = append(m.articles, articleMeta{})
		}
		m.articles[id] = a
	}
	read := make(map[int64]bool, len(again))
	for _, r := range rows {
		a := articleMeta{known: true, guild: intern(r.guild), published: unknownDate, source: intern(asciiLower(r.source))}
		if r.published.Valid {
			a.published = r.published.Int64
		}
		write(r.id, a)
		read[r.id] = true
	}
	for _, id := range again {
		if !read[id] && id < int64(len(m.articles)) && m.articles[id].known {
			write(id, articleMeta{}) // removed
		}
		delete(m.forgotten, id)
	}
}

// readArticleMeta reads the metadata of the articles with ids above from,
// and of those in again.
func (db *DB) readArticleMeta(ctx context.Context, from int64, again []int64) ([]metaRow, error) {
	var out []metaRow
	read := func(q string, args ...any) error {
		rows, err := db.db.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var r metaRow
			if err := rows.Scan(&r.id, &r.guild, &r.published, &r.source); err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	}
	const cols = `SELECT id, guild_id, published_at, source FROM articles WHERE `
	if err := read(cols+`id > ? ORDER BY id`, from); err != nil {
		return nil, err
	}
	slices.Sort(again)
	for start := 0; start < len(again); start += sqlbatch.MaxIDs {
		if err := read(cols + `id IN (` + sqlbatch.IDList(again[start:min(start+sqlbatch.MaxIDs, len(again))]) + `)`); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// asciiLower lower-cases ASCII letters only, like SQLite's lower().
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// filterPassageIDs returns which of ids are passages that f allows.
func (db *DB) filterPassageIDs(ctx context.Context, ids []int64, f Filter) (map[int64]bool, error) {
	ok := make(map[int64]bool, len(ids))
	err := db.queryPassages(ctx, ids, f, `p.id`, func(r rowScanner) error {
		var id int64
		if err := r.Scan(&id); err != nil {
			return err
		}
		ok[id] = true
		return nil
	})
	return ok, err
}

// allowedPassages lists every passage f's WHERE clause allows.
func (db *DB) allowedPassages(ctx context.Context, where string, args []any) (map[int64]struct{}, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT p.id FROM passages p JOIN articles a ON a.id = p.article_id WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("check vector hits against the filter: %w", err)
	}
	defer rows.Close()
	set := map[int64]struct{}{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("check vector hits against the filter: %w", err)
		}
		set[id] = struct{}{}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("check vector hits against the filter: %w", err)
	}
	return set, nil
}

// fuseVectorCandidates is hybrid retrieval's hook in searchWith, called
// after rescore: it adds the k nearest passages by vector to the BM25
// candidates and sets every candidate's score to its reciprocal rank
// fusion score over the two rankings (BM25 by rescore's score, vectors by
// similarity), returning the union best first. On any failure of the
// vector side it returns the BM25 candidates unchanged with the error, so
// that the caller can log it and go on.
func (db *DB) fuseVectorCandidates(ctx context.Context, emb Embedder, query string, f Filter, k int, cands []*candidate) ([]*candidate, error) {
	if emb == nil {
		return cands, nil
	}
	hits, err := db.vectorSearch(ctx, emb, query, f, k)
	if err != nil || len(hits) == 0 {
		return cands, err
	}
	byID := make(map[int64]*candidate, len(cands)+len(hits))
	bm25 := slices.Clone(cands)
	slices.SortStableFunc(bm25, func(a, b *candidate) int { return cmp.Compare(b.score, a.score) })
	lexical := make([]int64, len(bm25))
	for i, c := range bm25 {
		lexical[i] = c.hit.Passage.ID
		byID[c.hit.Passage.ID] = c
	}
	var nearest, missing []int64
	for _, h := range hits {
		nearest = append(nearest, h.PassageID)
		if byID[h.PassageID] == nil {
			missing = append(missing, h.PassageID)
		}
	}
	extra, err := db.loadCandidates(ctx, missing, f)
	if err != nil {
		return cands, err
	}
	for _, c := range extra {
		byID[c.hit.Passage.ID] = c
	}
	order, score := fuseRRF([][]int64{lexical, nearest}, rrfK)
	out := make([]*candidate, 0, len(order))
	for _, id := range order {
		c := byID[id]
		if c == nil {
			continue // a vector hit deleted meanwhile
		}
		c.score = score[id]
		c.hit.Score = score[id]
		out = append(out, c)
	}
	return out, nil
}
