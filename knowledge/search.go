package knowledge

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/herald-bot/herald/knowledge/internal/sqlbatch"
	"github.com/herald-bot/herald/knowledge/keyword"
	"github.com/herald-bot/herald/knowledge/text"
)

// Ranking holds the retrieval parameters. The defaults were tuned with
// `herald eval` on a development set of news quiz questions; see README.
type Ranking struct {
	K1, B        float64 // BM25 saturation and length normalisation
	TitleWeight  float64 // a headline term counts this many body terms
	SecondWeight float64 // share of an article's second-best passage added to its score
	// RecencyHalfLife halves an article's prior for each period of age
	// before the moment of the question; zero disables the prior.
	RecencyHalfLife time.Duration
	// RecencyFloor is the smallest prior, so old articles are demoted but
	// never dropped.
	RecencyFloor float64
	// Candidates is how many passages the first stage hands to re-scoring.
	Candidates int
	// PostingBudget bounds, as a share of all passages, the sum of the
	// document frequencies of the terms the first stage matches on; rarer
	// terms are taken first. Common terms still count in re-scoring.
	PostingBudget float64
	// MaxPostings caps that sum in absolute terms, so the first stage costs
	// about the same however large the store grows.
	MaxPostings int
	// PerArticle is the most passages of one article in the evidence.
	PerArticle int
}

// DefaultRanking returns the tuned retrieval parameters.
func DefaultRanking() Ranking {
	return Ranking{
		K1: 1.2, B: 0.75, TitleWeight: 2.5, SecondWeight: 0.3,
		RecencyHalfLife: 30 * 24 * time.Hour, RecencyFloor: 0.3,
		Candidates: 150, PostingBudget: 0.05, MaxPostings: 0, PerArticle: 2,
	}
}

// corpusStats are the counts BM25 needs.
type corpusStats struct {
	passages          int64
	avgBody, avgTitle float64
	df                map[string]int
}

func (db *DB) loadStats(ctx context.Context, terms []string) (*corpusStats, error) {
	st := &corpusStats{df: make(map[string]int, len(terms))}
	var tokens, titleTokens int64
	if err := db.db.QueryRowContext(ctx, `SELECT passages, tokens, title_tokens FROM stats WHERE id = 1`).Scan(&st.passages, &tokens, &titleTokens); err != nil {
		return nil, WrapError(EINTERNAL, "Cannot read the database.", err)
	}
	if st.passages > 0 {
		st.avgBody = float64(tokens) / float64(st.passages)
		st.avgTitle = float64(titleTokens) / float64(st.passages)
	}
	var missing []string
	db.dfMu.Lock()
	for _, t := range terms {
		if n, ok := db.dfCache[t]; ok {
			st.df[t] = n
		} else {
			missing = append(missing, t)
		}
	}
	gen := db.dfGen
	db.dfMu.Unlock()
	if len(missing) > 0 {
		df, err := keyword.DF(ctx, db.db, missing)
		if err != nil {
			return nil, WrapError(EINTERNAL, "Cannot read the search index.", err)
		}
		for _, t := range missing {
			st.df[t] = df[t]
		}
	}
	if len(missing) > 0 {
		db.dfMu.Lock()
		if db.dfGen == gen && len(db.dfCache) < 200000 {
			for _, t := range missing {
				db.dfCache[t] = st.df[t]
			}
		}
		db.dfMu.Unlock()
	}
	return st, nil
}

func (st *corpusStats) idf(t string) float64 {
	n := float64(st.df[t])
	N := float64(st.passages)
	return math.Log(1 + (N-n+0.5)/(n+0.5))
}

// candidate is a passage found by the first stage.
type candidate struct {
	hit   Hit
	words int
	score float64
	chunk []byte // the stored chunk, until the passage text is cut out of it
}

// Search returns the passages that best match query, grouped by article:
// articles in rank order, each with at most Ranking.PerArticle passages,
// best first. f.Limit bounds the number of articles (default 10).
func (db *DB) Search(ctx context.Context, query string, f Filter) ([]Hit, error) {
	return db.searchWith(ctx, query, f, DefaultRanking())
}

