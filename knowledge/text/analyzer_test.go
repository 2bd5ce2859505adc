package text

import (
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/snowballstem"
	"github.com/blevesearch/snowballstem/german"
)

// stemOf returns the stem of the word w, folded as Tokens folds it, in the
// language lang.
func stemOf(lang, w string) string {
	return AnalyzerFor(lang).Stem(string(appendFolded(nil, w)))
}

func TestAnalyzerStemsMeet(t *testing.T) {
	tests := []struct {
		lang  string
		words []string // all of one stem
	}{
		// British and American spellings.
		{"en", []string{"defence", "defense", "defences", "defenses"}},
		{"en", []string{"offence", "offense", "offensive"}},
		{"en", []string{"licence", "license"}},
		{"en", []string{"organisation", "organization", "organisations", "organised", "organized", "organise"}},
		{"en", []string{"colour", "color", "colours", "coloured", "colored", "colourful", "colorful"}},
		{"en", []string{"centre", "center", "centres", "centers", "centred", "centered"}},
		{"en", []string{"travelled", "traveled", "travelling", "traveling", "traveller", "traveler"}},
		{"en", []string{"analyse", "analyze", "analysed", "analyzed", "analysing", "analyzing", "analyses"}},
		{"en", []string{"realise", "realize", "realised", "realising"}},
		{"en", []string{"favourite", "favorite"}},
		{"en", []string{"behaviour", "behavior", "behavioural", "behavioral"}},
		{"en", []string{"neighbour", "neighbor", "neighbours"}},
		{"en", []string{"neighbourhood", "neighborhood", "neighbourhoods"}},
		{"en", []string{"labour", "labor", "labourers", "laborers"}},
		{"en", []string{"theatre", "theater"}},
		{"en", []string{"metres", "meters", "metre"}},
		{"en", []string{"fibre", "fiber"}},
		{"en", []string{"catalogue", "catalog", "catalogues"}},
		{"en", []string{"programme", "program", "programmes", "programs"}},
		{"en", []string{"manoeuvre", "maneuver", "manoeuvres"}},
		{"en", []string{"grey", "gray"}},
		{"en", []string{"paediatric", "pediatric"}},
		{"en", []string{"practise", "practice", "practised"}},
		{"en", []string{"judgement", "judgment"}},
		{"en", []string{"fuelled", "fueled"}},
		// Inflections and derivations Snowball joins.
		{"en", []string{"intercepted", "interception", "intercept", "intercepts", "intercepting"}},
		{"en", []string{"approved", "approving", "approve", "approves"}},
		{"en", []string{"deliveries", "delivery"}},
		{"en", []string{"missiles", "missile"}},
		{"en", []string{"stopped", "stopping", "stop"}},
		{"en", []string{"discussed", "discussing", "discusses", "discuss"}},
		// German inflections, with and without umlauts.
		{"de", []string{"Offiziere", "Offizieren", "Offizier"}},
		{"de", []string{"Streik", "Streiks"}},
		{"de", []string{"Lieferung", "Lieferungen"}},
		{"de", []string{"Marschflugkörper", "Marschflugkörpern", "Marschflugkorper", "MARSCHFLUGKÖRPERN"}},
		{"de", []string{"Straße", "Strasse", "Straßen"}},
		{"de", []string{"Gespräch", "Gespräche", "Gesprächen", "Gesprach"}},
		{"de", []string{"Soldat", "Soldaten"}},
		{"de", []string{"genehmigen", "genehmigung", "genehmigungen"}},
		{"de", []string{"Bundesländer", "Bundesländern", "bundeslander"}},
		// Another Snowball language.
		{"fr", []string{"décision", "décisions", "decision"}},
		{"es", []string{"misiles", "misil"}},
	}
	for _, tt := range tests {
		want := stemOf(tt.lang, tt.words[0])
		for _, w := range tt.words[1:] {
			if got := stemOf(tt.lang, w); got != want {
				t.Errorf("%s: stem(%q) = %q, stem(%q) = %q; want the same", tt.lang, w, got, tt.words[0], want)
			}
		}
	}
}

func TestAnalyzerStemsKeepApart(t *testing.T) {
	pairs := []struct{ lang, a, b string }{
		{"en", "hatred", "hater"},
		{"en", "filled", "filed"},
		{"en", "timbre", "timber"},
		{"en", "four", "for"},
		{"en", "hour", "hor"},
		{"en", "raise", "raze"},
		{"en", "news", "new"},
		{"en", "crisis", "cris"},
		{"de", "neun", "neuen"},
		{"de", "Wahl", "Wal"},
	}
	for _, p := range pairs {
		if sa, sb := stemOf(p.lang, p.a), stemOf(p.lang, p.b); sa == sb {
			t.Errorf("%s: %q and %q both stem to %q", p.lang, p.a, p.b, sa)
		}
	}
	for _, w := range []string{"us", "bus", "news", "crisis", "gas", "2024", "f35"} {
		if stemOf("en", w) == "" {
			t.Errorf("stem(%q) is empty", w)
		}
	}
}

