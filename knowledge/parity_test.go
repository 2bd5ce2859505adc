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
// and filters.
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
