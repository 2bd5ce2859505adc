package knowledge

import (
	"context"
	"fmt"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/herald-bot/herald/knowledge/keyword"
)

// The passage map filters exactly as the SQL filter does, before and after
// writes, updates and removals made while it is in use.
func TestPassageMapFiltersAsSQL(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "h.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	day := time.Date(2022, 8, 1, 0, 0, 0, 0, time.UTC)
	put := func(i int) *Article {
		a := &Article{
			URL:     fmt.Sprintf("https://example.com/%d", i),
			Title:   fmt.Sprintf("Harbour report %d", i),
			Text:    fmt.Sprintf("The harbour of town%d reopened. Ferries resumed on day %d. Crews were praised.", i, i),
			GuildID: []string{"", "g1", "g2"}[i%3],
			Source:  []string{"CNN", "The Week", ""}[i%3],
		}
		if i%4 != 0 {
			a.PublishedAt = day.Add(time.Duration(i) * 24 * time.Hour)
		}
		if _, err := db.PutArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	var arts []*Article
	for i := 0; i < 12; i++ {
		arts = append(arts, put(i))
	}
	// The SQL-only view: a second handle whose map never builds.
	plain, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	plain.passages.state = mapBuilding
	<-db.PrepareSearch()

	filters := []Filter{
		{GuildID: "*"}, {GuildID: ""}, {GuildID: "g1"}, {GuildID: "g2", Sources: []string{" the week "}},
		{GuildID: "*", Since: day.Add(3 * 24 * time.Hour)}, {GuildID: "g1", Until: day.Add(6 * 24 * time.Hour)},
		{GuildID: "*", AsOf: day.Add(5 * 24 * time.Hour)}, {GuildID: "*", Sources: []string{"cnn", "nobody"}},
	}
	check := func(stage string) {
		t.Helper()
		var ranked []keyword.Scored
		for pid := int64(1); pid <= 60; pid++ {
			ranked = append(ranked, keyword.Scored{ID: pid, Score: 1})
		}
		for _, f := range filters {
			got, err := db.passageDates(ctx, ranked, f)
			if err != nil {
				t.Fatal(err)
			}
			want, err := plain.passageDates(ctx, ranked, f)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s, filter %+v: map says %v, SQL %v", stage, f, got, want)
			}
		}
	}
	if len(db.passages.runs) != 12 || db.passages.article(db.passages.runs[3].first) == 0 || db.passages.article(1000) != 0 {
		t.Fatalf("the map holds %d runs", len(db.passages.runs))
	}
	check("built")
	// Writes through this handle keep the map current.
	arts[5].Text = "The harbour of town5 closed again after a second storm."
	if _, err := db.PutArticle(ctx, arts[5]); err != nil {
		t.Fatal(err)
	}
	if err := db.RemoveArticle(ctx, arts[7].ID); err != nil {
		t.Fatal(err)
	}
	put(12)
	if len(db.passages.runs) != 14 {
		t.Errorf("after two writes the map holds %d runs, want 14", len(db.passages.runs))
	}
	check("after an update, a removal and an addition")
	// A write by another handle (another process) is found in SQLite.
	b := &Article{Title: "Lighthouse", Text: "The lighthouse keeper retired after forty years.", GuildID: "g1"}
	if _, err := plain.PutArticle(ctx, b); err != nil {
		t.Fatal(err)
	}
	check("after another process wrote")
}
