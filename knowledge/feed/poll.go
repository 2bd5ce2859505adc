package feed

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/herald-bot/herald/knowledge"
)

// DefaultFeedMaxBytes is the largest feed document the poller reads: 4 MiB.
// Real news feeds are well under 1 MB; a larger one is an archive dump or
// something that is not a feed.
const DefaultFeedMaxBytes = 4 << 20

// PollOptions configures a Poller. Zero values take the defaults named in
// each field's comment.
type PollOptions struct {
	// Interval is the time between polls of a feed that names none
	// (default knowledge.DefaultFeedInterval).
	Interval time.Duration
	// Jitter is the share of the interval added or taken away at random,
	// so feeds added together do not stay in step (default 0.1; negative
	// for none).
	Jitter float64
	// MaxBackoff bounds the wait after failures, which doubles with each
	// failure in a row (default 12h).
	MaxBackoff time.Duration
	// MaxFailures is how many failed polls in a row disable a feed
	// (default 8).
	MaxFailures int
	// FirstMaxAge and FirstMaxItems limit the first poll of a new feed to
	// recent items: none older than FirstMaxAge (default 72h), at most
	// FirstMaxItems of them (default 20). Older items are remembered as
	// seen and never ingested.
	FirstMaxAge   time.Duration
	FirstMaxItems int
	// MaxItems is the most new items taken from one later poll (default
	// 100).
	MaxItems int
	// PerHost is how many feeds of one host are polled at once: 1 or 2
	// (default 1).
	PerHost int
	// Concurrency is how many feeds are polled at once (default 8).
	Concurrency int
	// TeaserRunes: an item with less text than this is only a teaser, and
	// its article page is fetched and extracted (default 600).
	TeaserRunes int
	// MaxPageFetches bounds the article pages fetched per feed and poll
	// (default 30); further teasers are stored as they are.
	MaxPageFetches int
	// PageBudget bounds the time one poll of a feed spends fetching
	// article pages (default 1m): items whose page is not fetched by then
	// are left for the next poll, neither stored nor marked seen.
	PageBudget time.Duration
	// Lease is how long a feed claimed by PollDue is left to this poller
	// before another may poll it (default 2m). The lease is renewed every
	// third of it while the feed is polled, so a long poll keeps its feeds
	// and a crashed or killed one holds them no longer than this.
	Lease time.Duration
	// MaxRetryAfter caps the wait a site asks for with Retry-After on a
	// 429 or 503 answer (default 6h); the next poll is not earlier than
	// that wait.
	MaxRetryAfter time.Duration
	// Tick is the longest Run sleeps between checks for due feeds, so new
	// and resumed feeds are noticed (default 1m).
	Tick time.Duration
}

func (o PollOptions) withDefaults() PollOptions {
	if o.Interval <= 0 {
		o.Interval = knowledge.DefaultFeedInterval
	}
	if o.Jitter == 0 {
		o.Jitter = 0.1
	}
	if o.Jitter < 0 {
		o.Jitter = 0
	}
	if o.Jitter > 0.5 {
		o.Jitter = 0.5
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 12 * time.Hour
	}
	if o.MaxFailures <= 0 {
		o.MaxFailures = 8
	}
	if o.FirstMaxAge <= 0 {
		o.FirstMaxAge = 72 * time.Hour
	}
	if o.FirstMaxItems <= 0 {
		o.FirstMaxItems = 20
	}
	if o.MaxItems <= 0 {
		o.MaxItems = 100
	}
	o.PerHost = min(max(o.PerHost, 1), 2)
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.TeaserRunes <= 0 {
		o.TeaserRunes = 600
	}
	if o.MaxPageFetches <= 0 {
		o.MaxPageFetches = 30
	}
	if o.PageBudget <= 0 {
		o.PageBudget = time.Minute
	}
	if o.Lease <= 0 {
		o.Lease = 2 * time.Minute
	}
	if o.MaxRetryAfter <= 0 {
		o.MaxRetryAfter = 6 * time.Hour
	}
	if o.Tick <= 0 {
		o.Tick = time.Minute
	}
	return o
}

