package extract

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/herald-bot/herald/knowledge/text"
)

// answerCandidate is a span of an evidence sentence that may be what a question
// asks for: a name, a number with its unit, an amount, a date, a reason.
type answerCandidate struct {
	start, end int    // byte offsets in the sentence
	text       string // as written
	// key is what copies of one candidate share across sentences and
	// articles ("jill biden", "n:6:month").
	key string
	// fit says how well the candidate fits what is asked, from 0 to 1.
	fit float64
}

// questionFacts are what candidate extraction needs to know about the
// question: its words' stems, and its numbers.
type questionFacts struct {
	asked   askedFor
	an      *text.Analyzer
	stems   map[string]bool // stems of the question's words, function words included
	numbers map[string]bool // the values of the numbers written in the question
	focus   map[string]bool // stems of the focus words
	// lowerSeen holds the folded words the evidence writes in lowercase
	// somewhere: such a word capitalised at a sentence's start is no name.
	lowerSeen map[string]bool
	// capSeen holds the folded words the evidence capitalises somewhere
	// other than at a sentence's start.
	capSeen map[string]bool
	// headSeen holds the folded words the evidence's headlines open with.
	headSeen map[string]bool
	// topics holds the stems of the words that a best article's headline
	// holds and its text repeats, that the question lacks: what the
	// story is about ("monkeypox").
	topics map[string]bool
	cache  *text.StemCache
	lex    *lexicon // the words of the question's language
}

func (q *questionFacts) stem(fold string) string { return q.cache.Stem(q.an, fold) }

// newQuestionFacts reads the facts candidate extraction needs from a
// question (its time words already taken out).
func newQuestionFacts(question string, asked askedFor, an *text.Analyzer, cache *text.StemCache) *questionFacts {
	q := &questionFacts{asked: asked, an: an, stems: map[string]bool{}, numbers: map[string]bool{}, focus: map[string]bool{},
		lowerSeen: map[string]bool{}, capSeen: map[string]bool{}, headSeen: map[string]bool{}, cache: cache, lex: lexiconFor(an.Language())}
	ws := scanPlainWords(question)
	for _, w := range ws {
		q.stems[q.stem(w.fold)] = true
		q.stems[w.fold] = true
	}
	for _, n := range scanNumbers(question, ws, q) {
		q.numbers[n.value] = true
	}
	for _, f := range asked.focus {
		q.focus[q.stem(f)] = true
	}
	return q
}

// noteCase records the words a sentence writes in lowercase, and those
// it capitalises other than at its start.
func (q *questionFacts) noteCase(ws []qword) {
	for k, w := range ws {
		r, _ := utf8.DecodeRuneInString(w.orig)
		switch {
		case unicode.IsLower(r):
			q.lowerSeen[w.fold] = true
		case k > 0 && unicode.IsUpper(r):
			q.capSeen[w.fold] = true
		}
	}
}

// findCandidates returns the candidates of sentence s (its words ws) for
// what the question asks, leaving out those the question already holds.
func findCandidates(s string, ws []qword, q *questionFacts) []answerCandidate {
	var out []answerCandidate
	k := q.asked.kind
	switch k {
	case askPerson, askPlace, askOrganisation, askOther, askYesNo:
		out = append(out, nameCandidates(s, ws, q)...)
		out = append(out, titleCandidates(s, q)...)
		if k == askOther && len(q.asked.focus) > 0 && len(q.topics) > 0 {
			// "Which virus...": what a best story is about may be a
			// common noun ("monkeypox").
			seen := map[string]bool{}
			for _, w := range ws {
				if st := q.stem(w.fold); q.topics[st] && !seen[st] {
					seen[st] = true
					out = append(out, answerCandidate{start: w.start, end: w.end, text: w.orig, key: "t:" + st, fit: topicFit})
				}
			}
		}
		if k == askOther || k == askYesNo {
			for _, n := range scanNumbers(s, ws, q) {
				if !q.numbers[n.value] && n.class != numYear {
					out = append(out, n.candidate(s, 0.2))
				}
			}
		}
	case askNumber, askMoney, askPercent:
		for _, n := range scanNumbers(s, ws, q) {
			if q.numbers[n.value] {
				continue
			}
			if fit := n.fit(q); fit > 0 {
				out = append(out, n.candidate(s, fit))
			}
		}
	case askDate:
		out = append(out, dateCandidates(s, ws, q)...)
	case askReason, askManner:
		out = append(out, clauseCandidates(s, ws, q)...)
	case askExpansion:
		out = append(out, expansionCandidates(s, ws, q)...)
	}
	return out
}

// topicFit is how well a word a best story is about fits a question
// asking for a thing by a common noun ("Which virus...").
const topicFit = 0.3

// newness scales a candidate's fit by how much of it the question lacks:
// 0 when the question holds all of its words, 1 when none.
func (q *questionFacts) newness(ws []qword) float64 {
	content, known := 0, 0
	for i, w := range ws {
		if q.an.IsFunctionWord(w.fold) {
			continue
		}
		content++
		// The generic head of a longer name ("City" in "Mexico City",
		// "Group") is not what the question holds when it speaks of
		// cities or groups.
		if i > 0 && (q.lex.placeWords[w.fold] || q.lex.isOrgWord(w.fold)) {
			continue
		}
		if q.stems[q.stem(w.fold)] || q.stems[w.fold] {
			known++
		}
	}
	if content == 0 {
		return 0
	}
	if known == 0 {
		return 1
	}
	if known == content {
		return 0
	}
	return 0.6
}

// Name spans.

// nameHints are the hints a name span carries.
type nameHints struct {
	person, org, acronym bool
	// speaker says a verb of speech follows the name ("Pistorius said"):
	// a person's, or an organisation's ("Walmart said").
	speaker bool
	appos   bool // a name in apposition to a common noun ("die Eintracht Lindenfeld")
	// place is how surely the name is a place's: 1 for a country, state
	// or continent, less for a name ending in "City" or "Island", less
	// again after "in".
	place float64
	words int
}