// TestGermanFoldingBeforeStemming checks the choice to fold umlauts before
// stemming: it gives the stems Snowball gives the words as written, so an
// index and a query meet whichever way a word is spelled.
func TestGermanFoldingBeforeStemming(t *testing.T) {
	for _, w := range strings.Fields("Marschflugkörpern Offizieren Gespräche Häuser Lösungen Überwachung über Bürgerinnen Fußball Maßnahmen Bundesländern Zölle") {
		env := snowballstem.NewEnv(strings.ToLower(w))
		german.Stem(env)
		asWritten := string(appendFolded(nil, env.Current()))
		if got := stemOf("de", w); got != asWritten {
			t.Errorf("stem of folded %q = %q; stemming it as written and folding gives %q", w, got, asWritten)
		}
	}
}

func TestAnalyzerIndexAndQueryMeet(t *testing.T) {
	tests := []struct {
		lang, text string
		questions  map[string][]string // question -> its words that must find the text
	}{
		{"de", "Scholz lehnt die Lieferung von Taurus-Marschflugkörpern an die Ukraine ab. Die Offiziere der Luftwaffe hatten über die Streiks gesprochen.",
			map[string][]string{
				"Warum genehmigt Scholz keine Lieferungen von Taurus-Marschflugkörpern?": {"Scholz", "Lieferungen", "Taurus", "Marschflugkörpern", "Taurus-Marschflugkörpern"},
				"Was sagten die Offizieren?":                  {"Offizieren"},
				"Gab es einen Streik?":                        {"Streik"},
				"Wie weit fliegt ein Marschflugkorper?":       {"Marschflugkorper"},
				"Wie weit fliegt der Taurusmarschflugkörper?": {"Taurusmarschflugkörper"},
			}},
		{"en", "The defence minister said the call was intercepted through an unauthorised connection.",
			map[string][]string{
				"How did the recording get intercepted, according to the defense minister?": {"intercepted", "defense", "minister"},
				"What was the interception about?":                                          {"interception"},
				"Was the connection unauthorized?":                                          {"connection", "unauthorized"},
			}},
	}
	for _, tt := range tests {
		a := AnalyzerFor(tt.lang)
		toks, n := a.AppendIndexTokens(nil, tt.text)
		if want := len(Tokens(tt.text)); n != want {
			t.Errorf("%s: counted %d tokens, Tokens has %d", tt.lang, n, want)
		}
		for q, words := range tt.questions {
			terms := a.Query(q)
			for _, w := range words {
				folded := strings.Join(Tokens(w), "")
				k := slices.IndexFunc(terms, func(t QueryTerm) bool { return t.Word == folded })
				if k < 0 {
					t.Errorf("%s: %q has no term for %q: %+v", tt.lang, q, w, terms)
					continue
				}
				if !slices.Contains(toks, terms[k].Term) {
					t.Errorf("%s: term %q (%q) of %q is not among the text's index terms %q", tt.lang, terms[k].Term, w, q, toks)
				}
			}
		}
	}
}

func TestAnalyzerHyphenatedCompounds(t *testing.T) {
	a := AnalyzerFor("de")
	toks, n := a.AppendIndexTokens(nil, "Taurus-Marschflugkörpern und Nord-Stream-2 und COVID-19, aber nicht Ein- und Ausfuhr")
	for _, want := range []string{"taurus", "marschflugkorp", "taurusmarschflugkorp", "nord", "stream", "nordstream2", "covid", "covid19", "ausfuhr"} {
		if !slices.Contains(toks, want) {
			t.Errorf("index terms %q lack %q", toks, want)
		}
	}
	for _, not := range []string{"einund", "einundausfuhr", "ausfuhraber"} {
		if slices.Contains(toks, not) {
			t.Errorf("index terms %q hold %q", toks, not)
		}
	}
	if n != 14 {
		t.Errorf("counted %d tokens, want 14 (compounds are not counted)", n)
	}
	q := a.Query("Wer baut Taurus-Marschflugkörper?")
	var got []string
	for _, term := range q {
		got = append(got, term.Term)
		if term.Compound && (term.Key || term.Name) {
			t.Errorf("compound %+v is Key or Name", term)
		}
	}
	if want := []string{"baut", "taurus", "marschflugkorp", "taurusmarschflugkorp"}; !slices.Equal(got, want) {
		t.Errorf("query terms %q, want %q", got, want)
	}
}

