package feed

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/herald-bot/herald/knowledge"
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkParagraphs checks the shape of extracted text: paragraphs separated
// by exactly one blank line, none empty, no stray white space.
func checkParagraphs(t *testing.T, text string) []string {
	t.Helper()
	paras := strings.Split(text, "\n\n")
	for i, p := range paras {
		if p == "" || strings.TrimSpace(p) != p || strings.Contains(p, "\n") || strings.Contains(p, "  ") {
			t.Errorf("paragraph %d is malformed: %q", i, p)
		}
	}
	return paras
}

func TestExtractArticle(t *testing.T) {
	ex, err := NewExtractor().Extract(readFixture(t, "article.html"),
		"https://www.coastalcourier.example/news/2024/03/tidal-barrier?utm_source=rss#top")
	if err != nil {
		t.Fatal(err)
	}
	var _ knowledge.Extractor = NewExtractor()

	if ex.Title != "Harbour council approves tidal barrier plan" {
		t.Errorf("Title = %q", ex.Title)
	}
	if ex.Byline != "Maria Okafor" {
		t.Errorf("Byline = %q", ex.Byline)
	}
	if ex.Source != "The Coastal Courier" {
		t.Errorf("Source = %q", ex.Source)
	}
	if want := time.Date(2024, 3, 14, 9, 30, 0, 0, time.UTC); !ex.PublishedAt.Equal(want) {
		t.Errorf("PublishedAt = %v, want %v", ex.PublishedAt, want)
	}
	if ex.URL != "https://www.coastalcourier.example/news/2024/03/tidal-barrier" {
		t.Errorf("URL = %q", ex.URL)
	}
	if ex.Language != "en" { // <html lang="en-GB">
		t.Errorf("Language = %q", ex.Language)
	}

	paras := checkParagraphs(t, ex.Text)
	want := []string{
		"The harbour council voted on Wednesday night to build a tidal barrier across the mouth of the estuary, ending a decade of argument over how to protect the old town from winter storm surges.",
		"Councillors approved the £48 million scheme by nine votes to four after a meeting that ran past midnight. The barrier, a row of steel gates that rise from the seabed when high tides are forecast, is due to be finished in 2028.",
		"“This is the most important decision this council has taken in a generation,” said the council leader, Tom Reyes. “Every winter we fill sandbags and hope. From 2028 we will not have to hope.”",
		"Fishermen fear for their livelihoods",
		"Not everyone welcomed the vote. The local fishermen’s association says the gates will narrow the channel and make it harder for boats to leave harbour in rough weather.",
		"We were told the gates would stay open ninety-five days in a hundred. We want that written into the operating rules, not left to a committee.",
		"The association’s secretary, Ellen Marsh, said its members would ask for a legal review of the environmental assessment. The council said it was confident the assessment would stand.",
		"Engineers expect construction to begin next spring. The work will happen in three stages:",
		"dredging and foundations in the main channel,",
		"installing the six steel gates and their hydraulic rams,",
		"building a control house on the north quay.",
		"The council will hold a public exhibition of the final design at the library from 2 April.",
	}
	if strings.Join(paras, "\n\n") != strings.Join(want, "\n\n") {
		t.Errorf("Text =\n%s\n\nwant\n%s", ex.Text, strings.Join(want, "\n\n"))
	}
	for _, clutter := range []string{"Advertisement", "Subscribe", "newsletter", "Comments", "First!", "cellar",
		"Related stories", "Share on", "Email this story", "artist’s impression", "dataLayer", "Privacy", "All rights reserved", "Sport"} {
		if strings.Contains(ex.Text, clutter) {
			t.Errorf("Text contains clutter %q", clutter)
		}
	}
}

func TestExtractNoArticle(t *testing.T) {
	tests := map[string][]byte{
		"login page":  readFixture(t, "noarticle.html"),
		"short story": []byte("<html><body><article><h1>Brief</h1><p>Just one short sentence here.</p></article></body></html>"),
		"empty":       nil,
		"not html":    []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
	}
	for name, page := range tests {
		t.Run(name, func(t *testing.T) {
			ex, err := NewExtractor().Extract(page, "https://news.example/login")
			if ex != nil {
				t.Errorf("Extract = %+v, want nil", ex)
			}
			wantError(t, err, knowledge.EINVALID, "no article text found on the page")
		})
	}
}

