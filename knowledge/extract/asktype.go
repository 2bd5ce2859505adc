package extract

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/herald-bot/herald/knowledge/text"
)

// answerKind is what a question asks for: a person, a place, a number...
type answerKind uint8

// The kinds of answer a question may ask for.
const (
	askOther        answerKind = iota // a thing, an event, a title: no specific shape
	askPerson                         // who
	askPlace                          // where, which country
	askOrganisation                   // which company, which party
	askNumber                         // how many, how far
	askMoney                          // how much does it cost, what is the price
	askPercent                        // what percentage
	askDate                           // when, which year
	askReason                         // why
	askManner                         // how did it happen
	askExpansion                      // what does PSL stand for
	askYesNo                          // did Germany deliver...?
)

var kindNames = [...]string{"other", "person", "place", "organisation", "number", "money", "percent", "date", "reason", "manner", "expansion", "yes/no"}

func (k answerKind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "other"
}

// typed reports whether an answer of kind k has a shape a sentence either
// holds or lacks (a number, a name, a date), so that its absence from the
// evidence means the evidence does not answer.
func (k answerKind) typed() bool {
	switch k {
	case askPerson, askPlace, askOrganisation, askNumber, askMoney, askPercent, askDate, askExpansion:
		return true
	}
	return false
}

// unitClass is the kind of measure a number question expects.
type unitClass uint8

const (
	unitAny      unitClass = iota // a count, or any unit
	unitDistance                  // how far
	unitDuration                  // how long (in time)
	unitAge                       // how old
	unitSize                      // how tall, big, high, deep, heavy, fast
	unitAmount                    // how much: money, a share or a quantity
	unitMeasure                   // any measure: "wie lang" asks a length or a duration
)

// askedFor is what a question asks for.
type askedFor struct {
	kind answerKind
	// units is the measure a number question expects.
	units unitClass
	// focus holds the folded words that say what is counted or named
	// ("missiles" in "how many missiles", "show" in "which show").
	focus []string
	// acronym is the acronym an expansion question asks about, as written.
	acronym string
	// future says a date question asks about what is to come ("how
	// soon", "when will").
	future bool
	// cue holds the words of the phrase that said what is asked for
	// ("how", "old"): they frame the question, they are not its topic.
	cue []string
}

// questionCues are one language's cues to what a question asks for.
// Words are folded as text.Tokens folds them.
type questionCues struct {
	lang string
	// phrases open a question and decide its kind, longest first: "how
	// many", "wie viele", "why".
	phrases []cuePhrase
	// which are the words ("which", "what", "welche") whose following noun
	// decides the kind through nouns.
	which map[string]bool
	// nouns maps a focus noun to the kind it asks for ("country" a place,
	// "price" money); an unknown noun asks for something else.
	nouns map[string]answerKind
	// skip are words between a question word and its focus noun that say
	// nothing of the kind ("is", "the", "type", "of", "major").
	skip map[string]bool
	// money are words that make "how much" ask for an amount of money.
	money map[string]bool
	// change are verbs of rising and falling: "how much" then asks for an
	// amount of any kind, a share as well as a sum.
	change map[string]bool
	// auxiliaries open a yes/no question ("did", "is").
	auxiliaries map[string]bool
	// copulas are the auxiliaries after which "what" still has its focus
	// noun to come ("what is the price").
	copulas map[string]bool
	// expansion are phrases asking for what an acronym stands for.
	expansion [][]string
	// speech are verbs that ask for someone's account ("What does
	// Pistorius say caused the leak?"): they frame any question.
	speech map[string]bool
	// future are the words that make a date question ask about what is
	// to come ("when will", "when are payments set to restart"), and
	// past those that keep it in the past ("when did").
	future, past map[string]bool
	// reasonVerbs ask for a reason after "what" ("what caused", "what
	// does he say led to"); with framing, they only frame a question
	// asking a reason and are not what it is about.
	reasonVerbs map[string]bool
	// attribution are the phrases by which a question names the source of
	// its answer ("according to", "laut").
	attribution [][]string
	// compoundNouns says the language makes compound nouns whose last part
	// decides the kind ("Verteidigungsminister" a person, "Hauptstadt" a
	// place).
	compoundNouns bool
	// verbEndings end the verb that follows a focus noun ("Which show
	// received..."): the focus ends before it.
	verbEndings []string
}

