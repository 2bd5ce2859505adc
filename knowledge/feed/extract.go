package feed

import (
	"bytes"
	"encoding/json"
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
	"github.com/herald-bot/herald/knowledge/text"
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

// Extract returns the article of an HTML page: title (readability's, else
// the page's og:title, JSON-LD headline or first <h1>, never a dateline),
// byline, site name, publication time (article:published_time, JSON-LD
// datePublished, other date meta tags, then a <time datetime>; zero when
// the page names none), canonical URL (from <link rel=canonical> or og:url,
// resolved against pageURL), language as an ISO 639-1 code (<html lang>,
// then meta tags), and the text as paragraphs separated by one blank line.
// Elements that name themselves as site furniture (newsletter, share,
// related, most-read, advert, cookie and player boxes) are left out. Pages
// not in UTF-8 are decoded first (see ToUTF8). A page without enough
// article text is a *knowledge.Error with code EINVALID.
func (e *Extractor) Extract(page []byte, pageURL string) (ex *knowledge.Extracted, err error) {
	// The page is untrusted input; a parser bug must not take Herald down.
	defer func() {
		if r := recover(); r != nil {
			ex, err = nil, knowledge.WrapError(knowledge.EINVALID, msgNoArticle, fmt.Errorf("readability panicked: %v", r))
		}
	}()
	decoded, err := ToUTF8(page, "")
	if err != nil {
		return nil, knowledge.WrapError(knowledge.EINVALID, msgNoArticle, err)
	}
	doc, err := html.Parse(bytes.NewReader(decoded))
	if err != nil {
		return nil, knowledge.WrapError(knowledge.EINVALID, msgNoArticle, fmt.Errorf("parse html: %w", err))
	}
	base, _ := url.Parse(pageURL)
	if base != nil && !base.IsAbs() {
		base = nil
	}
	// Read what readability does not report before it rewrites the tree.
	meta := readMeta(doc, base)
	pruneFurniture(doc)

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
	body := paragraphs(art.Node)
	minText := e.MinText
	if minText <= 0 {
		minText = DefaultMinText
	}
	if n := utf8.RuneCountInString(body); n < minText {
		return nil, knowledge.WrapError(knowledge.EINVALID, msgNoArticle,
			fmt.Errorf("only %d characters of text in %s", n, pageURL))
	}

	out := &knowledge.Extracted{
		Title:  pickTitle(collapse(art.Title()), meta.ogTitle, meta.headline, meta.h1),
		Text:   body,
		Byline: collapse(art.Byline()),
		Source: collapse(art.SiteName()),
		URL:    meta.canonical,
	}
	if out.Source == "" {
		out.Source = meta.siteName
	}
	out.Language = text.LanguageCode(meta.language)
	if out.Language == "" {
		out.Language = text.LanguageCode(collapse(art.Language()))
	}
	out.PublishedAt = meta.published
	if out.PublishedAt.IsZero() {
		if t, err := art.PublishedTime(); err == nil && !t.IsZero() && t.Year() >= 1900 {
			out.PublishedAt = t.UTC()
		}
	}
	if out.PublishedAt.IsZero() {
		out.PublishedAt = meta.timeElem
	}
	return out, nil
}

// pickTitle returns the first candidate that is a headline, not empty and
// not a dateline ("Washington CNN —").
func pickTitle(candidates ...string) string {
	for _, c := range candidates {
		if c = collapse(c); c != "" && !text.IsDateline(c) {
			return c
		}
	}
	return ""
}

// pageMeta is what Extract reads from the page itself.
type pageMeta struct {
	canonical string
	siteName  string
	language  string
	ogTitle   string
	headline  string // JSON-LD headline
	h1        string // the first <h1>
	// published is the date of the page's metadata; timeElem that of its
	// <time datetime> elements, a weaker sign.
	published, timeElem time.Time
}

// Date meta tags, strongest first (property, name or itemprop, lower case).
var (
	publishedMeta = []string{"article:published_time", "og:published_time", "datepublished", "parsely-pub-date",
		"pubdate", "publishdate", "publish-date", "article.published", "dc.date.issued", "dcterms.issued",
		"dcterms.created", "dc.date", "sailthru.date", "date", "dc.date.created", "citation_publication_date"}
)

// readMeta collects the canonical URL, language, site name, title
// candidates and publication time from <link>, <meta>, JSON-LD, <html
// lang>, <h1> and <time> elements.
func readMeta(doc *html.Node, base *url.URL) pageMeta {
	var m pageMeta
	var ogURL string
	metaDates := map[string]string{}
	var ldDate, timePub, timeArticle, timeAny string
	var walk func(n *html.Node, inArticle bool)
	walk = func(n *html.Node, inArticle bool) {
		if n.Type == html.ElementNode {
			switch n.DataAtom {
			case atom.Html:
				if m.language == "" {
					m.language = strings.TrimSpace(attr(n, "lang"))
				}
				if m.language == "" {
					m.language = strings.TrimSpace(attrNS(n, "xml", "lang"))
				}
			case atom.Link:
				if m.canonical == "" && hasToken(attr(n, "rel"), "canonical") {
					m.canonical = resolveHTTP(base, attr(n, "href"))
				}
			case atom.Meta:
				content := strings.TrimSpace(attr(n, "content"))
				for _, k := range []string{"property", "name", "itemprop"} {
					key := strings.ToLower(strings.TrimSpace(attr(n, k)))
					switch key {
					case "":
					case "og:url":
						if ogURL == "" {
							ogURL = content
						}
					case "og:title":
						if m.ogTitle == "" {
							m.ogTitle = content
						}
					case "application-name":
						if m.siteName == "" {
							m.siteName = content
						}
					case "og:locale", "language", "dc.language", "content-language", "inlanguage":
						if m.language == "" {
							m.language = content
						}
					default:
						if _, seen := metaDates[key]; !seen && content != "" {
							metaDates[key] = content
						}
					}
				}
				if strings.EqualFold(attr(n, "http-equiv"), "content-language") && m.language == "" {
					m.language = content
				}
			case atom.Script:
				if strings.EqualFold(strings.TrimSpace(attr(n, "type")), "application/ld+json") && n.FirstChild != nil {
					ld := readJSONLD(n.FirstChild.Data)
					if m.headline == "" {
						m.headline = ld.headline
					}
					if ldDate == "" {
						ldDate = ld.published
					}
					if m.language == "" {
						m.language = ld.language
					}
				}
			case atom.H1:
				if m.h1 == "" {
					m.h1 = collapse(nodeText(n))
				}
			case atom.Article, atom.Main:
				inArticle = true
			case atom.Time:
				dt := strings.TrimSpace(attr(n, "datetime"))
				switch {
				case dt == "":
				case timePub == "" && (strings.EqualFold(attr(n, "itemprop"), "datePublished") || hasAttr(n, "pubdate")):
					timePub = dt
				case timeArticle == "" && inArticle:
					timeArticle = dt
				case timeAny == "":
					timeAny = dt
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inArticle)
		}
	}
	walk(doc, false)
	if m.canonical == "" && ogURL != "" {
		m.canonical = resolveHTTP(base, ogURL)
	}
	m.language = strings.ReplaceAll(m.language, "_", "-")
	for _, raw := range append([]string{metaDates["article:published_time"], ldDate}, metaValues(metaDates)...) {
		if t, ok := text.ParseDate(raw); ok {
			m.published = t
			break
		}
	}
	for _, raw := range []string{timePub, timeArticle, timeAny} {
		if t, ok := text.ParseDate(raw); ok {
			m.timeElem = t
			break
		}
	}
	return m
}

// metaValues returns the date meta tags found, strongest first.
func metaValues(found map[string]string) []string {
	var out []string
	for _, k := range publishedMeta {
		if v := found[k]; v != "" {
			out = append(out, v)
		}
	}
	return out
}

// ldFacts is what Extract takes from a page's JSON-LD.
type ldFacts struct{ headline, published, language string }

// readJSONLD reads the headline, datePublished and inLanguage of the first
// article-like object of a JSON-LD script: a single object, an array, or
// an @graph, with @type a string or a list. Broken JSON gives nothing.
func readJSONLD(raw string) ldFacts {
	var v any
	if err := json.Unmarshal([]byte(strings.TrimSpace(raw)), &v); err != nil {
		return ldFacts{}
	}
	var found ldFacts
	var visit func(v any, depth int) bool
	visit = func(v any, depth int) bool {
		if depth > 4 {
			return false
		}
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				if visit(e, depth+1) {
					return true
				}
			}
		case map[string]any:
			if g, ok := x["@graph"]; ok && visit(g, depth+1) {
				return true
			}
			if !articleType(x["@type"]) {
				return false
			}
			found.headline, _ = x["headline"].(string)
			found.published, _ = x["datePublished"].(string)
			switch l := x["inLanguage"].(type) {
			case string:
				found.language = l
			case map[string]any:
				found.language, _ = l["alternateName"].(string)
			}
			return true
		}
		return false
	}
	visit(v, 0)
	found.headline = collapse(found.headline)
	return found
}

