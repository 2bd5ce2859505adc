package knowledge

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-bot/herald/knowledge/keyword"
)

// fillSource stores a bit of everything herald migrate copies.
func fillSource(t *testing.T, db *DB) {
	t.Helper()
	ctx := context.Background()
	arts := syntheticArticles(3, 1300, 2000)
	for i, a := range arts {
		a.GuildID = []string{"", "g1"}[i%2]
		a.Source = "Wire"
	}
	if _, err := db.PutArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	if err := db.RemoveArticle(ctx, arts[7].ID); err != nil {
		t.Fatal(err)
	}
	// English and German news, each indexed in its language, one updated
	// and one removed (their passages wait in segments: removed_df).
	rng := rand.New(rand.NewPCG(9, 9))
	var news []*Article
	for i := 0; i < 30; i++ {
		news = append(news, synthArticle(rng, i, 0))
	}
	if _, err := db.PutArticles(ctx, news); err != nil {
		t.Fatal(err)
	}
	if _, err := db.PutArticle(ctx, synthArticle(rng, 3, 1)); err != nil {
		t.Fatal(err)
	}
	if err := db.RemoveArticle(ctx, news[6].ID); err != nil {
		t.Fatal(err)
	}
	// An outlet's boilerplate found, and one text under two addresses.
	day := time.Date(2024, 6, 10, 0, 0, 0, 0, time.UTC)
	for i := range 6 {
		if _, err := db.PutArticle(ctx, gazetteArticle(i, day.Add(time.Duration(i)*time.Hour))); err != nil {
			t.Fatal(err)
		}
	}
	twice := []*Article{
		{URL: "https://wire.example/rail-strike", Source: "Wire", PublishedAt: day, Title: "Rail operator cuts timetable", Text: wireText},
		{URL: "https://daily.example/news/rail", Source: "Daily", PublishedAt: day, Title: "Strike halves coast trains", Text: wireText},
	}
	if _, err := db.PutArticles(ctx, twice); err != nil {
		t.Fatal(err)
	}
	f, err := db.AddFeed(ctx, FeedSpec{URL: "https://feeds.example/a.xml", GuildID: "g1", Keep: true})
	if err != nil {
		t.Fatal(err)
	}
	pollWith(t, db, f, db.Now(), feedArticle(1, db.Now()))
	if _, err := db.SetFeedChannel(ctx, "g1", "1", "news", "admin"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetDigestSchedule(ctx, DigestSchedule{GuildID: "g1", ChannelID: "daily", Time: "08:00", TimeZone: "Europe/Berlin"}); err != nil {
		t.Fatal(err)
	}
	if err := db.AppendTurn(ctx, "conv", Turn{Question: "Who?", Answer: "Them."}, "m1"); err != nil {
		t.Fatal(err)
	}
	a := &PostedAnswer{GuildID: "g1", ChannelID: "c1", Question: "Who?", Text: "Them [1].", Mode: ModeExtractive}
	if err := db.SavePostedAnswer(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Vote(ctx, a.ID, "bob", 1); err != nil {
		t.Fatal(err)
	}
	if _, err := db.MarkGuildSeen(ctx, "g1"); err != nil {
		t.Fatal(err)
	}
	emb := newRecordingEmbedder("bow", 32)
	if _, err := db.EmbedMissing(ctx, emb, 0, nil); err != nil {
		t.Fatal(err)
	}
}

func tableCounts(t *testing.T, db *DB) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tb := range append(copyTables, copyTable{name: "segments"}, copyTable{name: "removed_df"}) {
		var n int
		if err := db.db.QueryRowContext(context.Background(), `SELECT count(*) FROM `+tb.name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[tb.name] = n
	}
	delete(out, "segments")
	return out
}

// indexStatistics lists the statistics of every language's index, and
// the removed postings per language ("de:terms/postings").
func indexStatistics(t *testing.T, db *DB) (string, []string) {
	t.Helper()
	ctx := context.Background()
	stats, err := keyword.ReadStats(ctx, db.db)
	if err != nil {
		t.Fatal(err)
	}
	removed, err := queryAll(ctx, db.db, func(r rowScanner) (string, error) {
		var lang string
		var terms, n int64
		err := r.Scan(&lang, &terms, &n)
		return fmt.Sprintf("%s:%d/%d", lang, terms, n), err
	}, `SELECT lang, count(*), sum(n) FROM removed_df GROUP BY lang ORDER BY lang`)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(stats), removed
}

// TestCopyToPostgres copies a SQLite database into PostgreSQL, stopping it
// halfway once: the second run continues, and the copy holds the same
// rows and ranks alike. A database that is not empty, or a copy of
// another one, is refused.
func TestCopyToPostgres(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2023, 9, 1, 12, 0, 0, 0, time.UTC)
	src := mustOpen(t, filepath.Join(t.TempDir(), "herald.db"))
	src.Now = func() time.Time { return now }
	fillSource(t, src)
	url := freshPostgres(t)
	dst := mustOpen(t, url)
	dst.Now = src.Now

	stopped, cancel := context.WithCancel(ctx)
	var steps []CopyStep
	_, err := src.CopyTo(stopped, dst, func(s CopyStep) {
		steps = append(steps, s)
		if s.Table == "articles" && s.Done >= 500 {
			cancel() // Ctrl-C
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("interrupted copy: %v", err)
	}
	var half, all int
	dst.db.QueryRowContext(ctx, `SELECT count(*) FROM articles`).Scan(&half)
	src.db.QueryRowContext(ctx, `SELECT count(*) FROM articles`).Scan(&all)
	if half == 0 || half >= all {
		t.Fatalf("%d articles copied before the interruption", half)
	}
	rep, err := src.CopyTo(ctx, dst, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.Resumed || rep.Rows["articles"] != int64(all-half) {
		t.Errorf("second run: %+v, want the %d articles left", rep, all-half)
	}
	if got, want := tableCounts(t, dst), tableCounts(t, src); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("rows copied:\n%v\nwant\n%v", got, want)
	}
	if len(steps) < 3 {
		t.Errorf("progress: %v", steps)
	}
	if counts := tableCounts(t, dst); counts["outlet_boilerplate"] == 0 || counts["article_urls"] <= counts["articles"] {
		t.Errorf("no boilerplate or no other address copied: %v", counts)
	}
	if a, err := dst.ArticleByURL(ctx, "https://daily.example/news/rail", "*"); err != nil || a.URL != "https://wire.example/rail-strike" {
		t.Errorf("the copy does not find an article by its other address: %v, %v", a, err)
	}
	gotStats, gotRemoved := indexStatistics(t, dst)
	wantStats, wantRemoved := indexStatistics(t, src)
	if gotStats != wantStats || fmt.Sprint(gotRemoved) != fmt.Sprint(wantRemoved) {
		t.Errorf("index statistics copied: %s %v, want %s %v", gotStats, gotRemoved, wantStats, wantRemoved)
	}
	if len(wantRemoved) == 0 || !strings.HasPrefix(wantRemoved[0], "de:") {
		t.Errorf("no removed German postings to copy: %v", wantRemoved)
	}
	for _, q := range []string{"w3 w1f", "w2a w11 w5", "w7c", "Why did the council reject the ferry terminal?", "Streiks der Gewerkschaft", "Warum verschob der Stadtrat den Haushalt?"} {
		for _, f := range []Filter{{GuildID: "*"}, {GuildID: "g1"}} {
			a, _ := src.Search(ctx, q, f)
			b, err := dst.Search(ctx, q, f)
			if err != nil {
				t.Fatal(err)
			}
			sameHits(t, "after the copy: "+q, a, b)
		}
	}
	// The copied database works on: new ids follow the copied ones.
	n, err := dst.PutArticle(ctx, &Article{Title: "After", Text: "Written after the move to PostgreSQL."})
	if err != nil || n != Created {
		t.Fatalf("put after the copy: %v, %v", n, err)
	}
	// Running it again adds nothing; another source is refused, and so is
	// a database that holds other data.
	if rep, err := src.CopyTo(ctx, dst, nil); err != nil || rep.Rows["articles"] != 0 {
		t.Errorf("third run: %+v, %v", rep, err)
	}
	// A source written to since the copy began cannot finish it.
	if _, err := src.PutArticle(ctx, &Article{Title: "Late", Text: "Stored while the copy was under way."}); err != nil {
		t.Fatal(err)
	}
	if _, err := src.CopyTo(ctx, dst, nil); ErrorCode(err) != ECONFLICT {
		t.Errorf("a source written to during the copy: %v", err)
	}
	other := mustOpen(t, filepath.Join(t.TempDir(), "other.db"))
	other.PutArticle(ctx, &Article{Title: "Other", Text: "Another database."})
	if _, err := other.CopyTo(ctx, dst, nil); ErrorCode(err) != ECONFLICT {
		t.Errorf("a copy of another database: %v", err)
	}
	busy := mustOpen(t, freshPostgres(t))
	busy.PutArticle(ctx, &Article{Title: "Busy", Text: "Already in use."})
	if _, err := src.CopyTo(ctx, busy, nil); ErrorCode(err) != ECONFLICT {
		t.Errorf("a database in use: %v", err)
	}
}