func TestAnalyzerQuery(t *testing.T) {
	tests := []struct {
		lang, q     string
		terms, keys []string
		names       []string
	}{
		{"de", "Warum genehmigt Scholz keine Lieferung von Taurus-Marschflugkörpern?",
			[]string{"genehmigt", "scholz", "liefer", "taurus", "marschflugkorp", "taurusmarschflugkorp"},
			[]string{"genehmigt", "scholz", "liefer", "taurus", "marschflugkorp"},
			[]string{"scholz", "taurus", "marschflugkorp"}},
		{"de", "Wer ist Pistorius?", []string{"pistorius"}, []string{"pistorius"}, []string{"pistorius"}},
		{"de", "Was kostet ein Taurus?", []string{"kostet", "taurus"}, []string{"kostet", "taurus"}, nil},
		{"de", "Wie viele Soldaten hat die Bundeswehr im Jahr 2024?",
			[]string{"soldat", "bundeswehr", "jahr", "2024"}, []string{"soldat", "bundeswehr", "2024"}, nil},
		{"de", "Was sagte Olaf Scholz letzte Woche über die NATO?",
			[]string{"sagt", "olaf", "scholz", "letzt", "woch", "nato"}, []string{"olaf", "scholz", "nato"}, []string{"olaf", "scholz", "nato"}},
		{"en", "How did the recording get intercepted, according to the defence minister?",
			[]string{"record", "intercept", "accord", "defens", "minist"},
			[]string{"record", "intercept", "defens", "minist"}, nil},
		{"en", "What did the French president say about the US and the WHO?",
			[]string{"french", "presid", "say", "us", "who"}, []string{"french", "presid", "us", "who"}, []string{"french", "us", "who"}},
		{"en", "Did approvals and approving differ?", []string{"approv", "differ"}, []string{"approv", "differ"}, nil},
		{"xx", "Qu'est-ce que Pistorius?", []string{"qu", "est", "ce", "estce", "que", "pistorius"}, []string{"pistorius"}, []string{"pistorius"}},
	}
	for _, tt := range tests {
		a := AnalyzerFor(tt.lang)
		if got := a.QueryTerms(tt.q); !slices.Equal(got, tt.terms) {
			t.Errorf("%s QueryTerms(%q) = %q, want %q", tt.lang, tt.q, got, tt.terms)
		}
		if got := a.KeyTerms(tt.q); !slices.Equal(got, tt.keys) {
			t.Errorf("%s KeyTerms(%q) = %q, want %q", tt.lang, tt.q, got, tt.keys)
		}
		if got := a.Names(tt.q); !slices.Equal(got, tt.names) {
			t.Errorf("%s Names(%q) = %q, want %q", tt.lang, tt.q, got, tt.names)
		}
	}
}

// TestEnglishAnalyzerAgreesWithQueryTerms checks that the English analyzer
// sees the words, keys and names the package's English functions see,
// only stemmed.
func TestEnglishAnalyzerAgreesWithQueryTerms(t *testing.T) {
	a := AnalyzerFor("en")
	for _, q := range []string{
		"What did Mayor Ellen Whitaker say about the $2.4 billion Pelican Bay flood barrier in 2026?",
		"Who is Olaf Scholz? What did the WHO say?",
		"WHAT HAPPENED IN THE US THIS WEEK",
		"Why was the vote delayed, and who objected to it?",
	} {
		var words, keys, names []string
		for _, term := range a.Query(q) {
			words = append(words, term.Word)
			if term.Key {
				keys = append(keys, term.Word)
			}
			if term.Name {
				names = append(names, term.Word)
			}
		}
		if want := QueryTerms(q); !slices.Equal(words, want) {
			t.Errorf("words of %q = %q, QueryTerms = %q", q, words, want)
		}
		if want := KeyTerms(q); !slices.Equal(keys, want) {
			t.Errorf("keys of %q = %q, KeyTerms = %q", q, keys, want)
		}
		if want := Names(q); !slices.Equal(names, want) {
			t.Errorf("names of %q = %q, Names = %q", q, names, want)
		}
	}
}

