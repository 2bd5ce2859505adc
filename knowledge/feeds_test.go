package knowledge

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fixedClock returns a clock that reads *t.
func fixedClock(t *time.Time) func() time.Time { return func() time.Time { return *t } }

func TestAddFeedValidatesAndScopes(t *testing.T) { forEachBackend(t, testAddFeedValidatesAndScopes) }

func testAddFeedValidatesAndScopes(t *testing.T, db *DB) {
	ctx := context.Background()
	now := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	db.Now = fixedClock(&now)

	for _, bad := range []string{"", "ftp://example.com/feed", "not a url", "http://user:pw@example.com/rss", "javascript:alert(1)", "http:///nohost"} {
		if _, err := db.AddFeed(ctx, FeedSpec{URL: bad}); ErrorCode(err) != EINVALID {
			t.Errorf("AddFeed(%q) = %v, want EINVALID", bad, err)
		}
	}
	f, err := db.AddFeed(ctx, FeedSpec{URL: " <HTTPS://Example.com/rss.xml#top> ", Name: "  Example   News "})
	if err != nil {
		t.Fatal(err)
	}
	if f.URL != "https://example.com/rss.xml" || f.Name != "Example News" || f.Status() != FeedActive || !f.NextPollAt.Equal(now) {
		t.Errorf("feed = %+v", f)
	}
	if _, err := db.AddFeed(ctx, FeedSpec{URL: "https://example.com/rss.xml"}); ErrorCode(err) != ECONFLICT {
		t.Errorf("duplicate add: %v, want ECONFLICT", err)
	}
	// The same URL in a server is a different subscription.
	g, err := db.AddFeed(ctx, FeedSpec{URL: "https://example.com/rss.xml", GuildID: "A", Interval: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if g.Interval != MinFeedInterval {
		t.Errorf("interval = %v, want clamped to %v", g.Interval, MinFeedInterval)
	}
	if _, err := db.AddFeed(ctx, FeedSpec{URL: "https://b.example/feed", GuildID: "B"}); err != nil {
		t.Fatal(err)
	}

	list := func(scope string) []string {
		fs, err := db.Feeds(ctx, scope)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, f := range fs {
			out = append(out, f.GuildID+"|"+f.URL)
		}
		return out
	}
	if got := strings.Join(list(""), ","); got != "|https://example.com/rss.xml" {
		t.Errorf("operator's feeds = %s", got)
	}
	if got := strings.Join(list("A"), ","); got != "A|https://example.com/rss.xml" {
		t.Errorf("A's feeds = %s", got)
	}
	if got := len(list("*")); got != 3 {
		t.Errorf("all feeds = %d, want 3", got)
	}
	// Server B cannot touch A's feed, by URL or by number.
	if _, err := db.RemoveFeed(ctx, "B", "https://example.com/rss.xml"); ErrorCode(err) != ENOTFOUND {
		t.Errorf("B removing A's feed: %v", err)
	}
	if _, err := db.PauseFeed(ctx, "B", "#"+strconv.FormatInt(g.ID, 10)); ErrorCode(err) != ENOTFOUND {
		t.Errorf("B pausing A's feed by id: %v", err)
	}
	// "*" by URL is ambiguous when two scopes follow it.
	if _, err := db.findFeed(ctx, "*", "https://example.com/rss.xml"); ErrorCode(err) != EINVALID {
		t.Errorf("ambiguous find: %v", err)
	}
	if _, err := db.RemoveFeed(ctx, "A", "https://example.com/rss.xml"); err != nil {
		t.Fatal(err)
	}
	if got := len(list("A")); got != 0 {
		t.Errorf("A still has %d feeds", got)
	}
}

func TestGuildFeedLimit(t *testing.T) { forEachBackend(t, testGuildFeedLimit) }

func testGuildFeedLimit(t *testing.T, db *DB) {
	ctx := context.Background()
	for i := 0; i < maxGuildFeeds; i++ {
		if _, err := db.AddFeed(ctx, FeedSpec{URL: "https://example.com/feed/" + strconv.Itoa(i), GuildID: "G"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.AddFeed(ctx, FeedSpec{URL: "https://example.com/one-more", GuildID: "G"}); ErrorCode(err) != EINVALID {
		t.Errorf("over the limit: %v", err)
	}
	if _, err := db.AddFeed(ctx, FeedSpec{URL: "https://example.com/one-more"}); err != nil {
		t.Errorf("the operator has no limit: %v", err)
	}
}

func TestFeedFailuresDisableAndResume(t *testing.T) {
	forEachBackend(t, testFeedFailuresDisableAndResume)
}

func testFeedFailuresDisableAndResume(t *testing.T, db *DB) {
	ctx := context.Background()
	now := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	db.Now = fixedClock(&now)
	f, err := db.AddFeed(ctx, FeedSpec{URL: "https://example.com/rss"})
	if err != nil {
		t.Fatal(err)
	}
	due, err := db.ClaimDueFeeds(ctx, now, 10*time.Minute, 0)
	if err != nil || len(due) != 1 {
		t.Fatalf("due = %v, %v", due, err)
	}
	// Claimed: no longer due for another instance.
	if again, _ := db.ClaimDueFeeds(ctx, now, 10*time.Minute, 0); len(again) != 0 {
		t.Errorf("claimed twice: %v", again)
	}
	fail := errors.New("boom")
	for i := 1; i <= 3; i++ {
		got, err := db.RecordFeedPoll(ctx, f.ID, FeedPoll{At: now, Err: WrapError(EUNAVAILABLE, "the site answered 503 Service Unavailable", fail),
			NextPollAt: now.Add(time.Hour), DisableAfter: 3})
		if err != nil {
			t.Fatal(err)
		}
		if got.Failures != i {
			t.Errorf("failures = %d, want %d", got.Failures, i)
		}
		if (i == 3) != (got.Status() == FeedDisabled) {
			t.Errorf("after %d failures status = %s (%q)", i, got.Status(), got.DisabledReason)
		}
		f = got
	}
	if !strings.Contains(f.DisabledReason, "503 Service Unavailable") || f.LastError != "the site answered 503 Service Unavailable" {
		t.Errorf("reason = %q, last error = %q", f.DisabledReason, f.LastError)
	}
	if due, _ := db.dueFeeds(ctx, now.Add(48*time.Hour)); len(due) != 0 {
		t.Errorf("a disabled feed is due: %v", due)
	}
	r, err := db.ResumeFeed(ctx, "", f.URL)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status() != FeedActive || r.Failures != 0 || r.LastError != "" || r.DisabledReason != "" || !r.NextPollAt.Equal(now) {
		t.Errorf("resumed = %+v", r)
	}
	if _, err := db.PauseFeed(ctx, "", f.URL); err != nil {
		t.Fatal(err)
	}
	if due, _ := db.dueFeeds(ctx, now.Add(time.Hour)); len(due) != 0 {
		t.Errorf("a paused feed is due: %v", due)
	}

	// Success records the validators, the title and the seen items.
	got, err := db.RecordFeedPoll(ctx, f.ID, FeedPoll{At: now, ETag: `"v1"`, LastModified: "Sat, 01 Jun 2024 12:00:00 GMT", Title: "Example",
		Seen: []SeenItem{{Key: "guid:1"}, {Key: "guid:2", ArticleID: 0}}, Added: 2, NextPollAt: now.Add(30 * time.Minute), Warning: "1 item has no date"})
	if err != nil {
		t.Fatal(err)
	}
	if got.ETag != `"v1"` || got.Title != "Example" || got.Items != 2 || got.Warning != "1 item has no date" || got.LastSuccessAt.IsZero() {
		t.Errorf("after success: %+v", got)
	}
	seen, err := db.SeenFeedItems(ctx, f.ID, []string{"guid:1", "guid:2", "guid:3"})
	if err != nil {
		t.Fatal(err)
	}
	if !seen["guid:1"] || !seen["guid:2"] || seen["guid:3"] {
		t.Errorf("seen = %v", seen)
	}
	// Not modified keeps the warning and validators.
	got, _ = db.RecordFeedPoll(ctx, f.ID, FeedPoll{At: now, NotModified: true, NextPollAt: now.Add(30 * time.Minute)})
	if got.Warning != "1 item has no date" || got.ETag != `"v1"` {
		t.Errorf("after 304: %+v", got)
	}
	if _, err := db.RecordFeedPoll(ctx, 999, FeedPoll{At: now}); ErrorCode(err) != ENOTFOUND {
		t.Errorf("unknown feed: %v", err)
	}
}

// TestFeedLeasesAreShortAndPerFeed: a claim leases each feed on its own,
// for the lease given; a poll that dies without recording delays the feed
// by no more than its lease; renewing and releasing work only for the
// holder of the lease.
func TestFeedLeasesAreShortAndPerFeed(t *testing.T) {
	forEachBackend(t, testFeedLeasesAreShortAndPerFeed)
}

func testFeedLeasesAreShortAndPerFeed(t *testing.T, db *DB) {
	ctx := context.Background()
	now := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	db.Now = fixedClock(&now)
	var ids []int64
	for _, u := range []string{"https://a.example/rss", "https://b.example/rss", "https://c.example/rss"} {
		f, err := db.AddFeed(ctx, FeedSpec{URL: u})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, f.ID)
	}
	const lease = 2 * time.Minute
	one, err := db.ClaimDueFeeds(ctx, now, lease, 1)
	if err != nil || len(one) != 1 || one[0].ID != ids[0] || !one[0].NextPollAt.Equal(now.Add(lease)) {
		t.Fatalf("claim one: %+v, %v", one, err)
	}
	// The others are still there for another poller.
	rest, err := db.ClaimDueFeeds(ctx, now, lease, 0)
	if err != nil || len(rest) != 2 || rest[0].ID != ids[1] || rest[1].ID != ids[2] {
		t.Fatalf("claim the rest: %+v, %v", rest, err)
	}
	// The poller of the first feed dies. Within the lease nobody may take
	// it; once it ends, anyone may.
	if got, _ := db.ClaimDueFeeds(ctx, now.Add(lease-time.Second), lease, 0); len(got) != 0 {
		t.Errorf("claimed within the lease: %+v", got)
	}
	later := now.Add(lease)
	again, err := db.ClaimDueFeeds(ctx, later, lease, 0)
	if err != nil || len(again) != 3 {
		t.Fatalf("after the lease: %+v, %v", again, err)
	}

	// Renewing needs the lease as held.
	held := later.Add(lease)
	if ok, err := db.RenewFeedLease(ctx, ids[0], now.Add(lease), later.Add(2*lease)); err != nil || ok {
		t.Errorf("renewed with a stale lease: %v, %v", ok, err)
	}
	if ok, err := db.RenewFeedLease(ctx, ids[0], held, later.Add(2*lease)); err != nil || !ok {
		t.Errorf("renew: %v, %v", ok, err)
	}
	if got, _ := db.ClaimDueFeeds(ctx, later.Add(lease), lease, 0); len(got) != 2 {
		t.Errorf("a renewed lease did not hold: %+v", got)
	}
	// Releasing makes the feed due at once.
	if ok, err := db.RenewFeedLease(ctx, ids[0], later.Add(2*lease), later.Add(lease)); err != nil || !ok {
		t.Errorf("release: %v, %v", ok, err)
	}
	if got, _ := db.ClaimDueFeeds(ctx, later.Add(lease), lease, 0); len(got) != 1 || got[0].ID != ids[0] {
		t.Errorf("after release: %+v", got)
	}
	// A recorded poll ends the lease: a late renewal changes nothing.
	rec, err := db.RecordFeedPoll(ctx, ids[1], FeedPoll{At: later, NextPollAt: later.Add(30 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := db.RenewFeedLease(ctx, ids[1], held, later.Add(5*lease)); ok {
		t.Errorf("renewed a recorded feed")
	}
	if f, _ := db.Feed(ctx, ids[1]); !f.NextPollAt.Equal(rec.NextPollAt) {
		t.Errorf("next poll %v, want %v", f.NextPollAt, rec.NextPollAt)
	}
}

func TestAddFeedChecksTheFeedFirst(t *testing.T) { forEachBackend(t, testAddFeedChecksTheFeedFirst) }

func testAddFeedChecksTheFeedFirst(t *testing.T, db *DB) {
	ctx := context.Background()
	now := time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)
	db.Now = fixedClock(&now)
	broken := map[string]error{}
	var checked []string
	db.FeedCheck = func(ctx context.Context, u string) error {
		checked = append(checked, u)
		return broken[u]
	}
	const u = "https://news.example/rss"
	broken[u] = WrapError(EUNAVAILABLE, "the site answered 404 Not Found", errors.New("GET: 404"))

	_, err := db.AddFeed(ctx, FeedSpec{URL: u})
	if ErrorCode(err) != EUNAVAILABLE || !errors.Is(err, ErrFeedUnreadable) ||
		ErrorMessage(err) != "Herald cannot follow https://news.example/rss: the site answered 404 Not Found." {
		t.Errorf("unreadable feed: %v (%q)", err, ErrorMessage(err))
	}
	if fs, _ := db.Feeds(ctx, "*"); len(fs) != 0 {
		t.Errorf("a refused feed was stored: %+v", fs)
	}
	// Fixed: adding it again works.
	delete(broken, u)
	f, err := db.AddFeed(ctx, FeedSpec{URL: u})
	if err != nil {
		t.Fatal(err)
	}
	// A healthy duplicate is a conflict, without fetching anything.
	checked = nil
	if _, err := db.AddFeed(ctx, FeedSpec{URL: u}); ErrorCode(err) != ECONFLICT || len(checked) != 0 {
		t.Errorf("duplicate: %v, checked %v", err, checked)
	}
	// --keep follows a feed that cannot be read now.
	const down = "https://down.example/rss"
	broken[down] = WrapError(EUNAVAILABLE, "down.example refused the connection", errors.New("ECONNREFUSED"))
	kept, err := db.AddFeed(ctx, FeedSpec{URL: down, Keep: true})
	if err != nil || kept.URL != down {
		t.Fatalf("keep: %+v, %v", kept, err)
	}
	// A followed feed that is failing is resumed when added again and
	// readable.
	if _, err := db.RecordFeedPoll(ctx, kept.ID, FeedPoll{At: now, Err: broken[down], NextPollAt: now.Add(time.Hour), DisableAfter: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddFeed(ctx, FeedSpec{URL: down}); !errors.Is(err, ErrFeedUnreadable) {
		t.Errorf("re-adding a still broken feed: %v", err)
	}
	delete(broken, down)
	resumed, err := db.AddFeed(ctx, FeedSpec{URL: down})
	if err != nil || resumed.ID != kept.ID || resumed.Status() != FeedActive || resumed.Failures != 0 || !resumed.NextPollAt.Equal(now) {
		t.Errorf("re-adding a fixed feed: %+v, %v", resumed, err)
	}
	_ = f
}
