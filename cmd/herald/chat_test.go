package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// slowModel is an OpenAI-compatible server whose first chat request
// hangs until the client gives up; later ones answer at once.
func slowModel(t *testing.T, answer string) (srv *httptest.Server, asked <-chan struct{}) {
	ch := make(chan struct{}, 1)
	var n atomic.Int32
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/chat/completions") {
			http.NotFound(w, r)
			return
		}
		var req struct {
			Stream bool `json:"stream"`
		}
		_ = json.NewDecoder(r.Body).Decode(&req)
		if n.Add(1) == 1 {
			ch <- struct{}{}
			<-r.Context().Done()
			return
		}
		if req.Stream {
			w.Header().Set("Content-Type", "text/event-stream")
			chunk, _ := json.Marshal(map[string]any{"id": "x", "object": "chat.completion.chunk", "choices": []any{
				map[string]any{"index": 0, "delta": map[string]any{"content": answer}}}})
			fmt.Fprintf(w, "data: %s\n\ndata: [DONE]\n\n", chunk)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"id": "x", "object": "chat.completion", "choices": []any{
			map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": answer}, "finish_reason": "stop"}}})
	}))
	t.Cleanup(srv.Close)
	return srv, ch
}

// TestChatCtrlCStopsTheAnswerThenTheSession: an interrupt while the model
// writes stops that answer and the session goes on; Ctrl-D then leaves
// with status 0.
func TestChatCtrlCStopsTheAnswer(t *testing.T) {
	env := testEnv(t)
	ingestSample(t, env)
	srv, asked := slowModel(t, `Scholz fears "potential entanglement in the conflict" [1].`)
	env["OPENAI_BASE_URL"] = srv.URL + "/v1"
	env["HERALD_CHAT_MODEL"] = "llama3.1"
	env["HERALD_LOG_LEVEL"] = "error"

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in, typed := io.Pipe()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"chat"}, func(k string) string { return env[k] }, in, &stdout, &stderr)
	}()
	fmt.Fprintln(typed, "Why hasn't Scholz approved Taurus deliveries?")
	select {
	case <-asked:
	case <-time.After(10 * time.Second):
		t.Fatalf("the model was not asked:\n%s\n%s", stdout.String(), stderr.String())
	}
	cancel() // Ctrl-C while the answer is being written
	waitFor(t, func() bool { return strings.Contains(stderr.String(), "Answer stopped.") }, &stderr)
	fmt.Fprintln(typed, "Why hasn't Scholz approved Taurus deliveries?")
	waitFor(t, func() bool { return strings.Contains(stdout.String(), "Scholz fears") }, &stdout)
	typed.Close() // Ctrl-D
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("chat ended with %v (exit %d), want status 0\n%s", err, exitCode(err), stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("chat did not end at Ctrl-D")
	}
}

// TestChatCtrlCAtThePromptLeaves: an interrupt while waiting for a
// question ends the session at once with status 130, without waiting for
// Enter.
func TestChatCtrlCAtThePromptLeaves(t *testing.T) {
	env := testEnv(t)
	ingestSample(t, env)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	in, typed := io.Pipe()
	defer typed.Close()
	var stdout, stderr syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"chat", "--mode", "extractive"}, func(k string) string { return env[k] }, in, &stdout, &stderr)
	}()
	waitFor(t, func() bool { return strings.Contains(stdout.String(), "> ") }, &stdout)
	cancel()
	select {
	case err := <-done:
		if exitCode(err) != 130 {
			t.Errorf("exit %d (%v), want 130", exitCode(err), err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("chat did not leave on Ctrl-C at the prompt")
	}
}

// waitFor polls cond (an output condition, not a timing assertion) for
// up to 10 seconds.
func waitFor(t *testing.T, cond func() bool, out *syncBuffer) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met; output:\n%s", out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
}
