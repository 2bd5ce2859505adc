package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herald-bot/herald/internal/syncbuf"
	"github.com/herald-bot/herald/knowledge"
)

const testKey = "sk-test-SECRET-0123456789abcdef"

// recorder records the waits requested through Config.Sleep and returns at
// once.
type recorder struct {
	mu     sync.Mutex
	sleeps []time.Duration
}

func (r *recorder) Sleep(ctx context.Context, d time.Duration) error {
	r.mu.Lock()
	r.sleeps = append(r.sleeps, d)
	r.mu.Unlock()
	return ctx.Err()
}

func (r *recorder) Sleeps() []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.sleeps...)
}

// syncBuffer is a buffer safe for a writer and a reader at once.
type syncBuffer = syncbuf.Buffer

type harness struct {
	c    *Client
	rec  *recorder
	logs *syncBuffer
}

// newClient returns a Client for baseURL with the test key, recorded
// sleeps, captured logs and jitter fixed so backoff is exactly 0.5s, 1s,
// 2s and so on.
func newClient(t *testing.T, baseURL string, edit ...func(*Config)) harness {
	t.Helper()
	h := harness{rec: &recorder{}, logs: &syncBuffer{}}
	cfg := Config{
		BaseURL:    baseURL,
		APIKey:     testKey,
		ChatModel:  "test-chat",
		EmbedModel: "test-embed",
		Sleep:      h.rec.Sleep,
		Logger:     slog.New(slog.NewTextHandler(h.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, e := range edit {
		e(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	c.jitter = func() float64 { return 0.5 }
	h.c = c
	return h
}

var testReq = knowledge.ChatRequest{
	Messages: []knowledge.ChatMessage{
		{Role: "system", Content: "You answer from the sources."},
		{Role: "user", Content: "What happened in Lisbon?"},
	},
	MaxTokens:   200,
	Temperature: 0.2,
}

func chatJSON(content string, usage bool) string {
	resp := map[string]any{
		"id":      "chatcmpl-1",
		"object":  "chat.completion",
		"model":   "test-chat",
		"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": content}, "finish_reason": "stop"}},
	}
	if usage {
		resp["usage"] = map[string]any{"prompt_tokens": 42, "completion_tokens": 7, "total_tokens": 49}
	}
	b, _ := json.Marshal(resp)
	return string(b)
}

func deltaChunk(content string) string {
	b, _ := json.Marshal(map[string]any{
		"id":      "chatcmpl-1",
		"object":  "chat.completion.chunk",
		"choices": []any{map[string]any{"index": 0, "delta": map[string]any{"content": content}, "finish_reason": nil}},
	})
	return string(b)
}

const (
	roleChunk      = `{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant"},"finish_reason":null}]}`
	emptyChunk     = `{"id":"c","object":"chat.completion.chunk","choices":[]}`
	reasoningChunk = `{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"reasoning_content":"let me think"},"finish_reason":null}]}`
	finishChunk    = `{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}`
	usageChunk     = `{"id":"c","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":11,"completion_tokens":5,"total_tokens":16}}`
)

// writeSSE writes each payload as one server-sent event and flushes.
func writeSSE(w http.ResponseWriter, payloads ...string) {
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "text/event-stream")
	}
	for _, p := range payloads {
		fmt.Fprintf(w, "data: %s\n\n", p)
	}
	w.(http.Flusher).Flush()
}

func decodeBody(t *testing.T, r *http.Request) map[string]any {
	t.Helper()
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		t.Errorf("decoding request body: %v", err)
	}
	return body
}

