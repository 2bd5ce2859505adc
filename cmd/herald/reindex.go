package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/herald-bot/herald/knowledge"
)

func runReindex(ctx context.Context, e *env) error {
	fs := newFlags(e, "reindex", "", `Embeds every passage that has no vector of the embeddings model named by
HERALD_EMBED_MODEL (served at OPENAI_BASE_URL, with OPENAI_API_KEY if it needs
one), so that searches fuse BM25 with vector search. Stop it at any time (Ctrl-C):
what is done is kept, and running it again continues. After changing the model,
every passage is embedded again; searches use the new vectors as they come.`)
	batch := fs.Int("batch", knowledge.DefaultEmbedBatch, "passages embedded and saved at a time")
	dbFlag := dbPathFlag(fs)
	if _, err := parseArgs(e, fs, e.args, noArgs); err != nil {
		return err
	}
	if err := checkCount("--batch", *batch, "passages"); err != nil {
		return err
	}
	emb, err := newEmbedder(e, true)
	if err != nil {
		return err
	}
	db, err := openExistingDB(ctx, e, *dbFlag)
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
	p := newProgress(e, "reindex", "passages", 0)
	start := time.Now()
	n, err := db.EmbedMissing(ctx, emb, *batch, func(done, total int) { p.set(done, total, "") })
	p.clear()
	elapsed := time.Since(start)
	after, cerr := db.VectorCounts(context.WithoutCancel(ctx))
	if cerr != nil {
		return errors.Join(err, cerr)
	}
	switch {
	case errors.Is(err, context.Canceled):
		fmt.Fprintf(e.stdout, "Stopped after embedding %s; %d of %d passages have vectors. Run herald reindex again to continue.\n",
			plural(n, "passage", "passages"), after.Embedded, after.Passages)
		return err
	case err != nil:
		fmt.Fprintf(e.stdout, "Embedded %s before the failure; %d of %d passages have vectors. Run herald reindex again to continue.\n",
			plural(n, "passage", "passages"), after.Embedded, after.Passages)
		return err
	}
	fmt.Fprintf(e.stdout, "Embedded %s with %s (%d dimensions) in %.1fs; %d of %d passages have vectors.\n",
		plural(n, "passage", "passages"), emb.Model(), dim, elapsed.Seconds(), after.Embedded, after.Passages)
	return nil
}
