package knowledge

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/herald-bot/herald/knowledge/text"
)

func TestQuestionNames(t *testing.T) {
	tests := []struct {
		q    string
		want [][]string
	}{
		{"Which Nobel laureate was named head of the World Bank?", [][]string{{"nobel"}, {"world", "bank"}}},
		{"Which team won the 2022 NHL Stanley Cup Finals?", [][]string{{"nhl"}, {"stanley", "cup", "finals"}}},
		{"Where in the US is it illegal to pump your own gas?", [][]string{{"us"}}},
		{"What did Pope Francis name his first cat?", [][]string{{"pope", "francis"}}},
		{"Why did the show end?", nil},
	}
	for _, tt := range tests {
		var got [][]string
		for _, n := range questionNames(tt.q, text.AnalyzerFor("en")) {
			got = append(got, n.words)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("questionNames(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
}

func TestNamesAll(t *testing.T) {
	tests := []struct {
		q, article string
		want       bool
	}{
		{"Which German chancellor resigned?", "Germany's chancellor said on Monday he would stay.", true},
		{"Which German chancellor resigned?", "Britain's chancellor resigned on Monday.", false},
		{"Where in the US is gas self-service banned?", "In two U.S. states drivers may not pump gas.", true},
		{"Which team won the 2022 NHL Stanley Cup Finals?", "The Avalanche won the Stanley Cup Final, the NHL said.", true},
		{"Which Nobel laureate was named head of the World Bank?", "The Nobel laureate praised the bank and the world.", false},
		// Of four names, one may be called otherwise.
		{"Police said the White group Patriot Front planned to riot at an LGBTQ Pride event. Where?",
			"Members of Patriot Front, a white nationalist group, were arrested near a Pride event.", true},
	}
	for _, tt := range tests {
		if got := namesAll(questionNames(tt.q, text.AnalyzerFor("en")), text.Tokens(tt.article)); got != tt.want {
			t.Errorf("namesAll(%q, %q) = %v, want %v", tt.q, tt.article, got, tt.want)
		}
	}
}

// TestAnswersAboutWhatIsAsked: a sentence that only shares the question's
// names, or an article that lacks a name the question holds, does not
// answer it; the sentence of the article naming everything, and saying
// what is asked, does.
func TestAnswersAboutWhatIsAsked(t *testing.T) {
	db := MustOpenDB(t)
	asOf := time.Date(2022, 8, 25, 23, 59, 59, 0, time.UTC)
	putFiller(t, db, 120, asOf)
	putNews(t, db, 1, "Rome Wire", "Pope marks six months of war", asOf.AddDate(0, 0, -1),
		"Pope Francis marked the half-year anniversary of the invasion by decrying the insanity of war.\n\n"+
			"He spoke to pilgrims in St. Peter's Square on Wednesday.")
	putNews(t, db, 2, "London Letter", "New chancellor appointed after resignation", asOf.AddDate(0, 0, -2),
		"Nadhim Zahawi has been appointed chancellor after Rishi Sunak's dramatic resignation from government.\n\n"+
			"The prime minister thanked Sunak for his service.")
	putNews(t, db, 3, "Fry Times", "Burger chain drops fries in Canada", asOf.AddDate(0, 0, -3),
		"Burger Barn said it will stop selling french fries in Canada from September, citing potato shortages.\n\n"+
			"The chain has 300 restaurants in the country.")
	an := &Answerer{DB: db}
	f := Filter{GuildID: "*", AsOf: asOf}
	for _, tt := range []struct{ q, want string }{
		{"What did Pope Francis name his first cat?", ""},
		{"Which German chancellor resigned this week?", ""},
		{"Which fast-food chain announced it will stop selling french fries in Canada?", "Burger Barn"},
	} {
		ans, err := an.Ask(context.Background(), Question{Text: tt.q, Filter: f})
		if err != nil {
			t.Fatal(err)
		}
		if tt.want == "" {
			if !ans.Abstained {
				t.Errorf("%q: want an abstention, got %q", tt.q, ans.Text)
			}
			continue
		}
		if ans.Abstained || len(ans.Citations) == 0 || !strings.Contains(ans.Citations[0].Quote, tt.want) {
			t.Errorf("%q: want a first quote holding %q, got %q", tt.q, tt.want, ans.Text)
		}
	}
}

// TestHeadlineNamesTheAnswer: a headline that matches the question and
// names a candidate counts as evidence for it, so the answer leads with
// the text's sentence naming it rather than one of another article naming
// another organisation.
func TestHeadlineNamesTheAnswer(t *testing.T) {
	db := MustOpenDB(t)
	asOf := time.Date(2022, 7, 8, 23, 59, 59, 0, time.UTC)
	putFiller(t, db, 120, asOf)
	putNews(t, db, 1, "Food Wire", "Subway is redesigning its menu", asOf.AddDate(0, 0, -3),
		"Subway is launching a new menu, the biggest makeover in its history.\n\n"+
			"Customers will see a refreshed menu board in its 21,000 restaurants, with twelve new sandwiches.\n\n"+
			"Sales at Subway have been falling in recent years, according to the research firm Technomic.")
	putNews(t, db, 2, "Dining Digest", "The highest grossing eateries in America", asOf.AddDate(-3, 0, 0),
		"Another oversized restaurant from Tao has a redesigned menu in all its restaurants.\n\n"+
			"Tao runs restaurants in New York and Las Vegas.")
	an := &Answerer{DB: db}
	ans, err := an.Ask(context.Background(), Question{Text: "Which food chain launched a redesigned menu in its restaurants?", Filter: Filter{GuildID: "*", AsOf: asOf}})
	if err != nil {
		t.Fatal(err)
	}
	if ans.Abstained || len(ans.Citations) == 0 || !strings.Contains(ans.Citations[0].Quote, "Subway") {
		t.Errorf("want a first quote naming Subway, got %q", ans.Text)
	}
}

func TestDigitsFirst(t *testing.T) {
	for in, want := range map[string]string{
		"six months": "6 months", "two million": "2 million", "Six": "6", "500 kilometers": "500 kilometers",
		"dozens of times": "dozens of times", "half": "half", "Olaf Scholz": "Olaf Scholz", "one-third": "one-third",
	} {
		if got := digitsFirst(in, lexiconFor("en")); got != want {
			t.Errorf("digitsFirst(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestNamerLeads: when the sentence most like the question only says
// "the show" and another, next to it, names the show clearly the most,
// the answer names it first and leads with that sentence.
func TestNamerLeads(t *testing.T) {
	db := MustOpenDB(t)
	asOf := time.Date(2022, 6, 16, 23, 59, 59, 0, time.UTC)
	putFiller(t, db, 120, asOf)
	putNews(t, db, 1, "Screen Wire", "'Harbour Lights': StreamCo renews its drama", asOf.AddDate(0, 0, -4),
		"StreamCo announced Sunday that the wildly popular coastal drama show is renewed for a second season.\n\n"+
			"“Harbour Lights” is officially coming back.\n\n"+
			"“It took nine years to bring the first season of Harbour Lights to life,” its creator said in a letter.\n\n"+
			"Harbour Lights became the most watched series of the year.")
	an := &Answerer{DB: db}
	ans, err := an.Ask(context.Background(), Question{Text: "Which wildly popular show was renewed for a new season?", Filter: Filter{GuildID: "*", AsOf: asOf}})
	if err != nil {
		t.Fatal(err)
	}
	if ans.Abstained || len(ans.Citations) == 0 || !strings.Contains(ans.Citations[0].Quote, "Harbour Lights") ||
		!strings.HasPrefix(ans.Text, "Harbour Lights — ") {
		t.Errorf("want the show named first: %q", ans.Text)
	}
}

// TestTopicCandidates: asked for a thing by a common noun ("Which
// virus..."), what the best story's headline and text are about is a
// candidate though it is no name; the question's own words are not.
func TestTopicCandidates(t *testing.T) {
	docs := []evDoc{{article: Article{Title: "Monkeypox: agency to consider again whether outbreak is an emergency"}, rank: 0,
		full: "Monkeypox cases rise. The monkeypox outbreak grows. Testing for monkeypox expands. Doses of the monkeypox vaccine are short. The agency met once."}}
	question := "Which virus is making officials declare an emergency?"
	e := newExtractor(question, "en", docs, nil, map[string]float64{"virus": 1, "offici": 1, "declar": 1, "emerg": 1}, DefaultExtraction())
	e.prepare(docs)
	if !e.facts.topics["monkeypox"] || e.facts.topics["agenc"] || e.facts.topics["emerg"] {
		t.Fatalf("topics %v, want monkeypox alone", e.facts.topics)
	}
	sentence := "As monkeypox cases rise, officials plan to reassess the emergency."
	var got []string
	for _, c := range findCandidates(sentence, scanPlainWords(sentence), e.facts) {
		got = append(got, c.text)
	}
	if strings.Join(got, "|") != "monkeypox" {
		t.Errorf("candidates %q, want monkeypox", got)
	}
}
