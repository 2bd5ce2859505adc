package feed

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/herald-bot/herald/knowledge"
)

// Defaults for the zero values of Options.
const (
	// DefaultConnectTimeout bounds each connection attempt.
	DefaultConnectTimeout = 5 * time.Second
	// DefaultTimeout bounds a whole request, body included.
	DefaultTimeout = 20 * time.Second
	// DefaultMaxBytes is the largest body a Client reads: 10 MiB.
	DefaultMaxBytes = 10 << 20
	// DefaultUserAgent is the User-Agent header Herald sends.
	DefaultUserAgent = "Herald/0.1 (+self-hosted news bot)"
	// DefaultMaxRedirects is how many redirects a request may follow.
	DefaultMaxRedirects = 5
)

// ArticleTypes are the media types Fetch accepts as article pages.
var ArticleTypes = []string{"text/html", "application/xhtml+xml", "text/plain"}

// Resolver looks up the IP addresses of a host name; *net.Resolver
// satisfies it, and tests pass a fake.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Options configures a Client. Zero values take the defaults named in each
// field's comment.
type Options struct {
	// AllowPrivate lets the client reach loopback and private addresses
	// (see Guard.AllowPrivate); off by default.
	AllowPrivate bool
	// ConnectTimeout bounds each TCP connection attempt (default 5s).
	ConnectTimeout time.Duration
	// Timeout bounds a whole request, redirects and body included
	// (default 20s).
	Timeout time.Duration
	// MaxBytes caps the size of a response body (default 10 MiB); a larger
	// body is an error, never silently truncated.
	MaxBytes int64
	// UserAgent is sent with every request (default DefaultUserAgent).
	UserAgent string
	// MaxRedirects is how many redirects a request may follow (default 5;
	// negative means none).
	MaxRedirects int
	// Resolver resolves host names (default net.DefaultResolver).
	Resolver Resolver
	// Logger receives debug records of each fetch (default: discarded).
	Logger *slog.Logger

	// dial replaces the network dial after the guard has approved the
	// address; tests use it to route an approved public address to a local
	// test server.
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// Client fetches URLs safely: only http and https, never private or local
// addresses (checked after resolution, at dial time, and on every
// redirect), within time and size limits. It is safe for concurrent use.
type Client struct {
	guard        Guard
	timeout      time.Duration
	maxBytes     int64
	userAgent    string
	maxRedirects int
	resolver     Resolver
	logger       *slog.Logger
	dial         func(ctx context.Context, network, addr string) (net.Conn, error)
	transport    *http.Transport
}

// NewClient returns a Client configured by opts.
func NewClient(opts Options) *Client {
	c := &Client{
		guard:        Guard{AllowPrivate: opts.AllowPrivate},
		timeout:      opts.Timeout,
		maxBytes:     opts.MaxBytes,
		userAgent:    opts.UserAgent,
		maxRedirects: opts.MaxRedirects,
		resolver:     opts.Resolver,
		logger:       opts.Logger,
		dial:         opts.dial,
	}
	connectTimeout := opts.ConnectTimeout
	if connectTimeout <= 0 {
		connectTimeout = DefaultConnectTimeout
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	if c.maxBytes <= 0 {
		c.maxBytes = DefaultMaxBytes
	}
	if c.userAgent == "" {
		c.userAgent = DefaultUserAgent
	}
	if c.maxRedirects == 0 {
		c.maxRedirects = DefaultMaxRedirects
	}
	if c.resolver == nil {
		c.resolver = net.DefaultResolver
	}
	if c.logger == nil {
		c.logger = slog.New(slog.DiscardHandler)
	}
	if c.dial == nil {
		d := &net.Dialer{Timeout: connectTimeout, KeepAlive: 30 * time.Second, Control: c.guard.Control}
		c.dial = d.DialContext
	}
	c.transport = &http.Transport{
		// No proxy: a proxy would make the guard judge the proxy's address
		// instead of the site's.
		Proxy:                  nil,
		DialContext:            c.dialContext,
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    10 * time.Second,
		MaxIdleConns:           32,
		MaxIdleConnsPerHost:    4,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: 1 << 20,
	}
	return c
}

// CloseIdleConnections closes connections kept alive from earlier requests.
func (c *Client) CloseIdleConnections() { c.transport.CloseIdleConnections() }

// Response is the result of Get.
type Response struct {
	// Status is the HTTP status code: 2xx, or 304 when NotModified.
	Status int
	// Header holds the response headers (ETag and Last-Modified among them).
	Header http.Header
	// Body is the whole response body, as sent (no charset decoding).
	Body []byte
	// ContentType is the Content-Type header, or the sniffed type when the
	// site sent none.
	ContentType string
	// FinalURL is the URL after redirects.
	FinalURL string
	// NotModified is true when the site answered 304 Not Modified to a
	// conditional request; Body is then empty.
	NotModified bool
}

// Fetch downloads an article page; it implements knowledge.Fetcher. It
// accepts the media types in ArticleTypes and returns the body decoded to
// UTF-8, with ContentType set to the media type and "; charset=utf-8".
func (c *Client) Fetch(ctx context.Context, rawURL string) (*knowledge.Document, error) {
	resp, err := c.get(ctx, rawURL, ArticleTypes, nil, ", not an article page")
	if err != nil {
		return nil, err
	}
	// The header as sent, not the sniffed type: sniffing always says
	// charset=utf-8 and would hide a <meta> charset.
	body, err := ToUTF8(resp.Body, resp.Header.Get("Content-Type"))
	if err != nil {
		return nil, knowledge.WrapError(knowledge.EINVALID, "the page's text could not be decoded", err)
	}
	return &knowledge.Document{
		URL:         resp.FinalURL,
		ContentType: mediaType(resp.ContentType) + "; charset=utf-8",
		Body:        body,
	}, nil
}

// Get downloads rawURL with the headers in hdr (If-None-Match and
// If-Modified-Since make it a conditional request). When accept is not
// empty, the response's media type must match one of its entries
// ("text/html", "text/*" or "*/*"). A 304 answer is not an error: the
// Response has NotModified set. Every error is a *knowledge.Error.
func (c *Client) Get(ctx context.Context, rawURL string, accept []string, hdr http.Header) (*Response, error) {
	return c.get(ctx, rawURL, accept, hdr, ", which Herald cannot read here")
}

func (c *Client) get(ctx context.Context, rawURL string, accept []string, hdr http.Header, wanted string) (*Response, error) {
	u, err := c.checkURL(rawURL)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, knowledge.WrapError(knowledge.EINVALID, "that is not a valid web address", err)
	}
	for k, vs := range hdr {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", acceptHeader(accept))
	}
	// A fresh cookie jar per request lets sites that set a cookie and
	// redirect to themselves work, without keeping state between requests.
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Transport: c.transport, CheckRedirect: c.checkRedirect, Jar: jar}

	resp, err := hc.Do(req)
	if err != nil {
		return nil, c.classify(ctx, u, err)
	}
	defer resp.Body.Close()
	out := &Response{
		Status:      resp.StatusCode,
		Header:      resp.Header,
		ContentType: resp.Header.Get("Content-Type"),
		FinalURL:    resp.Request.URL.String(),
	}
	log := c.logger.With("url", rawURL, "final_url", out.FinalURL, "status", resp.StatusCode)

	switch {
	case resp.StatusCode == http.StatusNotModified:
		out.NotModified = true
		log.DebugContext(ctx, "not modified", "duration", time.Since(start))
		return out, nil
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		code := knowledge.EUNAVAILABLE
		if resp.StatusCode == http.StatusTooManyRequests {
			code = knowledge.ERATELIMIT
		}
		// The reason phrase comes from http.StatusText, not from the site,
		// so users never read text the site chose.
		status := fmt.Sprint(resp.StatusCode)
		if t := http.StatusText(resp.StatusCode); t != "" {
			status += " " + t
		}
		var cause error = fmt.Errorf("GET %s: %s", out.FinalURL, resp.Status)
		if ra := strings.TrimSpace(resp.Header.Get("Retry-After")); ra != "" &&
			(resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
			cause = &retryAfterError{err: cause, header: ra}
		}
		return nil, knowledge.WrapError(code, "the site answered "+status, cause)
	}
	if resp.ContentLength > c.maxBytes {
		return nil, c.tooLarge(out.FinalURL, fmt.Sprintf("Content-Length %d", resp.ContentLength))
	}
	if out.ContentType != "" {
		if err := checkType(out.ContentType, accept, wanted); err != nil {
			return nil, err
		}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, c.maxBytes+1))
	if err != nil {
		return nil, c.classify(ctx, u, err)
	}
	if int64(len(body)) > c.maxBytes {
		return nil, c.tooLarge(out.FinalURL, "body")
	}
	if out.ContentType == "" {
		out.ContentType = http.DetectContentType(body)
		if err := checkType(out.ContentType, accept, wanted); err != nil {
			return nil, err
		}
	}
	out.Body = body
	log.DebugContext(ctx, "fetched", "bytes", len(body), "content_type", out.ContentType, "duration", time.Since(start))
	return out, nil
}

