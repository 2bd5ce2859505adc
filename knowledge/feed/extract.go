package feed

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	readability "codeberg.org/readeck/go-readability/v2"
	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/herald-bot/herald/knowledge"
)

// DefaultMinText is the least number of characters of article text an
// Extractor accepts by default.
const DefaultMinText = 200

const msgNoArticle = "no article text found on the page"

// Extractor pulls the readable article out of an HTML page with
// go-readability and renders it as plain-text paragraphs. It implements
// knowledge.Extractor and is safe for concurrent use.
type Extractor struct {
	// MinText is the least number of characters of text that counts as an
	// article (DefaultMinText when zero).
	MinText int
	// Logger receives readability's debug records (default: discarded).
	Logger *slog.Logger
}

// NewExtractor returns an Extractor with the default settings.
func NewExtractor() *Extractor {
	return &Extractor{MinText: DefaultMinText}
}

// Extract returns the article of an HTML page: title, byline, site name,
// publication time, canonical URL (from <link rel=canonical> or og:url,
// resolved against pageURL), language, and the text as paragraphs separated
// by one blank line. Pages not in UTF-8 are decoded first (see ToUTF8). A
// page without enough article text is a *knowledge.Error with code
// EINVALID.
func (e *Extractor) Extract(page []byte, pageURL string) (ex *knowledge.Extracted, err error) {
	// The page is untrusted input; a parser bug must not take Herald down.
	defer func() {
		if r := recover(); r != nil {
			ex, err = nil, knowledge.WrapError(knowledge.EINVALID, msgNoArticle, fmt.Errorf("readability panicked: %v", r))
		}
	}()
	body, err := ToUTF8(page, "")
	if err != nil {
		return nil, knowledge.WrapError(knowledge.EINVALID, msgNoArticle, err)
	}
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return nil, knowledge.WrapError(knowledge.EINVALID, msgNoArticle, fmt.Errorf("parse html: %w", err))
	}
	base, _ := url.Parse(pageURL)
	if base != nil && !base.IsAbs() {
		base = nil
	}
	// Read what readability does not report before it rewrites the tree.
	meta := readMeta(doc, base)

	parser := readability.NewParser()
	if e.Logger != nil {
		parser.Logger = e.Logger
	}
	art, err := parser.ParseAndMutate(doc, base)
	if err != nil {
		return nil, knowledge.WrapError(knowledge.EINVALID, msgNoArticle, fmt.Errorf("readability: %w", err))
	}
	if art.Node == nil {
		return nil, knowledge.WrapError(knowledge.EINVALID, msgNoArticle, fmt.Errorf("readability found no content in %s", pageURL))
	}
	text := paragraphs(art.Node)
	minText := e.MinText
	if minText <= 0 {
		minText = DefaultMinText
	}
	if n := utf8.RuneCountInString(text); n < minText {
		return nil, knowledge.WrapError(knowledge.EINVALID, msgNoArticle,
			fmt.Errorf("only %d characters of text in %s", n, pageURL))
	}

	out := &knowledge.Extracted{
		Title:    collapse(art.Title()),
		Text:     text,
		Byline:   collapse(art.Byline()),
		Source:   collapse(art.SiteName()),
		URL:      meta.canonical,
		Language: collapse(art.Language()),
	}
	if out.Source == "" {
		out.Source = meta.siteName
	}
	if out.Language == "" {
		out.Language = meta.language
	}
	if t, err := art.PublishedTime(); err == nil && !t.IsZero() {
		out.PublishedAt = t
	} else {
		out.PublishedAt = meta.published
	}
	return out, nil
}

// pageMeta is what Extract reads from the page itself.
type pageMeta struct {
	canonical string
	siteName  string
	language  string
	published time.Time
}

// readMeta collects the canonical URL, language, site name and publication
// time from <link>, <meta>, <html lang> and <time> elements.
func readMeta(doc *html.Node, base *url.URL) pageMeta {
	var m pageMeta
	var ogURL, pubRaw string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Html:
				if m.language == "" {
					m.language = strings.TrimSpace(attr(n, "lang"))
				}
			case atom.Link:
				if m.canonical == "" && hasToken(attr(n, "rel"), "canonical") {
					m.canonical = resolveHTTP(base, attr(n, "href"))
				}
			case atom.Meta:
				content := strings.TrimSpace(attr(n, "content"))
				for _, k := range []string{"property", "name", "itemprop"} {
					switch strings.ToLower(strings.TrimSpace(attr(n, k))) {
					case "":
					case "og:url":
						if ogURL == "" {
							ogURL = content
						}
					case "application-name":
						if m.siteName == "" {
							m.siteName = content
						}
					case "og:locale", "language", "dc.language":
						if m.language == "" {
							m.language = strings.ReplaceAll(content, "_", "-")
						}
					case "datepublished", "date", "pubdate", "publishdate", "article.published", "dc.date.issued", "sailthru.date":
						if pubRaw == "" {
							pubRaw = content
						}
					}
				}
				if strings.EqualFold(attr(n, "http-equiv"), "content-language") && m.language == "" {
					m.language = content
				}
			case atom.Time:
				if pubRaw == "" && (strings.EqualFold(attr(n, "itemprop"), "datePublished") || hasToken(attr(n, "pubdate"), "pubdate") || hasAttr(n, "pubdate")) {
					pubRaw = attr(n, "datetime")
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if m.canonical == "" && ogURL != "" {
		m.canonical = resolveHTTP(base, ogURL)
	}
	m.published = parseTime(pubRaw)
	return m
}

// resolveHTTP resolves ref against base and returns it without its
// fragment when the result is an absolute http or https URL, else "".
func resolveHTTP(base *url.URL, ref string) string {
	u, err := url.Parse(strings.TrimSpace(ref))
	if err != nil || ref == "" {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	u.Fragment, u.RawFragment = "", ""
	return u.String()
}

var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05",
	"2006-01-02",
	time.RFC1123Z,
	time.RFC1123,
}

// parseTime parses the date formats pages commonly use; zero when none fits.
func parseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return true
		}
	}
	return false
}

