package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/herald-bot/herald/knowledge"
)

func runIngest(ctx context.Context, e *env) error {
	fs := newFlags(e, "ingest", "PATH|URL...", `Adds articles: .txt and .md files (headline on the first line or in front matter
with title, url, source, published_at), .html pages, .json/.jsonl corpus records
({"id","url","title","text","published_at","source"}), folders (recursively) and
http(s) URLs. Storing the same article again updates it instead of duplicating it.
Bad items are reported one line each; the rest still go in.`)
	quiet := fs.Bool("q", false, "print only failures and the summary")
	source := fs.String("source", "", "outlet name for inputs that do not name one")
	dbFlag := dbPathFlag(fs)
	args, err := parseArgs(fs, e.args, someArg)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, e, *dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	in := newIngester(e, db)
	in.Source = *source
	p := newProgress(e.stderr)
	start := time.Now()
	sum, err := in.Ingest(ctx, args, func(ev knowledge.IngestEvent) {
		if ev.Err != nil {
			p.clear()
			fmt.Fprintf(e.stderr, "failed  %s: %s\n", ev.Item, knowledge.ErrorMessage(ev.Err))
			return
		}
		if ev.Empty {
			p.clear()
			fmt.Fprintf(e.stderr, "empty   %s: the file holds no articles\n", ev.Item)
			return
		}
		if p.tty {
			p.tick()
		} else if !*quiet {
			fmt.Fprintf(e.stdout, "%-9s %s (id %d): %s\n", ev.Status, ev.Item, ev.ArticleID, ev.Title)
		}
	})
	p.clear()
	elapsed := time.Since(start)
	fmt.Fprintf(e.stdout, "%d added, %d updated, %d unchanged, %d failed", sum.Added, sum.Updated, sum.Unchanged, sum.Failed)
	if sum.Empty > 0 {
		fmt.Fprintf(e.stdout, ", %d empty", sum.Empty)
	}
	if sum.Skipped > 0 {
		fmt.Fprintf(e.stdout, ", %d other files skipped", sum.Skipped)
	}
	fmt.Fprintf(e.stdout, " in %.1fs.\n", elapsed.Seconds())
	if err != nil {
		return err
	}
	if sum.Failed > 0 {
		return exitError{1}
	}
	return nil
}

// progress draws a one-line counter on a terminal, at most ten times a second.
type progress struct {
	w     io.Writer
	tty   bool
	n     int
	start time.Time
	last  time.Time
	drawn bool
}

func newProgress(w io.Writer) *progress {
	return &progress{w: w, start: time.Now(), tty: isTerminal(w)}
}

func (p *progress) tick() {
	p.n++
	if now := time.Now(); now.Sub(p.last) >= 100*time.Millisecond {
		p.last = now
		rate := float64(p.n) / now.Sub(p.start).Seconds()
		fmt.Fprintf(p.w, "\r\033[K%d articles stored (%.0f/s)", p.n, rate)
		p.drawn = true
	}
}

func (p *progress) clear() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
}
