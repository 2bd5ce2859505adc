package knowledge

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/herald-bot/herald/knowledge/extract"
)

func TestExtractiveAnswerCitesTheSentence(t *testing.T) {
	forEachBackend(t, testExtractiveAnswerCitesTheSentence)
}

func testExtractiveAnswerCitesTheSentence(t *testing.T, db *DB) {
	a := mustPutTaurus(t, db)
	an := &Answerer{DB: db}
	f := Filter{GuildID: "*", AsOf: a.PublishedAt.AddDate(0, 0, 1)}
	cases := []struct{ q, quoted string }{
		{"Why hasn't Scholz approved Taurus deliveries?", "entanglement in the conflict"},
		{"How far can the Taurus reach?", "500 kilometers"},
		{"Which video platform was the meeting held on?", "WebEx"},
	}
	for _, c := range cases {
		ans, err := an.Ask(context.Background(), Question{Text: c.q, Filter: f})
		if err != nil {
			t.Fatal(err)
		}
		if ans.Abstained || len(ans.Citations) == 0 {
			t.Errorf("%q: abstained or no citations: %+v", c.q, ans)
			continue
		}
		found := false
		for _, cit := range ans.Citations {
			if !strings.Contains(a.Text, cit.Quote) {
				t.Errorf("%q: quote %q is not in the stored text", c.q, cit.Quote)
			}
			if !cit.Verified || cit.Source != "Defense News" || cit.Title == "" {
				t.Errorf("%q: citation %+v", c.q, cit)
			}
			if strings.Contains(cit.Quote, c.quoted) {
				found = true
			}
		}
		if !found {
			t.Errorf("%q: no citation quotes %q: %+v", c.q, c.quoted, ans.Citations)
		}
		if !strings.Contains(ans.Text, "[1]") {
			t.Errorf("%q: answer has no marker: %q", c.q, ans.Text)
		}
	}
}

func TestExtractiveAnswerAbstains(t *testing.T) { forEachBackend(t, testExtractiveAnswerAbstains) }

func testExtractiveAnswerAbstains(t *testing.T, db *DB) {
	mustPutTaurus(t, db)
	an := &Answerer{DB: db}
	for _, q := range []string{
		"What did the French president say about the Taurus leak?",
		"Who won the 2022 World Cup final in Qatar?",
		"What is the price of bitcoin?",
	} {
		ans, err := an.Ask(context.Background(), Question{Text: q, Filter: Filter{GuildID: "*"}})
		if err != nil {
			t.Fatal(err)
		}
		if !ans.Abstained || len(ans.Citations) != 0 || ans.Text != AbstainText {
			t.Errorf("%q: want abstention, got %+v", q, ans)
		}
	}
}

func TestAskRejectsEmptyAndHandlesHostileQuestions(t *testing.T) {
	forEachBackend(t, testAskRejectsEmptyAndHandlesHostileQuestions)
}

func testAskRejectsEmptyAndHandlesHostileQuestions(t *testing.T, db *DB) {
	mustPutTaurus(t, db)
	an := &Answerer{DB: db}
	if _, err := an.Ask(context.Background(), Question{Text: "  "}); ErrorCode(err) != EINVALID {
		t.Fatalf("empty question: %v", err)
	}
	for _, q := range []string{`"""`, "@everyone what is Taurus?", strings.Repeat("NEAR( ", 2000), "what is it?"} {
		ans, err := an.Ask(context.Background(), Question{Text: q, Filter: Filter{GuildID: "*"}})
		if err != nil {
			t.Errorf("%.30q: %v", q, err)
			continue
		}
		if ans.Text == "" {
			t.Errorf("%.30q: empty answer", q)
		}
	}
}

// useModel is the one decision between the model and the extractive
// writer, for answers, summaries and digests alike.
func TestUseModel(t *testing.T) {
	model := &fakeCompleter{}
	for _, tc := range []struct {
		mode      string
		completer Completer
		want      bool
		code      string
	}{
		{"", nil, false, ""},
		{"", model, true, ""},
		{"auto", model, true, ""},
		{" AUTO ", nil, false, ""},
		{"llm", model, true, ""},
		{"llm", nil, false, EINVALID},
		{"extractive", model, false, ""},
		{"extractive", nil, false, ""},
		{"poetry", model, false, EINVALID},
	} {
		got, err := useModel(tc.mode, tc.completer, "answers")
		if got != tc.want || ErrorCode(err) != tc.code {
			t.Errorf("useModel(%q, model=%v) = %v, %v; want %v, code %q", tc.mode, tc.completer != nil, got, err, tc.want, tc.code)
		}
	}
}

