package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"

	"github.com/herald-bot/herald/bot"
	"github.com/herald-bot/herald/bot/discordtest"
	"github.com/herald-bot/herald/knowledge"
)

// The load of issue 6: fifty people ask at once, the model takes two
// seconds per answer, and a feed ingest writes to the same database.
const (
	loadAsks       = 50
	loadModelDelay = 2 * time.Second
	loadArticles   = 2000
	loadBatch      = 50
	// loadIngestSpan spreads the ingest's batches over the whole time the
	// questions are answered, as a poller's rounds of feeds would: it
	// overlaps retrieval (at dispatch), the model's wait, and the reads of
	// the quoted articles and the conversation writes (after ~2 s). A
	// slower machine simply writes back to back.
	loadIngestSpan = 3 * time.Second
	loadQuestion   = "Why hasn't Scholz approved Taurus deliveries?"
	loadAnswer     = `Scholz fears "potential entanglement in the conflict" [1].`
)

// TestConcurrentAsksDuringIngest sends 50 /ask interactions at once through
// the fake Discord to a bot answering with a real Answerer over a real
// SQLite database, with a model that takes 2 s, while ~2,000 articles are
// ingested into the same database. Every interaction must be deferred and
// then edited with the cited answer, nothing may fail with SQLITE_BUSY, and
// the ingest must finish. The acknowledgement latency is measured and
// logged (run with -v), not asserted: machines running tests are noisy.
func TestConcurrentAsksDuringIngest(t *testing.T) {
	if testing.Short() {
		t.Skip("takes a few seconds: 50 answers from a model that takes 2 s, during an ingest")
	}
	st := runConcurrentAsks(t, loadAsks, loadArticles)
	t.Logf("%d concurrent /ask on %d CPUs during an ingest of %d articles in batches of %d (spread over at least %v; took %v):",
		loadAsks, st.cpus, st.ingested, loadBatch, loadIngestSpan, st.ingestDur.Round(time.Millisecond))
	t.Logf("  acknowledged (deferred) after: %s", summarize(st.acks))
	t.Logf("  answered (final edit) after:   %s", summarize(st.answers))
	t.Logf("  wall time %v", st.wall.Round(time.Millisecond))
}

// BenchmarkConcurrentAsk runs the load of TestConcurrentAsksDuringIngest
// b.N times and reports the acknowledgement and answer latencies over
// every interaction of every run:
//
//	go test -run '^$' -bench ConcurrentAsk -benchtime 3x ./bot/
func BenchmarkConcurrentAsk(b *testing.B) {
	var acks, answers []time.Duration
	for b.Loop() {
		st := runConcurrentAsks(b, loadAsks, loadArticles)
		acks = append(acks, st.acks...)
		answers = append(answers, st.answers...)
	}
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(percentile(acks, 0.50)), "ack-p50-ms")
	b.ReportMetric(ms(percentile(acks, 0.99)), "ack-p99-ms")
	b.ReportMetric(ms(slices.Max(acks)), "ack-max-ms")
	b.ReportMetric(ms(percentile(answers, 0.50)), "answer-p50-ms")
	b.ReportMetric(ms(slices.Max(answers)), "answer-max-ms")
}

// loadStats is what one run of the load measured.
type loadStats struct {
	cpus      int
	acks      []time.Duration // dispatch -> the fake receives the deferral
	answers   []time.Duration // dispatch -> the fake receives the final edit
	ingested  int
	ingestDur time.Duration
	wall      time.Duration
}