// checkNoSecret fails when the key appears in err's text, in any error of
// its chain, or in the logs.
func checkNoSecret(t *testing.T, err error, logs string) {
	t.Helper()
	for e := err; e != nil; e = errors.Unwrap(e) {
		for _, s := range []string{e.Error(), fmt.Sprintf("%+v", e), fmt.Sprintf("%#v", e)} {
			if strings.Contains(s, testKey) {
				t.Errorf("error chain leaks the API key: %s", s)
			}
		}
	}
	if msg := knowledge.ErrorMessage(err); strings.Contains(msg, testKey) {
		t.Errorf("user message leaks the API key: %s", msg)
	}
	if strings.Contains(logs, testKey) {
		t.Errorf("logs leak the API key:\n%s", logs)
	}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("err = nil, want code %s", code)
	}
	if got := knowledge.ErrorCode(err); got != code {
		t.Fatalf("ErrorCode = %q, want %q (err: %v)", got, code, err)
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		code string // "" when New must succeed
		msg  string // part of the message
	}{
		{"openai default without key", Config{ChatModel: "gpt-4o-mini"}, knowledge.EINVALID, "API key"},
		{"openai explicit without key", Config{BaseURL: "https://API.openai.com/v1/", ChatModel: "gpt-4o-mini"}, knowledge.EINVALID, "API key"},
		{"openai with key", Config{APIKey: "sk-x", ChatModel: "gpt-4o-mini"}, "", ""},
		{"ollama without key", Config{BaseURL: "http://localhost:11434/v1", ChatModel: "llama3.2"}, "", ""},
		{"embeddings only", Config{BaseURL: "http://localhost:11434/v1", EmbedModel: "nomic-embed-text"}, "", ""},
		{"ftp", Config{BaseURL: "ftp://example.com/v1", ChatModel: "m"}, knowledge.EINVALID, "http or https"},
		{"no scheme", Config{BaseURL: "localhost:11434", ChatModel: "m"}, knowledge.EINVALID, "http or https"},
		{"garbage", Config{BaseURL: "http://[::1", ChatModel: "m"}, knowledge.EINVALID, "http or https"},
		{"no host", Config{BaseURL: "http:///v1", ChatModel: "m"}, knowledge.EINVALID, "http or https"},
		{"no model", Config{BaseURL: "http://localhost:11434/v1"}, knowledge.EINVALID, "model"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.cfg)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			wantCode(t, err, tt.code)
			if c != nil {
				t.Error("New returned a client with an error")
			}
			if msg := knowledge.ErrorMessage(err); !strings.Contains(msg, tt.msg) {
				t.Errorf("message %q does not mention %q", msg, tt.msg)
			}
		})
	}
}

func TestEmbedderAndModel(t *testing.T) {
	c, err := New(Config{BaseURL: "http://localhost:11434/v1", ChatModel: "llama3.2"})
	if err != nil {
		t.Fatal(err)
	}
	if e := c.Embedder(); e != nil {
		t.Errorf("Embedder() = %v, want nil without an embeddings model", e)
	}
	if m := c.Model(); m != "" {
		t.Errorf("Model() = %q, want empty", m)
	}
	_, err = c.Embed(context.Background(), []string{"x"})
	wantCode(t, err, knowledge.EINVALID)

	c, err = New(Config{BaseURL: "http://localhost:11434/v1", ChatModel: "llama3.2", EmbedModel: "nomic-embed-text"})
	if err != nil {
		t.Fatal(err)
	}
	e := c.Embedder()
	if e == nil || e.Model() != "nomic-embed-text" {
		t.Errorf("Embedder() = %v, want the client with model nomic-embed-text", e)
	}

	c, err = New(Config{BaseURL: "http://localhost:11434/v1", EmbedModel: "nomic-embed-text"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Complete(context.Background(), testReq)
	wantCode(t, err, knowledge.EINVALID)
}

func TestComplete(t *testing.T) {
	var body map[string]any
	var auth, path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth, path = r.Header.Get("Authorization"), r.URL.Path
		body = decodeBody(t, r)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, chatJSON("<think>hmm</think>Lisbon hosted the summit [1].", true))
	}))
	defer srv.Close()
	h := newClient(t, srv.URL)

	resp, err := h.c.Complete(context.Background(), testReq)
	if err != nil {
		t.Fatalf("Complete: %v", err)
	}
	want := knowledge.ChatResponse{Content: "<think>hmm</think>Lisbon hosted the summit [1].", PromptTokens: 42, CompletionTokens: 7}
	if resp != want {
		t.Errorf("Complete = %+v, want %+v", resp, want)
	}
	if auth != "Bearer "+testKey {
		t.Errorf("Authorization = %q", auth)
	}
	if path != "/chat/completions" {
		t.Errorf("path = %q", path)
	}
	if body["model"] != "test-chat" || body["max_tokens"] != 200.0 || body["stream"] != false {
		t.Errorf("request body = %v", body)
	}
	if temp, _ := body["temperature"].(float64); temp < 0.19 || temp > 0.21 {
		t.Errorf("temperature = %v, want 0.2", body["temperature"])
	}
	msgs, _ := body["messages"].([]any)
	if len(msgs) != 2 || msgs[1].(map[string]any)["content"] != "What happened in Lisbon?" {
		t.Errorf("messages = %v", body["messages"])
	}
}

