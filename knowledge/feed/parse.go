package feed

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mmcdole/gofeed"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/herald-bot/herald/knowledge"
	"github.com/herald-bot/herald/knowledge/text"
)

// FeedTypes are the media types a feed may be served as. Many sites serve
// feeds as text/html or application/octet-stream, so the poller accepts any
// type and judges the body instead; this list goes into the Accept header.
var FeedTypes = []string{"application/rss+xml", "application/atom+xml", "application/feed+json", "application/xml", "text/xml", "application/json", "*/*"}

// ParsedFeed is a feed read by ParseFeed.
type ParsedFeed struct {
	Title  string
	Link   string // the site's home page, when the feed names it
	Format string // "rss", "atom" or "json"
	// Language is the feed's declared language as an ISO 639-1 code (RSS
	// <language> or dc:language, Atom xml:lang, JSON Feed "language"), or
	// "".
	Language string
	Items    []Item
}

// Item is one entry of a feed, its HTML already turned into plain text.
type Item struct {
	// GUID is the item's id as the feed gives it (RSS guid, Atom id, JSON
	// Feed id); may be empty.
	GUID  string
	Link  string // absolute http(s) URL of the article, or ""
	Title string
	// Text is the longer of the item's content and description, as plain
	// paragraphs.
	Text      string
	Author    string
	Published time.Time // zero when the item has no (readable) date
}

// Key returns what identifies the item within its feed: its GUID, else its
// canonical link, else a hash of its title and text.
func (it *Item) Key() string {
	if g := strings.TrimSpace(it.GUID); g != "" {
		if len(g) > 512 {
			g = g[:512]
		}
		return "guid:" + g
	}
	if it.Link != "" {
		if u, err := knowledge.CanonicalURL(it.Link); err == nil {
			return "url:" + u
		}
	}
	return "hash:" + text.ContentHash(it.Title+"\n"+it.Text)
}

// ParseFeed reads an RSS 2.0, Atom or JSON Feed document. contentType is
// the Content-Type header it was served with (it may name the charset);
// feedURL resolves relative links. Bodies in legacy encodings are decoded
// to UTF-8 first. Every error is a *knowledge.Error with code EINVALID and
// a message saying what is wrong with the feed.
func ParseFeed(body []byte, contentType, feedURL string) (pf *ParsedFeed, err error) {
	// The feed is untrusted input; a parser bug must not take Herald down.
	defer func() {
		if r := recover(); r != nil {
			pf, err = nil, knowledge.WrapError(knowledge.EINVALID, "the feed could not be read", fmt.Errorf("gofeed panicked: %v", r))
		}
	}()
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xEF\xBB\xBF")))
	if len(trimmed) == 0 {
		return nil, knowledge.Errorf(knowledge.EINVALID, "the feed is empty")
	}
	if looksLikeHTML(trimmed) {
		msg := "the address is a web page, not a feed"
		if alt := discoverFeed(body, feedURL); alt != "" {
			msg += "; the page names a feed at " + alt + ", add that instead"
		}
		return nil, knowledge.Errorf(knowledge.EINVALID, "%s", msg)
	}
	decoded, err := decodeFeed(body, contentType)
	if err != nil {
		return nil, knowledge.WrapError(knowledge.EINVALID, "the feed's text could not be decoded", err)
	}
	gf, err := gofeed.NewParser().Parse(bytes.NewReader(decoded))
	if err != nil {
		return nil, parseError(err)
	}
	out := &ParsedFeed{Title: plain(gf.Title), Format: gf.FeedType, Language: text.LanguageCode(gf.Language)}
	base, _ := url.Parse(feedURL)
	if l := absLink(base, gf.Link); l != "" {
		out.Link = l
	}
	for _, gi := range gf.Items {
		if gi == nil {
			continue
		}
		it := Item{GUID: strings.TrimSpace(gi.GUID), Title: plain(gi.Title)}
		link := gi.Link
		if link == "" && len(gi.Links) > 0 {
			link = gi.Links[0]
		}
		if link == "" && (strings.HasPrefix(it.GUID, "http://") || strings.HasPrefix(it.GUID, "https://")) {
			link = it.GUID
		}
		it.Link = absLink(base, link)
		content, desc := htmlText(gi.Content), htmlText(gi.Description)
		it.Text = content
		if utf8.RuneCountInString(desc) > utf8.RuneCountInString(content) {
			it.Text = desc
		}
		switch {
		case gi.PublishedParsed != nil:
			it.Published = gi.PublishedParsed.UTC()
		case gi.UpdatedParsed != nil:
			it.Published = gi.UpdatedParsed.UTC()
		}
		if len(gi.Authors) > 0 && gi.Authors[0] != nil {
			it.Author = plain(gi.Authors[0].Name)
		}
		out.Items = append(out.Items, it)
	}
	return out, nil
}