// Poller polls the feeds in the store and ingests their new items. Its
// fields are set before first use; NewPoller fills them in.
type Poller struct {
	DB *knowledge.DB
	// Feeds fetches feed documents (conditional requests, size cap).
	Feeds *Client
	// Pages fetches article pages of items that carry only a teaser; nil
	// stores teasers as they are.
	Pages knowledge.Fetcher
	// Extractor pulls the article out of a fetched page.
	Extractor knowledge.Extractor
	Options   PollOptions
	Logger    *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
	// After waits in Run (default time.After); tests pass a fake clock's.
	After func(time.Duration) <-chan time.Time
	// Rand returns a number in [0, 1) for jitter (default math/rand/v2).
	Rand func() float64
	// NewTicker returns the ticks on which PollDue renews its leases and a
	// function that stops them (default time.NewTicker); tests pass their
	// own channel.
	NewTicker func(d time.Duration) (<-chan time.Time, func())
	// OnPoll, when set, is called after each feed is polled.
	OnPoll func(FeedReport)
}

// NewPoller returns a Poller over db whose HTTP clients are configured by
// client (AllowPrivate, timeouts, Logger): feeds are read with a size cap
// of DefaultFeedMaxBytes (or client.MaxBytes when smaller), article pages
// with client as it is, and pages are extracted by NewExtractor.
func NewPoller(db *knowledge.DB, client Options, opts PollOptions, logger *slog.Logger) *Poller {
	fo := client
	if fo.MaxBytes <= 0 || fo.MaxBytes > DefaultFeedMaxBytes {
		fo.MaxBytes = DefaultFeedMaxBytes
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Poller{
		DB:        db,
		Feeds:     NewClient(fo),
		Pages:     NewClient(client),
		Extractor: NewExtractor(),
		Options:   opts,
		Logger:    logger,
	}
}

func (p *Poller) now() time.Time { return knowledge.NowOr(p.Now) }

func (p *Poller) logger() *slog.Logger {
	if p.Logger != nil {
		return p.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (p *Poller) rand() float64 {
	if p.Rand != nil {
		return p.Rand()
	}
	return rand.Float64()
}

// ArticleRef names an article a poll added.
type ArticleRef struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
	URL   string `json:"url"`
}

// FeedReport is what polling one feed did.
type FeedReport struct {
	// Feed is the feed as stored after the poll.
	Feed knowledge.Feed
	// NotModified is set when the site answered 304 to the conditional
	// request.
	NotModified bool
	// Items is how many items the feed document held.
	Items int
	// New lists the articles added.
	New []ArticleRef
	// Updated and Unchanged count items that matched stored articles.
	Updated, Unchanged int
	// Skipped counts items seen before, repeated or left out (too old on
	// a first poll, over the per-poll limit).
	Skipped int
	// Warnings say what the poll had to work around.
	Warnings []string
	// Err is why the poll failed; nil on success.
	Err error
	// Disabled is set when this failure disabled the feed.
	Disabled bool

	earliest  time.Time // date of the oldest new article, for story grouping
	abandoned bool      // the poll stopped with its context; nothing was recorded
}

// PollReport is what PollDue did, one FeedReport per feed polled.
type PollReport struct {
	Feeds []FeedReport
}

// Added is the number of articles added by all the polls.
func (r *PollReport) Added() int {
	n := 0
	for _, f := range r.Feeds {
		n += len(f.New)
	}
	return n
}

// Failed is the number of feeds whose poll failed.
func (r *PollReport) Failed() int {
	n := 0
	for _, f := range r.Feeds {
		if f.Err != nil {
			n++
		}
	}
	return n
}

// PollDue polls every feed that is due now, at most Concurrency at once
// and PerHost per host, and returns what each poll did. Each feed is
// claimed by itself, when a poll slot is free, under a short lease that is
// renewed while it is polled (see PollOptions.Lease). One feed's failure
// never stops the others: it is recorded with its reason. The error is
// non-nil only when the due feeds could not be read from the store.
func (p *Poller) PollDue(ctx context.Context) (*PollReport, error) {
	o := p.Options.withDefaults()
	leases := &leaseSet{held: map[int64]time.Time{}}
	stopRenewing := p.renewLeases(ctx, leases, o)
	defer stopRenewing()

	hosts := &hostLimits{perHost: o.PerHost, sems: map[string]chan struct{}{}}
	slots := make(chan struct{}, o.Concurrency)
	var mu sync.Mutex
	type done struct {
		n   int
		rep FeedReport
	}
	var results []done
	var wg sync.WaitGroup
	var claimErr error
	for n := 0; ; n++ {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		due, err := p.DB.ClaimDueFeeds(ctx, p.now(), o.Lease, 1)
		if err != nil || len(due) == 0 {
			<-slots
			if ctx.Err() == nil {
				claimErr = err
			}
			break
		}
		f := due[0]
		leases.add(f.ID, f.NextPollAt)
		wg.Add(1)
		go func(n int, f knowledge.Feed) {
			defer wg.Done()
			defer func() { <-slots }()
			rep := p.pollClaimed(ctx, f, o, hosts, leases)
			mu.Lock()
			results = append(results, done{n, rep})
			mu.Unlock()
		}(n, f)
	}
	wg.Wait()
	sort.Slice(results, func(i, j int) bool { return results[i].n < results[j].n })
	rep := &PollReport{Feeds: make([]FeedReport, len(results))}
	for i, r := range results {
		rep.Feeds[i] = r.rep
	}
	if claimErr != nil && len(rep.Feeds) == 0 {
		return nil, claimErr
	}
	if claimErr != nil {
		p.logger().Error("cannot claim more due feeds", "err", claimErr)
	}
	p.groupStories(ctx, rep.Feeds...)
	return rep, nil
}

// pollClaimed polls a feed PollDue claimed, within the host limit; when
// the poll is abandoned (shutdown), the lease is released so another
// poller may take the feed at once.
func (p *Poller) pollClaimed(ctx context.Context, f knowledge.Feed, o PollOptions, hosts *hostLimits, leases *leaseSet) FeedReport {
	defer leases.remove(f.ID)
	release := func() {
		held, ok := leases.get(f.ID)
		if !ok {
			return
		}
		if _, err := p.DB.RenewFeedLease(context.WithoutCancel(ctx), f.ID, held, p.now()); err != nil {
			p.logger().Warn("cannot release a feed's lease; it is polled again when the lease ends", "feed_id", f.ID, "err", err)
		}
	}
	freeHost := hosts.acquire(ctx, feedHost(f.URL))
	if freeHost == nil {
		release()
		return FeedReport{Feed: f, Err: ctx.Err()}
	}
	defer freeHost()
	rep := p.poll(ctx, f, o)
	if rep.abandoned {
		release()
	}
	return rep
}

// leaseSet is the feeds PollDue holds, with the end of each lease.
type leaseSet struct {
	mu   sync.Mutex
	held map[int64]time.Time
}

func (l *leaseSet) add(id int64, until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.held[id] = until
}

func (l *leaseSet) remove(id int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.held, id)
}

func (l *leaseSet) get(id int64) (time.Time, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	t, ok := l.held[id]
	return t, ok
}

// snapshot returns the leases held now.
func (l *leaseSet) snapshot() map[int64]time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[int64]time.Time, len(l.held))
	for id, t := range l.held {
		out[id] = t
	}
	return out
}

