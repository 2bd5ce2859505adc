package knowledge

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/herald-bot/herald/knowledge/keyword"
)

// The keyword index as the store keeps it: through updates, removals,
// merges, and the rebuild of a database from before it.

// indexContents is every live posting of db's keyword index.
func indexContents(t *testing.T, db *DB) map[int64]map[string]keyword.Posting {
	t.Helper()
	out, err := keyword.Dump(context.Background(), db.db)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// rebuiltContents indexes the stored passages from scratch (in a
// transaction rolled back afterwards) and returns what that index holds.
func rebuiltContents(t *testing.T, db *DB) map[int64]map[string]keyword.Posting {
	t.Helper()
	ctx := context.Background()
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := rebuildIndex(ctx, tx); err != nil {
		t.Fatal(err)
	}
	out, err := keyword.Dump(ctx, tx)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameIndex(t *testing.T, got, want map[int64]map[string]keyword.Posting) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("index holds %d passages, the stored passages are %d", len(got), len(want))
	}
	for pid, terms := range want {
		for term, v := range terms {
			if got[pid][term] != v {
				t.Errorf("passage %d, term %q: index has %+v, want %+v", pid, term, got[pid][term], v)
			}
		}
		if len(got[pid]) != len(terms) {
			t.Errorf("passage %d: index has %d terms, want %d", pid, len(got[pid]), len(terms))
		}
	}
}

func TestIndexFollowsUpdatesRemovalsAndMerges(t *testing.T) {
	forEachBackend(t, testIndexFollowsUpdatesRemovalsAndMerges)
}

