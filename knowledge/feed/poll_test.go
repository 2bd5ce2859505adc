package feed

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herald-bot/herald/knowledge"
)

// fakeClock is a clock tests move by hand; After moves it forward at once.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.Add(d)
	ch := make(chan time.Time, 1)
	ch <- c.Now()
	return ch
}

// testNow is the moment the feed fixtures are read.
var testNow = time.Date(2024, 6, 6, 12, 0, 0, 0, time.UTC)

func mustOpenDB(t *testing.T, clk *fakeClock) *knowledge.DB {
	t.Helper()
	db, err := knowledge.Open(context.Background(), filepath.Join(t.TempDir(), "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Now = clk.Now
	return db
}

// newTestPoller returns a poller over db that may reach the local test
// servers, with no jitter and no article page fetches.
func newTestPoller(t *testing.T, db *knowledge.DB, clk *fakeClock, opts PollOptions) *Poller {
	t.Helper()
	if opts.Jitter == 0 {
		opts.Jitter = -1
	}
	p := NewPoller(db, Options{AllowPrivate: true, Timeout: 2 * time.Second}, opts, nil)
	p.Now = clk.Now
	p.After = clk.After
	p.Pages = nil
	t.Cleanup(p.Feeds.CloseIdleConnections)
	return p
}

// fixtureServer serves testdata files by path, with the given content
// types, counting requests per path.
type fixtureServer struct {
	*httptest.Server
	mu   sync.Mutex
	hits map[string]int
}

func newFixtureServer(t *testing.T, routes map[string]http.HandlerFunc) *fixtureServer {
	t.Helper()
	fs := &fixtureServer{hits: map[string]int{}}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs.mu.Lock()
		fs.hits[r.URL.Path]++
		fs.mu.Unlock()
		if h, ok := routes[r.URL.Path]; ok {
			h(w, r)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(fs.Close)
	return fs
}

func (fs *fixtureServer) count(path string) int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.hits[path]
}

// serve returns a handler writing a fixture with a content type.
func serve(t *testing.T, name, contentType string) http.HandlerFunc {
	body := readFixture(t, name)
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Write(body)
	}
}

func mustAddFeed(t *testing.T, db *knowledge.DB, url, guild string) *knowledge.Feed {
	t.Helper()
	f, err := db.AddFeed(context.Background(), knowledge.FeedSpec{URL: url, GuildID: guild})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func reportFor(t *testing.T, rep *PollReport, feedID int64) FeedReport {
	t.Helper()
	for _, f := range rep.Feeds {
		if f.Feed.ID == feedID {
			return f
		}
	}
	t.Fatalf("feed %d was not polled", feedID)
	return FeedReport{}
}

func TestPollReadsRSSAtomAndJSONFeed(t *testing.T) {
	ctx := context.Background()
	clk := &fakeClock{t: testNow}
	db := mustOpenDB(t, clk)
	var ua atomic.Value
	srv := newFixtureServer(t, map[string]http.HandlerFunc{
		"/rss.xml": func(w http.ResponseWriter, r *http.Request) {
			ua.Store(r.Header.Get("User-Agent"))
			serve(t, "rss.xml", "application/rss+xml; charset=utf-8")(w, r)
		},
		"/atom.xml":  serve(t, "atom.xml", "application/atom+xml"),
		"/feed.json": serve(t, "feed.json", "application/feed+json"),
	})
	rss := mustAddFeed(t, db, srv.URL+"/rss.xml", "")
	atomFeed := mustAddFeed(t, db, srv.URL+"/atom.xml", "")
	jsonFeed := mustAddFeed(t, db, srv.URL+"/feed.json", "G1")

	p := newTestPoller(t, db, clk, PollOptions{})
	rep, err := p.PollDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Feeds) != 3 || rep.Failed() != 0 || rep.Added() != 4 {
		for _, f := range rep.Feeds {
			t.Logf("%s: new %d err %v", f.Feed.URL, len(f.New), f.Err)
		}
		t.Fatalf("polled %d feeds, %d failed, %d added; want 3, 0, 4", len(rep.Feeds), rep.Failed(), rep.Added())
	}
	if got, _ := ua.Load().(string); !strings.HasPrefix(got, "Herald/") {
		t.Errorf("User-Agent = %q", got)
	}

	r := reportFor(t, rep, rss.ID)
	if r.Feed.Title != "Harbour Gazette" || r.Feed.Items != 2 || r.Feed.LastSuccessAt.IsZero() || r.Feed.Failures != 0 {
		t.Errorf("rss feed after poll: %+v", r.Feed)
	}
	a, err := db.ArticleByURL(ctx, "https://gazette.example/2024/06/05/ferry-terminal", "*")
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != "Harbour council approves new ferry terminal" || a.Source != "Harbour Gazette" || a.Author != "Ada Lund" ||
		a.FeedID != rss.ID || a.GuildID != "" || !a.PublishedAt.Equal(time.Date(2024, 6, 5, 9, 30, 0, 0, time.UTC)) {
		t.Errorf("rss article = %+v", a)
	}
	if a.StoryID == 0 {
		t.Errorf("the poll assigned no story to article %d", a.ID)
	}
	// content:encoded, not the shorter description, as paragraphs.
	if !strings.Contains(a.Text, "ending a dispute that had lasted three years.\n\nThe terminal will cost 42 million euros") {
		t.Errorf("rss text = %q", a.Text)
	}
	if storm, err := db.ArticleByURL(ctx, "https://gazette.example/2024/06/06/storm", "*"); err != nil || storm.Title != "Storm closes the coastal road & the bridge" {
		t.Errorf("storm = %+v, %v", storm, err)
	}

	// A relative link resolves against the feed's own address.
	a, err = db.ArticleByURL(ctx, srv.URL+"/news/robotics", "*")
	if err != nil {
		t.Fatalf("atom article with a relative link: %v", err)
	}
	if a.Source != "Valley Courier" || a.Author != "Ben Ortiz" || !a.PublishedAt.Equal(time.Date(2024, 6, 6, 4, 15, 0, 0, time.UTC)) || a.FeedID != atomFeed.ID {
		t.Errorf("atom article = %+v", a)
	}

	a, err = db.ArticleByURL(ctx, "https://post.example/avalanche", "G1")
	if err != nil {
		t.Fatal(err)
	}
	if a.Source != "Mountain Post" || a.GuildID != "G1" || a.FeedID != jsonFeed.ID || !strings.Contains(a.Text, "Hikers were told") {
		t.Errorf("json article = %+v", a)
	}
	// A server's feed is invisible to the operator's scope and to other servers.
	if _, err := db.ArticleByURL(ctx, "https://post.example/avalanche", "G2"); knowledge.ErrorCode(err) != knowledge.ENOTFOUND {
		t.Errorf("G2 sees G1's article: %v", err)
	}
	for guild, want := range map[string]int{"G1": 1, "G2": 0, "": 0, "*": 1} {
		hits, err := db.Search(ctx, "avalanche warning level", knowledge.Filter{GuildID: guild})
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != want {
			t.Errorf("search in scope %q found %d passages of G1's feed, want %d", guild, len(hits), want)
		}
	}
	if r := reportFor(t, rep, jsonFeed.ID); r.Feed.NextPollAt != testNow.Add(knowledge.DefaultFeedInterval) {
		t.Errorf("next poll = %v, want %v", r.Feed.NextPollAt, testNow.Add(knowledge.DefaultFeedInterval))
	}
	// Nothing is due until the interval has passed.
	rep, _ = p.PollDue(ctx)
	if len(rep.Feeds) != 0 {
		t.Errorf("polled %d feeds again at once", len(rep.Feeds))
	}
}

func TestPollConditionalRequests(t *testing.T) {
	ctx := context.Background()
	clk := &fakeClock{t: testNow}
	db := mustOpenDB(t, clk)
	body := readFixture(t, "rss.xml")
	var full, notModified atomic.Int32
	srv := newFixtureServer(t, map[string]http.HandlerFunc{
		"/etag": func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("If-None-Match") == `"v1"` {
				notModified.Add(1)
				w.WriteHeader(http.StatusNotModified)
				return
			}
			full.Add(1)
			w.Header().Set("ETag", `"v1"`)
			w.Header().Set("Content-Type", "application/rss+xml")
			w.Write(body)
		},
		"/lastmod": func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("If-Modified-Since") == "Thu, 06 Jun 2024 07:00:00 GMT" {
				notModified.Add(1)
				w.WriteHeader(http.StatusNotModified)
				return
			}
			full.Add(1)
			w.Header().Set("Last-Modified", "Thu, 06 Jun 2024 07:00:00 GMT")
			w.Header().Set("Content-Type", "text/xml")
			w.Write(body)
		},
	})
	f1 := mustAddFeed(t, db, srv.URL+"/etag", "")
	f2 := mustAddFeed(t, db, srv.URL+"/lastmod", "")
	p := newTestPoller(t, db, clk, PollOptions{})
	rep, err := p.PollDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Added(); got != 2 {
		// The two feeds carry the same items in the same scope: the second
		// copy is the same article.
		t.Errorf("added %d, want 2", got)
	}
	clk.Add(time.Hour)
	rep, err = p.PollDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{f1.ID, f2.ID} {
		r := reportFor(t, rep, id)
		if !r.NotModified || r.Err != nil || len(r.New) != 0 {
			t.Errorf("feed %d second poll: %+v", id, r)
		}
		if !r.Feed.LastSuccessAt.Equal(testNow.Add(time.Hour)) {
			t.Errorf("feed %d: a 304 is a successful poll, last success %v", id, r.Feed.LastSuccessAt)
		}
	}
	if full.Load() != 2 || notModified.Load() != 2 {
		t.Errorf("full responses %d, 304s %d; want 2, 2", full.Load(), notModified.Load())
	}
}