// articleType reports whether a JSON-LD @type (a string or a list) names
// an article, a news article, a report, a blog or social media posting.
func articleType(t any) bool {
	switch x := t.(type) {
	case string:
		l := strings.ToLower(x)
		return strings.HasSuffix(l, "article") || strings.Contains(l, "posting") || l == "report"
	case []any:
		for _, e := range x {
			if articleType(e) {
				return true
			}
		}
	}
	return false
}

// nodeText returns the text under n.
func nodeText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
			b.WriteByte(' ')
		}
		if n.Type == html.ElementNode && skipElems[n.DataAtom] {
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// furnitureWords are the parts of class names and ids (split at "-", "_"
// and spaces) that mark an element as site furniture.
var furnitureWords = map[string]bool{
	"newsletter": true, "newsletters": true, "subscribe": true, "subscription": true, "signup": true,
	"share": true, "sharing": true, "sharebar": true, "social": true, "related": true, "recirc": true,
	"recirculation": true, "mostread": true, "most": false, "popular": true, "trending": true, "promo": true,
	"promotion": true, "advert": true, "advertisement": true, "ad": true, "ads": true, "adslot": true,
	"adunit": true, "dfp": true, "sponsor": true, "sponsored": true, "cookie": true, "cookies": true,
	"consent": true, "gdpr": true, "paywall": true, "outbrain": true, "taboola": true, "player": true,
	"breadcrumb": true, "breadcrumbs": true, "comments": true, "teaser": false,
}

// furnitureRoles are ARIA roles of elements outside the article.
var furnitureRoles = map[string]bool{"navigation": true, "banner": true, "contentinfo": true, "complementary": true, "search": true, "dialog": true, "alertdialog": true}

// maxFurnitureText is the most text an element named as furniture may hold
// and still be removed: a wrapper around the article that happens to carry
// such a class ("story share-enabled") is never removed.
const maxFurnitureText = 1200

// pruneFurniture removes the elements that name themselves as site
// furniture by their class, id, role or aria-label, before readability
// chooses the article.
func pruneFurniture(doc *html.Node) {
	var remove []*html.Node
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.DataAtom != atom.Body && n.DataAtom != atom.Html && n.DataAtom != atom.Head &&
			n.DataAtom != atom.Article && n.DataAtom != atom.Main && isFurniture(n) &&
			utf8.RuneCountInString(collapse(nodeText(n))) <= maxFurnitureText {
			remove = append(remove, n)
			return
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	for _, n := range remove {
		if n.Parent != nil {
			n.Parent.RemoveChild(n)
		}
	}
}

func isFurniture(n *html.Node) bool {
	if furnitureRoles[strings.ToLower(strings.TrimSpace(attr(n, "role")))] {
		return true
	}
	if l := strings.ToLower(attr(n, "aria-label")); strings.Contains(l, "advert") || strings.Contains(l, "newsletter") || strings.Contains(l, "share") {
		return true
	}
	for _, v := range []string{attr(n, "class"), attr(n, "id")} {
		for _, tok := range strings.FieldsFunc(strings.ToLower(v), func(r rune) bool { return r == ' ' || r == '-' || r == '_' || r == '\t' }) {
			if furnitureWords[tok] {
				return true
			}
		}
		if strings.Contains(strings.ToLower(v), "most-read") || strings.Contains(strings.ToLower(v), "mostpopular") {
			return true
		}
	}
	return false
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

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

// attrNS returns the value of an attribute in a namespace ("xml:lang").
func attrNS(n *html.Node, ns, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Namespace, ns) && strings.EqualFold(a.Key, key) || a.Namespace == "" && strings.EqualFold(a.Key, ns+":"+key) {
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
