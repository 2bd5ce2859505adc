package knowledge

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// periodNews stores, around now, what a digest of the 24 hours before now
// must tell apart: reports dated in the period from two outlets and one,
// an old report, an undated bulk import stored during the period, an
// undated feed item first seen during the period, and the undated backlog
// of a feed's first poll.
func periodNews(t *testing.T, db *DB, now time.Time) {
	t.Helper()
	ctx := context.Background()
	at := func(h int) time.Time { return now.Add(time.Duration(h) * time.Hour) }
	dated := []*Article{
		{URL: "https://wire.example/dam", Source: "Wire", PublishedAt: at(-20), Title: "Dam breaks above Riverton after week of storms",
			Text: "A dam above Riverton gave way on Monday after a week of storms, flooding the lower town and forcing two thousand residents from their homes. " +
				"Emergency crews evacuated the hospital overnight and no deaths have been reported."},
		{URL: "https://courier.example/riverton", Source: "Courier", PublishedAt: at(-18), Title: "Riverton dam breaks, two thousand evacuated",
			Text: "Two thousand Riverton residents were evacuated on Monday when the dam above the town broke after a week of storms. " +
				"The lower town was flooded and crews moved patients out of the hospital overnight."},
		{URL: "https://wire.example/budget", Source: "Wire", PublishedAt: at(-3), Title: "Council passes budget with new bus lines",
			Text: "The city council passed next year's budget on Monday evening, adding three bus lines and freezing parking fees for residents."},
		{URL: "https://wire.example/old", Source: "Wire", PublishedAt: at(-24 * 400), Title: "Council debates bus lines",
			Text: "The city council debated on Tuesday whether to add bus lines, without a vote on the proposal."},
	}
	if _, err := db.PutArticles(ctx, dated); err != nil {
		t.Fatal(err)
	}
	// An old page imported without a date while the period ran: never news.
	imported := &Article{URL: "https://archive.example/museum", Source: "Archive", FetchedAt: at(-2), Title: "Museum reopens its north wing",
		Text: "The city museum reopened its north wing after two years of repairs, with a new room for the harbour paintings."}
	if _, err := db.PutArticle(ctx, imported); err != nil {
		t.Fatal(err)
	}
	f, err := db.AddFeed(ctx, FeedSpec{URL: "https://gazette.example/rss", Name: "Gazette"})
	if err != nil {
		t.Fatal(err)
	}
	backlog := &Article{URL: "https://gazette.example/backlog", Source: "Gazette", FetchedAt: at(-10), Title: "Gazette archive: the 1998 floods",
		Text: "In 1998 the river rose higher than ever recorded, and the old bridge at the market was closed for a month."}
	pollWith(t, db, f, at(-10), backlog) // the feed's first poll: its backlog
	fresh := &Article{URL: "https://gazette.example/ferry", Source: "Gazette", FetchedAt: at(-1), Title: "Ferry to the islands resumes after storm damage",
		Text: "The ferry to the islands sailed again on Monday afternoon for the first time since the storms damaged its pier."}
	pollWith(t, db, f, at(-1), fresh)
}

func TestDigestTakesWhatWasPublishedInItsPeriod(t *testing.T) {
	forEachBackend(t, testDigestTakesWhatWasPublishedInItsPeriod)
}

