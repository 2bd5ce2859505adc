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
	qts := scanQuery(q)
	if len(qts) == 0 {
		return nil
	}
	terms := make([]string, len(qts))
	for i, qt := range qts {
		terms[i] = qt.term
	}
	return terms
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
	var keys []string
	for _, qt := range scanQuery(q) {
		if qt.capitalised || qt.acronym || qt.digit ||
			(utf8.RuneCountInString(qt.term) >= 4 && !genericWords[qt.term]) {
			keys = append(keys, qt.term)
		}
	}
	return keys
}

// Names returns the terms of the question q that name something: written
// capitalised other than at the start of a sentence, or as an acronym
// ("What did the French president say?" -> "french"). They are a subset
// of KeyTerms.
func Names(q string) []string {
	var names []string
	for _, qt := range scanQuery(q) {
		if qt.capitalised || qt.acronym {
			names = append(names, qt.term)
		}
	}
	return names
}

// queryTerm is one distinct term of a question and how it was written.
type queryTerm struct {
	term        string
	capitalised bool // capitalised, somewhere not at a sentence start
	acronym     bool // written in capitals, two letters or more
	digit       bool // contains a digit
}

// scanQuery returns the distinct content terms of q with how they were
// written.
func scanQuery(q string) []queryTerm {
	var (
		terms   []queryTerm
		arena   strings.Builder
		scratch []byte
		mixed   = hasLower(q) // acronyms only count in a question not all in capitals
		prevEnd int
		prevTok string
	)
	for i := 0; i < len(q); {
		start, end, plain := nextToken(q, i)
		if start < 0 {
			break
		}
		i = end
		orig := q[start:end]
		atStart := prevTok == "" || sentenceBreakBetween(q[prevEnd:start], prevTok)
		prevEnd, prevTok = end, orig
		if len(orig) > maxTermBytes {
			continue
		}
		term := orig
		if !plain {
			scratch = appendFolded(scratch[:0], orig)
			from := arena.Len()
			arena.Write(scratch)
			term = arena.String()[from:]
		}
		if !isWord(term) {
			continue
		}
		acronym := mixed && isAcronym(orig)
		if IsStopword(term) && (!acronym || term == "and" || term == "or" || term == "not") {
			continue
		}
		capitalised := !atStart && startsUpper(orig)
		k := 0
		for k < len(terms) && terms[k].term != term {
			k++
		}
		if k < len(terms) {
			terms[k].capitalised = terms[k].capitalised || capitalised
			terms[k].acronym = terms[k].acronym || acronym
			continue
		}
		if len(terms) == MaxQueryTerms {
			break
		}
		terms = append(terms, queryTerm{term: term, capitalised: capitalised, acronym: acronym, digit: hasDigit(term)})
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
var stopwords = map[string]struct{}{
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
var genericWords = map[string]bool{
	"year": true, "years": true, "week": true, "weeks": true, "weekend": true,
	"month": true, "months": true, "day": true, "days": true, "today": true,
	"tonight": true, "yesterday": true, "tomorrow": true, "time": true, "times": true,
	"ago": true, "recent": true, "recently": true, "lately": true, "latest": true,
	"last": true, "first": true, "next": true, "past": true, "earlier": true,
	"later": true, "current": true, "currently": true, "people": true, "person": true,
	"country": true, "countries": true, "world": true, "new": true, "news": true,
	"said": true, "say": true, "says": true, "saying": true, "told": true,
	"tell": true, "according": true, "report": true, "reports": true, "reported": true,
	"reporting": true, "story": true, "stories": true, "article": true, "articles": true,
	"headline": true, "headlines": true, "source": true, "sources": true, "many": true,
	"much": true, "number": true, "happen": true, "happened": true, "happens": true,
	"happening": true, "going": true, "know": true, "known": true, "think": true,
	"thing": true, "things": true, "information": true, "info": true, "detail": true,
	"details": true, "explain": true, "mean": true, "means": true, "make": true,
	"made": true, "give": true, "take": true, "want": true, "like": true,
	"situation": true, "update": true, "updates": true, "summary": true, "summarize": true,
	"summarise": true, "overview": true, "issue": true, "issues": true, "event": true,
	"events": true, "thoughts": true, "opinion": true, "important": true, "main": true,
	"still": true, "well": true, "good": true, "kind": true, "reason": true,
	"reasons": true, "result": true, "results": true, "role": true, "anyone": true,
	"something": true, "about": true, "there": true, "their": true, "would": true,
	// Common verbs that frame a question rather than say what it is about.
	"held": true, "hold": true, "holds": true, "took": true, "taken": true,
	"takes": true, "gave": true, "given": true, "gives": true, "come": true,
	"came": true, "comes": true, "goes": true, "went": true, "gone": true,
	"makes": true, "used": true, "uses": true, "using": true, "wants": true,
	"need": true, "needs": true, "find": true, "found": true, "look": true,
	"looks": true, "keep": true, "kept": true, "show": true, "shows": true,
	"showed": true, "shown": true, "seen": true, "seem": true, "seems": true,
	"become": true, "became": true, "started": true, "begin": true, "began": true,
	"called": true, "call": true, "plan": true, "plans": true, "planned": true,
	"believe": true, "doing": true, "done": true, "exactly": true, "really": true,
	"different": true, "major": true, "biggest": true, "best": true, "worst": true,
}
