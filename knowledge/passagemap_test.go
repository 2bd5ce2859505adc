package knowledge

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/herald-bot/herald/knowledge/keyword"
)

// The passage map filters exactly as the SQL filter does, before and after
// writes, updates and removals made while it is in use.
func TestPassageMapFiltersAsSQL(t *testing.T) { forEachDSN(t, testPassageMapFiltersAsSQL) }

func testPassageMapFiltersAsSQL(t *testing.T, path string) {
	ctx := context.Background()
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
	// A write by another handle (another process) is found in the database.
	b := &Article{Title: "Lighthouse", Text: "The lighthouse keeper retired after forty years.", GuildID: "g1"}
	if _, err := plain.PutArticle(ctx, b); err != nil {
		t.Fatal(err)
	}
	check("after another process wrote")
}

// The first searches of a process return the same hits whatever the
// background build has reached: the build is held at each of its steps
// while this handle searches (and writes), and every search is compared
// with a handle that only ever reads SQLite.
func TestSearchesAreTheSameAtEveryStepOfTheBuild(t *testing.T) {
	forEachDSN(t, testSearchesAreTheSameAtEveryStepOfTheBuild)
}

func testSearchesAreTheSameAtEveryStepOfTheBuild(t *testing.T, path string) {
	ctx := context.Background()
	writer, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	day := time.Date(2022, 8, 1, 0, 0, 0, 0, time.UTC)
	var arts []*Article
	for i := 0; i < 9; i++ {
		a := &Article{
			URL:     fmt.Sprintf("https://example.com/%d", i),
			Title:   fmt.Sprintf("Harbour report %d", i),
			Text:    fmt.Sprintf("The harbour of town%d reopened after the storm. Ferries resumed on day %d. Crews were praised by the mayor.", i, i),
			GuildID: []string{"", "g1", "g2"}[i%3],
		}
		if i%4 != 0 {
			a.PublishedAt = day.Add(time.Duration(i) * 24 * time.Hour)
		}
		if _, err := writer.PutArticle(ctx, a); err != nil {
			t.Fatal(err)
		}
		arts = append(arts, a)
	}
	// Another process updated and removed articles before this one started.
	arts[2].Text = "The harbour of town2 closed again. A second storm hit the ferries."
	if _, err := writer.PutArticle(ctx, arts[2]); err != nil {
		t.Fatal(err)
	}
	if err := writer.RemoveArticle(ctx, arts[4].ID); err != nil {
		t.Fatal(err)
	}
	queries := []string{"harbour ferries storm", "town3 reopened", "second storm", "crews praised mayor"}
	filters := []Filter{{GuildID: "*"}, {GuildID: "g1"}, {GuildID: "*", Since: day.Add(3 * 24 * time.Hour)}, {GuildID: "", AsOf: day.Add(6 * 24 * time.Hour)}}
	// compare searches db and a fresh SQL-only handle alike.
	compare := func(db *DB, stage string) {
		t.Helper()
		plain, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer plain.Close()
		for _, q := range queries {
			for _, f := range filters {
				got, err := db.Search(ctx, q, f)
				if err != nil {
					t.Fatal(err)
				}
				want, err := plain.Search(ctx, q, f)
				if err != nil {
					t.Fatal(err)
				}
				if len(want) == 0 && q != "second storm" {
					t.Fatalf("%q %+v finds nothing at all", q, f)
				}
				if fmt.Sprint(hitKeys(got)) != fmt.Sprint(hitKeys(want)) {
					t.Errorf("%s, %q, filter %+v:\n got %v\nwant %v", stage, q, f, hitKeys(got), hitKeys(want))
				}
			}
		}
	}
	for n, step := range buildSteps {
		t.Run(step, func(t *testing.T) {
			db, err := Open(ctx, path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			reached, release := make(chan struct{}), make(chan struct{})
			db.passages.step = func(ctx context.Context, name string) {
				if name == step {
					close(reached)
					select {
					case <-release:
					case <-ctx.Done():
					}
				}
			}
			done := db.PrepareSearch()
			<-reached
			compare(db, "held before "+step)
			// This process writes while the build is held.
			a := &Article{URL: fmt.Sprintf("https://example.com/held/%d", n), Title: "Harbour report held",
				Text: fmt.Sprintf("The harbour of town%d reopened after the storm, the mayor said.", 100+n)}
			if _, err := db.PutArticle(ctx, a); err != nil {
				t.Fatal(err)
			}
			arts[1].Text = fmt.Sprintf("Crews at town1 were praised again, %d times.", n+2)
			arts[1].PublishedAt = day.Add(time.Duration(n%2*5) * 24 * time.Hour) // in and out of the Since filter
			if _, err := db.PutArticle(ctx, arts[1]); err != nil {
				t.Fatal(err)
			}
			compare(db, "after writes, held before "+step)
			close(release)
			<-done
			if !db.passages.ready() {
				t.Fatal("the map is not ready after its build")
			}
			compare(db, "after the build held before "+step)
			if err := db.RemoveArticle(ctx, a.ID); err != nil {
				t.Fatal(err)
			}
			compare(db, "after a removal")
		})
	}
}

// Close stops a build held at any step, and waits for it.
func TestCloseStopsTheBuild(t *testing.T) { forEachDSN(t, testCloseStopsTheBuild) }

func testCloseStopsTheBuild(t *testing.T, dsn string) {
	ctx := context.Background()
	db := mustOpen(t, dsn)
	mustPutTaurus(t, db)
	db2, err := Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	reached := make(chan struct{})
	db2.passages.step = func(ctx context.Context, name string) {
		if name == "metadata" {
			close(reached)
			<-ctx.Done() // held until Close cancels
		}
	}
	done := db2.PrepareSearch()
	<-reached
	if err := db2.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	default:
		t.Fatal("Close returned before the build ended")
	}
	if db2.passages.ready() {
		t.Error("a cancelled build published its map")
	}
	if done := db2.PrepareSearch(); done == nil {
		t.Error("PrepareSearch after Close returned no channel")
	}
}

// hitKeys names hits by article URL and passage id, in order.
func hitKeys(hits []Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = fmt.Sprintf("%s#%d", h.Article.URL, h.Passage.ID)
	}
	return out
}
