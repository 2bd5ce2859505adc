package knowledge

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// TestRankingParity stores the same articles, in the same batches, with
// the same updates and removals, in SQLite and in PostgreSQL, and checks
// that retrieval ranks alike on both: the same passages of the same
// articles in the same order, with the same scores, for many questions
// and filters. Beside the synthetic corpus, English and German news
// articles are indexed each in its language (two indexes with their own
// statistics), and questions in both languages are compared too.
func TestRankingParity(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2023, 9, 1, 12, 0, 0, 0, time.UTC)
	var dbs []*DB
	for _, b := range backends {
		db := mustOpen(t, b.fresh(t))
		db.Now = func() time.Time { return now }
		dbs = append(dbs, db)
	}
	arts := syntheticArticles(7, 600, 3000)
	for i, a := range arts {
		switch i % 10 {
		case 3:
			a.GuildID = "g1"
		case 7:
			a.GuildID = "g2"
		case 9:
			a.PublishedAt = time.Time{} // undated
		}
		a.Source = []string{"Wire", "Daily", "Gazette"}[i%3]
	}
	// English and German articles (one in three German).
	lr := rand.New(rand.NewPCG(5, 8))
	var news []*Article
	for i := 0; i < 240; i++ {
		a := synthArticle(lr, i, 0)
		a.Source = []string{"Wire", "Daily", "Gazette"}[i%3]
		if i%5 == 2 {
			a.GuildID = "g1"
		}
		news = append(news, a)
	}
	// Their updates (text and headline) and removals, by index in news.
	var updates []*Article
	for _, i := range []int{3, 4, 30, 31, 99, 120} {
		updates = append(updates, synthArticle(lr, i, 1))
	}
	removals := []int{6, 7, 60, 200}
	for _, db := range dbs {
		// Batches of 40 make segments enough for the tiers to merge.
		for start := 0; start < len(arts); start += 40 {
			var batch []*Article
			for _, a := range arts[start:min(start+40, len(arts))] {
				c := *a
				batch = append(batch, &c)
			}
			if _, err := db.PutArticles(ctx, batch); err != nil {
				t.Fatalf("%s: %v", db.Dialect(), err)
			}
		}
		// An update (new passages, the old ones marked removed) and
		// removals, before and after the index merges them away.
		upd := *arts[10]
		upd.Text += " w1 w2 w3 extra closing sentence of the update."
		if _, err := db.PutArticle(ctx, &upd); err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{5, 50, 400} {
			if err := db.RemoveArticle(ctx, id); err != nil {
				t.Fatalf("%s: remove %d: %v", db.Dialect(), id, err)
			}
		}
		byURL := map[string]int64{}
		for start := 0; start < len(news); start += 16 {
			var batch []*Article
			for _, a := range news[start:min(start+16, len(news))] {
				c := *a
				batch = append(batch, &c)
			}
			if _, err := db.PutArticles(ctx, batch); err != nil {
				t.Fatalf("%s: %v", db.Dialect(), err)
			}
			for _, a := range batch {
				byURL[a.URL] = a.ID
			}
		}
		for _, u := range updates {
			c := *u
			if _, err := db.PutArticle(ctx, &c); err != nil {
				t.Fatalf("%s: update: %v", db.Dialect(), err)
			}
		}
		for _, i := range removals {
			if err := db.RemoveArticle(ctx, byURL[news[i].URL]); err != nil {
				t.Fatalf("%s: remove %s: %v", db.Dialect(), news[i].URL, err)
			}
		}
	}
	r := rand.New(rand.NewPCG(11, 13))
	z := rand.NewZipf(r, 1.1, 2, 2999)
	filters := []Filter{
		{GuildID: "*"}, {}, {GuildID: "g1"}, {GuildID: "*", Since: now.AddDate(0, -3, 0)},
		{GuildID: "g2", AsOf: now.AddDate(0, -6, 0)}, {GuildID: "*", Sources: []string{"gazette"}},
	}
	compared := 0
	for q := 0; q < 60; q++ {
		words := 1 + r.IntN(5)
		query := ""
		for w := 0; w < words; w++ {
			query += fmt.Sprintf("w%x ", z.Uint64())
		}
		f := filters[q%len(filters)]
		f.Limit = 10
		var results [][]Hit
		var plain [][]Hit
		for _, db := range dbs {
			hits, err := db.Search(ctx, query, f)
			if err != nil {
				t.Fatalf("%s: Search(%q): %v", db.Dialect(), query, err)
			}
			results = append(results, hits)
			ph, err := db.PlainBM25(ctx, query, f)
			if err != nil {
				t.Fatalf("%s: PlainBM25(%q): %v", db.Dialect(), query, err)
			}
			plain = append(plain, ph)
		}
		sameHits(t, "Search "+query, results[0], results[1])
		sameHits(t, "PlainBM25 "+query, plain[0], plain[1])
		compared += len(results[0])
	}
	if compared < 200 {
		t.Errorf("only %d hits compared: the questions find too little", compared)
	}
	questions := []Question{
		{Text: "Why did the council reject the ferry terminal?"},
		{Text: "missile deliveries criticised by the minister"},
		{Text: "strike announced this week"},
		{Text: "Warum verschob der Stadtrat den Haushalt?"},
		{Text: "Streiks der Gewerkschaft in der Hauptstadt"},
		{Text: "Lieferung von Taurus-Marschflugkörpern"},
		{Text: "Was prüfte das Gericht beim Gipfel?"},
		{Text: "Offizieren im Rüstungsvertrag"},
		{Text: "Item34 Item35"},
		{Text: "Wähler Wahlergebnis Gipfel"},
		{Text: "Was wurde über Item13 im Rathaus notiert?"},    // a German question naming an English article
		{Text: "Gewerkschaft", Filter: Filter{Language: "de"}}, // too short to tell: the asker's language
	}
	newsFilters := []Filter{
		{GuildID: "*"}, {}, {GuildID: "g1"}, {GuildID: "*", Since: time.Date(2022, 6, 10, 0, 0, 0, 0, time.UTC)},
		{GuildID: "*", Sources: []string{"gazette"}},
	}
	compared = 0
	for i, q := range questions {
		for _, f := range newsFilters {
			f.Language = q.Filter.Language
			f.Limit = 10
			var results, plain [][]Hit
			for _, db := range dbs {
				hits, err := db.Search(ctx, q.Text, f)
				if err != nil {
					t.Fatalf("%s: Search(%q): %v", db.Dialect(), q.Text, err)
				}
				results = append(results, hits)
				ph, err := db.PlainBM25(ctx, q.Text, f)
				if err != nil {
					t.Fatalf("%s: PlainBM25(%q): %v", db.Dialect(), q.Text, err)
				}
				plain = append(plain, ph)
			}
			what := fmt.Sprintf("question %d %q", i, q.Text)
			sameHits(t, "Search "+what, results[0], results[1])
			sameHits(t, "PlainBM25 "+what, plain[0], plain[1])
			compared += len(results[0])
		}
	}
	if compared < 100 {
		t.Errorf("only %d hits compared for the English and German questions: they find too little", compared)
	}
}

func sameHits(t *testing.T, what string, lite, pg []Hit) {
	t.Helper()
	if len(lite) != len(pg) {
		t.Errorf("%s: SQLite found %d passages, PostgreSQL %d", what, len(lite), len(pg))
		return
	}
	for i := range lite {
		a, b := lite[i], pg[i]
		if a.Article.ID != b.Article.ID || a.Passage.ID != b.Passage.ID || a.Passage.Text != b.Passage.Text {
			t.Errorf("%s: rank %d: SQLite article %d passage %d, PostgreSQL article %d passage %d", what, i+1, a.Article.ID, a.Passage.ID, b.Article.ID, b.Passage.ID)
			return
		}
		if math.Abs(a.Score-b.Score) > 1e-9*math.Max(1, math.Abs(a.Score)) {
			t.Errorf("%s: rank %d: score %v on SQLite, %v on PostgreSQL", what, i+1, a.Score, b.Score)
		}
	}
}
