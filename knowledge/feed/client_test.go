package feed

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/herald-bot/herald/knowledge"
)

// fakeResolver resolves names from a map; unknown names do not exist.
type fakeResolver struct {
	mu    sync.Mutex
	hosts map[string][]string
	calls []string
}

func (r *fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, host)
	addrs, ok := r.hosts[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	var ips []netip.Addr
	for _, a := range addrs {
		ips = append(ips, netip.MustParseAddr(a))
	}
	return ips, nil
}

// newTestClient returns a client whose idle connections are closed when
// the test ends.
func newTestClient(t *testing.T, opts Options) *Client {
	t.Helper()
	c := NewClient(opts)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// routeTo returns a dial hook that sends every approved connection to the
// test server at addr, recording the addresses the client asked for.
func routeTo(addr string, dialed *[]string, mu *sync.Mutex) func(ctx context.Context, network, _ string) (net.Conn, error) {
	return func(ctx context.Context, network, a string) (net.Conn, error) {
		mu.Lock()
		*dialed = append(*dialed, a)
		mu.Unlock()
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
}

// noDial is a dial hook that fails the test: the guard should have refused
// before any connection was attempted.
func noDial(t *testing.T) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(context.Context, string, string) (net.Conn, error) {
		t.Errorf("dialed although the guard should have refused")
		return nil, fmt.Errorf("test: no dial")
	}
}

// wantError checks that err is a *knowledge.Error with code and a message
// containing msg.
func wantError(t *testing.T, err error, code, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s %q", code, msg)
	}
	if _, ok := err.(*knowledge.Error); !ok {
		t.Errorf("error %T is not a *knowledge.Error: %v", err, err)
	}
	if got := knowledge.ErrorCode(err); got != code {
		t.Errorf("code = %q, want %q (%v)", got, code, err)
	}
	if got := knowledge.ErrorMessage(err); !strings.Contains(got, msg) {
		t.Errorf("message = %q, want it to contain %q", got, msg)
	}
}

func TestFetchHTML(t *testing.T) {
	var ua, accept string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua, accept = r.UserAgent(), r.Header.Get("Accept")
		w.Header().Set("Content-Type", "text/html; charset=UTF-8")
		fmt.Fprint(w, "<html><body><p>Hello</p></body></html>")
	}))
	defer srv.Close()

	c := newTestClient(t, Options{AllowPrivate: true})
	doc, err := c.Fetch(context.Background(), srv.URL+"/story")
	if err != nil {
		t.Fatal(err)
	}
	if doc.URL != srv.URL+"/story" || doc.ContentType != "text/html; charset=utf-8" || !strings.Contains(string(doc.Body), "<p>Hello</p>") {
		t.Errorf("Fetch = %+v", doc)
	}
	if ua != DefaultUserAgent {
		t.Errorf("User-Agent = %q, want %q", ua, DefaultUserAgent)
	}
	if !strings.HasPrefix(accept, "text/html") {
		t.Errorf("Accept = %q", accept)
	}
	var _ knowledge.Fetcher = c
}

