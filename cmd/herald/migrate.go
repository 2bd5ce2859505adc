package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/herald-bot/herald/knowledge"
)

func runMigrate(ctx context.Context, e *env) error {
	fs := newFlags(e, "migrate", "--to postgres://USER:PASSWORD@HOST:5432/DATABASE", `Copies the SQLite database (HERALD_DB, or --db) into an empty PostgreSQL
database: articles with their text and dates, feeds and their items, digest
schedules and posts, conversations, answers and votes, feed posts, servers,
vectors and the search index, keeping every id. Stop herald serve and feed
polls first: the copy refuses to finish when the file changed meanwhile. Stop
it at any time (Ctrl-C): running it again continues. Then set HERALD_DB to the
PostgreSQL URL.`)
	to := fs.String("to", "", "the PostgreSQL `URL` to copy into (postgres://… or postgresql://…)")
	dbFlag := dbPathFlag(fs)
	if _, err := parseArgs(e, fs, e.args, noArgs); err != nil {
		return err
	}
	if !knowledge.IsPostgresURL(*to) {
		return knowledge.Errorf(knowledge.EINVALID, "Give the PostgreSQL database to copy into with --to postgres://user:password@host:5432/database.")
	}
	from := e.cfg.dbPath(*dbFlag)
	if knowledge.IsPostgresURL(from) {
		return knowledge.Errorf(knowledge.EINVALID, "herald migrate copies a SQLite database file into PostgreSQL, and HERALD_DB (or --db) is already a PostgreSQL URL.")
	}
	src, err := openDB(ctx, e, *dbFlag)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := knowledge.Open(ctx, *to)
	if err != nil {
		return err
	}
	defer dst.Close()
	dst.Logger = e.logger
	p := newProgress(e, "migrate", "rows", 0)
	start := time.Now()
	rep, err := src.CopyTo(ctx, dst, func(s knowledge.CopyStep) { p.set(int(s.Done), int(s.Total), s.Table) })
	p.clear()
	shown := knowledge.RedactURL(*to)
	if errors.Is(err, context.Canceled) {
		fmt.Fprintf(e.stdout, "Stopped; what was copied into %s is kept. Run herald migrate again to continue.\n", shown)
		return err
	}
	if err != nil {
		return err
	}
	var parts []string
	for _, t := range []struct{ table, one, many string }{
		{"articles", "article", "articles"}, {"passages", "passage", "passages"}, {"feeds", "feed", "feeds"},
		{"digest_schedules", "digest schedule", "digest schedules"}, {"conversation_turns", "conversation turn", "conversation turns"},
		{"posted_answers", "answer", "answers"}, {"answer_votes", "vote", "votes"}, {"feed_posts", "feed post", "feed posts"},
		{"passage_vectors", "vector", "vectors"},
	} {
		if n := rep.Rows[t.table]; n > 0 {
			parts = append(parts, plural(int(n), t.one, t.many))
		}
	}
	what := "nothing new"
	if len(parts) > 0 {
		what = strings.Join(parts, ", ")
	}
	verb := "Copied"
	if rep.Resumed {
		verb = "Continued the copy:"
	}
	fmt.Fprintf(e.stdout, "%s %s into %s in %.1fs, with the search index.\n", verb, what, shown, time.Since(start).Seconds())
	if rep.Repaired > 0 {
		fmt.Fprintf(e.stdout, "%s held bytes PostgreSQL does not store (invalid UTF-8 or NUL) and were repaired.\n", plural(rep.Repaired, "text value", "text values"))
	}
	fmt.Fprintf(e.stdout, "Set HERALD_DB=%s to run Herald on it.\n", shown)
	return nil
}