// searchWith is Search with explicit ranking parameters.
func (db *DB) searchWith(ctx context.Context, query string, f Filter, r Ranking) ([]Hit, error) {
	terms := text.QueryTerms(query)
	if len(terms) == 0 {
		return nil, nil
	}
	st, err := db.loadStats(ctx, terms)
	if err != nil {
		return nil, err
	}
	match := chooseMatchTerms(terms, st, r.PostingBudget, r.MaxPostings)
	if len(match) == 0 {
		return nil, nil
	}
	ref := f.AsOf
	if ref.IsZero() {
		ref = db.Now()
	}
	cands, err := db.firstStage(ctx, match, st, f, r, ref)
	if err != nil {
		return nil, err
	}
	rescore(cands, terms, st, r)
	if db.Embedder != nil {
		fused, err := db.fuseVectorCandidates(ctx, db.Embedder, query, f, r.Candidates, cands)
		if err != nil {
			// Vector search is a bonus: BM25 alone still answers.
			db.Logger.Warn("vector search failed; using keyword search only", "err", err)
		}
		cands = fused
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 10
	}
	return rankArticles(cands, r, ref, limit), nil
}

// rarestPresent returns the terms found in the store, rarest first.
func rarestPresent(terms []string, st *corpusStats) []string {
	present := make([]string, 0, len(terms))
	for _, t := range terms {
		if st.df[t] > 0 {
			present = append(present, t)
		}
	}
	sort.SliceStable(present, func(i, j int) bool { return st.df[present[i]] < st.df[present[j]] })
	return present
}

// chooseMatchTerms picks the terms the first stage matches on: the rarest
// first, while the sum of their posting lists stays within the budget. The
// rarest term present is always taken.
func chooseMatchTerms(terms []string, st *corpusStats, budget float64, maxPostings int) []string {
	present := rarestPresent(terms, st)
	limit := int(budget * float64(st.passages))
	if maxPostings > 0 && limit > maxPostings {
		limit = maxPostings
	}
	var out []string
	sum := 0
	for i, t := range present {
		if i > 0 && sum+st.df[t] > limit {
			break
		}
		sum += st.df[t]
		out = append(out, t)
	}
	return out
}

// firstStage scores the passages holding the match terms with BM25 (the
// headline weighted) from the keyword index, keeps those that pass the
// filter, and returns the best r.Candidates of them by that score times
// the recency prior, so that the cut already favours what is current as
// the final ranking will. With a filter it looks further down the ranking
// until enough passages pass or the matches run out.
func (db *DB) firstStage(ctx context.Context, match []string, st *corpusStats, f Filter, r Ranking, ref time.Time) ([]*candidate, error) {
	k := r.Candidates
	if k <= 0 {
		k = 100
	}
	where, _ := filterSQL(f)
	idf := make(map[string]float64, len(match))
	for _, t := range match {
		idf[t] = st.idf(t)
	}
	params := keyword.BM25{K1: r.K1, B: r.B, TitleWeight: r.TitleWeight, AvgLength: st.avgBody + st.avgTitle}
	// Without a filter the best k by BM25 are the candidates. With one,
	// the best 4k are looked at first, and, while too few of them pass,
	// four times as many again (scoring anew: that is rare).
	depth := k
	if where != "1" {
		depth = 4 * k
	}
	type passing struct {
		id    int64
		score float64
	}
	var kept []passing
	from := 0
	for {
		ranked, err := keyword.Score(ctx, db.db, idf, params, depth)
		if err != nil {
			return nil, WrapError(EINTERNAL, "Cannot read the search index.", err)
		}
		// Which passages pass the filter, and their priors: only the
		// small columns are read here.
		part := ranked[min(from, len(ranked)):]
		dates, err := db.passageDates(ctx, part, f)
		if err != nil {
			return nil, err
		}
		for _, p := range part {
			if pub, ok := dates[p.ID]; ok {
				kept = append(kept, passing{p.ID, p.Score * recencyPrior(pub, ref, r)})
			}
		}
		if len(kept) >= k || len(ranked) < depth || depth >= 256*k {
			break
		}
		from, depth = len(ranked), depth*4
	}
	sort.SliceStable(kept, func(i, j int) bool { return kept[i].score > kept[j].score })
	if len(kept) > k {
		kept = kept[:k]
	}
	ids := make([]int64, len(kept))
	score := make(map[int64]float64, len(kept))
	for i, p := range kept {
		ids[i], score[p.id] = p.id, p.score
	}
	out, err := db.loadCandidatesStored(ctx, ids, f)
	if err != nil {
		return nil, err
	}
	for _, c := range out {
		c.score = score[c.hit.Passage.ID]
	}
	if err := cutPassageTexts(out); err != nil { // only the passages kept are decompressed
		return nil, err
	}
	return out, nil
}

