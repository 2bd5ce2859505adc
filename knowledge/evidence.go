package knowledge

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/herald-bot/herald/knowledge/evidence"
	"github.com/herald-bot/herald/knowledge/internal/sqlbatch"
	"github.com/herald-bot/herald/knowledge/text"
)

// evidenceSources returns the numbered sources a model is shown for a
// prepared question: passages of the retrieved articles, never a site's
// notices, packed into the budget (ContextTokens) by how well they match
// the question and how well their article does (see evidence.Pack).
// Sources are numbered one per article, in rank order; an article none of
// whose passages fits is left out.
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
		retrieved []int // seqs
		hits      []Passage
	}
	var order []*article
	byID := map[int64]*article{}
	for _, h := range p.hits {
		a := byID[h.Article.ID]
		if a == nil {
			a = &article{a: h.Article}
			byID[h.Article.ID] = a
			order = append(order, a)
		}
		a.best = math.Max(a.best, h.Score)
		a.retrieved = append(a.retrieved, h.Passage.Seq)
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
	arts := make([]evidence.Article, len(order))
	kept := make([][]Passage, len(order))
	for rank, a := range order {
		passages := stored[a.a.ID]
		if len(passages) == 0 {
			passages = a.hits // removed meanwhile: what was retrieved
		}
		arts[rank] = evidence.Article{Best: a.best, Retrieved: a.retrieved}
		for _, ps := range passages {
			// Never a site's notices, as in the hits' passages.
			if ps.Text = readable(ps.Text, &a.a, boiler); strings.TrimSpace(ps.Text) == "" {
				continue
			}
			kept[rank] = append(kept[rank], ps)
			arts[rank].Passages = append(arts[rank].Passages, evidence.Passage{Seq: ps.Seq, Text: ps.Text})
		}
	}
	var out []*source
	for rank, chosen := range evidence.Pack(arts, rel, budget) {
		if len(chosen) == 0 {
			continue
		}
		s := &source{n: len(out) + 1, article: order[rank].a}
		for _, c := range chosen {
			ps := kept[rank][c.Index]
			ps.Text = c.Text
			s.passages = append(s.passages, ps)
		}
		s.render()
		out = append(out, s)
	}
	return out, nil
}

// passageMatcher returns a function giving the share of the question's
// term weight (its terms' inverse document frequencies in the index) that
// a text holds (see evidence.Matcher).
func (an *Answerer) passageMatcher(ctx context.Context, p *prepared) (func(string) float64, error) {
	ana := text.AnalyzerFor(p.lang)
	weights, _, err := an.DB.termWeights(ctx, p.lang, ana.Query(p.rest))
	if err != nil {
		return nil, err
	}
	return evidence.Matcher(ana, weights), nil
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
