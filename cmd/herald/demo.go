package main

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/herald-bot/herald/knowledge"
)

// sampleArticle is the built-in sample: "Germany Blames Ukraine War Talks
// Leak on 'Individual Error'", Defense News, 5 March 2024.
//
//go:embed sample/defense-news-taurus-leak.md
var sampleArticle string

// sampleQuestion is what `herald demo` asks when given no question.
const sampleQuestion = "Why hasn't Scholz approved Taurus deliveries?"

func runDemo(ctx context.Context, e *env) error {
	fs := newFlags(e, "demo", "[QUESTION]", `Loads the built-in sample article (Defense News, 5 March 2024, on the leaked
German officers' call about Taurus missiles) into a temporary database and
answers a question about it: by default "`+sampleQuestion+`".
Needs no configuration and no network; your own database is not touched.`)
	asJSON := fs.Bool("json", false, "print the answer as JSON")
	args, err := parseFlags(e, fs, e.args)
	if err != nil {
		return err
	}
	question := strings.TrimSpace(strings.Join(args, " "))
	if question == "" {
		question = sampleQuestion
	}
	dir, err := os.MkdirTemp("", "herald-demo-")
	if err != nil {
		return knowledge.WrapError(knowledge.EINTERNAL, "Cannot create a temporary folder.", err)
	}
	defer os.RemoveAll(dir)
	db, err := knowledge.Open(ctx, filepath.Join(dir, "demo.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	db.Logger = e.logger
	a, err := knowledge.ParseTextArticle(sampleArticle)
	if err != nil {
		return err
	}
	if _, err := db.PutArticle(ctx, a); err != nil {
		return err
	}
	if !*asJSON {
		fmt.Fprintf(e.stdout, "Q: %s\n\n", question)
	}
	// The sample is from March 2024; answer as of a day after it, so the
	// recency prior treats it as news.
	f := knowledge.Filter{GuildID: "*", AsOf: a.PublishedAt.AddDate(0, 0, 1)}
	// The demo always answers extractively: no key, no network.
	an := &knowledge.Answerer{DB: db, Logger: db.Logger}
	_, err = ask(ctx, e, an, knowledge.Question{Text: question, Filter: f, Mode: knowledge.AskExtractive}, *asJSON)
	return err
}
