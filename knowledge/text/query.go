package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxQueryTerms is the most terms [QueryTerms] returns.
const MaxQueryTerms = 32

// maxTermBytes bounds the length of a query term; longer tokens are
// dropped as they cannot be words anyone asks about.
const maxTermBytes = 128

// IsStopword reports whether tok, a lowercase token as returned by
// [Tokens], is an English stop word: a common function word, a question
// word (what, who, how, ...), an honorific (mr, dr, ...), a contraction
// fragment (s, t, ll, didn, ...), or any other single character that is
// not a digit. The empty string is a stop word.
func IsStopword(tok string) bool {
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
	_, ok := stopwords[tok]
	return ok
}

// QueryTerms returns the distinct content terms of the question q, in order
// of first appearance: its [Tokens] without stop words, at most
// [MaxQueryTerms] of them. Every term is a non-empty run of letters and
// digits only (at most 128 bytes): a term is only ever looked up in the
// index, never parsed, and operator words and syntax in q (AND, OR, NOT,
// NEAR, quotes, *, ^, :, parentheses) become ordinary terms or vanish. One exception to
// the stop list: in a question that is not written all in capitals, a
// stop word written in capitals is kept as an acronym ("the US", "the
// WHO"), except for AND, OR and NOT.
func QueryTerms(q string) []string {
	return queryField(scanQuery(q, nil, false), func(t QueryTerm) bool { return true })
}

// KeyTerms returns the terms of the question q (a subset of [QueryTerms],
// in the same order) that carry its specific meaning, for deciding whether
// evidence answers it. A term is key when it contains a digit (years,
// amounts), when it was written capitalised somewhere other than at the
// start of a sentence of q (names, places: "Who is Olaf Scholz?") or in
// capitals as an acronym, or when it has at least four letters and is not
// one of a small list of words generic to questions about news (year, week,
// people, country, news, said, report, according, latest, happened, ...)
// or verbs that only frame a question (held, took, found, called, ...).
// Short lowercase words ("war", "tax") and capitalised words opening a
// sentence are therefore key only by the length rule.
func KeyTerms(q string) []string {
	return queryField(scanQuery(q, nil, false), func(t QueryTerm) bool { return t.Key })
}

// Names returns the terms of the question q that name something: written
// capitalised other than at the start of a sentence, or as an acronym
// ("What did the French president say?" -> "french"). They are a subset
// of KeyTerms.
func Names(q string) []string {
	return queryField(scanQuery(q, nil, false), func(t QueryTerm) bool { return t.Name })
}

// queryWord is one distinct term of a question and how it was written.
type queryWord struct {
	QueryTerm
	capitalised bool // capitalised, somewhere not at a sentence start, and not a common noun
	acronym     bool // written in capitals, two letters or more
	digit       bool // contains a digit
}

