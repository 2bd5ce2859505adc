package knowledge

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/herald-bot/herald/knowledge/internal/sqldb"
	"github.com/herald-bot/herald/knowledge/text"
)

// gazetteNotice is a site's own notice that the per-sentence rules do not
// know: the Gazette prints it under every article.
const gazetteNotice = "The Harbour Gazette is printed by Coastline Media Group, a member of the regional press association."

// gazetteTopics are seven unrelated Gazette articles.
var gazetteTopics = []struct{ title, body string }{
	{"Ferry timetable changes for the summer", "The island ferry will sail every forty minutes from June, the operator announced on Tuesday, and the last boat will leave at midnight."},
	{"School board approves new science wing", "The school board voted five to two to build a science wing at the north campus, to open in two years at a cost of eight million."},
	{"Lifeboat crew rescues two sailors off the point", "Volunteers of the lifeboat station rescued two sailors whose yacht lost its mast in a storm off the point early on Sunday."},
	{"Fish market reopens after roof repairs", "The fish market on the quay opened again on Monday after three months of repairs to its roof, with twelve stalls back in business."},
	{"Council delays vote on parking fees", "The town council postponed its vote on higher parking fees to next month after shop owners asked for a study of the effects."},
	{"Festival brings record crowds to the harbour", "More than thirty thousand visitors came to the harbour festival over the weekend, the organisers said, a record for the event."},
	{"Lighthouse keeper retires after forty years", "The last keeper of the point lighthouse retired on Friday, forty years after he first climbed its stairs, and the light is now run from the mainland."},
}

// gazetteArticle is the nth Gazette article with the notice after its body.
func gazetteArticle(n int, published time.Time) *Article {
	t := gazetteTopics[n%len(gazetteTopics)]
	return &Article{URL: fmt.Sprintf("https://gazette.example/news/%d", n), Source: "Harbour Gazette", PublishedAt: published, Title: t.title,
		Text: t.body + "\n\n" + gazetteNotice}
}

