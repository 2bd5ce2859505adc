package knowledge

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/herald-bot/herald/knowledge/internal/sqldb"
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

// The statistics BM25 uses stay exact when an article's headline changes
// and when it is removed: nothing is left once every article is gone.
func TestIndexStatisticsFollowTitleChangesAndRemovals(t *testing.T) {
	forEachBackend(t, testIndexStatisticsFollowTitleChangesAndRemovals)
}

func testIndexStatisticsFollowTitleChangesAndRemovals(t *testing.T, db *DB) {
	ctx := context.Background()
	a := &Article{URL: "https://example.com/a", Title: "Short", Text: "The harbour reopened after the storm. Ferries resumed."}
	if _, err := db.PutArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	a.Title = "A much longer headline about the harbour that reopened after the great storm of the winter"
	if _, err := db.PutArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	b := &Article{URL: "https://example.com/b", Title: "Streik bei der Bahn", Text: "Die Lokführer streiken seit Montag. Die Offiziere der Gewerkschaft verhandeln.", Language: "de"}
	if _, err := db.PutArticle(ctx, b); err != nil {
		t.Fatal(err)
	}
	b.Title = "Streiks"
	if _, err := db.PutArticle(ctx, b); err != nil {
		t.Fatal(err)
	}
	stats, err := keyword.ReadStats(ctx, db.db)
	if err != nil {
		t.Fatal(err)
	}
	if en, de := stats["en"], stats["de"]; en.Passages != 1 || en.TitleTokens != 16 || de.Passages != 1 || de.TitleTokens != 1 {
		t.Errorf("statistics after two headline changes: %+v", stats)
	}
	for _, id := range []int64{a.ID, b.ID} {
		if err := db.RemoveArticle(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	stats, err = keyword.ReadStats(ctx, db.db)
	if err != nil {
		t.Fatal(err)
	}
	for lang, s := range stats {
		if s.Passages != 0 || s.Tokens != 0 || s.TitleTokens != 0 {
			t.Errorf("statistics of %q with no passages left: %+v", lang, s)
		}
	}
	df, err := keyword.DF(ctx, db.db, "en", []string{"harbour", "storm", "ferri"})
	if err != nil || len(df) != 0 {
		t.Errorf("document frequencies with no passages left: %v, %v", df, err)
	}
}

// synthArticle writes article i of a synthetic news corpus in English or
// German, version v (an update rewrites some sentences and the headline).
func synthArticle(rng *rand.Rand, i, v int) *Article {
	en := [][]string{
		{"The council", "The minister", "Police", "The union", "Voters", "The mayor", "Engineers", "The court"},
		{"approved", "rejected", "discussed", "delayed", "defended", "criticised", "announced", "investigated"},
		{"the new ferry terminal", "the budget", "a strike", "the bridge repairs", "the missile deliveries", "the election results", "the harbour plan", "the defence contract"},
		{"on Monday.", "after a long debate.", "in the capital.", "despite protests.", "for the second time.", "this week.", "before the storm.", "at the summit."},
	}
	de := [][]string{
		{"Der Stadtrat", "Die Ministerin", "Die Polizei", "Die Gewerkschaft", "Die Wähler", "Der Bürgermeister", "Die Offiziere", "Das Gericht"},
		{"genehmigte", "lehnte", "diskutierte", "verschob", "verteidigte", "kritisierte", "verkündete", "prüfte"},
		{"den neuen Fährhafen", "den Haushalt", "einen Streik", "die Brückenreparatur", "die Lieferung von Taurus-Marschflugkörpern", "das Wahlergebnis", "den Hafenplan", "den Rüstungsvertrag"},
		{"am Montag.", "nach langer Debatte.", "in der Hauptstadt.", "trotz Protesten.", "zum zweiten Mal.", "in dieser Woche.", "vor dem Sturm.", "beim Gipfel."},
	}
	words, lang := en, "en"
	if i%3 == 0 {
		words, lang = de, "de"
	}
	sentence := func() string {
		var parts []string
		for _, w := range words {
			parts = append(parts, w[rng.IntN(len(w))])
		}
		return strings.Join(parts, " ")
	}
	var sb strings.Builder
	for s := 0; s < 6+rng.IntN(30); s++ {
		sb.WriteString(sentence())
		sb.WriteString(fmt.Sprintf(" Item%d was noted. ", i))
	}
	return &Article{
		URL:         fmt.Sprintf("https://example.com/%s/%d", lang, i),
		Title:       fmt.Sprintf("%s (%d, v%d)", strings.TrimSuffix(sentence(), "."), i, v),
		Text:        sb.String(),
		Language:    lang,
		PublishedAt: time.Date(2022, 6, 1+i%28, 0, 0, 0, 0, time.UTC),
	}
}

// rankingKeys names hits by article URL and score, ties in URL order, so
// that two stores with other passage ids compare equal.
func rankingKeys(hits []Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = fmt.Sprintf("%.12g %s", h.Score, h.Article.URL)
	}
	sort.SliceStable(out, func(i, j int) bool {
		var a, b float64
		fmt.Sscan(out[i], &a)
		fmt.Sscan(out[j], &b)
		if a != b {
			return a > b
		}
		return out[i] < out[j]
	})
	return out
}

// After any sequence of updates, removals and re-additions, across merges,
// a store ranks every question exactly as a fresh store of the same
// articles: same articles, same scores.
func TestUpdatedStoreRanksLikeAFreshOne(t *testing.T) {
	forEachBackendFresh(t, testUpdatedStoreRanksLikeAFreshOne)
}

func testUpdatedStoreRanksLikeAFreshOne(t *testing.T, open func() *DB) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(12, 34))
	db := open()
	current := map[int]*Article{}
	version := map[int]int{}
	put := func(batch []*Article) {
		t.Helper()
		if _, err := db.PutArticles(ctx, batch); err != nil {
			t.Fatal(err)
		}
	}
	// A bulk load, then single writes (each a segment: tiers merge).
	var batch []*Article
	for i := 0; i < 240; i++ {
		a := synthArticle(rng, i, 0)
		current[i] = a
		batch = append(batch, a)
	}
	put(batch)
	removed := map[int]bool{}
	for step := 0; step < 3*keyword.MergeFactor*4; step++ {
		i := rng.IntN(240)
		switch {
		case removed[i] && step%3 != 0:
			continue
		case removed[i]: // re-add
			a := synthArticle(rng, i, version[i])
			put([]*Article{a})
			current[i], removed[i] = a, false
		case step%4 == 0: // remove
			if err := db.RemoveArticle(ctx, current[i].ID); err != nil {
				t.Fatal(err)
			}
			removed[i] = true
		default: // update text and headline
			version[i]++
			a := synthArticle(rng, i, version[i])
			put([]*Article{a})
			current[i] = a
		}
	}
	fresh := open()
	var all []*Article
	for i := 0; i < 240; i++ {
		if !removed[i] {
			a := *current[i]
			a.ID = 0
			all = append(all, &a)
		}
	}
	if _, err := fresh.PutArticles(ctx, all); err != nil {
		t.Fatal(err)
	}
	var marked int
	db.db.QueryRowContext(ctx, `SELECT count(*) FROM deleted_passages`).Scan(&marked)
	if marked == 0 {
		t.Fatal("no removed passage waits in a segment: the test does not test what it should")
	}
	questions := []string{
		"Why did the council reject the ferry terminal?", "missile deliveries criticised by the minister",
		"defense contract investigated", "strike announced this week", "Item17 noted", "bridge repairs delayed after a long debate",
		"Warum verschob der Stadtrat den Haushalt?", "Streiks der Gewerkschaft", "Lieferung von Taurus-Marschflugkörpern",
		"Offizieren im Rüstungsvertrag", "Item34 Item35", "Wähler Wahlergebnis Gipfel",
	}
	same := 0
	for _, q := range questions {
		for _, f := range []Filter{{GuildID: "*"}, {GuildID: "*", Since: time.Date(2022, 6, 10, 0, 0, 0, 0, time.UTC)}} {
			got, err := db.Search(ctx, q, f)
			if err != nil {
				t.Fatal(err)
			}
			want, err := fresh.Search(ctx, q, f)
			if err != nil {
				t.Fatal(err)
			}
			if len(want) == 0 && !strings.HasPrefix(q, "Item") {
				t.Errorf("%q finds nothing in the fresh store", q)
			}
			if g, w := rankingKeys(got), rankingKeys(want); fmt.Sprint(g) != fmt.Sprint(w) {
				t.Errorf("%q, filter %+v:\nupdated %v\n  fresh %v", q, f, g, w)
			} else {
				same++
			}
		}
	}
	t.Logf("%d of %d rankings the same as a fresh store's; %d removed passages wait in segments", same, 2*len(questions), marked)
}

