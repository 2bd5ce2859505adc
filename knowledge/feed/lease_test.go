package feed

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/herald-bot/herald/knowledge"
)

// blockingFeed serves the atom fixture, except that the first request
// to block waits (after saying so on started) until release is closed or
// the request is cancelled.
type blockingFeed struct {
	started chan struct{}
	release chan struct{}
	once    sync.Once
}

func newBlockingFeed() *blockingFeed {
	return &blockingFeed{started: make(chan struct{}), release: make(chan struct{})}
}

func (b *blockingFeed) handler(t *testing.T) http.HandlerFunc {
	body := readFixture(t, "atom.xml")
	return func(w http.ResponseWriter, r *http.Request) {
		b.once.Do(func() { close(b.started) })
		select {
		case <-b.release:
		case <-r.Context().Done():
			return
		}
		w.Header().Set("Content-Type", "application/atom+xml")
		w.Write(body)
	}
}

// TestPollDueClaimsEachFeedOnItsOwn: while one feed is being polled (its
// site hangs), the feeds not yet started are not leased, so another Herald
// process may poll them; the lease of the hanging one is renewed; a poll
// that is stopped releases its feed at once.
func TestPollDueClaimsEachFeedOnItsOwn(t *testing.T) {
	clk := &fakeClock{t: testNow}
	db := mustOpenDB(t, clk)
	hang := newBlockingFeed()
	srv := newFixtureServer(t, map[string]http.HandlerFunc{
		"/hang": hang.handler(t),
		"/b":    serve(t, "atom.xml", "application/atom+xml"),
		"/c":    serve(t, "rss.xml", "application/rss+xml"),
	})
	a := mustAddFeed(t, db, srv.URL+"/hang", "")
	b := mustAddFeed(t, db, srv.URL+"/b", "")
	c := mustAddFeed(t, db, srv.URL+"/c", "")
	p := newTestPoller(t, db, clk, PollOptions{Concurrency: 1, Lease: 2 * time.Minute})
	ticks := make(chan time.Time)
	p.NewTicker = func(d time.Duration) (<-chan time.Time, func()) {
		if d != 40*time.Second {
			t.Errorf("renewal every %v, want a third of the lease", d)
		}
		return ticks, func() {}
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan *PollReport)
	go func() {
		rep, err := p.PollDue(ctx)
		if err != nil {
			t.Error(err)
		}
		done <- rep
	}()
	<-hang.started

	// Another process finds the two feeds this one has not started.
	other, err := db.ClaimDueFeeds(context.Background(), clk.Now(), 2*time.Minute, 0)
	if err != nil || len(other) != 2 || other[0].ID != b.ID || other[1].ID != c.ID {
		t.Fatalf("another poller claimed %+v, %v", other, err)
	}

	// A minute on, the hanging poll renews its lease.
	clk.Add(time.Minute)
	ticks <- clk.Now()
	ticks <- clk.Now() // the first renewal is done once the second tick is taken
	if f, _ := db.Feed(context.Background(), a.ID); !f.NextPollAt.Equal(clk.Now().Add(2 * time.Minute)) {
		t.Errorf("lease ends %v, want renewed to %v", f.NextPollAt, clk.Now().Add(2*time.Minute))
	}

	// Stopped (SIGTERM), the poll releases its feed for the next poller.
	cancel()
	rep := <-done
	if len(rep.Feeds) != 1 || rep.Feeds[0].Feed.ID != a.ID || rep.Feeds[0].Err == nil {
		t.Errorf("report: %+v", rep.Feeds)
	}
	f, _ := db.Feed(context.Background(), a.ID)
	if f.NextPollAt.After(clk.Now()) || f.Failures != 0 || f.LastError != "" {
		t.Errorf("after the stopped poll: next %v (now %v), failures %d, error %q", f.NextPollAt, clk.Now(), f.Failures, f.LastError)
	}
}

