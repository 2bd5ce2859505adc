package text

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/arabic"
	"github.com/blevesearch/snowballstem/danish"
	"github.com/blevesearch/snowballstem/dutch"
	"github.com/blevesearch/snowballstem/english"
	"github.com/blevesearch/snowballstem/finnish"
	"github.com/blevesearch/snowballstem/french"
	"github.com/blevesearch/snowballstem/german"
	"github.com/blevesearch/snowballstem/hungarian"
	"github.com/blevesearch/snowballstem/irish"
	"github.com/blevesearch/snowballstem/italian"
	"github.com/blevesearch/snowballstem/norwegian"
	"github.com/blevesearch/snowballstem/portuguese"
	"github.com/blevesearch/snowballstem/romanian"
	"github.com/blevesearch/snowballstem/russian"
	"github.com/blevesearch/snowballstem/spanish"
	"github.com/blevesearch/snowballstem/swedish"
	"github.com/blevesearch/snowballstem/tamil"
	"github.com/blevesearch/snowballstem/turkish"
)

// An Analyzer turns text of one language into the terms Herald matches:
// the keyword index's terms for an article's passages ([Analyzer.AppendIndexTokens])
// and a question's terms ([Analyzer.Query]), with that language's stop
// words and its Snowball stemmer, so that inflected forms meet ("Streiks"
// and "Streik", "approved" and "approving"). Tokens are folded exactly as
// [Tokens] folds them (lowercase, Latin diacritics removed) before they are
// stemmed, on both sides, so "Marschflugkörpern" and "Marschflugkorper"
// meet too. English also folds British spellings into American ones
// (defence/defense, colour/color, organisation/organization, centre/center,
// analyse/analyze). A word joined to the next by a hyphen matches each of
// its parts and the whole: "Taurus-Marschflugkörpern" gives "taurus",
// "marschflugkorp" and "taurusmarschflugkorp", which is also what
// "Taurusmarschflugkörper" written as one word gives.
//
// Analyzers are immutable and safe for concurrent use; [AnalyzerFor]
// returns the one for a language.
type Analyzer struct {
	lang        string
	stem        func(*snowballstem.Env) bool // nil: no stemming
	british     bool                         // fold British spellings (English)
	stop        wordSet
	question    wordSet
	generic     wordSet
	determiners wordSet // words after which a capitalised word is a common noun
	nounCaps    bool    // every noun is capitalised (German), so capitals mark no name
}

// AnalyzerFor returns the analyzer for lang, a language code as
// [LanguageCode] reads it ("de", "en-GB", "deu"). Languages with a Snowball
// stemmer (see [Languages]) get theirs; any other, and "", get a plain
// analyzer that folds tokens without stemming and knows no stop words but
// single characters (its Language is "").
func AnalyzerFor(lang string) *Analyzer {
	if a, ok := analyzers[LanguageCode(lang)]; ok {
		return a
	}
	return plainAnalyzer
}

// Languages returns the ISO 639-1 codes of the languages with a Snowball
// stemmer, sorted: ar, da, de, en, es, fi, fr, ga, hu, it, nl, no, pt, ro,
// ru, sv, ta, tr. Stop words are known for de, en, es, fr, it, nl and pt.
func Languages() []string {
	codes := make([]string, 0, len(analyzers))
	for code, a := range analyzers {
		if code == a.lang {
			codes = append(codes, code)
		}
	}
	slices.Sort(codes)
	return codes
}

// Language returns the ISO 639-1 code of the analyzer's language, or "" for
// the plain analyzer.
func (a *Analyzer) Language() string { return a.lang }

// IsStopword reports whether tok, a token folded as [Tokens] folds it, is a
// stop word of the analyzer's language: a function word, a question word,
// an honorific, a contraction fragment, or any single character that is
// not a digit. The empty string is a stop word. For English it is
// [IsStopword].
func (a *Analyzer) IsStopword(tok string) bool {
	switch {
	case tok == "":
		return true
	case len(tok) == 1:
		return tok[0]-'0' >= 10
	case len(tok) <= utf8.UTFMax:
		if r, size := utf8.DecodeRuneInString(tok); size == len(tok) {
			return !unicode.IsDigit(r)
		}
	}
	return a.stop.has(tok)
}

// IsQuestionWord reports whether tok, a folded token, is an interrogative
// of the analyzer's language ("who", "wer", "wie", "warum"). Question words
// are also stop words.
func (a *Analyzer) IsQuestionWord(tok string) bool { return a.question.has(tok) }

