// Package evidence chooses what of the retrieved articles a language model
// is shown: their passages packed into a token budget by how well they
// match the question and how well their article does, the passages other
// than a lead trimmed to the sentences that bear on the question.
//
// It is pure work on its arguments: the caller reads the articles'
// passages from the store, leaves out what must never be shown (a site's
// notices), weighs the question's terms, and numbers the sources.
package evidence

import (
	"math"
	"sort"
	"strings"

	"github.com/herald-bot/herald/knowledge/text"
)

// Article is one retrieved article, as the packer weighs it.
type Article struct {
	// Best is the retrieval score of its best passage (higher is better).
	Best float64
	// Retrieved holds the sequence numbers of the passages retrieval found.
	Retrieved []int
	// Passages are the passages to choose from, in the article's order.
	Passages []Passage
}

// Passage is one passage of an article: its sequence number in the
// article (0 for the lead) and its text.
type Passage struct {
	Seq  int
	Text string
}

// Chosen is a passage Pack chose: its index in its Article's Passages and
// the text to show of it.
type Chosen struct {
	Index int
	Text  string
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

// Pack chooses, for each of the articles arts (in retrieval order, best
// first), the passages a model is shown within budget tokens (see Cost):
// by how well they match the question (rel, see Matcher) and how well
// their article does, not by the order of retrieval. The passages
// retrieval found count extra, and so do an article's lead (a news
// article's first passage says what it is about) and the neighbours of
// what was found, so that a weak article's second passage never takes the
// place of the best article's lead. Of a passage other than a lead, only
// the sentences holding a term of the question and their neighbours are
// shown (see TrimToMatches). The first passage chosen is chosen whatever
// it costs. The result holds each article's chosen passages, in the order
// they were chosen (best first); an article none of whose passages fits
// has none.
func Pack(arts []Article, rel func(string) float64, budget int) [][]Chosen {
	out := make([][]Chosen, len(arts))
	if len(arts) == 0 {
		return out
	}
	type option struct {
		art      int
		passage  Chosen
		priority float64
	}
	var opts []option
	top := arts[0].Best
	for rank, a := range arts {
		retrieved := make(map[int]bool, len(a.Retrieved))
		for _, seq := range a.Retrieved {
			retrieved[seq] = true
		}
		weight := 1 - fillRankDecay*float64(rank)
		if top > 0 {
			weight = math.Min(weight, a.Best/top)
		}
		weight = math.Max(weight, 0.1)
		for i, ps := range a.Passages {
			pr := rel(ps.Text)
			if retrieved[ps.Seq] {
				pr += retrievedBonus
			} else if retrieved[ps.Seq-1] || retrieved[ps.Seq+1] {
				pr += neighbourBonus
			}
			if ps.Seq == 0 {
				pr += leadBonus
			}
			shown := ps.Text
			if ps.Seq != 0 {
				// A lead is read whole; of the other passages, what
				// bears on the question.
				shown = TrimToMatches(shown, rel)
			}
			opts = append(opts, option{rank, Chosen{Index: i, Text: shown}, pr * weight})
		}
	}
	sort.SliceStable(opts, func(i, j int) bool { return opts[i].priority > opts[j].priority })
	left := budget
	for i, o := range opts {
		cost := Cost(o.passage.Text)
		if cost > left && i > 0 {
			continue
		}
		left -= cost
		out[o.art] = append(out[o.art], o.passage)
	}
	return out
}

// Cost is what a passage of text s costs of a model's budget: its tokens
// and those of the framing around it.
func Cost(s string) int { return text.EstimateTokens(s) + 30 }

// Matcher returns a function giving the share of the question's term
// weight (weights, keyed by the analyzer an's index terms: their inverse
// document frequencies) that a text holds, each term once, compared as the
// index analyses both; 0 when the terms weigh nothing.
func Matcher(an *text.Analyzer, weights map[string]float64) func(string) float64 {
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
		toks, _ = cache.AppendIndexTokens(an, toks[:0], s)
		for _, t := range toks {
			if w, ok := weights[t]; ok && !seen[t] {
				seen[t] = true
				sum += w
			}
		}
		return sum / total
	}
}

// TrimToMatches keeps of a passage s the sentences that hold a term of the
// question (rel above 0) and their neighbours, the rest given as an
// ellipsis, so that the budget holds more of what bears on the question;
// a passage none of whose sentences match, or of fewer than three
// sentences, is kept whole.
func TrimToMatches(s string, rel func(string) float64) string {
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
