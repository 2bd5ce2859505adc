package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/herald-bot/herald/bot"
	"github.com/herald-bot/herald/knowledge"
	"github.com/herald-bot/herald/knowledge/feed"
)

// runHerald runs the command line in-process with its own environment.
func runHerald(t *testing.T, envv map[string]string, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	getenv := func(k string) string { return envv[k] }
	var out, errb bytes.Buffer
	err = run(context.Background(), args, getenv, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), err
}

// testCommandEnv is the env a command gets from run, for tests that call
// a command's parts directly.
func testCommandEnv(t *testing.T, envv map[string]string, stdout, stderr io.Writer) *env {
	t.Helper()
	cfg, err := loadConfig(func(k string) string { return envv[k] })
	if err != nil {
		t.Fatal(err)
	}
	return &env{cfg: cfg, logger: newLogger(cfg, stderr), stdout: stdout, stderr: stderr, rearm: interruptContext}
}

func testEnv(t *testing.T) map[string]string {
	dir := t.TempDir()
	return map[string]string{"HERALD_DB": filepath.Join(dir, "herald.db"), "HOME": dir}
}

func TestDemoAnswersTheSampleQuestion(t *testing.T) {
	out, errOut, err := runHerald(t, testEnv(t), "demo")
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, errOut)
	}
	for _, want := range []string{
		"Chancellor Olaf Scholz, however, has refrained from approving the deliveries, expressing concerns about potential entanglement in the conflict.",
		"[1]", "Sources:", "Defense News", "2024-03-05", "Germany Blames Ukraine War Talks Leak",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
}