// TestKilledPollDelaysFeedsByOneLease: a process that claimed a feed and
// died never records or releases it; the next poller takes it once the
// short lease has run out, not ten minutes later.
func TestKilledPollDelaysFeedsByOneLease(t *testing.T) {
	clk := &fakeClock{t: testNow}
	db := mustOpenDB(t, clk)
	srv := newFixtureServer(t, map[string]http.HandlerFunc{"/feed": serve(t, "atom.xml", "application/atom+xml")})
	f := mustAddFeed(t, db, srv.URL+"/feed", "")
	// The dead process's claim, with the default lease.
	if got, err := db.ClaimDueFeeds(context.Background(), clk.Now(), PollOptions{}.withDefaults().Lease, 1); err != nil || len(got) != 1 {
		t.Fatalf("claim: %v, %v", got, err)
	}
	p := newTestPoller(t, db, clk, PollOptions{})
	clk.Add(time.Minute)
	if rep, _ := p.PollDue(context.Background()); len(rep.Feeds) != 0 {
		t.Errorf("polled a leased feed: %+v", rep.Feeds)
	}
	clk.Add(time.Minute)
	rep, err := p.PollDue(context.Background())
	if err != nil || len(rep.Feeds) != 1 || rep.Feeds[0].Feed.ID != f.ID || rep.Feeds[0].Err != nil {
		t.Errorf("two minutes after the crash: %+v, %v", rep, err)
	}
}

func TestPollHonoursRetryAfter(t *testing.T) {
	tests := []struct {
		name   string
		status int
		header string
		wait   time.Duration
	}{
		{"seconds on 429", http.StatusTooManyRequests, "7200", 2 * time.Hour},
		{"date on 503", http.StatusServiceUnavailable, testNow.Add(3 * time.Hour).Format(http.TimeFormat), 3 * time.Hour},
		{"capped", http.StatusTooManyRequests, "172800", 6 * time.Hour},
		{"shorter than the backoff", http.StatusTooManyRequests, "60", 30 * time.Minute},
		{"ignored on 500", http.StatusInternalServerError, "7200", 30 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := &fakeClock{t: testNow}
			db := mustOpenDB(t, clk)
			srv := newFixtureServer(t, map[string]http.HandlerFunc{"/feed": func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Retry-After", tt.header)
				w.WriteHeader(tt.status)
			}})
			f := mustAddFeed(t, db, srv.URL+"/feed", "")
			p := newTestPoller(t, db, clk, PollOptions{})
			rep, err := p.PollDue(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			r := reportFor(t, rep, f.ID)
			if r.Err == nil || !r.Feed.NextPollAt.Equal(testNow.Add(tt.wait)) {
				t.Errorf("next poll %v (err %v), want %v", r.Feed.NextPollAt, r.Err, testNow.Add(tt.wait))
			}
		})
	}
}

// hangingPages is a page fetcher whose pages never arrive: each fetch
// waits for its context.
type hangingPages struct {
	mu    sync.Mutex
	calls int
}

func (h *hangingPages) Fetch(ctx context.Context, url string) (*knowledge.Document, error) {
	h.mu.Lock()
	h.calls++
	h.mu.Unlock()
	<-ctx.Done()
	return nil, knowledge.WrapError(knowledge.ETIMEOUT, "the site took too long to answer", ctx.Err())
}

// pageServer is a page fetcher that serves a page of its own for every
// URL at once.
type pageServer struct{}

func (pageServer) Fetch(ctx context.Context, url string) (*knowledge.Document, error) {
	para := fmt.Sprintf("<p>The story at %s is told here at length, with every detail the teaser left out, so that it is an article.</p>", url)
	page := "<html><head><title>Story</title></head><body><article>" + strings.Repeat(para, 8) + "</article></body></html>"
	return &knowledge.Document{URL: url, ContentType: "text/html; charset=utf-8", Body: []byte(page)}, nil
}

