// Package llm connects Herald to an OpenAI-compatible endpoint (OpenAI
// itself, Ollama, vLLM, llama.cpp server, LM Studio) for chat completions,
// streamed or not, and for embeddings.
//
// It is the only package that imports go-openai. It retries transient
// failures with bounded exponential backoff, honours Retry-After, bounds
// every call with a timeout, and classifies failures once into
// *knowledge.Error values whose messages a user may read. API keys never
// appear in an error string or a log line.
package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/herald-bot/herald/knowledge"
	openai "github.com/sashabaranov/go-openai"
)

// Defaults applied by New to the zero values of Config.
const (
	// DefaultBaseURL is OpenAI's API, used when Config.BaseURL is empty.
	DefaultBaseURL = "https://api.openai.com/v1"
	// DefaultTimeout bounds one call, all its attempts included.
	DefaultTimeout = 60 * time.Second
	// DefaultMaxRetries is how many times a transient failure is retried.
	DefaultMaxRetries = 3
	// DefaultBatchSize is how many texts go into one embeddings request.
	DefaultBatchSize = 64
)

// Config configures a Client. Only ChatModel (or EmbedModel, for an
// embeddings-only client) is required when BaseURL points at a local
// server; OpenAI also needs APIKey.
type Config struct {
	// BaseURL is the API root, e.g. https://api.openai.com/v1 (the default)
	// or http://localhost:11434/v1 for Ollama. It must be http or https.
	BaseURL string
	// APIKey is sent as a bearer token when set. It is required for
	// api.openai.com and optional elsewhere; no Authorization header is
	// sent without one.
	APIKey string
	// ChatModel names the model for Complete and Stream.
	ChatModel string
	// EmbedModel names the embeddings model; empty disables Embed.
	EmbedModel string
	// Timeout bounds one Complete or Stream call, retries and backoff
	// included, and one embeddings batch. Zero means DefaultTimeout; a
	// negative value disables the bound (the caller's ctx still applies).
	Timeout time.Duration
	// MaxRetries is how many times a transient failure is retried after the
	// first attempt. Zero means DefaultMaxRetries; a negative value disables
	// retries.
	MaxRetries int
	// BatchSize is how many texts go into one embeddings request. Zero or
	// less means DefaultBatchSize.
	BatchSize int
	// HTTPClient sends the requests; nil means a new http.Client. It is not
	// modified: the Client wraps a copy's transport to read Retry-After.
	HTTPClient *http.Client
	// Logger receives one Warn line per retry; nil discards.
	Logger *slog.Logger
	// Sleep waits between attempts and returns early with ctx's error when
	// ctx ends; nil means a timer. Tests inject it to run fast.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now is the clock used to read Retry-After dates; nil means time.Now.
	Now func() time.Time
}

// Client talks to one OpenAI-compatible endpoint. It implements
// knowledge.Completer and, when an embeddings model is configured,
// knowledge.Embedder. It is safe for concurrent use.
type Client struct {
	api        *openai.Client
	chatModel  string
	embedModel string
	timeout    time.Duration
	maxRetries int
	batchSize  int
	logger     *slog.Logger
	sleep      func(ctx context.Context, d time.Duration) error
	now        func() time.Time
	jitter     func() float64 // in [0, 1)
	secrets    []string       // scrubbed from every error message and log line
}

var (
	_ knowledge.Completer = (*Client)(nil)
	_ knowledge.Embedder  = (*Client)(nil)

	_ knowledge.QueryEmbedder = (*Client)(nil)
)

