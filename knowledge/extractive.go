package knowledge

import (
	"context"
	"sort"
	"strings"

	"github.com/herald-bot/herald/knowledge/text"
)

// AbstainText is what Herald says when its articles do not answer a question.
const AbstainText = "I can't find that in the articles I have."

// Extraction holds the extractive answerer's parameters.
type Extraction struct {
	Articles  int     // articles whose passages are read for sentences
	Sentences int     // most sentences in an answer
	Keep      float64 // a further sentence must score this share of the best
	Coverage  float64 // abstain below this share of the key terms' weight in the evidence
	RankDecay float64 // each lower-ranked article's sentences count this much less
}

// DefaultExtraction returns the parameters tuned with `herald eval`.
func DefaultExtraction() Extraction {
	return Extraction{Articles: 3, Sentences: 3, Keep: 0.4, Coverage: 0.5, RankDecay: 0.15}
}

// termWeights returns the inverse document frequency of each of a
// question's words (as text.QueryTerms gives them) in the index of the
// question's language, the language its question is matched in (fallback
// is the asker's, for questions too short to tell). Words absent from it
// get the weight of a term seen once.
func (db *DB) termWeights(ctx context.Context, question, fallback string, words []string) (map[string]float64, error) {
	all, err := db.readIndexStats(ctx)
	if err != nil {
		return nil, err
	}
	an := text.AnalyzerFor(questionLanguage(question, fallback))
	cache := db.stemCache()
	stems := make([]string, len(words))
	for i, w := range words {
		stems[i] = cache.Stem(an, w)
	}
	db.releaseStemCache(cache)
	st, err := db.loadStats(ctx, all, an.Language(), stems)
	if err != nil {
		return nil, err
	}
	w := make(map[string]float64, len(words))
	for i, t := range words {
		if st.df[stems[i]] == 0 {
			st.df[stems[i]] = 1
		}
		w[t] = st.idf(stems[i])
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
func extractiveAnswer(question string, hits []Hit, weights map[string]float64, x Extraction) *Answer {
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
	if !coversKeyTerms(question, hits, x.Coverage) {
		ans.Abstained = true
		ans.Text = AbstainText
		return ans
	}

	cue := answerCue(question)
	cueWeight := 0.0
	for _, w := range qstems {
		cueWeight += w
	}
	if len(qstems) > 0 {
		cueWeight = 0.5 * cueWeight / float64(len(qstems))
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
		if rank >= x.Articles {
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
			if cue != nil && cue(toks) {
				score += cueWeight
			}
			if len(toks) > 60 {
				score *= 60 / float64(len(toks))
			}
			score *= 1 - x.RankDecay*float64(rank)
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
		if len(chosen) == x.Sentences || s.score < x.Keep*best {
			break
		}
		chosen = append(chosen, s)
	}
	// The best sentence comes first: it is the answer; the others support
	// it.
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

// coversKeyTerms reports whether the best evidence answers to the
// question's key terms (names, numbers, specific words): every name must
// occur in the top article's headline or evidence passages, and at least a
// share coverage of all key terms. Terms are compared by stem.
func coversKeyTerms(question string, hits []Hit, coverage float64) bool {
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
	// Names may be anywhere in the evidence articles' passages.
	names := map[string]bool{}
	for _, h := range hits {
		toks = text.AppendTokens(toks[:0], h.Article.Title+" "+h.Passage.Text)
		for _, t := range toks {
			names[text.Stem(t)] = true
		}
	}
	for _, n := range text.Names(question) {
		if !names[text.Stem(n)] {
			return false
		}
	}
	have := 0
	for _, k := range keys {
		if present[text.Stem(k)] {
			have++
		}
	}
	return float64(have) >= coverage*float64(len(keys))
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

// reasonCues are words that state a cause or a reason.
var reasonCues = map[string]bool{"because": true, "due": true, "since": true, "reason": true, "reasons": true,
	"concern": true, "concerns": true, "blamed": true, "attributed": true, "attributing": true, "amid": true,
	"result": true, "caused": true, "fear": true, "fears": true, "citing": true, "cited": true, "so": true}

// answerCue returns a test for sentences shaped like an answer to the
// question's type (a reason for "why", a number for "how many", a date for
// "when"), or nil when the question has no recognisable type.
func answerCue(question string) func(toks []string) bool {
	q := text.Tokens(question)
	has := func(words ...string) bool {
		for _, t := range q {
			for _, w := range words {
				if t == w {
					return true
				}
			}
		}
		return false
	}
	switch {
	case has("why", "cause", "caused", "causes", "reason", "reasons"):
		return func(toks []string) bool {
			for _, t := range toks {
				if reasonCues[t] {
					return true
				}
			}
			return false
		}
	case has("many", "much", "far", "percent", "percentage", "number", "long", "old", "big", "large"):
		return hasDigitToken
	case has("when", "year", "date", "day", "month"):
		return func(toks []string) bool {
			for _, t := range toks {
				if months[t] || weekdays[t] || (len(t) == 4 && (strings.HasPrefix(t, "19") || strings.HasPrefix(t, "20"))) {
					return true
				}
			}
			return false
		}
	}
	return nil
}

func hasDigitToken(toks []string) bool {
	for _, t := range toks {
		if t != "" && t[0] >= '0' && t[0] <= '9' {
			return true
		}
	}
	return false
}

var months = map[string]bool{"january": true, "february": true, "march": true, "april": true, "may": true, "june": true,
	"july": true, "august": true, "september": true, "october": true, "november": true, "december": true,
	"jan": true, "feb": true, "mar": true, "apr": true, "jun": true, "jul": true, "aug": true, "sep": true, "sept": true, "oct": true, "nov": true, "dec": true}

var weekdays = map[string]bool{"monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true, "saturday": true, "sunday": true,
	"today": true, "yesterday": true, "tomorrow": true}