func TestFetchRefusesURLs(t *testing.T) {
	tests := []struct {
		url          string
		allowPrivate bool
		msg          string
	}{
		{"ftp://example.com/file", false, "only fetches web pages"},
		{"file:///etc/passwd", false, "only fetches web pages"},
		{"javascript:alert(1)", false, "only fetches web pages"},
		{"gopher://example.com/", true, "only fetches web pages"},
		{"not a url", false, "only fetches web pages"},
		{"http://", false, "not a valid web address"},
		{"http://%zz/", false, "not a valid web address"},
		{"http://user:secret@example.com/", false, "user name or password"},
		{"https://user@example.com/", true, "user name or password"},
		{"http://127.0.0.1/", false, msgPrivate},
		{"http://127.0.0.1:8080/admin", false, msgPrivate},
		{"http://[::1]/", false, msgPrivate},
		{"http://10.0.0.1/", false, msgPrivate},
		{"http://192.168.1.1/", false, msgPrivate},
		{"http://169.254.169.254/latest/meta-data/", false, msgPrivate},
		{"http://169.254.169.254/latest/meta-data/", true, msgPrivate},
		{"http://[::ffff:127.0.0.1]/", false, msgPrivate},
		{"http://[::ffff:a9fe:a9fe]/", true, msgPrivate},
		{"http://[fe80::1%25eth0]/", true, msgPrivate},
		{"http://0.0.0.0/", true, msgPrivate},
		{"http://localhost/", false, msgPrivate},
		{"http://localhost./", false, msgPrivate},
		{"http://LOCALHOST:3000/", false, msgPrivate},
		{"http://2130706433/", false, msgPrivate},
		{"http://0x7f.1/", false, msgPrivate},
		{"http://0177.0.0.1/", false, msgPrivate},
		{"http://0x7f000001/", false, msgPrivate},
		{"http://127.1/", false, msgPrivate},
		{"http://0251.0376.0251.0376/", true, msgPrivate},
		{"http://2130706433/", true, "not a valid address"},
		{"http://1.2.3.4.5/", false, "not a valid address"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			// Were the checks before the dial to miss a numeric host, the
			// resolver would still map it to loopback and the dial refuse it.
			res := &fakeResolver{hosts: map[string][]string{}}
			for _, h := range []string{"2130706433", "0x7f.1", "0177.0.0.1", "0x7f000001", "127.1", "localhost", "1.2.3.4.5"} {
				res.hosts[h] = []string{"127.0.0.1"}
			}
			c := newTestClient(t, Options{AllowPrivate: tt.allowPrivate, Resolver: res, dial: noDial(t)})
			_, err := c.Fetch(context.Background(), tt.url)
			wantError(t, err, knowledge.EINVALID, tt.msg)
		})
	}
}

func TestDNSNameResolvingToLocalRefused(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		fmt.Fprint(w, "secret")
	}))
	defer srv.Close()
	port := srv.Listener.Addr().(*net.TCPAddr).Port

	res := &fakeResolver{hosts: map[string][]string{
		"loopback.test": {"127.0.0.1"},
		"mapped.test":   {"::ffff:127.0.0.1"},
		"metadata.test": {"169.254.169.254"},
		"mixed.test":    {"93.184.216.34", "10.0.0.1"},
		"nat64.test":    {"64:ff9b::7f00:1"},
	}}
	// The real dialer: the server listens on 127.0.0.1 and would answer if
	// the guard let the connection through.
	c := newTestClient(t, Options{Resolver: res})
	for host := range res.hosts {
		_, err := c.Fetch(context.Background(), fmt.Sprintf("http://%s:%d/", host, port))
		wantError(t, err, knowledge.EINVALID, msgPrivate)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("server got %d requests, want 0", n)
	}

	// With AllowPrivate the same name is fetched.
	c = newTestClient(t, Options{Resolver: res, AllowPrivate: true})
	if _, err := c.Fetch(context.Background(), fmt.Sprintf("http://loopback.test:%d/", port)); err != nil {
		t.Fatalf("AllowPrivate: %v", err)
	}
}

func TestDialsCheckedAddress(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "<p>ok</p>")
	}))
	defer srv.Close()

	var mu sync.Mutex
	var dialed []string
	res := &fakeResolver{hosts: map[string][]string{"public.test": {"93.184.216.34"}}}
	c := newTestClient(t, Options{Resolver: res, dial: routeTo(srv.Listener.Addr().String(), &dialed, &mu)})
	if _, err := c.Fetch(context.Background(), "http://public.test/"); err != nil {
		t.Fatal(err)
	}
	// The connection goes to the address that was checked, not to a name
	// that could resolve differently a second time.
	if len(dialed) != 1 || dialed[0] != "93.184.216.34:80" {
		t.Errorf("dialed %q, want [93.184.216.34:80]", dialed)
	}
}

