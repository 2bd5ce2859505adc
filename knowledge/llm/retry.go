package llm

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/herald-bot/herald/knowledge"
	openai "github.com/sashabaranov/go-openai"
)

// Operation names, used in causes and log lines.
const (
	opChat   = "chat"
	opStream = "chat stream"
	opEmbed  = "embeddings"
)

// Backoff bounds: the first retry waits about baseDelay, each later one
// twice as long, never more than maxDelay; jitter spreads each by ±20%.
const (
	baseDelay     = 500 * time.Millisecond
	maxDelay      = 8 * time.Second
	maxRetryAfter = time.Hour
	maxCauseLen   = 600
)

// User-facing messages.
const (
	msgCredentials = "The language model rejected Herald's credentials."
	msgUnusable    = "The language model returned an unusable response."
	msgIncomplete  = "The language model's answer was cut off."
	msgTimeout     = "The language model took too long to answer."
	msgUnavailable = "The language model is unavailable right now."
	msgUnreachable = "The language model could not be reached."
	msgRateLimit   = "The language model is rate limiting Herald. Try again in a moment."
	msgQuota       = "The language model's account has run out of quota."
	msgRejected    = "The language model rejected the request."
	msgTooLong     = "The question and its sources are too long for the language model."
	msgBadSettings = "The model %s cannot be used with these settings."
	msgNotFound    = "The model %s was not found at the configured endpoint."
)

// call runs attempt until it succeeds, fails for good, or runs out of
// retries or time. The whole loop is bounded by c.timeout. Errors are
// returned classified: context.Canceled (wrapped) when ctx was cancelled,
// a *knowledge.Error otherwise.
func (c *Client) call(ctx context.Context, op string, attempt func(ctx context.Context) error) error {
	return c.callRetrying(ctx, op, c.maxRetries, attempt)
}

// callRetrying is call with at most retries retries.
func (c *Client) callRetrying(ctx context.Context, op string, retries int, attempt func(ctx context.Context) error) error {
	callCtx := ctx
	if c.timeout > 0 {
		var cancel context.CancelFunc
		callCtx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	for n := 1; ; n++ {
		info := &attemptInfo{}
		err := attempt(context.WithValue(callCtx, attemptKey{}, info))
		if err == nil {
			return nil
		}
		if callCtx.Err() != nil {
			return c.interrupted(ctx, op, n, err)
		}
		f := c.classify(op, err, info)
		if !f.retry || n > retries {
			return c.fail(op, n, f)
		}
		delay := f.retryAfter
		if delay <= 0 {
			delay = c.backoff(n)
		}
		if dl, ok := callCtx.Deadline(); ok && time.Until(dl) < delay {
			// Waiting would outlast the budget: report what went wrong
			// rather than a timeout.
			return c.fail(op, n, f)
		}
		c.logger.Warn("llm: retrying after a transient failure",
			"op", op, "attempt", n, "max_attempts", retries+1,
			"status", f.status, "delay", delay, "error", f.detail)
		if err := c.sleep(callCtx, delay); err != nil {
			return c.interrupted(ctx, op, n, err)
		}
	}
}

// backoff returns the wait before retry number n (n >= 1).
func (c *Client) backoff(n int) time.Duration {
	d := baseDelay
	for i := 1; i < n && d < maxDelay; i++ {
		d *= 2
	}
	d = time.Duration(float64(d) * (0.8 + 0.4*c.jitter()))
	return min(d, maxDelay)
}

// interrupted reports a call whose context ended: cancellation passes
// through as context.Canceled, a deadline becomes ETIMEOUT.
func (c *Client) interrupted(parent context.Context, op string, attempts int, last error) error {
	if errors.Is(parent.Err(), context.Canceled) {
		return fmt.Errorf("llm %s: %w", op, context.Canceled)
	}
	return knowledge.WrapError(knowledge.ETIMEOUT, msgTimeout, &upstreamError{
		op: op, attempts: attempts,
		detail: c.scrub(truncate(last.Error())),
		cause:  context.DeadlineExceeded,
	})
}

// fail turns the last failure into the *knowledge.Error callers see.
func (c *Client) fail(op string, attempts int, f failure) error {
	return knowledge.WrapError(f.code, f.message, &upstreamError{
		op: op, attempts: attempts, status: f.status,
		detail: f.detail, cause: f.cause,
	})
}

// failure is one classified attempt error.
type failure struct {
	retry      bool
	code       string // knowledge code, should this be the last attempt
	message    string // user-facing message
	status     int    // HTTP status, 0 when none
	retryAfter time.Duration
	detail     string // the error's text, secrets scrubbed
	cause      error  // the original error, nil when its text held a secret
}

// classify decides whether err is worth another attempt and how to report
// it otherwise.
func (c *Client) classify(op string, err error, info *attemptInfo) failure {
	text := truncate(err.Error())
	f := failure{detail: c.scrub(text), cause: err}
	if c.hasSecret(err.Error()) {
		f.cause = nil
	}
	status, retryAfter := info.get()
	f.retryAfter = parseRetryAfter(retryAfter, c.now())

	var reqErr *openai.RequestError
	var apiErr *openai.APIError
	switch {
	case errors.As(err, &reqErr) && reqErr.HTTPStatusCode != 0:
		f.status = reqErr.HTTPStatusCode
	case errors.As(err, &apiErr) && apiErr.HTTPStatusCode != 0:
		f.status = apiErr.HTTPStatusCode
	case apiErr != nil:
		// An error event inside a stream that started well: the server
		// failed while generating.
		f.retry, f.code, f.message = true, knowledge.EUNAVAILABLE, msgUnavailable
		return f
	case status >= 400:
		// An error status whose body could not be read.
		f.status = status
	}
	if f.status != 0 {
		c.classifyStatus(op, &f, apiErr)
		return f
	}

	var netErr net.Error
	var certErr *tls.CertificateVerificationError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalidCert x509.CertificateInvalidError
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.Is(err, errIncomplete):
		f.retry, f.code, f.message = true, knowledge.EUNAVAILABLE, msgIncomplete
	case errors.Is(err, errUnusable), errors.As(err, &syntaxErr), errors.As(err, &typeErr),
		errors.Is(err, io.EOF), errors.Is(err, openai.ErrTooManyEmptyStreamMessages):
		f.code, f.message = knowledge.EUNAVAILABLE, msgUnusable
	case isValidationError(err):
		f.code, f.message = knowledge.EINVALID, fmt.Sprintf(msgBadSettings, c.model(op))
	case errors.As(err, &certErr), errors.As(err, &unknownCA), errors.As(err, &hostErr), errors.As(err, &invalidCert):
		f.code, f.message = knowledge.EUNAVAILABLE, msgUnreachable
	case errors.As(err, &netErr) && netErr.Timeout():
		f.retry, f.code, f.message = true, knowledge.ETIMEOUT, msgTimeout
	default:
		// Refused or reset connections, a body cut short, DNS failures:
		// the transport's errors are worth another try.
		f.retry, f.code, f.message = true, knowledge.EUNAVAILABLE, msgUnreachable
	}
	return f
}

