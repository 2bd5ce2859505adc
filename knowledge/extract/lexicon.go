package extract

import (
	"strconv"
	"strings"

	"github.com/herald-bot/herald/knowledge/text"
)

// lexicon holds one language's words for finding answer candidates in
// evidence sentences: what marks a name as a person's, a place's or an
// organisation's, how numbers, amounts and dates are written, and the
// phrases that open a reason or a means. Words are folded as text.Tokens
// folds them; they give hints, not verdicts.
type lexicon struct {
	lang string
	// nameConnectors join capitalised words into one name ("Bank of
	// America", "Ursula von der Leyen"), as written.
	nameConnectors map[string]bool
	// personTitles before a name say it is a person's and are not part
	// of it; titleSuffixes do the same for compounds ending in one
	// ("Verteidigungsminister").
	personTitles  map[string]bool
	titleSuffixes []string
	// personCues before a name say it is a person's ("star", "Trainer").
	personCues map[string]bool
	// speechVerbs next to a name say it is a person's ("said", "sagte").
	speechVerbs map[string]bool
	// placePrepositions before a name hint at a place ("in", "from").
	placePrepositions map[string]bool
	// orgWords in a name make it an organisation's; orgSuffixes do for
	// compounds ending in one ("Arbeitsgericht", "Lokführergewerkschaft").
	orgWords    map[string]bool
	orgSuffixes []string
	// placeWords in a longer name make it a place's ("City", "Insel");
	// placeSuffixList does for compounds ending in one.
	placeWords      map[string]bool
	placeSuffixList []string
	// places are the names of countries, regions and large cities.
	places map[string]bool
	// months, weekdays (and day words such as "today"), periods ("week")
	// and seasons make dates; nextWords, thisWords and lastWords open a
	// relative date ("next month", "nächsten Monat"); dateLeads open a
	// month or season ("early", "Ende").
	months, weekdays, periods, seasons     map[string]bool
	nextWords, thisWords, lastWords        map[string]bool
	dateLeads                              map[string]bool
	weekdayPrefixes                        bool // "Samstagabend" is a weekday (German compounds)
	currencies, percentWords, vagueNumbers map[string]bool
	// scale multiplies the number before it ("million", "Millionen").
	scale map[string]float64
	// numbers are the number words ("six", "sechs").
	numbers map[string]float64
	// units are the measures a number may be followed by.
	units map[string]unitClass
	// decimalComma says numbers are written "2,5" and "41.200".
	decimalComma bool
	// currencyAfter says an amount may end with its sign ("500 €").
	currencyAfter bool
	// determiners before a capitalised word (or before the lowercase
	// adjectives in front of it) make it a common noun, in a language
	// that capitalises every noun (nounCaps).
	determiners map[string]bool
	nounCaps    bool
	// reasons and manners are the phrases that open a reason ("because",
	// "weil") or a means ("via", "über").
	reasons, manners []clauseCue
	// oneOf is the phrase in which a number word is no number ("one of
	// the biggest", "einer der größten").
	oneOf [2]string
	// ageWords before a number make it an age ("at the age of 67", "im
	// Alter von 67").
	ageWords map[string]bool
	// referring are the determiners by which a sentence opening refers
	// back to something named before it ("The show, which follows...").
	referring map[string]bool
	// strictLead makes a sentence answer a question asking for a name, a
	// number or a date only when it holds one of the question's key words
	// that are not names, in an article holding all its names. German
	// needs it: capitalised nouns and compounds matched in part make more
	// sentences look relevant. (On the English development set it would
	// raise abstention on unanswerable questions from 0.80 to 0.90 but
	// change 8 of 103 answers, as many lost as won; English keeps its
	// tuning.)
	strictLead bool
	// genericRoles are the nouns of "which" questions too general to be
	// expected in the answer's sentence ("Welche Partei…" is answered by
	// "Die Grünen…"); a question asking by another role noun is answered,
	// under strictLead, only by a sentence that names it.
	genericRoles map[string]bool
}