func TestIngestThenAskEndToEnd(t *testing.T) {
	env := testEnv(t)
	dir := t.TempDir()
	sample := filepath.Join(dir, "taurus.md")
	if err := os.WriteFile(sample, []byte(sampleArticle), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, errOut, err := runHerald(t, env, "ingest", sample); err != nil || !strings.Contains(out, "1 added") {
		t.Fatalf("ingest: %v\n%s\n%s", err, out, errOut)
	}
	// Again: idempotent.
	if out, _, err := runHerald(t, env, "ingest", sample); err != nil || !strings.Contains(out, "1 unchanged") {
		t.Fatalf("re-ingest: %v\n%s", err, out)
	}
	out, errOut, err := runHerald(t, env, "ask", "--json", "Why hasn't Scholz approved Taurus deliveries?")
	if err != nil {
		t.Fatalf("ask: %v\n%s", err, errOut)
	}
	var ans struct {
		Question  string `json:"question"`
		Answer    string `json:"answer"`
		Mode      string `json:"mode"`
		Abstained bool   `json:"abstained"`
		Citations []struct {
			N           int    `json:"n"`
			ArticleID   int64  `json:"article_id"`
			Title       string `json:"title"`
			Source      string `json:"source"`
			URL         string `json:"url"`
			PublishedAt string `json:"published_at"`
			Quote       string `json:"quote"`
			Verified    bool   `json:"verified"`
		} `json:"citations"`
	}
	if err := json.Unmarshal([]byte(out), &ans); err != nil {
		t.Fatalf("ask --json output is not JSON: %v\n%s", err, out)
	}
	if ans.Abstained || ans.Mode != "extractive" || len(ans.Citations) == 0 {
		t.Fatalf("answer: %+v", ans)
	}
	c := ans.Citations[0]
	if !strings.Contains(c.Quote, "entanglement in the conflict") || !c.Verified || c.Source != "Defense News" || c.PublishedAt != "2024-03-05T00:00:00Z" || c.N != 1 {
		t.Fatalf("citation: %+v", c)
	}

	out, _, err = runHerald(t, env, "articles", "--json")
	if err != nil || !strings.Contains(out, `"source": "Defense News"`) {
		t.Fatalf("articles: %v\n%s", err, out)
	}
	out, _, err = runHerald(t, env, "search", "Kerch bridge")
	if err != nil || !strings.Contains(out, "Germany Blames") {
		t.Fatalf("search: %v\n%s", err, out)
	}
	if _, _, err = runHerald(t, env, "remove", "1"); err != nil {
		t.Fatalf("remove: %v", err)
	}
	out, errOut, err = runHerald(t, env, "ask", "Taurus?")
	if err == nil || !strings.Contains(errOut, "empty") {
		t.Fatalf("ask on an empty base: %v %s %s", err, out, errOut)
	}
}

func TestIngestFailureSetsExitStatus(t *testing.T) {
	env := testEnv(t)
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.txt")
	os.WriteFile(bad, []byte{0xff, 0xfe, 0x00}, 0o644)
	out, errOut, err := runHerald(t, env, "ingest", bad)
	if exitCode(err) != 1 || !strings.Contains(errOut, "bad.txt") || !strings.Contains(out, "1 failed") {
		t.Fatalf("err %v\nstdout %s\nstderr %s", err, out, errOut)
	}
	if strings.Contains(errOut, "goroutine") || strings.Contains(errOut, "panic") {
		t.Fatalf("stack trace shown to the user: %s", errOut)
	}
}

func TestEvalReportsMetrics(t *testing.T) {
	dir := t.TempDir()
	corpus := filepath.Join(dir, "corpus.jsonl")
	queries := filepath.Join(dir, "queries.jsonl")
	rec, _ := json.Marshal(map[string]any{"id": "taurus", "url": "", "title": "Germany Blames Ukraine War Talks Leak on 'Individual Error'",
		"text": sampleBody(t), "published_at": "2024-03-05", "source": "Defense News"})
	os.WriteFile(corpus, append(rec, '\n'), 0o644)
	os.WriteFile(queries, []byte(`{"id":"q1","question":"Why hasn't Scholz approved Taurus deliveries?","asked_at":"2024-03-06","gold_ids":["taurus"],"answers":["entanglement"]}
{"id":"q2","question":"What did the Pope say about the Taurus leak in Rome?","asked_at":"2024-03-06","gold_ids":[],"answers":[]}
{"id":"q3","question":"How far can Taurus missiles reach?","asked_at":"2024-03-01","gold_ids":["taurus"],"answers":["500 kilometers"]}
`), 0o644)
	perq := filepath.Join(dir, "per.jsonl")
	out, errOut, err := runHerald(t, testEnv(t), "eval", "--corpus", corpus, "--queries", queries, "--json", "--per-query", perq)
	if err != nil {
		t.Fatalf("eval: %v\n%s", err, errOut)
	}
	var rep map[string]float64
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, k := range []string{"questions", "hits_at_1", "hits_at_4", "hits_at_10", "mrr_at_10", "answer_support", "abstain_unanswerable", "abstain_answerable", "latency_ms_p50", "latency_ms_p95",
		"first_quote_support", "echo_rate", "evidence_recall", "duplicate_numbers"} {
		if _, ok := rep[k]; !ok {
			t.Errorf("eval --json lacks %s", k)
		}
	}
	// q3 is asked before the article was published: it must not be found.
	if rep["questions"] != 3 || rep["hits_at_1"] != 0.5 || rep["abstain_unanswerable"] != 1 || rep["answer_support"] != 0.5 ||
		rep["first_quote_support"] != 0.5 || rep["echo_rate"] != 0 || rep["evidence_recall"] != 0.5 || rep["duplicate_numbers"] != 0 {
		t.Errorf("metrics: %v", rep)
	}
	lines, _ := os.ReadFile(perq)
	var first struct {
		ID        string   `json:"id"`
		RankedIDs []string `json:"ranked_ids"`
		Answer    string   `json:"answer"`
		Citations []struct {
			ID    string `json:"id"`
			Quote string `json:"quote"`
		} `json:"citations"`
		Abstained *bool `json:"abstained"`
	}
	json.Unmarshal([]byte(strings.SplitN(string(lines), "\n", 2)[0]), &first)
	if first.ID != "q1" || len(first.RankedIDs) != 1 || first.RankedIDs[0] != "taurus" || first.Abstained == nil || len(first.Citations) == 0 || first.Citations[0].ID != "taurus" {
		t.Errorf("per-query record: %+v\n%s", first, lines)
	}
}

func sampleBody(t *testing.T) string {
	i := strings.Index(sampleArticle, "\n---\n")
	if i < 0 {
		t.Fatal("sample has no front matter")
	}
	return sampleArticle[i+5:]
}

func TestHelpAndUnknownCommand(t *testing.T) {
	out, _, err := runHerald(t, testEnv(t), "--help")
	if err != nil || !strings.Contains(out, "ingest") || !strings.Contains(out, "ask") {
		t.Fatalf("help: %v %s", err, out)
	}
	_, errOut, err := runHerald(t, testEnv(t), "frobnicate")
	if exitCode(err) != 2 || !strings.Contains(errOut, "unknown command") {
		t.Fatalf("unknown: %v %s", err, errOut)
	}
	out, _, err = runHerald(t, testEnv(t), "ask", "--help")
	if err != nil || !strings.Contains(out, "Usage: herald ask") {
		t.Fatalf("ask --help: %v %s", err, out)
	}
}

func TestParseTuning(t *testing.T) {
	r, x, err := parseTuning("candidates=200, budget=0.1,halflife=720h,keep=0.5")
	if err != nil || r.Candidates != 200 || r.PostingBudget != 0.1 || r.RecencyHalfLife.Hours() != 720 || x.Keep != 0.5 {
		t.Fatalf("%+v %+v %v", r, x, err)
	}
	for _, bad := range []string{"candidates", "nosuch=1", "budget=lots", "halflife=3"} {
		if _, _, err := parseTuning(bad); err == nil {
			t.Errorf("parseTuning(%q) accepted", bad)
		}
	}
}

// TestEvalAndBenchRefuseUnreadableInputs: no metrics over nothing.
func TestEvalAndBenchRefuseUnreadableInputs(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	queries := filepath.Join(dir, "queries.jsonl")
	os.WriteFile(queries, []byte(`{"id":"q1","question":"Taurus?","asked_at":"2024-03-06","gold_ids":["taurus"]}`+"\n"), 0o644)
	empty := filepath.Join(dir, "empty.jsonl")
	os.WriteFile(empty, nil, 0o644)
	junk := filepath.Join(dir, "junk.jsonl")
	os.WriteFile(junk, []byte("not json\n{also not}\n"), 0o644)
	missing := filepath.Join(dir, "missing.jsonl")
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"eval", "--corpus", missing, "--queries", queries}, "Cannot read the corpus file " + missing + ": no such file."},
		{[]string{"eval", "--corpus", dir, "--queries", queries}, "is a folder"},
		{[]string{"eval", "--corpus", empty, "--queries", queries}, "holds no articles."},
		{[]string{"eval", "--corpus", junk, "--queries", queries}, "No article of the corpus " + junk + " could be stored (2 records failed)."},
		{[]string{"eval", "--corpus", empty, "--queries", missing}, "Cannot read the queries file " + missing + ": no such file."},
		{[]string{"eval", "--corpus", empty, "--queries", empty}, "holds no questions."},
		{[]string{"bench", "run", "--corpus", missing, "--queries", queries}, "Cannot read the corpus file"},
		{[]string{"bench", "run", "--corpus", junk, "--queries", queries}, "could be stored"},
		{[]string{"bench", "corpus", "--from", missing}, "Cannot read the corpus file"},
	} {
		out, errOut, err := runHerald(t, testEnv(t), tc.args...)
		if exitCode(err) != 1 || !strings.Contains(errOut, tc.want) || strings.Contains(out, "hits@") || strings.Contains(out, "quality") {
			t.Errorf("%v: exit %d\nstdout %s\nstderr %s\nwant %q", tc.args, exitCode(err), out, errOut, tc.want)
		}
	}
}