func testDigestTakesWhatWasPublishedInItsPeriod(t *testing.T, db *DB) {
	ctx := context.Background()
	now := time.Date(2024, 6, 10, 20, 0, 0, 0, time.UTC)
	periodNews(t, db, now)
	dg := &Digester{DB: db, Now: func() time.Time { return now }}
	d, err := dg.Build(ctx, DigestRequest{GuildID: "*"}) // the 24 hours before the clock
	if err != nil {
		t.Fatal(err)
	}
	if !d.Until.Equal(now) || !d.Since.Equal(now.Add(-24*time.Hour)) {
		t.Errorf("period %s to %s", d.Since, d.Until)
	}
	var got []string
	for _, st := range d.Stories {
		var reports []string
		for _, a := range st.Articles {
			when := "published " + a.PublishedAt.Format("15:04")
			if a.PublishedAt.IsZero() {
				when = "seen " + a.SeenAt.Format("15:04")
			}
			if !a.When().Equal(st.Latest) && len(st.Articles) == 1 {
				t.Errorf("%q: When %s, Latest %s", st.Headline, a.When(), st.Latest)
			}
			reports = append(reports, a.Source+" "+when)
		}
		got = append(got, fmt.Sprintf("%s (%d): %s", st.Headline, st.Outlets, strings.Join(reports, ", ")))
	}
	// Two outlets first; then the newest; the undated feed item stands in
	// with when its feed first brought it; the old report, the undated
	// import and the feed's backlog are no news of this period.
	want := []string{
		"Dam breaks above Riverton after week of storms (2): Wire published 00:00, Courier published 02:00",
		"Ferry to the islands resumes after storm damage (1): Gazette seen 19:00",
		"Council passes budget with new bus lines (1): Wire published 17:00",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("stories:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, st := range d.Stories {
		checkQuotes(t, db, &Answer{Text: st.Summary, Citations: st.Citations})
	}

	// An hour later the ferry is still news of the last 24 hours; the
	// next day's digest has none of these.
	later := now.Add(time.Hour)
	dg.Now = func() time.Time { return later }
	if d, err = dg.Build(ctx, DigestRequest{GuildID: "*"}); err != nil || len(d.Stories) != 3 {
		t.Fatalf("an hour later: %d stories, %v", len(d.Stories), err)
	}
	d, err = dg.Build(ctx, DigestRequest{GuildID: "*", Since: now, Until: now.Add(24 * time.Hour)})
	if err != nil || len(d.Stories) != 0 {
		t.Fatalf("the next day: %+v, %v", d.Stories, err)
	}
}

func TestArticlesListTheUndatedLast(t *testing.T) { forEachBackend(t, testArticlesListTheUndatedLast) }

func testArticlesListTheUndatedLast(t *testing.T, db *DB) {
	ctx := context.Background()
	now := time.Date(2024, 6, 10, 20, 0, 0, 0, time.UTC)
	periodNews(t, db, now)
	arts, err := db.Articles(ctx, Filter{GuildID: "*"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range arts {
		got = append(got, a.Title)
	}
	want := []string{
		"Council passes budget with new bus lines",
		"Riverton dam breaks, two thousand evacuated",
		"Dam breaks above Riverton after week of storms",
		"Council debates bus lines",
		// Undated, most recently stored first.
		"Ferry to the islands resumes after storm damage",
		"Museum reopens its north wing",
		"Gazette archive: the 1998 floods",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("articles:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	sugg, err := db.SuggestArticles(ctx, "", "", 0)
	if err != nil || len(sugg) != len(want) || sugg[len(sugg)-1].Title != want[len(want)-1] || !sugg[len(sugg)-1].PublishedAt.IsZero() {
		t.Fatalf("suggestions: %+v, %v", sugg, err)
	}
	c, err := db.Counts(ctx, "*")
	if err != nil || !c.Newest.Equal(now.Add(-3*time.Hour)) {
		t.Fatalf("newest = %s, %v; want the newest publication date", c.Newest, err)
	}
}

func TestDigestLeadIsTheFirstRealSentence(t *testing.T) {
	forEachBackend(t, testDigestLeadIsTheFirstRealSentence)
}

func testDigestLeadIsTheFirstRealSentence(t *testing.T, db *DB) {
	ctx := context.Background()
	now := time.Date(2024, 6, 10, 20, 0, 0, 0, time.UTC)
	brief := &Article{URL: "https://post.example/brief", Source: "Post", PublishedAt: now.Add(-5 * time.Hour), Title: "Long Bridge closed after crack found in main span",
		Text: "WASHINGTON (AP) — Bridge closed.\n\nInspectors closed the Long Bridge on Monday after finding a crack in its main span, sending twenty thousand daily commuters onto the ferries and the ring road. " +
			"The city said repairs would take at least six weeks and that the bridge would reopen to buses first."}
	full := &Article{URL: "https://times.example/bridge", Source: "Times", PublishedAt: now.Add(-4 * time.Hour), Title: "Long Bridge closed after inspectors find a crack",
		Text: "By Dana Whitfield | 2024-06-10 |\n\nWASHINGTON —\n\nSign up for our morning newsletter to get the news first.\n\n" +
			"Inspectors closed the Long Bridge on Monday after finding a crack in its main span, sending twenty thousand daily commuters onto the ferries and the ring road. " +
			"The city said repairs would take at least six weeks and that the bridge would reopen to buses first. " +
			"Engineers had warned two years ago that the span needed new bearings, a report seen by the Times shows. " +
			"The mayor promised an inquiry into why the work was delayed and said the ferries would run every ten minutes at rush hour. " +
			"Shops on the south bank said they expected fewer customers for as long as the bridge stays shut."}
	if _, err := db.PutArticles(ctx, []*Article{brief, full}); err != nil {
		t.Fatal(err)
	}
	dg := &Digester{DB: db, Now: func() time.Time { return now }}
	d, err := dg.Build(ctx, DigestRequest{GuildID: "*"})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Stories) != 1 {
		t.Fatalf("%d stories, want the bridge only", len(d.Stories))
	}
	st := d.Stories[0]
	// The fuller report leads, with its first sentence that is neither a
	// byline, a dateline nor a newsletter prompt.
	wantLead := "Inspectors closed the Long Bridge on Monday after finding a crack in its main span, sending twenty thousand daily commuters onto the ferries and the ring road. [1]"
	if st.Headline != full.Title || st.Summary != wantLead || st.Outlets != 2 {
		t.Fatalf("story %q (%d outlets): %q", st.Headline, st.Outlets, st.Summary)
	}
	checkQuotes(t, db, &Answer{Text: st.Summary, Citations: st.Citations})
}
