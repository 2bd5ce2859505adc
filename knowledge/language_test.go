package knowledge

import (
	"context"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/herald-bot/herald/knowledge/text"
)

// mustPutFile stores the article of a testdata file.
func mustPutFile(tb testing.TB, db *DB, name string) *Article {
	tb.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	a, err := ParseTextArticle(string(raw))
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := db.PutArticle(context.Background(), a); err != nil {
		tb.Fatal(err)
	}
	return a
}

// A German article is indexed in German: questions with other inflections
// of its words find it, German stems never score the English article, and
// a German question naming what the English article names finds that one
// too, after the German one.
func TestGermanQuestionsFindTheGermanArticle(t *testing.T) {
	forEachBackend(t, testGermanQuestionsFindTheGermanArticle)
}

func testGermanQuestionsFindTheGermanArticle(t *testing.T, db *DB) {
	ctx := context.Background()
	en := mustPutTaurus(t, db)
	de := mustPutFile(t, db, "taurus_de.md")
	if de.Language != "de" || en.Language != "en" {
		t.Fatalf("languages detected: German article %q, English article %q", de.Language, en.Language)
	}
	cases := []struct {
		question string
		want     int64 // the article ranked first
		alsoEN   bool  // the English article is found too (by a name)
	}{
		{"Warum genehmigt Scholz keine Lieferung von Taurus-Marschflugkörpern?", de.ID, true},
		{"Welche Streiks der Lokführer gab es?", de.ID, false},                   // Streiks / Streik
		{"Wann beginnen die nächsten Streik-Tage?", de.ID, false},                // Streik / Streiks
		{"Was sagte der Minister über die abgehörten Offizieren?", de.ID, false}, // Offizieren / Offiziere
		{"Marschflugkörper für die Ukraine", de.ID, false},                       // the hyphenated compound's part
		{"Warum lehnt der Kanzler die Lieferungen ab?", de.ID, false},            // Lieferungen / Lieferung
		{"Why did Scholz refuse the Taurus missiles?", en.ID, true},
	}
	for _, c := range cases {
		hits, err := db.Search(ctx, c.question, Filter{GuildID: "*"})
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) == 0 || hits[0].Article.ID != c.want {
			t.Errorf("%q: found %v, want article %d first", c.question, hitKeys(hits), c.want)
			continue
		}
		other := false
		for _, h := range hits {
			other = other || h.Article.ID != c.want
		}
		if other != c.alsoEN {
			t.Errorf("%q: the other language's article found: %v, want %v (%v)", c.question, other, c.alsoEN, hitKeys(hits))
		}
	}
	// Without a name in common, a German question scores no English
	// passage, though English words share its stems ("die", "war").
	hits, err := db.Search(ctx, "Was verbreiteten die russischen Medien am Freitag?", Filter{GuildID: "*"})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hits {
		if h.Article.ID != de.ID {
			t.Errorf("a German question without names found the English article: %v", hitKeys(hits))
		}
	}
	// A question too short to tell its language takes the asker's.
	for lang, want := range map[string]int64{"de": de.ID, "en": en.ID} {
		hits, err := db.Search(ctx, "Pistorius", Filter{GuildID: "*", Language: lang})
		if err != nil || len(hits) == 0 || hits[0].Article.ID != want {
			t.Errorf("\"Pistorius\" asked in %q: %v, %v", lang, hitKeys(hits), err)
		}
	}
}

func TestArticleLanguage(t *testing.T) {
	de := "Die Regierung hat am Montag beschlossen, dass die Streiks bei der Bahn bis zum Wochenende dauern dürfen."
	en := "The government decided on Monday that the strikes on the railways may last until the weekend."
	for _, c := range []struct{ declared, text, want string }{
		{"de-AT", en, "de"},       // declared wins
		{"EN", de, "en"},          // in any case
		{"", de, "de"},            // detected
		{"x-klingon", en, "en"},   // not a language code: detected
		{"", "Olaf Scholz", "en"}, // too little to tell: English
		{"ja", en, "ja"},          // declared, though Herald has no stemmer for it
	} {
		if got := articleLanguage(c.declared, c.text); got != c.want {
			t.Errorf("articleLanguage(%q, %.20q) = %q, want %q", c.declared, c.text, got, c.want)
		}
	}
}

// The sample's paraphrased question (intercepted/interception,
// defence/defense) finds the passage that answers it.
func TestParaphrasedQuestionFindsItsPassage(t *testing.T) {
	forEachBackend(t, testParaphrasedQuestionFindsItsPassage)
}