// IsFunctionWord reports whether tok, a folded token, is a stop word that
// is not a question word: the grammar of a sentence (articles, pronouns,
// prepositions, conjunctions, auxiliaries, particles) rather than its
// content. A sentence's words that are not function words are its content
// words.
func (a *Analyzer) IsFunctionWord(tok string) bool {
	return a.IsStopword(tok) && !a.question.has(tok)
}

// Stopwords returns the analyzer's stop words as folded tokens, sorted
// (single characters, stop words by rule, are not listed).
func (a *Analyzer) Stopwords() []string {
	words := make([]string, 0, len(a.stop))
	for w := range a.stop {
		words = append(words, w)
	}
	slices.Sort(words)
	return words
}

// Stem returns the stem of tok, a token folded as [Tokens] folds it, in
// the analyzer's language: AnalyzerFor("de").Stem("offizieren") is
// "offizi", AnalyzerFor("en").Stem("defence") is "defens". The plain
// analyzer returns tok. Stems are for matching, not for display.
func (a *Analyzer) Stem(tok string) string {
	var st stemmer
	return st.stem(a, tok)
}

// AppendIndexTokens appends to dst the terms the keyword index keeps for s
// in the analyzer's language and returns the extended slice and how many
// tokens s has in all (len(Tokens(s)), stop words included). The terms are
// those of [AppendIndexTokens], stemmed: s's tokens, folded, without stop
// words except those written as acronyms ("US", "WHO"), each stemmed, and
// after each run of words joined by hyphens ("Taurus-Marschflugkörpern",
// "COVID-19") the stem of the run written as one word ("covid19"), which
// the count does not include. The same terms serve to match sentences
// against a question's [Analyzer.Query] terms.
func (a *Analyzer) AppendIndexTokens(dst []string, s string) ([]string, int) {
	return (*StemCache)(nil).AppendIndexTokens(a, dst, s)
}

// A StemCache remembers the stems it has computed, so a stream of texts
// (an ingest batch, an index rebuild) stems each distinct word once;
// stemming is most of the cost of AppendIndexTokens. It holds up to
// maxCachedStems stems and forgets them all when full. Its zero value is
// ready to use, a nil *StemCache caches nothing, and it is not safe for
// concurrent use: give each goroutine its own.
type StemCache struct {
	stems map[*Analyzer]map[string]string
	n     int
}

// maxCachedStems bounds a StemCache: about 6 MB of words and stems.
const maxCachedStems = 1 << 16

// Stem returns a.Stem(tok), from the cache when it can.
func (c *StemCache) Stem(a *Analyzer, tok string) string {
	st := stemmer{cache: c}
	return st.stem(a, tok)
}

// AppendIndexTokens returns a.AppendIndexTokens(dst, s), stemming through
// the cache.
func (c *StemCache) AppendIndexTokens(a *Analyzer, dst []string, s string) ([]string, int) {
	var (
		st       = stemmer{cache: c}
		scratch  []byte
		compound compoundRun
		n        int
		prevEnd  = -1
	)
	for i := 0; i < len(s); {
		start, end, plain := nextToken(s, i)
		if start < 0 {
			break
		}
		i = end
		orig := s[start:end]
		tok := orig
		if !plain {
			scratch = appendFolded(scratch[:0], orig)
			if len(scratch) == 0 {
				prevEnd = -1
				continue // only diacritics: Tokens has nothing either
			}
			tok = string(scratch)
		}
		n++
		if prevEnd < 0 || !isHyphenGap(s[prevEnd:start]) {
			dst = compound.flush(dst, a, &st)
		}
		compound.add(tok)
		prevEnd = end
		if a.IsStopword(tok) && !isAcronym(orig) {
			continue
		}
		dst = append(dst, st.stem(a, tok))
	}
	return compound.flush(dst, a, &st), n
}

// lookup returns the cached stem of tok in a's language.
func (c *StemCache) lookup(a *Analyzer, tok string) (string, bool) {
	if c == nil {
		return "", false
	}
	st, ok := c.stems[a][tok]
	return st, ok
}

