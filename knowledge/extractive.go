package knowledge

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/herald-bot/herald/knowledge/extract"
	"github.com/herald-bot/herald/knowledge/text"
)

// AbstainText is what Herald says in English when its articles do not
// answer a question (AbstainTextIn says it in the asker's language).
const AbstainText = "I can't find that in the articles I have."

// Extraction holds the extractive answerer's parameters (see
// extract.Params).
type Extraction = extract.Params

// DefaultExtraction returns the parameters tuned with `herald eval`.
func DefaultExtraction() Extraction { return extract.DefaultParams() }

// termWeights returns the inverse document frequency of each of the
// question's terms (its analyzer's stems) in the index of the question's
// language lang, keyed by stem; terms absent from it get the weight of a
// term seen once. common holds the terms found in at least one passage in
// commonShare of that index: so frequent there that a name among them
// tells little (see extract.Question.Common).
func (db *DB) termWeights(ctx context.Context, lang string, terms []text.QueryTerm) (weights map[string]float64, common map[string]bool, err error) {
	all, err := db.readIndexStats(ctx)
	if err != nil {
		return nil, nil, err
	}
	stems := make([]string, len(terms))
	for i, t := range terms {
		stems[i] = t.Term
	}
	st, err := db.loadStats(ctx, all, text.AnalyzerFor(lang).Language(), stems)
	if err != nil {
		return nil, nil, err
	}
	weights = make(map[string]float64, len(terms))
	common = map[string]bool{}
	for _, t := range terms {
		df := st.df[t.Term]
		if df > 0 && float64(df)*commonShare >= float64(st.passages) {
			common[t.Term] = true
		}
		if df == 0 {
			st.df[t.Term] = 1
		}
		weights[t.Term] = st.idf(t.Term)
	}
	return weights, common, nil
}

// commonShare is one over the share of an index's passages a term must be
// found in to be common in it: one passage in twenty.
const commonShare = 20

// extractiveAnswer answers the question (without its relative time
// words) from the hits with the extractive answerer (see extract.Answer),
// reading the evidence documents docs of the articles arts (one each, in
// the same order). It cites an article under one number however many of
// its sentences it quotes, and a sentence found in several outlets' copies
// once, citing each.
func extractiveAnswer(question, lang string, hits []Hit, arts []Article, docs []extract.Document, win *extract.Window, weights map[string]float64, common map[string]bool, x Extraction) *Answer {
	ans := &Answer{Question: question, Mode: ModeExtractive, Language: lang, Hits: hits}
	passages := make([]extract.Passage, len(hits))
	for i, h := range hits {
		passages[i] = extract.Passage{Article: h.Article.ID, Title: h.Article.Title, Text: h.Passage.Text}
	}
	res := extract.Answer(extract.Question{Text: question, Language: lang, Window: win, Weights: weights, Common: common}, passages, docs, x)
	if res.Abstained {
		ans.Abstained = true
		ans.Text = AbstainTextIn(lang)
		return ans
	}
	numbers := map[int64]int{}
	cite := func(s extract.Sentence) int {
		a := arts[s.Doc]
		n, ok := numbers[a.ID]
		if !ok {
			n = len(ans.Citations) + 1
			numbers[a.ID] = n
			ans.Citations = append(ans.Citations, citationFor(n, a, s.Text, true))
		}
		c := &ans.Citations[n-1]
		for _, q := range c.Quotes {
			if q == s.Text {
				return n
			}
		}
		c.Quotes = append(c.Quotes, s.Text)
		return n
	}
	var out strings.Builder
	if res.Short != "" {
		out.WriteString(res.Short)
		out.WriteString(" — ")
	}
	for i, s := range res.Sentences {
		if i > 0 {
			out.WriteByte(' ')
		}
		out.WriteString(s.Text)
		out.WriteByte(' ')
		// The same sentence in other outlets' copies is cited with it.
		marks := []int{cite(s.Sentence)}
		for _, o := range s.Copies {
			n := cite(o)
			if !slices.Contains(marks, n) && len(marks) < 3 {
				marks = append(marks, n)
			}
		}
		sort.Ints(marks)
		for _, n := range marks {
			out.WriteString("[" + strconv.Itoa(n) + "]")
		}
	}
	ans.Text = out.String()
	return ans
}

// evidenceDocs gathers the top x.Articles articles of hits as the
// extractive answerer reads them, with the articles; the first x.Whole of
// them are read whole, so a sentence that answers need not be in a
// retrieved passage, with their boilerplate blanked out as in the hits'
// passages, the others by their retrieved passages.
func (an *Answerer) evidenceDocs(ctx context.Context, hits []Hit, x Extraction) ([]Article, []extract.Document, error) {
	var arts []Article
	var docs []extract.Document
	byID := map[int64]int{}
	for _, h := range hits {
		k, ok := byID[h.Article.ID]
		if !ok {
			if len(docs) == x.Articles {
				continue
			}
			k = len(docs)
			byID[h.Article.ID] = k
			arts = append(arts, h.Article)
			docs = append(docs, extract.Document{ID: h.Article.ID})
		}
		docs[k].Spans = append(docs[k].Spans, text.Span{Start: h.Passage.Start, End: h.Passage.End})
	}
	boiler, err := an.DB.boilerplate(ctx)
	if err != nil {
		return nil, nil, err
	}
	for k := range docs {
		d := &docs[k]
		a := &arts[k]
		full, err := an.DB.articleText(ctx, a.ID)
		if err != nil {
			return nil, nil, err
		}
		// Never a site's notices (the passages of hits are blanked too).
		full = readable(full, a, boiler)
		d.Title, d.Outlet, d.Published, d.Full = a.Title, a.Source, a.PublishedAt, full
		if k < x.Whole && full != "" {
			d.Text, d.Spans = full, []text.Span{{Start: 0, End: len(full)}}
			continue
		}
		// The passages, in the article's order, as slices of one text.
		sort.Slice(d.Spans, func(i, j int) bool { return d.Spans[i].Start < d.Spans[j].Start })
		var b strings.Builder
		for i, sp := range d.Spans {
			p := hitText(hits, a.ID, sp)
			d.Spans[i] = text.Span{Start: b.Len(), End: b.Len() + len(p)}
			b.WriteString(p)
			b.WriteString("\n\n")
		}
		d.Text = b.String()
	}
	return arts, docs, nil
}

// hitText returns the text of the passage of hits of the article id that
// starts where sp does, or "".
func hitText(hits []Hit, id int64, sp text.Span) string {
	for _, h := range hits {
		if h.Article.ID == id && h.Passage.Start == sp.Start {
			return h.Passage.Text
		}
	}
	return ""
}

// citationFor returns the citation numbered n of the article a, quoting
// quote (none when it is "").
func citationFor(n int, a Article, quote string, verified bool) Citation {
	c := Citation{N: n, ArticleID: a.ID, ExternalID: a.ExternalID, Title: a.Title, Source: a.Source, URL: a.URL,
		PublishedAt: a.PublishedAt, Quote: quote, Verified: verified}
	if quote != "" {
		c.Quotes = []string{quote}
	}
	return c
}
