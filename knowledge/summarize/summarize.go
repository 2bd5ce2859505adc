// Package summarize is Herald's extractive summariser: it chooses the
// most central sentences of one or more texts (TextRank over the words
// they share, a bonus for a news article's first sentences, the words of
// a topic when there is one), and it finds the lead of a story, the first
// sentence of its best report that says something.
//
// It is pure text work on its arguments: no I/O, no clock, no package
// state. It knows nothing of the store: the caller reads the articles'
// texts with their boilerplate left out, decides the language, and turns
// the chosen sentences into its own answer with citations, in the asker's
// language.
package summarize

import (
	"math"
	"sort"
	"strings"
	"unicode"

	"github.com/herald-bot/herald/knowledge/text"
)

// DefaultSentences is how many sentences a summary holds when the caller
// sets no bound.
const DefaultSentences = 4

// Source is one text to summarise: an article's headline and its text as
// readers see it.
type Source struct {
	Title string
	Text  string
}

// Sentence is a sentence of a summary: the index of its Source and its
// bytes in that source's Text.
type Sentence struct {
	Source int
	Span   text.Span
}

// candidate is one candidate sentence of a summary.
type candidate struct {
	src        int // index into the sources
	pos        int // index among the source's sentences
	start, end int // byte offsets in the source's text
	stems      map[string]bool
	score      float64
	quoted     bool // mostly a direct quotation
}

// Sentences chooses the sentences of an extractive summary of srcs,
// written in lang (an ISO 639-1 code; its analyzer's stems and stop
// words are used): the most central sentences, a text's lead (see Lead)
// and reports before quotations, none cut out of a longer
// quotation, at most maxSentences (default
// DefaultSentences; fewer for a short single text), at most two of each
// source when there are several, none repeating most of the words of
// another, in the order of the texts (by source, then by position). For a
// topic (non-empty), sentences must carry some of the topic's words; no
// sentence does means an empty result, and the caller abstains.
func Sentences(srcs []Source, lang, topic string, maxSentences int) []Sentence {
	if maxSentences <= 0 {
		maxSentences = DefaultSentences
	}
	var cands []*candidate
	var toks []string
	an := text.AnalyzerFor(lang)
	for si, src := range srcs {
		pos := 0
		for _, sp := range text.Sentences(src.Text) {
			sent := src.Text[sp.Start:sp.End]
			toks = text.AppendTokens(toks[:0], sent)
			if len(toks) < 5 || len(toks) > 80 || !text.IsProse(sent) || unbalancedQuote(sent) {
				continue // datelines, captions, credit lines, run-ons, a quotation cut off
			}
			st := map[string]bool{}
			for _, t := range toks {
				if !an.IsStopword(t) {
					st[an.Stem(t)] = true
				}
			}
			if len(st) < 3 {
				continue
			}
			cands = append(cands, &candidate{src: si, pos: pos, start: sp.Start, end: sp.End, stems: st, quoted: quotedShare(sent) >= 0.5})
			pos++
			if pos >= 150 {
				break
			}
		}
	}
	var topicStems map[string]bool
	if topic != "" {
		topicStems = map[string]bool{}
		for _, t := range an.QueryTerms(topic) {
			topicStems[t] = true
		}
	}
	centrality(cands)
	leads := make([]string, len(srcs))
	for i, src := range srcs {
		leads[i] = Lead(src.Text, src.Title)
	}
	var pool []*candidate
	for _, c := range cands {
		if l := leads[c.src]; l != "" && strings.HasSuffix(srcs[c.src].Text[c.start:c.end], l) {
			// The lead is written to tell what happened.
			c.score *= leadWeight
		}
		// News puts the gist first: a lead bonus that fades over the
		// first sentences.
		c.score *= 1 + 0.5/float64(1+c.pos)
		if c.quoted {
			// A summary tells what happened; a quotation out of its
			// context says less.
			c.score *= quotedWeight
		}
		if topicStems != nil {
			hit := 0
			for t := range topicStems {
				if c.stems[t] {
					hit++
				}
			}
			if hit == 0 {
				continue
			}
			c.score *= 1 + float64(hit)/float64(len(topicStems))
		}
		pool = append(pool, c)
	}
	if len(pool) == 0 {
		return nil
	}
	sort.SliceStable(pool, func(i, j int) bool { return pool[i].score > pool[j].score })
	n := maxSentences
	if len(srcs) == 1 {
		// Short articles get short summaries.
		n = min(maxSentences, max(2, (len(cands)+3)/4))
	}
	perSource := map[int]int{}
	var chosen []*candidate
	for _, c := range pool {
		if len(chosen) == n {
			break
		}
		if len(srcs) > 1 && perSource[c.src] >= 2 {
			continue
		}
		redundant := false
		for _, o := range chosen {
			if Overlap(c.stems, o.stems) > 0.6 {
				redundant = true
				break
			}
		}
		if redundant {
			continue
		}
		chosen = append(chosen, c)
		perSource[c.src]++
	}
	sort.SliceStable(chosen, func(i, j int) bool {
		if chosen[i].src != chosen[j].src {
			return chosen[i].src < chosen[j].src
		}
		return chosen[i].start < chosen[j].start
	})
	out := make([]Sentence, len(chosen))
	for i, c := range chosen {
		out[i] = Sentence{Source: c.src, Span: text.Span{Start: c.start, End: c.end}}
	}
	return out
}