func TestPollNeverIngestsAnItemTwice(t *testing.T) {
	ctx := context.Background()
	clk := &fakeClock{t: testNow}
	db := mustOpenDB(t, clk)
	var version atomic.Int32
	srv := newFixtureServer(t, map[string]http.HandlerFunc{
		"/feed": func(w http.ResponseWriter, r *http.Request) {
			// A new ETag on every request, and the same items with edited
			// titles: the GUIDs say they are not new.
			w.Header().Set("ETag", fmt.Sprintf(`"%d"`, version.Add(1)))
			w.Header().Set("Content-Type", "application/rss+xml")
			w.Write([]byte(strings.ReplaceAll(string(readFixture(t, "rss.xml")), "Harbour council", fmt.Sprintf("Harbour council (v%d)", version.Load()))))
		},
		"/dups": serve(t, "dupguids.xml", "application/rss+xml"),
	})
	f := mustAddFeed(t, db, srv.URL+"/feed", "")
	d := mustAddFeed(t, db, srv.URL+"/dups", "")
	p := newTestPoller(t, db, clk, PollOptions{})
	rep, _ := p.PollDue(ctx)
	if got := len(reportFor(t, rep, f.ID).New); got != 2 {
		t.Fatalf("first poll added %d, want 2", got)
	}
	dr := reportFor(t, rep, d.ID)
	if len(dr.New) != 2 || dr.Err != nil || !strings.Contains(dr.Feed.Warning, "1 item repeated a GUID and was ignored") {
		t.Errorf("duplicate GUIDs: new %d, err %v, warning %q", len(dr.New), dr.Err, dr.Feed.Warning)
	}
	for i := 0; i < 3; i++ {
		clk.Add(time.Hour)
		rep, _ = p.PollDue(ctx)
		for _, r := range rep.Feeds {
			if len(r.New) != 0 || r.Updated != 0 || r.Err != nil {
				t.Errorf("re-poll %d of %s: %+v", i, r.Feed.URL, r)
			}
		}
	}
	arts, _ := db.Articles(ctx, knowledge.Filter{GuildID: "*"})
	if len(arts) != 4 {
		t.Errorf("%d articles stored, want 4", len(arts))
	}
}

