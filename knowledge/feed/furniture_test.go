package feed

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/herald-bot/herald/knowledge"
)

// ingestPage stores a local HTML fixture the way `herald ingest page.html`
// does (readability, then the text rules of every ingest) and returns the
// stored article, checking it has the URL the page declares ("" for none).
func ingestPage(t *testing.T, db *knowledge.DB, name, url string) *knowledge.Article {
	t.Helper()
	in := &knowledge.Ingester{DB: db, Extractor: NewExtractor()}
	var failed []string
	var id int64
	sum, err := in.Ingest(context.Background(), []string{filepath.Join("testdata", name)}, func(ev knowledge.IngestEvent) {
		if ev.Err != nil {
			failed = append(failed, knowledge.ErrorMessage(ev.Err))
		}
		id = ev.ArticleID
	})
	if err != nil || sum.Added != 1 {
		t.Fatalf("ingest %s: %+v, %v, %v", name, sum, err, failed)
	}
	if url != "" {
		a, err := db.ArticleByURL(context.Background(), url, "*")
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	// A page without an address: its listing (no text).
	arts, err := db.Articles(context.Background(), knowledge.Filter{GuildID: "*"})
	if err != nil {
		t.Fatal(err)
	}
	for i := range arts {
		if arts[i].ID == id {
			if arts[i].URL != "" {
				t.Errorf("%s: URL %q, want none", name, arts[i].URL)
			}
			return &arts[i]
		}
	}
	t.Fatalf("%s: article %d not listed", name, id)
	return nil
}

// TestIngestedPagesKeepTheArticleWhole checks the whole cleaning of a page:
// every real paragraph survives, in order and unchanged, and none of the
// page's bylines, datelines, adverts, newsletter, share, cookie,
// registration, most-read, related and video-player text does.
func TestIngestedPagesKeepTheArticleWhole(t *testing.T) {
	tests := []struct {
		file, url        string
		title, source    string
		language         string
		published        time.Time
		paragraphs       []string
		furnitureSamples []string
	}{
		{
			file: "furniture.html", url: "https://www.millbrookgazette.example/news/river-crossing-reopens",
			title: "River crossing reopens after flood repairs", source: "The Millbrook Gazette", language: "en",
			published: time.Date(2024, 4, 9, 11, 15, 0, 0, time.UTC), // JSON-LD datePublished
			paragraphs: []string{
				"The Kettle Creek bridge reopened to traffic on Monday, seven months after floodwater undermined its eastern pier and cut the town's quickest route to the county hospital.",
				"Crews from the county engineer's office replaced the pier's foundation and rebuilt 40 feet of approach road. The work cost $3.2 million, most of it paid from a state emergency fund.",
				"“People can finally get to the hospital in ten minutes again,” said Ellen Marsh, who chairs the township trustees. “Sign up for the county's text alerts, she tells everyone, because the next flood will come.”",
				"During the closure, the detour added 14 miles to the trip. School buses ran 25 minutes late on most mornings, and the volunteer fire company moved one engine to a barn on the west side of the creek.",
				"The county engineer, Rafael Ortiz, said inspectors would check the pier every six months for the next two years. Subscribers to the county's road bulletin will get the inspection reports, he said.",
			},
			furnitureSamples: []string{"Dana Whitfield", "MILLBROOK, Ohio", "Advertisement", "How relevant", "Video player",
				"NEWSLETTER", "Morning Report", "Share this", "Most read", "County fair", "library hours", "registration",
				"Read more", "dwhitfield", "contributed", "cookies", "Privacy"},
		},
		{
			file: "furniture-de.html", url: "https://www.nordstaedter-bote.example/lokales/hafen-streik",
			title: "Streik legt den Hafen von Nordstadt lahm", source: "Nordstädter Bote", language: "de",
			published: time.Date(2024, 3, 5, 9, 0, 0, 0, time.UTC), // <time datetime>
			paragraphs: []string{
				"Im Hafen von Nordstadt steht seit Dienstagmorgen die Arbeit still. Rund 800 Beschäftigte der Umschlagbetriebe folgten dem Aufruf der Gewerkschaft zu einem 24-stündigen Warnstreik.",
				"Die Gewerkschaft fordert 9,5 Prozent mehr Lohn und einen Inflationsausgleich von 3000 Euro. Die Arbeitgeber hatten zuletzt 5 Prozent in zwei Stufen angeboten.",
				"»Wir lassen uns nicht länger hinhalten«, sagte Betriebsrätin Olga Brandt vor dem Hafentor. Nach ihren Angaben warten 14 Schiffe auf der Reede.",
				"Die nächste Verhandlungsrunde ist für den 12. März angesetzt.",
			},
			furnitureSamples: []string{"Jana Krüger", "Anzeige", "Newsletter", "Mehr zum Thema", "Fährverkehr", "Kaimauer", "Cookies"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			db := openTestDB(t)
			a := ingestPage(t, db, tt.file, tt.url)
			if got, want := a.Text, strings.Join(tt.paragraphs, "\n\n"); got != want {
				t.Errorf("stored text:\n%s\n\nwant:\n%s", got, want)
			}
			for _, f := range tt.furnitureSamples {
				if strings.Contains(a.Text, f) {
					t.Errorf("stored text keeps furniture %q", f)
				}
			}
			if a.Title != tt.title || a.Source != tt.source || a.Language != tt.language || !a.PublishedAt.Equal(tt.published) {
				t.Errorf("title %q, source %q, language %q, published %v; want %q, %q, %q, %v",
					a.Title, a.Source, a.Language, a.PublishedAt, tt.title, tt.source, tt.language, tt.published)
			}
		})
	}
}

// openTestDB opens a database in a temporary folder.
func openTestDB(t *testing.T) *knowledge.DB {
	t.Helper()
	db, err := knowledge.Open(context.Background(), filepath.Join(t.TempDir(), "herald.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestIngestLocalHTMLByCharset: a local page is decoded by its declared
// charset exactly like a fetched one (windows-1252 in a http-equiv meta,
// ISO-8859-1 in <meta charset>), and UTF-16 with a byte order mark too.
func TestIngestLocalHTMLByCharset(t *testing.T) {
	db := openTestDB(t)
	a := ingestPage(t, db, "latin1.html", "")
	if a.Title != "Le café du port rouvre ses portes" || a.Source != "Le Courrier côtier" || a.Language != "fr" {
		t.Errorf("windows-1252 page: title %q, source %q, language %q", a.Title, a.Source, a.Language)
	}
	b := ingestPage(t, db, "furniture-de.html", "https://www.nordstaedter-bote.example/lokales/hafen-streik")
	if !strings.Contains(b.Text, "Beschäftigte") || !strings.Contains(b.Title, "Streik") {
		t.Errorf("ISO-8859-1 page: title %q, text %q", b.Title, b.Text)
	}

	// The same German page as UTF-16 with a byte order mark.
	page, err := os.ReadFile("testdata/furniture-de.html")
	if err != nil {
		t.Fatal(err)
	}
	utf8Page, err := ToUTF8(page, "")
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(utf8Page), `charset="iso-8859-1"`, `charset="utf-16"`, 1)
	s = strings.Replace(s, "hafen-streik", "hafen-streik-utf16", 1)
	u16 := []byte{0xFF, 0xFE}
	for _, r := range s {
		if r > 0xFFFF {
			t.Fatal("fixture outside the BMP")
		}
		u16 = append(u16, byte(r), byte(r>>8))
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "utf16.html")
	if err := os.WriteFile(path, u16, 0o644); err != nil {
		t.Fatal(err)
	}
	db2 := openTestDB(t)
	in := &knowledge.Ingester{DB: db2, Extractor: NewExtractor()}
	sum, err := in.Ingest(context.Background(), []string{path}, nil)
	if err != nil || sum.Added != 1 {
		t.Fatalf("UTF-16 page: %+v, %v", sum, err)
	}
	c, err := db2.ArticleByURL(context.Background(), "https://www.nordstaedter-bote.example/lokales/hafen-streik-utf16", "*")
	if err != nil || c.Text != b.Text {
		t.Errorf("UTF-16 page: %v\n%q\nwant\n%q", err, c.Text, b.Text)
	}
}