// TestSettingHint: the bot's errors name no environment variables; the
// command line adds the one that changes what was refused.
func TestSettingHint(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		sentinel error
		want     string
	}{
		{feed.ErrPrivateAddress, "HERALD_ALLOW_PRIVATE_URLS=true"},
		{bot.ErrToken, "DISCORD_TOKEN"},
		{bot.ErrHTTPAddr, "HERALD_HTTP_ADDR"},
		{bot.ErrGuild, "HERALD_DISCORD_GUILD"},
		{bot.ErrMessageContent, "HERALD_DISCORD_MESSAGE_CONTENT"},
		{bot.ErrShardID, "HERALD_SHARD_ID"},
		{bot.ErrShardsRequired, "HERALD_SHARD_COUNT=auto"},
	} {
		err := knowledge.WrapError(knowledge.EINVALID, "Refused.", fmt.Errorf("%w: %w", tc.sentinel, errors.New("cause")))
		hint := settingHint(err)
		if !strings.Contains(hint, tc.want) || !strings.HasPrefix(hint, " ") || !strings.HasSuffix(hint, ".") {
			t.Errorf("settingHint(%v) = %q, want a sentence naming %s", tc.sentinel, hint, tc.want)
		}
	}
	if hint := settingHint(knowledge.Errorf(knowledge.EINVALID, "Refused.")); hint != "" {
		t.Errorf("settingHint of an error without a setting = %q", hint)
	}
}

// TestWrongArgumentsSayWhatIsWrong: a command given too few or too many
// arguments says so in one sentence before its usage, with status 2.
func TestWrongArgumentsSayWhatIsWrong(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"ask"}, "herald ask: missing QUESTION.\n\nUsage: herald ask"},
		{[]string{"ask", " "}, "herald ask: missing QUESTION.\n"},
		{[]string{"remove"}, "herald remove: missing ID|URL.\n"},
		{[]string{"feed", "add"}, "herald feed add: missing URL.\n"},
		{[]string{"serve", "now"}, `herald serve: "now" does not fit the usage below.` + "\n"},
		{[]string{"feed", "list", "a", "b"}, `herald feed list: "a", "b" do not fit the usage below.` + "\n"},
		{[]string{"eval"}, "herald eval: missing --queries FILE: the questions to answer.\n"},
		{[]string{"eval", "--queries", "q.jsonl"}, "herald eval: missing --corpus FILE (the articles to load) or --db FILE (a database that holds them).\n"},
		{[]string{"bench", "corpus"}, "herald bench corpus: missing --from FILE"},
	} {
		stdout, stderr, err := runHerald(t, map[string]string{"NO_COLOR": "1"}, tc.args...)
		if exitCode(err) != 2 || stdout != "" || !strings.HasPrefix(stderr, tc.want) {
			t.Errorf("herald %q: exit %d, stdout %q, stderr:\n%s\nwant it to start with %q", tc.args, exitCode(err), stdout, stderr, tc.want)
		}
	}
}