func TestCompleteEstimatesTokensWithoutUsage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, chatJSON("The summit ended early.", false))
	}))
	defer srv.Close()
	h := newClient(t, srv.URL)
	resp, err := h.c.Complete(context.Background(), testReq)
	if err != nil {
		t.Fatal(err)
	}
	if resp.CompletionTokens != EstimateTokens("The summit ended early.") || resp.PromptTokens != estimatePrompt(testReq.Messages) {
		t.Errorf("tokens = %d/%d, want estimates %d/%d", resp.PromptTokens, resp.CompletionTokens,
			estimatePrompt(testReq.Messages), EstimateTokens("The summit ended early."))
	}
}

func TestReasoningModelRequest(t *testing.T) {
	var body map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body = decodeBody(t, r)
		io.WriteString(w, chatJSON("ok", true))
	}))
	defer srv.Close()
	h := newClient(t, srv.URL, func(c *Config) { c.ChatModel = "o3-mini" })
	if _, err := h.c.Complete(context.Background(), testReq); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	if body["max_completion_tokens"] != 200.0 || body["max_tokens"] != nil || body["temperature"] != nil {
		t.Errorf("request body = %v, want max_completion_tokens and no temperature", body)
	}
}

func TestStream(t *testing.T) {
	for _, done := range []bool{true, false} {
		t.Run(fmt.Sprintf("done=%v", done), func(t *testing.T) {
			var body map[string]any
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body = decodeBody(t, r)
				writeSSE(w, roleChunk, deltaChunk("<think>x</think>"), deltaChunk("Lis"))
				writeSSE(w, emptyChunk, reasoningChunk, deltaChunk("bon "))
				w.Write([]byte(": keep-alive\n\n"))
				writeSSE(w, deltaChunk("hosted [1]."), finishChunk)
				if done {
					writeSSE(w, "[DONE]")
				}
			}))
			defer srv.Close()
			h := newClient(t, srv.URL)

			var deltas []string
			resp, err := h.c.Stream(context.Background(), testReq, func(d string) { deltas = append(deltas, d) })
			if err != nil {
				t.Fatalf("Stream: %v", err)
			}
			wantDeltas := []string{"<think>x</think>", "Lis", "bon ", "hosted [1]."}
			if !reflect.DeepEqual(deltas, wantDeltas) {
				t.Errorf("deltas = %q, want %q", deltas, wantDeltas)
			}
			content := strings.Join(wantDeltas, "")
			if resp.Content != content {
				t.Errorf("Content = %q, want %q", resp.Content, content)
			}
			// No usage in the stream: tokens are estimated.
			if resp.CompletionTokens != EstimateTokens(content) || resp.PromptTokens != estimatePrompt(testReq.Messages) {
				t.Errorf("tokens = %d/%d, want estimates %d/%d", resp.PromptTokens, resp.CompletionTokens,
					estimatePrompt(testReq.Messages), EstimateTokens(content))
			}
			if resp.CompletionTokens == 0 || resp.PromptTokens == 0 {
				t.Error("estimated tokens are zero")
			}
			if body["stream"] != true || body["stream_options"] != nil {
				t.Errorf("request body = %v, want stream without stream_options", body)
			}
		})
	}
}

func TestStreamUsesReportedUsage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeSSE(w, deltaChunk("Hi"), finishChunk, usageChunk, "[DONE]")
	}))
	defer srv.Close()
	h := newClient(t, srv.URL)
	resp, err := h.c.Stream(context.Background(), testReq, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.PromptTokens != 11 || resp.CompletionTokens != 5 || resp.Content != "Hi" {
		t.Errorf("Stream = %+v, want reported usage 11/5", resp)
	}
}

