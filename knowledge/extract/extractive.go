package extract

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/herald-bot/herald/knowledge/text"
)

// Params holds the extractive answerer's parameters. Articles and Whole
// say how the caller gathers the Documents; Answer reads the others.
type Params struct {
	Articles  int     // articles whose passages are read for sentences
	Whole     int     // of those, how many are read whole, not only their passages
	Sentences int     // most sentences in an answer (a reason may take one more)
	Keep      float64 // a further sentence must score this share of the best
	Coverage  float64 // abstain below this share of the key terms' weight in the evidence
	RankDecay float64 // each lower-ranked article's sentences count this much less
	// Candidate is how much a sentence holding what the question asks for
	// (a name, a number, a date...) counts above one that does not.
	Candidate float64
	// Novelty is how much less a sentence counts for each share of its
	// content words that only repeat the question's.
	Novelty float64
	// Relevance is the least share of the best sentence's match with the
	// question that a sentence holding a candidate must have to answer.
	Relevance float64
}

// DefaultParams returns the parameters tuned with `herald eval`.
func DefaultParams() Params {
	return Params{Articles: 3, Whole: 2, Sentences: 2, Keep: 0.5, Coverage: 0.5, RankDecay: 0.15, Candidate: 1.5, Relevance: 0.3, Novelty: 0.5}
}

// evSentence is one sentence of the evidence.
type evSentence struct {
	doc     int // index into the evidence documents
	rank    int // rank of its article among the evidence, from 0
	text    string
	span    text.Span // its bytes in its document's Text
	key     string    // the sentence folded, for finding copies in other articles
	rel     float64
	score   float64
	cands   []answerCandidate
	best    float64 // the best candidate's fit times its support
	bestKey string
	echo    bool
	ctx     float64  // rel, or a share of a close neighbour's when more
	overlap float64  // share of its content words the question holds
	stems   []string // the stems of its words
	about   bool     // it may answer (see markAbout)
	asks    bool     // it is a question itself
	// content reports that the sentence holds one of the question's key
	// words that are not names: it speaks of what is asked, not only of
	// whom or where.
	content bool
	// focused reports that the sentence names the role the question asks
	// for ("Schlichter" in "Auf welchen Schlichter…"), or that the
	// question names none.
	focused bool
}

// extractor answers one question from its evidence.
type extractor struct {
	x       Params
	an      *text.Analyzer
	cache   text.StemCache
	weights map[string]float64 // by stem
	total   float64
	facts   *questionFacts
	// strength is each candidate's evidence: the relevance of the
	// sentences holding it, summed over articles; bestKey the winner's.
	strength map[string]float64
	bestKey  string
	framing  map[string]bool // stems that only frame the question
	docs     []Document
	window   *Window         // the question's time window, if it has one
	outlets  map[string]bool // the evidence articles' outlets, lowercase
	// source holds the stems of the source a question attributes its
	// answer to ("according to the defence minister").
	source   map[string]bool
	question string
	asked    askedFor
	// terms are the weighted terms in a fixed order; contentTerms the
	// key terms that are not names.
	terms        []string
	contentTerms map[string]bool
	// compounds says the language writes compounds as one word (German),
	// so a word may match a question term in part.
	compounds bool
	// strict applies the language's stricter lead rule (lexicon.strictLead).
	strict bool
	// role is the stem of the noun a "which" question asks a person, an
	// organisation or a place by, when it is specific ("sturmer", not
	// "person"), for the stricter rule.
	role string
	// names are the question's name terms; namedDocs says, per evidence
	// document, whether it holds all of them (computed when asked).
	names     []text.QueryTerm
	namedDocs map[int]bool
	// keyWeights are the weights the key terms' coverage is measured
	// with: weights before a preamble's words are scaled down.
	keyWeights map[string]float64
	// common holds the terms common in the store (Question.Common).
	common map[string]bool
}

// Answer picks the sentences of the evidence docs that answer the
// question q: it works out what the question asks for (a person, a place,
// a number, a date, a reason...), finds such candidates in the evidence
// that the question does not already hold, counts a candidate found in
// several articles as stronger, and leads with the sentence holding the
// best one, saying it first in a few words when it clearly wins. It never
// answers with a sentence that restates the question, and tells for each
// sentence it quotes the copies of it in other documents. It abstains when
// there are no passages, when the evidence lacks the question's key terms
// (passages are the retrieved ones, best first; docs the best articles
// among them, in that order), or what is asked for.
func Answer(q Question, passages []Passage, docs []Document, p Params) Result {
	if len(passages) == 0 {
		return Result{Abstained: true, Why: NoEvidence}
	}
	e := newExtractor(q.Text, q.Language, docs, q.Window, q.Weights, p)
	e.common = q.Common
	if !e.coversKeyTerms(q.Text, passages, docs) {
		return Result{Abstained: true, Why: KeyTermsMissing}
	}
	e.prepare(docs)
	sents := e.sentences(docs)
	e.score(sents)
	lead := e.lead(sents)
	if lead == nil {
		return Result{Abstained: true, Why: NoAnswer}
	}
	return e.compose(sents, lead)
}

// newExtractor reads what the question asks for and weighs its terms.
func newExtractor(question, lang string, docs []Document, win *Window, weights map[string]float64, x Params) *extractor {
	e := &extractor{x: x, an: text.AnalyzerFor(lang), weights: weights, docs: docs, window: win, question: question,
		compounds: lexiconFor(lang).nounCaps, strict: lexiconFor(lang).strictLead}
	e.asked = detectAskedFor(question, lang)
	e.dropFraming(question, e.asked, lang)
	e.keyWeights = e.weights
	if pre := preambleTerms(question, cuesFor(lang), e.an); len(pre) > 0 {
		w := make(map[string]float64, len(e.weights))
		for t, v := range e.weights {
			if pre[t] {
				v *= preambleWeight
			}
			w[t] = v
		}
		e.weights = w
	}
	for t, w := range e.weights {
		e.total += w
		e.terms = append(e.terms, t)
	}
	sort.Strings(e.terms)
	e.contentTerms = map[string]bool{}
	for _, t := range e.an.Query(question) {
		if t.Key && !t.Name && !e.framing[t.Term] {
			e.contentTerms[t.Term] = true
		}
		if t.Name {
			e.names = append(e.names, t)
		}
	}
	return e
}