func boilerplateSentences(t *testing.T, db *DB) []string {
	t.Helper()
	rows, err := queryAll(context.Background(), db.db, func(r rowScanner) (string, error) {
		var s string
		return s, r.Scan(&s)
	}, `SELECT outlet || ': ' || sentence FROM outlet_boilerplate ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestStoreFindsAnOutletsBoilerplate(t *testing.T) {
	forEachDSN(t, testStoreFindsAnOutletsBoilerplate)
}

func testStoreFindsAnOutletsBoilerplate(t *testing.T, dsn string) {
	ctx := context.Background()
	db := mustOpen(t, dsn)
	day := time.Date(2024, 6, 10, 0, 0, 0, 0, time.UTC)
	// The rules keep the notice: it is not a kind of furniture they know.
	if got := text.StripBoilerplate(gazetteArticle(0, day).Text, "Harbour Gazette"); !strings.Contains(got, gazetteNotice) {
		t.Fatalf("the fixture's notice is already rule boilerplate: %q", got)
	}
	for i := range 6 {
		if _, err := db.PutArticle(ctx, gazetteArticle(i, day.Add(time.Duration(i)*time.Hour))); err != nil {
			t.Fatal(err)
		}
	}
	// What news repeats is not boilerplate: a quote and a background line
	// about one story in five of an outlet's articles, and a wire report
	// that five outlets run.
	for i := range 5 {
		quote := &Article{URL: fmt.Sprintf("https://courier.example/dam/%d", i), Source: "Courier", PublishedAt: day.Add(time.Duration(i) * time.Hour),
			Title: fmt.Sprintf("Riverton dam: day %d of the clean-up", i+1),
			Text: fmt.Sprintf("Crews cleared %d more streets of mud on the %s day after the flood. ", 10+i, []string{"first", "second", "third", "fourth", "fifth"}[i]) +
				"“We will rebuild every house,” the mayor said on Monday. The Riverton dam broke after a week of storms."}
		wire := &Article{URL: fmt.Sprintf("https://outlet%d.example/rates", i), Source: fmt.Sprintf("Outlet %d", i), PublishedAt: day,
			Title: "Central bank holds rates", Text: "The central bank kept its key rate at four percent on Thursday, as inflation eased for a third month."}
		if _, err := db.PutArticles(ctx, []*Article{quote, wire}); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"Harbour Gazette: " + gazetteNotice}
	if got := boilerplateSentences(t, db); !reflect.DeepEqual(got, want) {
		t.Fatalf("boilerplate found:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// A later article of the outlet is stored without it; an earlier one
	// keeps it (its quotes stay exact), and nothing quotes it from there.
	later := gazetteArticle(6, day.Add(10*time.Hour))
	if _, err := db.PutArticle(ctx, later); err != nil {
		t.Fatal(err)
	}
	stored, err := db.article(ctx, later.ID, "*")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(stored.Text, "Coastline Media") || !strings.Contains(stored.Text, "lighthouse retired") {
		t.Errorf("later article stored as %q", stored.Text)
	}
	first, err := db.ArticleByURL(ctx, "https://gazette.example/news/0", "*")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(first.Text, gazetteNotice) {
		t.Fatalf("the earlier article lost the notice: %q", first.Text)
	}
	s := &Summarizer{DB: db}
	sum, err := s.Summarize(ctx, SummaryRequest{ArticleID: first.ID, GuildID: "*"})
	if err != nil {
		t.Fatal(err)
	}
	ans, err := (&Answerer{DB: db}).Ask(ctx, Question{Text: "Who prints the Harbour Gazette, a member of the press association?", Filter: Filter{GuildID: "*"}, Mode: AskExtractive})
	if err != nil {
		t.Fatal(err)
	}
	lead, err := db.articleLead(ctx, Article{ID: first.ID, Title: first.Title, Source: first.Source, URL: first.URL})
	if err != nil {
		t.Fatal(err)
	}
	dg, err := (&Digester{DB: db, Now: func() time.Time { return day.Add(12 * time.Hour) }}).Build(ctx, DigestRequest{GuildID: "*", Sources: []string{"Harbour Gazette"}})
	if err != nil {
		t.Fatal(err)
	}
	for name, said := range map[string]string{"summary": sum.Text, "answer": ans.Text, "feed-post lead": lead, "digest": fmt.Sprint(dg.Stories)} {
		if strings.Contains(said, "Coastline Media") {
			t.Errorf("the %s quotes the notice: %q", name, said)
		}
	}
	checkQuotes(t, db, sum)
	if lead != gazetteTopics[0].body {
		t.Errorf("lead = %q", lead)
	}
	if len(dg.Stories) == 0 {
		t.Error("the Gazette's digest is empty")
	}

	// Another process (a fresh handle on the file) knows it too, and so
	// does a database that had these articles before it looked.
	db2, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	set, err := db2.boilerplate(ctx)
	if err != nil || len(set.Spans(gazetteNotice, "", "harbour gazette")) != 1 {
		t.Fatalf("a second handle does not know the notice: %v", err)
	}
	found, err := findStoredBoilerplate(ctx, mustTx(t, db2), day)
	if err != nil || found != 1 {
		t.Fatalf("looking again in what is stored found %d, %v; want the notice", found, err)
	}
}

// mustTx begins a transaction rolled back when the test ends.
func mustTx(t *testing.T, db *DB) *sqldb.Tx {
	t.Helper()
	tx, err := db.db.BeginTx(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tx.Rollback() })
	return tx
}

// A database written before Herald kept every address of an article and
// looked for the outlets' boilerplate gets both when opened.
func TestOpenMigratesAddressesAndFindsBoilerplate(t *testing.T) {
	forEachDSN(t, testOpenMigratesAddressesAndFindsBoilerplate)
}

func testOpenMigratesAddressesAndFindsBoilerplate(t *testing.T, path string) {
	ctx := context.Background()
	raw, dialect := schemaAt(t, path, 12)
	for i := range 6 {
		a := gazetteArticle(i, time.Time{})
		id := i + 1
		if _, err := raw.ExecContext(ctx, `INSERT INTO articles(id, url, title, source, fetched_at, content_hash) VALUES (?, ?, ?, ?, 0, ?)`,
			id, a.URL, a.Title, a.Source, fmt.Sprint(id)); err != nil {
			t.Fatal(err)
		}
		// Plain chunks, as older versions could write them.
		var chunk any = a.Text
		if dialect == sqldb.Postgres {
			chunk = []byte(a.Text)
		}
		if _, err := raw.ExecContext(ctx, `INSERT INTO passages(id, article_id, seq, start, "end", words, chunk) VALUES (?, ?, 0, 0, ?, 30, ?)`,
			id, id, len(a.Text), chunk); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got, want := boilerplateSentences(t, db), []string{"Harbour Gazette: " + gazetteNotice}; !reflect.DeepEqual(got, want) {
		t.Errorf("boilerplate after the migration: %q", got)
	}
	a, err := db.ArticleByURL(ctx, "https://gazette.example/news/3", "*")
	if err != nil || a.ID != 4 {
		t.Fatalf("ArticleByURL after the migration: %v, %v", a, err)
	}
}