func (c *Client) tooLarge(u, what string) error {
	return knowledge.WrapError(knowledge.EINVALID, "the page is larger than "+formatSize(c.maxBytes),
		fmt.Errorf("GET %s: %s exceeds the limit of %d bytes", u, what, c.maxBytes))
}

// checkURL parses rawURL and refuses what Herald never fetches.
func (c *Client) checkURL(rawURL string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return nil, knowledge.WrapError(knowledge.EINVALID, "that is not a valid web address", err)
	}
	if err := c.checkParsedURL(u); err != nil {
		return nil, err
	}
	return u, nil
}

func (c *Client) checkParsedURL(u *url.URL) error {
	switch strings.ToLower(u.Scheme) {
	case "http", "https":
	default:
		return knowledge.WrapError(knowledge.EINVALID, "Herald only fetches web pages (http and https addresses).",
			fmt.Errorf("scheme %q refused in %s", u.Scheme, u.Redacted()))
	}
	if u.User != nil {
		return knowledge.WrapError(knowledge.EINVALID, "Herald does not fetch addresses with a user name or password in them.",
			fmt.Errorf("userinfo refused in %s", u.Redacted()))
	}
	if u.Host == "" {
		return knowledge.WrapError(knowledge.EINVALID, "that is not a valid web address", fmt.Errorf("no host in %q", u.Redacted()))
	}
	return c.guard.checkHost(u.Hostname())
}