// hasToken reports whether the space-separated list s contains tok,
// ignoring case.
func hasToken(s, tok string) bool {
	for _, f := range strings.Fields(s) {
		if strings.EqualFold(f, tok) {
			return true
		}
	}
	return false
}

// blockElems start and end a paragraph of their own.
var blockElems = map[atom.Atom]bool{
	atom.P: true, atom.H1: true, atom.H2: true, atom.H3: true, atom.H4: true, atom.H5: true, atom.H6: true,
	atom.Li: true, atom.Ul: true, atom.Ol: true, atom.Dl: true, atom.Dt: true, atom.Dd: true,
	atom.Blockquote: true, atom.Div: true, atom.Section: true, atom.Article: true, atom.Main: true,
	atom.Header: true, atom.Footer: true, atom.Address: true, atom.Details: true, atom.Summary: true,
	atom.Table: true, atom.Thead: true, atom.Tbody: true, atom.Tfoot: true, atom.Tr: true, atom.Caption: true,
	atom.Hr: true, atom.Br: true, atom.Center: true, atom.Hgroup: true,
}

// skipElems hold no article text: code, media, captions, navigation and
// form controls.
var skipElems = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Figure: true, atom.Figcaption: true, atom.Picture: true, atom.Img: true, atom.Svg: true,
	atom.Video: true, atom.Audio: true, atom.Iframe: true, atom.Object: true, atom.Embed: true,
	atom.Canvas: true, atom.Map: true, atom.Nav: true, atom.Aside: true, atom.Form: true,
	atom.Button: true, atom.Input: true, atom.Select: true, atom.Textarea: true, atom.Head: true,
}

// adLabels are paragraphs that only label an advertisement slot, which
// readability sometimes leaves in the article.
var adLabels = map[string]bool{
	"advertisement": true, "advertising": true, "ad": true, "sponsored": true,
	"sponsored content": true, "story continues below advertisement": true,
	"article continues below advertisement": true, "continue reading below": true,
}

// paragraphs renders the article tree as plain text: one paragraph per
// block element, inline text joined, whitespace collapsed, paragraphs
// separated by exactly one blank line.
func paragraphs(root *html.Node) string {
	var paras []string
	var cur strings.Builder
	flush := func() {
		if s := collapse(cur.String()); s != "" && !adLabels[strings.ToLower(s)] {
			paras = append(paras, s)
		}
		cur.Reset()
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.TextNode:
			cur.WriteString(n.Data)
			return
		case html.ElementNode:
			if skipElems[n.DataAtom] || hasAttr(n, "hidden") || strings.EqualFold(attr(n, "aria-hidden"), "true") {
				return
			}
			if n.DataAtom == atom.Pre {
				flush()
				if s := preText(n); s != "" {
					paras = append(paras, s)
				}
				return
			}
			block := blockElems[n.DataAtom]
			if block {
				flush()
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
			if block {
				flush()
			} else if n.DataAtom == atom.Td || n.DataAtom == atom.Th {
				cur.WriteByte(' ')
			}
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	flush()
	return strings.Join(paras, "\n\n")
}

// preText keeps the line structure of preformatted text, dropping blank
// lines so it stays one paragraph.
func preText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		if n.Type == html.ElementNode && n.DataAtom == atom.Br {
			b.WriteByte('\n')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	var lines []string
	for _, line := range strings.Split(b.String(), "\n") {
		if s := collapse(line); s != "" {
			lines = append(lines, s)
		}
	}
	return strings.Join(lines, "\n")
}

// invisible are characters that carry no text and only get in the way of
// search and quoting.
var invisible = strings.NewReplacer("\u00AD", "", "\u200B", "", "\uFEFF", "")

// collapse removes invisible characters and turns every run of white space
// (no-break spaces included) into one space.
func collapse(s string) string {
	return strings.Join(strings.Fields(invisible.Replace(s)), " ")
}