func testIndexFollowsUpdatesRemovalsAndMerges(t *testing.T, db *DB) {
	ctx := context.Background()
	a := mustPutTaurus(t, db)
	b := &Article{URL: "https://example.com/b", Title: "Taurus and Kerch", Text: "The Kerch bridge was discussed. Taurus missiles again."}
	if _, err := db.PutArticle(ctx, b); err != nil {
		t.Fatal(err)
	}
	// Enough single-article transactions for several merges.
	var ids []int64
	for i := 0; i < 3*keyword.MergeFactor; i++ {
		c := &Article{URL: fmt.Sprintf("https://example.com/n/%d", i), Title: fmt.Sprintf("Harbour report %d", i),
			Text: fmt.Sprintf("The harbour of town%d reopened after the storm. Ferries resumed on day %d. Officials praised the crews.", i, i)}
		if _, err := db.PutArticle(ctx, c); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	b.Text = "Only the bridge now."
	if _, err := db.PutArticle(ctx, b); err != nil {
		t.Fatal(err)
	}
	// A batch mixing an unchanged article, a failing one and a new one:
	// only the new one's passages are indexed.
	same := &Article{URL: "https://example.com/n/1", Title: "Harbour report 1",
		Text: "The harbour of town1 reopened after the storm. Ferries resumed on day 1. Officials praised the crews."}
	fresh := &Article{URL: "https://example.com/fresh", Title: "Lighthouse", Text: "The lighthouse keeper retired after forty years."}
	res, err := db.PutArticles(ctx, []*Article{same, {Title: "empty"}, fresh})
	if err != nil || res[0].Status != Unchanged || res[1].Err == nil || res[2].Status != Created {
		t.Fatalf("mixed batch: %+v, %v", res, err)
	}
	if err := db.RemoveArticle(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.RemoveArticle(ctx, ids[3]); err != nil {
		t.Fatal(err)
	}
	var segs int
	db.db.QueryRowContext(context.Background(), `SELECT count(*) FROM segments`).Scan(&segs)
	if segs >= keyword.MergeFactor {
		t.Errorf("%d segments after %d transactions: tiers are not merged", segs, 3*keyword.MergeFactor+5)
	}
	sameIndex(t, indexContents(t, db), rebuiltContents(t, db))

	// Searches see updates and removals.
	hits, err := db.Search(ctx, "Taurus missiles Kerch", Filter{GuildID: "*"})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hits {
		if h.Article.ID == a.ID {
			t.Errorf("a removed article was found")
		}
		if h.Article.ID == b.ID && strings.Contains(h.Passage.Text, "missiles") {
			t.Errorf("the old text of an updated article was found")
		}
	}
	hits, err = db.Search(ctx, "harbour town5 ferries", Filter{GuildID: "*"})
	if err != nil || len(hits) == 0 || hits[0].Article.ID != ids[5] {
		t.Fatalf("search after merges: %v, %v", hits, err)
	}
	hits, err = db.Search(ctx, "lighthouse keeper", Filter{GuildID: "*"})
	if err != nil || len(hits) != 1 || hits[0].Article.ID != fresh.ID {
		t.Fatalf("search for the article of a mixed batch: %v, %v", hits, err)
	}
	hits, _ = db.Search(ctx, "harbour town3", Filter{GuildID: "*"})
	for _, h := range hits {
		if h.Article.ID == ids[3] {
			t.Errorf("a removed article was found after merges")
		}
	}
}

func TestPassageIDsAreNeverReused(t *testing.T) { forEachBackend(t, testPassageIDsAreNeverReused) }

func testPassageIDsAreNeverReused(t *testing.T, db *DB) {
	ctx := context.Background()
	a := &Article{Title: "Zebra crossing", Text: "A zebra crossing was painted on the high street."}
	if _, err := db.PutArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	var first int64
	db.db.QueryRowContext(context.Background(), `SELECT max(id) FROM passages`).Scan(&first)
	if err := db.RemoveArticle(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	b := &Article{Title: "Budget vote", Text: "The council voted on the budget."}
	if _, err := db.PutArticle(ctx, b); err != nil {
		t.Fatal(err)
	}
	var next int64
	db.db.QueryRowContext(context.Background(), `SELECT max(id) FROM passages`).Scan(&next)
	if next <= first {
		t.Fatalf("passage id %d reused after removal (was %d)", next, first)
	}
	// The removed passage's postings must not surface the new one.
	hits, err := db.Search(ctx, "zebra crossing", Filter{GuildID: "*"})
	if err != nil || len(hits) != 0 {
		t.Fatalf("search for removed words: %v, %v", hits, err)
	}
}

// A database written before Herald kept its own index (schema version 5,
// FTS5) is indexed again when opened.
func TestOpenIndexesADatabaseFromBeforeTheOwnIndex(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	names, _ := fs.Glob(migrationFiles, "migrations/*.sql")
	sort.Strings(names)
	raw.Exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`)
	for i, name := range names[:5] {
		body, _ := migrationFiles.ReadFile(name)
		if _, err := raw.Exec(string(body)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		raw.Exec(`INSERT INTO schema_migrations VALUES (?, 0)`, i+1)
	}
	text := "Chancellor Olaf Scholz refused to send Taurus missiles. He feared escalation."
	if _, err := raw.Exec(`INSERT INTO articles(id, title, fetched_at, content_hash) VALUES (7, 'Scholz and the Taurus', 0, 'h')`); err != nil {
		t.Fatal(err)
	}
	// Version 5 stored chunks as plain text too (decodeChunk reads both).
	if _, err := raw.Exec(`INSERT INTO passages(id, article_id, seq, start, end, words, chunk) VALUES (41, 7, 0, 0, ?, 12, ?)`, len(text), text); err != nil {
		t.Fatal(err)
	}
	raw.Exec(`UPDATE stats SET passages = 1, tokens = 12, title_tokens = 4`)
	raw.Close()

	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	hits, err := db.Search(ctx, "Why did Scholz refuse the Taurus?", Filter{GuildID: "*"})
	if err != nil || len(hits) != 1 || hits[0].Article.ID != 7 {
		t.Fatalf("search in the migrated database: %v, %v", hits, err)
	}
	b := &Article{Title: "Another", Text: "Scholz spoke again about Taurus."}
	if _, err := db.PutArticle(ctx, b); err != nil {
		t.Fatal(err)
	}
	var maxID int64
	db.db.QueryRowContext(context.Background(), `SELECT max(id) FROM passages`).Scan(&maxID)
	if maxID <= 41 {
		t.Errorf("new passage id %d", maxID)
	}
}