// renewed records a renewal unless the feed was let go meanwhile.
func (l *leaseSet) renewed(id int64, from, to time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if t, ok := l.held[id]; ok && t.Equal(from) {
		l.held[id] = to
	}
}

// renewLeases starts the goroutine that renews the leases in l every third
// of a lease; the returned function stops it and waits for it.
func (p *Poller) renewLeases(ctx context.Context, l *leaseSet, o PollOptions) (stop func()) {
	every := max(o.Lease/3, time.Second)
	newTicker := p.NewTicker
	if newTicker == nil {
		newTicker = func(d time.Duration) (<-chan time.Time, func()) {
			t := time.NewTicker(d)
			return t.C, t.Stop
		}
	}
	ticks, stopTicks := newTicker(every)
	quit := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			select {
			case <-quit:
				return
			case <-ctx.Done():
				return
			case <-ticks:
			}
			for id, held := range l.snapshot() {
				until := p.now().Add(o.Lease)
				ok, err := p.DB.RenewFeedLease(ctx, id, held, until)
				switch {
				case err != nil:
					if ctx.Err() == nil {
						p.logger().Warn("cannot renew a feed's lease", "feed_id", id, "err", err)
					}
				case ok:
					l.renewed(id, held, until)
				default:
					// Recorded meanwhile, or the lease ran out and another
					// poller has the feed: nothing left to renew.
					l.remove(id)
				}
			}
		}
	}()
	return func() {
		stopTicks()
		close(quit)
		<-finished
	}
}

