package knowledge

import (
	"context"
	"sort"
	"strings"

	"github.com/herald-bot/herald/knowledge/text"
)

// AbstainText is what Herald says when its articles do not answer a question.
const AbstainText = "I can't find that in the articles I have."

// Extractive answering parameters, tuned with `herald eval`.
const (
	extractiveArticles  = 3    // articles whose passages are read for sentences
	extractiveSentences = 3    // most sentences in an answer
	extractiveKeep      = 0.6  // a further sentence must score this share of the best
	extractiveCoverage  = 0.5  // abstain below this share of the key terms' weight in the evidence
	rankDecay           = 0.15 // each lower-ranked article's sentences count this much less
)

// TermWeights returns the inverse document frequency of each term in the
// store (terms absent from it get the weight of a term seen once).
func (db *DB) TermWeights(ctx context.Context, terms []string) (map[string]float64, error) {
	st, err := db.loadStats(ctx, terms)
	if err != nil {
		return nil, err
	}
	w := make(map[string]float64, len(terms))
	for _, t := range terms {
		if st.df[t] == 0 {
			st.df[t] = 1
		}
		w[t] = st.idf(t)
	}
	return w, nil
}

// scoredSentence is one sentence of the evidence.
type scoredSentence struct {
	hit        int // index into hits
	articleN   int // rank of its article among the evidence, from 0
	start, end int // byte offsets in the passage text
	score      float64
}

// extractiveAnswer picks the sentences of the evidence that best answer the
// question, or abstains when the evidence lacks the question's key terms.
func extractiveAnswer(question string, hits []Hit, weights map[string]float64) *Answer {
	ans := &Answer{Question: question, Mode: ModeExtractive, Hits: hits}
	if len(hits) == 0 {
		ans.Abstained = true
		ans.Text = AbstainText
		return ans
	}
	qstems := map[string]float64{}
	for t, w := range weights {
		s := text.Stem(t)
		if w > qstems[s] {
			qstems[s] = w
		}
	}
	if !coversKeyTerms(question, hits, qstems) {
		ans.Abstained = true
		ans.Text = AbstainText
		return ans
	}

	articleRank := map[int64]int{}
	var sents []scoredSentence
	var toks []string
	for i, h := range hits {
		rank, ok := articleRank[h.Article.ID]
		if !ok {
			rank = len(articleRank)
			articleRank[h.Article.ID] = rank
		}
		if rank >= extractiveArticles {
			continue
		}
		for _, sp := range text.Sentences(h.Passage.Text) {
			s := h.Passage.Text[sp.Start:sp.End]
			toks = text.AppendTokens(toks[:0], s)
			if len(toks) < 4 {
				continue // fragments and datelines say too little on their own
			}
			seen := map[string]bool{}
			score := 0.0
			for _, tok := range toks {
				st := text.Stem(tok)
				if w, ok := qstems[st]; ok && !seen[st] {
					seen[st] = true
					score += w
				}
			}
			if score == 0 {
				continue
			}
			if len(toks) > 60 {
				score *= 60 / float64(len(toks))
			}
			score *= 1 - rankDecay*float64(rank)
			sents = append(sents, scoredSentence{hit: i, articleN: rank, start: sp.Start, end: sp.End, score: score})
		}
	}
	if len(sents) == 0 {
		ans.Abstained = true
		ans.Text = AbstainText
		return ans
	}
	sort.SliceStable(sents, func(i, j int) bool { return sents[i].score > sents[j].score })
	best := sents[0].score
	chosen := sents[:1]
	for _, s := range sents[1:] {
		if len(chosen) == extractiveSentences || s.score < extractiveKeep*best {
			break
		}
		chosen = append(chosen, s)
	}
	// Read in article order, then in the order of the text.
	sort.SliceStable(chosen, func(i, j int) bool {
		a, b := chosen[i], chosen[j]
		if a.articleN != b.articleN {
			return a.articleN < b.articleN
		}
		pa, pb := hits[a.hit].Passage, hits[b.hit].Passage
		if pa.Start+a.start != pb.Start+b.start {
			return pa.Start+a.start < pb.Start+b.start
		}
		return false
	})

	var out strings.Builder
	for _, s := range chosen {
		h := hits[s.hit]
		quote := h.Passage.Text[s.start:s.end]
		n := len(ans.Citations) + 1
		ans.Citations = append(ans.Citations, citationFor(n, h.Article, quote, true))
		if out.Len() > 0 {
			out.WriteByte(' ')
		}
		out.WriteString(quote)
		out.WriteString(" [")
		out.WriteString(itoa(n))
		out.WriteString("]")
	}
	ans.Text = out.String()
	return ans
}

// coversKeyTerms reports whether the best evidence holds enough of the
// question's key terms (names, numbers, specific words), weighted by how
// rare they are. It reads the top article's headline and passages.
func coversKeyTerms(question string, hits []Hit, qstems map[string]float64) bool {
	keys := text.KeyTerms(question)
	if len(keys) == 0 {
		return true
	}
	top := hits[0].Article.ID
	present := map[string]bool{}
	var toks []string
	add := func(s string) {
		toks = text.AppendTokens(toks[:0], s)
		for _, t := range toks {
			present[text.Stem(t)] = true
		}
	}
	add(hits[0].Article.Title)
	for _, h := range hits {
		if h.Article.ID == top {
			add(h.Passage.Text)
		}
	}
	var total, have float64
	for _, k := range keys {
		st := text.Stem(k)
		w := qstems[st]
		if w == 0 {
			w = 1
		}
		total += w
		if present[st] {
			have += w
		}
	}
	return have >= extractiveCoverage*total
}

func citationFor(n int, a Article, quote string, verified bool) Citation {
	return Citation{N: n, ArticleID: a.ID, ExternalID: a.ExternalID, Title: a.Title, Source: a.Source, URL: a.URL,
		PublishedAt: a.PublishedAt, Quote: quote, Verified: verified}
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}