// store caches the stem of tok, copying both so that the cache does not
// keep the texts they came from alive.
func (c *StemCache) store(a *Analyzer, tok, stem string) {
	if c == nil {
		return
	}
	if c.n >= maxCachedStems || c.stems == nil {
		c.stems, c.n = map[*Analyzer]map[string]string{}, 0
	}
	m := c.stems[a]
	if m == nil {
		m = make(map[string]string, 1024)
		c.stems[a] = m
	}
	tok = strings.Clone(tok)
	if stem != "" && strings.HasPrefix(tok, stem) {
		stem = tok[:len(stem)] // most stems are a prefix of their word
	} else {
		stem = strings.Clone(stem)
	}
	m[tok] = stem
	c.n++
}

// QueryTerm is one distinct term of a question, as [Analyzer.Query]
// returns it.
type QueryTerm struct {
	// Term is what the index and AppendIndexTokens hold for the word: its
	// stem.
	Term string
	// Word is the word as first written in the question, folded as
	// [Tokens] folds it.
	Word string
	// Key reports that the term carries the question's specific meaning
	// (the rule of [KeyTerms]).
	Key bool
	// Name reports that the word names something (the rule of [Names]).
	Name bool
	// Compound reports a term made of hyphenated words joined into one
	// ("taurusmarschflugkorp"); its parts are terms of their own, and a
	// compound is never Key or Name.
	Compound bool
}

// Query returns the distinct content terms of the question q in the
// analyzer's language, in order of first appearance, at most
// [MaxQueryTerms] of them: the words of [QueryTerms], stemmed, with two
// words of one stem as one term, plus the compounds of hyphenated words
// (see [Analyzer.AppendIndexTokens]). A word is Key by the rule of
// [KeyTerms] (with the language's own list of generic words) and Name by
// the rule of [Names]; in German, where every noun is capitalised, a
// capitalised word right after a determiner ("die Bundeswehr", "keine
// Lieferung") is taken for a common noun, not a name, though it stays Key
// by its length.
func (a *Analyzer) Query(q string) []QueryTerm {
	return scanQuery(q, a, true)
}

// QueryTerms returns the Term of each of the question's [Analyzer.Query]
// terms: what to look up in an index built with
// [Analyzer.AppendIndexTokens].
func (a *Analyzer) QueryTerms(q string) []string {
	return queryField(a.Query(q), func(t QueryTerm) bool { return true })
}

// KeyTerms returns the Term of each of the question's Key terms.
func (a *Analyzer) KeyTerms(q string) []string {
	return queryField(a.Query(q), func(t QueryTerm) bool { return t.Key })
}

// Names returns the Term of each of the question's Name terms.
func (a *Analyzer) Names(q string) []string {
	return queryField(a.Query(q), func(t QueryTerm) bool { return t.Name })
}

func queryField(terms []QueryTerm, keep func(QueryTerm) bool) []string {
	var out []string
	for _, t := range terms {
		if keep(t) {
			out = append(out, t.Term)
		}
	}
	return out
}

// stemmer stems tokens with one reusable Snowball environment, through
// an optional cache.
type stemmer struct {
	env   *snowballstem.Env
	cache *StemCache
}

// stem returns the stem of the folded token tok in a's language.
func (st *stemmer) stem(a *Analyzer, tok string) string {
	if a.stem == nil || !needsStem(tok) {
		return tok
	}
	if stem, ok := st.cache.lookup(a, tok); ok {
		return stem
	}
	word := tok
	ascii := isASCII(tok)
	if a.british && ascii {
		word = foldBritishWord(word)
	}
	if st.env == nil {
		st.env = snowballstem.NewEnv(word)
	} else {
		st.env.SetCurrent(word)
	}
	a.stem(st.env)
	stem := st.env.Current()
	if a.british && ascii {
		stem = foldBritishStem(stem)
	}
	if stem == "" || stem == tok {
		stem = tok // keep sharing tok's memory
	}
	st.cache.store(a, tok, stem)
	return stem
}

// needsStem reports whether a stemmer may change tok: not when it has
// fewer than three bytes (no Snowball stemmer shortens those, and the
// folded ones are ASCII), nor when it contains a digit ("2024", "f35").
func needsStem(tok string) bool {
	if len(tok) < 3 {
		return false
	}
	for i := 0; i < len(tok); i++ {
		if tok[i]-'0' < 10 {
			return false
		}
	}
	return true
}

// compoundRun collects the folded words of a run joined by hyphens.
type compoundRun struct {
	parts []string
	bytes int
}