// hostLimits bounds how many feeds of one host are polled at once.
type hostLimits struct {
	perHost int
	mu      sync.Mutex
	sems    map[string]chan struct{}
}

// acquire waits for a slot for host and returns the function that frees
// it, or nil when ctx ended first.
func (h *hostLimits) acquire(ctx context.Context, host string) func() {
	h.mu.Lock()
	s := h.sems[host]
	if s == nil {
		s = make(chan struct{}, h.perHost)
		h.sems[host] = s
	}
	h.mu.Unlock()
	select {
	case s <- struct{}{}:
		return func() { <-s }
	case <-ctx.Done():
		return nil
	}
}

// PollFeeds polls the given feeds now, due or not, like PollDue but
// without claiming them.
func (p *Poller) PollFeeds(ctx context.Context, feeds []knowledge.Feed) *PollReport {
	o := p.Options.withDefaults()
	rep := &PollReport{Feeds: make([]FeedReport, len(feeds))}
	hosts := &hostLimits{perHost: o.PerHost, sems: map[string]chan struct{}{}}
	slots := make(chan struct{}, o.Concurrency)
	var wg sync.WaitGroup
	for i := range feeds {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			f := feeds[i]
			free := hosts.acquire(ctx, feedHost(f.URL))
			if free == nil {
				rep.Feeds[i] = FeedReport{Feed: f, Err: ctx.Err()}
				return
			}
			defer free()
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				rep.Feeds[i] = FeedReport{Feed: f, Err: ctx.Err()}
				return
			}
			defer func() { <-slots }()
			rep.Feeds[i] = p.poll(ctx, f, o)
		}(i)
	}
	wg.Wait()
	p.groupStories(ctx, rep.Feeds...)
	return rep
}

// groupStories recognises the stories of the new articles (see
// knowledge.DB.AssignStories), once per round of polls.
func (p *Poller) groupStories(ctx context.Context, reps ...FeedReport) {
	var earliest time.Time
	for _, r := range reps {
		if !r.earliest.IsZero() && (earliest.IsZero() || r.earliest.Before(earliest)) {
			earliest = r.earliest
		}
	}
	if earliest.IsZero() {
		return
	}
	if _, err := p.DB.AssignStories(context.WithoutCancel(ctx), earliest); err != nil {
		p.logger().Warn("cannot group stories", "err", err)
	}
	if emb := p.DB.Embedder; emb != nil {
		if _, err := p.DB.EmbedMissing(ctx, emb, 0, nil); err != nil && ctx.Err() == nil {
			p.logger().Warn("embedding new passages failed; they will be retried next round", "err", err)
		}
	}
}

func feedHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	return strings.ToLower(u.Hostname())
}

// CheckFeed fetches the feed at rawURL once, as a poll would, and returns
// why Herald cannot follow it, or nil when it is a feed Herald can read:
// the site's answer ("the site answered 404 Not Found"), a page that is not
// a feed (naming the feed the page links to, if any), a refused connection
// or an unknown host, a private address without permission. An empty feed
// is readable. It is what cmd/herald sets as knowledge.DB.FeedCheck.
func (p *Poller) CheckFeed(ctx context.Context, rawURL string) error {
	resp, err := p.Feeds.Get(ctx, rawURL, FeedTypes, nil)
	if err != nil {
		return err
	}
	base := resp.FinalURL
	if base == "" {
		base = rawURL
	}
	if _, err := ParseFeed(resp.Body, resp.Header.Get("Content-Type"), base); err != nil {
		return err
	}
	return nil
}

// PollFeed polls one feed now and records the outcome.
func (p *Poller) PollFeed(ctx context.Context, f knowledge.Feed) FeedReport {
	rep := p.poll(ctx, f, p.Options.withDefaults())
	p.groupStories(ctx, rep)
	return rep
}

func (p *Poller) poll(ctx context.Context, f knowledge.Feed, o PollOptions) (rep FeedReport) {
	start := p.now()
	log := p.logger().With("feed_id", f.ID, "url", f.URL)
	defer func() {
		// A bug in processing one feed must not take the poller down.
		if r := recover(); r != nil {
			log.Error("feed poll panicked", "panic", r)
			rep = p.record(ctx, f, o, start, FeedReport{Feed: f, Err: knowledge.WrapError(knowledge.EINTERNAL, "the feed could not be processed", fmt.Errorf("panic: %v", r))}, knowledge.FeedPoll{})
		}
		if p.OnPoll != nil {
			p.OnPoll(rep)
		}
	}()
	rep = FeedReport{Feed: f}
	fp, rep := p.fetchAndIngest(ctx, f, o, start, rep)
	if ctx.Err() != nil && rep.Err != nil {
		// Shutting down is not the feed's fault: its state is left alone,
		// and PollDue releases its lease.
		rep.Err = ctx.Err()
		rep.abandoned = true
		return rep
	}
	rep = p.record(ctx, f, o, start, rep, fp)
	switch {
	case rep.Err != nil:
		log.Warn("feed poll failed", "err", rep.Err, "failures", rep.Feed.Failures, "disabled", rep.Disabled)
	default:
		log.Info("feed polled", "new", len(rep.New), "not_modified", rep.NotModified, "items", rep.Items, "duration", p.now().Sub(start))
	}
	return rep
}

// record stores the outcome of a poll and schedules the next one.
func (p *Poller) record(ctx context.Context, f knowledge.Feed, o PollOptions, at time.Time, rep FeedReport, fp knowledge.FeedPoll) FeedReport {
	interval := f.Interval
	if interval <= 0 {
		interval = o.Interval
	}
	fp.At = at
	fp.Err = rep.Err
	fp.DisableAfter = o.MaxFailures
	if rep.Err == nil {
		fp.NextPollAt = at.Add(p.jitter(interval, o.Jitter))
		fp.Warning = strings.Join(rep.Warnings, "; ")
	} else {
		wait := interval
		for i := 0; i < f.Failures && wait < o.MaxBackoff; i++ {
			wait *= 2
		}
		wait = p.jitter(min(wait, o.MaxBackoff), o.Jitter)
		// A site that said when to come back (429 or 503 with
		// Retry-After) is not asked again before then.
		if ra, ok := RetryAfter(rep.Err, at); ok {
			wait = max(wait, min(ra, o.MaxRetryAfter))
		}
		fp.NextPollAt = at.Add(wait)
	}
	stored, err := p.DB.RecordFeedPoll(context.WithoutCancel(ctx), f.ID, fp)
	if err != nil {
		if knowledge.ErrorCode(err) != knowledge.ENOTFOUND {
			p.logger().Error("cannot record feed poll", "feed_id", f.ID, "err", err)
		}
		return rep
	}
	rep.Feed = *stored
	rep.Disabled = rep.Err != nil && stored.DisabledReason != "" && f.DisabledReason == ""
	return rep
}