func TestRedirectToLocalRefused(t *testing.T) {
	var secretHits atomic.Int32
	var srvURL string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/to-literal":
			http.Redirect(w, r, srvURL+"/secret", http.StatusFound)
		case "/to-name":
			http.Redirect(w, r, "http://loopback.test"+strings.TrimPrefix(srvURL, "http://127.0.0.1")+"/secret", http.StatusMovedPermanently)
		case "/to-metadata":
			http.Redirect(w, r, "http://169.254.169.254/latest/meta-data/", http.StatusFound)
		case "/to-file":
			http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
		case "/to-ftp":
			http.Redirect(w, r, "ftp://public.test/x", http.StatusFound)
		case "/to-userinfo":
			http.Redirect(w, r, "http://user:pw@public.test/", http.StatusFound)
		case "/to-numeric":
			http.Redirect(w, r, "http://2130706433/secret", http.StatusFound)
		case "/secret":
			secretHits.Add(1)
			fmt.Fprint(w, "secret")
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	srvURL = srv.URL

	res := &fakeResolver{hosts: map[string][]string{
		"public.test":   {"93.184.216.34"},
		"loopback.test": {"127.0.0.1"},
		"2130706433":    {"127.0.0.1"},
	}}
	var mu sync.Mutex
	var dialed []string
	// public.test looks public to the guard; the test hook then routes the
	// approved connection to the local test server.
	c := newTestClient(t, Options{Resolver: res, dial: routeTo(srv.Listener.Addr().String(), &dialed, &mu)})
	tests := []struct{ path, msg string }{
		{"/to-literal", msgPrivate},
		{"/to-name", msgPrivate},
		{"/to-metadata", msgPrivate},
		{"/to-numeric", msgPrivate},
		{"/to-file", "only fetches web pages"},
		{"/to-ftp", "only fetches web pages"},
		{"/to-userinfo", "user name or password"},
	}
	for _, tt := range tests {
		_, err := c.Fetch(context.Background(), "http://public.test"+tt.path)
		wantError(t, err, knowledge.EINVALID, tt.msg)
	}
	if n := secretHits.Load(); n != 0 {
		t.Errorf("secret fetched %d times", n)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, a := range dialed {
		if a != "93.184.216.34:80" {
			t.Errorf("dialed %q", a)
		}
	}
}

func TestRedirects(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		var n, limit int
		if _, err := fmt.Sscanf(r.URL.Path, "/r/%d/%d", &n, &limit); err != nil {
			http.NotFound(w, r)
			return
		}
		if limit >= 0 && n >= limit {
			w.Header().Set("Content-Type", "text/plain")
			fmt.Fprint(w, "arrived")
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/r/%d/%d", n+1, limit), http.StatusFound)
	}))
	defer srv.Close()

	tests := []struct {
		name         string
		maxRedirects int
		path         string
		wantErr      bool
		wantHits     int32
	}{
		{"five redirects are followed", 0, "/r/0/5", false, 6},
		{"an endless chain stops after five", 0, "/r/0/-1", true, 6},
		{"six redirects are too many", 0, "/r/0/6", true, 6},
		{"a lower limit", 2, "/r/0/-1", true, 3},
		{"no redirects at all", -1, "/r/0/1", true, 1},
		{"no redirects needed", -1, "/r/0/0", false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hits.Store(0)
			c := newTestClient(t, Options{AllowPrivate: true, MaxRedirects: tt.maxRedirects})
			doc, err := c.Fetch(context.Background(), srv.URL+tt.path)
			if tt.wantErr {
				wantError(t, err, knowledge.EUNAVAILABLE, "redirected too many times")
			} else if err != nil {
				t.Fatal(err)
			} else if string(doc.Body) != "arrived" || !strings.HasPrefix(doc.URL, srv.URL+"/r/") {
				t.Errorf("Fetch = %q from %s", doc.Body, doc.URL)
			}
			if got := hits.Load(); got != tt.wantHits {
				t.Errorf("server hits = %d, want %d", got, tt.wantHits)
			}
		})
	}
}

