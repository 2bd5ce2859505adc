package knowledge

import (
	"context"
	"strings"
	"testing"
	"time"
)

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
	ans := askAsOf(t, db, "Which food chain launched a redesigned menu in its restaurants?", asOf)
	if ans.Abstained || len(ans.Citations) == 0 || !strings.Contains(ans.Citations[0].Quote, "Subway") {
		t.Errorf("want a first quote naming Subway, got %q", ans.Text)
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
	ans := askAsOf(t, db, "Which wildly popular show was renewed for a new season?", asOf)
	if ans.Abstained || len(ans.Citations) == 0 || !strings.Contains(ans.Citations[0].Quote, "Harbour Lights") ||
		!strings.HasPrefix(ans.Text, "Harbour Lights — ") {
		t.Errorf("want the show named first: %q", ans.Text)
	}
}
