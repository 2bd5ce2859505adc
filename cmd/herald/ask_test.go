package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/herald-bot/herald/knowledge"
)

func TestDraftCountsRowsAndClears(t *testing.T) {
	tests := []struct {
		name   string
		writes []string
		width  int
		rows   int
	}{
		{"one short line", []string{"Scholz fears ", "entanglement."}, 80, 0},
		{"exactly one row", []string{strings.Repeat("a", 10)}, 10, 0},
		{"wraps once", []string{strings.Repeat("a", 10), "b"}, 10, 1},
		{"new lines", []string{"one\n\ntwo"}, 80, 2},
		{"wraps and new line", []string{strings.Repeat("é", 25) + "\nx"}, 10, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			d := newDraft(&buf, style{}, tt.width)
			for _, w := range tt.writes {
				d.write(w)
			}
			if d.rows != tt.rows {
				t.Errorf("rows = %d, want %d", d.rows, tt.rows)
			}
			buf.Reset()
			d.clear()
			want := "\r\033[J"
			if tt.rows > 0 {
				want = fmt.Sprintf("\r\033[%dA\033[J", tt.rows)
			}
			if buf.String() != want {
				t.Errorf("clear wrote %q, want %q", buf.String(), want)
			}
		})
	}
	var buf bytes.Buffer
	d := newDraft(&buf, style{}, 80)
	d.clear()
	if buf.Len() != 0 {
		t.Errorf("clearing an empty draft wrote %q", buf.String())
	}
}

// TestStreamedAnswerIsReplacedByTheCheckedOne: on a terminal the draft
// never shows a quote in quotation marks, and only the checked answer
// stays, once.
func TestStreamedAnswerIsReplacedByTheCheckedOne(t *testing.T) {
	srv := fakeOpenAI(t, `Scholz fears "potential entanglement in the conflict" [1]. He said "the missiles fly next week" [1].`, 0)
	envv := testEnv(t)
	envv["OPENAI_BASE_URL"] = srv.URL + "/v1"
	envv["HERALD_CHAT_MODEL"] = "llama3.1"
	ingestSample(t, envv)
	var out, errb bytes.Buffer
	e := testCommandEnv(t, envv, &out, &errb)
	db, err := openDB(context.Background(), e, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	an, err := newAnswerer(e, db, "auto", false)
	if err != nil {
		t.Fatal(err)
	}
	d := newDraft(&out, style{}, 40)
	ans, err := askWith(context.Background(), e, an, knowledge.Question{Text: "Why hasn't Scholz approved Taurus deliveries?", Filter: knowledge.Filter{GuildID: "*"}}, false, d)
	if err != nil {
		t.Fatal(err)
	}
	got := out.String()
	clear := strings.LastIndex(got, "\033[J")
	if clear < 0 {
		t.Fatalf("the draft was never cleared:\n%q", got)
	}
	drawn, final := got[:clear], got[clear+len("\033[J"):]
	if strings.ContainsAny(drawn, "“”\"") || !strings.Contains(drawn, "potential entanglement") {
		t.Errorf("the draft shows quotation marks or not the text: %q", drawn)
	}
	if !strings.HasPrefix(final, ans.Text+"\n") || strings.Count(final, "potential entanglement in the conflict") != 2 {
		// Once in the answer, once in its source's quote.
		t.Errorf("want the checked answer once, then its sources:\n%s", final)
	}
	if strings.Contains(final, `"the missiles fly next week"`) || strings.Contains(final, "“the missiles fly next week”") {
		t.Errorf("an unchecked quote is shown as a quote:\n%s", final)
	}
}

// TestAskJSONOneNumberPerArticle: an answer quoting several sentences of
// one article cites it as [1] once, with all its quotes.
func TestAskJSONOneNumberPerArticle(t *testing.T) {
	envv := testEnv(t)
	ingestSample(t, envv)
	out, errOut, err := runHerald(t, envv, "ask", "--json", "What does Pistorius say caused the leak?")
	if err != nil {
		t.Fatalf("ask: %v %s", err, errOut)
	}
	var ans jsonAnswer
	if err := json.Unmarshal([]byte(out), &ans); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if ans.Abstained || len(ans.Citations) != 1 || ans.Citations[0].N != 1 {
		t.Fatalf("want one citation numbered 1: %+v", ans)
	}
	c := ans.Citations[0]
	if len(c.Quotes) < 2 || c.Quote != c.Quotes[0] {
		t.Fatalf("want the article's quotes, the first as quote: %+v", c)
	}
	if strings.Contains(ans.Answer, "[2]") || strings.Count(ans.Answer, "[1]") != len(c.Quotes) {
		t.Errorf("markers: %q", ans.Answer)
	}
	var raw map[string]any
	json.Unmarshal([]byte(out), &raw)
	cit := raw["citations"].([]any)[0].(map[string]any)
	for _, k := range []string{"n", "article_id", "title", "source", "url", "published_at", "quote", "quotes", "verified"} {
		if _, ok := cit[k]; !ok {
			t.Errorf("citation lacks %q: %v", k, cit)
		}
	}
	text, _, err := runHerald(t, envv, "ask", "What does Pistorius say caused the leak?")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(text, "Germany Blames Ukraine War Talks Leak") != 1 {
		t.Errorf("the source should be listed once:\n%s", text)
	}
	for _, q := range c.Quotes {
		if !strings.Contains(text, "“"+q+"”") {
			t.Errorf("quote %q is not listed:\n%s", q, text)
		}
	}
}

// TestAskFallsBackWhenTheStreamIsCut: a stream that ends cleanly without a
// finish reason or [DONE] is retried, then answered extractively with the
// usual note; exit status 0.
func TestAskFallsBackWhenTheStreamIsCut(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.Header().Set("Content-Type", "text/event-stream")
		chunk, _ := json.Marshal(map[string]any{"id": "x", "object": "chat.completion.chunk", "choices": []any{
			map[string]any{"index": 0, "delta": map[string]any{"content": "Scholz has not approved the deliveries because"}}}})
		fmt.Fprintf(w, "data: %s\n\n", chunk)
	}))
	defer srv.Close()
	envv := testEnv(t)
	envv["OPENAI_BASE_URL"] = srv.URL + "/v1"
	envv["HERALD_CHAT_MODEL"] = "llama3.1"
	envv["HERALD_LLM_TIMEOUT"] = "1s" // the second backoff outlasts it: two attempts
	ingestSample(t, envv)
	out, errOut, err := runHerald(t, envv, "ask", "--json", "Why hasn't Scholz approved Taurus deliveries?")
	if err != nil {
		t.Fatalf("ask: %v %s", err, errOut)
	}
	var ans jsonAnswer
	if err := json.Unmarshal([]byte(out), &ans); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if ans.Mode != "extractive" || !strings.Contains(ans.Note, "language model was unavailable") || !strings.Contains(ans.Answer, "entanglement") {
		t.Fatalf("want the extractive answer with a note: %+v", ans)
	}
	if calls < 2 {
		t.Errorf("the cut stream was not retried: %d calls", calls)
	}
}
