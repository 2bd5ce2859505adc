package knowledge

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// fakeExtractor is an Extractor whose behaviour a test sets.
type fakeExtractor struct {
	ExtractFn func(html []byte, pageURL string) (*Extracted, error)
}

func (f fakeExtractor) Extract(html []byte, pageURL string) (*Extracted, error) {
	return f.ExtractFn(html, pageURL)
}

// fakeFetcher is a Fetcher whose behaviour a test sets.
type fakeFetcher struct {
	FetchFn func(ctx context.Context, url string) (*Document, error)
}

func (f fakeFetcher) Fetch(ctx context.Context, url string) (*Document, error) {
	return f.FetchFn(ctx, url)
}

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestIngestReportsBadItemsAndKeepsTheRest(t *testing.T) {
	forEachBackend(t, testIngestReportsBadItemsAndKeepsTheRest)
}

func testIngestReportsBadItemsAndKeepsTheRest(t *testing.T, db *DB) {
	dir := t.TempDir()
	writeFile(t, dir, "a.txt", "Headline A\nBody of article A about rivers.")
	writeFile(t, dir, "sub/b.md", "---\ntitle: Headline B\nsource: Example Times\npublished_at: 2022-06-01\nurl: https://example.com/b?utm_medium=x\n---\nBody of article B about mountains.")
	writeFile(t, dir, "empty.txt", "   \n")
	writeFile(t, dir, "bin.txt", "abc\x00def")
	writeFile(t, dir, "latin1.txt", "Caf\xe9 news\nBody in Latin-1.")
	writeFile(t, dir, "c.jsonl", `{"id":"c1","url":"","title":"C one","text":"Body of C one about lakes.","published_at":"2022-06-02","source":"CNN"}
not json
{"id":"c2","title":"C two","text":"","published_at":null,"source":"CNN"}
{"id":"c3","title":"C three","text":"Body of C three about seas.","published_at":"2022-06-03T10:00:00Z","source":"USA Today"}
`)
	writeFile(t, dir, "d.json", `[{"id":"d1","title":"D one","text":"Body of D one about deserts.","published_at":null,"source":"The Week"}]`)
	writeFile(t, dir, "page.html", "<html><body><article>Forest news</article></body></html>")
	writeFile(t, dir, "noarticle.html", "<html><body>menu</body></html>")
	writeFile(t, dir, "image.png", "\x89PNG")
	writeFile(t, dir, ".hidden/x.txt", "Hidden\nShould not be read.")

	in := &Ingester{DB: db, Extractor: fakeExtractor{func(html []byte, u string) (*Extracted, error) {
		if strings.Contains(string(html), "Forest") {
			return &Extracted{Title: "Forest", Text: "Forest news from the page."}, nil
		}
		return nil, Errorf(EINVALID, "no article text found on the page")
	}}}
	var events []IngestEvent
	sum, err := in.Ingest(context.Background(), []string{dir, filepath.Join(dir, "missing.txt")}, func(e IngestEvent) { events = append(events, e) })
	if err != nil {
		t.Fatal(err)
	}
	if sum.Added != 6 {
		t.Errorf("added %d, want 6 (a, b, c1, c3, d1, page): %+v", sum.Added, events)
	}
	if sum.Failed != 7 {
		t.Errorf("failed %d, want 7 (empty, bin, latin1, bad line, empty record, no article, missing): %+v", sum.Failed, events)
	}
	if sum.Skipped != 1 {
		t.Errorf("skipped %d, want 1 (the png)", sum.Skipped)
	}
	reasons := map[string]string{}
	for _, e := range events {
		if e.Err != nil {
			reasons[filepath.Base(e.Item)] = ErrorMessage(e.Err)
		}
	}
	for item, want := range map[string]string{"empty.txt": "empty", "bin.txt": "binary", "latin1.txt": "UTF-8", "c.jsonl:2": "JSON", "missing.txt": "no such file"} {
		if !strings.Contains(reasons[item], want) {
			t.Errorf("reason for %s = %q, want it to mention %q", item, reasons[item], want)
		}
	}
	// Running the same batch again duplicates nothing.
	sum2, err := in.Ingest(context.Background(), []string{dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum2.Added != 0 || sum2.Unchanged != 6 {
		t.Errorf("second run: %+v", sum2)
	}
	b, err := db.ArticleByURL(context.Background(), "https://example.com/b", "*")
	if err != nil {
		t.Fatal(err)
	}
	if b.Title != "Headline B" || b.Source != "Example Times" || formatDay(b.PublishedAt) != "2022-06-01" {
		t.Errorf("front matter not applied: %+v", b)
	}
}

func TestIngestURL(t *testing.T) { forEachBackend(t, testIngestURL) }

func testIngestURL(t *testing.T, db *DB) {
	in := &Ingester{DB: db,
		Fetcher: fakeFetcher{func(ctx context.Context, u string) (*Document, error) {
			if strings.Contains(u, "fail") {
				return nil, WrapError(EUNAVAILABLE, "the site answered 404 Not Found", errors.New("404"))
			}
			return &Document{URL: "https://www.news.example/2022/06/05/story", ContentType: "text/html; charset=utf-8", Body: []byte("<p>x</p>")}, nil
		}},
		Extractor: fakeExtractor{func(html []byte, u string) (*Extracted, error) {
			return &Extracted{Title: "Story", Text: "A story about bridges and roads."}, nil
		}},
	}
	var failed []string
	sum, err := in.Ingest(context.Background(), []string{"https://news.example/story?utm_source=rss", "https://news.example/fail"}, func(e IngestEvent) {
		if e.Err != nil {
			failed = append(failed, ErrorMessage(e.Err))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Added != 1 || sum.Failed != 1 || !strings.Contains(failed[0], "404") {
		t.Fatalf("sum %+v failed %v", sum, failed)
	}
	arts, _ := db.Articles(context.Background(), Filter{GuildID: "*"})
	if len(arts) != 1 || arts[0].Source != "news.example" || formatDay(arts[0].PublishedAt) != "2022-06-05" {
		t.Fatalf("stored %+v", arts)
	}
}

func TestParseTextArticle(t *testing.T) {
	a, err := ParseTextArticle("# Big news\n\nThe body.\n")
	if err != nil || a.Title != "Big news" || a.Text != "The body." {
		t.Fatalf("%+v %v", a, err)
	}
	if _, err := ParseTextArticle("Only a headline\n"); ErrorCode(err) != EINVALID {
		t.Fatalf("headline only: %v", err)
	}
	if _, err := ParseTextArticle("---\npublished_at: yesterday\n---\nT\nBody"); ErrorCode(err) != EINVALID {
		t.Fatalf("bad date: %v", err)
	}
}

// TestIngestCleansEveryKindOfInput: text files, Markdown, JSONL records
// and HTML all lose their boilerplate, get a title that is no dateline,
// carry their declared language, and are dated only by what they say.
func TestIngestCleansEveryKindOfInput(t *testing.T) {
	forEachBackend(t, testIngestCleansEveryKindOfInput)
}

func testIngestCleansEveryKindOfInput(t *testing.T, db *DB) {
	dir := t.TempDir()
	writeFile(t, dir, "a.txt", "Harbour council approves barrier\n\nBy Dana Whitfield | 2024-01-24 |\n\n"+
		"The harbour council voted on Wednesday to build a tidal barrier.\n\nAdvertisement\n\n"+
		"The barrier is due in 2028. Sign up for our newsletter here.")
	writeFile(t, dir, "b.md", "---\ntitle: Streik im Hafen - Nordstädter Bote\nsource: Nordstädter Bote\nlanguage: de-DE\n---\n"+
		"Im Hafen steht seit Dienstag die Arbeit still.\n\nJetzt Newsletter abonnieren und nichts verpassen.")
	writeFile(t, dir, "c.jsonl", `{"id":"c1","url":"https://news.example/ferry","title":"","text":"Harbourtown CNN —\n\nThe ferry terminal opened on Monday after three years of building work.\n\nWe will use the details you have shared to manage your registration.","published_at":null,"source":"CNN","language":"en-GB"}
{"id":"c2","url":"https://news.example/storm","title":"Storm closes the coast road | CNN","text":"BERLIN, Jan. 24, 2024 (Reuters) - A storm closed the coast road on Wednesday.","published_at":null,"source":"CNN"}
{"id":"c3","url":"https://news.example/undated","title":"Quay repaired","text":"The quay was repaired.","published_at":null,"source":"CNN"}
{"id":"c4","url":"https://news.example/player","title":"Floods close the park - CNN","text":"1. How relevant is this ad to you?\n\nVideo player was slow to load content Video content never loaded","published_at":null,"source":"CNN"}
`)
	in := &Ingester{DB: db}
	var events []IngestEvent
	sum, err := in.Ingest(context.Background(), []string{dir}, func(e IngestEvent) { events = append(events, e) })
	if err != nil || sum.Added != 6 || sum.Failed != 0 {
		t.Fatalf("ingest: %+v, %v, %+v", sum, err, events)
	}
	arts, err := db.Articles(context.Background(), Filter{GuildID: "*"})
	if err != nil {
		t.Fatal(err)
	}
	byTitle := map[string]Article{}
	for _, a := range arts {
		full, err := db.article(context.Background(), a.ID, "*")
		if err != nil {
			t.Fatal(err)
		}
		byTitle[full.Title] = *full
	}
	// Undeclared languages are detected (English here).
	tests := []struct {
		title, text, language string
		published             time.Time
	}{
		{"Harbour council approves barrier", "The harbour council voted on Wednesday to build a tidal barrier.\n\nThe barrier is due in 2028.", "en",
			time.Date(2024, 1, 24, 0, 0, 0, 0, time.UTC)},
		{"Streik im Hafen", "Im Hafen steht seit Dienstag die Arbeit still.", "de", time.Time{}},
		{"The ferry terminal opened on Monday after three years of building work.", "The ferry terminal opened on Monday after three years of building work.", "en", time.Time{}},
		// The dateline gives the date, then goes.
		{"Storm closes the coast road", "A storm closed the coast road on Wednesday.", "en", time.Date(2024, 1, 24, 0, 0, 0, 0, time.UTC)},
		{"Quay repaired", "The quay was repaired.", "en", time.Time{}},
		// A page that is nothing but a video player keeps its headline.
		{"Floods close the park", "Floods close the park", "en", time.Time{}},
	}
	for _, tt := range tests {
		a, ok := byTitle[tt.title]
		if !ok {
			t.Errorf("no article titled %q; have %v", tt.title, keys(byTitle))
			continue
		}
		if a.Text != tt.text || a.Language != tt.language || !a.PublishedAt.Equal(tt.published) {
			t.Errorf("%q: text %q, language %q, published %v; want %q, %q, %v", tt.title, a.Text, a.Language, a.PublishedAt, tt.text, tt.language, tt.published)
		}
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestIngestTextEncodingsAndEmptyJSON(t *testing.T) {
	forEachBackend(t, testIngestTextEncodingsAndEmptyJSON)
}

func testIngestTextEncodingsAndEmptyJSON(t *testing.T, db *DB) {
	dir := t.TempDir()
	utf16 := func(s string, big bool) string {
		b := []byte{0xFF, 0xFE}
		if big {
			b = []byte{0xFE, 0xFF}
		}
		for _, r := range s {
			if big {
				b = append(b, byte(r>>8), byte(r))
			} else {
				b = append(b, byte(r), byte(r>>8))
			}
		}
		return string(b)
	}
	writeFile(t, dir, "le.txt", utf16("Café reopens\nThe café on the quay reopened on Thursday.", false))
	writeFile(t, dir, "be.txt", utf16("Bäckerei schließt\nDie Bäckerei am Markt schließt im Mai.", true))
	writeFile(t, dir, "empty.json", " [ ] ")
	writeFile(t, dir, "blank.jsonl", "\n  \n")
	writeFile(t, dir, "bin.txt", "abc\x00def")
	var events []IngestEvent
	sum, err := (&Ingester{DB: db}).Ingest(context.Background(), []string{dir}, func(e IngestEvent) { events = append(events, e) })
	if err != nil {
		t.Fatal(err)
	}
	if sum.Added != 2 || sum.Empty != 2 || sum.Failed != 1 {
		t.Errorf("summary %+v, events %+v", sum, events)
	}
	var empty []string
	for _, e := range events {
		if e.Empty {
			empty = append(empty, filepath.Base(e.Item))
		}
	}
	sort.Strings(empty)
	if len(empty) != 2 || empty[0] != "blank.jsonl" || empty[1] != "empty.json" {
		t.Errorf("empty files reported: %v", empty)
	}
	arts, _ := db.Articles(context.Background(), Filter{GuildID: "*"})
	titles := map[string]bool{}
	for _, a := range arts {
		titles[a.Title] = true
	}
	if !titles["Café reopens"] || !titles["Bäckerei schließt"] {
		t.Errorf("UTF-16 titles: %v", titles)
	}
}