func (c *Client) classifyStatus(op string, f *failure, apiErr *openai.APIError) {
	code := ""
	if apiErr != nil {
		code = fmt.Sprint(apiErr.Code) + " " + apiErr.Type
	}
	switch s := f.status; {
	case s == http.StatusUnauthorized || s == http.StatusForbidden:
		f.code, f.message = knowledge.EUNAVAILABLE, msgCredentials
	case s == http.StatusNotFound:
		f.code, f.message = knowledge.EINVALID, fmt.Sprintf(msgNotFound, c.model(op))
	case s == http.StatusRequestTimeout:
		f.retry, f.code, f.message = true, knowledge.ETIMEOUT, msgTimeout
	case s == http.StatusTooManyRequests && strings.Contains(code, "insufficient_quota"):
		f.code, f.message = knowledge.ERATELIMIT, msgQuota
	case s == http.StatusTooManyRequests:
		f.retry, f.code, f.message = true, knowledge.ERATELIMIT, msgRateLimit
	case s == http.StatusRequestEntityTooLarge || strings.Contains(code, "context_length_exceeded"):
		f.code, f.message = knowledge.EINVALID, msgTooLong
	case s == http.StatusInternalServerError || s == http.StatusBadGateway ||
		s == http.StatusServiceUnavailable || s == http.StatusGatewayTimeout:
		f.retry, f.code, f.message = true, knowledge.EUNAVAILABLE, msgUnavailable
	case s >= 500:
		f.code, f.message = knowledge.EUNAVAILABLE, msgUnavailable
	case s >= 400:
		f.code, f.message = knowledge.EINVALID, msgRejected
	default:
		f.code, f.message = knowledge.EUNAVAILABLE, msgUnusable
	}
}

