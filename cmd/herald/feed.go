package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/herald-bot/herald/knowledge"
	"github.com/herald-bot/herald/knowledge/feed"
)

const feedUsage = `Manages the news feeds (RSS, Atom, JSON Feed) Herald follows.

  herald feed add URL [--name NAME] [--interval 30m] [--guild ID] [--no-poll] [--keep]
  herald feed remove URL|ID
  herald feed list [--json]
  herald feed pause URL|ID
  herald feed resume URL|ID
  herald feed poll [--all] [--json]

Feeds added here are the operator's: their articles are visible in every
Discord server. --guild adds a feed for one server only. 'add' fetches the
feed first and refuses one Herald cannot read (a missing page, a web page
that is not a feed, a site that refuses the connection, a private address),
saying why; --keep follows it anyway. 'poll' polls every feed that is due now
(--all: every active feed) and reports what came in; 'herald serve' polls on
its own schedule.`

func runFeed(ctx context.Context, e *env) error {
	if len(e.args) == 0 || e.args[0] == "-h" || e.args[0] == "--help" || e.args[0] == "help" {
		fmt.Fprintln(e.stderr, "Usage: herald feed add|remove|list|pause|resume|poll [flags] [URL|ID]")
		fmt.Fprintln(e.stderr)
		fmt.Fprintln(e.stderr, feedUsage)
		if len(e.args) == 0 {
			return exitError{2}
		}
		return nil
	}
	sub, rest := e.args[0], e.args[1:]
	se := *e
	se.args = rest
	switch sub {
	case "add":
		return runFeedAdd(ctx, &se)
	case "remove", "rm", "delete":
		return runFeedChange(ctx, &se, "remove")
	case "pause":
		return runFeedChange(ctx, &se, "pause")
	case "resume":
		return runFeedChange(ctx, &se, "resume")
	case "list", "ls":
		return runFeedList(ctx, &se)
	case "poll":
		return runFeedPoll(ctx, &se)
	}
	fmt.Fprintf(e.stderr, "herald: unknown feed command %q: use add, remove, list, pause, resume or poll.\n", sub)
	return exitError{2}
}

// feedEnvDuration reads a duration environment variable ("30m", "72h"),
// or def when it is unset.
func feedEnvDuration(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, knowledge.Errorf(knowledge.EINVALID, "%s=%q is not a duration such as 30m or 72h.", name, v)
	}
	return d, nil
}

// pollOptions reads the poller's settings from the environment:
// HERALD_FEED_INTERVAL, HERALD_FEED_FIRST_MAX_AGE,
// HERALD_FEED_FIRST_MAX_ITEMS, HERALD_FEED_MAX_FAILURES.
func pollOptions(getenv func(string) string) (feed.PollOptions, error) {
	var o feed.PollOptions
	var err error
	if o.Interval, err = feedEnvDuration(getenv, "HERALD_FEED_INTERVAL", knowledge.DefaultFeedInterval); err != nil {
		return o, err
	}
	if o.Interval < knowledge.MinFeedInterval {
		o.Interval = knowledge.MinFeedInterval
	}
	if o.FirstMaxAge, err = feedEnvDuration(getenv, "HERALD_FEED_FIRST_MAX_AGE", 72*time.Hour); err != nil {
		return o, err
	}
	if o.FirstMaxItems, err = envInt(getenv, "HERALD_FEED_FIRST_MAX_ITEMS", 20); err != nil {
		return o, err
	}
	if o.MaxFailures, err = envInt(getenv, "HERALD_FEED_MAX_FAILURES", 8); err != nil {
		return o, err
	}
	return o, nil
}

// newPoller wires the feed poller: the safe client (private addresses only
// with HERALD_ALLOW_PRIVATE_URLS=true), readability extraction for teaser
// items, and the settings of pollOptions. serve starts it with
// go poller.Run(ctx).
func newPoller(e *env, db *knowledge.DB, logger *slog.Logger) (*feed.Poller, error) {
	opts, err := pollOptions(e.getenv)
	if err != nil {
		return nil, err
	}
	if logger == nil {
		logger = db.Logger
	}
	client := feed.Options{AllowPrivate: envBool(e.getenv, "HERALD_ALLOW_PRIVATE_URLS"), Logger: logger}
	return feed.NewPoller(db, client, opts, logger), nil
}

// cliLogger is the logger of commands that print their own report: the
// poller's info lines would repeat it, so only warnings and errors show
// unless HERALD_LOG_LEVEL asks for more.
func cliLogger(e *env) *slog.Logger {
	if e.getenv("HERALD_LOG_LEVEL") != "" {
		return newLogger(e.getenv, e.stderr)
	}
	return slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelError}))
}