// A database of the schema before the index per language (version 6,
// unstemmed terms, no languages) is re-indexed once when opened: articles
// without a language get theirs, and inflected forms then meet. On
// PostgreSQL too: a database made by a Herald of that schema (its
// migrations 0001 to 0006) is re-indexed in the transaction of migration
// 0011.
func TestOpenReindexesADatabaseOfThePreviousSchema(t *testing.T) {
	forEachDSN(t, testOpenReindexesADatabaseOfThePreviousSchema)
}

func testOpenReindexesADatabaseOfThePreviousSchema(t *testing.T, path string) {
	ctx := context.Background()
	raw, dialect := schemaAt(t, path, 7) // the schema of migrations 0001 to 0006
	texts := map[int]string{
		7: "The defence minister said the recording was intercepted through an unauthorized connection. He called it a hybrid attack.",
		8: "Die Lokführer streiken seit Montag bei der Bahn. Die Gewerkschaft will die Streiks bis Freitag fortsetzen, sagte ihr Vorsitzender.",
	}
	for id, text := range texts {
		if _, err := raw.ExecContext(ctx, `INSERT INTO articles(id, title, fetched_at, content_hash) VALUES (?, ?, 0, ?)`, id, fmt.Sprint("Article ", id), fmt.Sprint("h", id)); err != nil {
			t.Fatal(err)
		}
		var chunk any = text // SQLite's version 6 could hold plain text (decodeChunk reads both)
		if dialect == sqldb.Postgres {
			chunk = []byte(text)
		}
		if _, err := raw.ExecContext(ctx, `INSERT INTO passages(id, article_id, seq, start, "end", words, chunk) VALUES (?, ?, 0, 0, ?, 18, ?)`, 40+id, id, len(text), chunk); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := raw.ExecContext(ctx, `UPDATE stats SET passages = 2, tokens = 36, title_tokens = 4, last_passage = 48`); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	var logs strings.Builder
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
	db, err := Open(ctx, path)
	slog.SetDefault(old)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if !strings.Contains(logs.String(), "re-indexing every passage once") || !strings.Contains(logs.String(), "passages=2") {
		t.Errorf("no log line of the re-indexing:\n%s", logs.String())
	}
	for id, want := range map[int64]string{7: "en", 8: "de"} {
		var lang string
		db.db.QueryRowContext(ctx, `SELECT language FROM articles WHERE id = ?`, id).Scan(&lang)
		if lang != want {
			t.Errorf("article %d has language %q, want %q", id, lang, want)
		}
	}
	for q, want := range map[string]int64{
		"How was the recording intercepted, according to the defense minister?": 7,
		"Wie lange dauert der Streik?":                                          8,
	} {
		hits, err := db.Search(ctx, q, Filter{GuildID: "*"})
		if err != nil || len(hits) == 0 || hits[0].Article.ID != want {
			t.Errorf("%q in the re-indexed database: %v, %v", q, hits, err)
		}
	}
	db.Close()
	logs.Reset()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, nil)))
	again, err := Open(ctx, path)
	slog.SetDefault(old)
	if err != nil {
		t.Fatal(err)
	}
	again.Close()
	if strings.Contains(logs.String(), "re-indexing") {
		t.Errorf("opened again, the database is re-indexed again:\n%s", logs.String())
	}
}