// scanQuery returns the distinct content terms of q for analyzer a. With
// analyse false it is the English scan of QueryTerms, KeyTerms and Names:
// words as folded, English stop words, no compounds. With analyse true the
// terms are a's stems, with its stop and generic words, and hyphenated
// compounds are terms too.
func scanQuery(q string, a *Analyzer, analyse bool) []QueryTerm {
	var (
		words      []queryWord
		arena      strings.Builder
		scratch    []byte
		st         stemmer
		mixed      = hasLower(q) // acronyms only count in a question not all in capitals
		prevEnd    int
		prevTok    string
		prevFolded string
		run        compoundRun // the hyphenated run the current word is part of
		runCaps    bool        // whether the run's first word was capitalised
		full       bool
	)
	if !analyse {
		a = AnalyzerFor("en")
	}
	add := func(w queryWord) {
		for k := range words {
			if words[k].Term == w.Term {
				words[k].capitalised = words[k].capitalised || w.capitalised
				words[k].acronym = words[k].acronym || w.acronym
				return
			}
		}
		if len(words) == MaxQueryTerms {
			full = true
			return
		}
		words = append(words, w)
	}
	flushRun := func() {
		if analyse && len(run.parts) >= 2 && len(run.parts) <= maxCompoundParts && run.bytes <= maxTermBytes {
			word := strings.Join(run.parts, "")
			add(queryWord{QueryTerm: QueryTerm{Term: st.stem(a, word), Word: word, Compound: true}})
		}
		run.parts, run.bytes = run.parts[:0], 0
	}
	for i := 0; i < len(q) && !full; {
		start, end, plain := nextToken(q, i)
		if start < 0 {
			break
		}
		i = end
		orig := q[start:end]
		hyphen := prevTok != "" && isHyphenGap(q[prevEnd:start])
		atStart := prevTok == "" || sentenceBreakBetween(q[prevEnd:start], prevTok)
		prevEnd, prevTok = end, orig
		if len(orig) > maxTermBytes {
			flushRun()
			prevFolded = ""
			continue
		}
		term := orig
		if !plain {
			scratch = appendFolded(scratch[:0], orig)
			from := arena.Len()
			arena.Write(scratch)
			term = arena.String()[from:]
		}
		afterDeterminer := a.determiners.has(prevFolded)
		prevFolded = term
		if !isWord(term) {
			flushRun()
			continue
		}
		if !hyphen {
			flushRun()
		}
		capitalised := !atStart && startsUpper(orig)
		if a.nounCaps {
			// Every noun is capitalised: a capitalised word after a
			// determiner, or a generic one, is a common noun. The words
			// after a hyphen share the first one's status.
			capitalised = capitalised && !afterDeterminer && !a.generic.has(term)
			if hyphen {
				capitalised = runCaps
			}
		}
		if !hyphen {
			runCaps = capitalised
		}
		run.add(term)
		acronym := mixed && isAcronym(orig)
		if a.IsStopword(term) && (!acronym || term == "and" || term == "or" || term == "not") {
			continue
		}
		stem := term
		if analyse {
			stem = st.stem(a, term)
		}
		add(queryWord{QueryTerm: QueryTerm{Term: stem, Word: term}, capitalised: capitalised, acronym: acronym, digit: hasDigit(term)})
	}
	if !full {
		flushRun()
	}
	if len(words) == 0 {
		return nil
	}
	terms := make([]QueryTerm, len(words))
	for k, w := range words {
		t := w.QueryTerm
		if !t.Compound {
			t.Name = w.capitalised || w.acronym
			t.Key = t.Name || w.digit || (utf8.RuneCountInString(t.Word) >= 4 && !a.generic.has(t.Word))
		}
		terms[k] = t
	}
	return terms
}

// sentenceBreakBetween reports whether gap, the text between a token prev
// and the next one, ends a sentence, so the next token opens one. A stop
// after an initial or a known abbreviation ("Dr. Oz") does not.
func sentenceBreakBetween(gap, prev string) bool {
	if strings.ContainsAny(gap, "!?\n…") {
		return true
	}
	if strings.IndexByte(gap, '.') < 0 {
		return false
	}
	if utf8.RuneCountInString(prev) == 1 && startsUpper(prev) {
		return false
	}
	return abbreviations[prev] != abbrAlways
}

// isWord reports whether t is non-empty and only letters and digits.
func isWord(t string) bool {
	for _, r := range t {
		if !unicode.IsLetter(r) && !unicode.IsNumber(r) {
			return false
		}
	}
	return t != ""
}

