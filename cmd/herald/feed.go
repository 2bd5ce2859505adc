package main

import (
	"context"
	"errors"
	"fmt"
	"io"
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
	if len(e.args) == 0 || e.args[0] == "-h" || e.args[0] == "-help" || e.args[0] == "--help" || e.args[0] == "help" {
		w := e.stdout
		if len(e.args) == 0 {
			w = e.stderr
		}
		fmt.Fprintln(w, "Usage: herald feed add|remove|list|pause|resume|poll [flags] [URL|ID]")
		fmt.Fprintln(w)
		fmt.Fprintln(w, feedUsage)
		if len(e.args) == 0 {
			return exitError{exitUsage}
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
	fmt.Fprintf(e.stderr, "%s unknown feed command %q: use add, remove, list, pause, resume or poll.\n", e.errs.err("herald:"), sub)
	return exitError{exitUsage}
}

func runFeedAdd(ctx context.Context, e *env) error {
	fs := newFlags(e, "feed add", "URL", "Follows a feed, once a fetch shows Herald can read it. Its recent items are stored at once (unless --no-poll), then on its interval.")
	name := fs.String("name", "", "outlet `NAME` for the feed's articles (default: the feed's title)")
	interval := fs.String("interval", "", "time between polls (`DURATION`), from 5m to 7d (default $HERALD_FEED_INTERVAL or 30m)")
	guild := fs.String("guild", "", "Discord server `ID` the feed belongs to (default: the operator's, visible everywhere)")
	noPoll := fs.Bool("no-poll", false, "do not store the feed's items now")
	keep := fs.Bool("keep", false, "follow the feed even when it cannot be read now")
	dbFlag := dbPathFlag(fs)
	args, err := parseArgs(e, fs, e.args, oneArg)
	if err != nil {
		return err
	}
	every, err := feedInterval(*interval)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, e, *dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	p := newPoller(e, db, cliLogger(e))
	db.FeedCheck = p.CheckFeed
	f, err := db.AddFeed(ctx, knowledge.FeedSpec{URL: args[0], GuildID: *guild, Name: *name, Interval: every, CreatedBy: "cli", Keep: *keep})
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
	guild := fs.String("guild", "*", "only a feed of this Discord server `ID` ('' for the operator's; default: any)")
	dbFlag := dbPathFlag(fs)
	args, err := parseArgs(e, fs, e.args, oneArg)
	if err != nil {
		return err
	}
	db, err := openExistingDB(ctx, e, *dbFlag)
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
		fmt.Fprintf(e.stdout, "No longer following %s (feed %d); its %s stay.\n", f.URL, f.ID, plural(f.Items, "article", "articles"))
	case "pause":
		fmt.Fprintf(e.stdout, "Paused %s (feed %d).\n", f.URL, f.ID)
	default:
		fmt.Fprintf(e.stdout, "Resumed %s (feed %d); it is polled at the next round ('herald feed poll' polls it now).\n", f.URL, f.ID)
	}
	return nil
}

func runFeedList(ctx context.Context, e *env) error {
	fs := newFlags(e, "feed list", "", "Lists the feeds Herald follows, with their state and last error.")
	guild := fs.String("guild", "*", "only the feeds of this Discord server `ID` ('' for the operator's; default: all)")
	asJSON := fs.Bool("json", false, "print the feeds as a JSON array")
	dbFlag := dbPathFlag(fs)
	if _, err := parseArgs(e, fs, e.args, noArgs); err != nil {
		return err
	}
	db, err := openExistingDB(ctx, e, *dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	feeds, err := db.Feeds(ctx, *guild)
	if err != nil {
		return err
	}
	def := e.cfg.Feeds.Interval
	if *asJSON {
		out := []jsonFeed{}
		for _, f := range feeds {
			out = append(out, feedJSON(f, def))
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
	parts := []string{owner, "every " + shortDuration(iv), plural(f.Items, "article", "articles")}
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

// shortDuration writes 30m0s as 30m, 2h0m0s as 2h and 168h as 7d.
func shortDuration(d time.Duration) string {
	day := 24 * time.Hour
	if d >= day && d%day == 0 {
		return fmt.Sprintf("%dd", d/day)
	}
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
	if _, err := parseArgs(e, fs, e.args, noArgs); err != nil {
		return err
	}
	db, err := openExistingDB(ctx, e, *dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	p := newPoller(e, db, cliLogger(e))
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
		prog := newProgress(e, "feed poll", "feeds", len(active))
		p.OnPoll = func(r feed.FeedReport) { prog.add(1, r.Feed.URL) }
		rep = p.PollFeeds(ctx, active)
		prog.clear()
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
		fmt.Fprintf(e.stdout, "%s polled: %s, %d failed.\n", plural(len(rep.Feeds), "feed", "feeds"), plural(rep.Added(), "new article", "new articles"), rep.Failed())
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if rep.Failed() > 0 {
		return exitError{1}
	}
	return nil
}

// feedInterval checks feed add's --interval: empty is the default (0),
// anything else lies within the feed interval limits.
func feedInterval(v string) (time.Duration, error) {
	if strings.TrimSpace(v) == "" {
		return 0, nil
	}
	d, err := parseDurationValue(strings.TrimSpace(v))
	if err != nil {
		return 0, knowledge.Errorf(knowledge.EINVALID, "--interval %q is not a duration such as 30m, 2h or 1d.", v)
	}
	if msg := checkDuration(d, knowledge.MinFeedInterval, knowledge.MaxFeedInterval, false); msg != "" {
		return 0, knowledge.Errorf(knowledge.EINVALID, "--interval %s %s", v, msg)
	}
	return d, nil
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
		fmt.Fprintf(w, "%s: %d new of %s", name, len(r.New), plural(r.Items, "item", "items"))
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
