package text

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Span is the byte range [Start, End) of a string.
type Span struct{ Start, End int }

// Sentences splits s into sentences and returns their byte ranges, in
// order, each without surrounding whitespace.
//
// A line break always ends a sentence, so headlines, datelines and list
// items without a full stop are sentences of their own, and text without
// any terminal punctuation is one sentence per line. Within a line a
// sentence ends after a run of terminal punctuation (. ! ? …), together
// with any closing quotes and brackets that follow it, when the run is
// followed by whitespace and then an uppercase or caseless letter, a digit,
// an opening quote or bracket, or a currency sign. The CJK full stop,
// exclamation and question marks (。！？) end a sentence without whitespace.
//
// A single full stop does not end a sentence after a known abbreviation:
// titles (Mr. Dr. Gen. Sen. St. Jr. ...), abbreviated months and weekdays,
// US state abbreviations (Calif. Fla. ...), company suffixes (Inc. Corp. Co.
// Ltd.), vs. and v., a single capital initial (John F. Kennedy), dotted
// initialisms such as U.S., U.K., D.C., a.m., p.m., e.g., i.e. and Ph.D.,
// a list number of up to three digits opening a sentence ("1. The first
// point"), and No., p., Fig.,
// Vol. and the like when a digit follows ("No. 5"). "U.S." at the end of a
// sentence followed by a capitalised word is ambiguous ("in the U.S. The
// ..." against "the U.S. Senate"); Sentences prefers not to split there, and
// the same holds for a.m., p.m. and the other abbreviations, unless a line
// break follows. "etc." is treated as an ordinary word, since it usually
// ends its sentence.
//
// German text splits the same way: its abbreviations (bzw. vgl. sog. ggf.
// Mio. Mrd. Hrsg. and the like, Nr. S. Abs. before a number), abbreviations
// written with spaces ("z. B.", "u. a.", "d. h."), ordinals before a German
// month ("3. März") or after an article or preposition ("am 1. Januar",
// "der 2. Weltkrieg") do not end a sentence, and the German closing quotes
// “ ‘ « ‹ after terminal punctuation close it, as » and › may open the
// next. A number that is not an ordinal ("im Jahr 2023. Danach") ends its
// sentence as in English. Decimals (3.5), numbers such as 1.000.000 and dotted
// names never split because no whitespace follows their dots, and an
// ellipsis followed by a lowercase word stays inside its sentence.
func Sentences(s string) []Span {
	spans := make([]Span, 0, len(s)/64+1)
	start, end := -1, 0 // the open sentence and the end of its last non-space
	hasWord := false    // whether s[start:scanned] has a letter or digit
	scanned := 0
	for i := 0; i < len(s); {
		if start >= 0 {
			// Most bytes are ordinary ASCII inside a sentence: skip them.
			j := i
			for j < len(s) && s[j] < utf8.RuneSelf && !sentenceSpecial[s[j]] {
				j++
			}
			if j > i {
				i, end = j, j
				continue
			}
		}
		r, size := rune(s[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		switch {
		case isLineBreak(r):
			if start >= 0 {
				spans = append(spans, Span{start, end})
				start = -1
			}
			i += size
			continue
		case isSpace(r):
			i += size
			continue
		}
		if start < 0 {
			start, hasWord, scanned = i, false, i
		}
		if isTerminal(r) {
			if !hasWord {
				hasWord, scanned = containsWordChar(s[scanned:i]), i
			}
			runEnd, split := sentenceEnd(s, start, i, hasWord)
			i, end = runEnd, runEnd
			if split {
				spans = append(spans, Span{start, end})
				start = -1
			}
			continue
		}
		i += size
		end = i
	}
	if start >= 0 {
		spans = append(spans, Span{start, end})
	}
	return spans
}

// sentenceSpecial marks the ASCII bytes Sentences must look at: spaces,
// line breaks and terminal punctuation.
var sentenceSpecial = [utf8.RuneSelf]bool{
	' ': true, '\t': true, '\n': true, '\r': true, '\v': true, '\f': true,
	'.': true, '!': true, '?': true,
}

// containsWordChar reports whether s contains a letter or a digit.
func containsWordChar(s string) bool {
	for _, r := range s {
		if isAlnumASCII(r) || (r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsNumber(r))) {
			return true
		}
	}
	return false
}

// sentenceEnd looks at the terminal punctuation at s[i], in the sentence
// that starts at start. It returns the end of the punctuation run,
// including closing quotes and brackets, and whether the sentence ends
// there.
func sentenceEnd(s string, start, i int, hasWord bool) (int, bool) {
	first, _ := utf8.DecodeRuneInString(s[i:])
	j := i
	for j < len(s) {
		r, size := utf8.DecodeRuneInString(s[j:])
		if !isTerminal(r) && !isCloser(r) && !isGermanCloser(r) {
			break
		}
		j += size
	}
	if !hasWord {
		return j, false // a leading "..." or "?!" starts its sentence
	}
	if j == len(s) || isCJKTerminal(first) {
		return j, true
	}
	r, _ := utf8.DecodeRuneInString(s[j:])
	if !isSpace(r) {
		return j, isLineBreak(r) || j == i+1 && s[i] == '.' && isRunTogether(s, start, i)
	}
	k := j
	for k < len(s) {
		r, size := utf8.DecodeRuneInString(s[k:])
		if !isSpace(r) {
			break
		}
		k += size
	}
	if k == len(s) {
		return j, true
	}
	next, _ := utf8.DecodeRuneInString(s[k:])
	if isLineBreak(next) {
		return j, true
	}
	if !startsSentence(next) {
		return j, false
	}
	if j == i+1 && s[i] == '.' && isAbbreviation(s, start, i, k) {
		return j, false
	}
	return j, true
}

// isRunTogether reports whether the full stop at s[i] ends a sentence run
// into the next without a space, as pasted text has it ("...led
// investigators to Crimo.Lake County Coroner Jennifer Banek said..."): a
// word ending in three lowercase letters or more before it, a capitalised
// word after it. Abbreviations ("St.Louis", "e.g.The") and web addresses
// ("cnn.com") do not qualify.
func isRunTogether(s string, start, i int) bool {
	k := i
	for k > start && s[k-1] >= 'a' && s[k-1] <= 'z' {
		k--
	}
	if i-k < 3 {
		return false
	}
	if k > start && s[k-1] >= 'A' && s[k-1] <= 'Z' {
		k-- // "Crimo"
	}
	if k > start && !isSpace(rune(s[k-1])) {
		return false
	}
	return i+2 < len(s) && s[i+1] >= 'A' && s[i+1] <= 'Z' && s[i+2] >= 'a' && s[i+2] <= 'z'
}

// isAbbreviation reports whether the word that ends with the full stop at
// s[i] is an abbreviation whose stop does not end the sentence, given that
// the next word starts at s[next].
func isAbbreviation(s string, start, i, next int) bool {
	k := i
	for k > start && (isLetterASCII(s[k-1]) || s[k-1] == '.') {
		k--
	}
	if k == i {
		return isListNumber(s, start, i) || isOrdinal(s, start, i, next)
	}
	if k > start {
		prev, _ := utf8.DecodeLastRuneInString(s[start:k])
		if !isSpace(prev) && !isOpener(prev) && prev != '-' && prev != '/' && prev != '–' && prev != '—' {
			return false // part of a larger token, such as "3D."
		}
	}
	word := s[k:i]
	for len(word) > 0 && word[0] == '.' {
		word = word[1:]
	}
	nextDigit := s[next]-'0' < 10
	switch {
	case word == "":
		return false
	case len(word) == 1 && word[0]-'A' < 26:
		return true // an initial
	case len(word) == 1 && (isSpacedAbbreviationPart(s, next) || isSpacedAbbreviationPart(s, lastWordStart(s, start, k))):
		return true // a letter of "z. B.", "u. a.", "d. h."
	case isDottedInitialism(word):
		return true
	}
	switch abbreviations[word] {
	case abbrAlways:
		return true
	case abbrBeforeNumber:
		return nextDigit
	}
	return false
}

// isListNumber reports whether the digits before the full stop at s[i]
// open the sentence that starts at start and have at most three digits:
// "1. The first point".
func isListNumber(s string, start, i int) bool {
	d := digitsBefore(s, start, i)
	return d == start && d < i && i-d <= 3
}

// isOrdinal reports whether the digits before the full stop at s[i] are a
// German ordinal: at most three digits, as a word of their own, followed by
// a month ("3. März", "am 1. Januar") or after an article or preposition
// ("der 2. Weltkrieg", "zum 100. Geburtstag"), the next word starting at
// s[next].
func isOrdinal(s string, start, i, next int) bool {
	d := digitsBefore(s, start, i)
	if d == i || i-d > 3 || (d > start && !isSpace(lastRune(s[start:d]))) {
		return false
	}
	if germanMonths[leadingWord(s[next:])] {
		return true
	}
	w := lastWordStart(s, start, d)
	return w >= 0 && ordinalLeads[strings.ToLower(strings.TrimRight(s[w:d], " \t"))]
}

// digitsBefore returns the start of the run of ASCII digits that ends at
// s[i], no earlier than start.
func digitsBefore(s string, start, i int) int {
	d := i
	for d > start && s[d-1]-'0' < 10 {
		d--
	}
	return d
}

// lastWordStart returns the start of the word before s[end] (skipping the
// spaces before end), or -1 when there is none after start.
func lastWordStart(s string, start, end int) int {
	e := end
	for e > start && (s[e-1] == ' ' || s[e-1] == '\t') {
		e--
	}
	if e == start || e == end {
		return -1
	}
	w := e
	for w > start {
		r, size := utf8.DecodeLastRuneInString(s[:w])
		if isSpace(r) {
			break
		}
		w -= size
	}
	return w
}

// isSpacedAbbreviationPart reports whether the word at s[w] is one letter
// and a full stop, a part of an abbreviation written with spaces ("z. B.").
func isSpacedAbbreviationPart(s string, w int) bool {
	return w >= 0 && w+1 < len(s) && isLetterASCII(s[w]) && s[w+1] == '.' &&
		(w+2 == len(s) || !isLetterASCII(s[w+2]))
}

// leadingWord returns the letters s starts with.
func leadingWord(s string) string {
	for i, r := range s {
		if !unicode.IsLetter(r) {
			return s[:i]
		}
	}
	return s
}

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

// germanMonths are the German months whose names English does not share
// (an English "Sept. 30. August was quiet" ends a sentence), as written
// after an ordinal day; the others follow an ordinal after an ordinalLead
// ("am 3. August").
var germanMonths = map[string]bool{
	"Januar": true, "Jänner": true, "Februar": true, "Feber": true, "März": true,
	"Mai": true, "Juni": true, "Juli": true, "Oktober": true, "Dezember": true,
	"Jän": true, "Mrz": true, "Okt": true, "Dez": true,
}

// ordinalLeads are the German words (lowercased) that an ordinal number
// follows: articles, their contractions with prepositions, and
// prepositions of time.
var ordinalLeads = map[string]bool{
	"der": true, "die": true, "das": true, "den": true, "dem": true, "des": true,
	"am": true, "im": true, "vom": true, "zum": true, "zur": true, "beim": true,
	"ab": true, "bis": true, "seit": true, "jeden": true, "jedem": true, "jeder": true,
	"ihr": true, "ihre": true, "ihrem": true, "ihren": true, "sein": true, "seine": true,
	"seinem": true, "seinen": true, "seiner": true, "ihrer": true, "unser": true,
	"unserem": true, "unseren": true, "ein": true, "eine": true, "einem": true,
	"einen": true, "einer": true,
}

// isDottedInitialism reports whether w, its final stop removed, is made of
// one- or two-letter parts joined by stops: "U.S", "a.m", "Ph.D".
func isDottedInitialism(w string) bool {
	parts, n := 0, 0
	for i := 0; i < len(w); i++ {
		if w[i] == '.' {
			if n == 0 || n > 2 {
				return false
			}
			parts, n = parts+1, 0
			continue
		}
		n++
	}
	return parts > 0 && n > 0 && n <= 2
}

// Kinds of abbreviation.
const (
	abbrNone = iota
	abbrAlways
	abbrBeforeNumber
)

// abbreviations lists abbreviations, spelled as they are written, whose
// full stop does not end a sentence (abbrAlways) or does not end it when a
// number follows (abbrBeforeNumber). Dotted initialisms and single initials
// are recognised by shape instead.
var abbreviations = map[string]uint8{
	// Titles and ranks.
	"Mr": abbrAlways, "Mrs": abbrAlways, "Ms": abbrAlways, "Mx": abbrAlways,
	"Messrs": abbrAlways, "Mmes": abbrAlways, "Dr": abbrAlways, "Drs": abbrAlways,
	"Prof": abbrAlways, "Gen": abbrAlways, "Gens": abbrAlways, "Col": abbrAlways,
	"Lt": abbrAlways, "Sgt": abbrAlways, "Capt": abbrAlways, "Cmdr": abbrAlways,
	"Cdr": abbrAlways, "Adm": abbrAlways, "Maj": abbrAlways, "Brig": abbrAlways,
	"Cpl": abbrAlways, "Pvt": abbrAlways, "Gov": abbrAlways, "Govs": abbrAlways,
	"Sen": abbrAlways, "Sens": abbrAlways, "Rep": abbrAlways, "Reps": abbrAlways,
	"Rev": abbrAlways, "Fr": abbrAlways, "Msgr": abbrAlways, "Hon": abbrAlways,
	"Pres": abbrAlways, "Supt": abbrAlways, "Det": abbrAlways, "Insp": abbrAlways,
	"Atty": abbrAlways, "Amb": abbrAlways, "Sec": abbrAlways, "Sr": abbrAlways,
	"Jr": abbrAlways, "St": abbrAlways, "Ste": abbrAlways, "Mt": abbrAlways,
	"Ft": abbrAlways, "Esq": abbrAlways,
	// Months and weekdays (May needs no stop).
	"Jan": abbrAlways, "Feb": abbrAlways, "Mar": abbrAlways, "Apr": abbrAlways,
	"Jun": abbrAlways, "Jul": abbrAlways, "Aug": abbrAlways, "Sep": abbrAlways,
	"Sept": abbrAlways, "Oct": abbrAlways, "Nov": abbrAlways, "Dec": abbrAlways,
	"Mon": abbrAlways, "Tue": abbrAlways, "Tues": abbrAlways, "Wed": abbrAlways,
	"Thu": abbrAlways, "Thur": abbrAlways, "Thurs": abbrAlways, "Fri": abbrAlways,
	// US states in AP style, common in datelines.
	"Ala": abbrAlways, "Ariz": abbrAlways, "Ark": abbrAlways, "Calif": abbrAlways,
	"Colo": abbrAlways, "Conn": abbrAlways, "Del": abbrAlways, "Fla": abbrAlways,
	"Ga": abbrAlways, "Ill": abbrAlways, "Ind": abbrAlways, "Kan": abbrAlways,
	"Ky": abbrAlways, "La": abbrAlways, "Md": abbrAlways, "Mich": abbrAlways,
	"Minn": abbrAlways, "Miss": abbrAlways, "Mo": abbrAlways, "Mont": abbrAlways,
	"Neb": abbrAlways, "Nev": abbrAlways, "Okla": abbrAlways, "Ore": abbrAlways,
	"Pa": abbrAlways, "Tenn": abbrAlways, "Tex": abbrAlways, "Va": abbrAlways,
	"Vt": abbrAlways, "Wash": abbrAlways, "Wis": abbrAlways, "Wyo": abbrAlways,
	// Organisations and places.
	"Inc": abbrAlways, "Corp": abbrAlways, "Co": abbrAlways, "Cos": abbrAlways,
	"Ltd": abbrAlways, "Bros": abbrAlways, "Plc": abbrAlways, "Assn": abbrAlways,
	"Dept": abbrAlways, "Univ": abbrAlways, "Ave": abbrAlways, "Blvd": abbrAlways,
	// Lowercase abbreviations.
	"vs": abbrAlways, "v": abbrAlways, "cf": abbrAlways, "approx": abbrAlways,
	"incl": abbrAlways, "esp": abbrAlways, "viz": abbrAlways,
	// Before a number only: "No. 5", "p. 12", "Fig. 3".
	"No": abbrBeforeNumber, "Nos": abbrBeforeNumber, "Nr": abbrBeforeNumber,
	"p": abbrBeforeNumber, "pp": abbrBeforeNumber, "Fig": abbrBeforeNumber,
	"fig": abbrBeforeNumber, "Vol": abbrBeforeNumber, "vol": abbrBeforeNumber,
	"Ch": abbrBeforeNumber, "ch": abbrBeforeNumber, "Art": abbrBeforeNumber,
	"art": abbrBeforeNumber, "sec": abbrBeforeNumber, "Para": abbrBeforeNumber,
	"para": abbrBeforeNumber, "ca": abbrBeforeNumber, "c": abbrBeforeNumber,
	"est": abbrBeforeNumber, "Ex": abbrBeforeNumber,
	// German. "usw." and "etc." usually end their sentence and are
	// ordinary words; spaced ones ("z. B.", "u. a.") are recognised by
	// shape, and ordinals ("3. März", "der 2. Weltkrieg") by context.
	"bzw": abbrAlways, "vgl": abbrAlways, "ggf": abbrAlways, "evtl": abbrAlways,
	"inkl": abbrAlways, "exkl": abbrAlways, "zzgl": abbrAlways, "sog": abbrAlways,
	"bspw": abbrAlways, "insb": abbrAlways, "bzgl": abbrAlways, "Mio": abbrAlways,
	"Mrd": abbrAlways, "Tsd": abbrAlways, "Hr": abbrAlways, "Hrn": abbrAlways,
	"Dipl": abbrAlways, "Ing": abbrAlways, "Hrsg": abbrAlways, "geb": abbrAlways,
	"gest": abbrAlways, "verh": abbrAlways, "Jh": abbrAlways, "Jhd": abbrAlways,
	"Chr": abbrAlways, "Okt": abbrAlways, "Dez": abbrAlways, "Mrz": abbrAlways,
	"lt": abbrAlways, "gem": abbrAlways, "Abt": abbrAlways, "Bhf": abbrAlways,
	"Str": abbrBeforeNumber, "Abs": abbrBeforeNumber, "Bd": abbrBeforeNumber,
	"Kap": abbrBeforeNumber, "Tel": abbrBeforeNumber, "Ziff": abbrBeforeNumber,
	"Anm": abbrBeforeNumber, "Aufl": abbrBeforeNumber, "Jg": abbrBeforeNumber,
}

func isLineBreak(r rune) bool {
	switch r {
	case '\n', '\r', '\v', '\f', 0x85, 0x2028, 0x2029:
		return true
	}
	return false
}

// isSpace reports whether r is horizontal whitespace.
func isSpace(r rune) bool {
	if r < utf8.RuneSelf {
		return r == ' ' || r == '\t'
	}
	return unicode.IsSpace(r) && !isLineBreak(r)
}

func isTerminal(r rune) bool {
	switch r {
	case '.', '!', '?', '…', '。', '！', '？':
		return true
	}
	return false
}

func isCJKTerminal(r rune) bool {
	return r == '。' || r == '！' || r == '？'
}

func isCloser(r rune) bool {
	switch r {
	case '"', '\'', ')', ']', '}', '”', '’', '»', '›', '」', '』', '）':
		return true
	}
	return false
}

// isGermanCloser reports whether r, an opening quote in English, closes a
// quotation in German („…“, ‚…‘, »…«, ›…‹); right after terminal
// punctuation it can only be closing.
func isGermanCloser(r rune) bool {
	return r == '“' || r == '‘' || r == '«' || r == '‹'
}

func isOpener(r rune) bool {
	switch r {
	case '"', '\'', '(', '[', '{', '“', '‘', '„', '‚', '«', '‹', '»', '›', '「', '『', '（', '¿', '¡':
		return true
	}
	return false
}

// startsSentence reports whether r may open a sentence after terminal
// punctuation.
func startsSentence(r rune) bool {
	if r < utf8.RuneSelf {
		return byte(r)-'A' < 26 || byte(r)-'0' < 10 || isOpener(r) || r == '$' || r == '#' || r == '@'
	}
	return (unicode.IsLetter(r) && !unicode.IsLower(r)) || unicode.IsDigit(r) ||
		isOpener(r) || unicode.Is(unicode.Sc, r)
}

func isLetterASCII(c byte) bool { return (c|0x20)-'a' < 26 }

func isAlnumASCII(r rune) bool {
	return r < utf8.RuneSelf && (isLetterASCII(byte(r)) || byte(r)-'0' < 10)
}