// endsAsVerb reports whether the folded word w has one of the cues'
// verb endings.
func (c *questionCues) endsAsVerb(w string) bool {
	for _, e := range c.verbEndings {
		if len(w) > len(e)+2 && strings.HasSuffix(w, e) {
			return true
		}
	}
	return false
}

// nounKind returns the kind a focus noun asks for: its own, or in a
// language of compounds the kind of its last part (of four letters or
// more).
func (c *questionCues) nounKind(w string) (answerKind, bool) {
	if k, ok := c.nouns[w]; ok {
		return k, true
	}
	if !c.compoundNouns {
		return 0, false
	}
	best, kind := 0, answerKind(0)
	for n, k := range c.nouns {
		if len(n) >= 4 && len(n) > best && len(w) > len(n) && strings.HasSuffix(w, n) {
			best, kind = len(n), k
		}
	}
	return kind, best > 0
}

// framing reports whether the folded word w only frames a question of
// kind k ("caused" in a question asking a reason, "say" in any).
func (c *questionCues) framing(k answerKind, w string) bool {
	return (k == askReason || k == askManner) && c.reasonVerbs[w] || c.speech[w]
}

// inCue reports whether the folded word w is one of the words of the
// phrase that said what a is ("old" of "how old").
func (a askedFor) inCue(w string) bool {
	return slices.Contains(a.cue, w)
}

// cuePhrase is one opening of a question.
type cuePhrase struct {
	words []string
	kind  answerKind
	units unitClass
	// countsNext says that the words after the phrase are what is counted
	// ("how many missiles").
	countsNext bool
	// thenAuxiliary says the phrase asks for a manner only when an
	// auxiliary follows it ("how did", not "how many").
	thenAuxiliary bool
}