// New returns a Client for cfg. It validates the base URL and, for
// api.openai.com, requires an API key; errors are *knowledge.Error with
// code EINVALID. New makes no network calls.
func New(cfg Config) (*Client, error) {
	raw := strings.TrimSpace(cfg.BaseURL)
	if raw == "" {
		raw = DefaultBaseURL
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, knowledge.Errorf(knowledge.EINVALID,
			"The language model base URL must be an http or https URL, such as %s or http://localhost:11434/v1.", DefaultBaseURL)
	}
	key := strings.TrimSpace(cfg.APIKey)
	if key == "" && strings.EqualFold(u.Hostname(), "api.openai.com") {
		return nil, knowledge.Errorf(knowledge.EINVALID,
			"The OpenAI API needs an API key. Set one, or point the base URL at a local OpenAI-compatible server such as Ollama (http://localhost:11434/v1).")
	}
	chatModel := strings.TrimSpace(cfg.ChatModel)
	embedModel := strings.TrimSpace(cfg.EmbedModel)
	if chatModel == "" && embedModel == "" {
		return nil, knowledge.Errorf(knowledge.EINVALID, "No language model is configured: set a chat model.")
	}

	c := &Client{
		chatModel:  chatModel,
		embedModel: embedModel,
		timeout:    cfg.Timeout,
		maxRetries: cfg.MaxRetries,
		batchSize:  cfg.BatchSize,
		logger:     cfg.Logger,
		sleep:      cfg.Sleep,
		now:        cfg.Now,
		jitter:     rand.Float64,
	}
	switch {
	case c.timeout == 0:
		c.timeout = DefaultTimeout
	case c.timeout < 0:
		c.timeout = 0
	}
	switch {
	case c.maxRetries == 0:
		c.maxRetries = DefaultMaxRetries
	case c.maxRetries < 0:
		c.maxRetries = 0
	}
	if c.batchSize <= 0 {
		c.batchSize = DefaultBatchSize
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	if c.sleep == nil {
		c.sleep = sleepTimer
	}
	if c.now == nil {
		c.now = time.Now
	}
	if len(key) >= 4 {
		c.secrets = append(c.secrets, key)
	}
	if pw, ok := u.User.Password(); ok && len(pw) >= 4 {
		c.secrets = append(c.secrets, pw)
	}

	hc := &http.Client{}
	if cfg.HTTPClient != nil {
		copied := *cfg.HTTPClient
		hc = &copied
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc.Transport = captureTransport{base: base}

	oc := openai.DefaultConfig(key) // an empty key sends no Authorization header
	oc.BaseURL = strings.TrimRight(raw, "/")
	oc.HTTPClient = hc
	c.api = openai.NewClientWithConfig(oc)
	return c, nil
}

// Embedder returns c as a knowledge.Embedder, or nil when no embeddings
// model is configured, so callers can test for nil before embedding.
func (c *Client) Embedder() knowledge.Embedder {
	if c.embedModel == "" {
		return nil
	}
	return c
}

// Model returns the embeddings model's name, or "" when none is configured.
func (c *Client) Model() string { return c.embedModel }

// Complete returns one whole chat completion. The content is passed through
// as the model wrote it, <think> sections included; a separate
// reasoning_content field is ignored. Token counts come from the server's
// usage report, or from EstimateTokens when the server sends none.
func (c *Client) Complete(ctx context.Context, req knowledge.ChatRequest) (knowledge.ChatResponse, error) {
	if err := c.checkChat(); err != nil {
		return knowledge.ChatResponse{}, err
	}
	creq := c.chatRequest(req)
	var resp openai.ChatCompletionResponse
	err := c.call(ctx, opChat, func(ctx context.Context) error {
		r, err := c.api.CreateChatCompletion(ctx, creq)
		if err != nil {
			return err
		}
		if len(r.Choices) == 0 {
			return unusable("the response has no choices")
		}
		resp = r
		return nil
	})
	if err != nil {
		return knowledge.ChatResponse{}, err
	}
	out := knowledge.ChatResponse{Content: resp.Choices[0].Message.Content}
	c.fillTokens(&out, req, &resp.Usage)
	return out, nil
}

// Stream writes a chat completion, passing each new piece of content to
// onDelta (in the calling goroutine) as it arrives, and returns the whole
// completion at the end.
//
// It tolerates chunks without choices, a last chunk carrying only a
// finish_reason, reasoning_content fields (ignored) and servers that end
// the stream with a finish_reason and no "data: [DONE]", or with "data:
// [DONE]" and no finish_reason. A stream that ends with neither (a proxy
// that lost its upstream closes it cleanly in mid-answer) is incomplete:
// it fails, and is retried, like a connection cut short. Cancelling ctx closes the
// stream at once and returns an error for which errors.Is(err,
// context.Canceled) holds; onDelta is not called after that.
//
// A failed stream is retried like any other call, even after some text was
// passed to onDelta. Text already passed is never passed again: while the
// new attempt repeats the emitted prefix nothing is passed, and only text
// beyond it reaches onDelta. If the new attempt's text diverges from what
// was emitted, nothing more is passed to onDelta and the returned
// ChatResponse.Content holds the new attempt's full text; Content is
// therefore authoritative, and a caller that displayed deltas should
// replace them with Content when the two differ. When Stream finally fails
// after emitting text, the returned ChatResponse.Content holds the text
// that was emitted.
func (c *Client) Stream(ctx context.Context, req knowledge.ChatRequest, onDelta func(string)) (knowledge.ChatResponse, error) {
	if err := c.checkChat(); err != nil {
		return knowledge.ChatResponse{}, err
	}
	if onDelta == nil {
		onDelta = func(string) {}
	}
	creq := c.chatRequest(req)

	var (
		emitted  strings.Builder // everything passed to onDelta, across attempts
		diverged bool            // a retry's text left the emitted prefix
		content  string
		usage    *openai.Usage
	)
	err := c.call(ctx, opStream, func(ctx context.Context) error {
		var got strings.Builder
		u, err := c.streamOnce(ctx, creq, func(d string) {
			start := got.Len()
			got.WriteString(d)
			if diverged {
				return
			}
			done := emitted.String()
			if start >= len(done) {
				onDelta(d)
				emitted.WriteString(d)
				return
			}
			// This attempt is still replaying text already emitted.
			end := min(start+len(d), len(done))
			if d[:end-start] != done[start:end] {
				diverged = true
				return
			}
			if tail := d[end-start:]; tail != "" {
				onDelta(tail)
				emitted.WriteString(tail)
			}
		})
		content, usage = got.String(), u
		return err
	})
	if err != nil {
		return knowledge.ChatResponse{Content: emitted.String()}, err
	}
	out := knowledge.ChatResponse{Content: content}
	c.fillTokens(&out, req, usage)
	return out, nil
}

// streamOnce runs one streaming attempt, calling emit with each non-empty
// content delta of the first choice.
func (c *Client) streamOnce(ctx context.Context, creq openai.ChatCompletionRequest, emit func(string)) (*openai.Usage, error) {
	stream, err := c.api.CreateChatCompletionStream(ctx, creq)
	if err != nil {
		return nil, err
	}
	defer stream.Close()
	// The transport aborts a blocked read when ctx ends; closing the body
	// as well makes sure no further byte is read.
	stop := context.AfterFunc(ctx, func() { _ = stream.Close() })
	defer stop()

	var usage *openai.Usage
	sawChoice, finished := false, false
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return usage, err
		}
		if chunk.Usage != nil {
			usage = chunk.Usage
		}
		for _, ch := range chunk.Choices {
			if ch.Index != 0 {
				continue
			}
			sawChoice = true
			if ch.FinishReason != "" {
				finished = true
			}
			if ch.Delta.Content == "" {
				continue
			}
			if err := ctx.Err(); err != nil {
				return usage, err
			}
			emit(ch.Delta.Content)
		}
	}
	if err := ctx.Err(); err != nil {
		return usage, err
	}
	if !sawChoice {
		return usage, unusable("the stream carried no choices")
	}
	if info, ok := ctx.Value(attemptKey{}).(*attemptInfo); !finished && (!ok || !info.sawDone()) {
		return usage, errIncomplete
	}
	return usage, nil
}