func TestPollBadFeedsGiveReasonsAndNeverStopTheOthers(t *testing.T) {
	ctx := context.Background()
	clk := &fakeClock{t: testNow}
	db := mustOpenDB(t, clk)
	// A 5 MB feed, streamed without a Content-Length.
	item := `<item><title>Filler</title><description>` + strings.Repeat("x", 1000) + `</description></item>`
	bigBody := []byte(`<?xml version="1.0"?><rss version="2.0"><channel><title>Huge</title>` + strings.Repeat(item, (5<<20)/len(item)+1) + `</channel></rss>`)
	big := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		for b := bigBody; len(b) > 0; b = b[min(len(b), 256<<10):] {
			if _, err := w.Write(b[:min(len(b), 256<<10)]); err != nil {
				return
			}
			w.(http.Flusher).Flush()
		}
	}
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	hang := func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}
	srv := newFixtureServer(t, map[string]http.HandlerFunc{
		"/good.xml":      serve(t, "rss.xml", "application/rss+xml"),
		"/malformed.xml": serve(t, "malformed.xml", "application/rss+xml"),
		"/page":          serve(t, "page.html", "text/html; charset=utf-8"),
		"/page-as-xml":   serve(t, "page.html", "application/xml"),
		"/big.xml":       big,
		"/latin1.xml":    serve(t, "latin1.xml", "application/rss+xml"),
		"/nodates.xml":   serve(t, "nodates.xml", "application/rss+xml"),
		"/hang":          hang,
		"/notfound":      http.NotFound,
		"/json-broken": func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"version": "https://jsonfeed.org/version/1", "items": [`))
		},
		"/binary": func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")) },
		"/empty":  func(w http.ResponseWriter, r *http.Request) {},
	})
	type want struct {
		ok     bool
		reason string // in LastError when not ok, in Warning when ok
		added  int
	}
	cases := map[string]want{
		"/good.xml":      {ok: true, added: 2},
		"/malformed.xml": {ok: false, reason: "not well-formed XML"},
		"/page":          {ok: false, reason: "the address is a web page, not a feed; the page names a feed at " + srv.URL + "/rss.xml, add that instead"},
		"/page-as-xml":   {ok: false, reason: "web page, not a feed"},
		"/big.xml":       {ok: false, reason: "larger than 4 MB"},
		"/latin1.xml":    {ok: true, added: 1},
		"/nodates.xml":   {ok: true, added: 2, reason: "2 items have no date; stored as undated unless the article page names one"},
		"/hang":          {ok: false, reason: "took too long"},
		"/notfound":      {ok: false, reason: "the site answered 404 Not Found"},
		"/json-broken":   {ok: false, reason: "not valid JSON Feed"},
		"/binary":        {ok: false, reason: "not an RSS, Atom or JSON feed"},
		"/empty":         {ok: false, reason: "the feed is empty"},
	}
	ids := map[string]int64{}
	for path := range cases {
		ids[path] = mustAddFeed(t, db, srv.URL+path, "").ID
	}
	p := newTestPoller(t, db, clk, PollOptions{})
	p.Feeds = NewClient(Options{AllowPrivate: true, Timeout: time.Second, MaxBytes: DefaultFeedMaxBytes})
	start := time.Now()
	rep, err := p.PollDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("polling took %v: a hanging server held up the others", d)
	}
	for path, w := range cases {
		r := reportFor(t, rep, ids[path])
		stored, err := db.Feed(ctx, ids[path])
		if err != nil {
			t.Fatal(err)
		}
		if w.ok {
			if r.Err != nil || stored.LastError != "" || len(r.New) != w.added {
				t.Errorf("%s: err %v, last error %q, added %d; want success adding %d", path, r.Err, stored.LastError, len(r.New), w.added)
			}
			if w.reason != "" && !strings.Contains(stored.Warning, w.reason) {
				t.Errorf("%s: warning %q, want %q", path, stored.Warning, w.reason)
			}
			continue
		}
		if r.Err == nil || stored.Failures != 1 || !strings.Contains(stored.LastError, w.reason) {
			t.Errorf("%s: err %v, failures %d, last error %q; want a failure saying %q", path, r.Err, stored.Failures, stored.LastError, w.reason)
		}
	}
	a, err := db.ArticleByURL(ctx, "https://muenchen.example/cafe", "")
	if err != nil {
		t.Fatal(err)
	}
	if a.Title != "Müller eröffnet das Café am Straßenfest" || !strings.Contains(a.Text, "Die Gäste lobten den Apfelstrudel.") || a.Source != "Gazette München" {
		t.Errorf("latin-1 article = %q / %q / %q", a.Title, a.Source, a.Text)
	}
	// Undated items count from when they were first seen.
	a, err = db.ArticleByURL(ctx, "https://undated.example/library", "")
	if err != nil {
		t.Fatal(err)
	}
	if !a.PublishedAt.IsZero() || !a.FetchedAt.Equal(testNow) {
		t.Errorf("undated article: published %v, fetched %v", a.PublishedAt, a.FetchedAt)
	}
}

func TestPollBacksOffDisablesAndResumes(t *testing.T) {
	ctx := context.Background()
	clk := &fakeClock{t: testNow}
	db := mustOpenDB(t, clk)
	var broken atomic.Bool
	broken.Store(true)
	srv := newFixtureServer(t, map[string]http.HandlerFunc{
		"/feed": func(w http.ResponseWriter, r *http.Request) {
			if broken.Load() {
				http.Error(w, "down", http.StatusServiceUnavailable)
				return
			}
			serve(t, "rss.xml", "application/rss+xml")(w, r)
		},
		"/ok": serve(t, "atom.xml", "application/atom+xml"),
	})
	f := mustAddFeed(t, db, srv.URL+"/feed", "")
	ok := mustAddFeed(t, db, srv.URL+"/ok", "")
	p := newTestPoller(t, db, clk, PollOptions{Interval: 10 * time.Minute, MaxFailures: 5, MaxBackoff: time.Hour})
	var waits []time.Duration
	for i := 1; i <= 5; i++ {
		rep, err := p.PollDue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		r := reportFor(t, rep, f.ID)
		if r.Err == nil || r.Feed.Failures != i {
			t.Fatalf("poll %d: err %v, failures %d", i, r.Err, r.Feed.Failures)
		}
		if r.Disabled != (i == 5) {
			t.Errorf("poll %d: disabled = %v", i, r.Disabled)
		}
		waits = append(waits, r.Feed.NextPollAt.Sub(clk.Now()))
		clk.Set(r.Feed.NextPollAt)
	}
	want := []time.Duration{10 * time.Minute, 20 * time.Minute, 40 * time.Minute, time.Hour, time.Hour}
	if fmt.Sprint(waits) != fmt.Sprint(want) {
		t.Errorf("waits = %v, want %v", waits, want)
	}
	stored, _ := db.Feed(ctx, f.ID)
	if stored.Status() != knowledge.FeedDisabled || !strings.Contains(stored.DisabledReason, "stopped after 5 failed polls in a row; last: the site answered 503 Service Unavailable") {
		t.Errorf("disabled feed = %+v", stored)
	}
	// Disabled: never polled again, while the healthy feed goes on.
	clk.Add(24 * time.Hour)
	hits := srv.count("/feed")
	rep, _ := p.PollDue(ctx)
	if srv.count("/feed") != hits {
		t.Errorf("a disabled feed was polled")
	}
	if r := reportFor(t, rep, ok.ID); r.Err != nil {
		t.Errorf("healthy feed: %v", r.Err)
	}
	broken.Store(false)
	if _, err := db.ResumeFeed(ctx, "", f.URL); err != nil {
		t.Fatal(err)
	}
	rep, _ = p.PollDue(ctx)
	r := reportFor(t, rep, f.ID)
	if r.Err != nil || len(r.New) != 2 || r.Feed.Failures != 0 || r.Feed.Status() != knowledge.FeedActive {
		t.Errorf("after resume: %+v", r)
	}
}

func TestFirstPollTakesOnlyRecentItems(t *testing.T) {
	ctx := context.Background()
	clk := &fakeClock{t: testNow}
	db := mustOpenDB(t, clk)
	var items atomic.Int32
	items.Store(40)
	srv := newFixtureServer(t, map[string]http.HandlerFunc{
		"/archive": func(w http.ResponseWriter, r *http.Request) {
			var b strings.Builder
			b.WriteString(`<?xml version="1.0"?><rss version="2.0"><channel><title>Archive</title>`)
			// One item every 6 hours, the newest first.
			for i := int(items.Load()) - 1; i >= 0; i-- {
				at := testNow.Add(-time.Duration(40-1-i) * 6 * time.Hour)
				fmt.Fprintf(&b, `<item><title>Item %d</title><link>https://archive.example/%d</link><guid>a-%d</guid><pubDate>%s</pubDate><description>Report number %d of the archive, about topic %d.</description></item>`,
					i, i, i, at.Format(time.RFC1123Z), i, i)
			}
			b.WriteString(`</channel></rss>`)
			w.Header().Set("Content-Type", "application/rss+xml")
			w.Write([]byte(b.String()))
		},
	})
	f := mustAddFeed(t, db, srv.URL+"/archive", "")
	p := newTestPoller(t, db, clk, PollOptions{FirstMaxAge: 48 * time.Hour, FirstMaxItems: 5})
	rep, _ := p.PollDue(ctx)
	r := reportFor(t, rep, f.ID)
	var titles []string
	for _, a := range r.New {
		titles = append(titles, a.Title)
	}
	if got := strings.Join(titles, ","); got != "Item 39,Item 38,Item 37,Item 36,Item 35" {
		t.Errorf("first poll took %s", got)
	}
	if r.Skipped != 35 {
		t.Errorf("skipped %d, want 35", r.Skipped)
	}
	// The items left out are not taken later either; a new item is.
	items.Store(41)
	clk.Add(time.Hour)
	rep, _ = p.PollDue(ctx)
	r = reportFor(t, rep, f.ID)
	if len(r.New) != 1 || r.New[0].Title != "Item 40" {
		t.Errorf("second poll took %+v", r.New)
	}
}

