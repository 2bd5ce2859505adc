package knowledge

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// MustOpenDB opens a fresh database in a temporary folder, closed when the
// test ends.
func MustOpenDB(tb testing.TB) *DB {
	tb.Helper()
	db, err := Open(context.Background(), filepath.Join(tb.TempDir(), "herald.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// mustPutTaurus stores the sample article and returns it.
func mustPutTaurus(tb testing.TB, db *DB) *Article {
	tb.Helper()
	raw, err := os.ReadFile("testdata/taurus.md")
	if err != nil {
		tb.Fatal(err)
	}
	a, err := ParseTextArticle(string(raw))
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := db.PutArticle(context.Background(), a); err != nil {
		tb.Fatal(err)
	}
	return a
}

// SQLite's pragmas; PostgreSQL has none.
func TestOpenAppliesPragmasOnEveryConnection(t *testing.T) {
	testOpenAppliesPragmasOnEveryConnection(t, MustOpenDB(t))
}

func testOpenAppliesPragmasOnEveryConnection(t *testing.T, db *DB) {
	ctx := context.Background()
	// Hold several connections at once so the pool has to open new ones.
	conns := make([]interface{ Close() error }, 0, 4)
	for i := 0; i < 4; i++ {
		c, err := db.SQL().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		var fk, busy int
		var mode string
		if err := c.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy); err != nil {
			t.Fatal(err)
		}
		if err := c.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if fk != 1 || busy < 1000 || mode != "wal" {
			t.Errorf("connection %d: foreign_keys=%d busy_timeout=%d journal_mode=%s", i, fk, busy, mode)
		}
	}
	for _, c := range conns {
		c.Close()
	}
}

func TestReopenKeepsDataAndSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "h.db")
	ctx := context.Background()
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	mustPutTaurus(t, db)
	db.Close()
	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c, err := db.Counts(ctx, "*")
	if err != nil {
		t.Fatal(err)
	}
	if c.Articles != 1 || c.Passages == 0 {
		t.Fatalf("after reopening: %+v", c)
	}
}

func TestPutArticleIsIdempotent(t *testing.T) { forEachBackend(t, testPutArticleIsIdempotent) }

func testPutArticleIsIdempotent(t *testing.T, db *DB) {
	ctx := context.Background()
	a := &Article{URL: "https://example.com/news/1?utm_source=x", Title: "First", Source: "Example", Text: "Alpha beta gamma. Delta epsilon."}
	st, err := db.PutArticle(ctx, a)
	if err != nil || st != Created {
		t.Fatalf("first put: %v %v", st, err)
	}
	id := a.ID
	// The same URL with other tracking parameters and the same text.
	b := &Article{URL: "https://EXAMPLE.com/news/1?fbclid=1#top", Title: "First", Source: "Example", Text: "Alpha beta gamma.  Delta epsilon.\n"}
	if st, err := db.PutArticle(ctx, b); err != nil || st != Unchanged || b.ID != id {
		t.Fatalf("same article again: %v %v id %d want %d", st, err, b.ID, id)
	}
	// Same URL, new text: updated in place.
	c := &Article{URL: "https://example.com/news/1", Title: "First, updated", Text: "Alpha beta gamma. Delta epsilon. Zeta."}
	if st, err := db.PutArticle(ctx, c); err != nil || st != Updated || c.ID != id {
		t.Fatalf("changed article: %v %v", st, err)
	}
	// No URL but the same text as a stored article: the stored one.
	d := &Article{Title: "Copy", Text: "Alpha beta gamma. Delta epsilon. Zeta."}
	if st, err := db.PutArticle(ctx, d); err != nil || d.ID != id || st == Created {
		t.Fatalf("same text without URL: %v %v id %d", st, err, d.ID)
	}
	cnt, _ := db.Counts(ctx, "*")
	if cnt.Articles != 1 {
		t.Fatalf("articles = %d, want 1", cnt.Articles)
	}
	hits, err := db.Search(ctx, "zeta", Filter{GuildID: "*"})
	if err != nil || len(hits) != 1 {
		t.Fatalf("search after update: %v %v", hits, err)
	}
	// The old passages left the index: no stale duplicates.
	hits, _ = db.Search(ctx, "alpha", Filter{GuildID: "*"})
	if len(hits) != 1 {
		t.Fatalf("alpha hits = %d, want 1", len(hits))
	}
}

