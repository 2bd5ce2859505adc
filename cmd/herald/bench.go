package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/herald-bot/herald/internal/eval"
	"github.com/herald-bot/herald/knowledge"
	"github.com/herald-bot/herald/knowledge/text"
)

func runBench(ctx context.Context, e *env) error {
	help := len(e.args) > 0 && (e.args[0] == "-h" || e.args[0] == "-help" || e.args[0] == "--help" || e.args[0] == "help")
	if len(e.args) == 0 || (e.args[0] != "corpus" && e.args[0] != "run") {
		w := e.stderr
		if help {
			w = e.stdout
		}
		fmt.Fprint(w, `Usage: herald bench corpus|run [flags]

  corpus  writes a synthetic corpus (JSON Lines) of N articles recombined from
          the sentences of a real one, deterministic for a seed
  run     ingests a corpus and measures ingest speed, database size, memory,
          start-up time, retrieval and answer latency and retrieval quality

Run 'herald bench corpus --help' or 'herald bench run --help' for their flags.
`)
		if help {
			return nil
		}
		if len(e.args) > 0 {
			fmt.Fprintf(e.stderr, "%s unknown bench command %q: use corpus or run.\n", e.errs.err("herald:"), e.args[0])
		}
		return exitError{exitUsage}
	}
	sub := *e
	sub.args = e.args[1:]
	if e.args[0] == "corpus" {
		return runBenchCorpus(ctx, &sub)
	}
	return runBenchRun(ctx, &sub)
}

// sourceArticle is what the generator keeps of a real article.
type sourceArticle struct {
	title, source string
	sentences     []string
}

func runBenchCorpus(ctx context.Context, e *env) error {
	fs := newFlags(e, "bench corpus", "--from FILE --articles N", `Writes N synthetic articles in the corpus format, each a run of sentences
recombined from the articles of --from (a corpus.jsonl), with lengths drawn
from the real ones and dates spread over the year before --end. With
--include-source the real articles come first, unchanged, so that their
questions can still be answered among the synthetic ones.`)
	from := fs.String("from", "", "`FILE`: a corpus.jsonl whose sentences are recombined (required)")
	n := fs.Int("articles", 10000, "number of synthetic articles")
	seed := fs.Uint64("seed", 1, "random seed; the same seed gives the same corpus")
	out := fs.String("out", "", "output `FILE` (default: standard output)")
	end := fs.String("end", "2022-08-26", "latest publication `DATE` (YYYY-MM-DD)")
	include := fs.Bool("include-source", true, "write the real articles too")
	if _, err := parseArgs(e, fs, e.args, noArgs); err != nil {
		return err
	}
	if *from == "" {
		return usageError(e, fs, "missing --from FILE: the corpus whose sentences are recombined.")
	}
	if *n < 0 {
		return knowledge.Errorf(knowledge.EINVALID, "--articles %d is negative: give the number of synthetic articles to write.", *n)
	}
	if err := checkReadableFile("corpus", *from); err != nil {
		return err
	}
	endDate, err := knowledge.ParseDate(*end)
	if err != nil {
		return knowledge.Errorf(knowledge.EINVALID, "--end %q is not a date (YYYY-MM-DD).", *end)
	}
	var w io.Writer = e.stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return knowledge.WrapError(knowledge.EINVALID, "Cannot write "+*out+".", err)
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	defer bw.Flush()
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)

	var arts []sourceArticle
	in, err := os.Open(*from)
	if err != nil {
		return knowledge.WrapError(knowledge.EINVALID, "Cannot read "+*from+".", err)
	}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var rec knowledge.CorpusRecord
		if json.Unmarshal(sc.Bytes(), &rec) != nil || strings.TrimSpace(rec.Text) == "" {
			continue
		}
		if *include {
			if err := enc.Encode(rec); err != nil {
				in.Close()
				return err
			}
		}
		body := text.Normalize(rec.Text)
		var sents []string
		for _, sp := range text.Sentences(body) {
			sents = append(sents, body[sp.Start:sp.End])
		}
		if len(sents) > 0 {
			arts = append(arts, sourceArticle{title: rec.Title, source: rec.Source, sentences: sents})
		}
	}
	in.Close()
	if err := sc.Err(); err != nil {
		return knowledge.WrapError(knowledge.EINVALID, "Cannot read "+*from+".", err)
	}
	if len(arts) == 0 {
		return knowledge.Errorf(knowledge.EINVALID, "%s holds no articles.", *from)
	}
	rng := rand.New(rand.NewPCG(*seed, *seed^0x9e3779b97f4a7c15))
	year := 365 * 24 * time.Hour
	for i := 0; i < *n; i++ {
		if i%1000 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		shape := arts[rng.IntN(len(arts))]
		want := len(shape.sentences)
		var b strings.Builder
		para := 0
		for got := 0; got < want; {
			// Runs of consecutive sentences keep some local coherence.
			src := arts[rng.IntN(len(arts))]
			start := rng.IntN(len(src.sentences))
			run := 1 + rng.IntN(4)
			for k := start; k < len(src.sentences) && k < start+run && got < want; k++ {
				if b.Len() > 0 {
					if para >= 3 {
						b.WriteString("\n\n")
						para = 0
					} else {
						b.WriteByte(' ')
					}
				}
				b.WriteString(src.sentences[k])
				para++
				got++
			}
		}
		titleSrc := arts[rng.IntN(len(arts))]
		published := endDate.Add(-time.Duration(rng.Int64N(int64(year)))).Format("2006-01-02")
		rec := knowledge.CorpusRecord{
			ID:          fmt.Sprintf("synthetic-%d-%d", *seed, i),
			URL:         fmt.Sprintf("https://bench.invalid/%d/%d", *seed, i),
			Title:       titleSrc.title,
			Text:        b.String(),
			PublishedAt: &published,
			Source:      shape.source,
		}
		if err := enc.Encode(rec); err != nil {
			return err
		}
	}
	return nil
}

