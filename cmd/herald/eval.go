package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/herald-bot/herald/internal/eval"
	"github.com/herald-bot/herald/knowledge"
)

func runEval(ctx context.Context, e *env) error {
	fs := newFlags(e, "eval", "--corpus FILE --queries FILE", `Measures retrieval and answers on an evaluation set (JSON Lines; see README).
The corpus goes into a fresh temporary database, or into --db; with --db and no
--corpus, the questions run against what that database holds. Every question is
answered as of its asked_at day: articles published later are not used.`)
	set := registerEvalSet(fs, "database `FILE` to use instead of a temporary one")
	asJSON := fs.Bool("json", false, "print the metrics as one JSON object")
	perQuery := fs.String("per-query", "", "write one JSON line per question to `FILE`")
	mode := fs.String("mode", "auto", "who writes the answers (`MODE`): auto (the model when configured), llm or extractive")
	tuning := fs.String("set", "", "override ranking and extraction `PARAMETERS`, e.g. candidates=200,budget=0.1,title=2,halflife=720h,floor=0.3,k1=1.2,b=0.75,second=0.3,sentences=3,keep=0.4,coverage=0.5")
	if _, err := parseArgs(e, fs, e.args, noArgs); err != nil {
		return err
	}
	if _, err := checkMode(*mode); err != nil {
		return err
	}
	qs, path, cleanup, err := set.load(e, fs, "eval")
	if err != nil {
		return err
	}
	defer cleanup()
	// With a corpus the database is made (or added to); without one the
	// questions run against what --db holds, so it must exist.
	open := openExistingDB
	if *set.corpus != "" {
		open = openDB
	}
	db, err := open(ctx, e, path)
	if err != nil {
		return err
	}
	defer db.Close()
	if *set.corpus != "" {
		in := newIngester(e, db)
		start := time.Now()
		sum, err := ingestCorpus(ctx, e, in, *set.corpus, "eval")
		if err != nil {
			return err
		}
		el := time.Since(start)
		fmt.Fprintf(e.stderr, "Ingested %s in %.2fs (%.0f/s), %d failed.\n",
			plural(sum.Stored(), "article", "articles"), el.Seconds(), float64(sum.Total())/el.Seconds(), sum.Failed)
	}
	var pq *bufio.Writer
	var pqFile *os.File
	if *perQuery != "" {
		pqFile, err = os.Create(*perQuery)
		if err != nil {
			return knowledge.WrapError(knowledge.EINVALID, "Cannot write "+*perQuery+".", err)
		}
		defer pqFile.Close() // on early returns; the end checks Close's error
		pq = bufio.NewWriter(pqFile)
	}
	// Many questions: prepare searches first, as serve does.
	<-db.PrepareSearch()
	an, err := newAnswerer(e, db, *mode, false)
	if err != nil {
		return err
	}
	if *tuning != "" {
		r, x, err := parseTuning(*tuning)
		if err != nil {
			return err
		}
		an.Ranking, an.Extraction = &r, &x
	}
	var writeErr error
	rep, err := eval.Run(ctx, an, qs, *mode, func(r eval.Record) {
		if pq == nil || writeErr != nil {
			return
		}
		b, err := json.Marshal(r)
		if err != nil {
			writeErr = fmt.Errorf("encode the record of question %s: %w", r.ID, err)
			return
		}
		_, writeErr = pq.Write(append(b, '\n'))
	})
	if err != nil {
		return err
	}
	if pq != nil && writeErr == nil {
		if writeErr = pq.Flush(); writeErr == nil {
			writeErr = pqFile.Close()
		}
	}
	if writeErr != nil {
		return knowledge.WrapError(knowledge.EINVALID, "Cannot write "+*perQuery+".", writeErr)
	}
	if *asJSON {
		b, err := json.Marshal(rep)
		if err != nil {
			return fmt.Errorf("encode the report: %w", err)
		}
		fmt.Fprintln(e.stdout, string(b))
		return nil
	}
	fmt.Fprintf(e.stdout, "questions            %d\n", rep.Questions)
	fmt.Fprintf(e.stdout, "hits@1               %.3f\n", rep.HitsAt1)
	fmt.Fprintf(e.stdout, "hits@4               %.3f\n", rep.HitsAt4)
	fmt.Fprintf(e.stdout, "hits@10              %.3f\n", rep.HitsAt10)
	fmt.Fprintf(e.stdout, "mrr@10               %.3f\n", rep.MRRAt10)
	fmt.Fprintf(e.stdout, "answer support       %.3f\n", rep.AnswerSupport)
	fmt.Fprintf(e.stdout, "abstain unanswerable %.3f\n", rep.AbstainUnanswerable)
	fmt.Fprintf(e.stdout, "abstain answerable   %.3f\n", rep.AbstainAnswerable)
	fmt.Fprintf(e.stdout, "first quote support  %.3f\n", rep.FirstQuoteSupport)
	fmt.Fprintf(e.stdout, "echo rate            %.3f\n", rep.EchoRate)
	fmt.Fprintf(e.stdout, "evidence recall      %.3f\n", rep.EvidenceRecall)
	fmt.Fprintf(e.stdout, "duplicate numbers    %d\n", rep.DuplicateNumbers)
	if rep.CitationPrecision != nil {
		fmt.Fprintf(e.stdout, "citation precision   %.3f\n", *rep.CitationPrecision)
	}
	fmt.Fprintf(e.stdout, "retrieval ms p50/p95 %.2f / %.2f\n", rep.LatencyP50, rep.LatencyP95)
	fmt.Fprintf(e.stdout, "ask ms p50/p95       %.2f / %.2f\n", rep.AskP50, rep.AskP95)
	return nil
}

