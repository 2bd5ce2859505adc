package text

import "strings"

// English spelling variants meet by folding British spellings into American
// ones around the Snowball stemmer: generic rules on the word before it
// stems (colour -> color, organise -> organize, analyse -> analyze, centre
// -> center, catalogue -> catalog), one on the stem after it (defenc ->
// defens, so defence meets defense), and a short table for families no
// rule covers (programme, manoeuvre, paediatric, grey, tyre). Both sides
// of a match fold alike, so a rule only has to be consistent, not right:
// what matters is that it never joins two different words, which is why
// each rule asks for a few letters before the ending it rewrites.

// foldBritishWord rewrites a lowercase ASCII word's British ending into the
// American one. A word no rule applies to is returned unchanged, without
// allocating.
func foldBritishWord(w string) string {
	if len(w) < 5 {
		return w
	}
	// -our- -> -or-: colour(s|ed|ing|ful|less|ist|able|ably|ite|ites|er|ers|al|ally|ism).
	if i := strings.LastIndex(w, "our"); i >= 2 && isConsonantOrI(w[i-1]) && ourSuffixes[w[i+3:]] {
		return w[:i] + "or" + w[i+3:]
	}
	// -is(e|ing|ation) -> -iz-, -ys- -> -yz-: organise, analyse, realisation,
	// with three letters or more before the "is", the last a consonant
	// (not "raise", "praise", "cruise").
	for j := len(w) - 2; j >= 4 && j >= len(w)-7; j-- {
		if w[j] == 's' && (w[j-1] == 'i' || w[j-1] == 'y') {
			if izeEndings[w[j+1:]] && isConsonant(w[j-2]) {
				return w[:j] + "z" + w[j+1:]
			}
			break
		}
	}
	// -tre, -bre -> -ter, -ber: centre(s), fibre(s), with two letters or
	// more before the t or b (not "acre"), and centred with three ("hatred"
	// stays). "timbre" is spelled so on both sides and would meet "timber".
	for _, r := range [...]struct {
		gb, us string
		min    int // letters before the "r"
	}{{"re", "er", 3}, {"res", "ers", 3}, {"red", "ered", 4}} {
		i := len(w) - len(r.gb) // index of the "r"
		if i >= r.min && strings.HasSuffix(w, r.gb) && (w[i-1] == 't' || w[i-1] == 'b') && !strings.HasPrefix(w, "timbre") {
			return w[:i] + r.us
		}
	}
	// -ogue -> -og: catalogue(s), dialogue(s), analogue(s).
	for _, suf := range [...]string{"ogue", "ogues"} {
		if strings.HasSuffix(w, suf) && len(w)-len(suf) >= 3 {
			return w[:len(w)-len(suf)] + "og" + suf[4:]
		}
	}
	return w
}

// foldBritishStem rewrites a Snowball English stem: "enc" at the end
// becomes "ens", as Snowball leaves "defence" as "defenc" but "defense" as
// "defens" (longer words lose -ence entirely, "evidence" -> "evid", and are
// unaffected); then the irregular British stems take their American form.
func foldBritishStem(st string) string {
	if len(st) >= 5 && strings.HasSuffix(st, "enc") {
		st = st[:len(st)-1] + "s"
	}
	if us, ok := britishStems[st]; ok {
		return us
	}
	return st
}

// ourSuffixes are the endings after "our" that mark a British -our word.
var ourSuffixes = map[string]bool{
	"": true, "s": true, "ed": true, "ing": true, "ful": true, "fully": true,
	"less": true, "ist": true, "ists": true, "able": true, "ably": true,
	"ite": true, "ites": true, "er": true, "ers": true, "al": true, "ally": true,
	"ism": true, "hood": true, "hoods": true,
}

// izeEndings are the endings after the s of a British -ise word.
var izeEndings = map[string]bool{
	"e": true, "es": true, "ed": true, "er": true, "ers": true, "ing": true,
	"ation": true, "ations": true,
}

// britishAmericanPairs are spelling families no rule covers, as a British
// and an American word of each; britishStems maps the first's stem to the
// second's.
var britishAmericanPairs = [...][2]string{
	{"programme", "program"}, {"manoeuvre", "maneuver"}, {"jewellery", "jewelry"},
	{"counsellor", "counselor"}, {"fuelled", "fueled"}, {"fuelling", "fueling"},
	{"judgement", "judgment"}, {"acknowledgement", "acknowledgment"},
	{"paediatric", "pediatric"}, {"paediatrician", "pediatrician"},
	{"haemorrhage", "hemorrhage"}, {"anaemia", "anemia"}, {"leukaemia", "leukemia"},
	{"oestrogen", "estrogen"}, {"foetus", "fetus"}, {"diarrhoea", "diarrhea"},
	{"oesophagus", "esophagus"}, {"grey", "gray"}, {"tyre", "tire"}, {"tyres", "tires"},
	{"aluminium", "aluminum"}, {"sulphur", "sulfur"}, {"mould", "mold"},
	{"plough", "plow"}, {"cheque", "check"}, {"cheques", "checks"}, {"kerb", "curb"},
	{"storey", "story"}, {"storeys", "stories"}, {"pyjamas", "pajamas"},
	{"sceptic", "skeptic"}, {"sceptical", "skeptical"}, {"artefact", "artifact"},
	{"practise", "practice"}, {"practised", "practiced"}, {"enrolment", "enrollment"},
	{"skilful", "skillful"}, {"instalment", "installment"}, {"fulfil", "fulfill"},
	{"gaol", "jail"}, {"moustache", "mustache"}, {"draughts", "drafts"},
}

// britishStems maps the English stem of each British word of
// britishAmericanPairs to the stem of its American counterpart.
var britishStems = func() map[string]string {
	m := make(map[string]string, len(britishAmericanPairs))
	for _, p := range britishAmericanPairs {
		gb, us := snowballEnglish(foldBritishWord(p[0])), snowballEnglish(foldBritishWord(p[1]))
		if gb != us {
			m[gb] = us
		}
	}
	return m
}()

func isVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u':
		return true
	}
	return false
}

func isConsonant(c byte) bool { return c-'a' < 26 && !isVowel(c) }

func isConsonantOrI(c byte) bool { return c == 'i' || isConsonant(c) }