func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) > c.maxRedirects {
		return knowledge.WrapError(knowledge.EUNAVAILABLE, "the site redirected too many times",
			fmt.Errorf("stopped after %d redirects at %s", len(via)-1, req.URL.Redacted()))
	}
	if err := c.checkParsedURL(req.URL); err != nil {
		return err
	}
	return nil
}

// dialContext resolves the host, checks every address it resolves to, and
// dials only checked addresses, so a name cannot point Herald at a local
// address, neither at once nor by rebinding between check and connection.
func (c *Client) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else {
		if err := c.guard.checkHost(host); err != nil {
			return nil, err
		}
		lookup := "ip"
		switch network {
		case "tcp4":
			lookup = "ip4"
		case "tcp6":
			lookup = "ip6"
		}
		ips, err = c.resolver.LookupNetIP(ctx, lookup, host)
		if err != nil {
			return nil, err
		}
		if len(ips) == 0 {
			return nil, &net.DNSError{Err: "no addresses", Name: host, IsNotFound: true}
		}
	}
	// One refused address refuses the name: a site with a public and a
	// private address is not one to trust with either.
	for _, ip := range ips {
		if err := c.guard.CheckIP(ip); err != nil {
			return nil, err
		}
	}
	var firstErr error
	for _, ip := range ips {
		conn, err := c.dial(ctx, network, net.JoinHostPort(ip.Unmap().String(), port))
		if err == nil {
			return conn, nil
		}
		if firstErr == nil {
			firstErr = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, firstErr
}

// classify turns an error of the HTTP round trip into a *knowledge.Error.
func (c *Client) classify(ctx context.Context, u *url.URL, err error) error {
	var ke *knowledge.Error
	if errors.As(err, &ke) {
		return ke
	}
	host := u.Hostname()
	var netErr net.Error
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var recErr tls.RecordHeaderError
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded), errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &netErr) && netErr.Timeout():
		return knowledge.WrapError(knowledge.ETIMEOUT, "the site took too long to answer", err)
	case errors.Is(err, context.Canceled):
		return knowledge.WrapError(knowledge.EUNAVAILABLE, "the download was cancelled", err)
	case errors.As(err, &dnsErr):
		return knowledge.WrapError(knowledge.EUNAVAILABLE, "could not find the site "+host, err)
	case errors.As(err, &certErr), errors.As(err, &recErr):
		return knowledge.WrapError(knowledge.EUNAVAILABLE, "could not make a secure connection to "+host, err)
	case errors.Is(err, syscall.ECONNREFUSED):
		return knowledge.WrapError(knowledge.EUNAVAILABLE, host+" refused the connection", err)
	default:
		return knowledge.WrapError(knowledge.EUNAVAILABLE, "could not reach "+host, err)
	}
}