// benchReport is what `herald bench run --json` prints.
type benchReport struct {
	Articles          int     `json:"articles"`
	Passages          int     `json:"passages"`
	IngestSeconds     float64 `json:"ingest_seconds,omitempty"`
	ArticlesPerSecond float64 `json:"articles_per_second,omitempty"`
	TextMB            float64 `json:"text_mb"`
	DBMB              float64 `json:"db_mb"`
	DBToText          float64 `json:"db_to_text"`
	OpenMS            float64 `json:"open_ms"`
	SearchReadyMS     float64 `json:"search_ready_ms"`
	Questions         int     `json:"questions"`
	RetrievalP50      float64 `json:"retrieval_ms_p50"`
	RetrievalP95      float64 `json:"retrieval_ms_p95"`
	RetrievalMax      float64 `json:"retrieval_ms_max"`
	AskP95            float64 `json:"ask_ms_p95"`
	HitsAt10          float64 `json:"hits_at_10"`
	MRRAt10           float64 `json:"mrr_at_10"`
	BaselineHitsAt10  float64 `json:"baseline_hits_at_10"`
	BaselineMRRAt10   float64 `json:"baseline_mrr_at_10"`
	BaselineP95       float64 `json:"baseline_ms_p95"`
	PeakRSSMB         float64 `json:"peak_rss_mb"`
	RSSMB             float64 `json:"rss_mb"`
}