// runConcurrentAsks runs a bot on a fake Discord and a fresh database,
// sends asks /ask interactions at once while articles are ingested, checks
// that every one was answered properly, and returns the latencies.
func runConcurrentAsks(tb testing.TB, asks, articles int) loadStats {
	tb.Helper()
	ctx := context.Background()
	logs := &recordLog{}
	logger := slog.New(logs)

	db, err := knowledge.Open(ctx, filepath.Join(tb.TempDir(), "herald.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	db.Logger = logger
	raw, err := os.ReadFile("testdata/defense-news-taurus-leak.md")
	if err != nil {
		tb.Fatal(err)
	}
	sample, err := knowledge.ParseTextArticle(string(raw))
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := db.PutArticle(ctx, sample); err != nil {
		tb.Fatal(err)
	}

	model := &slowModel{delay: loadModelDelay, chunks: []string{"Scholz fears ", `"potential entanglement in the conflict" [`, "1]."}}
	fd := discordtest.New(tb)
	s, err := discordgo.New("Bot test-token")
	if err != nil {
		tb.Fatal(err)
	}
	fd.Attach(s)
	b := &bot.Bot{
		Session:       s,
		Asker:         &knowledge.Answerer{DB: db, Completer: model, Logger: logger},
		Library:       db,
		Conversations: db,
		Answers:       db,
		Logger:        logger,
		Config: bot.Config{
			GuildID:          fd.GuildID(),
			Cooldown:         -1, // fifty questions, no waiting between them
			GuildConcurrency: -1, // and all fifty answered at once
		},
	}
	// Latency is measured, not enforced by dropping late interactions: a
	// loaded machine (the race detector) may take longer than Discord's 3 s.
	fd.SetInteractionDeadline(time.Minute)
	bot.SetInteractionDeadline(b, time.Minute)
	// Every handler that returns says so: the test waits for all of them
	// without polling.
	handled := make(chan string, 4*asks)
	bot.OnHandled(b, func(kind, id string) {
		if kind == "interaction" {
			handled <- id
		}
	})
	runCtx, stopBot := context.WithCancel(ctx)
	runDone := make(chan error, 1)
	go func() { runDone <- b.Run(runCtx) }()
	var stopOnce sync.Once
	stop := func() {
		stopOnce.Do(func() {
			stopBot()
			select {
			case err := <-runDone:
				if err != nil {
					tb.Errorf("Run: %v", err)
				}
			case <-time.After(30 * time.Second):
				tb.Error("Run did not return after its context was cancelled")
			}
		})
	}
	tb.Cleanup(func() {
		stop()
		if tb.Failed() {
			tb.Logf("bot logs:\n%s", logs.String())
		}
	})
	fd.WaitSessionReady(tb, s, wait)
	fd.WaitUntil(tb, func() bool { return logs.has("Herald is connected to Discord") }, wait)

	// The interactions are built before the clock starts: fifty members
	// asking the same question.
	ics := make([]*discordgo.InteractionCreate, asks)
	index := map[string]int{} // interaction ID or token -> i
	for i := range ics {
		u := &discordgo.User{ID: fmt.Sprint(1212912186163400000 + i), Username: fmt.Sprintf("reader%d", i), Discriminator: "0"}
		ics[i] = fd.SlashCommand(fd.GuildID(), fd.ChannelID(), u, 0, "ask", discordtest.StringOpt("question", loadQuestion))
		index[ics[i].ID], index[ics[i].Token] = i, i
	}
	feed := generateArticles(articles, 6)

	// The ingest starts first, so that it is writing when the questions
	// arrive.
	type ingestResult struct {
		n          int
		start, end time.Time
		err        error
	}
	ingestDone := make(chan ingestResult, 1)
	ingestCtx, cancelIngest := context.WithCancel(ctx)
	defer cancelIngest()
	start := time.Now()
	go func() {
		r := ingestResult{start: time.Now()}
		pace := loadIngestSpan / time.Duration((len(feed)+loadBatch-1)/loadBatch)
		for k := 0; k*loadBatch < len(feed); k++ {
			if d := time.Until(r.start.Add(time.Duration(k) * pace)); d > 0 {
				select {
				case <-time.After(d):
				case <-ingestCtx.Done():
					r.err = ingestCtx.Err()
				}
			}
			if r.err != nil {
				break
			}
			batch := feed[k*loadBatch : min((k+1)*loadBatch, len(feed))]
			res, err := db.PutArticles(ingestCtx, batch)
			if err != nil {
				r.err = fmt.Errorf("batch %d: %w", k, err)
				break
			}
			for j, pr := range res {
				if pr.Err != nil {
					r.err = fmt.Errorf("article %q: %w", batch[j].Title, pr.Err)
					break
				}
				if pr.Status == knowledge.Created {
					r.n++
				}
			}
			if r.err != nil {
				break
			}
		}
		r.end = time.Now()
		ingestDone <- r
	}()

	sent := make([]time.Time, asks)
	var wg sync.WaitGroup
	gate := make(chan struct{})
	for i := range ics {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
			sent[i] = time.Now()
			fd.SendInteraction(ics[i])
		}()
	}
	close(gate)
	wg.Wait()

	// Wait for every interaction's handler to return: with the answer, or
	// with the private message an error leaves. The latencies come from the
	// fake's receive times.
	timeout := time.After(time.Minute)
	for n := 0; n < asks; {
		select {
		case id := <-handled:
			if _, ok := index[id]; ok {
				n++
			}
		case <-timeout:
			tb.Fatalf("%d of %d interactions ended within a minute", n, asks)
		}
	}
	answeredAt := time.Now()

	var ing ingestResult
	select {
	case ing = <-ingestDone:
	case <-time.After(2 * time.Minute):
		tb.Fatal("the ingest did not finish")
	}
	if ing.err != nil {
		tb.Errorf("ingest: %v", ing.err)
	} else if ing.n != articles {
		tb.Errorf("ingest created %d articles, want %d", ing.n, articles)
	}
	// Stopping waits for the work in flight: the conversation turns are
	// written after the final edit.
	stop()
	wall := time.Since(start)

	for i, ic := range ics {
		res := fd.InteractionResponse(ic.ID)
		switch {
		case !res.Acknowledged || !res.Deferred || res.Ephemeral:
			tb.Errorf("interaction %d: acknowledged %v deferred %v ephemeral %v", i, res.Acknowledged, res.Deferred, res.Ephemeral)
		case res.Original == nil:
			var text string
			if m := private(res); m != nil {
				text = m.Content
			}
			tb.Errorf("interaction %d ended without an answer: %q", i, text)
		case !strings.Contains(answerText(res.Original), `"potential entanglement in the conflict" [1]`):
			tb.Errorf("interaction %d: answer %q, want the checked quote of %q", i, answerText(res.Original), loadAnswer)
		case sourcesOf(res.Original) == nil || !strings.HasPrefix(sourcesOf(res.Original).Description, "**[1]** Germany Blames Ukraine War Talks Leak") ||
			!strings.Contains(sourcesOf(res.Original).Description, "potential entanglement in the conflict"):
			tb.Errorf("interaction %d: sources %+v", i, res.Original.Embeds)
		case len(buttons(res.Original)) != 5:
			tb.Errorf("interaction %d: buttons %+v", i, res.Original.Components)
		default:
			conv, err := db.ConversationOf(ctx, res.Original.ID)
			if err != nil || conv != res.Original.ID {
				tb.Errorf("interaction %d: the conversation turn was not stored: %q, %v", i, conv, err)
			}
		}
		for _, m := range append([]*discordgo.Message{res.Original}, res.Followups...) {
			if m != nil && mentionsBusy(m.Content) {
				tb.Errorf("interaction %d shows a locked database: %q", i, m.Content)
			}
		}
	}
	if n := model.calls.Load(); n != int64(asks) {
		tb.Errorf("the model was asked %d times, want %d", n, asks)
	}
	for _, r := range logs.records() {
		if mentionsBusy(r) {
			tb.Errorf("the database was busy: %s", r)
		} else if strings.HasPrefix(r, "WARN") || strings.HasPrefix(r, "ERROR") {
			tb.Errorf("logged: %s", r)
		}
	}

	// Latencies, from the moment each interaction was sent to the moment
	// the fake received the bot's deferral and its last edit.
	st := loadStats{cpus: runtime.GOMAXPROCS(0), ingested: ing.n, ingestDur: ing.end.Sub(ing.start), wall: wall}
	acked := make([]bool, asks)
	last := make([]time.Time, asks)
	for _, c := range fd.Calls() {
		if c.Status >= 400 {
			tb.Errorf("Discord refused %s: %s", c, c.Response)
		}
		p := strings.Split(strings.TrimPrefix(c.Path, "/"), "/")
		switch {
		case c.Method == "POST" && len(p) == 4 && p[0] == "interactions" && p[3] == "callback":
			i, ok := index[p[1]]
			if !ok || acked[i] {
				continue
			}
			var cb struct {
				Type discordgo.InteractionResponseType `json:"type"`
			}
			if json.Unmarshal(c.Body, &cb) != nil || cb.Type != discordgo.InteractionResponseDeferredChannelMessageWithSource {
				tb.Errorf("interaction %d: first response %s", i, c.Body)
			}
			acked[i] = true
			st.acks = append(st.acks, c.Received.Sub(sent[i]))
		case c.Method == "PATCH" && len(p) == 5 && p[0] == "webhooks" && p[4] == "@original":
			if i, ok := index[p[2]]; ok && c.Received.After(last[i]) {
				last[i] = c.Received
			}
		}
	}
	for i := range last {
		if !last[i].IsZero() {
			st.answers = append(st.answers, last[i].Sub(sent[i]))
		}
	}
	if len(st.acks) != asks || len(st.answers) != asks {
		tb.Fatalf("measured %d acknowledgements and %d answers of %d interactions", len(st.acks), len(st.answers), asks)
	}
	if !ing.end.After(sent[0].Add(loadModelDelay)) {
		tb.Logf("note: the ingest ended %v after the first question was sent, before the answers' writes (%v)",
			ing.end.Sub(sent[0]).Round(time.Millisecond), answeredAt.Sub(sent[0]).Round(time.Millisecond))
	}
	return st
}

// slowModel is a Completer that thinks for delay (or until ctx is done)
// and then streams chunks.
type slowModel struct {
	delay  time.Duration
	chunks []string
	calls  atomic.Int64
}

func (m *slowModel) Complete(ctx context.Context, req knowledge.ChatRequest) (knowledge.ChatResponse, error) {
	return m.Stream(ctx, req, nil)
}

func (m *slowModel) Stream(ctx context.Context, req knowledge.ChatRequest, onDelta func(string)) (knowledge.ChatResponse, error) {
	m.calls.Add(1)
	t := time.NewTimer(m.delay)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
		return knowledge.ChatResponse{}, ctx.Err()
	}
	for _, c := range m.chunks {
		if onDelta != nil {
			onDelta(c)
		}
	}
	return knowledge.ChatResponse{Content: strings.Join(m.chunks, ""), PromptTokens: 900, CompletionTokens: 20}, nil
}