// prepare reads the facts of the question that candidates need, and what
// the evidence's headlines say of names.
func (e *extractor) prepare(docs []Document) {
	lang := e.an.Language()
	e.facts = newQuestionFacts(e.question, e.asked, e.an, &e.cache)
	for _, d := range docs {
		if ws := scanPlainWords(d.Title); len(ws) > 1 && isCapWord(ws[0]) {
			e.facts.headSeen[ws[0].fold] = true
		}
	}
	e.facts.topics = e.topics(docs)
	if e.strict {
		e.role = roleNoun(e.asked, lexiconFor(lang), e.an, &e.cache)
		// The role noun is what is asked; the sentence must speak of what
		// the question says of it too, when it says something.
		if e.role != "" && len(e.contentTerms) > 1 {
			delete(e.contentTerms, e.role)
		}
	}
}

// topicRepeats is how often a best article's text must say a word of its
// headline for the word to be what the story is about.
const topicRepeats = 3

// topics returns the stems of what the best two articles are about: the
// words of their headlines, not the question's nor function words, that
// their texts repeat in lowercase.
func (e *extractor) topics(docs []Document) map[string]bool {
	out := map[string]bool{}
	for rank, d := range docs {
		if rank > 1 {
			continue
		}
		head := map[string]bool{}
		for _, w := range scanPlainWords(d.Title) {
			if len(w.fold) < 4 || e.an.IsFunctionWord(w.fold) || isDigitByte(w.fold[0]) {
				continue
			}
			if st := e.cache.Stem(e.an, w.fold); !e.facts.stems[st] && !e.facts.stems[w.fold] {
				head[st] = true
			}
		}
		if len(head) == 0 {
			continue
		}
		// Names are candidates of their own: a topic is a word the text
		// writes in lowercase.
		count := map[string]int{}
		for _, w := range scanPlainWords(d.Full) {
			if r, _ := utf8.DecodeRuneInString(w.orig); !unicode.IsLower(r) {
				continue
			}
			if st := e.cache.Stem(e.an, w.fold); head[st] {
				count[st]++
			}
		}
		for st, n := range count {
			if n >= topicRepeats {
				out[st] = true
			}
		}
	}
	return out
}

// dropFraming leaves out of the weights the words that only frame the
// question ("caused" when it asks a reason): they are not what it is
// about, and evidence rarely repeats them.
func (e *extractor) dropFraming(question string, asked askedFor, lang string) {
	cues := cuesFor(lang)
	e.framing = map[string]bool{}
	for _, t := range e.an.Query(question) {
		if cues.framing(asked.kind, t.Word) || asked.inCue(t.Word) {
			e.framing[t.Term] = true
		}
	}
	source := attributedTerms(question, cues, e.an, &e.cache)
	for t := range source.phrase {
		e.framing[t] = true
	}
	e.source = source.named
	if len(e.framing) == 0 && len(source.named) == 0 {
		return
	}
	w := make(map[string]float64, len(e.weights))
	for t, v := range e.weights {
		switch {
		case e.framing[t]:
		case source.named[t]:
			w[t] = attributedWeight * v
		default:
			w[t] = v
		}
	}
	e.weights = w
}

// attributedWeight scales the terms of the source a question attributes
// its answer to ("according to the defence minister"): the sentence that
// answers seldom names its source again, its neighbour does.
const attributedWeight = 0.5

// attribution is what a question's attribution phrase holds: the stems of
// its own words ("according", "laut") and of the source it names.
type attribution struct{ phrase, named map[string]bool }

// attributedTerms finds the attribution phrases of a question (the cues'
// attribution list) and the source each names, up to the end of its
// clause.
func attributedTerms(question string, cues *questionCues, an *text.Analyzer, cache *text.StemCache) attribution {
	a := attribution{phrase: map[string]bool{}, named: map[string]bool{}}
	if len(cues.attribution) == 0 {
		return a
	}
	ws := scanPlainWords(question)
	for i := 0; i < len(ws); i++ {
		for _, p := range cues.attribution {
			if !matchWords(ws[i:], p) {
				continue
			}
			for _, w := range ws[i : i+len(p)] {
				a.phrase[cache.Stem(an, w.fold)] = true
			}
			for j := i + len(p); j < len(ws); j++ {
				if j > i+len(p) && strings.ContainsAny(question[ws[j-1].end:ws[j].start], ",;:?!.") {
					break
				}
				if !an.IsStopword(ws[j].fold) {
					a.named[cache.Stem(an, ws[j].fold)] = true
				}
			}
			i += len(p) - 1
			break
		}
	}
	return a
}

// sentences splits the evidence into sentences and finds their
// candidates.
func (e *extractor) sentences(docs []Document) []*evSentence {
	var out []*evSentence
	var words [][]qword
	for i, d := range docs {
		for _, part := range d.Spans {
			body := d.Text[part.Start:part.End]
			for _, sp := range text.Sentences(body) {
				s := body[sp.Start:sp.End]
				ws := scanPlainWords(s)
				e.facts.noteCase(ws)
				if len(ws) < 4 || len(ws) > 120 {
					continue // fragments and datelines say too little; walls of text too much
				}
				out = append(out, &evSentence{doc: i, rank: i, text: s,
					span: text.Span{Start: part.Start + sp.Start, End: part.Start + sp.End}})
				words = append(words, ws)
			}
		}
	}
	for k, s := range out {
		ws := words[k]
		s.key = sentenceKey(ws)
		s.stems = make([]string, len(ws))
		for i, w := range ws {
			s.stems[i] = e.cache.Stem(e.an, w.fold)
		}
		s.rel, s.content = e.relevance(ws)
		s.focused = e.role == "" || e.namesRole(ws)
		s.ctx = s.rel
		s.asks = isQuestion(s.text)
		s.cands = e.dropCredits(s.text, findCandidates(s.text, ws, e.facts))
		// A sentence naming the question's source adds nothing by that,
		// but restates the question with it all the same.
		s.overlap = questionOverlap(ws, e.facts.stems, e.source, e.an, &e.cache)
		s.echo = questionOverlap(ws, e.facts.stems, nil, e.an, &e.cache) > 0.5 && e.restates(s.cands)
	}
	// A sentence next to one that matches the question well is about
	// what it asks too, if in other words: "Chancellor Scholz has refrained
	// from approving the deliveries" then "The missiles can reach 500
	// kilometers".
	for k, s := range out {
		for d := -2; d <= 2; d++ {
			if j := k + d; d != 0 && j >= 0 && j < len(out) && out[j].doc == s.doc {
				s.ctx = math.Max(s.ctx, contextShare*out[j].rel)
			}
		}
	}
	return out
}