func TestBodyOverCap(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		body := bytes.Repeat([]byte("a"), 2048)
		switch r.URL.Path {
		case "/length":
			w.Header().Set("Content-Length", "2048")
			w.Write(body)
		case "/chunked":
			// Flushing first makes the response chunked, without a length.
			w.(http.Flusher).Flush()
			w.Write(body)
		case "/exact":
			w.Write(body[:1024])
		}
	}))
	defer srv.Close()

	c := newTestClient(t, Options{AllowPrivate: true, MaxBytes: 1024})
	for _, path := range []string{"/length", "/chunked"} {
		_, err := c.Fetch(context.Background(), srv.URL+path)
		wantError(t, err, knowledge.EINVALID, "the page is larger than 1 KB")
	}
	doc, err := c.Fetch(context.Background(), srv.URL+"/exact")
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Body) != 1024 {
		t.Errorf("body has %d bytes, want 1024", len(doc.Body))
	}
	if got := formatSize(DefaultMaxBytes); got != "10 MB" {
		t.Errorf("formatSize(DefaultMaxBytes) = %q", got)
	}
}

func TestContentTypes(t *testing.T) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/png":
			w.Header().Set("Content-Type", "image/png")
			w.Write(png)
		case "/pdf":
			w.Header().Set("Content-Type", "application/pdf")
			fmt.Fprint(w, "%PDF-1.7")
		case "/xhtml":
			w.Header().Set("Content-Type", "application/xhtml+xml; charset=utf-8")
			fmt.Fprint(w, "<html xmlns='http://www.w3.org/1999/xhtml'><body><p>x</p></body></html>")
		case "/plain":
			w.Header().Set("Content-Type", "TEXT/PLAIN")
			fmt.Fprint(w, "plain text")
		case "/rss":
			w.Header().Set("Content-Type", "application/rss+xml")
			fmt.Fprint(w, "<rss/>")
		case "/untyped-html":
			w.Header()["Content-Type"] = nil
			fmt.Fprint(w, "<!DOCTYPE html><html><body><p>untyped</p></body></html>")
		case "/untyped-png":
			w.Header()["Content-Type"] = nil
			w.Write(png)
		}
	}))
	defer srv.Close()
	c := newTestClient(t, Options{AllowPrivate: true})
	ctx := context.Background()

	for _, path := range []string{"/xhtml", "/plain", "/untyped-html"} {
		if _, err := c.Fetch(ctx, srv.URL+path); err != nil {
			t.Errorf("Fetch %s: %v", path, err)
		}
	}
	_, err := c.Fetch(ctx, srv.URL+"/png")
	wantError(t, err, knowledge.EINVALID, "the URL is an image/png file, not an article page")
	_, err = c.Fetch(ctx, srv.URL+"/pdf")
	wantError(t, err, knowledge.EINVALID, "the URL is an application/pdf file, not an article page")
	_, err = c.Fetch(ctx, srv.URL+"/untyped-png")
	wantError(t, err, knowledge.EINVALID, "image/png")
	_, err = c.Fetch(ctx, srv.URL+"/rss")
	wantError(t, err, knowledge.EINVALID, "application/rss+xml")

	feedTypes := []string{"application/rss+xml", "application/atom+xml", "text/*"}
	for _, path := range []string{"/rss", "/plain"} {
		if _, err := c.Get(ctx, srv.URL+path, feedTypes, nil); err != nil {
			t.Errorf("Get %s: %v", path, err)
		}
	}
	_, err = c.Get(ctx, srv.URL+"/pdf", feedTypes, nil)
	wantError(t, err, knowledge.EINVALID, "application/pdf file, which Herald cannot read")
	if _, err := c.Get(ctx, srv.URL+"/pdf", nil, nil); err != nil {
		t.Errorf("Get with no accept list: %v", err)
	}
}

