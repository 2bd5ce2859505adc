package knowledge

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestDigestGroupsStoriesAndRanksThem(t *testing.T) {
	forEachBackend(t, testDigestGroupsStoriesAndRanksThem)
}

func testDigestGroupsStoriesAndRanksThem(t *testing.T, db *DB) {
	ctx := context.Background()
	day := time.Date(2024, 6, 6, 0, 0, 0, 0, time.UTC)
	arts := storyArticles(day)
	if _, err := db.PutArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	dg := &Digester{DB: db}
	d, err := dg.Build(ctx, DigestRequest{GuildID: "*", Since: day.Add(-48 * time.Hour), Until: day.Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	var heads []string
	for _, st := range d.Stories {
		heads = append(heads, fmt.Sprintf("%s (%d)", st.Headline, st.Outlets))
	}
	want := []string{
		"ECB cuts interest rates for the first time since 2019 (3)",
		"Floods in Bavaria force thousands from their homes (2)",
		"Norwegian teenager wins blitz chess title in Oslo (1)",
		"Euro zone inflation rises to 2.6% in May (1)",
	}
	if !reflect.DeepEqual(heads, want) {
		t.Fatalf("stories:\n%s\nwant:\n%s", strings.Join(heads, "\n"), strings.Join(want, "\n"))
	}
	ecb := d.Stories[0]
	if len(ecb.Articles) != 3 || ecb.Articles[0].Source != "Wire" || ecb.Mode != ModeExtractive {
		t.Errorf("ECB story articles: %+v", ecb.Articles)
	}
	if !strings.HasPrefix(ecb.Summary, "The European Central Bank cut its key deposit rate by a quarter point to 3.75 percent on Thursday") ||
		!strings.Contains(ecb.Summary, "[1]") {
		t.Errorf("ECB summary = %q", ecb.Summary)
	}
	for _, st := range d.Stories {
		checkQuotes(t, db, &Answer{Text: st.Summary, Citations: st.Citations})
		if len(st.Citations) == 0 || len(st.Citations) > 2 {
			t.Errorf("%q has %d citations", st.Headline, len(st.Citations))
		}
	}
	// The period bounds the digest.
	d, err = dg.Build(ctx, DigestRequest{GuildID: "*", Since: day, Until: day.Add(9 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Stories) != 2 { // floods (6h, 8h) and chess (7h); the ECB reports (9h on) are out
		t.Errorf("%d stories in the morning, want 2", len(d.Stories))
	}

	// The JSON contract.
	raw, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var shape map[string][]map[string]json.RawMessage
	if err := json.Unmarshal(raw, &shape); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range shape["stories"][0] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if fmt.Sprint(keys) != "[articles citations headline summary]" {
		t.Errorf("story keys = %v", keys)
	}
	var art []map[string]any
	json.Unmarshal(shape["stories"][0]["articles"], &art)
	if len(art) == 0 || len(art[0]) != 4 || art[0]["id"] == nil || art[0]["title"] == nil || art[0]["source"] == nil || art[0]["url"] == nil {
		t.Errorf("article keys = %v", art)
	}
	empty, _ := dg.Build(ctx, DigestRequest{GuildID: "*", Since: day.Add(-1000 * time.Hour), Until: day.Add(-999 * time.Hour)})
	if raw, _ := json.Marshal(empty); string(raw) != `{"stories":[]}` {
		t.Errorf("empty digest = %s", raw)
	}
}

func TestDigestKeepsServersApart(t *testing.T) { forEachBackend(t, testDigestKeepsServersApart) }

func testDigestKeepsServersApart(t *testing.T, db *DB) {
	ctx := context.Background()
	day := time.Date(2024, 6, 6, 0, 0, 0, 0, time.UTC)
	arts := storyArticles(day)
	arts[4].GuildID = "A" // a flood report from A's feed
	arts[5].GuildID = "B" // the other flood report, from B's feed
	arts[6].GuildID = "A" // chess, A only
	if _, err := db.PutArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	dg := &Digester{DB: db}
	ids := func(guild string) map[int64]bool {
		d, err := dg.Build(ctx, DigestRequest{GuildID: guild, Since: day.Add(-48 * time.Hour), Until: day.Add(24 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		out := map[int64]bool{}
		for _, st := range d.Stories {
			for _, a := range st.Articles {
				out[a.ID] = true
			}
			for _, c := range st.Citations {
				out[c.ArticleID] = true
			}
		}
		return out
	}
	b := ids("B")
	if b[arts[4].ID] || b[arts[6].ID] || !b[arts[5].ID] || !b[arts[0].ID] {
		t.Errorf("B's digest: %v", b)
	}
	a := ids("A")
	if a[arts[5].ID] || !a[arts[4].ID] || !a[arts[6].ID] {
		t.Errorf("A's digest: %v", a)
	}
	op := ids("")
	if op[arts[4].ID] || op[arts[5].ID] || op[arts[6].ID] {
		t.Errorf("the operator's digest shows servers' articles: %v", op)
	}
	// Search keeps them apart too.
	hits, err := db.Search(ctx, "Reichertshofen flooded Bavaria", Filter{GuildID: "B"})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hits {
		if h.Article.GuildID == "A" {
			t.Errorf("B's search found A's article %d", h.Article.ID)
		}
	}
}

func TestDigestWithModel(t *testing.T) { forEachBackend(t, testDigestWithModel) }

func testDigestWithModel(t *testing.T, db *DB) {
	ctx := context.Background()
	day := time.Date(2024, 6, 6, 0, 0, 0, 0, time.UTC)
	if _, err := db.PutArticles(ctx, storyArticles(day)); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var prompts []string
	model := &funcCompleter{complete: func(_ context.Context, req ChatRequest) (ChatResponse, error) {
		user := req.Messages[len(req.Messages)-1].Content
		mu.Lock()
		prompts = append(prompts, user)
		mu.Unlock()
		switch {
		case strings.Contains(user, "Lagarde"):
			return ChatResponse{Content: "**ECB makes its first rate cut since 2019 [1].**\nThe European Central Bank cut its deposit rate to 3.75 percent [1][3]. Lagarde said the bank was \"not committing to any further cuts\" [1] and [9]."}, nil
		case strings.Contains(user, "Bavaria"):
			return ChatResponse{}, WrapError(EUNAVAILABLE, "model down", errors.New("503"))
		default:
			return ChatResponse{Content: "Only one line without a summary"}, nil
		}
	}}
	dg := &Digester{DB: db, Completer: model, Logger: slog.New(slog.DiscardHandler), Parallel: 1}
	d, err := dg.Build(ctx, DigestRequest{GuildID: "*", Since: day.Add(-48 * time.Hour), Until: day.Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if d.Mode != ModeLLM || d.Note == "" {
		t.Errorf("mode %q note %q", d.Mode, d.Note)
	}
	ecb := d.Stories[0]
	if ecb.Headline != "ECB makes its first rate cut since 2019" || ecb.Mode != ModeLLM {
		t.Errorf("headline %q mode %q", ecb.Headline, ecb.Mode)
	}
	if strings.Contains(ecb.Summary, "[9]") || !strings.Contains(ecb.Summary, "[1]") {
		t.Errorf("summary = %q", ecb.Summary)
	}
	checkQuotes(t, db, &Answer{Text: ecb.Summary, Citations: ecb.Citations})
	if len(ecb.Citations) != 2 || ecb.Citations[0].Quote != "not committing to any further cuts" {
		t.Errorf("citations = %+v", ecb.Citations)
	}
	for _, st := range d.Stories[1:] {
		if st.Mode != ModeExtractive || st.Summary == "" {
			t.Errorf("fallback story %q: mode %q summary %q", st.Headline, st.Mode, st.Summary)
		}
	}
	// The ECB story's sources are one report per outlet.
	for _, p := range prompts {
		if strings.Contains(p, "Lagarde") && strings.Count(p, "<source n=") != 3 {
			t.Errorf("ECB prompt has %d sources", strings.Count(p, "<source n="))
		}
	}
}

// dayClock is a fake clock for the scheduler tests.
type dayClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *dayClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *dayClock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func (c *dayClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	c.t = c.t.Add(d)
	now := c.t
	c.mu.Unlock()
	ch := make(chan time.Time, 1)
	ch <- now
	return ch
}

// postLog records the digests posted.
type postLog struct {
	mu    sync.Mutex
	posts []string // "channel@RFC3339 time"
	clock *dayClock
}

func (p *postLog) post(_ context.Context, channel string, d *Digest) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.posts = append(p.posts, channel+"@"+p.clock.Now().UTC().Format(time.RFC3339))
	return nil
}

func (p *postLog) list() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.posts...)
}

// putDailyNews stores one distinct article every six hours from start to
// end, so that every digest has something to post.
func putDailyNews(t *testing.T, db *DB, start, end time.Time) {
	t.Helper()
	var batch []*Article
	words := []string{"harbour", "bridge", "library", "festival", "election", "railway", "museum", "orchestra", "vineyard", "glacier", "airport", "stadium"}
	i := 0
	for at := start; at.Before(end); at = at.Add(6 * time.Hour) {
		w1, w2 := words[i%len(words)], words[(i*7+3)%len(words)]
		batch = append(batch, &Article{
			URL: fmt.Sprintf("https://local.example/%d", i), Source: "Local", PublishedAt: at,
			Title: fmt.Sprintf("Report %d on the %s and the %s", i, w1, w2),
			Text:  fmt.Sprintf("Report number %d says the %s council met about the %s plan on day %d. Officials gave no further details about item %d.", i, w1, w2, i, i),
		})
		i++
	}
	if _, err := db.PutArticles(context.Background(), batch); err != nil {
		t.Fatal(err)
	}
}

func newTestScheduler(db *DB, clk *dayClock, log *postLog) *DigestScheduler {
	db.Now = clk.Now
	return &DigestScheduler{
		DB:       db,
		Digester: &Digester{DB: db, Now: clk.Now},
		Post:     log.post,
		Now:      clk.Now,
		After:    clk.After,
		Tick:     24 * time.Hour,
		Logger:   slog.New(slog.DiscardHandler),
	}
}

// runUntil runs the scheduler's loop on the fake clock until it passes end.
func runUntil(t *testing.T, s *DigestScheduler, clk *dayClock, end time.Time) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	after := s.After
	s.After = func(d time.Duration) <-chan time.Time {
		if !clk.Now().Add(d).Before(end) {
			cancel()
		}
		return after(d)
	}
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the scheduler did not stop")
	}
}

func TestDigestScheduleAcrossDaylightSavingChanges(t *testing.T) {
	for _, tc := range []struct {
		name       string
		start, end time.Time
		want       []string
	}{{
		// Clocks go forward at 02:00 on Sunday 31 March 2024 in Berlin.
		name:  "spring",
		start: time.Date(2024, 3, 29, 12, 0, 0, 0, time.UTC),
		end:   time.Date(2024, 4, 1, 12, 0, 0, 0, time.UTC),
		want: []string{
			"morning@2024-03-30T07:00:00Z", "night@2024-03-30T01:30:00Z",
			// 02:30 does not exist that night; 03:30 CEST or 01:30 CET stand in.
			"morning@2024-03-31T06:00:00Z", "night@2024-03-31T01:30:00Z|night@2024-03-31T00:30:00Z",
			"morning@2024-04-01T06:00:00Z", "night@2024-04-01T00:30:00Z",
		},
	}, {
		// Clocks go back at 03:00 on Sunday 27 October 2024 in Berlin.
		name:  "autumn",
		start: time.Date(2024, 10, 25, 12, 0, 0, 0, time.UTC),
		end:   time.Date(2024, 10, 28, 12, 0, 0, 0, time.UTC),
		want: []string{
			"morning@2024-10-26T06:00:00Z", "night@2024-10-26T00:30:00Z",
			// 02:30 happens twice that night; the digest is posted at one of them.
			"morning@2024-10-27T07:00:00Z", "night@2024-10-27T00:30:00Z|night@2024-10-27T01:30:00Z",
			"morning@2024-10-28T07:00:00Z", "night@2024-10-28T01:30:00Z",
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			db := MustOpenDB(t)
			clk := &dayClock{t: tc.start}
			log := &postLog{clock: clk}
			s := newTestScheduler(db, clk, log)
			putDailyNews(t, db, tc.start.Add(-48*time.Hour), tc.end)
			for ch, at := range map[string]string{"morning": "08:00", "night": "02:30"} {
				if _, err := db.SetDigestSchedule(ctx, DigestSchedule{GuildID: "G", ChannelID: ch, Time: at, TimeZone: "Europe/Berlin"}); err != nil {
					t.Fatal(err)
				}
			}
			start := time.Now()
			runUntil(t, s, clk, tc.end)
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("three simulated days took %v", d)
			}
			got := log.list()
			sort.Strings(got)
			var want []string
			for _, w := range tc.want {
				alts := strings.Split(w, "|")
				pick := alts[0]
				for _, a := range alts {
					for _, g := range got {
						if g == a {
							pick = a
						}
					}
				}
				want = append(want, pick)
			}
			sort.Strings(want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("posts:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

func TestDigestCatchUpWindow(t *testing.T) { forEachBackend(t, testDigestCatchUpWindow) }

func testDigestCatchUpWindow(t *testing.T, db *DB) {
	ctx := context.Background()
	setAt := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	clk := &dayClock{t: setAt}
	log := &postLog{clock: clk}
	s := newTestScheduler(db, clk, log)
	putDailyNews(t, db, setAt.Add(-48*time.Hour), setAt.Add(72*time.Hour))
	for _, ch := range []string{"early", "late"} {
		if _, err := db.SetDigestSchedule(ctx, DigestSchedule{GuildID: "G", ChannelID: ch, Time: "08:00", TimeZone: "UTC"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := func() error { _, err := db.DisableDigestSchedules(ctx, "G", "late"); return err }(); err != nil {
		t.Fatal(err)
	}
	// Down over 08:00; back at 10:00: posted once, on return.
	clk.Set(setAt.Add(10 * time.Hour))
	for i := 0; i < 3; i++ {
		if _, err := s.runDue(ctx); err != nil {
			t.Fatal(err)
		}
		clk.Set(clk.Now().Add(10 * time.Minute))
	}
	if got := log.list(); !reflect.DeepEqual(got, []string{"early@2024-06-01T10:00:00Z"}) {
		t.Errorf("posts = %v", got)
	}
	// The other channel is turned on again only at 15:00: the 08:00 of
	// that day passed before it was set, so nothing is posted for it today.
	if _, err := db.SetDigestSchedule(ctx, DigestSchedule{GuildID: "G", ChannelID: "late", Time: "08:00", TimeZone: "UTC"}); err != nil {
		t.Fatal(err)
	}
	// Down from 07:00 on 2 June until 15:00: too late for that day.
	clk.Set(time.Date(2024, 6, 2, 15, 0, 0, 0, time.UTC))
	if _, err := s.runDue(ctx); err != nil {
		t.Fatal(err)
	}
	if got := len(log.list()); got != 1 {
		t.Errorf("a digest 7 hours late was posted: %v", log.list())
	}
	clk.Set(time.Date(2024, 6, 3, 8, 0, 0, 0, time.UTC))
	if _, err := s.runDue(ctx); err != nil {
		t.Fatal(err)
	}
	got := log.list()
	sort.Strings(got)
	if want := []string{"early@2024-06-01T10:00:00Z", "early@2024-06-03T08:00:00Z", "late@2024-06-03T08:00:00Z"}; !reflect.DeepEqual(got, want) {
		t.Errorf("posts = %v, want %v", got, want)
	}
	// The digest of 3 June covers the time since the last one.
	posts, _ := db.digestPosts(ctx, "early", 10)
	if len(posts) < 2 || !posts[0].PeriodStart.Equal(time.Date(2024, 6, 1, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("period of the latest digest: %+v", posts)
	}
}

// fakeChannels is Discord as far as digests go: a message sent with a
// nonce it has seen is not sent again (enforce_nonce).
type fakeChannels struct {
	mu     sync.Mutex
	nonces map[string]bool
	sent   []string // "channel@RFC3339"
	clock  *dayClock
}

func (f *fakeChannels) send(channel string, d *Digest) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if d.PostKey == "" || f.nonces[d.PostKey] {
		return
	}
	f.nonces[d.PostKey] = true
	f.sent = append(f.sent, channel+"@"+f.clock.Now().UTC().Format(time.RFC3339))
}

func (f *fakeChannels) list() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := slices.Clone(f.sent)
	sort.Strings(out)
	return out
}

// A process that dies while posting a digest, after sending it or right
// after claiming it, holds the day only until its lease ends: another
// process then takes the claim over and posts, and the poster's nonce
// (Digest.PostKey) keeps Discord from showing it twice.
func TestDigestPostedOnceAcrossCrashAndRestart(t *testing.T) {
	forEachDSN(t, testDigestPostedOnceAcrossCrashAndRestart)
}

func testDigestPostedOnceAcrossCrashAndRestart(t *testing.T, dsn string) {
	ctx := context.Background()
	open := func() *DB { return mustOpen(t, dsn) }
	at := time.Date(2024, 6, 1, 8, 0, 0, 0, time.UTC)
	clk := &dayClock{t: at.Add(-time.Hour)}
	discord := &fakeChannels{nonces: map[string]bool{}, clock: clk}
	db := open()
	db.Now = clk.Now
	putDailyNews(t, db, at.Add(-48*time.Hour), at.Add(48*time.Hour))
	for _, ch := range []string{"sent", "claimed"} {
		if _, err := db.SetDigestSchedule(ctx, DigestSchedule{GuildID: "G", ChannelID: ch, Time: "08:00", TimeZone: "UTC"}); err != nil {
			t.Fatal(err)
		}
	}
	clk.Set(at)
	crashing := newTestScheduler(db, clk, &postLog{clock: clk})
	crashing.Post = func(ctx context.Context, channel string, d *Digest) error {
		if channel == "sent" {
			discord.send(channel, d) // the message is out ...
		}
		runtime.Goexit() // ... and the process dies before recording it
		return nil
	}
	for i := 0; i < 2; i++ { // each run dies at its first channel
		done := make(chan struct{})
		go func() {
			defer close(done)
			crashing.runDue(ctx)
		}()
		<-done
	}
	db.Close()

	// Restarts: new processes, new connections, the same moment and later.
	for _, after := range []time.Duration{0, time.Minute, 3 * time.Minute, time.Hour} {
		clk.Set(at.Add(after))
		s := newTestScheduler(open(), clk, &postLog{clock: clk})
		s.Post = func(ctx context.Context, channel string, d *Digest) error {
			discord.send(channel, d)
			return nil
		}
		if _, err := s.runDue(ctx); err != nil {
			t.Fatal(err)
		}
		if after < 2*time.Minute && len(discord.list()) != 1 {
			t.Errorf("%v after the crash, before the leases end: sent %v", after, discord.list())
		}
	}
	if got, want := discord.list(), []string{"claimed@2024-06-01T08:03:00Z", "sent@2024-06-01T08:00:00Z"}; !slices.Equal(got, want) {
		t.Errorf("sent %v, want each channel once: %v", got, want)
	}
	for _, ch := range []string{"sent", "claimed"} {
		posts, _ := open().digestPosts(ctx, ch, 10)
		if len(posts) != 1 || posts[0].State != digestPosted || posts[0].Attempts != 2 {
			t.Errorf("%s: records = %+v", ch, posts)
		}
	}
	// The next day is posted as usual.
	clk.Set(at.Add(24 * time.Hour))
	log := &postLog{clock: clk}
	if _, err := newTestScheduler(open(), clk, log).runDue(ctx); err != nil {
		t.Fatal(err)
	}
	if got := log.list(); len(got) != 2 || got[0] != "sent@2024-06-02T08:00:00Z" && got[1] != "sent@2024-06-02T08:00:00Z" {
		t.Errorf("next day: %v", got)
	}
}

// A process whose lease ended while it was still working (it stalled)
// records nothing over the attempt that took its claim over.
func TestDigestClaimTakenOverIsFenced(t *testing.T) {
	forEachBackend(t, testDigestClaimTakenOverIsFenced)
}

func testDigestClaimTakenOverIsFenced(t *testing.T, db *DB) {
	ctx := context.Background()
	now := time.Date(2024, 6, 1, 8, 0, 0, 0, time.UTC)
	p := digestPost{ChannelID: "c", LocalDate: "2024-06-01", Owner: "slow", ClaimedAt: now}
	slow, ok, err := db.claimDigestPost(ctx, p, 3, now, now.Add(time.Minute))
	if err != nil || !ok {
		t.Fatalf("claim: %v, %v", ok, err)
	}
	p.Owner = "other"
	if _, ok, _ := db.claimDigestPost(ctx, p, 3, now.Add(30*time.Second), now.Add(90*time.Second)); ok {
		t.Fatal("a live claim was taken over")
	}
	later := now.Add(2 * time.Minute)
	other, ok, err := db.claimDigestPost(ctx, p, 3, later, later.Add(time.Minute))
	if err != nil || !ok || other.Attempts != 2 {
		t.Fatalf("take over: %+v, %v, %v", other, ok, err)
	}
	if renewed, err := db.renewDigestClaim(ctx, slow, later.Add(time.Hour)); err != nil || renewed {
		t.Errorf("the stalled attempt renewed a claim it lost: %v, %v", renewed, err)
	}
	if err := db.finishDigestPost(ctx, slow, digestFailed, 0, "late", later); err != nil {
		t.Fatal(err)
	}
	if err := db.finishDigestPost(ctx, other, digestPosted, 2, "", later); err != nil {
		t.Fatal(err)
	}
	posts, _ := db.digestPosts(ctx, "c", 10)
	if len(posts) != 1 || posts[0].State != digestPosted || posts[0].Owner != "other" {
		t.Errorf("records = %+v", posts)
	}
}

func TestDigestTwoInstancesPostOnce(t *testing.T) { forEachDSN(t, testDigestTwoInstancesPostOnce) }

func testDigestTwoInstancesPostOnce(t *testing.T, path string) {
	ctx := context.Background()
	at := time.Date(2024, 6, 1, 8, 0, 0, 0, time.UTC)
	clk := &dayClock{t: at.Add(-3 * time.Hour)}
	log := &postLog{clock: clk}
	var scheds []*DigestScheduler
	for i := 0; i < 2; i++ {
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		s := newTestScheduler(db, clk, log)
		s.Owner = fmt.Sprintf("instance-%d", i)
		scheds = append(scheds, s)
	}
	putDailyNews(t, scheds[0].DB, at.Add(-48*time.Hour), at)
	for _, ch := range []string{"a", "b", "c"} {
		if _, err := scheds[0].DB.SetDigestSchedule(ctx, DigestSchedule{GuildID: "G", ChannelID: ch, Time: "08:00", TimeZone: "Europe/Berlin"}); err != nil {
			t.Fatal(err)
		}
	}
	clk.Set(time.Date(2024, 6, 1, 6, 0, 0, 0, time.UTC)) // 08:00 in Berlin
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, s := range scheds {
		for k := 0; k < 5; k++ {
			wg.Add(1)
			go func(s *DigestScheduler) {
				defer wg.Done()
				<-start
				if _, err := s.runDue(ctx); err != nil {
					t.Error(err)
				}
			}(s)
		}
	}
	close(start)
	wg.Wait()
	got := log.list()
	sort.Strings(got)
	if want := []string{"a@2024-06-01T06:00:00Z", "b@2024-06-01T06:00:00Z", "c@2024-06-01T06:00:00Z"}; !reflect.DeepEqual(got, want) {
		t.Errorf("posts = %v, want each channel once", got)
	}
}

func TestDigestPostFailures(t *testing.T) { forEachBackend(t, testDigestPostFailures) }

func testDigestPostFailures(t *testing.T, db *DB) {
	ctx := context.Background()
	at := time.Date(2024, 6, 1, 8, 0, 0, 0, time.UTC)
	clk := &dayClock{t: at.Add(-time.Hour)}
	db.Now = clk.Now
	putDailyNews(t, db, at.Add(-48*time.Hour), at)
	for _, ch := range []string{"flaky", "broken"} {
		if _, err := db.SetDigestSchedule(ctx, DigestSchedule{GuildID: "G", ChannelID: ch, Time: "08:00", TimeZone: "UTC"}); err != nil {
			t.Fatal(err)
		}
	}
	calls := map[string]int{}
	s := newTestScheduler(db, clk, &postLog{clock: clk})
	s.Post = func(_ context.Context, ch string, d *Digest) error {
		calls[ch]++
		if ch == "flaky" && calls[ch] < 3 {
			return fmt.Errorf("discord is down: %w", ErrDigestNotSent)
		}
		if ch == "broken" {
			return errors.New("sent two of three messages")
		}
		return nil
	}
	for i := 0; i < 6; i++ {
		clk.Set(at.Add(time.Duration(i) * time.Minute))
		if _, err := s.runDue(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if calls["flaky"] != 3 || calls["broken"] != 1 {
		t.Errorf("calls = %v: want 3 attempts for a post that never went out, 1 for a partial one", calls)
	}
	for ch, want := range map[string]string{"flaky": digestPosted, "broken": digestFailed} {
		posts, _ := db.digestPosts(ctx, ch, 1)
		if len(posts) != 1 || posts[0].State != want {
			t.Errorf("%s: %+v, want %s", ch, posts, want)
		}
	}
}

func TestDigestScheduleValidation(t *testing.T) { forEachBackend(t, testDigestScheduleValidation) }

func testDigestScheduleValidation(t *testing.T, db *DB) {
	ctx := context.Background()
	for _, bad := range []DigestSchedule{
		{GuildID: "G", ChannelID: "c", Time: "25:00", TimeZone: "UTC"},
		{GuildID: "G", ChannelID: "c", Time: "8", TimeZone: "UTC"},
		{GuildID: "G", ChannelID: "c", Time: "08:5", TimeZone: "UTC"},
		{GuildID: "G", ChannelID: "c", Time: "08:00", TimeZone: "Mars/Olympus"},
		{GuildID: "G", ChannelID: "c", Time: "08:00", TimeZone: ""},
		{GuildID: "G", ChannelID: "", Time: "08:00", TimeZone: "UTC"},
	} {
		if _, err := db.SetDigestSchedule(ctx, bad); ErrorCode(err) != EINVALID {
			t.Errorf("SetDigestSchedule(%+v) = %v, want EINVALID", bad, err)
		}
	}
	s, err := db.SetDigestSchedule(ctx, DigestSchedule{GuildID: "G", ChannelID: "c", Time: "8:05", TimeZone: "Europe/Berlin"})
	if err != nil {
		t.Fatal(err)
	}
	if s.Time != "08:05" || s.TimeZone != "Europe/Berlin" || !s.Enabled {
		t.Errorf("schedule = %+v", s)
	}
	if _, err := db.SetDigestSchedule(ctx, DigestSchedule{GuildID: "H", ChannelID: "c", Time: "09:00", TimeZone: "UTC"}); ErrorCode(err) != ECONFLICT {
		t.Errorf("another server taking the channel: %v", err)
	}
	s2, err := db.SetDigestSchedule(ctx, DigestSchedule{GuildID: "G", ChannelID: "c", Time: "09:00", TimeZone: "UTC"})
	if err != nil || s2.ID != s.ID || s2.Time != "09:00" {
		t.Errorf("rescheduling: %+v, %v", s2, err)
	}
	if _, err := db.DisableDigestSchedules(ctx, "H", ""); ErrorCode(err) != ENOTFOUND {
		t.Errorf("H turning off G's digest: %v", err)
	}
	if n, err := db.DisableDigestSchedules(ctx, "G", ""); err != nil || n != 1 {
		t.Errorf("off: %d, %v", n, err)
	}
	list, _ := db.DigestSchedules(ctx, "G")
	if len(list) != 1 || list[0].Enabled {
		t.Errorf("schedules = %+v", list)
	}
	next, err := list[0].NextOccurrence(time.Date(2024, 3, 30, 9, 0, 0, 0, time.UTC))
	if err != nil || !next.Equal(time.Date(2024, 3, 31, 9, 0, 0, 0, time.UTC)) {
		t.Errorf("next = %v, %v", next, err)
	}
}

// A model that is down costs a digest one call per story already running,
// not one per story: the stories after the first failure quote their
// articles without asking, and the digest is still made.
func TestDigestStopsCallingAFailingModel(t *testing.T) {
	ctx := context.Background()
	day := time.Date(2024, 6, 6, 0, 0, 0, 0, time.UTC)
	for _, parallel := range []int{1, 3} {
		t.Run(fmt.Sprintf("parallel=%d", parallel), func(t *testing.T) {
			db := MustOpenDB(t)
			if _, err := db.PutArticles(ctx, storyArticles(day)); err != nil {
				t.Fatal(err)
			}
			var calls atomic.Int32
			model := &funcCompleter{complete: func(context.Context, ChatRequest) (ChatResponse, error) {
				calls.Add(1)
				return ChatResponse{}, WrapError(EUNAVAILABLE, "The language model is unavailable.", errors.New("503"))
			}}
			dg := &Digester{DB: db, Completer: model, Logger: slog.New(slog.DiscardHandler), Parallel: parallel}
			d, err := dg.Build(ctx, DigestRequest{GuildID: "*", Since: day.Add(-48 * time.Hour), Until: day.Add(24 * time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			if n := int(calls.Load()); n < 1 || n > parallel {
				t.Errorf("%d model calls for %d stories, want 1 to %d", n, len(d.Stories), parallel)
			}
			if len(d.Stories) != 4 || d.Mode != ModeExtractive || d.Note == "" {
				t.Fatalf("%d stories, mode %q, note %q", len(d.Stories), d.Mode, d.Note)
			}
			for _, st := range d.Stories {
				if st.Mode != ModeExtractive || st.Summary == "" || st.Headline == "" {
					t.Errorf("story %+v", st)
				}
			}
		})
	}
}

// An error that fails the digest (here a story whose articles were all
// removed while it was made) stops it: no story starts after it, so the
// model is not asked again.
func TestDigestStartsNoStoryAfterAnError(t *testing.T) {
	forEachBackend(t, testDigestStartsNoStoryAfterAnError)
}

func testDigestStartsNoStoryAfterAnError(t *testing.T, db *DB) {
	ctx := context.Background()
	day := time.Date(2024, 6, 6, 0, 0, 0, 0, time.UTC)
	arts := storyArticles(day)
	if _, err := db.PutArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	model := &funcCompleter{complete: func(ctx context.Context, req ChatRequest) (ChatResponse, error) {
		if calls.Add(1) == 1 {
			// The second story (the Bavarian floods) loses its reports.
			for _, a := range arts[4:6] {
				if err := db.RemoveArticle(ctx, a.ID); err != nil {
					t.Error(err)
				}
			}
		}
		return ChatResponse{Content: "ECB cuts rates\nThe European Central Bank cut its key deposit rate [1]."}, nil
	}}
	dg := &Digester{DB: db, Completer: model, Logger: slog.New(slog.DiscardHandler), Parallel: 1}
	_, err := dg.Build(ctx, DigestRequest{GuildID: "*", Since: day.Add(-48 * time.Hour), Until: day.Add(24 * time.Hour)})
	if err == nil || !strings.Contains(err.Error(), "make the digest: story") {
		t.Fatalf("Build: %v", err)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("%d model calls, want 1 (none after the failure)", n)
	}
}