func TestRateLimitRetryAfter(t *testing.T) {
	now := time.Date(2030, 5, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name       string
		retryAfter string
		want       time.Duration
	}{
		{"seconds", "2", 2 * time.Second},
		{"http date", now.Add(3 * time.Second).Format(http.TimeFormat), 3 * time.Second},
		{"absent", "", baseDelay},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if calls.Add(1) == 1 {
					if tt.retryAfter != "" {
						w.Header().Set("Retry-After", tt.retryAfter)
					}
					w.WriteHeader(http.StatusTooManyRequests)
					io.WriteString(w, `{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}`)
					return
				}
				writeSSE(w, deltaChunk("ok"), "[DONE]")
			}))
			defer srv.Close()
			h := newClient(t, srv.URL, func(c *Config) { c.Now = func() time.Time { return now } })

			resp, err := h.c.Stream(context.Background(), testReq, nil)
			if err != nil {
				t.Fatalf("Stream: %v", err)
			}
			if resp.Content != "ok" || calls.Load() != 2 {
				t.Errorf("content %q after %d calls", resp.Content, calls.Load())
			}
			if got := h.rec.Sleeps(); !reflect.DeepEqual(got, []time.Duration{tt.want}) {
				t.Errorf("sleeps = %v, want [%v]", got, tt.want)
			}
			logs := h.logs.String()
			if strings.Count(logs, "level=WARN") != 1 || !strings.Contains(logs, "status=429") || !strings.Contains(logs, "attempt=1") {
				t.Errorf("want one WARN line with status and attempt, got:\n%s", logs)
			}
			if strings.Contains(logs, "Lisbon") {
				t.Errorf("logs contain the prompt:\n%s", logs)
			}
		})
	}
}

func TestRateLimitExhausted(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `{"error":{"message":"slow down"}}`)
	}))
	defer srv.Close()
	h := newClient(t, srv.URL)
	_, err := h.c.Complete(context.Background(), testReq)
	wantCode(t, err, knowledge.ERATELIMIT)
	if calls.Load() != 4 {
		t.Errorf("calls = %d, want 4", calls.Load())
	}
}

func TestRetryAfterBeyondTimeoutGivesUp(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	h := newClient(t, srv.URL, func(c *Config) { c.Timeout = 5 * time.Second })
	_, err := h.c.Complete(context.Background(), testReq)
	wantCode(t, err, knowledge.ERATELIMIT)
	if calls.Load() != 1 || len(h.rec.Sleeps()) != 0 {
		t.Errorf("calls = %d, sleeps = %v; want one call and no wait", calls.Load(), h.rec.Sleeps())
	}
}

func TestQuotaExhaustedIsNotRetried(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusTooManyRequests)
		io.WriteString(w, `{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}`)
	}))
	defer srv.Close()
	h := newClient(t, srv.URL)
	_, err := h.c.Complete(context.Background(), testReq)
	wantCode(t, err, knowledge.ERATELIMIT)
	if calls.Load() != 1 {
		t.Errorf("calls = %d, want 1", calls.Load())
	}
}

func TestServerErrorTwiceThenSuccess(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= 2 {
			http.Error(w, "upstream exploded", http.StatusInternalServerError)
			return
		}
		io.WriteString(w, chatJSON("fine", true))
	}))
	defer srv.Close()
	h := newClient(t, srv.URL)
	resp, err := h.c.Complete(context.Background(), testReq)
	if err != nil {
		t.Fatalf("Complete: %v", err)
	}
	if resp.Content != "fine" || calls.Load() != 3 {
		t.Errorf("content %q after %d calls", resp.Content, calls.Load())
	}
	if got, want := h.rec.Sleeps(), []time.Duration{500 * time.Millisecond, time.Second}; !reflect.DeepEqual(got, want) {
		t.Errorf("sleeps = %v, want %v", got, want)
	}
	if n := strings.Count(h.logs.String(), "level=WARN"); n != 2 {
		t.Errorf("%d WARN lines, want one per retry (2)", n)
	}
}

func TestServerErrorAlways(t *testing.T) {
	for _, status := range []int{500, 502, 503, 504} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				w.WriteHeader(status)
				io.WriteString(w, `{"error":{"message":"overloaded"}}`)
			}))
			defer srv.Close()
			h := newClient(t, srv.URL)
			_, err := h.c.Stream(context.Background(), testReq, nil)
			wantCode(t, err, knowledge.EUNAVAILABLE)
			if calls.Load() != DefaultMaxRetries+1 {
				t.Errorf("calls = %d, want %d", calls.Load(), DefaultMaxRetries+1)
			}
			want := []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second}
			if got := h.rec.Sleeps(); !reflect.DeepEqual(got, want) {
				t.Errorf("sleeps = %v, want %v", got, want)
			}
		})
	}
}

