package knowledge

import (
	"context"
	"errors"
	"log/slog"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// funcCompleter is a Completer whose Complete a test sets.
type funcCompleter struct {
	complete func(ctx context.Context, req ChatRequest) (ChatResponse, error)
	calls    int
}

func (f *funcCompleter) Complete(ctx context.Context, req ChatRequest) (ChatResponse, error) {
	f.calls++
	return f.complete(ctx, req)
}

func (f *funcCompleter) Stream(ctx context.Context, req ChatRequest, onDelta func(string)) (ChatResponse, error) {
	resp, err := f.Complete(ctx, req)
	if err == nil && onDelta != nil {
		onDelta(resp.Content)
	}
	return resp, err
}

var markerRE = regexp.MustCompile(`\[(\d+)\]`)

func atoiOr(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

func itoaID(id int64) string { return strconv.FormatInt(id, 10) }

// replies returns a completer answering with text.
func replies(text string) *funcCompleter {
	return &funcCompleter{complete: func(context.Context, ChatRequest) (ChatResponse, error) {
		return ChatResponse{Content: text, PromptTokens: 100, CompletionTokens: 20}, nil
	}}
}

// checkQuotes fails the test unless every citation quotes its article's
// stored text exactly and every marker of the text names a citation.
func checkQuotes(t *testing.T, db *DB, ans *Answer) {
	t.Helper()
	nums := map[int]bool{}
	for _, c := range ans.Citations {
		nums[c.N] = true
		a, err := db.article(context.Background(), c.ArticleID, "*")
		if err != nil {
			t.Fatal(err)
		}
		if c.Quote == "" || !strings.Contains(a.Text, c.Quote) || !c.Verified {
			t.Errorf("citation [%d] quote %q (verified %v) is not in article %d", c.N, c.Quote, c.Verified, c.ArticleID)
		}
	}
	for _, m := range markerRE.FindAllStringSubmatch(ans.Text, -1) {
		if !nums[atoiOr(m[1])] {
			t.Errorf("marker [%s] names no citation in %q", m[1], ans.Text)
		}
	}
}

func TestExtractiveArticleSummaryQuotesCentralSentencesInOrder(t *testing.T) {
	forEachBackend(t, testExtractiveArticleSummaryQuotesCentralSentencesInOrder)
}

func testExtractiveArticleSummaryQuotesCentralSentencesInOrder(t *testing.T, db *DB) {
	ctx := context.Background()
	a := mustPutTaurus(t, db)
	s := &Summarizer{DB: db}
	for _, target := range []string{itoaID(a.ID), "#" + itoaID(a.ID)} {
		ans, err := s.Summarize(ctx, SummaryRequest{Target: target, GuildID: "*"})
		if err != nil {
			t.Fatal(err)
		}
		if ans.Mode != ModeExtractive || ans.Abstained || ans.Question != a.Title || len(ans.Citations) != 1 {
			t.Fatalf("summary = %+v", ans)
		}
		checkQuotes(t, db, ans)
		sents := strings.Split(ans.Text, " [1]")
		var kept []string
		for _, s := range sents {
			if s = strings.TrimSpace(s); s != "" {
				kept = append(kept, s)
			}
		}
		if len(kept) < 2 || len(kept) > 4 {
			t.Errorf("%d sentences: %q", len(kept), ans.Text)
		}
		stored, _ := db.article(ctx, a.ID, "*")
		last := -1
		for _, k := range kept {
			i := strings.Index(stored.Text, k)
			if i < 0 {
				t.Errorf("sentence %q is not in the article", k)
			}
			if i <= last {
				t.Errorf("sentences out of order: %q", ans.Text)
			}
			last = i
		}
		if !strings.Contains(ans.Text, "individual error") {
			t.Errorf("the lead is missing from %q", ans.Text)
		}
	}
}

func TestSummarizeByURLAndScope(t *testing.T) { forEachBackend(t, testSummarizeByURLAndScope) }

func testSummarizeByURLAndScope(t *testing.T, db *DB) {
	ctx := context.Background()
	day := time.Date(2024, 6, 6, 0, 0, 0, 0, time.UTC)
	arts := storyArticles(day)
	arts[4].GuildID = "A" // the Bavaria floods belong to server A
	if _, err := db.PutArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	s := &Summarizer{DB: db}
	if _, err := s.Summarize(ctx, SummaryRequest{Target: "https://wire.example/bavaria-floods?utm_source=x", GuildID: "A"}); err != nil {
		t.Errorf("A's own article: %v", err)
	}
	for _, req := range []SummaryRequest{
		{Target: "https://wire.example/bavaria-floods", GuildID: "B"},
		{Target: itoaID(arts[4].ID), GuildID: "B"},
		{ArticleID: arts[4].ID, GuildID: ""},
		{Target: "https://nowhere.example/x", GuildID: "A"},
		{Target: "99999", GuildID: "*"},
	} {
		if _, err := s.Summarize(ctx, req); ErrorCode(err) != ENOTFOUND {
			t.Errorf("Summarize(%+v) = %v, want ENOTFOUND", req, err)
		}
	}
	// A topic summary in B's scope never quotes A's article.
	ans, err := s.Summarize(ctx, SummaryRequest{Target: "floods Bavaria Reichertshofen", GuildID: "B"})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range ans.Citations {
		if c.ArticleID == arts[4].ID {
			t.Errorf("B's summary cites A's article: %+v", ans)
		}
	}
}

func TestExtractiveTopicSummary(t *testing.T) { forEachBackend(t, testExtractiveTopicSummary) }

func testExtractiveTopicSummary(t *testing.T, db *DB) {
	ctx := context.Background()
	day := time.Date(2024, 6, 6, 0, 0, 0, 0, time.UTC)
	if _, err := db.PutArticles(ctx, storyArticles(day)); err != nil {
		t.Fatal(err)
	}
	s := &Summarizer{DB: db, Now: func() time.Time { return day.Add(24 * time.Hour) }}
	ans, err := s.Summarize(ctx, SummaryRequest{Target: "ECB interest rate cut Lagarde", GuildID: "*"})
	if err != nil {
		t.Fatal(err)
	}
	if ans.Abstained || len(ans.Citations) < 2 || ans.Question != "ECB interest rate cut Lagarde" {
		t.Fatalf("topic summary = %+v", ans)
	}
	checkQuotes(t, db, ans)
	if strings.Contains(ans.Text, "chess") || strings.Contains(ans.Text, "Bavaria") {
		t.Errorf("off-topic sentence in %q", ans.Text)
	}
	ans, err = s.Summarize(ctx, SummaryRequest{Target: "volcano eruption Iceland", GuildID: "*"})
	if err != nil {
		t.Fatal(err)
	}
	if !ans.Abstained || len(ans.Citations) != 0 {
		t.Errorf("unknown topic: %+v", ans)
	}
}

func TestLLMSummaryIsCheckedAndFallsBack(t *testing.T) {
	forEachBackend(t, testLLMSummaryIsCheckedAndFallsBack)
}

func testLLMSummaryIsCheckedAndFallsBack(t *testing.T, db *DB) {
	ctx := context.Background()
	a := mustPutTaurus(t, db)
	id := itoaID(a.ID)

	good := replies(`Germany blamed the leak on an "individual user error" [1]. Chancellor Olaf Scholz has not approved Taurus deliveries [1]. Russia seized on it [7].`)
	s := &Summarizer{DB: db, Completer: good, Logger: slog.New(slog.DiscardHandler)}
	ans, err := s.Summarize(ctx, SummaryRequest{Target: id, GuildID: "*"})
	if err != nil {
		t.Fatal(err)
	}
	if ans.Mode != ModeLLM || ans.Note != "" || len(ans.Citations) != 1 || ans.Tokens != 120 {
		t.Fatalf("summary = %+v", ans)
	}
	if strings.Contains(ans.Text, "[7]") {
		t.Errorf("invented marker kept: %q", ans.Text)
	}
	checkQuotes(t, db, ans)
	if ans.Citations[0].Quote != "individual user error" {
		t.Errorf("quote = %q", ans.Citations[0].Quote)
	}

	// The prompt fences the article and lists the valid numbers.
	var prompt string
	s.Completer = &funcCompleter{complete: func(_ context.Context, req ChatRequest) (ChatResponse, error) {
		prompt = req.Messages[len(req.Messages)-1].Content
		return ChatResponse{Content: "Germany blamed an individual user error for the leak [1]."}, nil
	}}
	if _, err := s.Summarize(ctx, SummaryRequest{Target: id, GuildID: "*", Mode: AskLLM}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(prompt, `<source n="1"`) || !strings.Contains(prompt, "Valid source numbers: 1") {
		t.Errorf("prompt = %s", prompt)
	}

	for name, c := range map[string]*funcCompleter{
		"model down": {complete: func(context.Context, ChatRequest) (ChatResponse, error) {
			return ChatResponse{}, WrapError(EUNAVAILABLE, "the model is unavailable", errors.New("503"))
		}},
		"no markers": replies("Germany had a bad week."),
		"abstains":   replies("The sources I have don't answer that."),
	} {
		s.Completer = c
		ans, err := s.Summarize(ctx, SummaryRequest{Target: id, GuildID: "*"})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if ans.Mode != ModeExtractive || ans.Note != summaryUnavailableNote || ans.Abstained || len(ans.Citations) == 0 {
			t.Errorf("%s: fallback = %+v", name, ans)
		}
		checkQuotes(t, db, ans)
	}

	// Extractive on request, without calling the model.
	calls := good.calls
	s.Completer = good
	if ans, err := s.Summarize(ctx, SummaryRequest{Target: id, GuildID: "*", Mode: AskExtractive}); err != nil || ans.Mode != ModeExtractive || good.calls != calls {
		t.Errorf("extractive mode: %+v, %v, calls %d", ans, err, good.calls-calls)
	}
	s.Completer = nil
	if _, err := s.Summarize(ctx, SummaryRequest{Target: id, GuildID: "*", Mode: AskLLM}); ErrorCode(err) != EINVALID {
		t.Errorf("llm mode without a model: %v", err)
	}
}

func TestSuggestArticles(t *testing.T) { forEachBackend(t, testSuggestArticles) }

func testSuggestArticles(t *testing.T, db *DB) {
	ctx := context.Background()
	day := time.Date(2024, 6, 6, 0, 0, 0, 0, time.UTC)
	arts := storyArticles(day)
	arts[2].GuildID = "A"
	if _, err := db.PutArticles(ctx, arts); err != nil {
		t.Fatal(err)
	}
	titles := func(guild, prefix string) []string {
		got, err := db.SuggestArticles(ctx, guild, prefix, 10)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, s := range got {
			out = append(out, s.Title)
		}
		return out
	}
	if got := titles("B", "ecb cuts"); len(got) != 2 {
		t.Errorf("B: %q", got)
	}
	if got := titles("A", "lagarde ECB"); len(got) != 1 || !strings.HasPrefix(got[0], "Lagarde's ECB") {
		t.Errorf("A: %q", got)
	}
	if got := titles("B", "100%_"); len(got) != 0 {
		t.Errorf("wildcards matched: %q", got)
	}
	if got := titles("", ""); len(got) != len(arts)-1 || got[0] != arts[1].Title {
		t.Errorf("newest first: %q", got)
	}
}