func (p *Poller) jitter(d time.Duration, share float64) time.Duration {
	if share <= 0 {
		return d
	}
	f := 1 + share*(2*p.rand()-1)
	return time.Duration(math.Round(float64(d) * f))
}

// fetchAndIngest reads the feed and stores its new items; rep.Err is set
// when the feed could not be read.
func (p *Poller) fetchAndIngest(ctx context.Context, f knowledge.Feed, o PollOptions, now time.Time, rep FeedReport) (knowledge.FeedPoll, FeedReport) {
	var fp knowledge.FeedPoll
	hdr := http.Header{}
	if f.ETag != "" {
		hdr.Set("If-None-Match", f.ETag)
	}
	if f.LastModified != "" {
		hdr.Set("If-Modified-Since", f.LastModified)
	}
	resp, err := p.Feeds.Get(ctx, f.URL, FeedTypes, hdr)
	if err != nil {
		rep.Err = err
		return fp, rep
	}
	if resp.NotModified {
		rep.NotModified = true
		fp.NotModified = true
		return fp, rep
	}
	fp.ETag = resp.Header.Get("ETag")
	fp.LastModified = resp.Header.Get("Last-Modified")
	base := resp.FinalURL
	if base == "" {
		base = f.URL
	}
	pf, err := ParseFeed(resp.Body, resp.Header.Get("Content-Type"), base)
	if err != nil {
		rep.Err = err
		return fp, rep
	}
	fp.Title = text1(pf.Title, 200)
	if f.Title == "" && fp.Title != "" {
		f.Title = fp.Title
	}
	rep.Items = len(pf.Items)
	return p.ingest(ctx, f, o, now, pf, fp, rep)
}