func TestMaxRetriesConfig(t *testing.T) {
	for _, tt := range []struct{ maxRetries, calls int32 }{{1, 2}, {-1, 1}} {
		var calls atomic.Int32
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			w.WriteHeader(http.StatusServiceUnavailable)
		}))
		h := newClient(t, srv.URL, func(c *Config) { c.MaxRetries = int(tt.maxRetries) })
		_, err := h.c.Complete(context.Background(), testReq)
		srv.Close()
		wantCode(t, err, knowledge.EUNAVAILABLE)
		if calls.Load() != tt.calls {
			t.Errorf("MaxRetries %d: calls = %d, want %d", tt.maxRetries, calls.Load(), tt.calls)
		}
	}
}

func TestClientErrorsAreNotRetried(t *testing.T) {
	tests := []struct {
		status int
		body   string
		code   string
		msg    string
	}{
		{400, `{"error":{"message":"bad request"}}`, knowledge.EINVALID, msgRejected},
		{400, `{"error":{"message":"too long","code":"context_length_exceeded"}}`, knowledge.EINVALID, msgTooLong},
		{403, `{"error":{"message":"forbidden"}}`, knowledge.EUNAVAILABLE, msgCredentials},
		{404, `{"error":{"message":"model \"test-chat\" not found, try pulling it first"}}`, knowledge.EINVALID, "The model test-chat was not found at the configured endpoint."},
		{404, `404 page not found`, knowledge.EINVALID, "The model test-chat was not found at the configured endpoint."},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d %s", tt.status, tt.msg), func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			h := newClient(t, srv.URL)
			_, err := h.c.Complete(context.Background(), testReq)
			wantCode(t, err, tt.code)
			if msg := knowledge.ErrorMessage(err); msg != tt.msg {
				t.Errorf("message = %q, want %q", msg, tt.msg)
			}
			if calls.Load() != 1 || len(h.rec.Sleeps()) != 0 {
				t.Errorf("calls = %d, sleeps = %v; want 1 call, no retry", calls.Load(), h.rec.Sleeps())
			}
		})
	}
}

func TestConnectionRefused(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	h := newClient(t, url)
	_, err := h.c.Complete(context.Background(), testReq)
	wantCode(t, err, knowledge.EUNAVAILABLE)
	if msg := knowledge.ErrorMessage(err); msg != msgUnreachable {
		t.Errorf("message = %q", msg)
	}
	if n := len(h.rec.Sleeps()); n != DefaultMaxRetries {
		t.Errorf("%d retries, want %d", n, DefaultMaxRetries)
	}
}

func TestHangingServerTimesOut(t *testing.T) {
	for _, streaming := range []bool{false, true} {
		t.Run(fmt.Sprintf("stream=%v", streaming), func(t *testing.T) {
			release := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.Copy(io.Discard, r.Body) // lets the server notice the client leaving
				if streaming {
					writeSSE(w, deltaChunk("partial"))
				}
				select {
				case <-r.Context().Done():
				case <-release:
				}
			}))
			defer srv.Close()
			defer close(release)
			h := newClient(t, srv.URL, func(c *Config) { c.Timeout = 200 * time.Millisecond })

			start := time.Now()
			var resp knowledge.ChatResponse
			var err error
			if streaming {
				resp, err = h.c.Stream(context.Background(), testReq, nil)
			} else {
				resp, err = h.c.Complete(context.Background(), testReq)
			}
			if elapsed := time.Since(start); elapsed > 2*time.Second {
				t.Errorf("took %v, want about 200ms", elapsed)
			}
			wantCode(t, err, knowledge.ETIMEOUT)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("errors.Is(err, context.DeadlineExceeded) = false for %v", err)
			}
			if streaming && resp.Content != "partial" {
				t.Errorf("Content = %q, want the emitted partial text", resp.Content)
			}
		})
	}
}