func TestAnalyzerStopwords(t *testing.T) {
	en, de := AnalyzerFor("en"), AnalyzerFor("de")
	for _, tok := range []string{"", "a", "the", "what", "didn", "mr", "é", "x"} {
		if !en.IsStopword(tok) || !IsStopword(tok) {
			t.Errorf("%q is not an English stop word", tok)
		}
	}
	for _, w := range strings.Fields("der die das und oder für über dass daß nicht wird wurde würde können wer was wann warum wie welche im zum herr frau") {
		if tok := string(appendFolded(nil, w)); !de.IsStopword(tok) {
			t.Errorf("%q (%q) is not a German stop word", w, tok)
		}
	}
	for _, w := range strings.Fields("scholz lieferung streik taurus bundeswehr 2024 7 krieg regierung") {
		if de.IsStopword(w) {
			t.Errorf("%q is a German stop word", w)
		}
	}
	for _, tc := range []struct {
		a                  *Analyzer
		tok                string
		question, function bool
	}{
		{de, "wer", true, false}, {de, "warum", true, false}, {de, "und", false, true},
		{de, "fur", false, true}, {de, "scholz", false, false},
		{en, "who", true, false}, {en, "the", false, true}, {en, "vote", false, false},
	} {
		if got := tc.a.IsQuestionWord(tc.tok); got != tc.question {
			t.Errorf("%s IsQuestionWord(%q) = %v", tc.a.Language(), tc.tok, got)
		}
		if got := tc.a.IsFunctionWord(tc.tok); got != tc.function {
			t.Errorf("%s IsFunctionWord(%q) = %v", tc.a.Language(), tc.tok, got)
		}
	}
	list := de.Stopwords()
	if !slices.IsSorted(list) || !slices.Contains(list, "fur") || !slices.Contains(list, "und") || slices.Contains(list, "für") {
		t.Errorf("German Stopwords() = %q...", list[:10])
	}
	if got := AnalyzerFor("xx").Stopwords(); len(got) != 0 {
		t.Errorf("the plain analyzer has stop words %q", got)
	}
}

func TestAnalyzerFor(t *testing.T) {
	tests := []struct{ in, lang string }{
		{"en", "en"}, {"de", "de"}, {"DE", "de"}, {"de-AT", "de"}, {"en_GB", "en"},
		{"deu", "de"}, {"ger", "de"}, {"eng", "en"}, {"fr-CA", "fr"}, {"nb", "no"},
		{"", ""}, {"ja", ""}, {"German", ""}, {"x-klingon", ""},
	}
	for _, tt := range tests {
		if got := AnalyzerFor(tt.in).Language(); got != tt.lang {
			t.Errorf("AnalyzerFor(%q).Language() = %q, want %q", tt.in, got, tt.lang)
		}
	}
	plain := AnalyzerFor("ja")
	if got := plain.Stem("approved"); got != "approved" {
		t.Errorf("the plain analyzer stems %q", got)
	}
	if toks, _ := plain.AppendIndexTokens(nil, "Tōkyō の 2024 a"); !slices.Equal(toks, []string{"tokyo", "2024"}) {
		t.Errorf("plain index terms %q", toks)
	}
	want := []string{"ar", "da", "de", "en", "es", "fi", "fr", "ga", "hu", "it", "nl", "no", "pt", "ro", "ru", "sv", "ta", "tr"}
	if got := Languages(); !slices.Equal(got, want) {
		t.Errorf("Languages() = %q, want %q", got, want)
	}
	for _, lang := range Languages() {
		if AnalyzerFor(lang).Language() != lang {
			t.Errorf("AnalyzerFor(%q) is not %q's analyzer", lang, lang)
		}
	}
}

func TestLanguageCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"de", "de"}, {" en-US ", "en"}, {"de_DE", "de"}, {"EN", "en"}, {"pt-BR", "pt"},
		{"deu", "de"}, {"fre", "fr"}, {"nn", "no"}, {"ja", "ja"}, {"zh-Hant-TW", "zh"},
		{"", ""}, {"e", ""}, {"english", ""}, {"12", ""}, {"xyz", ""},
	}
	for _, tt := range tests {
		if got := LanguageCode(tt.in); got != tt.want {
			t.Errorf("LanguageCode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestStemCache(t *testing.T) {
	var cache StemCache
	for _, tc := range []struct {
		lang string
		text func(testing.TB) string
	}{{"en", articleText}, {"de", germanText}} {
		a, s := AnalyzerFor(tc.lang), tc.text(t)
		want, wantN := a.AppendIndexTokens(nil, s)
		for range 2 { // filling the cache, then from it
			got, n := cache.AppendIndexTokens(a, nil, s)
			if !slices.Equal(got, want) || n != wantN {
				t.Fatalf("%s: cached terms differ from uncached ones", tc.lang)
			}
		}
	}
	if en, de := cache.Stem(AnalyzerFor("en"), "hauser"), cache.Stem(AnalyzerFor("de"), "hauser"); en == de {
		t.Errorf("the cache mixes languages: %q and %q", en, de)
	}
	cache.n = maxCachedStems
	if got := cache.Stem(AnalyzerFor("en"), "deliveries"); got != "deliveri" || cache.n != 1 {
		t.Errorf("a full cache was not reset: stem %q, %d entries", got, cache.n)
	}
	var none *StemCache
	if got := none.Stem(AnalyzerFor("en"), "approving"); got != "approv" {
		t.Errorf("nil cache: stem %q", got)
	}
}
