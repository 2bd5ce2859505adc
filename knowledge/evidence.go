package knowledge

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/herald-bot/herald/knowledge/internal/sqlbatch"
	"github.com/herald-bot/herald/knowledge/text"
)

// evidenceSources returns the numbered sources a model is shown for a
// prepared question: passages of the retrieved articles, packed into the
// budget (ContextTokens) by how well they match the question and how well
// their article does, not by the order of retrieval: the passages
// retrieval found count extra, and so do an article's lead (a news
// article's first passage says what it is about) and the neighbours of
// what was found, so that a weak article's second passage never takes
// the place of the best article's lead. Of a passage other than a lead,
// only the sentences holding a term of the question and their neighbours
// are shown (see trimToMatches). Sources are numbered one per article, in
// rank order; an article none of whose passages fits is left out.
func (an *Answerer) evidenceSources(ctx context.Context, p *prepared) ([]*source, error) {
	budget := an.ContextTokens
	if budget <= 0 {
		budget = DefaultContextTokens
	}
	if len(p.hits) == 0 {
		return nil, nil
	}
	type article struct {
		a         Article
		best      float64
		retrieved map[int]bool // seqs
		hits      []Passage
	}
	var order []*article
	byID := map[int64]*article{}
	for _, h := range p.hits {
		a := byID[h.Article.ID]
		if a == nil {
			a = &article{a: h.Article, retrieved: map[int]bool{}}
			byID[h.Article.ID] = a
			order = append(order, a)
		}
		a.best = math.Max(a.best, h.Score)
		a.retrieved[h.Passage.Seq] = true
		a.hits = append(a.hits, h.Passage)
	}
	ids := make([]int64, len(order))
	for i, a := range order {
		ids[i] = a.a.ID
	}
	stored, err := an.DB.articlePassages(ctx, ids)
	if err != nil {
		return nil, err
	}
	boiler, err := an.DB.boilerplate(ctx)
	if err != nil {
		return nil, err
	}
	rel, err := an.passageMatcher(ctx, p)
	if err != nil {
		return nil, err
	}
	type option struct {
		art      *article
		passage  Passage
		priority float64
	}
	var opts []option
	top := order[0].best
	for rank, a := range order {
		passages := stored[a.a.ID]
		if len(passages) == 0 {
			passages = a.hits // removed meanwhile: what was retrieved
		}
		weight := 1 - fillRankDecay*float64(rank)
		if top > 0 {
			weight = math.Min(weight, a.best/top)
		}
		weight = math.Max(weight, 0.1)
		for _, ps := range passages {
			// Never a site's notices, as in the hits' passages.
			if ps.Text = readable(ps.Text, &a.a, boiler); strings.TrimSpace(ps.Text) == "" {
				continue
			}
			pr := rel(ps.Text)
			if a.retrieved[ps.Seq] {
				pr += retrievedBonus
			} else if a.retrieved[ps.Seq-1] || a.retrieved[ps.Seq+1] {
				pr += neighbourBonus
			}
			if ps.Seq == 0 {
				pr += leadBonus
			}
			if ps.Seq != 0 {
				// A lead is read whole; of the other passages, what
				// bears on the question.
				ps.Text = trimToMatches(ps.Text, rel)
			}
			opts = append(opts, option{a, ps, pr * weight})
		}
	}
	sort.SliceStable(opts, func(i, j int) bool { return opts[i].priority > opts[j].priority })
	chosen := map[*article][]Passage{}
	left := budget
	for i, o := range opts {
		cost := passageCost(o.passage.Text)
		if cost > left && i > 0 {
			continue
		}
		left -= cost
		chosen[o.art] = append(chosen[o.art], o.passage)
	}
	var out []*source
	for _, a := range order {
		if ps := chosen[a]; len(ps) > 0 {
			s := &source{n: len(out) + 1, article: a.a, passages: ps}
			s.render()
			out = append(out, s)
		}
	}
	return out, nil
}