// strongClause is the fit of a reason or a means that stands for its
// sentence even when only its neighbour names what the question asks
// about (under the stricter rule of lexicon.strictLead).
const strongClause = 0.7

// questionSentenceWeight scales a sentence of the evidence that is itself
// a question ("So why don't New Jersey and Oregon let you pump your own
// gas?").
const questionSentenceWeight = 0.3

// contextShare is the share of a neighbour's match a sentence inherits.
const contextShare = 0.5

// copyWords is how many opening words two sentences of different
// articles share when one is a copy of the other.
const copyWords = 8

// openingWords returns the first n words of a sentence key.
func openingWords(key string, n int) string {
	i := 0
	for k := 0; k < n; k++ {
		j := strings.IndexByte(key[i:], ' ')
		if j < 0 {
			return key
		}
		i += j + 1
	}
	return key[:i-1]
}

// sentenceKey is what copies of one sentence share: its folded words.
func sentenceKey(ws []qword) string {
	var b strings.Builder
	for i, w := range ws {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w.fold)
	}
	return b.String()
}

// dropCredits leaves out the candidates that only credit a report: the
// name of an evidence article's outlet, or of a wire in a dateline
// ("(AP)", "(CNN)"). They are everywhere, and never the answer.
func (e *extractor) dropCredits(sentence string, cands []answerCandidate) []answerCandidate {
	if e.outlets == nil {
		e.outlets = map[string]bool{}
		for _, d := range e.docs {
			if o := strings.ToLower(strings.TrimSpace(d.Outlet)); o != "" {
				e.outlets[o] = true
			}
		}
	}
	out := cands[:0]
	for _, c := range cands {
		credit := e.outlets[strings.ToLower(c.text)]
		if c.start > 0 && sentence[c.start-1] == '(' && c.end < len(sentence) && sentence[c.end] == ')' && !strings.Contains(c.text, " ") {
			credit = true
		}
		if !credit {
			out = append(out, c)
		}
	}
	return out
}

// relevance is the share of the question's term weight that the words ws
// match, each term once, stems compared, and whether they hold one of its
// key words that are not names (see evSentence.content). In a language
// that writes compounds as one word, a word that matches a term in part
// counts for partShare of it (see partOf).
func (e *extractor) relevance(ws []qword) (float64, bool) {
	if e.total == 0 {
		return 0, false
	}
	seen := map[string]bool{}
	sum := 0.0
	content := false
	for _, w := range ws {
		st := e.cache.Stem(e.an, w.fold)
		if wt, ok := e.weights[st]; ok {
			if !seen[st] {
				seen[st] = true
				sum += wt
			}
			content = content || e.contentTerms[st]
			continue
		}
		if !e.compounds || e.an.IsStopword(w.fold) {
			continue
		}
		if t := e.partOf(st); t != "" && !seen[t] {
			seen[t] = true
			sum += partShare * e.weights[t]
			content = content || e.contentTerms[t]
		}
	}
	if len(e.contentTerms) == 0 {
		content = true
	}
	return sum / e.total, content
}

// partShare is how much of a term's weight a word matching it in part
// counts.
const partShare = 0.6

// partOf returns the question term a word (its stem) shares a part with
// in a language of compounds: the word opens or ends with the term
// ("Reichweite" with "reich", "Großübung" with "übung"), or the term opens
// with the word's stem and goes on by a few letters only ("kostet" with
// the "kost" of "Kosten"). Parts have four letters or more; "" when none.
func (e *extractor) partOf(stem string) string {
	for _, t := range e.terms {
		if partMatch(stem, t) {
			return t
		}
	}
	return ""
}

// partMatch reports whether the stem of a word shares a part with the
// term t as partOf says; a verb's term counts by its root too ("leitet"
// by "leit", which "Projektleiterin" holds).
func partMatch(stem, t string) bool {
	if len(t) < 4 {
		return false
	}
	for _, p := range []string{t, verbRoot(t)} {
		if len(p) >= 4 && len(stem) >= len(p)+3 && (strings.HasPrefix(stem, p) || strings.HasSuffix(stem, p) || p != t && strings.Contains(stem, p)) {
			return true
		}
	}
	return len(stem) >= 4 && len(t) > len(stem) && len(t) <= len(stem)+3 && strings.HasPrefix(t, stem)
}

// verbRoot is a German verb's term without its ending ("leitet" ->
// "leit", "kostete" -> "kost"), or t when it has none of four letters or
// more left.
func verbRoot(t string) string {
	for _, end := range []string{"eten", "ete", "est", "et", "te", "st", "t"} {
		if r := strings.TrimSuffix(t, end); r != t && len(r) >= 4 {
			return r
		}
	}
	return t
}

// restates reports whether a sentence whose content words are mostly the
// question's only restates it: when it holds no candidate for what is
// asked. Quiz and "things to know" articles hold their questions.
func (e *extractor) restates(cands []answerCandidate) bool {
	for _, c := range cands {
		if c.fit >= 0.5 {
			return false
		}
	}
	return true
}

// questionOverlap is the share of the content words of ws (when there are three
// or more) that are in the question's stems. Words of the question's
// source (skip: "New York Federal Reserve" in "according to the New York
// Federal Reserve") neither restate it nor add to it, and are not counted.
func questionOverlap(ws []qword, qstems, skip map[string]bool, an *text.Analyzer, cache *text.StemCache) float64 {
	content, known := 0, 0
	for _, w := range ws {
		if an.IsStopword(w.fold) {
			continue
		}
		st := cache.Stem(an, w.fold)
		if skip[st] {
			continue
		}
		content++
		if qstems[st] {
			known++
		}
	}
	if content < 3 {
		return 0
	}
	return float64(known) / float64(content)
}

