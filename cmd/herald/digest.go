package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/herald-bot/herald/knowledge"
)

// newDigestScheduler builds the daily digest scheduler; post sends a
// digest to a Discord channel (the bot supplies it). A missed digest is
// posted when Herald comes back within HERALD_DIGEST_CATCH_UP.
func newDigestScheduler(e *env, db *knowledge.DB, post func(ctx context.Context, channelID string, d *knowledge.Digest) error) (*knowledge.DigestScheduler, error) {
	dg, err := newDigester(e, db, knowledge.AskAuto, true)
	if err != nil {
		return nil, err
	}
	return &knowledge.DigestScheduler{DB: db, Digester: dg, Post: post, CatchUp: e.cfg.DigestCatchUp, Lease: e.cfg.Lease, Logger: db.Logger}, nil
}

func runDigest(ctx context.Context, e *env) error {
	fs := newFlags(e, "digest", "", `Prints the digest of a period: the stories of the articles published in it, one
story per event however many outlets carry it, ranked by how many outlets do and
how recent they are, each with a headline, its lead sentence with a citation,
and its reports with their outlets and times. An article without a date is in
a digest only when a feed brought it in the period, never from an import.`)
	since := fs.String("since", "24h", "start of the period (`WHEN`): a duration back from its end (24h, 7d) or a date (YYYY-MM-DD or RFC 3339)")
	until := fs.String("until", "", "end of the period (`WHEN`): a duration back from now or a date (default: now)")
	limit := fs.Int("n", knowledge.DefaultDigestStories, "most stories")
	mode := fs.String("mode", "auto", "who writes the stories (`MODE`): auto (the model when one is configured), llm or extractive")
	guild := fs.String("guild", "*", "the digest the Discord server `ID` would get (default: every article)")
	asJSON := fs.Bool("json", false, `print {"since", "until", "mode", "stories": [{"headline", "summary", "outlets", "citations", "articles"}]}`)
	dbFlag := dbPathFlag(fs)
	if _, err := parseArgs(e, fs, e.args, noArgs); err != nil {
		return err
	}
	if err := checkCount("-n", *limit, "stories"); err != nil {
		return err
	}
	if _, err := checkMode(*mode); err != nil {
		return err
	}
	now := time.Now()
	to := now
	var err error
	if *until != "" {
		if to, err = parseWhen("--until", *until, now); err != nil {
			return err
		}
	}
	// A duration counts back from the period's end: --until 2024-06-12
	// --since 24h is the day before.
	from, err := parseWhen("--since", *since, to)
	if err != nil {
		return err
	}
	if err := checkRange(from, to); err != nil {
		return err
	}
	db, err := openExistingDB(ctx, e, *dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	dg, err := newDigester(e, db, *mode, false)
	if err != nil {
		return err
	}
	d, err := dg.Build(ctx, knowledge.DigestRequest{GuildID: *guild, Since: from, Until: to, MaxStories: *limit, Mode: *mode})
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, digestJSON(d))
	}
	printDigest(e.stdout, e.out, d)
	return nil
}

// printDigest renders a digest for a terminal.
func printDigest(w io.Writer, st style, d *knowledge.Digest) {
	period := fmt.Sprintf("%s to %s", d.Since.Local().Format("2006-01-02 15:04"), d.Until.Local().Format("2006-01-02 15:04"))
	if len(d.Stories) == 0 {
		fmt.Fprintf(w, "No stories from %s.\n", period)
		return
	}
	fmt.Fprintf(w, "%s\n", st.bold(fmt.Sprintf("Digest, %s: %s", period, plural(len(d.Stories), "story", "stories"))))
	if d.Note != "" {
		fmt.Fprintf(w, "%s\n", st.dim("("+d.Note+")"))
	}
	for i, s := range d.Stories {
		fmt.Fprintf(w, "\n%s (%s)\n", st.bold(fmt.Sprintf("%d. %s", i+1, s.Headline)), plural(s.Outlets, "outlet", "outlets"))
		fmt.Fprintf(w, "   %s\n", s.Summary)
		// A cited report is marked in the list of reports with its
		// number; only a citation of an article not listed gets a line
		// of its own.
		marks, quotes := map[int64]string{}, map[int64]string{}
		listed := map[int64]bool{}
		for _, a := range s.Articles {
			listed[a.ID] = true
		}
		for _, c := range s.Citations {
			quote := ""
			if c.Quote != "" && !strings.Contains(s.Summary, c.Quote) {
				quote = fmt.Sprintf("\n       “%s”", c.Quote)
			}
			if listed[c.ArticleID] {
				marks[c.ArticleID] += st.bold(fmt.Sprintf("[%d]", c.N)) + " "
				quotes[c.ArticleID] += quote
				continue
			}
			fmt.Fprintf(w, "   %s %s%s\n", st.bold(fmt.Sprintf("[%d]", c.N)), sourceLine(c.Title, c.Source, c.PublishedAt), quote)
		}
		for _, a := range s.Articles {
			line := sourceLine(a.Title, a.Source, a.PublishedAt)
			if a.PublishedAt.IsZero() && !a.SeenAt.IsZero() {
				line += ", first seen in its feed " + a.SeenAt.UTC().Format("2006-01-02 15:04") + " UTC"
			} else if t := a.PublishedAt.UTC(); !t.IsZero() && t != t.Truncate(24*time.Hour) {
				line += " " + t.Format("15:04") + " UTC" // a date without a time of day shows none
			}
			if m := marks[a.ID]; m != "" {
				fmt.Fprintf(w, "   %s%s%s\n", m, line, quotes[a.ID])
			} else {
				fmt.Fprintf(w, "   - %s\n", line)
			}
			if a.URL != "" {
				fmt.Fprintf(w, "     %s\n", st.dim(a.URL))
			}
			for _, u := range a.OtherURLs {
				fmt.Fprintf(w, "     %s\n", st.dim(otherURLLine(u)))
			}
		}
	}
}