func TestTimeout(t *testing.T) {
	// A server that accepts connections and never answers.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan net.Conn, 16)
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- conn
		}
	}()
	defer func() {
		ln.Close()
		<-stopped
		close(accepted)
		for conn := range accepted {
			conn.Close()
		}
	}()

	c := newTestClient(t, Options{AllowPrivate: true, Timeout: 200 * time.Millisecond})
	start := time.Now()
	_, err = c.Fetch(context.Background(), "http://"+ln.Addr().String()+"/")
	wantError(t, err, knowledge.ETIMEOUT, "took too long")
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("timed out after %v", d)
	}

	// A deadline from the caller's context counts too.
	c = newTestClient(t, Options{AllowPrivate: true})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = c.Get(ctx, "http://"+ln.Addr().String()+"/", nil, nil)
	wantError(t, err, knowledge.ETIMEOUT, "took too long")
}

func TestSlowBodyTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprint(w, "<p>start")
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c := newTestClient(t, Options{AllowPrivate: true, Timeout: 200 * time.Millisecond})
	_, err := c.Fetch(context.Background(), srv.URL)
	wantError(t, err, knowledge.ETIMEOUT, "took too long")
}

func TestNetworkErrors(t *testing.T) {
	// A port nobody listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c := newTestClient(t, Options{AllowPrivate: true, Resolver: &fakeResolver{}})
	_, err = c.Fetch(context.Background(), "http://"+addr+"/")
	wantError(t, err, knowledge.EUNAVAILABLE, "refused the connection")

	_, err = c.Fetch(context.Background(), "http://no-such-site.test/")
	wantError(t, err, knowledge.EUNAVAILABLE, "could not find the site no-such-site.test")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.Fetch(ctx, "http://"+addr+"/")
	wantError(t, err, knowledge.EUNAVAILABLE, "cancelled")
}

func TestStatusErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var code int
		fmt.Sscanf(r.URL.Path, "/%d", &code)
		w.WriteHeader(code)
		fmt.Fprint(w, "<p>error page</p>")
	}))
	defer srv.Close()
	c := newTestClient(t, Options{AllowPrivate: true})
	tests := []struct {
		code     int
		wantCode string
		msg      string
	}{
		{404, knowledge.EUNAVAILABLE, "the site answered 404 Not Found"},
		{403, knowledge.EUNAVAILABLE, "the site answered 403 Forbidden"},
		{410, knowledge.EUNAVAILABLE, "the site answered 410 Gone"},
		{500, knowledge.EUNAVAILABLE, "the site answered 500 Internal Server Error"},
		{503, knowledge.EUNAVAILABLE, "the site answered 503 Service Unavailable"},
		{429, knowledge.ERATELIMIT, "the site answered 429 Too Many Requests"},
		{599, knowledge.EUNAVAILABLE, "the site answered 599"},
	}
	for _, tt := range tests {
		_, err := c.Fetch(context.Background(), fmt.Sprintf("%s/%d", srv.URL, tt.code))
		wantError(t, err, tt.wantCode, tt.msg)
	}
}

func TestGetConditional(t *testing.T) {
	const etag = `"v1"`
	const lastMod = "Wed, 13 Mar 2024 10:00:00 GMT"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == etag || r.Header.Get("If-Modified-Since") == lastMod {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", lastMod)
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, "<rss version='2.0'></rss>")
	}))
	defer srv.Close()
	c := newTestClient(t, Options{AllowPrivate: true})
	ctx := context.Background()
	accept := []string{"application/rss+xml"}

	resp, err := c.Get(ctx, srv.URL+"/feed", accept, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 200 || resp.NotModified || resp.Header.Get("ETag") != etag || string(resp.Body) != "<rss version='2.0'></rss>" ||
		resp.FinalURL != srv.URL+"/feed" || resp.ContentType != "application/rss+xml" {
		t.Errorf("first Get = %+v", resp)
	}

	for _, hdr := range []http.Header{
		{"If-None-Match": {resp.Header.Get("ETag")}},
		{"If-Modified-Since": {resp.Header.Get("Last-Modified")}},
	} {
		resp, err := c.Get(ctx, srv.URL+"/feed", accept, hdr)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Status != http.StatusNotModified || !resp.NotModified || len(resp.Body) != 0 {
			t.Errorf("conditional Get with %v = %+v", hdr, resp)
		}
	}
}