// loadCandidates loads passages with their articles in the shape of the
// BM25 first stage, in the order of ids, dropping those that no longer
// exist or that f excludes. Their scores are zero.
func (db *DB) loadCandidates(ctx context.Context, ids []int64, f Filter) ([]*candidate, error) {
	out, err := db.loadCandidatesStored(ctx, ids, f)
	if err != nil {
		return nil, err
	}
	return out, cutPassageTexts(out)
}

// loadCandidatesStored is loadCandidates that leaves each passage's text
// in its stored chunk (see cutPassageTexts), for callers that keep only
// some of the candidates.
func (db *DB) loadCandidatesStored(ctx context.Context, ids []int64, f Filter) ([]*candidate, error) {
	byID := make(map[int64]*candidate, len(ids))
	err := db.queryPassages(ctx, ids, f, articleColumns+`, p.id, p.seq, p.start, p.end, p.words, p.chunk`, func(r rowScanner) error {
		c := &candidate{}
		p := &c.hit.Passage
		a, err := scanArticle(r, &p.ID, &p.Seq, &p.Start, &p.End, &c.words, &c.chunk)
		if err != nil {
			return err
		}
		p.ArticleID = a.ID
		c.hit.Article = a
		byID[p.ID] = c
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]*candidate, 0, len(byID))
	for _, id := range ids {
		if c, ok := byID[id]; ok {
			out = append(out, c)
			delete(byID, id)
		}
	}
	return out, nil
}