func runBenchRun(ctx context.Context, e *env) error {
	fs := newFlags(e, "bench run", "--queries FILE [--corpus FILE] [--db FILE]", `Ingests --corpus (streamed) into --db (a temporary database by default),
then answers every question of --queries as of its asked_at and reports
latency percentiles, retrieval quality against a plain full BM25 ranking of
the same passages, database size against the text it holds, and memory.`)
	set := registerEvalSet(fs, "database `FILE` to use (kept; default: a temporary one)")
	baseline := fs.Bool("baseline", true, "also rank with plain full BM25 for comparison")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of answering the questions to `FILE` (go tool pprof)")
	ingestProfile := fs.String("ingest-cpuprofile", "", "write a CPU profile of the ingest to `FILE`")
	if _, err := parseArgs(e, fs, e.args, noArgs); err != nil {
		return err
	}
	qs, path, cleanup, err := set.load(e, fs, "bench")
	if err != nil {
		return err
	}
	defer cleanup()
	var rep benchReport
	if *set.corpus != "" {
		db, err := openDB(ctx, e, path)
		if err != nil {
			return err
		}
		in := &knowledge.Ingester{DB: db, Logger: db.Logger, BatchSize: 512}
		stop, err := startCPUProfile(*ingestProfile)
		if err != nil {
			db.Close()
			return err
		}
		start := time.Now()
		sum, err := ingestCorpus(ctx, e, in, *set.corpus, "bench")
		stop()
		rep.IngestSeconds = time.Since(start).Seconds()
		db.Close()
		if err != nil {
			return err
		}
		rep.ArticlesPerSecond = float64(sum.Total()) / rep.IngestSeconds
	}
	// Start-up: open the database as serve does, then one query.
	start := time.Now()
	db, err := openExistingDB(ctx, e, path)
	if err != nil {
		return err
	}
	defer db.Close()
	rep.OpenMS = ms(time.Since(start))
	// As serve does: prepare searches at start; the questions are timed
	// once that is done (it is measured apart).
	start = time.Now()
	<-db.PrepareSearch()
	rep.SearchReadyMS = ms(time.Since(start))
	counts, err := db.Counts(ctx, "*")
	if err != nil {
		return err
	}
	rep.Articles, rep.Passages = counts.Articles, counts.Passages
	var textBytes int64
	// An article's text ends where its last passage ends (text is trimmed).
	if err := db.SQL().QueryRowContext(ctx, `SELECT coalesce(sum(m), 0) FROM (SELECT max(p."end") AS m FROM passages p GROUP BY p.article_id) t`).Scan(&textBytes); err != nil {
		return fmt.Errorf("measure the stored text: %w", err)
	}
	rep.TextMB = float64(textBytes) / (1 << 20)
	rep.DBMB = float64(fileSize(path)+fileSize(path+"-wal")) / (1 << 20)
	if knowledge.IsPostgresURL(path) {
		size, err := db.SizeBytes(ctx)
		if err != nil {
			return err
		}
		rep.DBMB = float64(size) / (1 << 20)
	}
	if textBytes > 0 {
		rep.DBToText = rep.DBMB / rep.TextMB
	}

	an := &knowledge.Answerer{DB: db, Logger: db.Logger}
	stop, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	ev, err := eval.Run(ctx, an, qs, knowledge.AskExtractive, nil)
	stop()
	if err != nil {
		return err
	}
	rep.Questions, rep.HitsAt10, rep.MRRAt10 = ev.Questions, ev.HitsAt10, ev.MRRAt10
	rep.RetrievalP50, rep.RetrievalP95, rep.RetrievalMax, rep.AskP95 = ev.LatencyP50, ev.LatencyP95, ev.LatencyMax, ev.AskP95
	if *baseline {
		var lat []float64
		answerable := 0
		for _, q := range qs {
			if len(q.GoldIDs) == 0 {
				continue
			}
			answerable++
			asOf := time.Now()
			if t, err := knowledge.ParseDate(q.AskedAt); err == nil {
				asOf = eval.EndOfDay(t)
			}
			t0 := time.Now()
			ids, err := plainBM25(ctx, db, q.Question, asOf)
			if err != nil {
				return err
			}
			lat = append(lat, ms(time.Since(t0)))
			h, r := rankOf(ids, q.GoldIDs)
			rep.BaselineHitsAt10 += h
			rep.BaselineMRRAt10 += r
		}
		if answerable > 0 {
			rep.BaselineHitsAt10 /= float64(answerable)
			rep.BaselineMRRAt10 /= float64(answerable)
		}
		rep.BaselineP95 = eval.Percentile(lat, 0.95)
	}
	rep.RSSMB, rep.PeakRSSMB = rssMB()
	if *asJSON {
		b, err := json.Marshal(rep)
		if err != nil {
			return fmt.Errorf("encode the report: %w", err)
		}
		fmt.Fprintln(e.stdout, string(b))
		return nil
	}
	w := e.stdout
	fmt.Fprintf(w, "articles %d, passages %d, text %.1f MB, database %.1f MB (%.2f x the text)\n", rep.Articles, rep.Passages, rep.TextMB, rep.DBMB, rep.DBToText)
	if rep.IngestSeconds > 0 {
		fmt.Fprintf(w, "ingest   %.1f s, %.0f articles/s\n", rep.IngestSeconds, rep.ArticlesPerSecond)
	}
	fmt.Fprintf(w, "open     %.1f ms; searches prepared in the background in %.0f ms\n", rep.OpenMS, rep.SearchReadyMS)
	fmt.Fprintf(w, "retrieve p50 %.1f ms, p95 %.1f ms, max %.1f ms over %d questions\n", rep.RetrievalP50, rep.RetrievalP95, rep.RetrievalMax, rep.Questions)
	fmt.Fprintf(w, "ask      p95 %.1f ms (extractive)\n", rep.AskP95)
	fmt.Fprintf(w, "quality  hits@10 %.3f, mrr@10 %.3f", rep.HitsAt10, rep.MRRAt10)
	if *baseline {
		fmt.Fprintf(w, "; plain full BM25: hits@10 %.3f, mrr@10 %.3f, p95 %.1f ms", rep.BaselineHitsAt10, rep.BaselineMRRAt10, rep.BaselineP95)
	}
	fmt.Fprintf(w, "\nmemory   rss %.0f MB, peak %.0f MB (%s/%s, %d cores)\n", rep.RSSMB, rep.PeakRSSMB, runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	return nil
}

// startCPUProfile profiles the process into path until stop is called;
// with no path it does nothing.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// plainBM25 is the reference ranking: BM25 over every term of the
// question, articles in the order of their best passage.
func plainBM25(ctx context.Context, db *knowledge.DB, question string, asOf time.Time) ([]string, error) {
	hits, err := db.PlainBM25(ctx, question, knowledge.Filter{GuildID: "*", AsOf: asOf, Limit: 10})
	if err != nil {
		return nil, err
	}
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.Article.ExternalID
		if out[i] == "" {
			out[i] = fmt.Sprint(h.Article.ID)
		}
	}
	return out, nil
}

// rankOf returns hits@10 (0 or 1) and the reciprocal rank of the first
// gold id among ids.
func rankOf(ids, gold []string) (float64, float64) {
	for i, id := range ids {
		if i == 10 {
			break
		}
		for _, g := range gold {
			if id == g {
				return 1, 1 / float64(i+1)
			}
		}
	}
	return 0, 0
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func fileSize(p string) int64 {
	fi, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// rssMB reads the resident and peak resident memory of this process
// (Linux; zero elsewhere).
func rssMB() (rss, peak float64) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		var kb float64
		if strings.HasPrefix(line, "VmRSS:") {
			fmt.Sscanf(strings.TrimPrefix(line, "VmRSS:"), "%f", &kb)
			rss = kb / 1024
		} else if strings.HasPrefix(line, "VmHWM:") {
			fmt.Sscanf(strings.TrimPrefix(line, "VmHWM:"), "%f", &kb)
			peak = kb / 1024
		}
	}
	return rss, peak
}
