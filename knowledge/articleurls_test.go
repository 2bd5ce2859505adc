package knowledge

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// wireText is a wire report long enough to name an article by itself.
const wireText = "The regional rail operator will cut its timetable by a fifth from Monday after a strike by signal workers entered its third week, the company said on Friday. " +
	"Trains between the capital and the coast will run every hour instead of every half hour, and night services will stop altogether until the dispute is settled. " +
	"The signal workers' union says its members have not had a pay rise in four years and that staffing has fallen by a quarter since the network was automated. " +
	"Talks broke down on Thursday evening after the operator offered a one-off payment instead of a raise. " +
	"Commuter groups said the cuts would hit shift workers hardest and called on the transport ministry to step in. " +
	"The ministry said it was following the talks closely but would not interfere in a dispute between a company and its staff."

func TestOneArticleKeepsEveryURL(t *testing.T) { forEachBackend(t, testOneArticleKeepsEveryURL) }

func testOneArticleKeepsEveryURL(t *testing.T, db *DB) {
	ctx := context.Background()
	day := time.Date(2024, 6, 10, 0, 0, 0, 0, time.UTC)
	first := &Article{ExternalID: "rec-1", URL: "https://wire.example/rail-strike", Source: "Wire", PublishedAt: day, Title: "Rail operator cuts timetable as signal strike drags on", Text: wireText}
	other := &Article{ExternalID: "rec-2", URL: "https://daily.example/news/rail?utm_source=feed", Source: "Daily", PublishedAt: day.Add(time.Hour), Title: "Strike halves coast trains", Text: wireText}
	res, err := db.PutArticles(ctx, []*Article{first, other})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Status != Created || res[1].Status != Merged || other.ID != first.ID {
		t.Fatalf("statuses %v %v, ids %d %d", res[0].Status, res[1].Status, first.ID, other.ID)
	}
	// Both addresses find the article, which lists the other one.
	for _, u := range []string{"https://wire.example/rail-strike", "https://daily.example/news/rail", "https://DAILY.example/news/rail?fbclid=x"} {
		a, err := db.ArticleByURL(ctx, u, "*")
		if err != nil || a.ID != first.ID {
			t.Fatalf("ArticleByURL(%s) = %v, %v", u, a, err)
		}
	}
	arts, err := db.Articles(ctx, Filter{GuildID: "*"})
	if err != nil {
		t.Fatal(err)
	}
	wantOther := []ArticleURL{{URL: "https://daily.example/news/rail", Source: "Daily", PublishedAt: day.Add(time.Hour)}}
	if len(arts) != 1 || arts[0].URL != first.URL || !reflect.DeepEqual(arts[0].OtherURLs, wantOther) {
		t.Fatalf("articles: %+v", arts)
	}
	// The same records again change nothing.
	again := []*Article{
		{ExternalID: "rec-1", URL: first.URL, Source: "Wire", PublishedAt: day, Title: first.Title, Text: wireText},
		{ExternalID: "rec-2", URL: "https://daily.example/news/rail", Source: "Daily", PublishedAt: day.Add(time.Hour), Title: other.Title, Text: wireText},
	}
	if res, err = db.PutArticles(ctx, again); err != nil || res[0].Status != Unchanged || res[1].Status != Unchanged {
		t.Fatalf("again: %+v, %v", res, err)
	}
	// A summary by the other address is the article's.
	sum, err := (&Summarizer{DB: db}).Summarize(ctx, SummaryRequest{Target: "https://daily.example/news/rail", GuildID: "*"})
	if err != nil || sum.Question != first.Title || len(sum.Citations) == 0 || sum.Citations[0].ArticleID != first.ID {
		t.Fatalf("summary by the other address: %+v, %v", sum, err)
	}
	// The page at the other address now says something else: it is an
	// article of its own, and the first keeps its main address.
	changed := &Article{URL: "https://daily.example/news/rail", Source: "Daily", PublishedAt: day.Add(2 * time.Hour), Title: "Rail strike ends",
		Text: "The signal workers accepted a four percent raise on Sunday and the rail timetable returns to normal on Tuesday."}
	if st, err := db.PutArticle(ctx, changed); err != nil || st != Created || changed.ID == first.ID {
		t.Fatalf("changed page: %v, %v (id %d)", st, err, changed.ID)
	}
	if a, err := db.ArticleByURL(ctx, "https://daily.example/news/rail", "*"); err != nil || a.ID != changed.ID {
		t.Fatalf("the changed address finds %v, %v", a, err)
	}
	// Removing the article by an address of its own removes it whole.
	if a, err := db.ArticleByURL(ctx, first.URL, "*"); err != nil || len(a.OtherURLs) != 0 {
		t.Fatalf("first after the change: %+v, %v", a, err)
	}
	if err := db.RemoveArticle(ctx, first.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ArticleByURL(ctx, first.URL, "*"); ErrorCode(err) != ENOTFOUND {
		t.Fatalf("removed article still found: %v", err)
	}
}

func TestDifferentArticlesWithTheSameNoticeStayApart(t *testing.T) {
	forEachBackend(t, testDifferentArticlesWithTheSameNoticeStayApart)
}

func testDifferentArticlesWithTheSameNoticeStayApart(t *testing.T, db *DB) {
	ctx := context.Background()
	notice := "We will use the details you have shared to manage your registration. If you wish to object to the use of your data in this way, please tick here."
	arts := []*Article{
		// A page whose text is only a notice the rules miss, and another.
		{URL: "https://week.example/news/1/can-china-escape-zero-covid", Source: "The Week", Title: "Can China escape zero-Covid?", Text: notice},
		{URL: "https://week.example/news/2/will-ukraine-join-the-eu", Source: "The Week", Title: "Will Ukraine join the EU?", Text: notice},
		// Two quizzes of the same series: the same words but their weeks.
		{URL: "https://week.example/news/3/quiz-13-19-august", Source: "The Week", Title: "Quiz of the week: 13 – 19 August", Text: notice},
		{URL: "https://week.example/news/4/quiz-20-26-august", Source: "The Week", Title: "Quiz of the week: 20 – 26 August", Text: notice},
		// Pages that are nothing but a video player: their headlines.
		{URL: "https://cnn.example/2022/06/15/ford-recall", Source: "CNN", Title: "Ford recalls 2.9 million vehicles",
			Text: "1. How relevant is this ad to you?\n\nVideo player was slow to load content Video content never loaded Ad froze or did not finish loading Video content did not start after ad Audio on ad was too loud Other issues"},
		{URL: "https://cnn.example/2022/08/24/apple-event", Source: "CNN", Title: "Apple expected to unveil new iPhones",
			Text: "1. How relevant is this ad to you?\n\nVideo player was slow to load content Video content never loaded Ad froze or did not finish loading Video content did not start after ad Audio on ad was too loud Other issues"},
	}
	res, err := db.PutArticles(ctx, arts)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[int64]bool{}
	for i, r := range res {
		if r.Err != nil || r.Status != Created {
			t.Errorf("%s: %v, %v", arts[i].Title, r.Status, r.Err)
		}
		ids[arts[i].ID] = true
	}
	if len(ids) != len(arts) {
		t.Fatalf("%d articles for %d different pages", len(ids), len(arts))
	}
	// The same page again is the same article; the same page under a new
	// address with its headline is the same article too.
	same := &Article{URL: "https://week.example/amp/news/2/will-ukraine-join-the-eu", Source: "The Week", Title: "Will Ukraine join the EU?", Text: notice}
	if st, err := db.PutArticle(ctx, same); err != nil || st != Merged || same.ID != arts[1].ID {
		t.Fatalf("the same page under another address: %v, %v", st, err)
	}
}

func TestIngestReportsMergedRecords(t *testing.T) { forEachBackend(t, testIngestReportsMergedRecords) }

func testIngestReportsMergedRecords(t *testing.T, db *DB) {
	ctx := context.Background()
	dir := t.TempDir()
	corpus := filepath.Join(dir, "corpus.jsonl")
	lines := []string{
		`{"id": "a", "url": "https://wire.example/rail-strike", "title": "Rail operator cuts timetable", "source": "Wire", "published_at": "2024-06-10", "text": "` + wireText + `"}`,
		`{"id": "b", "url": "https://daily.example/rail", "title": "Strike halves coast trains", "source": "Daily", "published_at": "2024-06-10", "text": "` + wireText + `"}`,
		`{"id": "c", "url": "https://week.example/1", "title": "Can China escape zero-Covid?", "source": "The Week", "text": "We will use the details you have shared to manage your registration."}`,
		`{"id": "d", "url": "https://week.example/2", "title": "Will Ukraine join the EU?", "source": "The Week", "text": "We will use the details you have shared to manage your registration."}`,
	}
	if err := os.WriteFile(corpus, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	in := &Ingester{DB: db}
	sum, err := in.Ingest(ctx, []string{corpus}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Added != 3 || sum.Merged != 1 || sum.Updated != 0 || sum.Failed != 0 {
		t.Fatalf("first ingest: %+v", sum)
	}
	sum, err = in.Ingest(ctx, []string{corpus}, nil)
	if err != nil || sum.Unchanged != 4 || sum.Stored() != 4 {
		t.Fatalf("second ingest: %+v, %v", sum, err)
	}
}