// queryPassages selects cols (over passages p joined with their articles a)
// for the passages ids that exist and pass the filter, a few hundred ids a
// statement, and scans each row with scan.
func (db *DB) queryPassages(ctx context.Context, ids []int64, f Filter, cols string, scan func(rowScanner) error) error {
	where, args := filterSQL(f)
	for start := 0; start < len(ids); start += sqlbatch.MaxIDs {
		part := ids[start:min(start+sqlbatch.MaxIDs, len(ids))]
		rows, err := db.db.QueryContext(ctx, `SELECT `+cols+` FROM passages p JOIN articles a ON a.id = p.article_id
			WHERE p.id IN (`+sqlbatch.IDList(part)+`) AND `+where, args...)
		if err != nil {
			return WrapError(EINTERNAL, "Cannot search the articles.", err)
		}
		for rows.Next() {
			if err := scan(rows); err != nil {
				rows.Close()
				return WrapError(EINTERNAL, "Cannot search the articles.", err)
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return WrapError(EINTERNAL, "Cannot search the articles.", err)
		}
	}
	return nil
}

// cutPassageTexts decompresses the candidates' chunks into passage texts.
func cutPassageTexts(cands []*candidate) error {
	for _, c := range cands {
		if c.chunk == nil {
			continue
		}
		p := &c.hit.Passage
		var err error
		if p.Text, err = storedPassageText(c.chunk, p.Seq, p.Start, p.End); err != nil {
			return fmt.Errorf("read passage %d of article %d: %w", p.ID, p.ArticleID, err)
		}
		c.chunk = nil
	}
	return nil
}

// PlainBM25 is the reference ranking that measurements compare with: BM25
// over every term of the question (headline and body alike, no recency,
// no re-scoring), articles in the order of their best passage. It reads
// every posting of every term, so it is slow on a big store.
func (db *DB) PlainBM25(ctx context.Context, query string, f Filter) ([]Hit, error) {
	terms := text.QueryTerms(query)
	st, err := db.loadStats(ctx, terms)
	if err != nil {
		return nil, err
	}
	r := DefaultRanking()
	r.TitleWeight, r.RecencyHalfLife, r.Candidates = 1, 0, 200
	present := rarestPresent(terms, st)
	if len(present) == 0 {
		return nil, nil
	}
	cands, err := db.firstStage(ctx, present, st, f, r, time.Time{})
	if err != nil {
		return nil, err
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 10
	}
	var out []Hit
	seen := map[int64]bool{}
	for _, c := range cands {
		if len(seen) == limit {
			break
		}
		if !seen[c.hit.Article.ID] {
			seen[c.hit.Article.ID] = true
			c.hit.Score = c.score
			out = append(out, c.hit)
		}
	}
	return out, nil
}

// rescore computes BM25F over every query term, common ones included, for
// the candidates of the first stage.
func rescore(cands []*candidate, terms []string, st *corpusStats, r Ranking) {
	idf := make(map[string]float64, len(terms))
	for _, t := range terms {
		if st.df[t] > 0 {
			idf[t] = st.idf(t)
		}
	}
	titleTF := map[int64]map[string]int{}
	var toks []string
	for _, c := range cands {
		tt, ok := titleTF[c.hit.Article.ID]
		if !ok {
			tt = map[string]int{}
			toks = text.AppendTokens(toks[:0], c.hit.Article.Title)
			for _, tok := range toks {
				if _, q := idf[tok]; q {
					tt[tok]++
				}
			}
			titleTF[c.hit.Article.ID] = tt
		}
		body := map[string]int{}
		toks = text.AppendTokens(toks[:0], c.hit.Passage.Text)
		for _, tok := range toks {
			if _, q := idf[tok]; q {
				body[tok]++
			}
		}
		norm := 1 - r.B + r.B*float64(c.words)/math.Max(st.avgBody, 1)
		s := 0.0
		for _, t := range terms { // in a fixed order: sums, and so ties, do not vary between runs
			w, ok := idf[t]
			if !ok {
				continue
			}
			tf := float64(body[t]) + r.TitleWeight*float64(tt[t])
			if tf == 0 {
				continue
			}
			s += w * tf * (r.K1 + 1) / (tf + r.K1*norm)
		}
		c.score = s
		c.hit.Score = s
	}
}

// rankArticles orders articles by their best passages and a recency prior
// and returns at most PerArticle passages of each of the first limit
// articles.
func rankArticles(cands []*candidate, r Ranking, ref time.Time, limit int) []Hit {
	type group struct {
		passages []*candidate
		score    float64
	}
	groups := map[int64]*group{}
	var order []int64
	for _, c := range cands {
		g := groups[c.hit.Article.ID]
		if g == nil {
			g = &group{}
			groups[c.hit.Article.ID] = g
			order = append(order, c.hit.Article.ID)
		}
		g.passages = append(g.passages, c)
	}
	for _, id := range order {
		g := groups[id]
		sort.SliceStable(g.passages, func(i, j int) bool { return g.passages[i].score > g.passages[j].score })
		g.score = g.passages[0].score
		if len(g.passages) > 1 {
			g.score += r.SecondWeight * g.passages[1].score
		}
		g.score *= recencyPrior(g.passages[0].hit.Article.PublishedAt, ref, r)
	}
	sort.SliceStable(order, func(i, j int) bool { return groups[order[i]].score > groups[order[j]].score })
	if len(order) > limit {
		order = order[:limit]
	}
	per := r.PerArticle
	if per <= 0 {
		per = 2
	}
	var out []Hit
	for _, id := range order {
		g := groups[id]
		for i, c := range g.passages {
			if i == per {
				break
			}
			out = append(out, c.hit)
		}
	}
	return out
}

// recencyPrior is 1 for an article published at ref, halving with each
// half-life of age down to the floor. Undated articles get the floor's
// midpoint to 1, so they are neither favoured nor buried.
func recencyPrior(published, ref time.Time, r Ranking) float64 {
	if r.RecencyHalfLife <= 0 {
		return 1
	}
	if published.IsZero() {
		return (1 + r.RecencyFloor) / 2
	}
	age := ref.Sub(published)
	if age < 0 {
		age = 0
	}
	p := math.Pow(0.5, float64(age)/float64(r.RecencyHalfLife))
	return r.RecencyFloor + (1-r.RecencyFloor)*p
}