// score weighs each candidate by the evidence for it (the articles whose
// relevant sentences hold it) and each sentence by its match with the
// question and the best candidate it holds.
func (e *extractor) score(sents []*evSentence) {
	// support[key][rank] is the best relevance of a sentence of that
	// article holding the candidate.
	type seen struct {
		rel      float64
		mentions int
		head     float64 // the headline's relevance, when it holds the candidate
	}
	support := map[string]map[int]*seen{}
	fit := map[string]float64{}
	// A sentence copied into another outlet's article, whole or edited at
	// its end, is one piece of evidence, not two: its candidates count
	// once.
	counted := map[string]int{} // a sentence's opening words -> the doc it counts in
	for _, s := range sents {
		open := openingWords(s.key, copyWords)
		if d, ok := counted[open]; ok && d != s.doc {
			continue
		}
		counted[open] = s.doc
		for _, c := range s.cands {
			m := support[c.key]
			if m == nil {
				m = map[int]*seen{}
				support[c.key] = m
			}
			a := m[s.rank]
			if a == nil {
				a = &seen{}
				m[s.rank] = a
			}
			a.rel = math.Max(a.rel, s.rel)
			a.mentions++
			fit[c.key] = math.Max(fit[c.key], c.fit)
		}
	}
	// A headline that matches the question and names a candidate is
	// strong evidence for it: a news headline says what the story is
	// about ("Walmart is slashing prices on clothing..."). Headlines are
	// not quoted: the candidate must be in a sentence of the text to lead.
	for rank, d := range e.docs {
		ws := scanPlainWords(d.Title)
		if len(ws) < 2 {
			continue
		}
		rel, _ := e.relevance(ws)
		if rel == 0 {
			continue
		}
		for _, c := range e.dropCredits(d.Title, findCandidates(d.Title, ws, e.facts)) {
			m := support[c.key]
			if m == nil {
				continue // only what the text says may answer
			}
			a := m[rank]
			if a == nil {
				a = &seen{}
				m[rank] = a
			}
			a.head = math.Max(a.head, rel)
		}
	}
	strength := map[string]float64{}
	maxStrength := 0.0
	for key, m := range support {
		v := 0.0
		for rank, a := range m {
			// The most relevant sentence saying it, and how often the
			// article says it: what an article is about, it names often.
			v += (a.rel + 0.05*float64(min(a.mentions, 6)) + headlineWeight*a.head) * e.rankFactor(rank)
		}
		v *= fit[key]
		strength[key] = v
	}
	// A name said in full once and in short often ("the Los Angeles
	// Dodgers", then "the Dodgers") is one candidate: the full name gains
	// the evidence for its parts.
	e.mergeShortNames(strength)
	for _, v := range strength {
		maxStrength = math.Max(maxStrength, v)
	}
	for _, s := range sents {
		for _, c := range s.cands {
			v := strength[c.key] / maxStrength
			if b := c.fit * (0.5 + 0.5*v); b > s.best {
				s.best, s.bestKey = b, c.key
			}
		}
		n := float64(len(strings.Fields(s.key)))
		// A sentence that says little beyond the question's own words
		// counts less than one that adds to them.
		rel := s.rel
		if k := e.facts.asked.kind; e.strict && (k == askReason || k == askManner) && s.best >= strongClause {
			// "Scholz lehnt ab. Als Grund nannte er die Sorge…": the
			// reason follows the sentence that names what is asked.
			rel = math.Max(rel, s.ctx)
		}
		s.score = rel * (1 + e.x.Candidate*s.best) * e.rankFactor(s.rank) * (1 - e.x.Novelty*s.overlap)
		if n > 45 {
			s.score *= 45 / n
		}
		if s.asks {
			s.score *= questionSentenceWeight // a question answers nothing
		}
	}
	e.strength = strength
}

// rankFactor is how much the sentences of the article of that rank
// count: less for each lower rank, and, when the question has a time
// window, less for an article published outside it, or undated, than for
// one published in it.
// mergeShortNames adds to each name's strength half the strength of the
// shorter names made of some of its words.
func (e *extractor) mergeShortNames(strength map[string]float64) {
	type name struct {
		key   string
		words []string
	}
	var names []name
	for key := range strength {
		if strings.HasPrefix(key, "name:") {
			names = append(names, name{key, strings.Fields(key[len("name:"):])})
		}
	}
	if len(names) > 400 {
		return // a wall of names: not worth the quadratic pass
	}
	sort.Slice(names, func(i, j int) bool { return names[i].key < names[j].key })
	add := map[string]float64{}
	for _, long := range names {
		for _, short := range names {
			if len(short.words) < len(long.words) && subsetWords(short.words, long.words) {
				add[long.key] += 0.5 * strength[short.key]
			}
		}
	}
	for key, v := range add {
		strength[key] += v
	}
}