// parseError turns a gofeed error into a readable reason. Messages never
// carry text from the feed itself.
func parseError(err error) error {
	var synErr *xml.SyntaxError
	var jsonSyn *json.SyntaxError
	var jsonType *json.UnmarshalTypeError
	switch {
	case errors.Is(err, gofeed.ErrFeedTypeNotDetected):
		return knowledge.WrapError(knowledge.EINVALID, "the address is not an RSS, Atom or JSON feed", err)
	case errors.As(err, &synErr):
		return knowledge.WrapError(knowledge.EINVALID, fmt.Sprintf("the feed is not well-formed XML (error at line %d)", synErr.Line), err)
	case errors.As(err, &jsonSyn), errors.As(err, &jsonType):
		return knowledge.WrapError(knowledge.EINVALID, "the feed is not valid JSON Feed", err)
	}
	return knowledge.WrapError(knowledge.EINVALID, "the feed could not be read (it is malformed)", err)
}

// looksLikeHTML reports whether a body that should be a feed is an HTML
// page.
func looksLikeHTML(b []byte) bool {
	head := b
	if len(head) > 1024 {
		head = head[:1024]
	}
	l := bytes.ToLower(head)
	for bytes.HasPrefix(l, []byte("<!--")) {
		end := bytes.Index(l, []byte("-->"))
		if end < 0 {
			break
		}
		l = bytes.TrimSpace(l[end+3:])
	}
	return bytes.HasPrefix(l, []byte("<!doctype html")) || bytes.HasPrefix(l, []byte("<html")) ||
		(bytes.HasPrefix(l, []byte("<head")) || bytes.HasPrefix(l, []byte("<body")))
}

// discoverFeed returns the first feed a page links to with
// <link rel="alternate" type="application/rss+xml" href="...">, or "".
func discoverFeed(page []byte, pageURL string) string {
	body, err := ToUTF8(page, "")
	if err != nil {
		return ""
	}
	base, _ := url.Parse(pageURL)
	z := html.NewTokenizer(bytes.NewReader(body))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			t := z.Token()
			if t.DataAtom == atom.Body {
				return ""
			}
			if t.DataAtom != atom.Link {
				continue
			}
			var rel, typ, href string
			for _, a := range t.Attr {
				switch strings.ToLower(a.Key) {
				case "rel":
					rel = a.Val
				case "type":
					typ = strings.ToLower(strings.TrimSpace(a.Val))
				case "href":
					href = a.Val
				}
			}
			if hasToken(rel, "alternate") && (typ == "application/rss+xml" || typ == "application/atom+xml" || typ == "application/feed+json") {
				if l := absLink(base, href); l != "" {
					return l
				}
			}
		}
	}
}

// xmlDecl matches the encoding of an XML declaration.
var xmlDecl = regexp.MustCompile(`^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']`)

// decodeFeed returns body as UTF-8. The encoding comes from a byte order
// mark, the Content-Type charset, then the XML declaration; an XML
// declaration naming another encoding is rewritten to say UTF-8, so the
// XML parser does not decode the text twice.
func decodeFeed(body []byte, contentType string) ([]byte, error) {
	head := body
	if len(head) > 512 {
		head = head[:512]
	}
	m := xmlDecl.FindSubmatchIndex(head)
	label := ""
	if m != nil {
		label = string(head[m[2]:m[3]])
	}
	ct := contentType
	if _, params, err := mime.ParseMediaType(contentType); err != nil || params["charset"] == "" {
		if label != "" {
			ct = "text/xml; charset=" + label
		}
	}
	out, err := ToUTF8(body, ct)
	if err != nil {
		return nil, err
	}
	if m != nil && !strings.EqualFold(label, "utf-8") {
		if m2 := xmlDecl.FindSubmatchIndex(out); m2 != nil {
			fixed := make([]byte, 0, len(out))
			fixed = append(fixed, out[:m2[2]]...)
			fixed = append(fixed, "UTF-8"...)
			fixed = append(fixed, out[m2[3]:]...)
			out = fixed
		}
	}
	return out, nil
}

// htmlText renders an HTML fragment (or plain text) as plain paragraphs.
func htmlText(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if !strings.ContainsAny(s, "<&") {
		var paras []string
		for _, p := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
			if p = collapse(p); p != "" {
				paras = append(paras, p)
			}
		}
		return strings.Join(paras, "\n\n")
	}
	nodes, err := html.ParseFragment(strings.NewReader(s), &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		return collapse(s)
	}
	root := &html.Node{Type: html.ElementNode, Data: "div", DataAtom: atom.Div}
	for _, n := range nodes {
		root.AppendChild(n)
	}
	return paragraphs(root)
}

// plain turns a title that may hold markup or entities into one line of
// text.
func plain(s string) string {
	return collapse(strings.ReplaceAll(htmlText(s), "\n", " "))
}

// absLink resolves ref against base and returns it when it is an absolute
// http(s) URL, else "".
func absLink(base *url.URL, ref string) string {
	if base != nil && !base.IsAbs() {
		base = nil
	}
	return resolveHTTP(base, ref)
}