// TestSampleQuestionsAnsweredOrAbstaining: on the sample article,
// paraphrased questions find the sentence that answers them, and
// questions whose answer the article lacks abstain even though it holds
// sentences that look like answers (a range for a price, a duration for
// a count).
func TestSampleQuestionsAnsweredOrAbstaining(t *testing.T) {
	db := MustOpenDB(t)
	a := mustPutTaurus(t, db)
	an := &Answerer{DB: db}
	f := Filter{GuildID: "*", AsOf: a.PublishedAt.AddDate(0, 0, 1)}
	tests := []struct {
		q, lead string // lead: what the first quote holds; "" abstains
	}{
		{"Why hasn't Scholz approved Taurus deliveries?", "potential entanglement in the conflict"},
		{"How far can Taurus missiles reach?", "500 kilometers"},
		// intercepted/interception, defence/defense meet by stem.
		{"How did the recording get intercepted, according to the defence minister?", "unauthorized connection"},
		{"What does Pistorius say caused the leak?", "individual"},
		{"Which German foundation did Moscow's justice ministry designate as undesirable?", "Friedrich Ebert Foundation"},
		{"What is the price of a Taurus missile?", ""},
		{"How many Taurus missiles has Germany already delivered to Ukraine?", ""},
		{"What did the French president say about the Taurus leak?", ""},
	}
	for _, tt := range tests {
		ans, err := an.Ask(context.Background(), Question{Text: tt.q, Filter: f})
		if err != nil {
			t.Fatal(err)
		}
		if tt.lead == "" {
			if !ans.Abstained || ans.Text != AbstainText || len(ans.Citations) != 0 {
				t.Errorf("%q: want an abstention, got %q", tt.q, ans.Text)
			}
			continue
		}
		if ans.Abstained || len(ans.Citations) != 1 || !strings.Contains(ans.Citations[0].Quote, tt.lead) {
			t.Errorf("%q: want a first quote holding %q, got %q %+v", tt.q, tt.lead, ans.Text, ans.Citations)
			continue
		}
		for _, q := range ans.Citations[0].Quotes {
			if !strings.Contains(a.Text, q) {
				t.Errorf("%q: quote %q is not in the stored text", tt.q, q)
			}
		}
	}
	ans, err := an.Ask(context.Background(), Question{Text: "How far can Taurus missiles reach?", Filter: f})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(ans.Text, "500 kilometers — ") {
		t.Errorf("a clear winner is said first: %q", ans.Text)
	}
}

// askAsOf asks db's answerer the question q of every server's articles
// as of asOf, failing the test on an error.
func askAsOf(t *testing.T, db *DB, q string, asOf time.Time) *Answer {
	t.Helper()
	ans, err := (&Answerer{DB: db}).Ask(context.Background(), Question{Text: q, Filter: Filter{GuildID: "*", AsOf: asOf}})
	if err != nil {
		t.Fatal(err)
	}
	return ans
}