// maxCompoundParts bounds the words of a hyphenated run that are joined
// into one term; longer runs ("a-b-c-d-e-f") are not words.
const maxCompoundParts = 4

func (c *compoundRun) add(tok string) {
	c.parts = append(c.parts, tok)
	c.bytes += len(tok)
}

// flush appends the stem of the run joined into one word, when it has two
// to maxCompoundParts parts and fits a term, and starts a new run.
func (c *compoundRun) flush(dst []string, a *Analyzer, st *stemmer) []string {
	if len(c.parts) >= 2 && len(c.parts) <= maxCompoundParts && c.bytes <= maxTermBytes {
		dst = append(dst, st.stem(a, strings.Join(c.parts, "")))
	}
	c.parts, c.bytes = c.parts[:0], 0
	return dst
}

// isHyphenGap reports whether gap, the text between two tokens, is one
// hyphen that joins them into a compound.
func isHyphenGap(gap string) bool {
	switch gap {
	case "-", "\u2010", "\u2011":
		return true
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// snowballEnglish stems a lowercase English word with Snowball alone.
func snowballEnglish(w string) string {
	env := snowballstem.NewEnv(w)
	english.Stem(env)
	return env.Current()
}

// wordSet is a set of folded words.
type wordSet map[string]struct{}

func (s wordSet) has(w string) bool {
	_, ok := s[w]
	return ok
}

// newWordSet returns the set of the words in the given space-separated
// lists, each folded as Tokens folds it.
func newWordSet(lists ...string) wordSet {
	set := wordSet{}
	for _, l := range lists {
		for _, w := range strings.Fields(l) {
			set[string(appendFolded(nil, w))] = struct{}{}
		}
	}
	return set
}

// union returns a set of the words of all the sets.
func union(sets ...wordSet) wordSet {
	u := wordSet{}
	for _, s := range sets {
		for w := range s {
			u[w] = struct{}{}
		}
	}
	return u
}

// englishQuestionWords are the English interrogatives.
const englishQuestionWords = `what whatever which whichever who whoever whom whose when whenever where wherever why how`

// plainAnalyzer folds without stemming, for languages Herald has no
// stemmer for.
var plainAnalyzer = &Analyzer{}

// analyzers maps language codes, aliases included ("nb" and "nn" for "no"),
// to their analyzers.
var analyzers = func() map[string]*Analyzer {
	snow := func(lang string, stem func(*snowballstem.Env) bool, function, question string) *Analyzer {
		q := newWordSet(question)
		return &Analyzer{lang: lang, stem: stem, stop: union(newWordSet(function), q), question: q}
	}
	en := &Analyzer{
		lang: "en", stem: english.Stem, british: true,
		stop: stopwords, question: newWordSet(englishQuestionWords), generic: genericWords,
	}
	deQuestion := newWordSet(germanQuestionWords)
	de := &Analyzer{
		lang: "de", stem: german.Stem,
		stop:     union(newWordSet(germanFunctionWords, germanOtherStopwords), deQuestion),
		question: deQuestion, generic: newWordSet(germanGenericWords),
		determiners: newWordSet(germanDeterminers), nounCaps: true,
	}
	no := snow("no", norwegian.Stem, "", "")
	m := map[string]*Analyzer{
		"en": en, "de": de,
		"fr": snow("fr", french.Stem, frenchFunctionWords, frenchQuestionWords),
		"es": snow("es", spanish.Stem, spanishFunctionWords, spanishQuestionWords),
		"it": snow("it", italian.Stem, italianFunctionWords, italianQuestionWords),
		"nl": snow("nl", dutch.Stem, dutchFunctionWords, dutchQuestionWords),
		"pt": snow("pt", portuguese.Stem, portugueseFunctionWords, portugueseQuestionWords),
		"ar": snow("ar", arabic.Stem, "", ""),
		"da": snow("da", danish.Stem, "", ""),
		"fi": snow("fi", finnish.Stem, "", ""),
		"ga": snow("ga", irish.Stem, "", ""),
		"hu": snow("hu", hungarian.Stem, "", ""),
		"no": no, "nb": no, "nn": no,
		"ro": snow("ro", romanian.Stem, "", ""),
		"ru": snow("ru", russian.Stem, "", ""),
		"sv": snow("sv", swedish.Stem, "", ""),
		"ta": snow("ta", tamil.Stem, "", ""),
		"tr": snow("tr", turkish.Stem, "", ""),
	}
	return m
}()