func TestStreamCancel(t *testing.T) {
	disconnected := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		writeSSE(w, deltaChunk("first"), deltaChunk("second"))
		select {
		case <-r.Context().Done():
			close(disconnected)
		case <-time.After(10 * time.Second):
		}
	}))
	defer srv.Close()
	h := newClient(t, srv.URL)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var deltas []string
	start := time.Now()
	_, err := h.c.Stream(ctx, testReq, func(d string) {
		deltas = append(deltas, d)
		cancel()
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if elapsed := time.Since(start); elapsed > time.Second {
		t.Errorf("Stream returned after %v", elapsed)
	}
	if !reflect.DeepEqual(deltas, []string{"first"}) {
		t.Errorf("deltas = %q, want only the one before cancelling", deltas)
	}
	select {
	case <-disconnected:
	case <-time.After(2 * time.Second):
		t.Error("the server did not see the stream close")
	}
	if len(h.rec.Sleeps()) != 0 {
		t.Error("a cancelled stream was retried")
	}
}

func TestCancelDuringBackoff(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	h := newClient(t, srv.URL, func(c *Config) {
		c.Sleep = func(ctx context.Context, d time.Duration) error {
			cancel()
			return ctx.Err()
		}
	})
	_, err := h.c.Complete(ctx, testReq)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestUnusableResponses(t *testing.T) {
	tests := []struct {
		name   string
		stream bool
		write  func(w http.ResponseWriter)
	}{
		{"malformed json", false, func(w http.ResponseWriter) { io.WriteString(w, `{"choices": [}`) }},
		{"html page", false, func(w http.ResponseWriter) { io.WriteString(w, `<html>proxy login</html>`) }},
		{"empty body", false, func(w http.ResponseWriter) {}},
		{"empty choice list", false, func(w http.ResponseWriter) { io.WriteString(w, `{"id":"x","object":"chat.completion","choices":[]}`) }},
		{"wrong types", false, func(w http.ResponseWriter) { io.WriteString(w, `{"choices":"none"}`) }},
		{"stream malformed chunk", true, func(w http.ResponseWriter) { writeSSE(w, `{"choices":[{"delta":`, "[DONE]") }},
		{"stream empty choice lists", true, func(w http.ResponseWriter) { writeSSE(w, emptyChunk, emptyChunk, "[DONE]") }},
		{"stream nothing", true, func(w http.ResponseWriter) { writeSSE(w, "[DONE]") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls.Add(1)
				tt.write(w)
			}))
			defer srv.Close()
			h := newClient(t, srv.URL)
			var err error
			if tt.stream {
				_, err = h.c.Stream(context.Background(), testReq, nil)
			} else {
				_, err = h.c.Complete(context.Background(), testReq)
			}
			wantCode(t, err, knowledge.EUNAVAILABLE)
			if msg := knowledge.ErrorMessage(err); msg != msgUnusable {
				t.Errorf("message = %q, want %q", msg, msgUnusable)
			}
			if calls.Load() != 1 {
				t.Errorf("calls = %d, want 1", calls.Load())
			}
		})
	}
}

func TestStreamErrorEventIsRetried(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			writeSSE(w, `{"error":{"message":"engine crashed","type":"server_error"}}`)
			return
		}
		writeSSE(w, deltaChunk("ok"), "[DONE]")
	}))
	defer srv.Close()
	h := newClient(t, srv.URL)
	resp, err := h.c.Stream(context.Background(), testReq, nil)
	if err != nil || resp.Content != "ok" || calls.Load() != 2 {
		t.Errorf("Stream = %+v, %v after %d calls", resp, err, calls.Load())
	}
}

func TestKeyIsScrubbed(t *testing.T) {
	echoJSON := func(w http.ResponseWriter, r *http.Request) {
		b, _ := json.Marshal(map[string]any{"error": map[string]any{
			"message": "Incorrect API key provided: " + r.Header.Get("Authorization"),
			"type":    "invalid_request_error", "code": "invalid_api_key",
		}})
		w.Write(b)
	}
	echoText := func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "denied for header "+r.Header.Get("Authorization"))
	}
	tests := []struct {
		name   string
		status int
		echo   func(w http.ResponseWriter, r *http.Request)
		code   string
		calls  int32
	}{
		{"401 json", 401, echoJSON, knowledge.EUNAVAILABLE, 1},
		{"401 text", 401, echoText, knowledge.EUNAVAILABLE, 1},
		{"503 json retried", 503, echoJSON, knowledge.EUNAVAILABLE, 4},
		{"503 text retried", 503, echoText, knowledge.EUNAVAILABLE, 4},
		{"400 text", 400, echoText, knowledge.EINVALID, 1},
	}
	for _, tt := range tests {
		for _, streaming := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s stream=%v", tt.name, streaming), func(t *testing.T) {
				var calls atomic.Int32
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					calls.Add(1)
					w.WriteHeader(tt.status)
					tt.echo(w, r)
				}))
				defer srv.Close()
				h := newClient(t, srv.URL)
				var err error
				if streaming {
					_, err = h.c.Stream(context.Background(), testReq, nil)
				} else {
					_, err = h.c.Complete(context.Background(), testReq)
				}
				wantCode(t, err, tt.code)
				if tt.status == 401 && knowledge.ErrorMessage(err) != msgCredentials {
					t.Errorf("message = %q", knowledge.ErrorMessage(err))
				}
				if calls.Load() != tt.calls {
					t.Errorf("calls = %d, want %d", calls.Load(), tt.calls)
				}
				if !strings.Contains(err.Error(), "[redacted]") {
					t.Errorf("error %q does not show where the key was scrubbed", err)
				}
				checkNoSecret(t, err, h.logs.String())
			})
		}
	}
}