func testParaphrasedQuestionFindsItsPassage(t *testing.T, db *DB) {
	mustPutTaurus(t, db)
	hits, err := db.Search(context.Background(), "How did the recording get intercepted, according to the defence minister?", Filter{GuildID: "*"})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hits {
		if strings.Contains(h.Passage.Text, "unauthorized connection") {
			return
		}
	}
	t.Errorf("no passage with the \"unauthorized connection\" sentence among %v", hitKeys(hits))
}

// Re-scoring counts a question's terms in a passage as the index analysis
// does, though it stems only the tokens that can meet a term and looks for
// compounds around hyphens only.
func TestCountTermsAsTheIndexDoes(t *testing.T) {
	texts := []string{
		"The defence minister said the COVID-19 recording was intercepted through an unauthorized connection (Covid-19, covid 19).",
		"A state-of-the-art e-mail system; the US-led talks in mid-June; a well-known, long-running x-ray—test-drive.",
		"Die Offiziere erörterten den Einsatz von Taurus-Marschflugkörpern. Streiks: Lokführer-Streik, Bahn‐Streik (mit U+2010) und Taurus‑Marschflugkörper.",
		"Oestrogen, the gaol and the kerb; tyres, dying and lying; fulfil, colour-blind, centre-left.",
	}
	questions := map[string][]string{
		"en": {"How was the COVID-19 recording intercepted, says the defense minister?", "state-of-the-art email",
			"estrogen jail curb tires die lie fulfill color-blind center-left", "mid-June talks well-known"},
		"de": {"Warum Taurus-Marschflugkörper?", "Welche Streiks der Lokführer?", "Bahn-Streik Offizieren"},
	}
	for lang, qs := range questions {
		an := text.AnalyzerFor(lang)
		for _, q := range qs {
			want := map[string]float64{}
			var terms []string
			for _, qt := range an.Query(q) {
				want[qt.Term] = 1
				terms = append(terms, qt.Term)
			}
			firsts := firstBytes(an, terms)
			if firsts == nil {
				t.Errorf("%q: no fast path", q)
				continue
			}
			for _, s := range texts {
				var cache text.StemCache
				fast, whole := map[string]int{}, map[string]int{}
				countTerms(&cache, an, firsts, want, s, fast, nil)
				countTerms(&cache, an, nil, want, s, whole, nil)
				for term := range want {
					if fast[term] != whole[term] {
						t.Errorf("%s %q in %.30q: %q counted %d times, the index analysis %d", lang, q, s, term, fast[term], whole[term])
					}
				}
			}
		}
	}
}

// The same, on random text: words, hyphens of three kinds, punctuation,
// capitals and diacritics, with the question's terms taken from the text.
func TestCountTermsOnRandomText(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	words := []string{"Streik", "streiks", "Über", "über", "mail", "e", "US", "us", "the", "die", "Offizieren", "COVID", "19",
		"state", "of", "art", "colour", "blind", "dying", "tyres", "gaol", "Marschflugkörper", "Taurus", "x", "ray", "defence", "mid", "June"}
	seps := []string{" ", " ", " ", "-", "-", "\u2010", "\u2011", ", ", ". ", "—", "/", " (", ") "}
	for round := 0; round < 300; round++ {
		var b strings.Builder
		for i := 0; i < 5+rng.IntN(40); i++ {
			b.WriteString(words[rng.IntN(len(words))])
			b.WriteString(seps[rng.IntN(len(seps))])
		}
		s := b.String()
		for _, lang := range []string{"en", "de"} {
			an := text.AnalyzerFor(lang)
			var cache text.StemCache
			idx, _ := cache.AppendIndexTokens(an, nil, s)
			want := map[string]float64{}
			var terms []string
			for i := 0; i < 4 && len(idx) > 0; i++ {
				term := idx[rng.IntN(len(idx))]
				want[term] = 1
				terms = append(terms, term)
			}
			firsts := firstBytes(an, terms)
			if firsts == nil {
				continue
			}
			fast, whole := map[string]int{}, map[string]int{}
			countTerms(&cache, an, firsts, want, s, fast, nil)
			countTerms(&cache, an, nil, want, s, whole, nil)
			for term := range want {
				if fast[term] != whole[term] {
					t.Fatalf("%s %q in %q: counted %d times, the index analysis %d", lang, term, s, fast[term], whole[term])
				}
			}
		}
	}
}