// acceptHeader builds an Accept header from a list of media types.
func acceptHeader(accept []string) string {
	if len(accept) == 0 {
		return "*/*"
	}
	parts := make([]string, 0, len(accept)+1)
	for i, t := range accept {
		if i == 0 {
			parts = append(parts, t)
			continue
		}
		parts = append(parts, fmt.Sprintf("%s;q=0.%d", t, max(9-i, 1)))
	}
	return strings.Join(parts, ", ")
}

// mediaType returns the lowercased media type of a Content-Type value.
func mediaType(contentType string) string {
	if mt, _, err := mime.ParseMediaType(contentType); err == nil {
		return mt
	}
	mt, _, _ := strings.Cut(contentType, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

// checkType refuses a content type that matches no entry of accept.
func checkType(contentType string, accept []string, wanted string) error {
	if len(accept) == 0 {
		return nil
	}
	mt := mediaType(contentType)
	for _, a := range accept {
		a = strings.ToLower(a)
		if a == mt || a == "*/*" || (strings.HasSuffix(a, "/*") && strings.HasPrefix(mt, strings.TrimSuffix(a, "*"))) {
			return nil
		}
	}
	shown := mt
	if shown == "" {
		shown = "unknown"
	}
	return knowledge.WrapError(knowledge.EINVALID,
		fmt.Sprintf("the URL is %s %s file%s", indefinite(shown), shown, wanted),
		fmt.Errorf("content type %q not in %v", contentType, accept))
}

// indefinite returns "an" before a vowel and "a" otherwise.
func indefinite(word string) string {
	if word != "" && strings.ContainsRune("aeiou", rune(word[0])) {
		return "an"
	}
	return "a"
}

// formatSize writes a byte count for users: "10 MB", "1.5 MB", "512 KB".
func formatSize(n int64) string {
	const kib, mib = 1 << 10, 1 << 20
	switch {
	case n >= mib && n%mib == 0:
		return fmt.Sprintf("%d MB", n/mib)
	case n >= mib:
		return fmt.Sprintf("%.1f MB", float64(n)/mib)
	case n >= kib:
		return fmt.Sprintf("%d KB", n/kib)
	default:
		return fmt.Sprintf("%d bytes", n)
	}
}

// retryAfterError keeps the Retry-After header of a 429 or 503 answer.
type retryAfterError struct {
	err    error
	header string
}

func (e *retryAfterError) Error() string {
	return fmt.Sprintf("%v (Retry-After: %s)", e.err, e.header)
}

func (e *retryAfterError) Unwrap() error { return e.err }

// RetryAfter returns how long after now a site asked not to be fetched
// again, when err is a 429 or 503 answer that carried a Retry-After header
// (in seconds or as an HTTP date); ok is false otherwise. A date in the
// past gives 0.
func RetryAfter(err error, now time.Time) (wait time.Duration, ok bool) {
	var ra *retryAfterError
	if !errors.As(err, &ra) {
		return 0, false
	}
	if secs, perr := strconv.ParseInt(ra.header, 10, 64); perr == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(min(secs, int64(365*24*3600))) * time.Second, true
	}
	t, perr := http.ParseTime(ra.header)
	if perr != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}