func words(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

func nounKinds(groups map[answerKind]string) map[string]answerKind {
	m := map[string]answerKind{}
	for k, list := range groups {
		for _, w := range strings.Fields(list) {
			m[w] = k
		}
	}
	return m
}

func phrase(ws string, k answerKind, u unitClass) cuePhrase {
	return cuePhrase{words: strings.Fields(ws), kind: k, units: u}
}

// cueTables holds the question cues per language. German is here so the
// shape of the table is tried on a second language; the candidates and
// time words of German answers are not built yet.
var cueTables = map[string]*questionCues{
	"en": {
		lang: "en",
		phrases: []cuePhrase{
			{words: []string{"how", "many"}, kind: askNumber, countsNext: true},
			{words: []string{"how", "much"}, kind: askNumber, countsNext: true},
			phrase("how far", askNumber, unitDistance),
			phrase("how long", askNumber, unitDuration),
			phrase("how old", askNumber, unitAge),
			phrase("how tall", askNumber, unitSize),
			phrase("how high", askNumber, unitSize),
			phrase("how big", askNumber, unitSize),
			phrase("how large", askNumber, unitSize),
			phrase("how deep", askNumber, unitSize),
			phrase("how heavy", askNumber, unitSize),
			phrase("how fast", askNumber, unitSize),
			phrase("how often", askNumber, unitAny),
			phrase("what percentage", askPercent, unitAny),
			phrase("what percent", askPercent, unitAny),
			phrase("what share", askPercent, unitAny),
			phrase("what proportion", askPercent, unitAny),
			phrase("what caused", askReason, unitAny),
			phrase("what causes", askReason, unitAny),
			phrase("what prompted", askReason, unitAny),
			phrase("what led", askReason, unitAny),
			phrase("for what reason", askReason, unitAny),
			phrase("why", askReason, unitAny),
			{words: []string{"how"}, kind: askManner, thenAuxiliary: true},
			phrase("who", askPerson, unitAny),
			phrase("whom", askPerson, unitAny),
			phrase("whose", askPerson, unitAny),
			phrase("where", askPlace, unitAny),
			phrase("when", askDate, unitAny),
			phrase("how soon", askDate, unitAny),
			phrase("what is her name", askPerson, unitAny),
			phrase("what is his name", askPerson, unitAny),
			phrase("what was her name", askPerson, unitAny),
			phrase("what was his name", askPerson, unitAny),
		},
		which: words("which what"),
		nouns: nounKinds(map[answerKind]string{
			askPerson: `person man woman boy girl president leader singer actor actress star player athlete
				senator governor official minister chancellor ceo executive founder judge rapper musician artist
				author writer candidate member lawmaker politician celebrity comedian host director king queen
				prince princess pope coach secretary spokesperson spokesman spokeswoman mayor billionaire
				entrepreneur scientist astronaut journalist reporter suspect victim officer general commander
				lawyer attorney justice quarterback pitcher golfer laureate chef designer influencer monarch
				premier emperor dictator activist owner investor banker economist doctor nurse teacher student
				rider driver champion winner hero pilot nominee heir rep representative congressman congresswoman
				head`,
			askPlace: `country nation state city town village continent region island province county capital
				place location area territory neighborhood neighbourhood district port park mountain river lake
				sea ocean border site venue destination countries states cities`,
			askOrganisation: `company firm corporation retailer brand business organization organisation group
				agency airline bank network team party university school college chain maker manufacturer
				automaker carrier startup outlet newspaper publication studio league club union committee
				department government church charity foundation institute restaurant store supermarket channel
				broadcaster franchise developer insurer hospital band companies retailers teams airlines
				automakers banks brands`,
			askDate:    `year date day month decade century week weekday`,
			askMoney:   `price cost fine salary fee budget sum worth fortune revenue wage bail ransom funding payout prize valuation`,
			askPercent: `percentage percent proportion`,
			askNumber: `number count amount total magnitude height length distance speed weight depth temperature toll tally
				population score`,
			askReason: `reason cause motive`,
			// Nouns that would be read wrongly through a later one ("age
			// group" is no organisation).
			askOther: `age`,
		}),
		skip: words(`is are was were be been the a an of type kind sort name major popular new famous big
			biggest top first former largest well known much loved beloved iconic historic prestigious
			legendary wildly most beloved exactly specific particular certain`),
		money: words(`cost costs costing price priced prices pay paid pays spend spent spending worth charge charged
			charges fine fined earn earned earns sell sold selling buy bought raise raised dollars euros pounds
			salary fee budget fund funding bail ransom tax taxes invest invested valuation valued afford owe owed
			bill billed`),
		change: words(`increase increased increases rise rose risen rising fall fell fallen falling drop dropped drops
			grow grew grown climb climbed jump jumped surge surged soar soared decline declined shrink shrank
			gain gained lose lost`),
		auxiliaries: words(`is are was were do does did has have had can could will would should may might must shall`),
		copulas:     words(`is are was were`),
		verbEndings: []string{"ed"},
		reasonVerbs: words(`cause caused causes causing led lead leads prompted prompt prompts triggered trigger
			triggers reason reasons explains explained motivated behind`),
		expansion: [][]string{
			{"stand", "for"}, {"stands", "for"}, {"short", "for"}, {"abbreviation"}, {"acronym"},
		},
		attribution: [][]string{{"according", "to"}, {"as", "reported", "by"}, {"as", "told", "by"}},
		speech:      words(`say says said saying tell tells told claim claims claimed`),
		future:      words(`will would could soon expected scheduled set due upcoming planned`),
		past:        words(`did was were had`),
	},
	"de": {
		lang: "de",
		phrases: []cuePhrase{
			{words: []string{"wie", "viele"}, kind: askNumber, countsNext: true},
			{words: []string{"wieviele"}, kind: askNumber, countsNext: true},
			{words: []string{"wie", "viel"}, kind: askNumber, countsNext: true},
			{words: []string{"wieviel"}, kind: askNumber, countsNext: true},
			phrase("wie weit", askNumber, unitDistance),
			phrase("wie lange", askNumber, unitDuration),
			phrase("wie alt", askNumber, unitAge),
			phrase("wie hoch", askNumber, unitAmount),
			phrase("wie stark", askNumber, unitAmount),
			phrase("wie gross", askNumber, unitSize),
			phrase("wie groß", askNumber, unitSize),
			phrase("wie schnell", askNumber, unitSize),
			phrase("wie schwer", askNumber, unitSize),
			phrase("wie tief", askNumber, unitSize),
			phrase("wie breit", askNumber, unitSize),
			phrase("wie lang", askNumber, unitMeasure),
			phrase("wie oft", askNumber, unitAny),
			phrase("wie teuer", askMoney, unitAny),
			phrase("was kostet", askMoney, unitAny),
			phrase("was kosten", askMoney, unitAny),
			phrase("was kostete", askMoney, unitAny),
			phrase("wie erklart", askReason, unitAny),
			phrase("wie erklaren", askReason, unitAny),
			phrase("wie begrundet", askReason, unitAny),
			phrase("wie begrunden", askReason, unitAny),
			phrase("wie rechtfertigt", askReason, unitAny),
			phrase("wie kam es", askReason, unitAny),
			phrase("aus welchem grund", askReason, unitAny),
			phrase("warum", askReason, unitAny),
			phrase("wieso", askReason, unitAny),
			phrase("weshalb", askReason, unitAny),
			phrase("weswegen", askReason, unitAny),
			{words: []string{"wie"}, kind: askManner, thenAuxiliary: true},
			phrase("wer", askPerson, unitAny),
			phrase("wen", askPerson, unitAny),
			phrase("wem", askPerson, unitAny),
			phrase("wessen", askPerson, unitAny),
			phrase("wo", askPlace, unitAny),
			phrase("woher", askPlace, unitAny),
			phrase("wohin", askPlace, unitAny),
			phrase("wann", askDate, unitAny),
		},
		which: words("welche welcher welches welchem welchen was"),
		nouns: nounKinds(map[answerKind]string{
			askPerson: `person personen mann frau politiker politikerin kanzler kanzlerin minister ministerin prasident
				prasidentin chef chefin sturmer sturmerin spieler spielerin trainer trainerin torjager torwart kapitan
				kapitanin abgeordnete abgeordneter richter richterin sprecher sprecherin burgermeister burgermeisterin
				oberburgermeister oberburgermeisterin regisseur regisseurin schauspieler schauspielerin sanger sangerin
				autor autorin vorsitzende vorsitzender sieger siegerin gewinner gewinnerin schlichter schlichterin
				vermittler vermittlerin kandidat kandidatin tater taterin angeklagte angeklagter verdachtige anwalt
				anwaltin kommandeur kommandeurin general generalin leiter leiterin redakteur redakteurin offizier
				offiziere nachfolger nachfolgerin`,
			askPlace:        `land lander stadt staat ort region kontinent insel bundesland hauptstadt gemeinde landkreis provinz gebiet`,
			askOrganisation: `firma unternehmen konzern partei organisation verein behorde bank gruppe gewerkschaft verband sender zeitung mannschaft team klub club fraktion regierung ministerium hersteller`,
			askDate:         `jahr datum tag monat wochentag`,
			askMoney:        `preis kosten summe betrag gehalt lohn honorar`,
			askPercent:      `prozent prozentsatz anteil quote`,
			askNumber:       `zahl anzahl`,
			askReason:       `grund ursache`,
		}),
		compoundNouns: true,
		skip:          words(`ist sind war waren der die das den dem des ein eine einen art neue neuen neuer neues genau genaue erste ersten letzte letzten`),
		money:         words(`kostet kosten kostete kosteten preis zahlen zahlte zahlt bezahlt bezahlen euro dollar verdient verdienen verdiente gehalt lohn teuer ausgegeben investiert`),
		change: words(`gestiegen gesunken gefallen steigt sinkt fallt stieg sank fiel zugenommen abgenommen erhoht gesenkt
			verteuert verteuerten verbilligt`),
		auxiliaries: words(`ist sind war waren hat haben hatte hatten kann konnen konnte konnten wird werden wurde wurden gibt gab darf durfen durfte soll sollen sollte sollten muss mussen musste will wollte`),
		copulas:     words(`ist sind war waren`),
		reasonVerbs: words(`grund grunde ursache ursachen verursacht ausgelost fuhrte`),
		expansion:   [][]string{{"steht"}, {"abkurzung"}},
		attribution: [][]string{{"laut"}, {"nach", "angaben"}, {"nach", "ansicht"}, {"nach", "meinung"}},
		speech:      words(`sagt sagte sagen gesagt erklart erklarte behauptet`),
		future:      words(`wird werden soll sollen bald geplant`),
		past:        words(`war waren wurde wurden hat hatte`),
	},
}

// stop reports a function word of the cues' language that ends a focus
// noun phrase; acronyms ("US") and numbers are not.
func (c *questionCues) stop(w qword) bool {
	if isAcronymWord(w.orig) || isDigitByte(w.fold[0]) {
		return false
	}
	return text.AnalyzerFor(c.lang).IsFunctionWord(w.fold) || text.AnalyzerFor(c.lang).IsQuestionWord(w.fold)
}

// cuesFor returns the question cues of a language, English for one
// without a table of its own.
func cuesFor(lang string) *questionCues {
	if c, ok := cueTables[lang]; ok {
		return c
	}
	return cueTables["en"]
}

// qword is one word of a question or sentence: where it stands and how it
// was written.
type qword struct {
	start, end int
	orig       string // as written
	fold       string // folded as text.Tokens folds it
}

// scanPlainWords splits s into words: runs of letters and digits, with the
// digits of one number kept together across "," and "." ("2,000", "4.96")
// and an apostrophe inside a word kept ("d'Alene"), but a final "'s" left
// out. A word that folds to nothing is left out: every word returned has
// a non-empty orig and fold.
func scanPlainWords(s string) []qword {
	var out []qword
	i := 0
	for i < len(s) {
		r, size := decodeRune(s, i)
		if !isWordRune(r) {
			i += size
			continue
		}
		start := i
		i += size
		for i < len(s) {
			r, size = decodeRune(s, i)
			if isWordRune(r) {
				i += size
				continue
			}
			if (r == ',' || r == '.') && i+1 < len(s) && isDigitByte(s[i-1]) && isDigitByte(s[i+1]) {
				i++
				continue
			}
			if (r == '\'' || r == '’') && i+size < len(s) {
				next, _ := decodeRune(s, i+size)
				if unicode.IsLetter(next) && i > start {
					// A possessive or a contraction ("Scholz's", "we’ve",
					// "didn't") ends the word; "d'Alene" and "O'Brien"
					// keep theirs.
					j := i + size
					for j < len(s) && isWordRune(runeAt(s, j)) {
						_, sz := decodeRune(s, j)
						j += sz
					}
					if contractionEnds[strings.ToLower(s[i+size:j])] {
						break
					}
					i += size
					continue
				}
			}
			break
		}
		orig := s[start:i]
		fold := foldWord(orig)
		if fold == "" {
			// Only marks the tokenizer drops (a lone combining accent, a
			// letter FTS5's tables lack): no word the index knows.
			continue
		}
		out = append(out, qword{start: start, end: i, orig: orig, fold: fold})
	}
	return out
}

func decodeRune(s string, i int) (rune, int) { return utf8.DecodeRuneInString(s[i:]) }

// contractionEnds are what follows the apostrophe of a possessive or a
// contraction.
var contractionEnds = map[string]bool{"s": true, "ve": true, "re": true, "ll": true, "d": true, "m": true, "t": true}

func runeAt(s string, i int) rune {
	if i >= len(s) {
		return 0
	}
	r, _ := decodeRune(s, i)
	return r
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

func isDigitByte(c byte) bool { return c >= '0' && c <= '9' }

// foldWord folds a word as text.Tokens folds it (lowercase, Latin
// diacritics removed), keeping the separators inside numbers and names.
func foldWord(w string) string {
	ascii := true
	for i := 0; i < len(w); i++ {
		if w[i] >= 0x80 {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(w)
	}
	return strings.Join(text.Tokens(w), "")
}

// detectAskedFor works out from a question's shape what it asks for, with
// the cues of the question's language. A question made of a statement and
// a question ("Police arrested 31 men this week... Where was the event?")
// is read from its last sentence holding a question word.
func detectAskedFor(question, lang string) askedFor {
	cues := cuesFor(lang)
	ws := questionClause(question, cues)
	if len(ws) == 0 {
		return askedFor{}
	}
	if expansion := expansionAcronym(question, ws, cues); expansion != "" {
		return askedFor{kind: askExpansion, acronym: expansion}
	}
	for i := range ws {
		for _, p := range cues.phrases {
			if !matchWords(ws[i:], p.words) {
				continue
			}
			rest := ws[i+len(p.words):]
			if p.thenAuxiliary && (len(rest) == 0 || !cues.auxiliaries[rest[0].fold]) {
				continue
			}
			a := askedFor{kind: p.kind, units: p.units, cue: p.words}
			if a.kind == askPerson && !lexiconFor(lang).nounCaps && namesOnly(rest, cues) {
				// "Who is Liz Truss?" asks who she is, not for another name.
				return askedFor{kind: askOther}
			}
			if a.kind == askDate {
				a.future = futureClause(ws, cues)
			}
			if p.countsNext {
				a.focus = countedWords(rest, cues)
				if p.words[len(p.words)-1] == "much" || p.words[len(p.words)-1] == "viel" || p.words[len(p.words)-1] == "wieviel" {
					a.kind, a.units = muchKind(rest, cues)
				}
				for _, f := range a.focus {
					if k, ok := cues.nouns[f]; ok && (k == askMoney || k == askPercent) {
						a.kind = k
					}
				}
				if moneyWords[a.firstFocus()] {
					a.kind = askMoney
				}
			}
			return a
		}
		if cues.which[ws[i].fold] {
			a := whichKind(ws[i+1:], cues)
			if a.kind == askDate {
				a.future = futureClause(ws, cues)
			}
			return a
		}
	}
	if cues.auxiliaries[ws[0].fold] {
		return askedFor{kind: askYesNo}
	}
	return askedFor{}
}

// namesOnly reports whether the words after "who" are a copula and a name
// only ("is Liz Truss"): capitalised words, which in a language that
// capitalises every noun tells nothing.
func namesOnly(rest []qword, cues *questionCues) bool {
	if len(rest) < 2 || !cues.copulas[rest[0].fold] {
		return false
	}
	for _, w := range rest[1:] {
		if !isCapWord(w) {
			return false
		}
	}
	return true
}

// futureClause reports whether a question's words ask about what is to
// come: a word of the future ("will", "soon", "set to") and none that
// keeps the question in the past ("did", "was").
func futureClause(ws []qword, cues *questionCues) bool {
	future := false
	for _, w := range ws {
		if cues.past[w.fold] {
			return false
		}
		future = future || cues.future[w.fold]
	}
	return future
}

func (a askedFor) firstFocus() string {
	if len(a.focus) == 0 {
		return ""
	}
	return a.focus[0]
}

// questionClause returns the words of the sentence of q that asks: the
// last one holding a question word, or else the last one.
func questionClause(q string, cues *questionCues) []qword {
	spans := text.Sentences(q)
	if len(spans) == 0 {
		return nil
	}
	var last []qword
	for k := len(spans) - 1; k >= 0; k-- {
		ws := scanPlainWords(q[spans[k].Start:spans[k].End])
		if len(ws) == 0 {
			continue
		}
		if last == nil {
			last = ws
		}
		for i, w := range ws {
			if cues.which[w.fold] || startsPhrase(ws[i:], cues) {
				return ws
			}
		}
	}
	return last
}

// questionSentence returns the index among spans (q's sentences) of the
// sentence questionClause reads q's question from: the last holding a
// question word, else the last with words, or -1.
func questionSentence(q string, spans []text.Span, cues *questionCues) int {
	last := -1
	for k := len(spans) - 1; k >= 0; k-- {
		ws := scanPlainWords(q[spans[k].Start:spans[k].End])
		if len(ws) == 0 {
			continue
		}
		if last < 0 {
			last = k
		}
		for i, w := range ws {
			if cues.which[w.fold] || startsPhrase(ws[i:], cues) {
				return k
			}
		}
	}
	return last
}

func startsPhrase(ws []qword, cues *questionCues) bool {
	for _, p := range cues.phrases {
		if matchWords(ws, p.words) && (!p.thenAuxiliary || (len(ws) > len(p.words) && cues.auxiliaries[ws[len(p.words)].fold])) {
			return true
		}
	}
	return false
}

func matchWords(ws []qword, want []string) bool {
	if len(ws) < len(want) {
		return false
	}
	for i, w := range want {
		if ws[i].fold != w {
			return false
		}
	}
	return true
}

// countedWords returns the words after "how many" that say what is
// counted: up to three, until a function word.
func countedWords(rest []qword, cues *questionCues) []string {
	var out []string
	for _, w := range rest {
		if len(out) == 3 || cues.auxiliaries[w.fold] || cues.stop(w) {
			break
		}
		out = append(out, w.fold)
		if cues.compoundNouns && isCapWord(w) {
			break // the noun ends what is counted; a verb follows ("wie viele Stunden dauert")
		}
	}
	return out
}

// muchKind decides whether "how much" asks for money: it does when the
// clause speaks of prices, costs or payments, unless of their change.
// A change ("how much have prices risen") asks for an amount of any kind:
// a share, a sum or a quantity.
func muchKind(rest []qword, cues *questionCues) (answerKind, unitClass) {
	money := false
	for _, w := range rest {
		if cues.change[w.fold] {
			return askNumber, unitAmount
		}
		money = money || cues.money[w.fold]
	}
	if money {
		return askMoney, unitAny
	}
	return askNumber, unitAmount
}

// moneyWords are currencies a "how many" may count.
var moneyWords = map[string]bool{"dollars": true, "euros": true, "pounds": true, "yen": true, "dollar": true, "euro": true}

// whichKind reads the focus noun after "which" or "what": the first of
// the next few words the cue table knows decides the kind; "the name of",
// "the type of" and adjectives are skipped.
func whichKind(rest []qword, cues *questionCues) askedFor {
	var focus []string
	seen := 0
	for _, w := range rest {
		if cues.skip[w.fold] {
			if len(focus) > 0 && !strings.Contains(" of ", " "+w.fold+" ") {
				break
			}
			continue
		}
		if cues.auxiliaries[w.fold] && seen == 0 && len(focus) == 0 {
			if !cues.copulas[w.fold] {
				// "What did Pope Francis name...": the noun after the
				// auxiliary is the subject, not what is asked for;
				// "what does Pistorius say caused the leak" asks a reason.
				k := askOther
				for _, r := range rest {
					if cues.reasonVerbs[r.fold] {
						k = askReason
					}
				}
				return askedFor{kind: k}
			}
			continue // "what is the price"
		}
		if cues.stop(w) || len(focus) > 0 && cues.endsAsVerb(w.fold) {
			break
		}
		seen++
		if k, ok := cues.nounKind(w.fold); ok {
			return askedFor{kind: k, focus: append(focus, w.fold)}
		}
		focus = append(focus, w.fold)
		if seen == 4 || cues.compoundNouns && isCapWord(w) {
			break
		}
	}
	return askedFor{kind: askOther, focus: focus}
}

// expansionAcronym returns the acronym an expansion question asks about
// ("What does PSL stand for?"), or "".
func expansionAcronym(q string, ws []qword, cues *questionCues) string {
	asks := false
	for i := range ws {
		for _, e := range cues.expansion {
			if matchWords(ws[i:], e) {
				asks = true
			}
		}
	}
	if !asks {
		return ""
	}
	for _, w := range ws {
		if isAcronymWord(w.orig) {
			return w.orig
		}
	}
	return ""
}

// isAcronymWord reports a word of two to eight letters written in
// capitals (digits allowed after the first letter: "G7").
func isAcronymWord(w string) bool {
	letters := 0
	for i, r := range w {
		switch {
		case unicode.IsUpper(r):
			letters++
		case unicode.IsDigit(r) && i > 0:
		default:
			return false
		}
	}
	return letters >= 2 && letters <= 8
}

// isAcronymName reports whether w is an acronym, or one in the plural
// ("SUVs", "CEOs").
func isAcronymName(w string) bool {
	if base, ok := strings.CutSuffix(w, "s"); ok && isAcronymWord(base) {
		return true
	}
	return isAcronymWord(w)
}