func TestPassagesQuoteTheStoredText(t *testing.T) { forEachBackend(t, testPassagesQuoteTheStoredText) }

func testPassagesQuoteTheStoredText(t *testing.T, db *DB) {
	a := mustPutTaurus(t, db)
	hits, err := db.Search(context.Background(), "Taurus missiles Scholz", Filter{GuildID: "*"})
	if err != nil || len(hits) == 0 {
		t.Fatalf("search: %v %v", hits, err)
	}
	stored, err := db.article(context.Background(), a.ID, "*")
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hits {
		p := h.Passage
		if stored.Text[p.Start:p.End] != p.Text {
			t.Errorf("passage %d text differs from the stored article at %d:%d", p.ID, p.Start, p.End)
		}
	}
}

func TestRemoveArticle(t *testing.T) { forEachBackend(t, testRemoveArticle) }

func testRemoveArticle(t *testing.T, db *DB) {
	ctx := context.Background()
	a := mustPutTaurus(t, db)
	if err := db.RemoveArticle(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	hits, err := db.Search(ctx, "Taurus", Filter{GuildID: "*"})
	if err != nil || len(hits) != 0 {
		t.Fatalf("after remove: %v %v", hits, err)
	}
	if err := db.RemoveArticle(ctx, a.ID); ErrorCode(err) != ENOTFOUND {
		t.Fatalf("second remove: %v", err)
	}
	var passages, tokens, titles int64
	if err := db.db.QueryRowContext(context.Background(), `SELECT coalesce(sum(passages), 0), coalesce(sum(tokens), 0), coalesce(sum(title_tokens), 0) FROM index_stats`).Scan(&passages, &tokens, &titles); err != nil {
		t.Fatal(err)
	}
	if passages != 0 || tokens != 0 || titles != 0 {
		t.Fatalf("index statistics after removing everything: %d passages, %d tokens, %d headline tokens", passages, tokens, titles)
	}
}

func TestSearchHostileInput(t *testing.T) { forEachBackend(t, testSearchHostileInput) }

func testSearchHostileInput(t *testing.T, db *DB) {
	mustPutTaurus(t, db)
	inputs := []string{
		`"Taurus`, `Taurus"`, `"""`, `Taurus AND OR NOT NEAR(missiles)`, `NEAR/3 Taurus`, `Taurus*`, `^Taurus`,
		`title:Taurus`, `body:"x"`, `(Taurus OR`, `)`, `Taurus 🚀🇩🇪`, `-Taurus +missiles`, `{title body}: Taurus`,
		`'; DROP TABLE articles; --`, strings.Repeat("Taurus missiles ", 320), "", "   ", "the of and", `\x00`,
	}
	for _, q := range inputs {
		if _, err := db.Search(context.Background(), q, Filter{GuildID: "*"}); err != nil {
			t.Errorf("Search(%.40q): %v", q, err)
		}
	}
	hits, _ := db.Search(context.Background(), `"Taurus" AND (missiles`, Filter{GuildID: "*"})
	if len(hits) == 0 {
		t.Error("a query with syntax characters should still find the words")
	}
}

func TestSearchFilters(t *testing.T) { forEachBackend(t, testSearchFilters) }

func testSearchFilters(t *testing.T, db *DB) {
	ctx := context.Background()
	day := func(s string) time.Time { t, _ := ParseDate(s); return t }
	arts := []*Article{
		{Title: "Flood in Yellowstone", Source: "CNN", PublishedAt: day("2022-06-14"), Text: "Yellowstone flood closes the park after record rain."},
		{Title: "Yellowstone reopens", Source: "USA Today", PublishedAt: day("2022-06-22"), Text: "Yellowstone reopens its southern loop after the flood."},
		{Title: "Yellowstone history", Source: "CNN", Text: "Yellowstone became a national park in 1872 after a survey, long before any flood."},
		{Title: "Guild news", Source: "Club", GuildID: "g1", Text: "Yellowstone flood trip of the club is cancelled."},
	}
	for _, a := range arts {
		if _, err := db.PutArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	count := func(f Filter) int {
		hits, err := db.Search(ctx, "Yellowstone flood", f)
		if err != nil {
			t.Fatal(err)
		}
		articles := map[int64]bool{}
		for _, h := range hits {
			articles[h.Article.ID] = true
		}
		return len(articles)
	}
	cases := []struct {
		name string
		f    Filter
		want int
	}{
		{"operator scope", Filter{}, 3},
		{"all", Filter{GuildID: "*"}, 4},
		{"guild sees its own and the operator's", Filter{GuildID: "g1"}, 4},
		{"other guild", Filter{GuildID: "g2"}, 3},
		{"as of", Filter{AsOf: day("2022-06-15")}, 2},
		{"since", Filter{Since: day("2022-06-20")}, 1},
		{"until", Filter{Until: day("2022-06-20")}, 1},
		{"source", Filter{Sources: []string{"cnn"}}, 2},
	}
	for _, c := range cases {
		if got := count(c.f); got != c.want {
			t.Errorf("%s: %d articles, want %d", c.name, got, c.want)
		}
	}
}

func TestCanonicalURL(t *testing.T) {
	cases := []struct{ in, want string }{
		{"https://Example.COM:443/a/b?utm_source=x&b=2&a=1#frag", "https://example.com/a/b?a=1&b=2"},
		{"http://example.com", "http://example.com/"},
		{"http://example.com:8080/x?fbclid=abc&gclid=1", "http://example.com:8080/x"},
		{"https://user:pw@example.com/x", "https://example.com/x"},
	}
	for _, c := range cases {
		got, err := CanonicalURL(c.in)
		if err != nil || got != c.want {
			t.Errorf("CanonicalURL(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"ftp://example.com/x", "not a url", "javascript:alert(1)", ""} {
		if _, err := CanonicalURL(bad); ErrorCode(err) != EINVALID {
			t.Errorf("CanonicalURL(%q) err = %v, want EINVALID", bad, err)
		}
	}
}

func TestDateFromURL(t *testing.T) {
	cases := map[string]string{
		"https://www.cnn.com/2022/06/16/weather/yellowstone/index.html":   "2022-06-16",
		"https://www.usatoday.com/story/money/2022/05/03/fed/9621177002/": "2022-05-03",
		"https://example.com/2022-02-30-story":                            "",
		"https://example.com/news/123":                                    "",
	}
	for in, want := range cases {
		if got := formatDay(dateFromURL(in)); got != want {
			t.Errorf("dateFromURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func formatDay(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02")
}

func TestArticleTextRebuildsExactly(t *testing.T) { forEachBackend(t, testArticleTextRebuildsExactly) }

func testArticleTextRebuildsExactly(t *testing.T, db *DB) {
	ctx := context.Background()
	long := strings.Repeat("The committee met on Tuesday and said the U.S. plan costs $3.5 billion. ", 40)
	for _, body := range []string{
		"One short sentence",
		"First paragraph. It has two sentences.\n\nSecond paragraph, with “quotes” and ‘Individual Error’.\n\n" + long + "\n\nLast line without a full stop",
		"...!!!",
	} {
		a := &Article{Title: "T", Text: body}
		if _, err := db.PutArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		got, err := db.article(ctx, a.ID, "*")
		if err != nil {
			t.Fatal(err)
		}
		if got.Text != a.Text {
			t.Errorf("rebuilt text differs:\n got %q\nwant %q", got.Text, a.Text)
		}
	}
}

func TestChunksRoundTrip(t *testing.T) {
	for _, s := range []string{"", "short", strings.Repeat("News prose compresses well. ", 40), "Ünïcödé “quotes” — and dashes. " + strings.Repeat("x", 200)} {
		got, err := decodeChunk(encodeChunk(s))
		if err != nil || got != s {
			t.Errorf("round trip of %.30q: %q, %v", s, got, err)
		}
	}
	long := strings.Repeat("News prose compresses well. ", 40)
	if n := len(encodeChunk(long)); n > len(long)/2 {
		t.Errorf("a %d-byte chunk stored in %d bytes", len(long), n)
	}
	// Chunks written as plain text by an older version still read.
	if got, _ := decodeChunk([]byte("Plain old text.")); got != "Plain old text." {
		t.Errorf("legacy chunk read as %q", got)
	}
}
