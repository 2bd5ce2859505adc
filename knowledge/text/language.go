package text

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/abadojack/whatlanggo"
)

// LanguageCode returns the ISO 639-1 code of a declared language: a BCP 47
// tag as <html lang>, xml:lang and RSS <language> carry it ("de",
// "en-US", "de_AT", "EN"), or an ISO 639-2/3 code of a language Herald
// stems ("deu", "ger", "eng"). Norwegian Bokmål and Nynorsk ("nb", "nn")
// are "no", the code Herald's Norwegian stemmer goes by. Anything else,
// such as "", "x-klingon" or "German", gives "".
func LanguageCode(tag string) string {
	tag = strings.TrimSpace(tag)
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	if len(tag) < 2 || len(tag) > 3 {
		return ""
	}
	var b [3]byte
	for i := 0; i < len(tag); i++ {
		c := tag[i] | 0x20
		if c-'a' >= 26 {
			return ""
		}
		b[i] = c
	}
	code := string(b[:len(tag)])
	if len(code) == 3 {
		return iso639_3[code]
	}
	if code == "nb" || code == "nn" {
		return "no"
	}
	return code
}

// iso639_3 maps the three-letter codes of the languages with a stemmer
// (bibliographic and terminology forms) to their two-letter ones.
var iso639_3 = map[string]string{
	"ara": "ar", "dan": "da", "deu": "de", "ger": "de", "eng": "en", "spa": "es",
	"fin": "fi", "fra": "fr", "fre": "fr", "gle": "ga", "hun": "hu", "ita": "it",
	"nld": "nl", "dut": "nl", "nor": "no", "nob": "no", "nno": "no", "por": "pt",
	"ron": "ro", "rum": "ro", "rus": "ru", "swe": "sv", "tam": "ta", "tur": "tr",
}