// nameCandidates returns the runs of capitalised words of s ("Olaf
// Scholz", "Bed Bath & Beyond", "Friedrich Ebert Foundation"), without a
// leading title or a sentence's first word when it is a common word, each
// fitted to the kind asked for by its hints: a title or a word such as
// "star" before it (a person), a word such as "Foundation" in it (an
// organisation), a country or state, or "in" before it (a place).
func nameCandidates(s string, ws []qword, q *questionFacts) []answerCandidate {
	var out []answerCandidate
	for i := 0; i < len(ws); {
		if !isCapWord(ws[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(ws) {
			gap := s[ws[j-1].end:ws[j].start]
			if isCapWord(ws[j]) && nameGap(gap, ws[j-1]) {
				j++
				continue
			}
			if j+1 < len(ws) && q.lex.nameConnectors[ws[j].orig] && isSpaces(gap) && isSpaces(s[ws[j].end:ws[j+1].start]) && isCapWord(ws[j+1]) {
				j += 2
				continue
			}
			if isDigitByte(ws[j].orig[0]) && len(ws[j].orig) <= 2 && isSpaces(gap) && !q.lex.isDateWord(ws[j-1].fold) {
				j++ // "Artemis 1"
			}
			break
		}
		span := ws[i:j]
		i = j
		var h nameHints
		// A sentence's first word is capitalised anyway: it belongs to a
		// name when the evidence capitalises it elsewhere too, or never
		// writes it in lowercase and it opens a longer name.
		if len(span) > 0 && span[0].start == ws[0].start && !isAcronymWord(span[0].orig) {
			f := span[0].fold
			// In a language that capitalises its nouns, the word that opens
			// a sentence opens no name unless the evidence capitalises it
			// elsewhere ("Leere Bahnsteige", "Russische Dienste"); in
			// English, a single word does when a headline opens with it
			// and the evidence never writes it in lowercase ("Walmart").
			if q.an.IsStopword(f) || !q.capSeen[f] && !q.lex.places[f] && (q.lowerSeen[f] || len(span) == 1 && !q.headSeen[f] || q.lex.nounCaps) {
				span = span[1:]
			}
		}
		var appos *qword // the common noun a German name stands in apposition to
		if q.lex.nounCaps {
			span, appos = dropCommonNoun(s, ws, span, q)
		}
		for len(span) > 1 && (q.an.IsStopword(span[0].fold) && !isAcronymWord(span[0].orig) || q.lex.isDateWord(span[0].fold)) {
			span = span[1:]
		}
		for len(span) > 1 && q.lex.isDateWord(span[len(span)-1].fold) {
			span = span[:len(span)-1]
		}
		// Titles before a name say it is a person's and are left out.
		for k := len(span) - 2; k >= 0; k-- {
			if q.lex.isPersonTitle(span[k].fold) {
				h.person = true
				span = span[k+1:]
				break
			}
		}
		for len(span) > 0 && q.lex.nameConnectors[span[len(span)-1].orig] {
			span = span[:len(span)-1]
		}
		// Leading words the question holds describe the name ("German"
		// in "the German Friedrich Ebert Foundation").
		for len(span) > 1 && q.stems[q.stem(span[0].fold)] {
			span = span[1:]
		}
		if len(span) == 0 || allDateWords(span, q.lex) || q.lex.isPersonTitle(span[0].fold) && len(span) == 1 || isDigitByte(span[0].orig[0]) {
			continue
		}
		h.words = len(span)
		if appos != nil && len(span) > 0 {
			// What a name stands in apposition to says what it names.
			switch f := appos.fold; {
			case q.lex.isPersonTitle(f):
				h.person = true
			case q.lex.isOrgWord(f):
				h.org = true
			case q.lex.placeWords[f] || hasAnySuffix(f, placeSuffixes(q.lex)):
				h.place = 0.9
			default:
				h.appos = true
			}
		}
		if after := wordAfter(ws, span[len(span)-1]); after != nil && q.lex.speechVerbs[after.fold] {
			h.speaker = true // "Pistorius said", "Walmart said"
		}
		if before := wordBefore(ws, span[0]); before != nil {
			switch {
			case q.lex.personCues[before.fold]:
				h.person = true
			case q.lex.placePrepositions[before.fold]:
				h.place = 0.6
			case q.lex.nounCaps && q.lex.speechVerbs[before.fold]:
				h.person = true // "sagte Pistorius"
			}
		}
		full := strings.ToLower(s[span[0].start:span[len(span)-1].end])
		full = strings.Join(strings.Fields(strings.Join(text.Tokens(full), " ")), " ")
		for _, w := range span {
			if q.lex.isOrgWord(w.fold) {
				h.org = true
			}
			if q.lex.placeWords[w.fold] && len(span) > 1 {
				h.place = max(h.place, 0.9)
			}
		}
		if q.lex.places[full] {
			h.place, h.org = 1, false
		}
		h.acronym = len(span) == 1 && isAcronymWord(span[0].orig)
		nw := q.newness(span)
		if nw == 0 {
			continue
		}
		fit := h.fit(q.asked.kind) * nw
		if q.lex.nounCaps && len(span) == 1 && !h.acronym && !h.person && !h.org && h.place == 0 && !h.appos {
			// One capitalised word in a language that capitalises its
			// nouns is a name only when nothing says it is a noun.
			if germanNoun(span[0].fold) {
				continue
			}
			fit *= 0.6
		}
		if fit <= 0 {
			continue
		}
		out = append(out, answerCandidate{start: span[0].start, end: span[len(span)-1].end, text: s[span[0].start:span[len(span)-1].end],
			key: nameKey(span, q), fit: fit})
	}
	return out
}

// dropCommonNoun drops from a run of capitalised words, in a language
// that capitalises every noun, the common noun that opens it: a word after
// a determiner, or after a determiner and the lowercase adjectives or the
// number between them ("die neue Rheinbrücke", "die 14. Kammer"), with
// the words hyphenated to it ("die Krim-Brücke"). Acronyms and known
// places stay names ("die SPD", "die Ukraine"). It also returns the noun
// dropped, when the rest is a name in apposition to it ("vom Fliegerhorst
// Jagel", "das Arbeitsgericht Frankfurt").
func dropCommonNoun(s string, ws []qword, span []qword, q *questionFacts) ([]qword, *qword) {
	determined := false
	for len(span) > 1 && q.lex.determiners[span[0].fold] {
		span, determined = span[1:], true // "Der Ausstand" after a colon
	}
	if len(span) == 0 || isAcronymWord(span[0].orig) || q.lex.places[span[0].fold] {
		return span, nil
	}
	k := -1
	for i := range ws {
		if ws[i].start == span[0].start {
			k = i
			break
		}
	}
	for b := k - 1; b >= 0 && b >= k-3 && !determined; b-- {
		w := ws[b]
		if q.lex.determiners[w.fold] {
			determined = true
			break
		}
		if isCapWord(w) || q.an.IsFunctionWord(w.fold) || strings.ContainsAny(s[w.end:ws[b+1].start], ",;:()") {
			break
		}
	}
	if !determined {
		return span, nil
	}
	n := 1
	for n < len(span) && strings.TrimSpace(s[span[n-1].end:span[n].start]) == "-" {
		n++
	}
	noun := span[n-1]
	return span[n:], &noun
}

// fit is how well a name with these hints answers a question of kind k.
func (h nameHints) fit(k answerKind) float64 {
	switch k {
	case askPerson:
		switch {
		case h.org, h.acronym:
			return 0.1
		case h.place == 1:
			return 0.05
		case h.person, h.speaker:
			return 1
		case h.place > 0:
			return 0.2
		case h.words >= 2:
			return 0.7
		}
		return 0.5
	case askPlace:
		switch {
		case h.place > 0 && !h.org:
			return h.place
		case h.person, h.speaker:
			return 0.05
		case h.org:
			return 0.2
		}
		return 0.3
	case askOrganisation:
		switch {
		case h.org:
			return 1
		case h.person:
			return 0.1
		case h.place == 1:
			return 0.15
		case h.acronym:
			return 0.7
		case h.speaker:
			return 0.5
		}
		return 0.55
	case askOther:
		if h.person || h.speaker {
			return 0.3
		}
		return 0.5
	case askYesNo:
		return 0.2
	}
	return 0
}

func nameKey(span []qword, q *questionFacts) string {
	parts := make([]string, len(span))
	for i, w := range span {
		parts[i] = q.stem(w.fold)
	}
	return "name:" + strings.Join(parts, " ")
}

func isCapWord(w qword) bool {
	r, _ := utf8.DecodeRuneInString(w.orig)
	if unicode.IsUpper(r) {
		return true
	}
	// "d'Alene", "al-Assad" are capitalised after their particle.
	if i := strings.IndexAny(w.orig, "'’-"); i > 0 && i <= 2 {
		_, size := utf8.DecodeRuneInString(w.orig[i:])
		r, _ = utf8.DecodeRuneInString(w.orig[i+size:])
		return unicode.IsUpper(r)
	}
	return false
}

// nameGap reports whether gap, between two capitalised words, keeps them
// in one name: spaces, a hyphen, " & ", or the full stop of an initial or
// a short title ("John F. Kennedy", "Dr. Jill Biden").
func nameGap(gap string, prev qword) bool {
	switch strings.TrimSpace(gap) {
	case "":
		return gap != ""
	case "-", "&":
		return true
	case ".":
		return utf8.RuneCountInString(prev.orig) <= 3 && gap[0] == '.'
	}
	return false
}

func isSpaces(s string) bool { return s != "" && strings.TrimSpace(s) == "" }

func wordBefore(ws []qword, w qword) *qword {
	for i := range ws {
		if ws[i].start == w.start {
			if i == 0 {
				return nil
			}
			return &ws[i-1]
		}
	}
	return nil
}

func wordAfter(ws []qword, w qword) *qword {
	for i := range ws {
		if ws[i].start == w.start {
			if i+1 == len(ws) {
				return nil
			}
			return &ws[i+1]
		}
	}
	return nil
}

// speechVerbs after a name say it is a person's.
var speechVerbs = map[string]bool{"said": true, "says": true, "told": true, "added": true, "wrote": true,
	"explained": true, "tweeted": true, "stated": true, "argued": true, "insisted": true, "recalled": true}

func allDateWords(span []qword, lex *lexicon) bool {
	for _, w := range span {
		if !lex.isDateWord(w.fold) {
			return false
		}
	}
	return true
}

// titleCandidates returns the quoted titles of s (“Squid Game”, German
// „Nordwind“ and »Tatort«, and in single quotes as headlines write them:
// 'Squid Game'): a quoted run of at most eight words that starts with a
// capital.
func titleCandidates(s string, q *questionFacts) []answerCandidate {
	var out []answerCandidate
	for _, sp := range quotedSpans(s) {
		inner := s[sp.Start:sp.End]
		ws := scanPlainWords(inner)
		if len(ws) == 0 || len(ws) > 8 || !isCapWord(ws[0]) {
			continue
		}
		// Titles of works capitalise most of their words; a quoted
		// sentence does not.
		caps := 0
		for _, w := range ws {
			if isCapWord(w) {
				caps++
			}
		}
		if caps*2 < len(ws) {
			continue
		}
		nw := q.newness(ws)
		if nw == 0 {
			continue
		}
		fit := 0.8
		switch q.asked.kind {
		case askPerson, askPlace, askYesNo:
			fit = 0.2
		case askOrganisation:
			fit = 0.4
		}
		for k := range ws {
			ws[k].start += sp.Start
			ws[k].end += sp.Start
		}
		out = append(out, answerCandidate{start: sp.Start, end: sp.End, text: inner, key: nameKey(ws, q), fit: fit * nw})
	}
	return out
}

// quotedSpans returns the insides of the quotations of s: between “ and
// ”, between straight double quotes, German „ and “ and » and «, and
// between single quotes (‘ and ’,
// or ') that open after a space or a sentence's start and close before
// one or a punctuation mark, so that apostrophes ("Scholz's") are no
// quotes. A trailing comma or full stop inside the quotes is left out.
func quotedSpans(s string) []text.Span {
	var out []text.Span
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		var closers string
		switch r {
		case '“':
			closers = "”"
		case '"':
			closers = "\""
		case '„':
			closers = "“”"
		case '»':
			closers = "«"
		case '«':
			closers = "»"
		case '‘', '\'':
			if i > 0 {
				if p, _ := utf8.DecodeLastRuneInString(s[:i]); !unicode.IsSpace(p) && !strings.ContainsRune("([{—–-:", p) {
					i += size
					continue
				}
			}
			closers = "’'"
		default:
			i += size
			continue
		}
		start := i + size
		end := -1
		for j := start; j < len(s); {
			c, csize := utf8.DecodeRuneInString(s[j:])
			if strings.ContainsRune(closers, c) {
				next, _ := utf8.DecodeRuneInString(s[j+csize:])
				if closers != "’'" || j+csize == len(s) || !unicode.IsLetter(next) && !unicode.IsDigit(next) {
					end = j
					break
				}
			}
			j += csize
		}
		if end < 0 {
			i = start
			continue
		}
		inner := strings.TrimRight(s[start:end], ",.")
		out = append(out, text.Span{Start: start, End: start + len(inner)})
		_, csize := utf8.DecodeRuneInString(s[end:])
		i = end + csize
	}
	return out
}

// Numbers.

// numClass is what a number in a sentence measures.
type numClass uint8

const (
	numPlain numClass = iota
	numMoney
	numPercent
	numYear
)

// number is a number written in a sentence, with what follows it.
type number struct {
	start, end int // the number, its currency sign and unit included
	value      string
	class      numClass
	unitClass  unitClass // when the unit is a known measure
	known      bool      // the unit is a known measure
	next       []string  // stems of up to three words after the number
	prev       []string  // stems of the content words just before it ("magnitude 5.9", "a population of 800")
	nextWord   bool      // a content word follows the number
	vague      bool      // "dozens", "millions": no number at all
	// owner is the stem of whose age an age is: the name before it ("Abe,
	// 67,") or the noun after it ("the 41-year-old suspect"), or "".
	owner string
}

// scanNumbers returns the numbers of s: digits ("2,000", "4.96") or
// number words ("six", "two million"), with a currency sign or word, a
// percent sign or word, or a unit after them ("500 kilometers",
// "38-minute").
func scanNumbers(s string, ws []qword, q *questionFacts) []number {
	var out []number
	for i := 0; i < len(ws); i++ {
		lex := q.lex
		v, ok := lex.numberValue(ws[i])
		if !ok {
			continue
		}
		if ws[i].fold == lex.oneOf[0] && i+1 < len(ws) && ws[i+1].fold == lex.oneOf[1] {
			continue // "one of the biggest"
		}
		n := number{start: ws[i].start, end: ws[i].end, vague: lex.vagueNumbers[ws[i].fold]}
		j := i + 1
		for j < len(ws) && isSpaces(s[ws[j-1].end:ws[j].start]) {
			m, ok := lex.scale[ws[j].fold]
			if !ok {
				break
			}
			v *= m
			n.end = ws[j].end
			j++
		}
		n.value = strconv.FormatFloat(v, 'f', -1, 64)
		before := s[:ws[i].start]
		if prev := strings.TrimRight(before, " "); strings.HasSuffix(prev, "$") || strings.HasSuffix(prev, "€") || strings.HasSuffix(prev, "£") || strings.HasSuffix(prev, "¥") {
			n.class = numMoney
			n.start = len(prev) - len(lastRuneString(prev))
		}
		after := s[n.end:]
		if strings.HasPrefix(strings.TrimLeft(after, " "), "%") {
			n.class = numPercent
			n.end += strings.Index(after, "%") + 1
		}
		if sign := strings.TrimLeft(after, " \u00a0"); lex.currencyAfter && n.class == numPlain && (strings.HasPrefix(sign, "€") || strings.HasPrefix(sign, "$")) {
			n.class = numMoney // "500 €"
			_, size := utf8.DecodeRuneInString(sign)
			n.end += len(after) - len(sign) + size
		}
		if n.class == numPlain && j < len(ws) {
			switch f := ws[j].fold; {
			case lex.currencies[f]:
				n.class, n.end = numMoney, ws[j].end
			case lex.percentWords[f] || (f == "per" && j+1 < len(ws) && ws[j+1].fold == "cent"):
				n.class, n.end = numPercent, ws[j].end
			}
		}
		if n.class == numPlain && isDigitByte(ws[i].orig[0]) && len(ws[i].orig) == 4 && v >= 1800 && v <= 2100 && n.end == ws[i].end {
			n.class = numYear
		}
		// A day of a month is a date's, not a count ("March 23", "28
		// April").
		if n.class == numPlain && v <= 31 && ((i > 0 && lex.months[ws[i-1].fold]) || (j < len(ws) && lex.months[ws[j].fold])) {
			n.class = numYear
		}
		// A time of day is no count ("1:24 a.m.").
		if n.class == numPlain && (strings.HasPrefix(s[n.end:], ":") && n.end+1 < len(s) && isDigitByte(s[n.end+1]) ||
			n.start > 1 && s[n.start-1] == ':' && isDigitByte(s[n.start-2])) {
			n.class = numYear
		}
		// What precedes: the measure named before its value.
		for k := i - 1; k >= 0 && k >= i-3; k-- {
			f := ws[k].fold
			if !isSpaces(s[ws[k].end:ws[k+1].start]) {
				break
			}
			if q.an.IsFunctionWord(f) {
				if f == "of" || f == "a" || f == "an" || f == "the" {
					continue
				}
				break
			}
			n.prev = append(n.prev, q.stem(f))
			break
		}
		// What follows: a unit, or the thing counted.
		for k := j; k < len(ws) && k < j+3; k++ {
			gap := s[ws[k-1].end:ws[k].start]
			if k == j && !isSpaces(gap) && strings.TrimSpace(gap) != "-" {
				break
			}
			if k > j && !isSpaces(gap) {
				break
			}
			f := ws[k].fold
			if !n.known && !n.nextWord {
				if uc, ok := lex.units[f]; ok && k == j {
					n.unitClass, n.known = uc, true
					if n.class == numPlain {
						n.end = ws[k].end
					}
					// "17-year-old", "15 years old": an age.
					if (f == "year" || f == "years") && k+1 < len(ws) && ws[k+1].fold == "old" {
						n.unitClass, n.end = unitAge, ws[k+1].end
						if k+2 < len(ws) && isSpaces(s[ws[k+1].end:ws[k+2].start]) && !q.an.IsFunctionWord(ws[k+2].fold) {
							n.owner = q.stem(ws[k+2].fold)
						}
					}
				} else if !q.an.IsFunctionWord(f) {
					// The first content word after the number says what
					// it counts ("three other German entities").
					n.nextWord = true
				}
			}
			n.next = append(n.next, q.stem(f))
		}
		// "died at the age of 67", "aged 67", "im Alter von 67 Jahren": an
		// age.
		if n.class == numPlain && (!n.known || n.unitClass == unitDuration) {
			for k := i - 1; k >= 0 && k >= i-2; k-- {
				if lex.ageWords[ws[k].fold] {
					n.unitClass, n.known, n.nextWord = unitAge, true, false
					break
				}
				if ws[k].fold != "of" && ws[k].fold != "von" {
					break
				}
			}
		}
		// "Abe, 67, was...": an age in apposition to the name before it.
		if !n.known && n.class == numPlain && isDigitByte(ws[i].orig[0]) && v >= 1 && v < 120 && v == math.Trunc(v) &&
			i > 0 && isCapWord(ws[i-1]) && strings.TrimSpace(s[ws[i-1].end:ws[i].start]) == "," &&
			(n.end == len(s) || strings.ContainsRune(",.;", rune(s[n.end]))) {
			n.unitClass, n.known, n.nextWord, n.owner = unitAge, true, false, q.stem(ws[i-1].fold)
		}
		out = append(out, n)
		i = j - 1
	}
	return out
}

func lastRuneString(s string) string {
	_, size := utf8.DecodeLastRuneInString(s)
	return s[len(s)-size:]
}

// fit is how well the number answers a question asking for q.asked.
func (n number) fit(q *questionFacts) float64 {
	a := q.asked
	switch a.kind {
	case askMoney:
		if n.class == numMoney {
			return 1
		}
		return 0
	case askPercent:
		switch n.class {
		case numPercent:
			return 1
		case numPlain:
			return 0.15
		}
		return 0
	}
	if a.units == unitAmount {
		switch n.class {
		case numMoney:
			return 0.9
		case numPercent:
			return 0.8
		case numYear:
			return 0
		}
		if n.nextWord {
			return 0.4
		}
		return 0.5
	}
	switch n.class {
	case numYear:
		return 0
	case numMoney:
		if len(a.focus) == 0 {
			return 0.3
		}
		return 0.1
	case numPercent:
		if len(a.focus) == 0 && a.units == unitAny {
			return 0.5
		}
		return 0.1
	}
	vague := 1.0
	if n.vague {
		vague = 0.5 // "millions of", "dozens"
	}
	for _, st := range n.next {
		if q.focus[st] {
			return vague
		}
	}
	for _, st := range n.prev {
		if q.focus[st] && !n.known {
			return vague
		}
	}
	if n.known {
		if a.units == unitAge && n.unitClass == unitAge && n.owner != "" && !q.stems[n.owner] {
			return otherAge // the suspect's age, asked Abe's
		}
		if a.units == unitMeasure || a.units != unitAny && n.unitClass == a.units {
			return 1
		}
		return 0.05
	}
	if a.units != unitAny {
		if n.nextWord {
			return 0.1
		}
		return 0.3
	}
	if n.nextWord {
		return 0.25
	}
	return 0.5
}

// otherAge is the fit of an age of someone or something the question
// does not name, when it asks how old someone is.
const otherAge = 0.4

func (n number) candidate(s string, fit float64) answerCandidate {
	unit := ""
	if n.known && len(n.next) > 0 {
		unit = n.next[0]
	}
	value := n.value
	if n.vague {
		value = "~" + value // "millions" is not "2 million"
	}
	return answerCandidate{start: n.start, end: n.end, text: s[n.start:n.end], key: "n:" + value + ":" + unit, fit: fit}
}

// Dates.

// dateCandidates returns the dates of s: a month with its day and year
// ("September 12", "May 2023"), a year, a weekday, or a relative date
// ("next month").
func dateCandidates(s string, ws []qword, q *questionFacts) []answerCandidate {
	var out []answerCandidate
	lex := q.lex
	prevIs := func(i int, set map[string]bool) bool { return i > 0 && set[ws[i-1].fold] }
	for i := 0; i < len(ws); i++ {
		f := ws[i].fold
		start, end, fit := -1, -1, 0.0
		switch {
		case lex.months[f]:
			start, end, fit = ws[i].start, ws[i].end, 1
			switch {
			case prevIs(i, lex.dateLeads):
				start = ws[i-1].start // "early March", "Ende Februar"
			case i > 0 && isDigitByte(ws[i-1].orig[0]) && len(ws[i-1].orig) <= 2 && s[ws[i-1].end:ws[i].start] == ". ":
				start = ws[i-1].start // "18. April"
			}
			k := i + 1
			if k < len(ws) && isDigitByte(ws[k].orig[0]) && len(ws[k].orig) <= 2 {
				end = ws[k].end
				k++
			}
			if k < len(ws) && isDigitByte(ws[k].orig[0]) && len(ws[k].orig) == 4 {
				end = ws[k].end
				k++
			}
			i = k - 1
		case isDigitByte(f[0]) && len(f) == 4:
			if v, err := strconv.Atoi(f); err == nil && v >= 1800 && v <= 2100 {
				start, end, fit = ws[i].start, ws[i].end, 0.8
				if prevIs(i, lex.dateLeads) || prevIs(i, lex.seasons) {
					start = ws[i-1].start // "Ende 2025", "Herbst 2025"
				}
			}
		case lex.isWeekday(f):
			start, end, fit = ws[i].start, ws[i].end, 0.6
			if q.asked.future && (i == 0 || !lex.nextWords[ws[i-1].fold]) {
				fit = 0.3 // "voted on Wednesday" dates the report, not what is to come
			}
		case (lex.nextWords[f] || lex.thisWords[f] || lex.lastWords[f]) && i+1 < len(ws) && lex.periods[ws[i+1].fold]:
			// "next month" answers "when will"; "this week" mostly dates
			// the report itself.
			start, end, fit = ws[i].start, ws[i+1].end, 0.9
			switch {
			case !lex.nextWords[f]:
				fit = 0.4
			case q.asked.future:
				fit = 1
			}
			i++
		case lex.seasons[f] && i > 0 && (lex.thisWords[ws[i-1].fold] || lex.nextWords[ws[i-1].fold] || lex.dateLeads[ws[i-1].fold] ||
			ws[i-1].fold == "the" || ws[i-1].fold == "im"):
			start, end, fit = ws[i-1].start, ws[i].end, 0.7
		}
		if start < 0 {
			continue
		}
		span := scanPlainWords(s[start:end])
		if q.newness(span) == 0 {
			continue
		}
		key := "d:" + strings.Join(text.Tokens(s[start:end]), " ")
		out = append(out, answerCandidate{start: start, end: end, text: s[start:end], key: key, fit: fit})
	}
	return out
}

// Reasons and manners.

// clauseCue is a phrase that opens a reason or a means.
type clauseCue struct {
	words []string
	fit   float64
}

var reasonCueList = []clauseCue{
	{[]string{"because", "of"}, 1}, {[]string{"because"}, 1}, {[]string{"due", "to"}, 1},
	{[]string{"as", "a", "result", "of"}, 1}, {[]string{"in", "response", "to"}, 0.8}, {[]string{"caused", "by"}, 1},
	{[]string{"blamed", "on"}, 1}, {[]string{"attributed", "to"}, 1}, {[]string{"attributing", "it", "to"}, 1},
	{[]string{"citing"}, 0.9}, {[]string{"over", "concerns"}, 1}, {[]string{"amid", "concerns"}, 1},
	{[]string{"concerns", "about"}, 0.9}, {[]string{"concerns", "over"}, 0.9}, {[]string{"concern", "about"}, 0.9},
	{[]string{"fears", "of"}, 0.9}, {[]string{"fear", "of"}, 0.9}, {[]string{"for", "fear"}, 1},
	{[]string{"in", "order", "to"}, 0.9}, {[]string{"so", "that"}, 0.7}, {[]string{"to", "avoid"}, 0.8},
	{[]string{"to", "prevent"}, 0.8}, {[]string{"thanks", "to"}, 0.9}, {[]string{"driven", "by"}, 0.9},
	{[]string{"fueled", "by"}, 0.9}, {[]string{"the", "reason"}, 0.9}, {[]string{"reasons"}, 0.6},
	{[]string{"amid"}, 0.6}, {[]string{"after"}, 0.5}, {[]string{"following"}, 0.5}, {[]string{"since"}, 0.4},
	{[]string{"given"}, 0.4}, {[]string{"worried"}, 0.7}, {[]string{"concerned"}, 0.7}, {[]string{"fears"}, 0.7},
	{[]string{"concerns"}, 0.7}, {[]string{"risk"}, 0.5}, {[]string{"risks"}, 0.5}, {[]string{"over"}, 0.4}, {[]string{"shortage"}, 0.5}, {[]string{"shortages"}, 0.5},
	{[]string{"said", "it", "was"}, 0.4}, {[]string{"stemmed", "from"}, 1}, {[]string{"resulted", "from"}, 1},
	{[]string{"led", "to"}, 0.7}, {[]string{"leading", "to"}, 0.7},
}

var mannerCueList = []clauseCue{
	{[]string{"via"}, 1}, {[]string{"through"}, 0.8}, {[]string{"by"}, 0.6}, {[]string{"using"}, 0.8},
	{[]string{"leading", "to"}, 0.9}, {[]string{"led", "to"}, 0.8}, {[]string{"after"}, 0.6}, {[]string{"when"}, 0.5},
	{[]string{"because"}, 0.7}, {[]string{"due", "to"}, 0.8}, {[]string{"with", "the", "help"}, 0.8},
	{[]string{"caused", "by"}, 0.8}, {[]string{"resulted", "from"}, 0.8},
}

// clauseCandidates returns the reasons (or, for "how did", the means) s
// gives: the clause after a cue such as "because", "due to", "citing",
// "concerns about", or "via", "through", "leading to".
func clauseCandidates(s string, ws []qword, q *questionFacts) []answerCandidate {
	cues := q.lex.reasons
	if q.asked.kind == askManner {
		cues = q.lex.manners
	}
	var out []answerCandidate
	for i := range ws {
		for _, c := range cues {
			if !matchWords(ws[i:], c.words) {
				continue
			}
			// The clause runs to the next comma, semicolon or stop, at
			// most fifteen words.
			from := i + len(c.words)
			to := from
			for to < len(ws) && to-from < 15 {
				if to > from && strings.ContainsAny(s[ws[to-1].end:ws[to].start], ",;:.!?—–()") {
					break
				}
				to++
			}
			var clause []qword
			if to > from {
				clause = ws[from:to]
			}
			nw := 1.0
			if len(clause) > 0 {
				nw = math.Max(q.newness(clause), 0.3)
			}
			if q.asked.kind == askReason && !q.attached(s, ws[:i]) {
				nw *= detachedReason
			}
			end := ws[i+len(c.words)-1].end
			if len(clause) > 0 {
				end = clause[len(clause)-1].end
			}
			out = append(out, answerCandidate{start: ws[i].start, end: end, text: s[ws[i].start:end],
				key: "c:" + strings.Join(text.Tokens(s[ws[i].start:end]), " "), fit: c.fit * nw})
			break
		}
	}
	return out
}

// detachedReason scales the fit of a reason whose own clause, before its
// cue, holds none of the question's words: "an area evacuated in August
// because of the fire" gives the reason of something else. A means is
// not scaled: "How did the recording get intercepted?" is answered by
// "an attendee had connected via an unauthorized connection".
const detachedReason = 0.6

// attachWords is how many words before a reason's cue say what it is the
// reason of.
const attachWords = 8

// attached reports whether the words before a reason's cue (before, the
// sentence's words up to it), back to a comma or attachWords words, hold
// one of the question's words other than function words, or whether the
// cue opens the sentence ("Because of the drought, ..."): the reason is
// given for what the question asks about.
func (q *questionFacts) attached(s string, before []qword) bool {
	if len(before) == 0 {
		return true
	}
	for k := len(before) - 1; k >= 0 && k >= len(before)-attachWords; k-- {
		w := before[k]
		if !q.an.IsFunctionWord(w.fold) && q.stems[q.stem(w.fold)] {
			return true
		}
		if k > 0 && strings.ContainsAny(s[before[k-1].end:w.start], ",;:—–(") {
			break
		}
	}
	return false
}

// Expansions.

// expansionCandidates returns what the asked acronym stands for in s:
// "Professional Squash League (PSL)", "PSL (Professional Squash League)",
// or capitalised words whose initials spell it.
func expansionCandidates(s string, ws []qword, q *questionFacts) []answerCandidate {
	acr := strings.ToUpper(q.asked.acronym)
	if acr == "" {
		return nil
	}
	var out []answerCandidate
	letters := []rune(acr)
	for i := range ws {
		// Initials of the words from i, connectors skipped.
		k, j, last := 0, i, -1
		for j < len(ws) && k < len(letters) {
			w := ws[j]
			if q.lex.nameConnectors[w.orig] && k > 0 {
				j++
				continue
			}
			r, _ := utf8.DecodeRuneInString(w.orig)
			if unicode.ToUpper(r) != letters[k] || !unicode.IsLetter(r) {
				break
			}
			k++
			last = j
			j++
		}
		if k == len(letters) && last > i && !strings.EqualFold(ws[i].orig, acr) {
			span := ws[i : last+1]
			out = append(out, answerCandidate{start: span[0].start, end: span[len(span)-1].end, text: s[span[0].start:span[len(span)-1].end],
				key: "x:" + strings.ToLower(s[span[0].start:span[len(span)-1].end]), fit: 1})
		}
	}
	return out
}

// Word lists. They give hints, not verdicts: a name no list knows is still
// a candidate, with a lower fit.

var nameConnectors = map[string]bool{"of": true, "and": true, "the": true, "de": true, "la": true, "del": true,
	"von": true, "van": true, "der": true, "for": true, "on": true, "al": true, "bin": true, "du": true, "le": true}

var personTitles = map[string]bool{"president": true, "vice": true, "mr": true, "mrs": true, "ms": true, "dr": true,
	"sen": true, "senator": true, "rep": true, "gov": true, "governor": true, "chancellor": true, "minister": true,
	"prime": true, "secretary": true, "judge": true, "justice": true, "prince": true, "princess": true, "king": true,
	"queen": true, "pope": true, "lady": true, "ceo": true, "gen": true, "general": true, "lt": true, "col": true,
	"sgt": true, "adm": true, "mayor": true, "coach": true, "sir": true, "dame": true, "speaker": true, "leader": true,
	"commissioner": true, "ambassador": true, "attorney": true, "director": true, "chairman": true, "chairwoman": true,
	"spokesperson": true, "spokesman": true, "spokeswoman": true, "officer": true, "detective": true, "sheriff": true,
	"chief": true, "professor": true, "prof": true, "rabbi": true, "reverend": true, "rev": true, "father": true}

var personCues = map[string]bool{"star": true, "singer": true, "actor": true, "actress": true, "rapper": true,
	"president": true, "minister": true, "chancellor": true, "lady": true, "ceo": true, "founder": true, "host": true,
	"comedian": true, "spokesperson": true, "spokesman": true, "spokeswoman": true, "director": true, "leader": true,
	"chief": true, "author": true, "designer": true, "coach": true, "pitcher": true, "quarterback": true, "player": true,
	"judge": true, "senator": true, "officer": true, "musician": true, "artist": true, "writer": true, "sen": true,
	"rep": true, "gov": true, "governor": true, "mayor": true, "secretary": true, "boss": true, "executive": true,
	"producer": true, "superstar": true, "legend": true, "icon": true, "champion": true, "winner": true, "golfer": true,
	"candidate": true, "lawmaker": true, "wife": true, "husband": true, "son": true, "daughter": true, "mother": true,
	"father": true, "brother": true, "sister": true, "nominee": true, "dr": true, "mr": true, "mrs": true, "ms": true}

var placePrepositions = map[string]bool{"in": true, "at": true, "from": true, "near": true, "across": true,
	"throughout": true, "outside": true}

var orgWords = map[string]bool{"inc": true, "corp": true, "co": true, "company": true, "corporation": true,
	"group": true, "bank": true, "airlines": true, "airways": true, "party": true, "committee": true, "council": true,
	"agency": true, "association": true, "university": true, "college": true, "institute": true, "foundation": true,
	"commission": true, "department": true, "ministry": true, "administration": true, "authority": true,
	"organization": true, "organisation": true, "union": true, "league": true, "club": true, "network": true,
	"motors": true, "technologies": true, "holdings": true, "entertainment": true, "studios": true, "records": true,
	"pictures": true, "labs": true, "fund": true, "bureau": true, "service": true, "board": true, "federation": true,
	"reserve": true, "court": true, "senate": true, "congress": true, "parliament": true, "church": true,
	"times": true, "post": true, "journal": true, "news": true, "media": true, "systems": true, "airline": true,
	"ltd": true, "llc": true, "plc": true, "ag": true, "gmbh": true, "sa": true, "brands": true, "stores": true,
	"foods": true, "pharmaceuticals": true, "energy": true, "capital": true, "partners": true, "society": true,
	"force": true, "army": true, "navy": true, "police": true, "office": true, "house": true, "cabinet": true,
	"school": true, "hospital": true, "team": true, "fc": true, "games": true, "bros": true, "beyond": true}

var placeWords = map[string]bool{"city": true, "county": true, "island": true, "islands": true, "republic": true,
	"kingdom": true, "province": true, "state": true, "valley": true, "mountains": true, "river": true, "sea": true,
	"ocean": true, "bay": true, "beach": true, "park": true, "coast": true, "strait": true, "lake": true, "peninsula": true,
	"region": true, "desert": true, "canyon": true, "gulf": true, "square": true, "street": true, "heights": true,
	"station": true, "airport": true, "bridge": true, "avenue": true, "road": true, "harbor": true, "harbour": true,
	"port": true, "district": true, "prefecture": true}

var months = map[string]bool{"january": true, "february": true, "march": true, "april": true, "may": true, "june": true,
	"july": true, "august": true, "september": true, "october": true, "november": true, "december": true,
	"jan": true, "feb": true, "mar": true, "apr": true, "jun": true, "jul": true, "aug": true, "sep": true, "sept": true, "oct": true, "nov": true, "dec": true}

var weekdays = map[string]bool{"monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true, "saturday": true, "sunday": true,
	"today": true, "yesterday": true, "tomorrow": true, "tonight": true}

var periodWords = map[string]bool{"week": true, "month": true, "year": true, "weekend": true, "spring": true,
	"summer": true, "fall": true, "autumn": true, "winter": true, "decade": true}

var seasons = map[string]bool{"spring": true, "summer": true, "fall": true, "autumn": true, "winter": true}

var currencyWords = map[string]bool{"dollars": true, "dollar": true, "euros": true, "euro": true, "pounds": true,
	"cents": true, "yen": true, "yuan": true, "rupees": true, "francs": true, "usd": true, "eur": true, "gbp": true,
	"bucks": true, "pesos": true, "rubles": true, "roubles": true, "won": false}

var scaleWords = map[string]float64{"hundred": 100, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
	"mln": 1e6, "bln": 1e9, "bn": 1e9, "m": 1e6, "k": 1e3}

var numberWords = map[string]float64{"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
	"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
	"sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
	"fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1e3,
	"million": 1e6, "billion": 1e9, "trillion": 1e12, "dozen": 12, "dozens": 24, "hundreds": 200, "thousands": 2e3,
	"millions": 2e6, "billions": 2e9, "half": 0.5}

var vagueNumbers = map[string]bool{"dozens": true, "hundreds": true, "thousands": true, "millions": true, "billions": true}

var measureUnits = map[string]unitClass{
	"km": unitDistance, "kilometers": unitDistance, "kilometres": unitDistance, "kilometer": unitDistance, "kilometre": unitDistance,
	"miles": unitDistance, "mile": unitDistance, "meters": unitDistance, "metres": unitDistance, "meter": unitDistance,
	"metre": unitDistance, "yards": unitDistance, "yard": unitDistance, "nautical": unitDistance,
	"seconds": unitDuration, "second": unitDuration, "minutes": unitDuration, "minute": unitDuration, "hours": unitDuration,
	"hour": unitDuration, "days": unitDuration, "day": unitDuration, "weeks": unitDuration, "week": unitDuration,
	"months": unitDuration, "month": unitDuration, "years": unitDuration, "year": unitDuration, "decades": unitDuration,
	"decade": unitDuration, "centuries": unitDuration, "century": unitDuration,
	"feet": unitSize, "foot": unitSize, "ft": unitSize, "inches": unitSize, "inch": unitSize, "pounds": unitSize,
	"pound": unitSize, "lbs": unitSize, "lb": unitSize, "kilograms": unitSize, "kilogram": unitSize, "kg": unitSize,
	"tons": unitSize, "tonnes": unitSize, "ton": unitSize, "mph": unitSize, "stories": unitSize, "storeys": unitSize,
	"floors": unitSize, "acres": unitSize, "degrees": unitSize, "cm": unitSize, "mm": unitSize, "gallons": unitSize,
	"liters": unitSize, "litres": unitSize,
}

// places are countries, US states, continents and large regions, folded.
var places = func() map[string]bool {
	m := map[string]bool{}
	for _, p := range strings.Split(placeList, ",") {
		if p = strings.TrimSpace(p); p != "" {
			m[p] = true
		}
	}
	return m
}()

const placeList = `afghanistan, albania, algeria, andorra, angola, argentina, armenia, australia, austria, azerbaijan,
bahamas, bahrain, bangladesh, barbados, belarus, belgium, belize, benin, bhutan, bolivia, bosnia, botswana, brazil,
brunei, bulgaria, burkina faso, burundi, cambodia, cameroon, canada, chad, chile, china, colombia, comoros, congo,
costa rica, croatia, cuba, cyprus, czech republic, czechia, denmark, djibouti, dominica, dominican republic, ecuador,
egypt, el salvador, eritrea, estonia, eswatini, ethiopia, fiji, finland, france, gabon, gambia, georgia, germany,
ghana, greece, grenada, guatemala, guinea, guyana, haiti, honduras, hungary, iceland, india, indonesia, iran, iraq,
ireland, israel, italy, jamaica, japan, jordan, kazakhstan, kenya, kiribati, kosovo, kuwait, kyrgyzstan, laos, latvia,
lebanon, lesotho, liberia, libya, liechtenstein, lithuania, luxembourg, madagascar, malawi, malaysia, maldives, mali,
malta, mauritania, mauritius, mexico, micronesia, moldova, monaco, mongolia, montenegro, morocco, mozambique, myanmar,
namibia, nauru, nepal, netherlands, new zealand, nicaragua, niger, nigeria, north korea, north macedonia, norway,
oman, pakistan, palau, palestine, panama, papua new guinea, paraguay, peru, philippines, poland, portugal, qatar,
romania, russia, rwanda, samoa, san marino, saudi arabia, senegal, serbia, seychelles, sierra leone, singapore,
slovakia, slovenia, somalia, south africa, south korea, south sudan, spain, sri lanka, sudan, suriname, sweden,
switzerland, syria, taiwan, tajikistan, tanzania, thailand, togo, tonga, trinidad, tunisia, turkey, turkiye,
turkmenistan, tuvalu, uganda, ukraine, united arab emirates, uae, united kingdom, uk, britain, great britain,
england, scotland, wales, northern ireland, united states, us, usa, america, uruguay, uzbekistan, vanuatu, vatican,
venezuela, vietnam, yemen, zambia, zimbabwe, hong kong, greenland, puerto rico, crimea, gaza, west bank, tibet,
alabama, alaska, arizona, arkansas, california, colorado, connecticut, delaware, florida, hawaii, idaho,
illinois, indiana, iowa, kansas, kentucky, louisiana, maine, maryland, massachusetts, michigan, minnesota,
mississippi, missouri, montana, nebraska, nevada, new hampshire, new jersey, new mexico, new york, north carolina,
north dakota, ohio, oklahoma, oregon, pennsylvania, rhode island, south carolina, south dakota, tennessee, texas,
utah, vermont, virginia, washington, west virginia, wisconsin, wyoming, district of columbia,
africa, asia, europe, antarctica, oceania, north america, south america, latin america, central america,
middle east, the middle east, southeast asia, east asia, south asia, central asia, eastern europe, western europe,
scandinavia, balkans, caribbean, arctic, pacific, atlantic, mediterranean, southwest, northwest, southeast,
northeast, midwest, west coast, east coast, gulf coast, sahel, siberia, european union, eu,
new york city, los angeles, chicago, houston, phoenix, philadelphia, san antonio, san diego, dallas, austin,
san francisco, seattle, denver, boston, detroit, nashville, portland, las vegas, miami, atlanta, new orleans,
baltimore, minneapolis, cleveland, pittsburgh, st louis, kansas city, salt lake city, orlando, tampa,
london, paris, berlin, madrid, rome, moscow, kyiv, kiev, beijing, shanghai, tokyo, seoul, delhi, new delhi,
mumbai, karachi, istanbul, cairo, lagos, nairobi, johannesburg, sydney, melbourne, toronto, montreal,
vancouver, mexico city, sao paulo, rio de janeiro, buenos aires, lima, bogota, santiago, jakarta, manila,
bangkok, hanoi, singapore, dubai, riyadh, tehran, baghdad, jerusalem, tel aviv, beirut, damascus, athens,
vienna, warsaw, prague, budapest, brussels, amsterdam, stockholm, oslo, copenhagen, helsinki, dublin,
lisbon, geneva, zurich, munich, hamburg, frankfurt, milan, barcelona, taipei, hong kong, kabul, islamabad,
dhaka, colombo, kathmandu, havana, caracas, brasilia, ottawa, canberra, wellington, edinburgh, manchester`