// generateArticles makes n short, distinct news articles about local
// matters (none of the question's words), deterministically from seed.
func generateArticles(n int, seed uint64) []*knowledge.Article {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	pick := func(words []string) string { return words[r.IntN(len(words))] }
	subjects := []string{"The city council", "A regional court", "The harbour authority", "Local farmers", "The national railway",
		"A hospital trust", "The football league", "An orchestra", "The weather service", "A university", "Fishermen", "The central bank"}
	verbs := []string{"announced", "postponed", "criticised", "welcomed", "published", "extended", "reviewed", "cancelled", "defended", "expanded"}
	objects := []string{"a new budget for schools", "plans for a tram line", "the autumn festival", "rules on rental housing",
		"a study of river pollution", "higher ticket prices", "a vaccination campaign", "the wildfire season plan",
		"a museum renovation", "wage talks with nurses", "a ban on night flights", "the cycling championship"}
	places := []string{"Lisbon", "Porto", "Valencia", "Lyon", "Ghent", "Turin", "Krakow", "Bergen", "Tampere", "Cork", "Malmo", "Graz"}
	whens := []string{"on Monday", "on Tuesday", "this week", "after a long debate", "late on Friday", "despite protests", "ahead of the holidays"}
	outlets := []string{"Harbour Gazette", "Valley Courier", "Metro Daily", "Coastal Times", "Evening Ledger"}
	now := time.Now().UTC()
	out := make([]*knowledge.Article, n)
	for i := range out {
		place := pick(places)
		var sb strings.Builder
		for s := 0; s < 6+r.IntN(5); s++ {
			fmt.Fprintf(&sb, "%s in %s %s %s %s, with %d people attending. ", pick(subjects), place, pick(verbs), pick(objects), pick(whens), 10+r.IntN(5000))
		}
		out[i] = &knowledge.Article{
			URL:         fmt.Sprintf("https://news.example.org/%s/%d", strings.ToLower(place), i),
			Title:       fmt.Sprintf("%s %s %s (%d)", pick(subjects), pick(verbs), pick(objects), i),
			Source:      pick(outlets),
			PublishedAt: now.Add(-time.Duration(i) * time.Minute),
			Text:        strings.TrimSpace(sb.String()),
		}
	}
	return out
}

