package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/herald-bot/herald/knowledge"
)

// newDigester builds the digest maker with the same model and prompts as
// the answerer (see newAnswerer).
func newDigester(e *env, db *knowledge.DB) (*knowledge.Digester, error) {
	an, err := newAnswerer(e, db)
	if err != nil {
		return nil, err
	}
	return &knowledge.Digester{DB: db, Completer: an.Completer, Prompts: an.Prompts, ContextTokens: an.ContextTokens, Logger: db.Logger}, nil
}

// newDigestScheduler builds the daily digest scheduler; post sends a
// digest to a Discord channel (the bot supplies it). A missed digest is
// posted when Herald comes back within HERALD_DIGEST_CATCH_UP (default
// 6h). serve starts it with go scheduler.Run(ctx).
func newDigestScheduler(e *env, db *knowledge.DB, post func(ctx context.Context, channelID string, d *knowledge.Digest) error) (*knowledge.DigestScheduler, error) {
	dg, err := newDigester(e, db)
	if err != nil {
		return nil, err
	}
	catchUp, err := feedEnvDuration(e.getenv, "HERALD_DIGEST_CATCH_UP", 6*time.Hour)
	if err != nil {
		return nil, err
	}
	return &knowledge.DigestScheduler{DB: db, Digester: dg, Post: post, CatchUp: catchUp, Logger: db.Logger}, nil
}

func runDigest(ctx context.Context, e *env) error {
	fs := newFlags(e, "digest", "", `Prints the digest of a period: the stories of the articles published in it, one
story per event however many outlets carry it, ranked by how many outlets do and
how recent they are, each with a headline, a sentence or two with citations,
and links.`)
	since := fs.String("since", "24h", "start of the period: a duration back from now (24h, 7d) or a date (YYYY-MM-DD)")
	until := fs.String("until", "", "end of the period, a date (YYYY-MM-DD); default now")
	limit := fs.Int("n", knowledge.DefaultDigestStories, "most stories")
	mode := fs.String("mode", "auto", "who writes the stories: auto (the model when configured), llm or extractive")
	guild := fs.String("guild", "*", "the digest a Discord server would get (default: all articles)")
	asJSON := fs.Bool("json", false, `print {"stories": [{"headline", "summary", "citations", "articles"}]}`)
	dbFlag := dbPathFlag(fs)
	if _, err := parseArgs(fs, e.args, noArgs); err != nil {
		return err
	}
	now := time.Now()
	from, err := parseSince(*since, now)
	if err != nil {
		return err
	}
	to := now
	if *until != "" {
		if to, err = knowledge.ParseDate(*until); err != nil {
			return err
		}
	}
	db, err := openDB(ctx, e, *dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	dg, err := newDigester(e, db)
	if err != nil {
		return err
	}
	d, err := dg.Build(ctx, knowledge.DigestRequest{GuildID: *guild, Since: from, Until: to, MaxStories: *limit, Mode: *mode})
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, d)
	}
	printDigest(e.stdout, d)
	return nil
}

// printDigest renders a digest for a terminal.
func printDigest(w io.Writer, d *knowledge.Digest) {
	period := fmt.Sprintf("%s to %s", d.Since.Local().Format("2006-01-02 15:04"), d.Until.Local().Format("2006-01-02 15:04"))
	if len(d.Stories) == 0 {
		fmt.Fprintf(w, "No stories from %s.\n", period)
		return
	}
	fmt.Fprintf(w, "Digest, %s: %d stories\n", period, len(d.Stories))
	if d.Note != "" {
		fmt.Fprintf(w, "(%s)\n", d.Note)
	}
	for i, st := range d.Stories {
		outlets := "1 outlet"
		if st.Outlets != 1 {
			outlets = fmt.Sprintf("%d outlets", st.Outlets)
		}
		fmt.Fprintf(w, "\n%d. %s (%s)\n", i+1, st.Headline, outlets)
		fmt.Fprintf(w, "   %s\n", st.Summary)
		for _, c := range st.Citations {
			line := fmt.Sprintf("   [%d] %s", c.N, sourceLine(c.Title, c.Source, c.PublishedAt))
			if c.Quote != "" && !strings.Contains(st.Summary, c.Quote) {
				line += fmt.Sprintf("\n       “%s”", c.Quote)
			}
			fmt.Fprintln(w, line)
		}
		for _, a := range st.Articles {
			fmt.Fprintf(w, "   - %s\n", sourceLine(a.Title, a.Source, a.PublishedAt))
			if a.URL != "" {
				fmt.Fprintf(w, "     %s\n", a.URL)
			}
		}
	}
}
