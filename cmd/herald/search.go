package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/herald-bot/herald/knowledge/text"
)

func runSearch(ctx context.Context, e *env) error {
	fs := newFlags(e, "search", "QUERY", "Shows the stored passages that best match a query, grouped by article, best first.")
	var ff filterFlags
	ff.register(fs)
	limit := fs.Int("n", 10, "number of articles to show")
	asJSON := fs.Bool("json", false, "print the hits as JSON")
	dbFlag := dbPathFlag(fs)
	query, err := parseText(e, fs, e.args)
	if err != nil {
		return err
	}
	if err := checkCount("-n", *limit, "articles to show"); err != nil {
		return err
	}
	f, err := ff.filter(time.Now())
	if err != nil {
		return err
	}
	f.Limit = *limit
	db, err := openExistingDB(ctx, e, *dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := checkSources(ctx, db, f); err != nil {
		return err
	}
	hits, err := db.Search(ctx, query, f)
	if err != nil {
		return err
	}
	out := []jsonHit{}
	rank := 0
	var last int64 = -1
	for _, h := range hits {
		if h.Article.ID != last {
			rank++
			last = h.Article.ID
		}
		out = append(out, jsonHit{Rank: rank, Score: h.Score, ArticleID: h.Article.ID, Title: h.Article.Title, Source: h.Article.Source,
			URL: h.Article.URL, PublishedAt: jsonTime(h.Article.PublishedAt), PassageID: h.Passage.ID, Text: h.Passage.Text})
	}
	if *asJSON {
		return writeJSON(e.stdout, out)
	}
	if len(out) == 0 {
		fmt.Fprintln(e.stdout, "No matching passages.")
		return nil
	}
	last = -1
	for _, h := range out {
		if h.ArticleID != last {
			last = h.ArticleID
			fmt.Fprintf(e.stdout, "\n%s %s\n", e.out.bold(fmt.Sprintf("%d. [%d]", h.Rank, h.ArticleID)), sourceLine(h.Title, h.Source, time.Time(h.PublishedAt)))
			if h.URL != "" {
				fmt.Fprintf(e.stdout, "   %s\n", e.out.dim(h.URL))
			}
		}
		fmt.Fprintf(e.stdout, "   %s %s\n", e.out.dim(fmt.Sprintf("(%.2f)", h.Score)), text.Snippet(strings.Join(strings.Fields(h.Text), " "), 300))
	}
	return nil
}
