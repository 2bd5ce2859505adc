package knowledge

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// pollWith records a successful poll of f at "at" that took the given
// articles (stored in f's scope) as new items.
func pollWith(t *testing.T, db *DB, f *Feed, at time.Time, arts ...*Article) {
	t.Helper()
	ctx := context.Background()
	var seen []SeenItem
	for _, a := range arts {
		a.GuildID = f.GuildID
		a.FeedID = f.ID
		if _, err := db.PutArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		seen = append(seen, SeenItem{Key: a.URL, ArticleID: a.ID})
	}
	if _, err := db.RecordFeedPoll(ctx, f.ID, FeedPoll{At: at, Seen: seen, Added: len(arts), NextPollAt: at.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
}

func feedArticle(n int, published time.Time) *Article {
	return &Article{URL: fmt.Sprintf("https://gazette.example/%d", n), Title: fmt.Sprintf("Story number %d", n), Source: "Harbour Gazette",
		PublishedAt: published,
		Text:        fmt.Sprintf("Story number %d\n\nThe harbour council met on Tuesday to discuss item %d of its agenda. Nothing else happened.", n, n)}
}

func pendingTitles(t *testing.T, db *DB) []string {
	t.Helper()
	ps, err := db.PendingFeedPosts(context.Background(), 0, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range ps {
		out = append(out, p.ChannelID+":"+p.Article.Title)
	}
	return out
}

func TestFeedPostsSkipTheBacklogAndPostOnceInOrder(t *testing.T) {
	forEachBackend(t, testFeedPostsSkipTheBacklogAndPostOnceInOrder)
}

func testFeedPostsSkipTheBacklogAndPostOnceInOrder(t *testing.T, db *DB) {
	ctx := context.Background()
	now := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	db.Now = fixedClock(&now)
	f, err := db.AddFeed(ctx, FeedSpec{URL: "https://gazette.example/rss", GuildID: "G"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SetFeedChannel(ctx, "G", "#1", "C1", "alice"); err != nil {
		t.Fatal(err)
	}
	if got := pendingTitles(t, db); len(got) != 0 {
		t.Fatalf("pending before any poll = %v", got)
	}
	// The first poll is the backlog.
	now = now.Add(time.Minute)
	pollWith(t, db, f, now, feedArticle(1, now.Add(-2*time.Hour)), feedArticle(2, now.Add(-time.Hour)))
	if got := pendingTitles(t, db); len(got) != 0 {
		t.Fatalf("pending after the first poll = %v", got)
	}
	// The next poll's items are new: pending in publication order.
	now = now.Add(30 * time.Minute)
	pollWith(t, db, f, now, feedArticle(4, now.Add(-time.Minute)), feedArticle(3, now.Add(-10*time.Minute)))
	got := pendingTitles(t, db)
	if fmt.Sprint(got) != "[C1:Story number 3 C1:Story number 4]" {
		t.Fatalf("pending = %v", got)
	}
	ps, _ := db.PendingFeedPosts(ctx, 0, 0, 0)
	if ps[0].Outlet != "Harbour Gazette" || ps[0].Lead != "The harbour council met on Tuesday to discuss item 3 of its agenda." {
		t.Errorf("post = %+v", ps[0])
	}
	// Two processes claim the same article: one wins.
	c, ok, err := db.ClaimFeedPost(ctx, ps[0], "a", 3)
	if err != nil || !ok {
		t.Fatalf("claim = %v, %v", ok, err)
	}
	if _, ok, _ := db.ClaimFeedPost(ctx, ps[0], "b", 3); ok {
		t.Error("a second claim won")
	}
	if err := db.FinishFeedPost(ctx, c.ID, FeedPostPosted, "M1", ""); err != nil {
		t.Fatal(err)
	}
	// A retry may be claimed again, up to the attempts.
	c, _, _ = db.ClaimFeedPost(ctx, ps[1], "a", 2)
	_ = db.FinishFeedPost(ctx, c.ID, FeedPostRetry, "", "Discord said no")
	if got := pendingTitles(t, db); fmt.Sprint(got) != "[C1:Story number 4]" {
		t.Errorf("pending after a retry = %v", got)
	}
	c, ok, _ = db.ClaimFeedPost(ctx, ps[1], "a", 2)
	if !ok {
		t.Fatal("retry not claimed")
	}
	_ = db.FinishFeedPost(ctx, c.ID, FeedPostRetry, "", "Discord said no")
	if _, ok, _ := db.ClaimFeedPost(ctx, ps[1], "a", 2); ok {
		t.Error("claimed beyond the attempts")
	}
	states, _ := db.FeedPostStates(ctx, "C1")
	if states[FeedPostPosted] != 1 || states[FeedPostRetry] != 1 {
		t.Errorf("states = %v", states)
	}

	// Moving the feed to another channel posts only what comes next.
	now = now.Add(time.Minute)
	if _, err := db.SetFeedChannel(ctx, "G", "#1", "C2", "alice"); err != nil {
		t.Fatal(err)
	}
	if got := pendingTitles(t, db); len(got) != 0 {
		t.Errorf("pending in the new channel = %v", got)
	}
	now = now.Add(30 * time.Minute)
	pollWith(t, db, f, now, feedArticle(5, time.Time{}))
	if got := pendingTitles(t, db); fmt.Sprint(got) != "[C2:Story number 5]" {
		t.Errorf("pending after the move = %v", got)
	}
	chans, _ := db.FeedChannels(ctx, "G")
	if chans[f.ID].ChannelID != "C2" || chans[f.ID].Since.IsZero() {
		t.Errorf("channels = %+v", chans)
	}
	// Another server's feed cannot be bound from here.
	if _, err := db.SetFeedChannel(ctx, "H", "#1", "C3", "bob"); ErrorCode(err) != ENOTFOUND {
		t.Errorf("other server: %v", err)
	}
	if _, err := db.SetFeedChannel(ctx, "G", "#1", "", "alice"); err != nil {
		t.Fatal(err)
	}
	if got := pendingTitles(t, db); len(got) != 0 {
		t.Errorf("pending after unbinding = %v", got)
	}
}

func TestFeedPostsOfAFeedAlreadyPolled(t *testing.T) {
	forEachBackend(t, testFeedPostsOfAFeedAlreadyPolled)
}

func testFeedPostsOfAFeedAlreadyPolled(t *testing.T, db *DB) {
	ctx := context.Background()
	now := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	db.Now = fixedClock(&now)
	f, _ := db.AddFeed(ctx, FeedSpec{URL: "https://gazette.example/rss", GuildID: "G"})
	pollWith(t, db, f, now, feedArticle(1, now))
	now = now.Add(time.Hour)
	pollWith(t, db, f, now, feedArticle(2, now))
	now = now.Add(time.Minute)
	if _, err := db.SetFeedChannel(ctx, "G", "#1", "C1", ""); err != nil {
		t.Fatal(err)
	}
	if got := pendingTitles(t, db); len(got) != 0 {
		t.Errorf("items taken before the channel was set are pending: %v", got)
	}
	now = now.Add(time.Hour)
	pollWith(t, db, f, now, feedArticle(3, now))
	if got := pendingTitles(t, db); fmt.Sprint(got) != "[C1:Story number 3]" {
		t.Errorf("pending = %v", got)
	}
}

func TestFeedAlertsOncePerDisabling(t *testing.T) { forEachBackend(t, testFeedAlertsOncePerDisabling) }

func testFeedAlertsOncePerDisabling(t *testing.T, db *DB) {
	ctx := context.Background()
	now := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	db.Now = fixedClock(&now)
	f, _ := db.AddFeed(ctx, FeedSpec{URL: "https://gazette.example/rss", GuildID: "G"})
	if _, err := db.AddFeed(ctx, FeedSpec{URL: "https://operator.example/rss"}); err != nil {
		t.Fatal(err)
	}
	fail := func() {
		now = now.Add(time.Hour)
		if _, err := db.RecordFeedPoll(ctx, f.ID, FeedPoll{At: now, Err: Errorf(EUNAVAILABLE, "The site answered 404."), NextPollAt: now.Add(time.Hour), DisableAfter: 2}); err != nil {
			t.Fatal(err)
		}
	}
	fail()
	if a, _ := db.PendingFeedAlerts(ctx); len(a) != 0 {
		t.Fatalf("alerts before disabling = %+v", a)
	}
	fail()
	alerts, err := db.PendingFeedAlerts(ctx)
	if err != nil || len(alerts) != 1 || alerts[0].Feed.ID != f.ID || alerts[0].ChannelID != "" {
		t.Fatalf("alerts = %+v, %v", alerts, err)
	}
	// The channel: the alerts channel, else the feed's, else a digest's.
	if _, err := db.SetDigestSchedule(ctx, DigestSchedule{GuildID: "G", ChannelID: "D", Time: "08:00", TimeZone: "UTC"}); err != nil {
		t.Fatal(err)
	}
	if a, _ := db.PendingFeedAlerts(ctx); a[0].ChannelID != "D" {
		t.Errorf("channel = %q, want the digest's", a[0].ChannelID)
	}
	if _, err := db.SetFeedChannel(ctx, "G", "#1", "F", ""); err != nil {
		t.Fatal(err)
	}
	if a, _ := db.PendingFeedAlerts(ctx); a[0].ChannelID != "F" {
		t.Errorf("channel = %q, want the feed's", a[0].ChannelID)
	}
	if err := db.SetAlertsChannel(ctx, "G", "A"); err != nil {
		t.Fatal(err)
	}
	alerts, _ = db.PendingFeedAlerts(ctx)
	if alerts[0].ChannelID != "A" {
		t.Errorf("channel = %q, want the alerts channel", alerts[0].ChannelID)
	}
	if ch, _ := db.AlertsChannel(ctx, "G"); ch != "A" {
		t.Errorf("AlertsChannel = %q", ch)
	}
	ok, err := db.ClaimFeedAlert(ctx, alerts[0])
	if err != nil || !ok {
		t.Fatalf("claim = %v, %v", ok, err)
	}
	if ok, _ := db.ClaimFeedAlert(ctx, alerts[0]); ok {
		t.Error("claimed twice")
	}
	if err := db.FinishFeedAlert(ctx, alerts[0], FeedAlertPosted, ""); err != nil {
		t.Fatal(err)
	}
	if a, _ := db.PendingFeedAlerts(ctx); len(a) != 0 {
		t.Errorf("alerts after telling = %+v", a)
	}
	// Resumed, then disabled again: a new alert.
	if _, err := db.ResumeFeed(ctx, "G", "#1"); err != nil {
		t.Fatal(err)
	}
	fail()
	fail()
	if a, _ := db.PendingFeedAlerts(ctx); len(a) != 1 {
		t.Errorf("alerts after a second disabling = %+v", a)
	}
}

func TestMarkGuildSeen(t *testing.T) { forEachBackend(t, testMarkGuildSeen) }

func testMarkGuildSeen(t *testing.T, db *DB) {
	ctx := context.Background()
	first, err := db.MarkGuildSeen(ctx, "G")
	if err != nil || !first {
		t.Fatalf("first = %v, %v", first, err)
	}
	if again, _ := db.MarkGuildSeen(ctx, "G"); again {
		t.Error("seen twice as new")
	}
	if err := db.RecordWelcome(ctx, "G", "C"); err != nil {
		t.Fatal(err)
	}
	// A server with stored settings is known.
	if err := db.SetAlertsChannel(ctx, "H", "A"); err != nil {
		t.Fatal(err)
	}
	if first, _ := db.MarkGuildSeen(ctx, "H"); first {
		t.Error("a server with settings is new")
	}
}

func TestDigestKeepsOnlyTheOutletsAsked(t *testing.T) {
	forEachBackend(t, testDigestKeepsOnlyTheOutletsAsked)
}

func testDigestKeepsOnlyTheOutletsAsked(t *testing.T, db *DB) {
	ctx := context.Background()
	day := time.Date(2024, 6, 6, 0, 0, 0, 0, time.UTC)
	arts := storyArticles(day)
	if _, err := db.PutArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	want := strings.ToUpper(arts[0].Source)
	d, err := (&Digester{DB: db}).Build(ctx, DigestRequest{Since: day.Add(-48 * time.Hour), Until: day.Add(24 * time.Hour), Sources: []string{want}})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Stories) == 0 {
		t.Fatal("no story from the outlet")
	}
	for _, st := range d.Stories {
		for _, a := range st.Articles {
			if !strings.EqualFold(a.Source, want) {
				t.Errorf("story %q lists %q", st.Headline, a.Source)
			}
		}
	}
}
