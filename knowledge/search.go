package knowledge

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"time"
	"unicode"
	"unicode/utf8"

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
	// MinPostings is the sum the budget always allows: on a small store
	// the first stage matches on every term, which costs nothing there,
	// instead of on the rarest one alone.
	MinPostings int
	// PerArticle is the most passages of one article in the evidence.
	PerArticle int
}

// DefaultRanking returns the tuned retrieval parameters.
func DefaultRanking() Ranking {
	return Ranking{
		K1: 1.2, B: 0.75, TitleWeight: 2.5, SecondWeight: 0.3,
		RecencyHalfLife: 30 * 24 * time.Hour, RecencyFloor: 0.3,
		Candidates: 150, PostingBudget: 0.05, MaxPostings: 0, MinPostings: 1000, PerArticle: 2,
	}
}

// corpusStats are the counts BM25 needs of one language's index.
type corpusStats struct {
	lang              string
	passages, removed int64
	avgBody, avgTitle float64
	df                map[string]int
}

// readIndexStats returns the statistics of every language indexed. They
// are read anew for every search (one small table), so that writes of
// other processes count at once.
func (db *DB) readIndexStats(ctx context.Context) (map[string]keyword.Stats, error) {
	all, err := keyword.ReadStats(ctx, db.db)
	if err != nil {
		return nil, fmt.Errorf("read the index statistics: %w", err)
	}
	return all, nil
}

// loadStats returns the statistics of lang's index, with the document
// frequencies of terms (from a cache of this process's reads, reset by its
// writes). all are the statistics of every language, as readIndexStats
// returns them.
func (db *DB) loadStats(ctx context.Context, all map[string]keyword.Stats, lang string, terms []string) (*corpusStats, error) {
	ls := all[lang]
	st := &corpusStats{lang: lang, passages: ls.Passages, removed: ls.Removed, df: make(map[string]int, len(terms))}
	if st.passages > 0 {
		st.avgBody = float64(ls.Tokens) / float64(st.passages)
		st.avgTitle = float64(ls.TitleTokens) / float64(st.passages)
	}
	var missing []string
	key := func(t string) string { return lang + "\x00" + t }
	db.dfMu.Lock()
	for _, t := range terms {
		if n, ok := db.dfCache[key(t)]; ok {
			st.df[t] = n
		} else {
			missing = append(missing, t)
		}
	}
	gen := db.dfGen
	db.dfMu.Unlock()
	if len(missing) == 0 {
		return st, nil
	}
	df, err := keyword.DF(ctx, db.db, lang, missing)
	if err != nil {
		return nil, fmt.Errorf("read document frequencies (%s): %w", lang, err)
	}
	for _, t := range missing {
		st.df[t] = df[t]
	}
	db.dfMu.Lock()
	if db.dfGen == gen && len(db.dfCache) < 200000 {
		for _, t := range missing {
			db.dfCache[key(t)] = st.df[t]
		}
	}
	db.dfMu.Unlock()
	return st, nil
}

func (st *corpusStats) idf(t string) float64 {
	n := float64(st.df[t])
	N := float64(st.passages)
	return math.Log(1 + (N-n+0.5)/(n+0.5))
}

// queryPlan is a question as one language's index is searched for it: the
// question's terms analysed in that language, and that index's statistics.
type queryPlan struct {
	an    *text.Analyzer
	terms []string // stems, in the order of the question
	st    *corpusStats
	match []string // the terms the first stage matches on
	// parts maps each of the question's hyphenated compounds ("highrank"
	// of "high-ranking") to its words' terms ("high", "rank").
	parts map[string][]text.QueryTerm
}

// questionLanguage returns the language whose index a question is matched
// against: the language it is written in, or, when it is too short to
// tell, fallback (the asker's; English when empty or unknown).
func questionLanguage(question, fallback string) string {
	fb := text.LanguageCode(fallback)
	if fb == "" {
		fb = defaultLanguage
	}
	return text.DetectLanguage(question, fb)
}

