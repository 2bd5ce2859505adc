package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/herald-bot/herald/knowledge"
)

func runIngest(ctx context.Context, e *env) error {
	fs := newFlags(e, "ingest", "PATH|URL...", `Adds articles: .txt and .md files (headline on the first line or in front matter
with title, url, source, published_at), .html pages, .json/.jsonl corpus records
({"id","url","title","text","published_at","source"}), folders (recursively) and
http(s) URLs. Storing the same article again updates it instead of duplicating it.
Bad items are reported one line each; the rest still go in. On a terminal a
progress line shows how far it is; elsewhere a line every 10 seconds.`)
	quiet := fs.Bool("q", false, "print only failures and the summary")
	source := fs.String("source", "", "outlet `NAME` for inputs that do not name one")
	dbFlag := dbPathFlag(fs)
	args, err := parseArgs(e, fs, e.args, someArg)
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
	start := time.Now()
	sum, err := ingestWithProgress(ctx, e, in, args, "ingest", func(ev knowledge.IngestEvent, p *progress) {
		if ev.Err != nil {
			p.clear()
			fmt.Fprintf(e.stderr, "%s %s: %s\n", e.errs.err("failed"), ev.Item, e.explain("cannot ingest an item", ev.Err, "item", ev.Item))
			return
		}
		if ev.Empty {
			p.clear()
			fmt.Fprintf(e.stderr, "empty   %s: the file holds no articles\n", ev.Item)
			return
		}
		if !p.tty && !*quiet {
			fmt.Fprintf(e.stdout, "%-9s %s (id %d): %s\n", ev.Status, ev.Item, ev.ArticleID, ev.Title)
		}
	})
	elapsed := time.Since(start)
	fmt.Fprintf(e.stdout, "%d added", sum.Added)
	if sum.Merged > 0 {
		// Same text under another address: kept as one more address.
		fmt.Fprintf(e.stdout, ", %d merged", sum.Merged)
	}
	fmt.Fprintf(e.stdout, ", %d updated, %d unchanged, %d failed", sum.Updated, sum.Unchanged, sum.Failed)
	if sum.Empty > 0 {
		fmt.Fprintf(e.stdout, ", %d empty", sum.Empty)
	}
	if sum.Skipped > 0 {
		fmt.Fprintf(e.stdout, ", %s skipped", plural(sum.Skipped, "other file", "other files"))
	}
	fmt.Fprintf(e.stdout, " in %.1fs", elapsed.Seconds())
	if n := sum.Total(); n > 0 && elapsed > 0 {
		fmt.Fprintf(e.stdout, " (%.0f/s)", float64(n)/elapsed.Seconds())
	}
	fmt.Fprintln(e.stdout, ".")
	if err != nil {
		return err
	}
	if sum.Failed > 0 {
		return exitError{1}
	}
	return nil
}

// ingestWithProgress ingests inputs with a progress report: the items
// (files, URLs, corpus records) are counted first, so the report knows
// the total; each event is then passed to report.
func ingestWithProgress(ctx context.Context, e *env, in *knowledge.Ingester, inputs []string, label string, report func(knowledge.IngestEvent, *progress)) (knowledge.IngestSummary, error) {
	p := newProgress(e, label, "items", countItems(ctx, inputs))
	defer p.clear()
	return in.Ingest(ctx, inputs, func(ev knowledge.IngestEvent) {
		if report != nil {
			report(ev, p)
		}
		p.add(1, ev.Item)
	})
}

// ingestible are the file types the ingester reads (see knowledge.Ingester).
var ingestible = map[string]bool{".txt": true, ".md": true, ".markdown": true, ".html": true, ".htm": true, ".json": true, ".jsonl": true, ".ndjson": true}

// countItems counts what ingesting inputs will report: one per URL and
// file, one per record of a JSON Lines or JSON array file. It is a
// forecast for the progress report (0 when it cannot tell), never an error.
func countItems(ctx context.Context, inputs []string) int {
	n := 0
	for _, in := range inputs {
		if ctx.Err() != nil {
			return 0
		}
		if strings.HasPrefix(in, "http://") || strings.HasPrefix(in, "https://") {
			n++
			continue
		}
		info, err := os.Stat(in)
		if err != nil || !info.IsDir() {
			n += countFile(in)
			continue
		}
		_ = filepath.WalkDir(in, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				n++ // reported as a failure
				return nil
			}
			if p != in && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.IsDir() && ingestible[strings.ToLower(filepath.Ext(p))] {
				n += countFile(p)
			}
			return ctx.Err()
		})
	}
	return n
}

// countFile is the number of items one file yields.
func countFile(path string) int {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".jsonl", ".ndjson":
		f, err := os.Open(path)
		if err != nil {
			return 1
		}
		defer f.Close()
		return countRecords(f)
	case ".json":
		data, err := os.ReadFile(path)
		if err != nil {
			return 1
		}
		var arr []json.RawMessage
		if json.Unmarshal(data, &arr) == nil {
			return max(len(arr), 1)
		}
	}
	return 1
}

// countRecords counts the lines of r that are not blank.
func countRecords(r io.Reader) int {
	br := bufio.NewReaderSize(r, 1<<20)
	n := 0
	blank := true
	for {
		chunk, err := br.ReadSlice('\n')
		if len(bytes.TrimSpace(chunk)) > 0 {
			blank = false
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if len(chunk) > 0 && chunk[len(chunk)-1] == '\n' || err != nil {
			if !blank {
				n++
			}
			blank = true
		}
		if err != nil {
			return n
		}
	}
}