// putNews stores a short article for answer tests.
func putNews(t *testing.T, db *DB, n int, source, title string, published time.Time, body string) *Article {
	t.Helper()
	a := &Article{URL: fmt.Sprintf("https://news%d.example/story/%d", n, n), Title: title, Source: source, PublishedAt: published, Text: body}
	if _, err := db.PutArticle(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	return a
}

// putFiller stores n short articles on other matters, so that retrieval
// works as on a real store, where the first stage matches more than the
// rarest term.
func putFiller(t *testing.T, db *DB, n int, asOf time.Time) {
	t.Helper()
	topics := []string{"harbour", "council", "library", "railway", "festival", "market", "school", "hospital"}
	var batch []*Article
	for i := 0; i < n; i++ {
		topic := topics[i%len(topics)]
		batch = append(batch, &Article{URL: fmt.Sprintf("https://filler.example/%d", i), Title: fmt.Sprintf("The %s report, part %d", topic, i),
			Source: "Town Crier", PublishedAt: asOf.AddDate(0, 0, -i),
			Text: fmt.Sprintf("The %s committee met on day %d and discussed the budget.\n\nMembers agreed to meet again next month.", topic, i)})
	}
	if _, err := db.PutArticles(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
}

// TestRelativeTimeIsAWindowNotAKeyTerm: "this week" narrows the evidence
// to recent articles instead of being a word the evidence must hold, and
// a quiz article restating the question is never the answer.
func TestRelativeTimeIsAWindowNotAKeyTerm(t *testing.T) {
	db := MustOpenDB(t)
	asOf := time.Date(2022, 6, 23, 23, 59, 59, 0, time.UTC)
	putFiller(t, db, 120, asOf)
	putNews(t, db, 1, "Andes Wire", "Colombia elects Gustavo Petro as president", asOf.AddDate(0, 0, -3),
		"Colombia has elected Gustavo Petro, a former rebel, as its first-ever leftist president.\n\n"+
			"Petro won just over 50 percent of the vote in Sunday's runoff election, the national registrar said.\n\n"+
			"He will take office in August and has promised to fight inequality.")
	putNews(t, db, 2, "Quiz Daily", "News quiz for the week", asOf.AddDate(0, 0, -1),
		"Test yourself on the week's news.\n\n"+
			"What country elected its first-ever leftist leader this week?\n\n"+
			"Which show was renewed for a second season?")
	putNews(t, db, 3, "Old Times", "Peru's leftist leader sworn in", asOf.AddDate(-1, 0, 0),
		"Pedro Castillo was sworn in as Peru's president, a leftist leader elected last year.")
	an := &Answerer{DB: db}
	f := Filter{GuildID: "*", AsOf: asOf}
	for _, q := range []string{
		"What country elected its first-ever leftist leader this week?",
		"Which country elected a leftist president recently?",
	} {
		ans, err := an.Ask(context.Background(), Question{Text: q, Filter: f})
		if err != nil {
			t.Fatal(err)
		}
		if os.Getenv("HDEBUG") != "" {
			p, _ := an.prepare(context.Background(), Question{Text: q, Filter: f}, false)
			t.Logf("window %+v rest %q", p.window, p.rest)
			for _, h := range p.hits {
				t.Logf("hit %s %v %.2f", h.Article.Source, h.Article.PublishedAt, h.Score)
			}
		}
		if ans.Abstained || len(ans.Citations) == 0 || !strings.Contains(ans.Citations[0].Quote, "Colombia") {
			t.Errorf("%q: want Colombia first, got %q", q, ans.Text)
		}
		if strings.Contains(ans.Text, "What country elected") {
			t.Errorf("%q: the answer restates the question: %q", q, ans.Text)
		}
	}
	hits, err := an.Retrieve(context.Background(), "Which leftist leader was elected this week?", f)
	if err != nil || len(hits) == 0 || hits[0].Article.Source == "Old Times" {
		t.Errorf("the window should rank the recent article above the year-old one: %v %+v", err, hits)
	}
}

// TestSameSentenceInTwoOutletsIsQuotedOnce: a sentence found in two
// outlets' copies of a story appears once, citing both.
func TestSameSentenceInTwoOutletsIsQuotedOnce(t *testing.T) {
	db := MustOpenDB(t)
	pub := time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)
	same := "The harbour bridge will reopen on March 12 after six weeks of repairs, the city said."
	putNews(t, db, 1, "Harbour Gazette", "Harbour bridge to reopen", pub, same+"\n\nTraffic was diverted through the old tunnel.")
	putNews(t, db, 2, "Coast Courier", "Bridge reopening date set", pub, "Drivers have waited for weeks.\n\n"+same)
	ans := askAsOf(t, db, "When will the harbour bridge reopen?", pub.AddDate(0, 0, 1))
	if strings.Count(ans.Text, same) != 1 || !strings.Contains(ans.Text, same+" [1][2]") || len(ans.Citations) != 2 {
		t.Fatalf("want the sentence once citing both outlets: %q %+v", ans.Text, ans.Citations)
	}
	if ans.Citations[0].Source == ans.Citations[1].Source {
		t.Errorf("both citations are one outlet: %+v", ans.Citations)
	}
}

func TestWeighByWindowPrefersTheWindowKeepsUndatedNeutral(t *testing.T) {
	asOf := time.Date(2022, 6, 16, 23, 0, 0, 0, time.UTC)
	hit := func(id int64, score float64, pub time.Time) Hit {
		return Hit{Article: Article{ID: id, PublishedAt: pub}, Passage: Passage{ID: id * 10}, Score: score}
	}
	hits := []Hit{
		hit(1, 10, asOf.AddDate(-1, 0, 0)), // old, best by its words
		hit(2, 8, time.Time{}),             // undated
		hit(3, 7, asOf.AddDate(0, 0, -2)),  // in the window
	}
	w := &extract.Window{Since: asOf.AddDate(0, 0, -7), Until: asOf}
	got := weighByWindow(hits, w, DefaultRanking(), asOf, 2)
	if len(got) != 2 || got[0].Article.ID != 3 || got[1].Article.ID != 2 {
		t.Errorf("order %v, want the window's article, then the undated one", []int64{got[0].Article.ID, got[1].Article.ID})
	}
}
