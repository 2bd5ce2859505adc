package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
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
	set := registerEvalSet(fs, "database to use instead of a temporary one")
	asJSON := fs.Bool("json", false, "print the metrics as one JSON object")
	perQuery := fs.String("per-query", "", "write one JSON line per question to this file")
	mode := fs.String("mode", "auto", "who writes the answers: auto (the model when configured), llm or extractive")
	tuning := fs.String("set", "", "override ranking and extraction parameters, e.g. candidates=200,budget=0.1,title=2,halflife=720h,floor=0.3,k1=1.2,b=0.75,second=0.3,sentences=3,keep=0.4,coverage=0.5")
	if _, err := parseFlags(fs, e.args); err != nil {
		return err
	}
	qs, path, cleanup, err := set.load(fs, "eval")
	if err != nil {
		return err
	}
	defer cleanup()
	db, err := openDB(ctx, e, path)
	if err != nil {
		return err
	}
	defer db.Close()
	if *set.corpus != "" {
		in := newIngester(e, db)
		start := time.Now()
		failures := 0
		sum, err := in.Ingest(ctx, []string{*set.corpus}, func(ev knowledge.IngestEvent) {
			if ev.Err != nil {
				failures++
				if failures <= 10 {
					fmt.Fprintf(e.stderr, "failed  %s: %s\n", ev.Item, knowledge.ErrorMessage(ev.Err))
				}
			}
		})
		if err != nil {
			return err
		}
		el := time.Since(start)
		fmt.Fprintf(e.stderr, "ingested %d articles in %.2fs (%.0f articles/s), %d failed\n",
			sum.Added+sum.Updated+sum.Unchanged, el.Seconds(), float64(sum.Total())/el.Seconds(), sum.Failed)
	}
	var pq *bufio.Writer
	if *perQuery != "" {
		f, err := os.Create(*perQuery)
		if err != nil {
			return knowledge.WrapError(knowledge.EINVALID, "Cannot write "+*perQuery+".", err)
		}
		defer f.Close()
		pq = bufio.NewWriter(f)
		defer pq.Flush()
	}
	// Many questions: prepare searches first, as serve does.
	<-db.PrepareSearch()
	an, err := newAnswerer(e, db)
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
		b, _ := json.Marshal(r)
		_, writeErr = pq.Write(append(b, '\n'))
	})
	if err != nil {
		return err
	}
	if writeErr != nil {
		return knowledge.WrapError(knowledge.EINVALID, "Cannot write "+*perQuery+".", writeErr)
	}
	if *asJSON {
		b, _ := json.Marshal(rep)
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
	if rep.CitationPrecision != nil {
		fmt.Fprintf(e.stdout, "citation precision   %.3f\n", *rep.CitationPrecision)
	}
	fmt.Fprintf(e.stdout, "retrieval ms p50/p95 %.2f / %.2f\n", rep.LatencyP50, rep.LatencyP95)
	fmt.Fprintf(e.stdout, "ask ms p50/p95       %.2f / %.2f\n", rep.AskP50, rep.AskP95)
	return nil
}

// readQueries reads an evaluation set's queries.jsonl.
func readQueries(path string) ([]eval.Query, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, knowledge.WrapError(knowledge.EINVALID, "Cannot read the queries file "+path+".", err)
	}
	defer f.Close()
	return eval.ReadQueries(f)
}

// evalSetFlags are the flags eval and bench share: the evaluation set
// and the database it runs in.
type evalSetFlags struct{ corpus, queries, db *string }

func registerEvalSet(fs *flag.FlagSet, dbHelp string) evalSetFlags {
	return evalSetFlags{
		corpus:  fs.String("corpus", "", "corpus.jsonl to ingest first"),
		queries: fs.String("queries", "", "queries.jsonl (required)"),
		db:      fs.String("db", "", dbHelp),
	}
}

// load checks the flags (usage and exit status 2 when they say nothing to
// run), reads the queries and returns the database path: --db, or a
// temporary one that cleanup removes.
func (f evalSetFlags) load(fs *flag.FlagSet, name string) ([]eval.Query, string, func(), error) {
	if *f.queries == "" || (*f.corpus == "" && *f.db == "") {
		fs.Usage()
		return nil, "", nil, exitError{2}
	}
	qs, err := readQueries(*f.queries)
	if err != nil {
		return nil, "", nil, err
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
		default:
			return r, x, knowledge.Errorf(knowledge.EINVALID, "--set: unknown parameter %q.", name)
		}
		if err != nil {
			return r, x, knowledge.Errorf(knowledge.EINVALID, "--set: %s=%q is not a valid value.", name, value)
		}
	}
	return r, x, nil
}