// lexiconFor returns the lexicon of a language, English for one without
// its own.
func lexiconFor(lang string) *lexicon {
	if l, ok := lexicons[lang]; ok {
		return l
	}
	return lexicons["en"]
}

// isDateWord reports a month or a weekday (or a day word).
func (l *lexicon) isDateWord(f string) bool {
	return l.months[f] || l.isWeekday(f)
}

// isWeekday reports a weekday or a day word; in German also a compound
// of one ("samstagabend").
func (l *lexicon) isWeekday(f string) bool {
	if l.weekdays[f] {
		return true
	}
	if l.weekdayPrefixes {
		for w := range l.weekdays {
			if len(w) > 5 && strings.HasPrefix(f, w) && len(f) <= len(w)+10 {
				return true
			}
		}
	}
	return false
}

// isPersonTitle reports a title that says the name after it is a
// person's.
func (l *lexicon) isPersonTitle(f string) bool {
	return l.personTitles[f] || hasAnySuffix(f, l.titleSuffixes)
}

// isOrgWord reports a word that makes a name an organisation's.
func (l *lexicon) isOrgWord(f string) bool {
	return l.orgWords[f] || hasAnySuffix(f, l.orgSuffixes)
}

// placeSuffixes are the place words a compound may end with
// ("Militärflughafen"), for a language of compounds.
func placeSuffixes(l *lexicon) []string {
	if !l.nounCaps {
		return nil
	}
	return l.placeSuffixList
}

func hasAnySuffix(f string, suffixes []string) bool {
	for _, s := range suffixes {
		if len(f) > len(s) && strings.HasSuffix(f, s) {
			return true
		}
	}
	return false
}

// numberValue reads a word as a number: digits with the language's
// separators ("2,000" and "4.96"; in German "41.200" and "2,5"), or a
// number word.
func (l *lexicon) numberValue(w qword) (float64, bool) {
	if !isDigitByte(w.orig[0]) {
		v, ok := l.numbers[w.fold]
		return v, ok
	}
	d := strings.ReplaceAll(w.orig, ",", "")
	if l.decimalComma {
		d = strings.ReplaceAll(strings.ReplaceAll(w.orig, ".", ""), ",", ".")
	}
	v, err := strconv.ParseFloat(d, 64)
	if err != nil || v != v || v > 1e300 {
		return 0, false
	}
	return v, true
}

// foldedSet is a set of the words of lists, folded as text.Tokens folds
// them.
func foldedSet(lists ...string) map[string]bool {
	m := map[string]bool{}
	for _, list := range lists {
		for _, w := range strings.Fields(list) {
			m[strings.Join(text.Tokens(w), "")] = true
		}
	}
	return m
}

// foldedNames is a set of the names in list (one a word; a hyphen joins
// the words of one name), each folded into its tokens joined by spaces,
// as names are compared ("schleswig holstein").
func foldedNames(list string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(list) {
		m[strings.Join(text.Tokens(w), " ")] = true
	}
	return m
}

// foldedList is the words of list, folded.
func foldedList(list string) []string {
	var out []string
	for _, w := range strings.Fields(list) {
		out = append(out, strings.Join(text.Tokens(w), ""))
	}
	return out
}

// lexicons are the lexicons by language.
var lexicons = map[string]*lexicon{
	"en": {
		lang: "en", nameConnectors: nameConnectors, personTitles: personTitles, personCues: personCues,
		speechVerbs: speechVerbs, placePrepositions: placePrepositions, orgWords: orgWords, placeWords: placeWords,
		places: places, months: months, weekdays: weekdays, periods: periodWords, seasons: seasons,
		nextWords: foldedSet("next"), thisWords: foldedSet("this"), lastWords: foldedSet("last"),
		dateLeads: foldedSet("early mid late"), currencies: currencyWords,
		percentWords: foldedSet("percent percentage pct"), vagueNumbers: vagueNumbers, scale: scaleWords,
		numbers: numberWords, units: measureUnits, reasons: reasonCueList, manners: mannerCueList,
		oneOf: [2]string{"one", "of"}, referring: foldedSet("the this"), ageWords: foldedSet("age aged"),
	},
	"de": germanLexicon(),
}
