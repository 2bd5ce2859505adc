package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/herald-bot/herald/knowledge"
	"github.com/herald-bot/herald/knowledge/llm"
)

func runReindex(ctx context.Context, e *env) error {
	fs := newFlags(e, "reindex", "", `Embeds every passage that has no vector of the embeddings model named by
HERALD_EMBED_MODEL (served at OPENAI_BASE_URL, with OPENAI_API_KEY if it needs
one), so that searches fuse BM25 with vector search. Stop it at any time (Ctrl-C):
what is done is kept, and running it again continues. After changing the model,
every passage is embedded again; searches use the new vectors as they come.`)
	batch := fs.Int("batch", knowledge.DefaultEmbedBatch, "passages embedded and saved at a time")
	dbFlag := dbPathFlag(fs)
	_, err := parseArgs(fs, e.args, noArgs)
	if err != nil {
		return err
	}
	emb, err := newEmbedder(e)
	if err != nil {
		return err
	}
	if emb == nil {
		return knowledge.Errorf(knowledge.EINVALID, "Reindexing needs an embeddings model: set HERALD_EMBED_MODEL, "+
			"e.g. nomic-embed-text with Ollama (OPENAI_BASE_URL=http://localhost:11434/v1) or text-embedding-3-small with OPENAI_API_KEY.")
	}
	db, err := openDB(ctx, e, *dbFlag)
	if err != nil {
		return err
	}
	defer db.Close()
	before, err := db.VectorCounts(ctx)
	if err != nil {
		return err
	}
	dim, err := db.ProbeVectorSpace(ctx, emb)
	if err != nil {
		return err
	}
	if before.Model != "" && (before.Model != emb.Model() || before.Dim != dim) {
		fmt.Fprintf(e.stdout, "The embeddings model changed from %s (%d dimensions) to %s (%d dimensions): every passage is embedded again.\n",
			before.Model, before.Dim, emb.Model(), dim)
	}
	p := newProgress(e.stderr)
	start := time.Now()
	n, err := db.EmbedMissing(ctx, emb, *batch, p.embedded)
	p.clear()
	elapsed := time.Since(start)
	after, cerr := db.VectorCounts(context.WithoutCancel(ctx))
	if cerr != nil {
		return errors.Join(err, cerr)
	}
	switch {
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(e.stdout, "Stopped after embedding %d passages; %d of %d passages have vectors. Run herald reindex again to continue.\n",
			n, after.Embedded, after.Passages)
		return err
	case err != nil:
		fmt.Fprintf(e.stdout, "Embedded %d passages before the failure; %d of %d passages have vectors. Run herald reindex again to continue.\n",
			n, after.Embedded, after.Passages)
		return err
	}
	fmt.Fprintf(e.stdout, "Embedded %d passages with %s (%d dimensions) in %.1fs; %d of %d passages have vectors.\n",
		n, emb.Model(), dim, elapsed.Seconds(), after.Embedded, after.Passages)
	return nil
}

// newEmbedder returns the embeddings model named by HERALD_EMBED_MODEL,
// served at OPENAI_BASE_URL with OPENAI_API_KEY (see llmConfig), or nil
// when none is configured.
func newEmbedder(e *env) (knowledge.Embedder, error) {
	if strings.TrimSpace(e.getenv("HERALD_EMBED_MODEL")) == "" {
		return nil, nil
	}
	cfg, ok, err := llmConfig(e, newLogger(e.getenv, e.stderr))
	if err != nil || !ok {
		return nil, err
	}
	client, err := llm.New(cfg)
	if err != nil {
		return nil, err
	}
	return client.Embedder(), nil
}

// embedded draws a bar of embedded passages on a terminal, at most ten
// times a second; elsewhere it writes a line at every tenth of the way.
func (p *progress) embedded(done, total int) {
	if total <= 0 {
		return
	}
	now := time.Now()
	if !p.tty {
		if step := done * 10 / total; step > p.n || done == total {
			p.n = step
			fmt.Fprintf(p.w, "%d of %d passages embedded\n", done, total)
		}
		return
	}
	if done < total && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last = now
	const width = 30
	filled := done * width / total
	line := fmt.Sprintf("\r\033[K[%s%s] %d/%d passages embedded", strings.Repeat("=", filled), strings.Repeat(" ", width-filled), done, total)
	if secs := now.Sub(p.start).Seconds(); done > 0 && secs > 0 {
		rate := float64(done) / secs
		line += fmt.Sprintf(" (%.0f/s, %s left)", rate, time.Duration(float64(total-done)/rate*float64(time.Second)).Round(time.Second))
	}
	fmt.Fprint(p.w, line)
	p.drawn = true
}
