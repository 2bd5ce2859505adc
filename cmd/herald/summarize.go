package main

import (
	"context"

	"github.com/herald-bot/herald/knowledge"
)

func runSummarize(ctx context.Context, e *env) error {
	fs := newFlags(e, "summarize", "ID|URL|TOPIC", `Summarises a stored article (by its id or URL) or what the articles say about a
topic, in a few sentences with numbered citations. With a language model the
summary is written from the summary prompt; without one, it quotes the
article's most central sentences in order.`)
	mode := fs.String("mode", "auto", "who writes the summary (`MODE`): auto (the model when one is configured), llm or extractive")
	guild := fs.String("guild", "*", "summarise as this Discord server `ID` sees the articles (default: every article)")
	asJSON := fs.Bool("json", false, "print the summary as JSON")
	dbFlag := dbPathFlag(fs)
	target, err := parseText(e, fs, e.args)
	if err != nil {
		return err
	}
	if _, err := checkMode(*mode); err != nil {
		return err
	}
	db, err := openExistingDB(ctx, e, *dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	s, err := newSummarizer(e, db, *mode, false)
	if err != nil {
		return err
	}
	ans, err := s.Summarize(ctx, knowledge.SummaryRequest{Target: target, GuildID: *guild, Mode: *mode})
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, summaryJSON(ans))
	}
	printAnswer(e.stdout, e.out, ans, true)
	return nil
}