// DetectLanguage returns the ISO 639-1 code of the language s is written
// in, among the languages Herald stems ([Languages]), or fallback when s
// does not tell: when it is empty, names only ("Olaf Scholz"), or too short
// or too mixed for a clear answer.
//
// Only the first detectionSample bytes of s are read. Their stop words
// vote first: in a question ("Wer ist Pistorius?", "Who is Pistorius?",
// "Was kostet ein Taurus?") the language with the most of them wins, and
// in longer text a language whose stop words are a fifth of the words or
// more and at least twice any other's. Otherwise a trigram model
// (whatlanggo, restricted to Herald's languages) decides when it is
// confident, and else a plainer stop-word majority, and else fallback. A
// text mixing languages gets the one most of it is written in.
func DetectLanguage(s, fallback string) string {
	if len(s) > detectionSample {
		cut := detectionSample
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	v := voteStopwords(s)
	if v.words == 0 {
		return fallback
	}
	top, second := v.top()
	short := v.words < shortTextWords
	switch {
	case short && v.votes[top] > 0 && v.votes[top] > v.votes[second]:
		return voteLanguages[top]
	case short && v.votes[top] > 0 && tiedByLetters(s, &v) != "":
		// "Wie weit reichen Taurus-Marschflugkörper?": "wie" is German
		// and Dutch, "ö" only German.
		return tiedByLetters(s, &v)
	case short && !hasNonLatinLetter(s):
		return fallback
	case short:
		// A script of few languages (Cyrillic, Arabic, Tamil) tells even
		// in a few words.
		if code := detectTrigrams(s); code != "" {
			return code
		}
		return fallback
	case v.votes[top]*5 >= v.words && v.votes[top] >= 2*v.votes[second]:
		return voteLanguages[top]
	}
	if code := detectTrigrams(s); code != "" {
		return code
	}
	if v.votes[top]*10 >= v.words && v.votes[top] > v.votes[second] {
		return voteLanguages[top]
	}
	return fallback
}

const (
	// detectionSample is how much of a text DetectLanguage reads: plenty
	// to tell a language, and it bounds the cost on long articles.
	detectionSample = 2048
	// shortTextWords is the word count below which a text is as short as
	// a question, too short for trigrams.
	shortTextWords = 12
	// trigramSample is how much of the sample the trigram model reads: it
	// costs about a microsecond a byte (whatlanggo sorts its trigrams with
	// reflection), and a paragraph is enough for it.
	trigramSample = 1024
)

// voteLanguages are the languages with stop-word lists, in the order of
// stopwordVotes' bits.
var voteLanguages = [...]string{"en", "de", "fr", "es", "it", "nl", "pt"}

// stopwordLanguages maps each folded stop word of voteLanguages to the
// bit set of the languages it is a stop word of.
var stopwordLanguages = func() map[string]uint8 {
	m := map[string]uint8{}
	for i, lang := range voteLanguages {
		for w := range analyzers[lang].stop {
			m[w] |= 1 << i
		}
	}
	return m
}()

// stopwordVote counts a text's words and, per language of voteLanguages,
// how many of them are its stop words.
type stopwordVote struct {
	words int
	votes [len(voteLanguages)]int
}

// voteStopwords counts the stop words of s per language. Words of one
// letter, digits and words without a letter are not counted at all.
func voteStopwords(s string) stopwordVote {
	var (
		v       stopwordVote
		scratch []byte
	)
	for i := 0; i < len(s); {
		start, end, plain := nextToken(s, i)
		if start < 0 {
			break
		}
		i = end
		tok := s[start:end]
		if !plain {
			scratch = appendFolded(scratch[:0], tok)
			tok = string(scratch)
		}
		if utf8.RuneCountInString(tok) < 2 || !hasLetter(tok) {
			continue
		}
		v.words++
		bits := stopwordLanguages[tok]
		for l := 0; bits != 0; l, bits = l+1, bits>>1 {
			if bits&1 != 0 {
				v.votes[l]++
			}
		}
	}
	return v
}

// top returns the indexes of the languages with the most and the second
// most votes (the first of equals ranks first).
func (v *stopwordVote) top() (first, second int) {
	first, second = 0, 1
	if v.votes[second] > v.votes[first] {
		first, second = second, first
	}
	for l := 2; l < len(v.votes); l++ {
		switch {
		case v.votes[l] > v.votes[first]:
			first, second = l, first
		case v.votes[l] > v.votes[second]:
			second = l
		}
	}
	return first, second
}

// languageLetters are letters that, among the languages with stop-word
// lists, only some write: they break a tie of stop words.
var languageLetters = map[string]string{
	"de": "äöüß",
	"fr": "éèêëàâçôûùîïœ",
	"es": "ñáíóú¿¡",
	"pt": "ãõçáéíóúâêô",
	"it": "àèéìòù",
	"nl": "ĳ",
}

// tiedByLetters returns, when the languages with the most stop-word votes
// tie, the one of them whose own letters s writes and no other of them
// does, or "".
func tiedByLetters(s string, v *stopwordVote) string {
	top, _ := v.top()
	best := v.votes[top]
	found := ""
	for i, lang := range voteLanguages {
		if v.votes[i] != best || !strings.ContainsAny(strings.ToLower(s), languageLetters[lang]) {
			continue
		}
		if found != "" {
			return ""
		}
		found = lang
	}
	return found
}

// hasNonLatinLetter reports whether s has a letter of a script other than
// Latin.
func hasNonLatinLetter(s string) bool {
	for _, r := range s {
		if r >= utf8.RuneSelf && unicode.IsLetter(r) && !unicode.Is(unicode.Latin, r) {
			return true
		}
	}
	return false
}

func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// detectTrigrams returns the language whatlanggo finds in the first
// trigramSample bytes of s, or "" when it is not confident.
func detectTrigrams(s string) string {
	if len(s) > trigramSample {
		cut := trigramSample
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	info := whatlanggo.DetectWithOptions(s, whatlangOptions)
	if code, ok := whatlangCodes[info.Lang]; ok && info.IsReliable() {
		return code
	}
	return ""
}

// whatlangCodes maps the whatlanggo languages Herald stems to their codes.
var whatlangCodes = map[whatlanggo.Lang]string{
	whatlanggo.Arb: "ar", whatlanggo.Dan: "da", whatlanggo.Deu: "de", whatlanggo.Eng: "en",
	whatlanggo.Spa: "es", whatlanggo.Fin: "fi", whatlanggo.Fra: "fr", whatlanggo.Hun: "hu",
	whatlanggo.Ita: "it", whatlanggo.Nld: "nl", whatlanggo.Nob: "no", whatlanggo.Nno: "no",
	whatlanggo.Por: "pt", whatlanggo.Ron: "ro", whatlanggo.Rus: "ru", whatlanggo.Swe: "sv",
	whatlanggo.Tam: "ta", whatlanggo.Tur: "tr",
}

// whatlangOptions restricts whatlanggo to the languages Herald stems.
var whatlangOptions = func() whatlanggo.Options {
	o := whatlanggo.Options{Whitelist: map[whatlanggo.Lang]bool{}}
	for l := range whatlangCodes {
		o.Whitelist[l] = true
	}
	return o
}()