// Priorities of a passage of an evidence article, besides its match with
// the question (the share of the question's term weight it holds); an
// article's passages count less the lower it ranks, by its rank and its
// retrieval score against the best article's.
const (
	retrievedBonus = 0.3  // retrieval found it
	neighbourBonus = 0.1  // next to one that retrieval found
	leadBonus      = 0.2  // the article's first passage
	fillRankDecay  = 0.15 // each lower rank
)

// passageMatcher returns a function giving the share of the question's
// term weight (its terms' inverse document frequencies) that a text
// holds, each term once, compared as the index analyses both.
func (an *Answerer) passageMatcher(ctx context.Context, p *prepared) (func(string) float64, error) {
	ana := text.AnalyzerFor(p.lang)
	weights, err := an.DB.termWeights(ctx, p.lang, ana.Query(p.rest))
	if err != nil {
		return nil, err
	}
	total := 0.0
	for _, w := range weights {
		total += w
	}
	var cache text.StemCache
	var toks []string
	return func(s string) float64 {
		if total == 0 {
			return 0
		}
		seen := map[string]bool{}
		sum := 0.0
		toks, _ = cache.AppendIndexTokens(ana, toks[:0], s)
		for _, t := range toks {
			if w, ok := weights[t]; ok && !seen[t] {
				seen[t] = true
				sum += w
			}
		}
		return sum / total
	}, nil
}

// articlePassages returns every passage of the articles ids, with its
// text, by article in the order of the passages.
func (db *DB) articlePassages(ctx context.Context, ids []int64) (map[int64][]Passage, error) {
	out := make(map[int64][]Passage, len(ids))
	for start := 0; start < len(ids); start += sqlbatch.MaxIDs {
		part := ids[start:min(start+sqlbatch.MaxIDs, len(ids))]
		rows, err := db.db.QueryContext(ctx, `SELECT p.id, p.article_id, p.seq, p.start, p.end, p.chunk FROM passages p
			WHERE p.article_id IN (`+sqlbatch.IDList(part)+`) ORDER BY p.article_id, p.seq`)
		if err != nil {
			return nil, WrapError(EINTERNAL, "Cannot read the articles.", err)
		}
		for rows.Next() {
			var p Passage
			var chunk []byte
			if err := rows.Scan(&p.ID, &p.ArticleID, &p.Seq, &p.Start, &p.End, &chunk); err != nil {
				rows.Close()
				return nil, WrapError(EINTERNAL, "Cannot read the articles.", err)
			}
			if p.Text, err = storedPassageText(chunk, p.Seq, p.Start, p.End); err != nil {
				rows.Close()
				return nil, WrapError(EINTERNAL, "Cannot read the articles.", fmt.Errorf("read passage %d of article %d: %w", p.ID, p.ArticleID, err))
			}
			out[p.ArticleID] = append(out[p.ArticleID], p)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, WrapError(EINTERNAL, "Cannot read the articles.", err)
		}
	}
	return out, nil
}

// trimToMatches keeps of a passage the sentences that hold a term of the
// question and their neighbours, the rest given as an ellipsis, so that
// the budget holds more of what bears on the question; a passage none
// of whose sentences match is kept whole.
func trimToMatches(s string, rel func(string) float64) string {
	spans := text.Sentences(s)
	if len(spans) < 3 {
		return s
	}
	match := make([]bool, len(spans))
	any := false
	for i, sp := range spans {
		match[i] = rel(s[sp.Start:sp.End]) > 0
		any = any || match[i]
	}
	if !any {
		return s
	}
	keep := make([]bool, len(spans))
	for i := range spans {
		keep[i] = match[i] || i > 0 && match[i-1] || i+1 < len(spans) && match[i+1]
	}
	var b strings.Builder
	gap := false
	for i, sp := range spans {
		if !keep[i] {
			gap = true
			continue
		}
		if b.Len() > 0 {
			if gap {
				b.WriteString(" […] ")
			} else {
				b.WriteString(s[spans[i-1].End:sp.Start])
			}
		} else if gap {
			b.WriteString("[…] ")
		}
		gap = false
		b.WriteString(s[sp.Start:sp.End])
	}
	if gap {
		b.WriteString(" […]")
	}
	return b.String()
}