// text1 shortens s to at most n runes.
func text1(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// candidate is an item chosen for ingestion.
type candidate struct {
	item Item
	key  string
}

func (p *Poller) ingest(ctx context.Context, f knowledge.Feed, o PollOptions, now time.Time, pf *ParsedFeed, fp knowledge.FeedPoll, rep FeedReport) (knowledge.FeedPoll, FeedReport) {
	var warn []string
	// Distinct items, in document order.
	var items []candidate
	keys := map[string]bool{}
	dups, undated := 0, 0
	for _, it := range pf.Items {
		k := it.Key()
		if keys[k] {
			dups++
			continue
		}
		keys[k] = true
		if !it.Published.IsZero() && it.Published.After(now.Add(24*time.Hour)) {
			// A date in the future is a mistake, not the time of the
			// item: it is undated (never dated by when Herald saw it).
			it.Published = time.Time{}
		}
		if it.Published.IsZero() {
			undated++
		}
		items = append(items, candidate{it, k})
	}
	if dups > 0 {
		warn = append(warn, plural(dups, "item repeated a GUID and was", "items repeated a GUID and were")+" ignored")
	}
	if undated > 0 {
		warn = append(warn, plural(undated, "item has no date", "items have no date")+"; stored as undated unless the article page names one")
	}
	all := make([]string, 0, len(items))
	for _, c := range items {
		all = append(all, c.key)
	}
	seen, err := p.DB.SeenFeedItems(ctx, f.ID, all)
	if err != nil {
		rep.Err = err
		return fp, rep
	}
	var fresh []candidate
	for _, c := range items {
		if seen[c.key] {
			rep.Skipped++
			continue
		}
		fresh = append(fresh, c)
	}
	rep.Skipped += dups
	// Newest first; undated items count as new.
	sort.SliceStable(fresh, func(i, j int) bool {
		return dateOr(fresh[i].item.Published, now).After(dateOr(fresh[j].item.Published, now))
	})
	limit := o.MaxItems
	first := f.LastSuccessAt.IsZero()
	if first {
		limit = o.FirstMaxItems
	}
	var take []candidate
	for _, c := range fresh {
		old := first && !c.item.Published.IsZero() && now.Sub(c.item.Published) > o.FirstMaxAge
		if old || len(take) >= limit {
			// Remembered as seen, so a later poll does not take it either.
			fp.Seen = append(fp.Seen, knowledge.SeenItem{Key: c.key})
			rep.Skipped++
			continue
		}
		take = append(take, c)
	}

	var batch []*knowledge.Article
	var batchKeys []string
	fetches, teasers, pageFailures, retry, late := 0, 0, 0, 0, 0
	var noText int
	// One poll's page fetches share a deadline: twenty hanging pages must
	// not hold the poll for twenty timeouts.
	pageCtx, cancelPages := context.WithTimeout(ctx, o.PageBudget)
	defer cancelPages()
	for _, c := range take {
		if err := ctx.Err(); err != nil {
			rep.Err = err
			return fp, rep
		}
		a := &knowledge.Article{
			URL:         c.item.Link,
			Title:       c.item.Title,
			Text:        c.item.Text,
			Author:      c.item.Author,
			Source:      f.Outlet(),
			PublishedAt: c.item.Published,
			FetchedAt:   now,
			Language:    pf.Language,
			GuildID:     f.GuildID,
			FeedID:      f.ID,
		}
		if utf8.RuneCountInString(a.Text) < o.TeaserRunes && c.item.Link != "" && p.Pages != nil && p.Extractor != nil {
			switch {
			case fetches >= o.MaxPageFetches:
				teasers++
			case pageCtx.Err() != nil:
				// Out of time for pages: the item waits for the next poll,
				// not seen, not stored as a teaser.
				late++
				continue
			default:
				fetches++
				page, err := p.fetchPage(pageCtx, c.item.Link)
				switch {
				case err != nil && pageCtx.Err() != nil && ctx.Err() == nil:
					late++
					continue
				case err == nil && utf8.RuneCountInString(page.Text) > utf8.RuneCountInString(a.Text):
					a.Text = page.Text
					if a.Title == "" {
						a.Title = page.Title
					}
					if a.Author == "" {
						a.Author = page.Author
					}
					if a.PublishedAt.IsZero() {
						a.PublishedAt = page.PublishedAt
					}
					if page.Language != "" {
						a.Language = page.Language // the page's own is the more specific
					}
				case err != nil:
					pageFailures++
					p.logger().Debug("article page not fetched", "url", c.item.Link, "err", err)
					if strings.TrimSpace(a.Text) == "" && transient(err) {
						// Nothing to store yet: try again at the next poll.
						retry++
						continue
					}
				}
			}
		}
		if strings.TrimSpace(a.Text) == "" {
			noText++
			fp.Seen = append(fp.Seen, knowledge.SeenItem{Key: c.key})
			continue
		}
		batch = append(batch, a)
		batchKeys = append(batchKeys, c.key)
	}
	if pageFailures > 0 {
		if pageFailures == 1 {
			warn = append(warn, "1 article page could not be fetched; its feed summary was stored instead")
		} else {
			warn = append(warn, plural(pageFailures, "article page", "article pages")+" could not be fetched; their feed summaries were stored instead")
		}
	}
	if retry+late > 0 {
		warn = append(warn, plural(retry+late, "item", "items")+" will be tried again at the next poll")
	}
	if late > 0 {
		warn = append(warn, "the article pages took longer than "+shortDuration(o.PageBudget)+" in all")
	}
	if teasers > 0 {
		warn = append(warn, plural(teasers, "item was", "items were")+" stored as a teaser (page fetch limit reached)")
	}
	if noText > 0 {
		warn = append(warn, plural(noText, "item has no text and was skipped", "items have no text and were skipped"))
	}
	if len(batch) > 0 {
		res, err := p.DB.PutArticles(ctx, batch)
		if err != nil {
			rep.Err = err
			return fp, rep
		}
		var earliest time.Time
		bad := 0
		for i, r := range res {
			a := batch[i]
			if r.Err != nil {
				bad++
				fp.Seen = append(fp.Seen, knowledge.SeenItem{Key: batchKeys[i]})
				continue
			}
			fp.Seen = append(fp.Seen, knowledge.SeenItem{Key: batchKeys[i], ArticleID: a.ID})
			switch r.Status {
			case knowledge.Created:
				rep.New = append(rep.New, ArticleRef{ID: a.ID, Title: a.Title, URL: a.URL})
				d := dateOr(a.PublishedAt, now)
				if earliest.IsZero() || d.Before(earliest) {
					earliest = d
				}
			case knowledge.Updated:
				rep.Updated++
			default:
				rep.Unchanged++
			}
		}
		if bad > 0 {
			warn = append(warn, plural(bad, "item", "items")+" could not be stored")
		}
		fp.Added = len(rep.New)
		rep.earliest = earliest
	}
	rep.Warnings = warn
	return fp, rep
}

// page is the readable content of an article page.
type page struct {
	Title, Text, Author, Language string
	PublishedAt                   time.Time
}

func (p *Poller) fetchPage(ctx context.Context, link string) (*page, error) {
	doc, err := p.Pages.Fetch(ctx, link)
	if err != nil {
		return nil, err
	}
	if !strings.Contains(strings.ToLower(doc.ContentType), "html") {
		return nil, knowledge.Errorf(knowledge.EINVALID, "the article page is not HTML")
	}
	x, err := p.Extractor.Extract(doc.Body, doc.URL)
	if err != nil {
		return nil, err
	}
	return &page{Title: x.Title, Text: x.Text, Author: x.Byline, Language: x.Language, PublishedAt: x.PublishedAt}, nil
}

// transient reports whether a fetch error may go away by itself.
func transient(err error) bool {
	switch knowledge.ErrorCode(err) {
	case knowledge.ETIMEOUT, knowledge.EUNAVAILABLE, knowledge.ERATELIMIT:
		return true
	}
	return errors.Is(err, context.DeadlineExceeded)
}

func dateOr(t, def time.Time) time.Time {
	if t.IsZero() {
		return def
	}
	return t
}

// plural writes "1 item" or "3 items" with the given forms.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Run polls due feeds until ctx is cancelled: after each round it sleeps
// until the next feed is due (at most Options.Tick, at least a second). It
// returns nil once ctx is done and the polls in flight have finished.
func (p *Poller) Run(ctx context.Context) error {
	o := p.Options.withDefaults()
	after := p.After
	if after == nil {
		after = time.After
	}
	for {
		if ctx.Err() != nil {
			return nil
		}
		rep, err := p.PollDue(ctx)
		if err != nil && ctx.Err() == nil {
			p.logger().Error("cannot read due feeds", "err", err)
		} else if rep != nil && len(rep.Feeds) > 0 {
			p.logger().Debug("feeds polled", "feeds", len(rep.Feeds), "added", rep.Added(), "failed", rep.Failed())
		}
		wait := o.Tick
		if next, err := p.DB.NextFeedPoll(ctx); err == nil && !next.IsZero() {
			wait = min(max(next.Sub(p.now()), time.Second), o.Tick)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-after(wait):
		}
	}
}

// shortDuration writes 1m0s as 1m and 2h0m0s as 2h.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