// errIncomplete marks a stream that ended before the model finished: no
// finish_reason and no "data: [DONE]".
var errIncomplete = errors.New("the stream ended without a finish reason or [DONE]")

func (c *Client) checkChat() error {
	if c.chatModel == "" {
		return knowledge.Errorf(knowledge.EINVALID, "No chat model is configured.")
	}
	return nil
}

// chatRequest translates req. Reasoning models at OpenAI reject max_tokens
// and any temperature but the default, and go-openai refuses to send them,
// so for those max_completion_tokens is sent and the temperature dropped;
// every other model gets max_tokens, which local servers understand.
func (c *Client) chatRequest(req knowledge.ChatRequest) openai.ChatCompletionRequest {
	msgs := make([]openai.ChatCompletionMessage, 0, len(req.Messages))
	for _, m := range req.Messages {
		msgs = append(msgs, openai.ChatCompletionMessage{Role: m.Role, Content: m.Content})
	}
	r := openai.ChatCompletionRequest{Model: c.chatModel, Messages: msgs}
	if isReasoningModel(c.chatModel) {
		r.MaxCompletionTokens = req.MaxTokens
	} else {
		//lint:ignore SA1019 local OpenAI-compatible servers (Ollama, vLLM, llama.cpp) read max_tokens, not max_completion_tokens
		r.MaxTokens = req.MaxTokens
		r.Temperature = req.Temperature
	}
	return r
}

func isReasoningModel(model string) bool {
	for _, p := range []string{"o1", "o3", "o4", "gpt-5", "gpt-6"} {
		if strings.HasPrefix(model, p) {
			return true
		}
	}
	return false
}

// fillTokens copies the server's usage when it reported any and estimates
// offline otherwise.
func (c *Client) fillTokens(out *knowledge.ChatResponse, req knowledge.ChatRequest, u *openai.Usage) {
	if u != nil && (u.PromptTokens > 0 || u.CompletionTokens > 0) {
		out.PromptTokens, out.CompletionTokens = u.PromptTokens, u.CompletionTokens
		return
	}
	out.PromptTokens = estimatePrompt(req.Messages)
	out.CompletionTokens = EstimateTokens(out.Content)
}

func sleepTimer(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// errUnusable marks a response that arrived but cannot be used.
var errUnusable = errors.New("unusable response")

func unusable(detail string) error { return fmt.Errorf("%w: %s", errUnusable, detail) }