func TestTeaserItemsGetTheirArticlePage(t *testing.T) {
	ctx := context.Background()
	clk := &fakeClock{t: testNow}
	db := mustOpenDB(t, clk)
	var srvURL string
	srv := newFixtureServer(t, map[string]http.HandlerFunc{
		"/feed": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Coastal Courier</title>
<item><title>Tidal barrier approved</title><link>%[1]s/article</link><guid>t-1</guid><pubDate>Thu, 06 Jun 2024 09:00:00 +0000</pubDate><description>Councillors back the barrier. Read more…</description></item>
<item><title>Gone</title><link>%[1]s/missing</link><guid>t-2</guid><pubDate>Thu, 06 Jun 2024 08:00:00 +0000</pubDate><description>A teaser whose page is gone.</description></item>
</channel></rss>`, srvURL)
		},
		"/article": serve(t, "article.html", "text/html; charset=utf-8"),
	})
	srvURL = srv.URL
	f := mustAddFeed(t, db, srv.URL+"/feed", "")
	p := newTestPoller(t, db, clk, PollOptions{})
	p.Pages = NewClient(Options{AllowPrivate: true, Timeout: 2 * time.Second})
	rep, _ := p.PollDue(ctx)
	r := reportFor(t, rep, f.ID)
	if r.Err != nil || len(r.New) != 2 {
		t.Fatalf("poll: %+v", r)
	}
	a, err := db.ArticleByURL(ctx, srv.URL+"/article", "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(a.Text, "Councillors approved the £48 million scheme by nine votes to four") || a.Title != "Tidal barrier approved" ||
		a.Source != "Coastal Courier" || a.Author != "Maria Okafor" {
		t.Errorf("teaser article = %+v", a)
	}
	gone, err := db.ArticleByURL(ctx, srv.URL+"/missing", "")
	if err != nil || gone.Text != "A teaser whose page is gone." {
		t.Errorf("teaser without a page: %+v, %v", gone, err)
	}
	if !strings.Contains(r.Feed.Warning, "1 article page could not be fetched") {
		t.Errorf("warning = %q", r.Feed.Warning)
	}
}

func TestPollRefusesRedirectToPrivateAddress(t *testing.T) {
	ctx := context.Background()
	clk := &fakeClock{t: testNow}
	db := mustOpenDB(t, clk)
	var secret atomic.Int32
	var srvURL string
	srv := newFixtureServer(t, map[string]http.HandlerFunc{
		"/feed": func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, srvURL+"/secret", http.StatusFound) },
		"/secret": func(w http.ResponseWriter, r *http.Request) {
			secret.Add(1)
			serve(t, "rss.xml", "application/rss+xml")(w, r)
		},
	})
	srvURL = srv.URL
	res := &fakeResolver{hosts: map[string][]string{"public.test": {"93.184.216.34"}}}
	var mu sync.Mutex
	var dialed []string
	f := mustAddFeed(t, db, "http://public.test/feed", "")
	p := newTestPoller(t, db, clk, PollOptions{})
	// public.test looks public to the guard and is routed to the test
	// server; its redirect to 127.0.0.1 must be refused.
	p.Feeds = NewClient(Options{Resolver: res, dial: routeTo(srv.Listener.Addr().String(), &dialed, &mu)})
	rep, _ := p.PollDue(ctx)
	r := reportFor(t, rep, f.ID)
	if r.Err == nil || r.Feed.LastError != msgPrivate {
		t.Errorf("redirect to a private address: err %v, last error %q", r.Err, r.Feed.LastError)
	}
	if secret.Load() != 0 {
		t.Errorf("the private address was fetched")
	}
}

func TestPollLimitsConcurrencyPerHost(t *testing.T) {
	ctx := context.Background()
	clk := &fakeClock{t: testNow}
	db := mustOpenDB(t, clk)
	var inFlight, peak atomic.Int32
	srv := newFixtureServer(t, map[string]http.HandlerFunc{})
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(30 * time.Millisecond)
		inFlight.Add(-1)
		w.Header().Set("Content-Type", "application/atom+xml")
		w.Write(readFixture(t, "atom.xml"))
	})
	for i := 0; i < 6; i++ {
		mustAddFeed(t, db, fmt.Sprintf("%s/feed/%d", srv.URL, i), "")
	}
	for _, perHost := range []int{1, 2} {
		peak.Store(0)
		clk.Add(24 * time.Hour)
		p := newTestPoller(t, db, clk, PollOptions{PerHost: perHost, Concurrency: 8})
		rep, err := p.PollDue(ctx)
		if err != nil || len(rep.Feeds) != 6 || rep.Failed() != 0 {
			t.Fatalf("poll: %v, %d feeds, %d failed", err, len(rep.Feeds), rep.Failed())
		}
		if got := peak.Load(); got > int32(perHost) {
			t.Errorf("PerHost %d: %d requests to one host at once", perHost, got)
		}
	}
}

func TestRunPollsOnScheduleUntilCancelled(t *testing.T) {
	clk := &fakeClock{t: testNow}
	db := mustOpenDB(t, clk)
	srv := newFixtureServer(t, map[string]http.HandlerFunc{"/feed": serve(t, "atom.xml", "application/atom+xml")})
	mustAddFeed(t, db, srv.URL+"/feed", "")
	p := newTestPoller(t, db, clk, PollOptions{Interval: 15 * time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	end := testNow.Add(2 * time.Hour)
	p.After = func(d time.Duration) <-chan time.Time {
		if clk.Now().After(end) {
			cancel()
		}
		return clk.After(d)
	}
	done := make(chan error)
	go func() { done <- p.Run(ctx) }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop")
	}
	// Every 15 minutes over two hours.
	if got := srv.count("/feed"); got < 8 || got > 10 {
		t.Errorf("feed fetched %d times in two simulated hours, want about 9", got)
	}
}