func TestStreamRetryAfterPartialOutput(t *testing.T) {
	tests := []struct {
		name        string
		retry       []string
		wantDeltas  []string
		wantContent string
	}{
		{
			name:        "same chunks",
			retry:       []string{"Hello", " world", "!"},
			wantDeltas:  []string{"Hello", " wor", "ld", "!"},
			wantContent: "Hello world!",
		},
		{
			name:        "different chunk boundaries",
			retry:       []string{"Hel", "lo w", "orld!"},
			wantDeltas:  []string{"Hello", " wor", "ld!"},
			wantContent: "Hello world!",
		},
		{
			name:        "diverges",
			retry:       []string{"Hello", " there", "."},
			wantDeltas:  []string{"Hello", " wor"},
			wantContent: "Hello there.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if calls.Add(1) == 1 {
					writeSSE(w, deltaChunk("Hello"), deltaChunk(" wor"))
					panic(http.ErrAbortHandler) // the connection drops mid-stream
				}
				for _, d := range tt.retry {
					writeSSE(w, deltaChunk(d))
				}
				writeSSE(w, finishChunk, "[DONE]")
			}))
			defer srv.Close()
			h := newClient(t, srv.URL)

			var deltas []string
			resp, err := h.c.Stream(context.Background(), testReq, func(d string) { deltas = append(deltas, d) })
			if err != nil {
				t.Fatalf("Stream: %v", err)
			}
			if !reflect.DeepEqual(deltas, tt.wantDeltas) {
				t.Errorf("deltas = %q, want %q", deltas, tt.wantDeltas)
			}
			if resp.Content != tt.wantContent {
				t.Errorf("Content = %q, want %q", resp.Content, tt.wantContent)
			}
			if calls.Load() != 2 || len(h.rec.Sleeps()) != 1 {
				t.Errorf("calls = %d, sleeps = %v", calls.Load(), h.rec.Sleeps())
			}
		})
	}
}

func TestStreamFailsAfterPartialOutput(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeSSE(w, deltaChunk("Hello"))
		panic(http.ErrAbortHandler)
	}))
	defer srv.Close()
	h := newClient(t, srv.URL, func(c *Config) { c.MaxRetries = 2 })
	var deltas []string
	resp, err := h.c.Stream(context.Background(), testReq, func(d string) { deltas = append(deltas, d) })
	wantCode(t, err, knowledge.EUNAVAILABLE)
	if resp.Content != "Hello" || !reflect.DeepEqual(deltas, []string{"Hello"}) {
		t.Errorf("Content = %q, deltas = %q; want the partial text once", resp.Content, deltas)
	}
}