// recordLog is a slog.Handler that keeps every record, rendered as one
// line with its attributes (errors included), for assertions.
type recordLog struct {
	mu    sync.Mutex
	lines []string
	attrs []slog.Attr // of a handler made by WithAttrs, shared lines
	root  *recordLog
}

func (l *recordLog) base() *recordLog {
	if l.root != nil {
		return l.root
	}
	return l
}

func (l *recordLog) Enabled(context.Context, slog.Level) bool { return true }

func (l *recordLog) Handle(_ context.Context, r slog.Record) error {
	var sb strings.Builder
	sb.WriteString(r.Level.String() + " " + r.Message)
	add := func(a slog.Attr) bool {
		fmt.Fprintf(&sb, " %s=%q", a.Key, a.Value.Resolve().String())
		return true
	}
	for _, a := range l.attrs {
		add(a)
	}
	r.Attrs(add)
	root := l.base()
	root.mu.Lock()
	root.lines = append(root.lines, sb.String())
	root.mu.Unlock()
	return nil
}

func (l *recordLog) WithAttrs(as []slog.Attr) slog.Handler {
	return &recordLog{attrs: append(slices.Clip(l.attrs), as...), root: l.base()}
}

func (l *recordLog) WithGroup(string) slog.Handler { return l }

func (l *recordLog) records() []string {
	root := l.base()
	root.mu.Lock()
	defer root.mu.Unlock()
	return slices.Clone(root.lines)
}