// planQuery analyses a question for the indexes it is searched in: the
// index of its language with all its terms, and the index of every other
// language holding passages with the question's names only (a name is
// written alike across languages: "Scholz", "Taurus", "NATO"), so that a
// question finds articles of other languages that name what it names,
// scored on those names alone, while a German question's stems never
// score English passages. The first plan is the question's language's.
func (db *DB) planQuery(ctx context.Context, query string, f Filter) ([]*queryPlan, error) {
	all, err := db.readIndexStats(ctx)
	if err != nil {
		return nil, err
	}
	an := text.AnalyzerFor(questionLanguage(query, f.Language))
	qt := an.Query(query)
	if len(qt) == 0 {
		return nil, nil
	}
	main := &queryPlan{an: an, parts: compoundParts(qt)}
	var names []string
	for _, t := range qt {
		main.terms = append(main.terms, t.Term)
		if t.Name {
			names = append(names, t.Word)
		}
	}
	plans := []*queryPlan{main}
	if len(names) > 0 {
		langs := make([]string, 0, len(all))
		for lang, s := range all {
			if lang != an.Language() && s.Passages > 0 {
				langs = append(langs, lang)
			}
		}
		sort.Strings(langs)
		cache := db.stemCache()
		for _, lang := range langs {
			other := text.AnalyzerFor(lang)
			p := &queryPlan{an: other}
			for _, w := range names {
				if st := cache.Stem(other, w); !slices.Contains(p.terms, st) {
					p.terms = append(p.terms, st)
				}
			}
			plans = append(plans, p)
		}
		db.releaseStemCache(cache)
	}
	for _, p := range plans {
		if p.st, err = db.loadStats(ctx, all, p.an.Language(), p.terms); err != nil {
			return nil, err
		}
	}
	return plans, nil
}

// stemCache returns a StemCache for one search; releaseStemCache gives it
// back for the next. The DB keeps one per core (a sync.Pool would drop
// them at every garbage collection, and stemming is most of re-scoring).
func (db *DB) stemCache() *text.StemCache {
	db.stemsOnce.Do(func() { db.stems = make(chan *text.StemCache, runtime.GOMAXPROCS(0)) })
	select {
	case c := <-db.stems:
		return c
	default:
		return &text.StemCache{}
	}
}