func isAcronym(t string) bool {
	letters := 0
	for _, r := range t {
		if unicode.IsLower(r) {
			return false
		}
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters >= 2
}

func startsUpper(t string) bool {
	r, _ := utf8.DecodeRuneInString(t)
	return unicode.IsUpper(r) || unicode.IsTitle(r)
}

func hasLower(s string) bool {
	for _, r := range s {
		if unicode.IsLower(r) {
			return true
		}
	}
	return false
}

func hasDigit(t string) bool {
	for _, r := range t {
		if unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// stopwords lists English function words, question words and the
// fragments contractions leave behind ("didn't" -> "didn", "t"). Single
// characters are handled by IsStopword itself.
var stopwords = wordSet{
	"about": {}, "above": {}, "across": {}, "after": {}, "afterwards": {}, "again": {},
	"against": {}, "all": {}, "almost": {}, "alone": {}, "along": {}, "already": {},
	"also": {}, "although": {}, "always": {}, "am": {}, "among": {}, "amongst": {},
	"an": {}, "and": {}, "another": {}, "any": {}, "anybody": {}, "anyhow": {},
	"anyone": {}, "anything": {}, "anyway": {}, "anywhere": {}, "are": {}, "around": {},
	"as": {}, "at": {}, "be": {}, "became": {}, "because": {}, "become": {},
	"becomes": {}, "been": {}, "before": {}, "being": {}, "below": {}, "beside": {},
	"besides": {}, "between": {}, "beyond": {}, "both": {}, "but": {}, "by": {},
	"can": {}, "cannot": {}, "could": {}, "did": {}, "do": {}, "does": {},
	"doing": {}, "done": {}, "down": {}, "during": {}, "each": {}, "either": {},
	"else": {}, "elsewhere": {}, "enough": {}, "etc": {}, "even": {}, "ever": {},
	"every": {}, "everybody": {}, "everyone": {}, "everything": {}, "everywhere": {}, "few": {},
	"for": {}, "from": {}, "further": {}, "furthermore": {}, "get": {}, "gets": {},
	"getting": {}, "got": {}, "had": {}, "has": {}, "have": {}, "having": {},
	"he": {}, "hence": {}, "her": {}, "here": {}, "hers": {}, "herself": {},
	"him": {}, "himself": {}, "his": {}, "how": {}, "however": {}, "if": {},
	"in": {}, "indeed": {}, "into": {}, "is": {}, "it": {}, "its": {},
	"itself": {}, "just": {}, "least": {}, "less": {}, "let": {}, "lets": {},
	"may": {}, "maybe": {}, "me": {}, "meanwhile": {}, "might": {}, "mine": {},
	"more": {}, "moreover": {}, "most": {}, "mostly": {}, "must": {}, "my": {},
	"myself": {}, "neither": {}, "never": {}, "nevertheless": {}, "no": {}, "nobody": {},
	"none": {}, "nor": {}, "not": {}, "nothing": {}, "now": {}, "nowhere": {},
	"of": {}, "off": {}, "often": {}, "on": {}, "once": {}, "only": {},
	"onto": {}, "or": {}, "other": {}, "others": {}, "otherwise": {}, "ought": {},
	"our": {}, "ours": {}, "ourselves": {}, "out": {}, "over": {}, "own": {},
	"per": {}, "perhaps": {}, "please": {}, "quite": {}, "rather": {}, "really": {},
	"same": {}, "shall": {}, "she": {}, "should": {}, "since": {}, "so": {},
	"some": {}, "somebody": {}, "somehow": {}, "someone": {}, "something": {}, "somewhere": {},
	"such": {}, "than": {}, "that": {}, "the": {}, "their": {}, "theirs": {},
	"them": {}, "themselves": {}, "then": {}, "there": {}, "thereby": {}, "therefore": {},
	"these": {}, "they": {}, "this": {}, "those": {}, "though": {}, "through": {},
	"throughout": {}, "thus": {}, "to": {}, "together": {}, "too": {}, "toward": {},
	"towards": {}, "under": {}, "unless": {}, "until": {}, "up": {}, "upon": {},
	"us": {}, "very": {}, "via": {}, "was": {}, "we": {}, "were": {},
	"what": {}, "whatever": {}, "when": {}, "whenever": {}, "where": {}, "whereas": {},
	"wherever": {}, "whether": {}, "which": {}, "whichever": {}, "while": {}, "who": {},
	"whoever": {}, "whole": {}, "whom": {}, "whose": {}, "why": {}, "will": {},
	"with": {}, "within": {}, "without": {}, "would": {}, "yes": {}, "yet": {},
	"you": {}, "your": {}, "yours": {}, "yourself": {}, "yourselves": {},
	// Honorifics, which name no one by themselves.
	"mr": {}, "mrs": {}, "ms": {}, "mx": {}, "dr": {}, "prof": {},
	// Contraction fragments; "won" and "don" stay, being words and names too.
	"ll": {}, "ve": {}, "re": {}, "isn": {}, "aren": {}, "wasn": {},
	"weren": {}, "hasn": {}, "haven": {}, "hadn": {}, "doesn": {}, "didn": {},
	"wouldn": {}, "couldn": {}, "shouldn": {}, "mustn": {}, "needn": {}, "shan": {},
	"ain": {}, "im": {}, "ive": {}, "youre": {}, "theyre": {}, "dont": {},
	"doesnt": {}, "didnt": {}, "isnt": {}, "wasnt": {}, "cant": {},
}

// genericWords lists content words too common in questions about news to
// show what a question is specifically about; KeyTerms skips them.
var genericWords = wordSet{
	"year": {}, "years": {}, "week": {}, "weeks": {}, "weekend": {},
	"month": {}, "months": {}, "day": {}, "days": {}, "today": {},
	"tonight": {}, "yesterday": {}, "tomorrow": {}, "time": {}, "times": {},
	"ago": {}, "recent": {}, "recently": {}, "lately": {}, "latest": {},
	"last": {}, "first": {}, "next": {}, "past": {}, "earlier": {},
	"later": {}, "current": {}, "currently": {}, "people": {}, "person": {},
	"country": {}, "countries": {}, "world": {}, "new": {}, "news": {},
	"said": {}, "say": {}, "says": {}, "saying": {}, "told": {},
	"tell": {}, "according": {}, "report": {}, "reports": {}, "reported": {},
	"reporting": {}, "story": {}, "stories": {}, "article": {}, "articles": {},
	"headline": {}, "headlines": {}, "source": {}, "sources": {}, "many": {},
	"much": {}, "number": {}, "happen": {}, "happened": {}, "happens": {},
	"happening": {}, "going": {}, "know": {}, "known": {}, "think": {},
	"thing": {}, "things": {}, "information": {}, "info": {}, "detail": {},
	"details": {}, "explain": {}, "mean": {}, "means": {}, "make": {},
	"made": {}, "give": {}, "take": {}, "want": {}, "like": {},
	"situation": {}, "update": {}, "updates": {}, "summary": {}, "summarize": {},
	"summarise": {}, "overview": {}, "issue": {}, "issues": {}, "event": {},
	"events": {}, "thoughts": {}, "opinion": {}, "important": {}, "main": {},
	"still": {}, "well": {}, "good": {}, "kind": {}, "reason": {},
	"reasons": {}, "result": {}, "results": {}, "role": {}, "anyone": {},
	"something": {}, "about": {}, "there": {}, "their": {}, "would": {},
	// Common verbs that frame a question rather than say what it is about.
	"held": {}, "hold": {}, "holds": {}, "took": {}, "taken": {},
	"takes": {}, "gave": {}, "given": {}, "gives": {}, "come": {},
	"came": {}, "comes": {}, "goes": {}, "went": {}, "gone": {},
	"makes": {}, "used": {}, "uses": {}, "using": {}, "wants": {},
	"need": {}, "needs": {}, "find": {}, "found": {}, "look": {},
	"looks": {}, "keep": {}, "kept": {}, "show": {}, "shows": {},
	"showed": {}, "shown": {}, "seen": {}, "seem": {}, "seems": {},
	"become": {}, "became": {}, "started": {}, "begin": {}, "began": {},
	"called": {}, "call": {}, "plan": {}, "plans": {}, "planned": {},
	"believe": {}, "doing": {}, "done": {}, "exactly": {}, "really": {},
	"different": {}, "major": {}, "biggest": {}, "best": {}, "worst": {},
}