func (l *recordLog) has(msg string) bool {
	for _, r := range l.records() {
		if strings.Contains(r, msg) {
			return true
		}
	}
	return false
}

func (l *recordLog) String() string { return strings.Join(l.records(), "\n") }

// mentionsBusy reports whether s tells of SQLite's busy or locked errors.
func mentionsBusy(s string) bool {
	s = strings.ToLower(s)
	return strings.Contains(s, "sqlite_busy") || strings.Contains(s, "database is locked") ||
		strings.Contains(s, "sqlite_locked") || strings.Contains(s, "database table is locked")
}

// percentile returns the nearest-rank q-quantile of ds (with 50 samples,
// p99 is the maximum).
func percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	k := int(q*float64(len(s))+0.999999) - 1
	return s[max(0, min(k, len(s)-1))]
}

func summarize(ds []time.Duration) string {
	r := func(d time.Duration) time.Duration { return d.Round(100 * time.Microsecond) }
	return fmt.Sprintf("p50 %v, p99 %v, max %v (n=%d)", r(percentile(ds, 0.5)), r(percentile(ds, 0.99)), r(slices.Max(ds)), len(ds))
}

// TestFiveStreamsInOneChannelUnderRateLimits streams five answers to
// mentions at once into one channel of a fake Discord that rate-limits the
// channel's new messages and edits as Discord does, with its headers (ten
// per two seconds each, Discord's usual five per five seconds sped up to
// keep the test short): discordgo's limiter reads them, and the drafts
// share what is left of the channel's budget. Each final answer must land
// within 2 s of its model finishing (it takes milliseconds unless drafts
// hold it up), no draft may go out between a model finishing and its final
// edit but one already in flight, and no request may be refused.
func TestFiveStreamsInOneChannelUnderRateLimits(t *testing.T) {
	if testing.Short() {
		t.Skip("takes a few seconds: five models streaming for 1 to 3 s")
	}
	t.Parallel()
	const (
		streams  = 5
		interval = 100 * time.Millisecond
	)
	var mu sync.Mutex
	finished := map[string]time.Time{} // question -> when its model finished
	asker := &fakeAsker{reply: func(ctx context.Context, q knowledge.Question) (*knowledge.Answer, error) {
		var i int
		fmt.Sscanf(q.Text, "question %d", &i)
		end := time.Now().Add(1200*time.Millisecond + time.Duration(i)*400*time.Millisecond)
		tick := time.NewTicker(30 * time.Millisecond)
		defer tick.Stop()
		var text strings.Builder
		for n := 0; time.Now().Before(end); n++ {
			select {
			case <-tick.C:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			w := fmt.Sprintf("w%d ", n)
			text.WriteString(w)
			q.OnDelta(w)
		}
		mu.Lock()
		finished[q.Text] = time.Now()
		mu.Unlock()
		return &knowledge.Answer{Text: strings.TrimSpace(text.String()) + " [1].", Mode: knowledge.ModeLLM,
			Citations: []knowledge.Citation{{N: 1, Title: "T", URL: "https://example.com/t", Quote: "q", Verified: true}}}, nil
	}}
	h := start(t, bot.Config{StreamInterval: interval, GuildConcurrency: -1}, asker, func(_ *bot.Bot, fd *discordtest.Fake) {
		fd.SetRateLimit("PATCH", "channels/*/messages/*", discordtest.RateLimit{Limit: 10, Window: 2 * time.Second})
		fd.SetRateLimit("POST", "channels/*/messages", discordtest.RateLimit{Limit: 10, Window: 2 * time.Second})
	})
	ch := h.fd.ChannelID()
	question := map[string]string{} // question message -> its text
	for i := 0; i < streams; i++ {
		u := &discordgo.User{ID: fmt.Sprint(1212912186163400100 + i), Username: fmt.Sprintf("reader%d", i), Discriminator: "0"}
		q := fmt.Sprintf("question %d", i)
		question[h.fd.SendMessage(h.fd.Mention(ch, u, q))] = q
	}
	answers := map[string]string{} // answer message -> its question's text
	h.fd.WaitUntil(t, func() bool {
		for _, m := range botMessages(h.fd, ch) {
			if len(buttons(m)) == 5 && m.MessageReference != nil {
				answers[m.ID] = question[m.MessageReference.MessageID]
			}
		}
		return len(answers) == streams
	}, 30*time.Second)

	type edit struct {
		at    time.Time
		final bool
	}
	edits := map[string][]edit{} // answer message -> its edits, in order
	var all []edit               // every edit of the channel, in order
	for _, c := range h.fd.Calls() {
		if c.Status == 429 {
			t.Errorf("refused: %s", c)
		}
		mid, ok := strings.CutPrefix(c.Path, "/channels/"+ch+"/messages/")
		if c.Method != "PATCH" || !ok || answers[mid] == "" {
			continue
		}
		e := edit{at: c.Received, final: strings.Contains(string(c.Body), `"components"`)}
		edits[mid] = append(edits[mid], e)
		all = append(all, e)
	}
	var lags []time.Duration
	drafts := 0
	for mid, q := range answers {
		es := edits[mid]
		if len(es) == 0 || !es[len(es)-1].final {
			t.Fatalf("%s: the last edit of its answer is not the final one (%d edits)", q, len(es))
		}
		done, final := finished[q], es[len(es)-1].at
		lag := final.Sub(done)
		lags = append(lags, lag)
		if lag > 2*time.Second {
			t.Errorf("%s: the final answer landed %v after the model finished", q, lag.Round(time.Millisecond))
		}
		// Between the model finishing and its final edit, no draft of the
		// channel starts; one may already be in flight.
		between := 0
		for _, e := range all {
			if !e.final && e.at.After(done) && e.at.Before(final) {
				between++
			}
		}
		if between > 1 {
			t.Errorf("%s: %d drafts went out between the model finishing and its final edit", q, between)
		}
		for k := 1; k < len(es)-1; k++ {
			if gap := es[k].at.Sub(es[k-1].at); gap < interval {
				t.Errorf("%s: drafts %v apart", q, gap)
			}
		}
		drafts += len(es) - 1
	}
	// The channel's drafts share one pace.
	var prev time.Time
	for _, e := range all {
		if e.final {
			continue
		}
		if !prev.IsZero() && e.at.Sub(prev) < interval {
			t.Errorf("two drafts of the channel %v apart", e.at.Sub(prev))
		}
		prev = e.at
	}
	if h.fd.RateLimited() != 0 {
		t.Errorf("%d requests refused with 429", h.fd.RateLimited())
	}
	slices.Sort(lags)
	t.Logf("%d answers streaming in one channel (10 edits per 2 s): %d draft edits; final edit after the model finished: %v",
		streams, drafts, lags)
}