// readQueries reads an evaluation set's queries.jsonl.
func readQueries(path string) ([]eval.Query, error) {
	if err := checkReadableFile("queries", path); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, knowledge.WrapError(knowledge.EINVALID, "Cannot read the queries file "+path+": "+plainFileError(err)+".", err)
	}
	defer f.Close()
	qs, err := eval.ReadQueries(f)
	if err != nil {
		return nil, knowledge.WrapError(knowledge.EINVALID, fmt.Sprintf("The queries file %s cannot be used: %s.", path, strings.TrimSuffix(knowledge.ErrorMessage(err), ".")), err)
	}
	return qs, nil
}

// checkReadableFile refuses an input file of eval or bench that is
// missing, a folder or unreadable, before any work is done.
func checkReadableFile(what, path string) error {
	f, err := os.Open(path)
	if err == nil {
		var info os.FileInfo
		info, err = f.Stat()
		f.Close()
		if err == nil && info.IsDir() {
			return knowledge.Errorf(knowledge.EINVALID, "The %s file %s is a folder; give a .jsonl file.", what, path)
		}
	}
	if err != nil {
		return knowledge.WrapError(knowledge.EINVALID, fmt.Sprintf("Cannot read the %s file %s: %s.", what, path, plainFileError(err)), err)
	}
	return nil
}