func TestFetchDecodesCharset(t *testing.T) {
	latin1, err := os.ReadFile("testdata/latin1.html")
	if err != nil {
		t.Fatal(err)
	}
	// "café – “quoted”" in windows-1252 and "café à l’été" less the quote in ISO-8859-1.
	cp1252 := []byte("<p>caf\xe9 \x96 \x93quoted\x94</p>")
	iso := []byte("<p>caf\xe9 \xe0 l'\xe9t\xe9</p>")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/cp1252":
			w.Header().Set("Content-Type", "text/html; charset=windows-1252")
			w.Write(cp1252)
		case "/iso":
			w.Header().Set("Content-Type", "text/html; charset=ISO-8859-1")
			w.Write(iso)
		case "/meta":
			w.Header().Set("Content-Type", "text/html")
			w.Write(latin1)
		case "/utf8":
			w.Header().Set("Content-Type", "text/plain; charset=iso-8859-1")
			fmt.Fprint(w, "déjà vu – “mislabelled”")
		}
	}))
	defer srv.Close()
	c := newTestClient(t, Options{AllowPrivate: true})
	tests := []struct{ path, want string }{
		{"/cp1252", "<p>café – “quoted”</p>"},
		{"/iso", "<p>café à l'été</p>"},
		{"/meta", "Le café du port rouvre ses portes – Le Courrier côtier"},
		{"/utf8", "déjà vu – “mislabelled”"},
	}
	for _, tt := range tests {
		doc, err := c.Fetch(context.Background(), srv.URL+tt.path)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(doc.Body), tt.want) {
			t.Errorf("Fetch %s body = %q, want it to contain %q", tt.path, doc.Body, tt.want)
		}
		if !strings.HasSuffix(doc.ContentType, "; charset=utf-8") {
			t.Errorf("Fetch %s content type = %q", tt.path, doc.ContentType)
		}
	}
}

func TestFetchUntypedLegacyPage(t *testing.T) {
	// No Content-Type at all: the sniffed type must not hide the page's
	// own <meta> charset.
	page := readFixture(t, "latin1.html")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = nil
		w.Write(page)
	}))
	defer srv.Close()
	c := newTestClient(t, Options{AllowPrivate: true})
	doc, err := c.Fetch(context.Background(), srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc.Body), "Hélène Duval") || doc.ContentType != "text/html; charset=utf-8" {
		t.Errorf("Fetch = %q, body %q", doc.ContentType, doc.Body)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2024, 6, 6, 12, 0, 0, 0, time.UTC)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", r.URL.Query().Get("ra"))
		var code int
		fmt.Sscanf(r.URL.Path, "/%d", &code)
		w.WriteHeader(code)
	}))
	defer srv.Close()
	c := newTestClient(t, Options{AllowPrivate: true})
	tests := []struct {
		path, ra string
		want     time.Duration
		ok       bool
	}{
		{"/429", "120", 2 * time.Minute, true},
		{"/503", now.Add(time.Hour).Format(http.TimeFormat), time.Hour, true},
		{"/503", now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"/429", "soon", 0, false},
		{"/429", "-5", 0, false},
		{"/404", "120", 0, false},
	}
	for _, tt := range tests {
		_, err := c.Get(context.Background(), srv.URL+tt.path+"?ra="+url.QueryEscape(tt.ra), nil, nil)
		if err == nil {
			t.Fatalf("%s: no error", tt.path)
		}
		got, ok := RetryAfter(err, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s Retry-After %q: %v, %v; want %v, %v", tt.path, tt.ra, got, ok, tt.want, tt.ok)
		}
	}
	if _, ok := RetryAfter(errors.New("other"), now); ok {
		t.Errorf("RetryAfter of another error")
	}
}