// leadWeight scales the score of a text's lead (see Lead): a news
// article's lead is its summary, a feature's opening line need not be.
const leadWeight = 2

// quotedWeight scales the score of a sentence that is mostly a direct
// quotation.
const quotedWeight = 0.5

// quotedShare returns the share of the letters of s that stand inside
// quotation marks: straight or curly double quotes, German „…“ and »…«.
func quotedShare(s string) float64 {
	german := strings.ContainsRune(s, '„')
	in, inside, all := false, 0, 0
	for _, r := range s {
		switch {
		case r == '"':
			in = !in
		case r == '„', r == '»', r == '“' && !german:
			in = true
		case r == '”', r == '«', r == '“' && german:
			in = false
		case unicode.IsLetter(r):
			all++
			if in {
				inside++
			}
		}
	}
	if all == 0 {
		return 0
	}
	return float64(inside) / float64(all)
}

// unbalancedQuote reports whether s opens a quotation it does not close
// (or closes one it did not open): a sentence cut out of a longer
// quotation ("But Nye says: “When things are happy, we watch comedies.").
func unbalancedQuote(s string) bool {
	if strings.Count(s, `"`)%2 != 0 {
		return true
	}
	if strings.ContainsRune(s, '„') {
		return strings.Count(s, "„") != strings.Count(s, "“")
	}
	return strings.Count(s, "“") != strings.Count(s, "”")
}

// centrality scores each sentence by TextRank over word-overlap
// similarity: a sentence that shares words with many sentences that are
// themselves central is central.
func centrality(cands []*candidate) {
	n := len(cands)
	if n == 0 {
		return
	}
	sim := make([][]float64, n)
	sum := make([]float64, n)
	for i := range sim {
		sim[i] = make([]float64, n)
	}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			shared := 0
			a, b := cands[i].stems, cands[j].stems
			if len(a) > len(b) {
				a, b = b, a
			}
			for t := range a {
				if b[t] {
					shared++
				}
			}
			if shared == 0 {
				continue
			}
			v := float64(shared) / (math.Log(float64(len(cands[i].stems))+1) + math.Log(float64(len(cands[j].stems))+1))
			sim[i][j], sim[j][i] = v, v
			sum[i] += v
			sum[j] += v
		}
	}
	const d = 0.85
	score := make([]float64, n)
	next := make([]float64, n)
	for i := range score {
		score[i] = 1
	}
	for iter := 0; iter < 30; iter++ {
		for i := 0; i < n; i++ {
			v := 0.0
			for j := 0; j < n; j++ {
				if sim[j][i] > 0 && sum[j] > 0 {
					v += sim[j][i] / sum[j] * score[j]
				}
			}
			next[i] = (1 - d) + d*v
		}
		score, next = next, score
	}
	for i, c := range cands {
		c.score = score[i]
	}
}

// Overlap is the share of the smaller set's words found in the other (0
// when either is empty).
func Overlap(a, b map[string]bool) float64 {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(a) == 0 {
		return 0
	}
	n := 0
	for t := range a {
		if b[t] {
			n++
		}
	}
	return float64(n) / float64(len(a))
}