// plainFileError says in words why a file cannot be opened.
func plainFileError(err error) string {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "no such file"
	case errors.Is(err, fs.ErrPermission):
		return "permission denied"
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// ingestCorpus ingests an evaluation corpus with a progress report,
// showing the first ten failures. It fails when the corpus cannot be read
// or yields no article at all: metrics over nothing would mislead.
func ingestCorpus(ctx context.Context, e *env, in *knowledge.Ingester, corpus, label string) (knowledge.IngestSummary, error) {
	failures := 0
	sum, err := ingestWithProgress(ctx, e, in, []string{corpus}, label, func(ev knowledge.IngestEvent, p *progress) {
		if ev.Err == nil {
			return
		}
		if failures++; failures <= 10 {
			p.clear()
			fmt.Fprintf(e.stderr, "%s %s: %s\n", e.errs.err("failed"), ev.Item, e.explain("cannot ingest a corpus record", ev.Err, "item", ev.Item))
		}
	})
	if err != nil {
		return sum, err
	}
	if sum.Stored() == 0 {
		if sum.Failed > 0 {
			return sum, knowledge.Errorf(knowledge.EINVALID, "No article of the corpus %s could be stored (%s failed).", corpus, plural(sum.Failed, "record", "records"))
		}
		return sum, knowledge.Errorf(knowledge.EINVALID, "The corpus %s holds no articles.", corpus)
	}
	return sum, nil
}

// evalSetFlags are the flags eval and bench share: the evaluation set
// and the database it runs in.
type evalSetFlags struct{ corpus, queries, db *string }

func registerEvalSet(fs *flag.FlagSet, dbHelp string) evalSetFlags {
	return evalSetFlags{
		corpus:  fs.String("corpus", "", "corpus `FILE` (JSON Lines) to ingest first"),
		queries: fs.String("queries", "", "queries `FILE` (JSON Lines; required)"),
		db:      fs.String("db", "", dbHelp),
	}
}

// load checks the flags (usage and exit status 2 when they say nothing to
// run), reads the queries and returns the database path: --db, or a
// temporary one that cleanup removes.
func (f evalSetFlags) load(e *env, fs *flag.FlagSet, name string) ([]eval.Query, string, func(), error) {
	switch {
	case *f.queries == "":
		return nil, "", nil, usageError(e, fs, "missing --queries FILE: the questions to answer.")
	case *f.corpus == "" && *f.db == "":
		return nil, "", nil, usageError(e, fs, "missing --corpus FILE (the articles to load) or --db FILE (a database that holds them).")
	}
	qs, err := readQueries(*f.queries)
	if err != nil {
		return nil, "", nil, err
	}
	if len(qs) == 0 {
		return nil, "", nil, knowledge.Errorf(knowledge.EINVALID, "The queries file %s holds no questions.", *f.queries)
	}
	if *f.corpus != "" {
		if err := checkReadableFile("corpus", *f.corpus); err != nil {
			return nil, "", nil, err
		}
	}
	path, cleanup, err := evalDBPath(*f.db, name)
	if err != nil {
		return nil, "", nil, err
	}
	return qs, path, cleanup, nil
}

// evalDBPath is the --db of eval and bench, or a database in a new
// temporary folder that cleanup removes.
func evalDBPath(flagValue, name string) (path string, cleanup func(), err error) {
	if flagValue != "" {
		return flagValue, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "herald-"+name+"-")
	if err != nil {
		return "", nil, knowledge.WrapError(knowledge.EINTERNAL, "Cannot create a temporary folder.", err)
	}
	return filepath.Join(dir, name+".db"), func() { os.RemoveAll(dir) }, nil
}

// parseTuning reads eval's --set: comma-separated name=value pairs over the
// default ranking and extraction parameters, so that a tuning sweep is a
// loop of herald eval runs.
func parseTuning(spec string) (knowledge.Ranking, knowledge.Extraction, error) {
	r, x := knowledge.DefaultRanking(), knowledge.DefaultExtraction()
	for _, kv := range strings.Split(spec, ",") {
		name, value, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok {
			return r, x, knowledge.Errorf(knowledge.EINVALID, "--set wants name=value pairs, not %q.", kv)
		}
		var err error
		num := func(dst *float64) { *dst, err = strconv.ParseFloat(value, 64) }
		whole := func(dst *int) { *dst, err = strconv.Atoi(value) }
		switch name {
		case "candidates":
			whole(&r.Candidates)
		case "budget":
			num(&r.PostingBudget)
		case "maxpostings":
			whole(&r.MaxPostings)
		case "title":
			num(&r.TitleWeight)
		case "k1":
			num(&r.K1)
		case "b":
			num(&r.B)
		case "second":
			num(&r.SecondWeight)
		case "floor":
			num(&r.RecencyFloor)
		case "halflife":
			r.RecencyHalfLife, err = time.ParseDuration(value)
		case "perarticle":
			whole(&r.PerArticle)
		case "articles":
			whole(&x.Articles)
		case "sentences":
			whole(&x.Sentences)
		case "keep":
			num(&x.Keep)
		case "coverage":
			num(&x.Coverage)
		case "decay":
			num(&x.RankDecay)
		case "whole":
			whole(&x.Whole)
		case "candidate":
			num(&x.Candidate)
		case "relevance":
			num(&x.Relevance)
		case "novelty":
			num(&x.Novelty)
		default:
			return r, x, knowledge.Errorf(knowledge.EINVALID, "--set: unknown parameter %q.", name)
		}
		if err != nil {
			return r, x, knowledge.Errorf(knowledge.EINVALID, "--set: %s=%q is not a valid value.", name, value)
		}
	}
	return r, x, nil
}