func TestExtractNonUTF8(t *testing.T) {
	ex, err := NewExtractor().Extract(readFixture(t, "latin1.html"), "https://courrier.example/port/cafe")
	if err != nil {
		t.Fatal(err)
	}
	if ex.Title != "Le café du port rouvre ses portes" {
		t.Errorf("Title = %q", ex.Title)
	}
	if ex.Source != "Le Courrier côtier" || ex.Language != "fr" {
		t.Errorf("Source, Language = %q, %q", ex.Source, ex.Language)
	}
	if want := time.Date(2024, 5, 2, 6, 0, 0, 0, time.UTC); !ex.PublishedAt.Equal(want) {
		t.Errorf("PublishedAt = %v, want %v", ex.PublishedAt, want)
	}
	paras := checkParagraphs(t, ex.Text)
	if len(paras) != 4 {
		t.Errorf("got %d paragraphs, want 4:\n%s", len(paras), ex.Text)
	}
	for _, want := range []string{
		"Après dix-huit mois de travaux, le café de la Marée a rouvert jeudi matin sur le quai Saint-Éloi.",
		"« On a gardé le comptoir en zinc et les chaises d’origine », explique la gérante, Hélène Duval.",
		"soit 120 000 €, au titre",
	} {
		if !strings.Contains(ex.Text, want) {
			t.Errorf("Text lacks %q:\n%s", want, ex.Text)
		}
	}
	for _, clutter := range []string{"Accueil", "Météo", "droits réservés"} {
		if strings.Contains(ex.Text, clutter) {
			t.Errorf("Text contains clutter %q", clutter)
		}
	}
}

// TestFetchThenExtract runs the path an ingest takes: a legacy-encoded page
// fetched, decoded, then extracted, with and without a charset header.
func TestFetchThenExtract(t *testing.T) {
	page := readFixture(t, "latin1.html")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/header" {
			w.Header().Set("Content-Type", "text/html; charset=windows-1252")
		} else {
			w.Header().Set("Content-Type", "text/html")
		}
		w.Write(page)
	}))
	defer srv.Close()
	c := newTestClient(t, Options{AllowPrivate: true})
	for _, path := range []string{"/header", "/meta"} {
		doc, err := c.Fetch(context.Background(), srv.URL+path)
		if err != nil {
			t.Fatal(err)
		}
		ex, err := NewExtractor().Extract(doc.Body, doc.URL)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(ex.Text, "Hélène Duval") || ex.Title != "Le café du port rouvre ses portes" {
			t.Errorf("%s: Title %q, Text %q", path, ex.Title, ex.Text)
		}
	}
}

func TestExtractCanonical(t *testing.T) {
	body := strings.Repeat("<p>The committee met for the third time this month to discuss the budget for next year. </p>", 6)
	tests := []struct {
		name, head, pageURL, want string
	}{
		{"relative canonical", `<link rel="canonical" href="/a/b">`, "https://news.example/x/y?z=1", "https://news.example/a/b"},
		{"absolute canonical", `<link rel="Canonical" href="https://other.example/story#top">`, "https://news.example/x", "https://other.example/story"},
		{"og:url fallback", `<meta property="og:url" content="/og/path">`, "https://news.example/x", "https://news.example/og/path"},
		{"canonical beats og:url", `<meta property="og:url" content="/og"><link rel="canonical" href="/canon">`, "https://news.example/x", "https://news.example/canon"},
		{"relative without page URL", `<link rel="canonical" href="/a/b">`, "", ""},
		{"javascript refused", `<link rel="canonical" href="javascript:alert(1)">`, "https://news.example/x", ""},
		{"none", ``, "https://news.example/x", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := "<html><head><title>Budget talks</title>" + tt.head + "</head><body><article>" + body + "</article></body></html>"
			ex, err := NewExtractor().Extract([]byte(page), tt.pageURL)
			if err != nil {
				t.Fatal(err)
			}
			if ex.URL != tt.want {
				t.Errorf("URL = %q, want %q", ex.URL, tt.want)
			}
		})
	}
}

