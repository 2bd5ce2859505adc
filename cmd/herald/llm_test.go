package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeOpenAI serves /chat/completions like an OpenAI-compatible server,
// streaming the given answer in small chunks, or failing with status.
func fakeOpenAI(t *testing.T, answer string, status int) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/chat/completions") {
			http.NotFound(w, r)
			return
		}
		if status != 0 {
			w.WriteHeader(status)
			fmt.Fprint(w, `{"error":{"message":"overloaded","type":"server_error"}}`)
			return
		}
		var req struct {
			Stream bool `json:"stream"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		if !req.Stream {
			json.NewEncoder(w).Encode(map[string]any{"id": "x", "object": "chat.completion", "choices": []any{
				map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": answer}, "finish_reason": "stop"}}})
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		for i := 0; i < len(answer); i += 7 {
			end := min(i+7, len(answer))
			chunk, _ := json.Marshal(map[string]any{"id": "x", "object": "chat.completion.chunk", "choices": []any{
				map[string]any{"index": 0, "delta": map[string]any{"content": answer[i:end]}}}})
			fmt.Fprintf(w, "data: %s\n\n", chunk)
		}
		fmt.Fprint(w, "data: [DONE]\n\n")
	}))
	t.Cleanup(srv.Close)
	return srv
}

func ingestSample(t *testing.T, env map[string]string) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "taurus.md")
	os.WriteFile(p, []byte(sampleArticle), 0o644)
	if _, errOut, err := runHerald(t, env, "ingest", p); err != nil {
		t.Fatalf("ingest: %v %s", err, errOut)
	}
}

func TestAskWithLocalModel(t *testing.T) {
	srv := fakeOpenAI(t, `Scholz fears "potential entanglement in the conflict" [1].`, 0)
	env := testEnv(t)
	env["OPENAI_BASE_URL"] = srv.URL + "/v1"
	env["HERALD_CHAT_MODEL"] = "llama3.1"
	ingestSample(t, env)
	out, errOut, err := runHerald(t, env, "ask", "--json", "--since", "2024-01-01", "Why hasn't Scholz approved Taurus deliveries?")
	if err != nil {
		t.Fatalf("ask: %v %s", err, errOut)
	}
	var ans jsonAnswer
	if err := json.Unmarshal([]byte(out), &ans); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if ans.Mode != "llm" || len(ans.Citations) != 1 || !ans.Citations[0].Verified || !strings.Contains(ans.Citations[0].Quote, "entanglement") {
		t.Fatalf("answer: %+v", ans)
	}
}

func TestAskFallsBackWhenTheModelFails(t *testing.T) {
	srv := fakeOpenAI(t, "", http.StatusBadRequest)
	env := testEnv(t)
	env["OPENAI_BASE_URL"] = srv.URL + "/v1"
	env["HERALD_CHAT_MODEL"] = "llama3.1"
	ingestSample(t, env)
	out, errOut, err := runHerald(t, env, "ask", "Why hasn't Scholz approved Taurus deliveries?")
	if err != nil {
		t.Fatalf("ask: %v %s", err, errOut)
	}
	if !strings.Contains(out, "language model was unavailable") || !strings.Contains(out, "entanglement") {
		t.Fatalf("want the extractive answer with a note:\n%s", out)
	}
	if strings.Contains(out, "400") || strings.Contains(out, "invalid") {
		t.Fatalf("an error code reached the answer:\n%s", out)
	}
	if strings.Count(errOut, "HTTP 400") != 1 {
		t.Fatalf("the log should carry the cause once:\n%s", errOut)
	}
}

func TestBadModelConfigurationIsExplained(t *testing.T) {
	env := testEnv(t)
	ingestSample(t, env)
	env["HERALD_CHAT_MODEL"] = "gpt-4o-mini"
	env["HERALD_LLM_TIMEOUT"] = "soon"
	_, errOut, err := runHerald(t, env, "ask", "Taurus?")
	if err == nil || !strings.Contains(errOut, "HERALD_LLM_TIMEOUT") {
		t.Fatalf("want a clear message about the timeout: %v %s", err, errOut)
	}
}

func TestChatKeepsTheConversation(t *testing.T) {
	env := testEnv(t)
	ingestSample(t, env)
	var out, errb strings.Builder
	in := strings.NewReader("Why hasn't Scholz approved Taurus deliveries?\nand how far?\n\n")
	err := run(context.Background(), []string{"chat", "--mode", "extractive"}, func(k string) string { return env[k] }, in, &out, &errb)
	if err != nil {
		t.Fatalf("chat: %v %s", err, errb.String())
	}
	got := out.String()
	if !strings.Contains(got, "entanglement") {
		t.Errorf("first answer missing:\n%s", got)
	}
	// The follow-up names no missile; the first question's terms carry over.
	if !strings.Contains(got, "500 kilometers") {
		t.Errorf("follow-up not answered from the conversation:\n%s", got)
	}
	// Asked alone, the follow-up does not find it.
	alone, _, err := runHerald(t, env, "ask", "--mode", "extractive", "and how far?")
	if err != nil || strings.Contains(alone, "500 kilometers") {
		t.Errorf("the follow-up alone should not find the range: %v\n%s", err, alone)
	}
}