func runFeedAdd(ctx context.Context, e *env) error {
	fs := newFlags(e, "feed add", "URL", "Follows a feed, once a fetch shows Herald can read it. Its recent items are stored at once (unless --no-poll), then on its interval.")
	name := fs.String("name", "", "outlet name for the feed's articles (default: the feed's title)")
	interval := fs.Duration("interval", 0, "time between polls (default $HERALD_FEED_INTERVAL or 30m; at least 5m)")
	guild := fs.String("guild", "", "Discord server id the feed belongs to (default: the operator's, visible everywhere)")
	noPoll := fs.Bool("no-poll", false, "do not store the feed's items now")
	keep := fs.Bool("keep", false, "follow the feed even when it cannot be read now")
	dbFlag := dbPathFlag(fs)
	args, err := parseArgs(fs, e.args, oneArg)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, e, *dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := newPoller(e, db, cliLogger(e))
	if err != nil {
		return err
	}
	db.FeedCheck = p.CheckFeed
	f, err := db.AddFeed(ctx, knowledge.FeedSpec{URL: args[0], GuildID: *guild, Name: *name, Interval: *interval, CreatedBy: "cli", Keep: *keep})
	if errors.Is(err, knowledge.ErrFeedUnreadable) {
		return knowledge.WrapError(knowledge.ErrorCode(err),
			knowledge.ErrorMessage(err)+" Fix the address (or the site) and add it again, or follow it anyway with --keep.", err)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Following %s (feed %d).\n", f.URL, f.ID)
	if *noPoll {
		return nil
	}
	rep := p.PollFeed(ctx, *f)
	printFeedReport(e.stdout, rep)
	if rep.Err != nil {
		fmt.Fprintln(e.stdout, "The feed stays on the list and will be tried again; 'herald feed remove' drops it.")
		return exitError{1}
	}
	return nil
}

func runFeedChange(ctx context.Context, e *env, action string) error {
	fs := newFlags(e, "feed "+action, "URL|ID", map[string]string{
		"remove": "Stops following a feed. The articles it brought in stay.",
		"pause":  "Stops polling a feed until it is resumed.",
		"resume": "Polls a paused or disabled feed again, clearing its failures.",
	}[action])
	guild := fs.String("guild", "*", "only a feed of this Discord server ('' for the operator's)")
	dbFlag := dbPathFlag(fs)
	args, err := parseArgs(fs, e.args, oneArg)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, e, *dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	var f *knowledge.Feed
	switch action {
	case "remove":
		f, err = db.RemoveFeed(ctx, *guild, args[0])
	case "pause":
		f, err = db.PauseFeed(ctx, *guild, args[0])
	default:
		f, err = db.ResumeFeed(ctx, *guild, args[0])
	}
	if err != nil {
		return err
	}
	switch action {
	case "remove":
		fmt.Fprintf(e.stdout, "No longer following %s (feed %d); its %d articles stay.\n", f.URL, f.ID, f.Items)
	case "pause":
		fmt.Fprintf(e.stdout, "Paused %s (feed %d).\n", f.URL, f.ID)
	default:
		fmt.Fprintf(e.stdout, "Resumed %s (feed %d); it is polled at the next round ('herald feed poll' polls it now).\n", f.URL, f.ID)
	}
	return nil
}

// jsonFeed is one element of `herald feed list --json`.
type jsonFeed struct {
	knowledge.Feed
	Status   string `json:"status"`
	Outlet   string `json:"outlet"`
	Interval string `json:"interval"`
}

func runFeedList(ctx context.Context, e *env) error {
	fs := newFlags(e, "feed list", "", "Lists the feeds Herald follows, with their state and last error.")
	guild := fs.String("guild", "*", "only the feeds of this Discord server ('' for the operator's)")
	asJSON := fs.Bool("json", false, "print the feeds as a JSON array")
	dbFlag := dbPathFlag(fs)
	if _, err := parseFlags(fs, e.args); err != nil {
		return err
	}
	db, err := openDB(ctx, e, *dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	feeds, err := db.Feeds(ctx, *guild)
	if err != nil {
		return err
	}
	def, err := feedEnvDuration(e.getenv, "HERALD_FEED_INTERVAL", knowledge.DefaultFeedInterval)
	if err != nil {
		return err
	}
	if *asJSON {
		out := []jsonFeed{}
		for _, f := range feeds {
			iv := f.Interval
			if iv == 0 {
				iv = def
			}
			out = append(out, jsonFeed{Feed: f, Status: f.Status(), Outlet: f.Outlet(), Interval: iv.String()})
		}
		return writeJSON(e.stdout, out)
	}
	if len(feeds) == 0 {
		fmt.Fprintln(e.stdout, "No feeds. Follow one with 'herald feed add URL'.")
		return nil
	}
	for _, f := range feeds {
		printFeed(e.stdout, &f, def)
	}
	return nil
}

func printFeed(w io.Writer, f *knowledge.Feed, def time.Duration) {
	fmt.Fprintf(w, "%d  %-8s  %s  %s\n", f.ID, f.Status(), f.Outlet(), f.URL)
	owner := "operator"
	if f.GuildID != "" {
		owner = "server " + f.GuildID
	}
	iv := f.Interval
	if iv == 0 {
		iv = def
	}
	parts := []string{owner, "every " + shortDuration(iv), fmt.Sprintf("%d articles", f.Items)}
	if !f.LastPolledAt.IsZero() {
		parts = append(parts, "polled "+f.LastPolledAt.UTC().Format("2006-01-02 15:04 UTC"))
	} else {
		parts = append(parts, "never polled")
	}
	if f.Status() == knowledge.FeedActive && !f.NextPollAt.IsZero() {
		parts = append(parts, "next "+f.NextPollAt.UTC().Format("2006-01-02 15:04 UTC"))
	}
	fmt.Fprintf(w, "   %s\n", strings.Join(parts, " · "))
	if f.DisabledReason != "" {
		fmt.Fprintf(w, "   disabled: %s ('herald feed resume %d' tries again)\n", f.DisabledReason, f.ID)
	} else if f.LastError != "" {
		fmt.Fprintf(w, "   last error (%d in a row): %s\n", f.Failures, f.LastError)
	}
	if f.Warning != "" {
		fmt.Fprintf(w, "   note: %s\n", f.Warning)
	}
}

// shortDuration writes 30m0s as 30m and 2h0m0s as 2h.
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

// jsonFeedReport is one element of `herald feed poll --json`.
type jsonFeedReport struct {
	FeedID      int64             `json:"feed_id"`
	URL         string            `json:"url"`
	Outlet      string            `json:"outlet"`
	NotModified bool              `json:"not_modified"`
	Items       int               `json:"items"`
	New         []feed.ArticleRef `json:"new"`
	Updated     int               `json:"updated"`
	Skipped     int               `json:"skipped"`
	Warnings    []string          `json:"warnings,omitempty"`
	Error       string            `json:"error,omitempty"`
	Failures    int               `json:"failures"`
	Disabled    string            `json:"disabled,omitempty"`
}

func runFeedPoll(ctx context.Context, e *env) error {
	fs := newFlags(e, "feed poll", "", "Polls every feed that is due now and reports what came in.")
	all := fs.Bool("all", false, "poll every active feed, due or not")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	dbFlag := dbPathFlag(fs)
	if _, err := parseFlags(fs, e.args); err != nil {
		return err
	}
	db, err := openDB(ctx, e, *dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	p, err := newPoller(e, db, cliLogger(e))
	if err != nil {
		return err
	}
	var rep *feed.PollReport
	if *all {
		feeds, err := db.Feeds(ctx, "*")
		if err != nil {
			return err
		}
		var active []knowledge.Feed
		for _, f := range feeds {
			if f.Status() == knowledge.FeedActive {
				active = append(active, f)
			}
		}
		rep = p.PollFeeds(ctx, active)
	} else if rep, err = p.PollDue(ctx); err != nil {
		return err
	}
	if *asJSON {
		out := []jsonFeedReport{}
		for _, r := range rep.Feeds {
			j := jsonFeedReport{FeedID: r.Feed.ID, URL: r.Feed.URL, Outlet: r.Feed.Outlet(), NotModified: r.NotModified, Items: r.Items,
				New: r.New, Updated: r.Updated, Skipped: r.Skipped, Warnings: r.Warnings, Failures: r.Feed.Failures, Disabled: r.Feed.DisabledReason}
			if j.New == nil {
				j.New = []feed.ArticleRef{}
			}
			if r.Err != nil {
				j.Error = knowledge.ErrorMessage(r.Err)
			}
			out = append(out, j)
		}
		if err := writeJSON(e.stdout, out); err != nil {
			return err
		}
	} else {
		if len(rep.Feeds) == 0 {
			fmt.Fprintln(e.stdout, "No feed is due now ('herald feed poll --all' polls every feed).")
			return nil
		}
		for _, r := range rep.Feeds {
			printFeedReport(e.stdout, r)
		}
		fmt.Fprintf(e.stdout, "%d feeds polled: %d new articles, %d failed.\n", len(rep.Feeds), rep.Added(), rep.Failed())
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if rep.Failed() > 0 {
		return exitError{1}
	}
	return nil
}

func printFeedReport(w io.Writer, r feed.FeedReport) {
	name := r.Feed.Outlet()
	switch {
	case r.Err != nil:
		fmt.Fprintf(w, "%s: failed: %s", name, knowledge.ErrorMessage(r.Err))
		if r.Feed.DisabledReason != "" {
			fmt.Fprintf(w, " (disabled after %d failures in a row; 'herald feed resume %d' tries again)\n", r.Feed.Failures, r.Feed.ID)
		} else if r.Feed.Failures > 0 {
			fmt.Fprintf(w, " (%d in a row; next try %s)\n", r.Feed.Failures, r.Feed.NextPollAt.UTC().Format("2006-01-02 15:04 UTC"))
		} else {
			fmt.Fprintln(w)
		}
		return
	case r.NotModified:
		fmt.Fprintf(w, "%s: not modified\n", name)
	default:
		fmt.Fprintf(w, "%s: %d new of %d items", name, len(r.New), r.Items)
		if r.Skipped > 0 {
			fmt.Fprintf(w, " (%d seen before or left out)", r.Skipped)
		}
		fmt.Fprintln(w)
	}
	for _, a := range r.New {
		fmt.Fprintf(w, "  + [%d] %s\n", a.ID, a.Title)
	}
	for _, warn := range r.Warnings {
		fmt.Fprintf(w, "  note: %s\n", warn)
	}
}
