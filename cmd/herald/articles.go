package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/herald-bot/herald/knowledge"
)

func runArticles(ctx context.Context, e *env) error {
	fs := newFlags(e, "articles", "", "Lists the stored articles, newest first.")
	var ff filterFlags
	ff.register(fs)
	limit := fs.Int("n", 50, "most articles to list (0 for all)")
	asJSON := fs.Bool("json", false, "print the articles as a JSON array")
	dbFlag := dbPathFlag(fs)
	if _, err := parseArgs(e, fs, e.args, noArgs); err != nil {
		return err
	}
	if *limit < 0 {
		return knowledge.Errorf(knowledge.EINVALID, "-n %d is not a number of articles: give 1 or more, or 0 for all.", *limit)
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
	arts, err := db.Articles(ctx, f)
	if err != nil {
		return err
	}
	if *asJSON {
		out := []jsonArticle{}
		for _, a := range arts {
			out = append(out, jsonArticle{ID: a.ID, URL: a.URL, Title: a.Title, Source: a.Source, PublishedAt: jsonTime(a.PublishedAt), URLs: urlsJSON(a),
				Language: a.Language})
		}
		return writeJSON(e.stdout, out)
	}
	if len(arts) == 0 {
		fmt.Fprintln(e.stdout, "No articles stored. Add some with 'herald ingest PATH|URL'.")
		return nil
	}
	for _, a := range arts {
		fmt.Fprintf(e.stdout, "%s  %s\n", e.out.bold(fmt.Sprintf("%6d", a.ID)), sourceLine(a.Title, a.Source, a.PublishedAt))
		if a.URL != "" {
			fmt.Fprintf(e.stdout, "        %s\n", e.out.dim(a.URL))
		}
		for _, u := range a.OtherURLs {
			fmt.Fprintf(e.stdout, "        %s\n", e.out.dim(otherURLLine(u)))
		}
	}
	return nil
}

// otherURLLine is "also at URL (Outlet)": one more address of an article.
func otherURLLine(u knowledge.ArticleURL) string {
	s := "also at " + u.URL
	if u.Source != "" {
		s += " (" + u.Source + ")"
	}
	return s
}

func runRemove(ctx context.Context, e *env) error {
	fs := newFlags(e, "remove", "ID|URL...", "Deletes articles (by the id 'herald articles' shows, or by URL) with their passages.")
	dbFlag := dbPathFlag(fs)
	args, err := parseArgs(e, fs, e.args, someArg)
	if err != nil {
		return err
	}
	db, err := openExistingDB(ctx, e, *dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	failed := false
	for _, arg := range args {
		id, perr := strconv.ParseInt(strings.TrimSpace(arg), 10, 64)
		if perr != nil {
			a, err := db.ArticleByURL(ctx, arg, "*")
			if err != nil {
				fmt.Fprintf(e.stderr, "%s %s\n", e.errs.err(arg+":"), e.explain("cannot remove an article", err, "article", arg))
				failed = true
				continue
			}
			id = a.ID
		}
		if err := db.RemoveArticle(ctx, id); err != nil {
			fmt.Fprintf(e.stderr, "%s %s\n", e.errs.err(arg+":"), e.explain("cannot remove an article", err, "article", arg))
			failed = true
			continue
		}
		fmt.Fprintf(e.stdout, "Removed article %d.\n", id)
	}
	if failed {
		return exitError{1}
	}
	return nil
}