func TestParagraphs(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"inline joined", "<p>One <b>bold</b> and <a href='#'>linked</a>\n   word.</p>", "One bold and linked word."},
		{"no space between inline elements", "<p><b>to</b><i>gether</i></p>", "together"},
		{"blocks", "<h2>Head</h2><p>First.</p><div>Second.</div><blockquote>Third.</blockquote>", "Head\n\nFirst.\n\nSecond.\n\nThird."},
		{"nested divs", "<div><div><p>A.</p></div><div>B.</div></div>", "A.\n\nB."},
		{"list items", "<ul><li>one</li><li>two <em>too</em></li></ul>", "one\n\ntwo too"},
		{"nested list", "<ul><li>outer<ul><li>inner</li></ul></li></ul>", "outer\n\ninner"},
		{"br splits", "<p>Line one<br>Line two</p>", "Line one\n\nLine two"},
		{"nbsp and soft hyphen", "<p>non\u00a0breaking\u00a0space and hy\u00adphen\u200b</p>", "non breaking space and hyphen"},
		{"skipped elements", "<p>Kept.</p><script>var x;</script><style>p{}</style><figure><img src=a.jpg><figcaption>Caption</figcaption></figure><p hidden>Hidden.</p><p>Also kept.</p>", "Kept.\n\nAlso kept."},
		{"ad label dropped", "<p>Before.</p><div>Advertisement</div><p>After.</p>", "Before.\n\nAfter."},
		{"table cells", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>", "a b\n\nc d"},
		{"pre keeps lines", "<pre>  line 1\n\n     line 2  </pre><p>After.</p>", "line 1\nline 2\n\nAfter."},
		{"empty blocks", "<p> </p><div>\n\n</div><p>Only.</p><p></p>", "Only."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := html.Parse(strings.NewReader("<html><body>" + tt.in + "</body></html>"))
			if err != nil {
				t.Fatal(err)
			}
			if got := paragraphs(doc); got != tt.want {
				t.Errorf("paragraphs(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestExtractDatesTitlesAndLanguage(t *testing.T) {
	body := strings.Repeat("<p>The committee met for the third time this month to discuss the budget for next year. </p>", 6)
	tests := []struct {
		name, htmlAttr, head, article string
		title, language               string
		published                     time.Time
	}{
		{name: "article:published_time", head: `<title>Budget talks</title><meta property="article:published_time" content="2024-01-24T09:30:00+01:00">`,
			title: "Budget talks", published: time.Date(2024, 1, 24, 8, 30, 0, 0, time.UTC)},
		{name: "JSON-LD object", head: `<title>Budget talks</title><script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle","headline":"Budget talks resume","datePublished":"2024-01-24"}</script>`,
			title: "Budget talks resume", published: time.Date(2024, 1, 24, 0, 0, 0, 0, time.UTC)},
		{name: "JSON-LD graph with a type list", head: `<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebPage"},{"@type":["ReportageNewsArticle","NewsArticle"],"headline":"Budget talks resume","datePublished":"2024-01-24T12:00:00Z","inLanguage":"de-DE"}]}</script>`,
			title: "Budget talks resume", language: "de", published: time.Date(2024, 1, 24, 12, 0, 0, 0, time.UTC)},
		{name: "broken JSON-LD", head: `<title>Budget talks</title><script type="application/ld+json">{"@type": "NewsArticle", "datePublished": </script>`,
			title: "Budget talks"},
		{name: "meta beats time element", head: `<title>Budget talks</title><meta name="pubdate" content="2024-01-23">`, article: `<time datetime="2024-01-20">20 January</time>`,
			title: "Budget talks", published: time.Date(2024, 1, 23, 0, 0, 0, 0, time.UTC)},
		{name: "time element in the article", head: `<title>Budget talks</title>`, article: `<p>Published <time datetime="2024-01-24T09:30:00Z">24 January 2024</time></p>`,
			title: "Budget talks", published: time.Date(2024, 1, 24, 9, 30, 0, 0, time.UTC)},
		{name: "time element marked pubdate", head: `<title>Budget talks</title>`, article: `<time datetime="2024-01-20">20 January</time><time pubdate datetime="2024-01-24">24 January</time>`,
			title: "Budget talks", published: time.Date(2024, 1, 24, 0, 0, 0, 0, time.UTC)},
		{name: "undated", head: `<title>Budget talks</title>`, title: "Budget talks"},
		{name: "dateline as page title", head: `<title>Washington CNN —</title><meta property="og:title" content="Budget talks resume in Washington">`,
			title: "Budget talks resume in Washington"},
		{name: "language from html lang", htmlAttr: ` lang="de-DE"`, head: `<title>Haushalt</title>`, title: "Haushalt", language: "de"},
		{name: "language from og:locale", head: `<title>Budget talks</title><meta property="og:locale" content="en_GB">`, title: "Budget talks", language: "en"},
		{name: "language from xml:lang", htmlAttr: ` xml:lang="fr"`, head: `<title>Budget</title>`, title: "Budget", language: "fr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page := "<html" + tt.htmlAttr + "><head>" + tt.head + "</head><body><article>" + tt.article + body + "</article></body></html>"
			ex, err := NewExtractor().Extract([]byte(page), "https://news.example/budget")
			if err != nil {
				t.Fatal(err)
			}
			if ex.Title != tt.title || ex.Language != tt.language || !ex.PublishedAt.Equal(tt.published) {
				t.Errorf("title %q, language %q, published %v; want %q, %q, %v", ex.Title, ex.Language, ex.PublishedAt, tt.title, tt.language, tt.published)
			}
		})
	}
}

func TestExtractLeavesOutFurnitureBoxes(t *testing.T) {
	para := "<p>The committee met for the third time this month to discuss the budget for next year, and agreed on most of it.</p>"
	page := `<html><body><div class="story share-enabled">` + strings.Repeat(para, 12) +
		`<div class="newsletter-signup"><p>Get the Morning Report every weekday.</p></div>` +
		`<div id="most-read-box"><p>County fair returns</p></div>` +
		`<div class="ad-slot"><p>Paid content from our partners</p></div>` +
		`<div role="complementary"><p>Elsewhere on the site</p></div>` +
		`<div class="video-player"><p>Loading the clip</p></div>` + para + `</div></body></html>`
	ex, err := NewExtractor().Extract([]byte(page), "https://news.example/budget")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(ex.Text, "The committee met"); n != 13 {
		t.Errorf("%d of 13 paragraphs kept:\n%s", n, ex.Text)
	}
	for _, f := range []string{"Morning Report", "County fair", "Paid content", "Elsewhere", "Loading the clip"} {
		if strings.Contains(ex.Text, f) {
			t.Errorf("text keeps %q", f)
		}
	}
}