func subsetWords(short, long []string) bool {
	for _, w := range short {
		found := false
		for _, l := range long {
			if l == w {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func (e *extractor) rankFactor(rank int) float64 {
	f := math.Max(1-e.x.RankDecay*float64(rank), 0.1)
	if e.window != nil && rank < len(e.docs) {
		switch pub := e.docs[rank].Published; {
		case pub.IsZero():
			f /= inWindowWeight
		case !e.window.Contains(pub):
			f *= outWindowWeight / inWindowWeight
		}
	}
	return f
}

// lead returns the sentence the answer leads with, or nil when nothing in
// the evidence answers: for a question asking for a name, a number, a date
// or an expansion, the sentence, among those matching the question well,
// that holds the strongest candidate; for others, the best match that
// does not restate the question.
func (e *extractor) lead(sents []*evSentence) *evSentence {
	bestRel := 0.0
	for _, s := range sents {
		if !s.echo && s.rel > bestRel {
			bestRel = s.rel
		}
	}
	if bestRel == 0 {
		return nil
	}
	e.markAbout(sents)
	var lead *evSentence
	if e.facts.asked.kind.typed() {
		bestKey, bestStrength := "", 0.0
		for _, s := range sents {
			if !e.eligible(s, bestRel) {
				continue
			}
			for _, c := range s.cands {
				if c.fit >= 0.5 && e.strength[c.key] > bestStrength {
					bestKey, bestStrength = c.key, e.strength[c.key]
				}
			}
		}
		if bestKey == "" {
			return nil
		}
		e.bestKey = bestKey
		for _, s := range sents {
			if !e.eligible(s, bestRel) || !s.holds(bestKey) {
				continue
			}
			if lead == nil || s.score > lead.score {
				lead = s
			}
		}
		return lead
	}
	for _, s := range sents {
		if s.echo || s.asks || !s.about {
			continue
		}
		if lead == nil || s.score > lead.score {
			lead = s
		}
	}
	return lead
}

// markAbout sets each sentence's about: whether it may answer at all. Its
// article must name what the question names ("the World Bank", "Canada",
// "German"; see namesAll), in its headline or text, and the sentence or
// a neighbour must hold one of the question's other terms, those that
// neither name, nor say whose account is asked for, nor describe the
// answer ("German chancellor"), when it has any: a sentence that only shares
// the question's names ("Pope Francis marked the anniversary...") is
// about them, not about what is asked ("What did Pope Francis name his
// first cat?"), and one that only names a German chancellor says nothing
// of one who resigned.
func (e *extractor) markAbout(sents []*evSentence) {
	if e.strict {
		// The stricter rule of the language (see eligible) says it.
		for _, s := range sents {
			s.about = true
		}
		return
	}
	// The question's source ("according to the White House") need not be
	// named: another outlet may tell the same.
	// Nor need a name so common in the store that it tells nothing ("US"
	// in an American outlet's articles).
	var names []questionName
	// Nor a month or a weekday ("by early August"): it says when, which
	// the article's date tells as well as its words.
	for _, n := range questionNames(e.question, e.an) {
		told, rare, when := true, false, true
		for _, w := range n.words {
			st := e.cache.Stem(e.an, w)
			told = told && e.source[st]
			rare = rare || !e.common[st]
			when = when && e.facts.lex.isDateWord(w)
		}
		if !told && rare && !when {
			names = append(names, n)
		}
	}
	other := map[string]bool{}
	nameStems := map[string]bool{}
	for _, n := range names {
		for _, w := range n.words {
			nameStems[e.cache.Stem(e.an, w)] = true
		}
	}
	// The words naming what is asked for describe the answer ("German
	// chancellor"), unless they say what is counted ("how many monkeypox
	// cases").
	focus := e.facts.focus
	switch e.facts.asked.kind {
	case askNumber, askMoney, askPercent:
		focus = nil
	}
	for t := range e.weights {
		if !nameStems[t] && !e.source[t] && !focus[t] {
			other[t] = true
		}
	}
	// A question without a shape to look for (a thing, a reason) has no
	// candidate to miss: it must be answered by a sentence that holds, with
	// its neighbours, a good share of its other terms' weight.
	// A long quiz question retells its story in its own words, as the
	// coverage of its key terms allows for (see longQuestionShare).
	need := 0.0
	if !e.facts.asked.kind.typed() {
		for t := range other {
			need += untypedShare * e.weights[t]
		}
		need *= longQuestionShare(e.keyCount())
	}
	named := map[int]bool{}
	checked := map[int]bool{}
	for k, s := range sents {
		if !checked[s.doc] {
			checked[s.doc] = true
			d := e.docs[s.doc]
			named[s.doc] = namesAll(names, text.Tokens(d.Title+"\n"+d.Full+"\n"+d.Text))
		}
		s.about = named[s.doc]
		if !s.about || len(other) == 0 {
			continue
		}
		held := map[string]bool{}
		touches, covered := false, 0.0
		for d := -1; d <= 1; d++ {
			if j := k + d; j >= 0 && j < len(sents) && sents[j].doc == s.doc {
				for _, st := range sents[j].stems {
					touches = touches || other[st]
					if other[st] && !held[st] {
						held[st] = true
						covered += e.weights[st]
					}
				}
			}
		}
		s.about = touches && covered >= need
	}
}

// isQuestion reports whether a sentence is a question itself: it ends
// with a question mark, and not one inside a quotation that the sentence
// reports ("All 21 members voted “yes” in response to the question:
// “Do the benefits outweigh the risks?”" states a vote).
func isQuestion(s string) bool {
	t := strings.TrimRight(s, ` "'”’)`)
	if !strings.HasSuffix(t, "?") {
		return false
	}
	if len(t) == len(strings.TrimRight(s, " ")) {
		return true // no closing quote after the question mark
	}
	open := strings.LastIndexAny(t, "“\"„")
	return open < 0 || countWordsBefore(t, open) < reportedQuestionWords
}

// reportedQuestionWords is how many words before a quoted question make
// the sentence a report of it rather than the question.
const reportedQuestionWords = 4

// countWordsBefore counts the words of s before byte i.
func countWordsBefore(s string, i int) int {
	return len(strings.Fields(s[:i]))
}

// keyCount returns how many key terms the question has, those that only
// frame it left out.
func (e *extractor) keyCount() int {
	n := 0
	for _, t := range e.an.Query(e.question) {
		if t.Key && !e.framing[t.Term] {
			n++
		}
	}
	return n
}

// headlineWeight is how much a headline naming a candidate counts,
// times the headline's match with the question, against the sentences
// naming it.
const headlineWeight = 1.0

// untypedShare is the least share of the weight of a question's other
// terms (see markAbout) that a sentence with its neighbours must hold to
// answer a question asking for no particular shape of answer.
const untypedShare = 0.3

// questionName is a name the question holds: its folded words ("world",
// "bank"), and whether it is one acronym ("US").
type questionName struct {
	words   []string
	acronym bool
}

// questionNames returns the names of a question: runs of its words that
// the analyzer takes for names, written next to each other, an acronym
// always a name of its own.
func questionNames(question string, an *text.Analyzer) []questionName {
	isName := map[string]bool{}
	for _, t := range an.Query(question) {
		if t.Name {
			isName[t.Word] = true
		}
	}
	if len(isName) == 0 {
		return nil
	}
	var out []questionName
	var run []qword
	ws := scanPlainWords(question)
	flush := func() {
		if len(run) > 0 {
			n := questionName{acronym: len(run) == 1 && isAcronymWord(run[0].orig)}
			for _, w := range run {
				n.words = append(n.words, strings.Join(text.Tokens(w.orig), ""))
			}
			out = append(out, n)
		}
		run = run[:0]
	}
	for i, w := range ws {
		fold := strings.Join(text.Tokens(w.orig), "")
		if !isName[fold] {
			flush()
			continue
		}
		// An acronym next to a name is a name of its own more often than
		// a part of it: "NHL Stanley Cup", "LGBTQ Pride", and so is a
		// plural one, what the names before it make ("Kia and Hyundai
		// SUVs" are Kia's and Hyundai's SUVs).
		if len(run) > 0 && (!isSpaces(question[ws[i-1].end:w.start]) || isAcronymName(w.orig) || isAcronymName(run[len(run)-1].orig)) {
			flush()
		}
		run = append(run, w)
	}
	flush()
	return out
}

// namesAll reports whether the tokens toks hold the names: every one of
// up to three, all but one of up to six, and so on (a question of many
// names may call one of them otherwise than the article). A name is
// found as one word as
// itself or as a word it shares most of its letters with ("German" in
// "Germany's", "Russian" in "Russia"), an acronym also spelt with full
// stops ("U.S."), two words in a row, and a longer name ("NHL Stanley Cup
// Finals") by each of its words, two of them in a row.
func namesAll(names []questionName, toks []string) bool {
	missing := 0
	for _, n := range names {
		if !namesOne(n, toks) {
			missing++
		}
	}
	return missing <= (len(names)-1)/3
}

func namesOne(n questionName, toks []string) bool {
	if len(n.words) == 1 {
		for i := range toks {
			if nameWordMatch(n.words[0], toks[i]) || n.acronym && spelledOut(n.words[0], toks[i:]) {
				return true
			}
		}
		return false
	}
	for _, w := range n.words {
		if !namesOne(questionName{words: []string{w}}, toks) {
			return false
		}
	}
	for i := 0; i+1 < len(toks); i++ {
		for k := 0; k+1 < len(n.words); k++ {
			if nameWordMatch(n.words[k], toks[i]) && nameWordMatch(n.words[k+1], toks[i+1]) {
				return true
			}
		}
	}
	return false
}

// nameWordMatch reports whether the article's token tok is the name word
// w or a form of it: they share a prefix of five letters or more that is
// most of the shorter one.
func nameWordMatch(w, tok string) bool {
	if w == tok {
		return true
	}
	n := 0
	for n < len(w) && n < len(tok) && w[n] == tok[n] {
		n++
	}
	short := min(len(w), len(tok))
	return n >= 5 && 10*n >= 7*short
}

// spelledOut reports whether toks start with the letters of the acronym
// acr one token each ("u", "s" for "us", written "U.S.").
func spelledOut(acr string, toks []string) bool {
	if len(toks) < len(acr) {
		return false
	}
	for i := 0; i < len(acr); i++ {
		if toks[i] != acr[i:i+1] {
			return false
		}
	}
	return true
}

// eligible reports whether a sentence may give the answer to a question
// asking for a name, a number or a date: it does not restate the
// question nor ask one itself, it is about what the question asks (see
// markAbout), it (or a neighbour) matches the question well enough
// against the best match, and, in a language with the stricter rule (see
// lexicon.strictLead), it holds one of the question's key words that are
// not names (a date next to the town's name alone answers nothing) and
// comes from an article holding every name of the question.
func (e *extractor) eligible(s *evSentence, bestRel float64) bool {
	if s.echo || s.asks || !s.about {
		return false
	}
	if !e.strict {
		return s.ctx >= e.x.Relevance*bestRel
	}
	// The stricter rule asks less of the match: a price or a count is
	// often said in a sentence of its own ("Die Kosten sind auf 182
	// Millionen Euro gestiegen").
	return s.ctx >= strictRelevance*e.x.Relevance*bestRel && s.content && s.focused && e.named(s.doc)
}

// roleNoun returns the stem of the specific noun a question asking for a
// person, an organisation or a place names what it asks for by
// ("Welcher Stürmer…", "Auf welchen Schlichter…"), or "".
func roleNoun(asked askedFor, lex *lexicon, an *text.Analyzer, cache *text.StemCache) string {
	switch asked.kind {
	case askPerson, askOrganisation, askPlace:
	default:
		return ""
	}
	if len(asked.focus) == 0 {
		return ""
	}
	noun := asked.focus[len(asked.focus)-1]
	if lex.genericRoles[noun] {
		return ""
	}
	return cache.Stem(an, noun)
}

// namesRole reports whether the words ws name the question's role noun,
// in full or as a part of a compound.
func (e *extractor) namesRole(ws []qword) bool {
	for _, w := range ws {
		st := e.cache.Stem(e.an, w.fold)
		if st == e.role || partMatch(st, e.role) {
			return true
		}
	}
	return false
}

// strictRelevance scales the least match a sentence needs under the
// stricter rule.
const strictRelevance = 0.5

// named reports whether evidence document k holds every name of the
// question: an answer comes from an article about what the question
// names, not from another that shares its other words.
func (e *extractor) named(k int) bool {
	if len(e.names) == 0 || k >= len(e.docs) {
		return true
	}
	if ok, done := e.namedDocs[k]; done {
		return ok
	}
	if e.namedDocs == nil {
		e.namedDocs = map[int]bool{}
	}
	d := e.docs[k]
	have := map[string]bool{}
	var toks []string
	for _, part := range []string{d.Title, d.Text} {
		toks, _ = e.cache.AppendIndexTokens(e.an, toks[:0], part)
		for _, t := range toks {
			have[t] = true
		}
		for _, t := range text.Tokens(part) {
			have[t] = true
		}
	}
	ok := true
	for _, t := range e.names {
		if !have[t.Term] && !have[t.Word] {
			ok = false
			break
		}
	}
	e.namedDocs[k] = ok
	return ok
}

func (s *evSentence) holds(key string) bool {
	for _, c := range s.cands {
		if c.key == key {
			return true
		}
	}
	return false
}

func (s *evSentence) candidate(key string) *answerCandidate {
	for i := range s.cands {
		if s.cands[i].key == key {
			return &s.cands[i]
		}
	}
	return nil
}

// shortAnswer returns the winning candidate's words when it clearly wins
// (its evidence at least half again any other's) and is short, or "".
func (e *extractor) shortAnswer(lead *evSentence) string {
	if !e.facts.asked.kind.typed() || e.bestKey == "" {
		return ""
	}
	c := lead.candidate(e.bestKey)
	if c == nil || c.fit < 0.7 || len(strings.Fields(c.text)) > 6 {
		return ""
	}
	best := e.strength[e.bestKey]
	for key, v := range e.strength {
		if key != e.bestKey && !overlaps(key, e.bestKey) && v*1.5 > best {
			return ""
		}
	}
	return digitsFirst(strings.Trim(c.text, " ,;:"), e.facts.lex)
}

// digitsFirst writes a short answer's leading number word in digits ("six
// months" -> "6 months", "two million" -> "2 million"): a short answer
// is read at a glance. Vague and fractional words ("dozens", "half")
// stay.
func digitsFirst(short string, lex *lexicon) string {
	ws := scanPlainWords(short)
	if len(ws) == 0 || ws[0].start != 0 || isDigitByte(ws[0].orig[0]) || lex.vagueNumbers[ws[0].fold] ||
		strings.HasPrefix(short[ws[0].end:], "-") {
		return short // "one-third" is a word of its own
	}
	v, ok := lex.numbers[ws[0].fold]
	if !ok || v < 1 || v != math.Trunc(v) || v >= 100 {
		return short
	}
	return strconv.Itoa(int(v)) + short[ws[0].end:]
}

// overlaps reports whether two candidate keys name the same thing in
// part ("name:biden" and "name:jill biden").
func overlaps(a, b string) bool {
	ka, kb := a[strings.IndexByte(a, ':')+1:], b[strings.IndexByte(b, ':')+1:]
	if a[:2] != b[:2] || ka == "" || kb == "" {
		return false
	}
	return strings.Contains(" "+ka+" ", " "+kb+" ") || strings.Contains(" "+kb+" ", " "+ka+" ")
}

// antecedent returns, when the lead opens by referring back to what the
// question asks for ("The show, which follows the Roy family, leads the
// race..." for "Which show..."), the sentence before it in its article
// and the strongest name it holds: what "the show" is. It returns nil
// when the lead opens otherwise or the sentence before names nothing.
func (e *extractor) antecedent(sents []*evSentence, lead *evSentence) (*evSentence, string) {
	focus := e.facts.asked.focus
	ws := scanPlainWords(lead.text)
	if len(focus) == 0 || len(ws) < 2 || !e.facts.lex.referring[ws[0].fold] ||
		e.cache.Stem(e.an, ws[1].fold) != e.cache.Stem(e.an, focus[len(focus)-1]) {
		return nil, ""
	}
	for k, s := range sents {
		if s != lead || k == 0 || sents[k-1].doc != s.doc {
			continue
		}
		prev := sents[k-1]
		best, bestV := "", 0.0
		for _, c := range prev.cands {
			if strings.HasPrefix(c.key, "name:") && c.fit >= 0.5 && e.strength[c.key] > bestV {
				best, bestV = c.key, e.strength[c.key]
			}
		}
		if best != "" {
			return prev, best
		}
	}
	return nil, ""
}

// namer returns, for a question asking for a thing ("Which show..."), the
// best sentence naming the strongest candidate when the lead does not
// name it: the sentence most like the question often says "the show",
// and another, often next to it, says which. A candidate named within two
// sentences of the lead counts double. Only a sentence close enough to
// the question, and a candidate clearly the strongest, qualify.
func (e *extractor) namer(sents, rest []*evSentence, lead *evSentence) (*evSentence, string) {
	if e.facts.asked.kind != askOther || len(e.facts.asked.focus) == 0 {
		return nil, ""
	}
	if prev, key := e.antecedent(sents, lead); prev != nil {
		return prev, key
	}
	for _, c := range lead.cands {
		if strings.HasPrefix(c.key, "t:") {
			return nil, "" // the lead names what the story is about
		}
	}
	near := map[string]bool{}
	for k, s := range sents {
		if s != lead {
			continue
		}
		for d := -2; d <= 2; d++ {
			if j := k + d; d != 0 && j >= 0 && j < len(sents) && sents[j].doc == s.doc {
				for _, c := range sents[j].cands {
					near[c.key] = true
				}
			}
		}
	}
	type scored struct {
		key string
		v   float64
	}
	var names []scored
	for key, v := range e.strength {
		if !strings.HasPrefix(key, "name:") {
			continue
		}
		if near[key] {
			v *= 2
		}
		names = append(names, scored{key, v})
	}
	sort.Slice(names, func(i, j int) bool {
		if names[i].v != names[j].v {
			return names[i].v > names[j].v
		}
		return names[i].key < names[j].key
	})
	if len(names) == 0 {
		return nil, ""
	}
	best := names[0]
	for _, c := range lead.cands {
		if c.key == best.key || overlaps(c.key, best.key) {
			return nil, "" // the lead names it
		}
	}
	for _, o := range names[1:] {
		if !overlaps(o.key, best.key) {
			if best.v < 1.3*o.v {
				return nil, ""
			}
			break
		}
	}
	for _, s := range rest { // best first
		if s.holds(best.key) && s.ctx >= e.x.Relevance*lead.rel {
			return s, best.key
		}
	}
	return nil, ""
}

// compose chooses the answer's sentences: the lead first (after the
// short answer when there is one), then the sentences that support it,
// each with the copies of it in other documents.
func (e *extractor) compose(sents []*evSentence, lead *evSentence) Result {
	chosen := []*evSentence{lead}
	limit := e.x.Sentences
	if k := e.facts.asked.kind; k == askReason || k == askManner {
		limit++
	}
	if limit < 1 {
		limit = 1
	}
	rest := make([]*evSentence, 0, len(sents))
	for _, s := range sents {
		if s != lead && !s.echo && s.key != lead.key {
			rest = append(rest, s)
		}
	}
	sort.SliceStable(rest, func(i, j int) bool { return rest[i].score > rest[j].score })
	short := e.shortAnswer(lead)
	if namer, key := e.namer(sents, rest, lead); namer != nil && limit > 1 {
		// The lead matches the question, another sentence names what it
		// asks about: quote both, the one naming it first, unless the
		// question asks for a source's account, which the lead gives, or
		// its language capitalises every noun, so that a capitalised word
		// is no name.
		if len(e.source) == 0 && !e.compounds {
			chosen = []*evSentence{namer, lead}
			short = ""
			if c := namer.candidate(key); c != nil && len(strings.Fields(c.text)) <= 6 {
				short = digitsFirst(strings.Trim(c.text, " ,;:"), e.facts.lex)
			}
		} else {
			chosen = append(chosen, namer)
		}
	}
	for _, s := range rest {
		if len(chosen) >= limit || s.score < e.x.Keep*lead.score {
			break
		}
		if e.facts.asked.kind.typed() && s.best < 0.5 {
			continue // a sentence without what is asked adds nothing
		}
		dup := false
		for _, c := range chosen {
			if c.key == s.key || c == s {
				dup = true
			}
		}
		if !dup {
			chosen = append(chosen, s)
		}
	}

	res := Result{Short: short}
	for _, s := range chosen {
		c := Chosen{Sentence: s.sentence()}
		for _, o := range sents {
			if o.key == s.key && o.doc != s.doc {
				c.Copies = append(c.Copies, o.sentence())
			}
		}
		res.Sentences = append(res.Sentences, c)
	}
	return res
}

// sentence is s as the result gives it.
func (s *evSentence) sentence() Sentence {
	return Sentence{Doc: s.doc, Span: s.span, Text: s.text}
}

// coversKeyTerms reports whether the best evidence answers to the
// question's key terms (names, numbers, specific words): every name must
// occur in the evidence, and at least a share coverage of the key terms'
// weight in the top article's headline and text (its evidence passages,
// or all of it when it is read whole), a share that falls for a long
// question (see longQuestionShare). Terms are compared
// by the analyzer's stems, so "intercepted" meets "interception".
func (e *extractor) coversKeyTerms(question string, passages []Passage, docs []Document) bool {
	var terms []text.QueryTerm
	keys := 0
	for _, t := range e.an.Query(question) {
		if e.framing[t.Term] {
			continue
		}
		terms = append(terms, t)
		if t.Key {
			keys++
		}
	}
	if keys == 0 {
		return true
	}
	top := passages[0].Article
	inTop := map[string]bool{}
	anywhere := map[string]bool{}
	var toks, terms2 []string
	add := func(set map[string]bool, s string) {
		toks = text.AppendTokens(toks[:0], s)
		for _, t := range toks {
			set[e.cache.Stem(e.an, t)] = true
		}
		// The index's terms add the compounds of hyphenated words:
		// "Lokführer-Streik" holds "lokfuhrerstreik" too.
		terms2, _ = e.cache.AppendIndexTokens(e.an, terms2[:0], s)
		for _, t := range terms2 {
			set[t] = true
		}
	}
	add(inTop, passages[0].Title)
	if len(docs) > 0 && docs[0].ID == top {
		add(inTop, docs[0].Text)
	}
	titles := map[int64]bool{}
	for _, h := range passages {
		if h.Article == top {
			add(inTop, h.Text)
		}
		if !titles[h.Article] {
			titles[h.Article] = true
			add(anywhere, h.Title)
		}
		add(anywhere, h.Text)
	}
	have, all := 0.0, 0.0
	for _, t := range terms {
		// A name the evidence lacks is what the question is about, unless
		// it is so common in the store that it tells nothing ("US" in an
		// American outlet's articles, which say "domestically"), or a
		// month or weekday, which the articles' dates may tell.
		if t.Name && !anywhere[t.Term] && !anywhere[t.Word] {
			if !e.common[t.Term] && !lexiconFor(e.an.Language()).isDateWord(t.Word) {
				return false
			}
			continue
		}
		if !t.Key {
			continue
		}
		w := e.keyWeights[t.Term]
		if w == 0 {
			w = 1
		}
		all += w
		switch {
		case inTop[t.Term] || inTop[t.Word] || inCompound(t, terms, inTop):
			have += w
		case e.compounds && inPart(t.Term, inTop):
			have += partShare * w // "reichen" in "Reichweite"
		}
	}
	return have >= e.x.Coverage*all*longQuestionShare(keys)
}

// longQuestionKeys is how many key terms a question may have before the
// share of their weight the best article must hold falls: a long quiz
// question ("In response to..., the president said this week he would...
// how many...?") tells the story in its own words, which the article
// that answers words otherwise the more of them there are, while a
// short one's every term is what it asks about.
const longQuestionKeys = 10

// longQuestionShare scales the coverage bar for a question of keys key
// terms: 1 up to longQuestionKeys, then longQuestionKeys/keys, so that
// the weight of about as many terms as a short question has suffices.
func longQuestionShare(keys int) float64 {
	if keys <= longQuestionKeys {
		return 1
	}
	return float64(longQuestionKeys) / float64(keys)
}

// preambleWeight scales, in a sentence's match with the question, the
// words only a quiz question's preamble says ("A bipartisan group of
// senators announced an agreement this week... Which measure did they
// leave out?"): the preamble retells the story, which every article's
// lead matches; the question sentence says what is asked of it.
const preambleWeight = 0.5

// preambleTerms returns the stems of the terms of the sentences before a
// question's question sentence (see questionSentence) that the question
// sentence and what follows it do not hold, or nil when the question is
// one sentence.
func preambleTerms(question string, cues *questionCues, an *text.Analyzer) map[string]bool {
	spans := text.Sentences(question)
	if len(spans) < 2 {
		return nil
	}
	k := questionSentence(question, spans, cues)
	if k <= 0 {
		return nil
	}
	own := map[string]bool{}
	for _, t := range an.Query(question[spans[k].Start:]) {
		own[t.Term] = true
	}
	out := map[string]bool{}
	for _, t := range an.Query(question[:spans[k].Start]) {
		if !own[t.Term] {
			out[t.Term] = true
		}
	}
	return out
}

// inPart reports whether a stem of set shares a part with the term t (see
// partMatch).
func inPart(t string, set map[string]bool) bool {
	for st := range set {
		if partMatch(st, t) {
			return true
		}
	}
	return false
}

// inCompound reports whether t is a part of a hyphenated compound of the
// question that set holds written as one word ("Diesel" of
// "Diesel-Fahrverbot" when the text says "Dieselfahrverbot").
func inCompound(t text.QueryTerm, terms []text.QueryTerm, set map[string]bool) bool {
	for _, c := range terms {
		if c.Compound && set[c.Term] && strings.Contains(c.Word, t.Word) {
			return true
		}
	}
	return false
}