// TestPageFetchesShareOneDeadline: twenty items whose pages hang cost one
// poll its page budget, not twenty timeouts; the items not fetched wait
// for the next poll (neither stored as teasers nor marked seen).
func TestPageFetchesShareOneDeadline(t *testing.T) {
	clk := &fakeClock{t: testNow}
	db := mustOpenDB(t, clk)
	var items strings.Builder
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&items, `<item><title>Story %d</title><link>https://news.example/story/%d</link><guid>s-%d</guid><pubDate>Thu, 06 Jun 2024 %02d:00:00 +0000</pubDate><description>Teaser %d.</description></item>`, i, i, i, i%12, i)
	}
	srv := newFixtureServer(t, map[string]http.HandlerFunc{"/feed": func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprintf(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Courier</title>%s</channel></rss>`, items.String())
	}})
	f := mustAddFeed(t, db, srv.URL+"/feed", "")
	p := newTestPoller(t, db, clk, PollOptions{PageBudget: 50 * time.Millisecond, FirstMaxItems: 20})
	hanging := &hangingPages{}
	p.Pages = hanging
	rep, err := p.PollDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r := reportFor(t, rep, f.ID)
	if r.Err != nil || len(r.New) != 0 || hanging.calls != 1 {
		t.Fatalf("first poll: new %d, err %v, %d page fetches (want 1 cut by the budget)", len(r.New), r.Err, hanging.calls)
	}
	if !strings.Contains(r.Feed.Warning, "20 items will be tried again at the next poll") {
		t.Errorf("warning = %q", r.Feed.Warning)
	}
	// The next poll, with pages that load, takes all twenty (with a budget
	// no loaded machine can exceed: this poll is not about the deadline).
	clk.Add(time.Hour)
	p.Pages = pageServer{}
	p.Options.PageBudget = time.Minute
	rep, err = p.PollDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if r := reportFor(t, rep, f.ID); r.Err != nil || len(r.New) != 20 {
		t.Errorf("second poll: %d new, err %v, warnings %v", len(r.New), r.Err, r.Warnings)
	}
}

// TestPollCarriesTheFeedsLanguageAndLeavesBadDatesUndated: the feed's
// declared language becomes its articles' (a page's own wins), and an item
// dated in the future is stored undated, not dated by the poll.
func TestPollCarriesTheFeedsLanguageAndLeavesBadDatesUndated(t *testing.T) {
	clk := &fakeClock{t: testNow}
	db := mustOpenDB(t, clk)
	body := `<?xml version="1.0"?><rss version="2.0"><channel><title>Nordstädter Bote</title><language>de-DE</language>
<item><title>Streik im Hafen</title><link>https://bote.example/streik</link><guid>1</guid><pubDate>Thu, 06 Jun 2024 09:00:00 +0000</pubDate>
<description>` + strings.Repeat("Im Hafen von Nordstadt steht seit Dienstagmorgen die Arbeit still. ", 12) + `</description></item>
<item><title>Zukunft</title><link>https://bote.example/zukunft</link><guid>2</guid><pubDate>Sat, 06 Jun 2099 09:00:00 +0000</pubDate>
<description>` + strings.Repeat("Die Verhandlungen gehen in der nächsten Woche weiter, sagte die Gewerkschaft. ", 12) + `</description></item>
</channel></rss>`
	srv := newFixtureServer(t, map[string]http.HandlerFunc{"/feed": func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte(body))
	}})
	f := mustAddFeed(t, db, srv.URL+"/feed", "")
	p := newTestPoller(t, db, clk, PollOptions{})
	rep, err := p.PollDue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if r := reportFor(t, rep, f.ID); r.Err != nil || len(r.New) != 2 {
		t.Fatalf("poll: %+v", r)
	}
	for url, want := range map[string]time.Time{
		"https://bote.example/streik":  time.Date(2024, 6, 6, 9, 0, 0, 0, time.UTC),
		"https://bote.example/zukunft": {},
	} {
		a, err := db.ArticleByURL(context.Background(), url, "")
		if err != nil {
			t.Fatal(err)
		}
		if a.Language != "de" || !a.PublishedAt.Equal(want) {
			t.Errorf("%s: language %q, published %v; want de, %v", url, a.Language, a.PublishedAt, want)
		}
	}
}