func (db *DB) releaseStemCache(c *text.StemCache) {
	select {
	case db.stems <- c:
	default:
	}
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
	db.syncChanges(ctx)
	plans, err := db.planQuery(ctx, query, f)
	if err != nil || len(plans) == 0 {
		return nil, err
	}
	matching := plans[:0:0]
	for _, p := range plans {
		if p.match = chooseMatchTerms(p.terms, p.parts, p.st, r); len(p.match) > 0 {
			matching = append(matching, p)
		}
	}
	if len(matching) == 0 {
		return nil, nil
	}
	ref := f.AsOf
	if ref.IsZero() {
		ref = db.Now()
	}
	cands, err := db.firstStage(ctx, matching, f, r, ref)
	if err != nil {
		return nil, err
	}
	db.rescore(cands, plans, r)
	if db.Embedder != nil {
		fused, err := db.fuseVectorCandidates(ctx, db.Embedder, query, f, r.Candidates, cands)
		switch {
		case err == nil, errors.Is(err, errVectorsCooling):
		case ctx.Err() != nil:
			return nil, ctx.Err()
		default:
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
// first, while the sum of their posting lists stays within the budget
// (r.PostingBudget of the passages, at least r.MinPostings, at most
// r.MaxPostings when set). The rarest term present is always taken, and a
// second within twice the budget: one term seldom says what a question
// asks, and candidates holding only it can all miss the answer. A
// hyphenated compound taken stands for its words (parts) that are no
// names: such a part alone says little of what the compound says, so it
// takes no more of the budget ("high-ranking official tested positive"
// matches on "highrank" and "positive", not on "highrank" and "rank"
// alone); a name ("Taurus" of "Taurus-Marschflugkörper") is written alone
// too and stays a term of its own.
func chooseMatchTerms(terms []string, parts map[string][]text.QueryTerm, st *corpusStats, r Ranking) []string {
	present := rarestPresent(terms, st)
	limit := max(int(r.PostingBudget*float64(st.passages)), r.MinPostings)
	if r.MaxPostings > 0 && limit > r.MaxPostings {
		limit = r.MaxPostings
	}
	var out []string
	covered := map[string]bool{}
	sum := 0
	for _, t := range present {
		if covered[t] {
			continue
		}
		next := sum + st.df[t]
		if len(out) >= 2 && next > limit || len(out) == 1 && next > 2*limit {
			break
		}
		sum = next
		out = append(out, t)
		for _, w := range parts[t] {
			if !w.Name {
				covered[w.Term] = true
			}
		}
	}
	return out
}

// compoundParts maps each compound term of the question's terms qt to the
// terms of the words it joins: the terms before it whose words, run
// together, spell it ("high" and "ranking" for "highranking").
func compoundParts(qt []text.QueryTerm) map[string][]text.QueryTerm {
	var out map[string][]text.QueryTerm
	for i, t := range qt {
		if !t.Compound {
			continue
		}
		word := ""
		for j := i - 1; j >= 0 && !qt[j].Compound && len(word) < len(t.Word); j-- {
			word = qt[j].Word + word
			if word == t.Word {
				if out == nil {
					out = map[string][]text.QueryTerm{}
				}
				out[t.Term] = append([]text.QueryTerm(nil), qt[j:i]...)
				break
			}
		}
	}
	return out
}

// firstStage scores, in each plan's index, the passages holding its match
// terms with BM25 (the headline weighted), keeps those that pass the
// filter, and returns the best r.Candidates of them by that score times
// the recency prior, so that the cut already favours what is current as
// the final ranking will. With a filter it looks further down the ranking
// until enough passages pass or the matches run out.
func (db *DB) firstStage(ctx context.Context, plans []*queryPlan, f Filter, r Ranking, ref time.Time) ([]*candidate, error) {
	k := r.Candidates
	if k <= 0 {
		k = 100
	}
	where, _ := filterSQL(f)
	// Without a filter the best k by BM25 are the candidates. With one,
	// the best 4k are looked at first, and, while too few of them pass,
	// four times as many again (scoring anew: that is rare).
	depth := k
	if where != allRows {
		depth = 4 * k
	}
	type passing struct {
		id    int64
		score float64
	}
	var kept []passing
	seen := map[int64]bool{}
	for {
		var ranked []keyword.Scored
		exhausted := true
		for _, p := range plans {
			idf := make(map[string]float64, len(p.match))
			for _, t := range p.match {
				idf[t] = p.st.idf(t)
			}
			params := keyword.BM25{K1: r.K1, B: r.B, TitleWeight: r.TitleWeight, AvgLength: p.st.avgBody + p.st.avgTitle, Removed: p.st.removed}
			part, err := keyword.Score(ctx, db.db, p.st.lang, idf, params, depth)
			if err != nil {
				return nil, fmt.Errorf("score the first stage: %w", err)
			}
			if len(part) == depth {
				exhausted = false
			}
			ranked = append(ranked, part...)
		}
		// Which passages pass the filter, and their priors: only the
		// small columns are read here, and each passage once.
		fresh := ranked[:0:0]
		for _, p := range ranked {
			if !seen[p.ID] {
				seen[p.ID] = true
				fresh = append(fresh, p)
			}
		}
		dates, err := db.passageDates(ctx, fresh, f)
		if err != nil {
			return nil, err
		}
		for _, p := range fresh {
			if pub, ok := dates[p.ID]; ok {
				kept = append(kept, passing{p.ID, p.Score * recencyPrior(pub, ref, r)})
			}
		}
		if len(kept) >= k || exhausted || depth >= 256*k {
			break
		}
		depth *= 4
	}
	// Ties go to the newer passage, whatever order the indexes came in.
	sort.Slice(kept, func(i, j int) bool {
		if kept[i].score != kept[j].score {
			return kept[i].score > kept[j].score
		}
		return kept[i].id > kept[j].id
	})
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
		in, inArgs := db.db.Dialect().InIDs("p.id", part)
		rows, err := db.db.QueryContext(ctx, `SELECT `+cols+` FROM passages p JOIN articles a ON a.id = p.article_id
			WHERE `+in+` AND `+where, append(inArgs, args...)...)
		if err != nil {
			return fmt.Errorf("query passages: %w", err)
		}
		for rows.Next() {
			if err := scan(rows); err != nil {
				rows.Close()
				return fmt.Errorf("query passages: %w", err)
			}
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return fmt.Errorf("query passages: %w", err)
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
// no re-scoring) in the index of the question's language, articles in the
// order of their best passage. It reads every posting of every term, so it
// is slow on a big store.
func (db *DB) PlainBM25(ctx context.Context, query string, f Filter) ([]Hit, error) {
	plans, err := db.planQuery(ctx, query, f)
	if err != nil || len(plans) == 0 {
		return nil, err
	}
	p := plans[0]
	r := DefaultRanking()
	r.TitleWeight, r.RecencyHalfLife, r.Candidates = 1, 0, 200
	if p.match = rarestPresent(p.terms, p.st); len(p.match) == 0 {
		return nil, nil
	}
	cands, err := db.firstStage(ctx, []*queryPlan{p}, f, r, time.Time{})
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

// rescore computes BM25F over every term of the question, common ones
// included, for the candidates of the first stage: each candidate in its
// article's language, with the plan of that language's index (its terms
// and statistics), tokenised as the index tokenised it.
func (db *DB) rescore(cands []*candidate, plans []*queryPlan, r Ranking) {
	type weighted struct {
		*queryPlan
		idf    map[string]float64
		firsts *[256]bool // the first bytes of the tokens that may stem to a term; nil: stem every token
	}
	byLang := make(map[string]*weighted, len(plans))
	for _, p := range plans {
		w := &weighted{queryPlan: p, idf: make(map[string]float64, len(p.terms))}
		for _, t := range p.terms {
			if p.st.df[t] > 0 {
				w.idf[t] = p.st.idf(t)
			}
		}
		w.firsts = firstBytes(p.an, p.terms)
		byLang[p.st.lang] = w
	}
	cache := db.stemCache()
	defer db.releaseStemCache(cache)
	titleTF := map[int64]map[string]int{}
	var toks []string
	for _, c := range cands {
		p := byLang[text.AnalyzerFor(c.hit.Article.Language).Language()]
		if p == nil {
			c.score, c.hit.Score = 0, 0
			continue
		}
		tt, ok := titleTF[c.hit.Article.ID]
		if !ok {
			tt = map[string]int{}
			toks, _ = cache.AppendIndexTokens(p.an, toks[:0], c.hit.Article.Title)
			for _, tok := range toks {
				if _, q := p.idf[tok]; q {
					tt[tok]++
				}
			}
			titleTF[c.hit.Article.ID] = tt
		}
		body := map[string]int{}
		toks = countTerms(cache, p.an, p.firsts, p.idf, c.hit.Passage.Text, body, toks)
		norm := 1 - r.B + r.B*float64(c.words)/math.Max(p.st.avgBody, 1)
		s := 0.0
		for _, t := range p.terms { // in a fixed order: sums, and so ties, do not vary between runs
			w, ok := p.idf[t]
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

// indexHyphen returns the index of the first character of s that joins
// words into a compound term (-, U+2010, U+2011), or -1.
func indexHyphen(s string) int {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '-':
			return i
		case c == 0xe2 && i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0x90 || s[i+2] == 0x91):
			return i
		}
	}
	return -1
}

// countTerms adds to body how often each term of want occurs in s as the
// index analyses s. With firsts (see firstBytes) only the tokens that can
// stem to a term are stemmed, and compounds of hyphenated words are looked
// for around hyphens only; without, s is analysed whole.
func countTerms(cache *text.StemCache, an *text.Analyzer, firsts *[256]bool, want map[string]float64, s string, body map[string]int, toks []string) []string {
	if firsts == nil {
		toks, _ = cache.AppendIndexTokens(an, toks[:0], s)
		for _, tok := range toks {
			if _, q := want[tok]; q {
				body[tok]++
			}
		}
		return toks
	}
	toks = countWords(cache, an, firsts, s, toks, func(st string) {
		if _, q := want[st]; q {
			body[st]++
		}
	})
	return countCompounds(cache, an, firsts, want, s, body, toks)
}

// countWords calls count with the stem of each token of s that is not a
// stop word and whose first byte is in firsts, and returns the token
// buffer for reuse.
func countWords(cache *text.StemCache, an *text.Analyzer, firsts *[256]bool, s string, toks []string, count func(stem string)) []string {
	toks = text.AppendTokens(toks[:0], s)
	for _, tok := range toks {
		if !firsts[tok[0]] || an.IsStopword(tok) {
			continue
		}
		count(cache.Stem(an, tok))
	}
	return toks
}

// countCompounds adds to body the terms of want that s holds as compounds
// of hyphenated words ("e-mail" is "email" too): the index analysis of
// each run of text around a hyphen (up to the spaces either side) holds
// its words' stems, which countWords counted already, and the compounds
// they form, which are counted here.
func countCompounds(cache *text.StemCache, an *text.Analyzer, firsts *[256]bool, want map[string]float64, s string, body map[string]int, toks []string) []string {
	for i := 0; i < len(s); {
		h := indexHyphen(s[i:])
		if h < 0 {
			break
		}
		start, end := i+h, i+h
		for start > 0 {
			r, size := utf8.DecodeLastRuneInString(s[:start])
			if unicode.IsSpace(r) {
				break
			}
			start -= size
		}
		for end < len(s) {
			r, size := utf8.DecodeRuneInString(s[end:])
			if unicode.IsSpace(r) {
				break
			}
			end += size
		}
		span := s[start:end]
		toks, _ = cache.AppendIndexTokens(an, toks[:0], span)
		for _, t := range toks {
			if _, q := want[t]; q {
				body[t]++
			}
		}
		toks = countWords(cache, an, firsts, span, toks, func(st string) {
			if _, q := want[st]; q {
				body[st]-- // a word, counted already
			}
		})
		i = end
	}
	return toks
}

// firstBytes returns the first bytes a folded token can have when its
// stem is one of terms, for analyzers whose stemmer keeps a word's first
// letter (English, German, and no stemmer at all), or nil when that is not
// known or the terms need the whole index analysis: a term that is a stop
// word (an acronym such as "US"). English folds a few British words into American ones
// with another first letter (oestrogen, gaol, kerb), so those letters are
// always let through.
func firstBytes(an *text.Analyzer, terms []string) *[256]bool {
	var extra string
	switch an.Language() {
	case "en":
		extra = "ogk"
	case "de", "":
	default:
		return nil
	}
	var set [256]bool
	for _, t := range terms {
		if t == "" || an.IsStopword(t) {
			return nil
		}
		set[t[0]] = true
	}
	for i := 0; i < len(extra); i++ {
		set[extra[i]] = true
	}
	return &set
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