// isValidationError reports go-openai's own refusals to send a request.
func isValidationError(err error) bool {
	for _, target := range []error{
		openai.ErrChatCompletionInvalidModel,
		openai.ErrChatCompletionStreamNotSupported,
		openai.ErrReasoningModelMaxTokensDeprecated,
		openai.ErrReasoningModelLimitationsLogprobs,
		openai.ErrReasoningModelLimitationsOther,
		openai.ErrReasoningEffortUnsupported,
		openai.ErrReasoningToolsRequireResponses,
		openai.ErrReasoningSamplingUnsupported,
		openai.ErrContentFieldsMisused,
	} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

func (c *Client) model(op string) string {
	if op == opEmbed {
		return c.embedModel
	}
	return c.chatModel
}

// scrub replaces every configured secret in s.
func (c *Client) scrub(s string) string {
	for _, sec := range c.secrets {
		s = strings.ReplaceAll(s, sec, "[redacted]")
	}
	return s
}

func (c *Client) hasSecret(s string) bool {
	for _, sec := range c.secrets {
		if strings.Contains(s, sec) {
			return true
		}
	}
	return false
}

// truncate keeps error texts (which may carry a whole HTML error page) to
// a readable length, cutting at a rune boundary.
func truncate(s string) string {
	if len(s) <= maxCauseLen {
		return s
	}
	cut := maxCauseLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// upstreamError is the cause kept in a *knowledge.Error: what failed, the
// HTTP status, and the upstream error's text with secrets scrubbed. The
// original error stays in the chain only when its text held no secret.
type upstreamError struct {
	op       string
	attempts int
	status   int
	detail   string
	cause    error
}

func (e *upstreamError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "llm %s", e.op)
	if e.status != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.status)
	}
	if e.attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", e.attempts)
	}
	if e.detail != "" {
		b.WriteString(": ")
		b.WriteString(e.detail)
	}
	return b.String()
}

func (e *upstreamError) Unwrap() error { return e.cause }

// attemptKey carries an *attemptInfo in a request's context so the
// transport can record what go-openai does not expose: the response's
// status and Retry-After header.
type attemptKey struct{}

type attemptInfo struct {
	mu         sync.Mutex
	status     int
	retryAfter http.Header
	done       bool // the body held a "data: [DONE]" line
}

func (a *attemptInfo) setDone() {
	a.mu.Lock()
	a.done = true
	a.mu.Unlock()
}

func (a *attemptInfo) sawDone() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.done
}

func (a *attemptInfo) set(resp *http.Response) {
	h := http.Header{}
	for _, k := range []string{"Retry-After", "Retry-After-Ms"} {
		if v := resp.Header.Get(k); v != "" {
			h.Set(k, v)
		}
	}
	a.mu.Lock()
	a.status, a.retryAfter = resp.StatusCode, h
	a.mu.Unlock()
}

func (a *attemptInfo) get() (int, http.Header) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.status, a.retryAfter
}

// captureTransport records each response's status and Retry-After in the
// request's attemptInfo; go-openai drops response headers on errors.
type captureTransport struct{ base http.RoundTripper }

func (t captureTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if resp != nil {
		if info, ok := req.Context().Value(attemptKey{}).(*attemptInfo); ok {
			info.set(resp)
			if resp.Body != nil {
				resp.Body = &doneWatcher{ReadCloser: resp.Body, info: info}
			}
		}
	}
	return resp, err
}

// doneWatcher passes a response body through and records in info whether
// it held the "data: [DONE]" line that ends a complete stream; go-openai
// reports that line and a body closed in mid-stream alike, as io.EOF.
type doneWatcher struct {
	io.ReadCloser
	info *attemptInfo
	line []byte // the start of the current line, up to doneLineMax bytes
	long bool   // the current line is longer than any [DONE] line
}

const doneLineMax = 16

func (d *doneWatcher) Read(p []byte) (int, error) {
	n, err := d.ReadCloser.Read(p)
	for _, c := range p[:n] {
		switch {
		case c == '\n':
			if !d.long && isDoneLine(d.line) {
				d.info.setDone()
			}
			d.line, d.long = d.line[:0], false
		case len(d.line) < doneLineMax:
			d.line = append(d.line, c)
		default:
			d.long = true
		}
	}
	if errors.Is(err, io.EOF) && !d.long && isDoneLine(d.line) {
		d.info.setDone()
	}
	return n, err
}

func isDoneLine(l []byte) bool {
	s := strings.TrimSpace(string(l))
	rest, ok := strings.CutPrefix(s, "data:")
	return ok && strings.TrimSpace(rest) == "[DONE]"
}

// parseRetryAfter reads Retry-After-Ms (Azure and OpenAI send it) or
// Retry-After as seconds or an HTTP date; it returns 0 when neither says
// anything usable.
func parseRetryAfter(h http.Header, now time.Time) time.Duration {
	if h == nil {
		return 0
	}
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 {
			return min(time.Duration(ms*float64(time.Millisecond)), maxRetryAfter)
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		if secs > maxRetryAfter.Seconds() {
			return maxRetryAfter
		}
		return time.Duration(secs * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return min(d, maxRetryAfter)
		}
	}
	return 0
}