func TestOllamaWithoutKey(t *testing.T) {
	var auth []string
	var paths []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		auth = append(auth, r.Header.Get("Authorization"))
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		switch r.URL.Path {
		case "/v1/chat/completions":
			if body := decodeBody(t, r); body["stream"] == true {
				writeSSE(w, deltaChunk("local"), finishChunk) // Ollama-style: no usage
				return
			}
			io.WriteString(w, chatJSON("local", false))
		case "/v1/embeddings":
			io.WriteString(w, `{"object":"list","data":[{"object":"embedding","embedding":[0.1,0.2],"index":0}],"model":"nomic-embed-text"}`)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	h := newClient(t, srv.URL+"/v1/", func(c *Config) {
		c.APIKey = ""
		c.ChatModel = "llama3.2"
		c.EmbedModel = "nomic-embed-text"
	})
	if resp, err := h.c.Complete(context.Background(), testReq); err != nil || resp.Content != "local" {
		t.Errorf("Complete = %+v, %v", resp, err)
	}
	if resp, err := h.c.Stream(context.Background(), testReq, nil); err != nil || resp.Content != "local" {
		t.Errorf("Stream = %+v, %v", resp, err)
	}
	if vecs, err := h.c.Embed(context.Background(), []string{"x"}); err != nil || len(vecs) != 1 {
		t.Errorf("Embed = %v, %v", vecs, err)
	}
	want := []string{"/v1/chat/completions", "/v1/chat/completions", "/v1/embeddings"}
	if !reflect.DeepEqual(paths, want) {
		t.Errorf("paths = %q, want %q", paths, want)
	}
	for _, a := range auth {
		if a != "" {
			t.Errorf("Authorization header %q sent without a key", a)
		}
	}
}

func TestCustomHTTPClientIsNotModified(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	hc := &http.Client{}
	h := newClient(t, srv.URL, func(c *Config) { c.HTTPClient = hc; c.MaxRetries = 1 })
	_, err := h.c.Complete(context.Background(), testReq)
	wantCode(t, err, knowledge.ERATELIMIT)
	if hc.Transport != nil {
		t.Error("the caller's http.Client was modified")
	}
	if got := h.rec.Sleeps(); !reflect.DeepEqual(got, []time.Duration{time.Second}) {
		t.Errorf("sleeps = %v, want [1s]", got)
	}
}

// TestStreamCutWithoutFinishIsRetried: a stream that ends cleanly but
// with neither a finish_reason nor "data: [DONE]" (a proxy that lost its
// upstream) is incomplete, and is retried; a stream ending with only one
// of the two is complete.
func TestStreamCutWithoutFinishIsRetried(t *testing.T) {
	tests := []struct {
		name  string
		end   []string // what the first attempt sends after its text
		calls int32
	}{
		{"finish reason and DONE", []string{finishChunk, "[DONE]"}, 1},
		{"finish reason only", []string{finishChunk}, 1},
		{"DONE only", []string{"[DONE]"}, 1},
		{"neither", nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if calls.Add(1) == 1 {
					writeSSE(w, append([]string{deltaChunk("Lisbon hosted")}, tt.end...)...)
					return
				}
				writeSSE(w, deltaChunk("Lisbon hosted"), deltaChunk(" the summit."), finishChunk, "[DONE]")
			}))
			defer srv.Close()
			h := newClient(t, srv.URL)
			var streamed strings.Builder
			resp, err := h.c.Stream(context.Background(), testReq, func(d string) { streamed.WriteString(d) })
			if err != nil {
				t.Fatalf("Stream: %v", err)
			}
			if calls.Load() != tt.calls {
				t.Errorf("%d calls, want %d", calls.Load(), tt.calls)
			}
			want := "Lisbon hosted"
			if tt.calls == 2 {
				want = "Lisbon hosted the summit."
				if logs := h.logs.String(); !strings.Contains(logs, "without a finish reason") {
					t.Errorf("the retry is not logged with its cause:\n%s", logs)
				}
			}
			if resp.Content != want || streamed.String() != want {
				t.Errorf("content %q, streamed %q; want %q", resp.Content, streamed.String(), want)
			}
		})
	}
}

// TestStreamAlwaysCutFails: when every attempt is cut short, Stream fails
// with a message a user may read, after the usual retries.
func TestStreamAlwaysCutFails(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		writeSSE(w, deltaChunk("Lisbon hosted"))
	}))
	defer srv.Close()
	h := newClient(t, srv.URL)
	resp, err := h.c.Stream(context.Background(), testReq, nil)
	if knowledge.ErrorCode(err) != knowledge.EUNAVAILABLE || knowledge.ErrorMessage(err) != msgIncomplete {
		t.Fatalf("err = %v (%s), want %q", err, knowledge.ErrorCode(err), msgIncomplete)
	}
	if calls.Load() != DefaultMaxRetries+1 || len(h.rec.Sleeps()) != DefaultMaxRetries {
		t.Errorf("%d calls, %d sleeps; want %d and %d", calls.Load(), len(h.rec.Sleeps()), DefaultMaxRetries+1, DefaultMaxRetries)
	}
	if resp.Content != "Lisbon hosted" {
		t.Errorf("Content = %q, want the text emitted", resp.Content)
	}
}

func TestIsDoneLine(t *testing.T) {
	for line, want := range map[string]bool{"data: [DONE]": true, "data:[DONE]": true, "data: [DONE]\r": true,
		"data: {\"x\":\"[DONE]\"}": false, "[DONE]": false, "": false} {
		if got := isDoneLine([]byte(line)); got != want {
			t.Errorf("isDoneLine(%q) = %v, want %v", line, got, want)
		}
	}
}
