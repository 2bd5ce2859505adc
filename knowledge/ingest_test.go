package knowledge

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
