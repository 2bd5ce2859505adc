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
)

// indexContents decodes every live posting: passage id → term → "body/title/length".
func indexContents(t *testing.T, db *DB) map[int64]map[string]string {
	t.Helper()
	ctx := context.Background()
	deleted := map[int64]bool{}
	rows, err := db.SQL().QueryContext(ctx, `SELECT id FROM deleted_passages`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		deleted[id] = true
	}
	rows.Close()
	rows, err = db.SQL().QueryContext(ctx, `SELECT s.min_pid, s.max_pid, p.term, p.n, p.data FROM postings p JOIN segments s ON s.id = p.seg`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]map[string]string{}
	for rows.Next() {
		var lo, hi int64
		var key string
		var rowN int
		var block []byte
		if err := rows.Scan(&lo, &hi, &key, &rowN, &block); err != nil {
			t.Fatal(err)
		}
		br := blockReader{data: block}
		entries := 0
		for {
			term, n, list, ok := br.next()
			if !ok {
				break
			}
			if entries == 0 && string(term) != key {
				t.Errorf("block keyed %q starts with %q", key, term)
			}
			entries++
			r := postingReader{data: list}
			got := 0
			for {
				pid, body, title, length, ok := r.next()
				if !ok {
					break
				}
				got++
				if pid < lo || pid > hi {
					t.Errorf("posting of %q for passage %d outside its segment [%d, %d]", term, pid, lo, hi)
				}
				if deleted[pid] {
					continue
				}
				if out[pid] == nil {
					out[pid] = map[string]string{}
				}
				if _, dup := out[pid][string(term)]; dup {
					t.Errorf("passage %d has two postings for %q", pid, term)
				}
				out[pid][string(term)] = fmt.Sprintf("%d/%d/%d", body, title, length)
			}
			if got != n {
				t.Errorf("entry for %q says %d postings, holds %d", term, n, got)
			}
			if rowN >= 0 && rowN != n {
				t.Errorf("row for %q says %d postings, its list %d", term, rowN, n)
			}
		}
		if entries == 0 || (rowN >= 0) != (entries == 1) {
			t.Errorf("block keyed %q: %d entries, n = %d", key, entries, rowN)
		}
	}
	return out
}

// rebuiltContents indexes the stored passages from scratch (in a
// transaction rolled back afterwards) and returns what that index holds.
func rebuiltContents(t *testing.T, db *DB) map[int64]map[string]string {
	t.Helper()
	ctx := context.Background()
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if err := rebuildPostings(ctx, tx); err != nil {
		t.Fatal(err)
	}
	// Read inside the transaction through a DB value that uses it.
	var segs int
	tx.QueryRowContext(ctx, `SELECT count(*) FROM segments`).Scan(&segs)
	out := map[int64]map[string]string{}
	rows, err := tx.QueryContext(ctx, `SELECT p.data FROM postings p`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var block []byte
		rows.Scan(&block)
		br := blockReader{data: block}
		for {
			term, _, list, ok := br.next()
			if !ok {
				break
			}
			r := postingReader{data: list}
			for {
				pid, body, title, length, ok := r.next()
				if !ok {
					break
				}
				if out[pid] == nil {
					out[pid] = map[string]string{}
				}
				out[pid][string(term)] = fmt.Sprintf("%d/%d/%d", body, title, length)
			}
		}
	}
	return out
}

func sameIndex(t *testing.T, got, want map[int64]map[string]string) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("index holds %d passages, the stored passages are %d", len(got), len(want))
	}
	for pid, terms := range want {
		for term, v := range terms {
			if got[pid][term] != v {
				t.Errorf("passage %d, term %q: index has %q, want %q", pid, term, got[pid][term], v)
			}
		}
		if len(got[pid]) != len(terms) {
			t.Errorf("passage %d: index has %d terms, want %d", pid, len(got[pid]), len(terms))
		}
	}
}

func TestIndexFollowsUpdatesRemovalsAndMerges(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	a := mustPutTaurus(t, db)
	b := &Article{URL: "https://example.com/b", Title: "Taurus and Kerch", Text: "The Kerch bridge was discussed. Taurus missiles again."}
	if _, err := db.PutArticle(ctx, b); err != nil {
		t.Fatal(err)
	}
	// Enough single-article transactions for several merges.
	var ids []int64
	for i := 0; i < 3*mergeFactor; i++ {
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
	db.SQL().QueryRow(`SELECT count(*) FROM segments`).Scan(&segs)
	if segs >= mergeFactor {
		t.Errorf("%d segments after %d transactions: tiers are not merged", segs, 3*mergeFactor+5)
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

func TestPassageIDsAreNeverReused(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	a := &Article{Title: "Zebra crossing", Text: "A zebra crossing was painted on the high street."}
	if _, err := db.PutArticle(ctx, a); err != nil {
		t.Fatal(err)
	}
	var first int64
	db.SQL().QueryRow(`SELECT max(id) FROM passages`).Scan(&first)
	if err := db.RemoveArticle(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	b := &Article{Title: "Budget vote", Text: "The council voted on the budget."}
	if _, err := db.PutArticle(ctx, b); err != nil {
		t.Fatal(err)
	}
	var next int64
	db.SQL().QueryRow(`SELECT max(id) FROM passages`).Scan(&next)
	if next <= first {
		t.Fatalf("passage id %d reused after removal (was %d)", next, first)
	}
	// The removed passage's postings must not surface the new one.
	hits, err := db.Search(ctx, "zebra crossing", Filter{GuildID: "*"})
	if err != nil || len(hits) != 0 {
		t.Fatalf("search for removed words: %v, %v", hits, err)
	}
}

func TestPostingsRoundTrip(t *testing.T) {
	var data []byte
	type p struct {
		pid         int64
		body, title uint16
		length      int
	}
	in := []p{{1, 1, 0, 10}, {2, 300, 1, 127}, {900, 0, 2, 128}, {1 << 40, 5, 3, 5000}}
	var last int64
	for _, x := range in {
		data = appendPosting(data, x.pid-last, x.body, x.title, lengthCode(x.length))
		last = x.pid
	}
	r := postingReader{data: data}
	for _, x := range in {
		pid, body, title, length, ok := r.next()
		if !ok || pid != x.pid || body != int(x.body) || title != int(x.title) {
			t.Fatalf("read %d %d %d %v, want %+v", pid, body, title, ok, x)
		}
		if got := lengthOf(length); got < x.length-4 && x.length < 1140 || x.length < 128 && got != x.length {
			t.Errorf("length %d read back as %d", x.length, got)
		}
	}
	if _, _, _, _, ok := r.next(); ok {
		t.Error("read past the end")
	}
	// Corrupt data ends the list instead of panicking.
	r = postingReader{data: data[:len(data)-1]}
	n := 0
	for {
		if _, _, _, _, ok := r.next(); !ok {
			break
		}
		n++
	}
	if n != len(in)-1 {
		t.Errorf("truncated list gave %d postings", n)
	}
}

func TestTopPassagesKeepsTheBest(t *testing.T) {
	top := newTopPassages(3)
	for i, s := range []float64{5, 1, 9, 3, 7, 2, 9} {
		top.push(scoredPassage{id: int64(i), score: s})
	}
	got := top.sorted()
	want := []scoredPassage{{6, 9}, {2, 9}, {4, 7}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("top 3 = %v, want %v", got, want)
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
	db.SQL().QueryRow(`SELECT max(id) FROM passages`).Scan(&maxID)
	if maxID <= 41 {
		t.Errorf("new passage id %d", maxID)
	}
}

// A tier can merge segments around a bigger one it skips; merging the
// result with that one later must still give id-ordered lists.
func TestMergingInterleavedSegments(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	seg := func(lo, hi int64) segmentInfo {
		var b segmentBuilder
		for pid := lo; pid <= hi; pid++ {
			b.add(pid, []termFreq{{term: "harbour", body: 1}, {term: fmt.Sprint("only", pid), body: 2}}, 10)
		}
		if err := b.seal().write(ctx, tx, 0, nil); err != nil {
			t.Fatal(err)
		}
		var s segmentInfo
		tx.QueryRowContext(ctx, `SELECT id, passages, min_pid, max_pid FROM segments ORDER BY id DESC LIMIT 1`).Scan(&s.id, &s.passages, &s.minPID, &s.maxPID)
		return s
	}
	a, b, c := seg(1, 3), seg(4, 6), seg(7, 9)
	if _, err := tx.ExecContext(ctx, `INSERT INTO deleted_passages(id) VALUES (5), (8)`); err != nil {
		t.Fatal(err)
	}
	if err := mergeGroup(ctx, tx, []segmentInfo{a, c}); err != nil {
		t.Fatal(err)
	}
	var m segmentInfo
	tx.QueryRowContext(ctx, `SELECT id, passages, min_pid, max_pid FROM segments ORDER BY id DESC LIMIT 1`).Scan(&m.id, &m.passages, &m.minPID, &m.maxPID)
	if m.passages != 5 || m.minPID != 1 || m.maxPID != 9 {
		t.Fatalf("merged segment %+v", m)
	}
	// 8 was dropped and is forgotten; 5 (in b, not merged) is still marked.
	var marked []int64
	rows, _ := tx.QueryContext(ctx, `SELECT id FROM deleted_passages ORDER BY id`)
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		marked = append(marked, id)
	}
	rows.Close()
	if fmt.Sprint(marked) != "[5]" {
		t.Fatalf("deleted passages after the first merge: %v", marked)
	}
	group := []segmentInfo{m, b}
	sort.Slice(group, func(i, j int) bool { return group[i].minPID < group[j].minPID })
	if err := mergeGroup(ctx, tx, group); err != nil {
		t.Fatal(err)
	}
	var block []byte
	if err := tx.QueryRowContext(ctx, `SELECT data FROM postings WHERE term <= 'harbour' ORDER BY term DESC LIMIT 1`).Scan(&block); err != nil {
		t.Fatal(err)
	}
	n, data, ok := findEntry(block, "harbour")
	if !ok {
		t.Fatal("harbour is not in the merged segment")
	}
	r := postingReader{data: data}
	var pids []int64
	for {
		pid, _, _, _, ok := r.next()
		if !ok {
			break
		}
		pids = append(pids, pid)
	}
	if got := fmt.Sprint(pids); got != "[1 2 3 4 6 7 9]" || n != 7 {
		t.Errorf("merged list %s (n=%d), want [1 2 3 4 6 7 9]", got, n)
	}
}

// Blocks: many small lists share rows, big ones have their own; lookups
// find every list (and no absent term) before, inside and after blocks,
// and a merge pages through more blocks than it reads at once.
func TestBlocksLookupAndMerge(t *testing.T) {
	db := MustOpenDB(t)
	ctx := context.Background()
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	term := func(i int) string { return fmt.Sprintf("t%05d", i) }
	big := func(i int) bool { return i%500 == 7 }
	write := func(lo, hi int64) segmentInfo {
		var b segmentBuilder
		for pid := lo; pid <= hi; pid++ {
			var tfs []termFreq
			for i := 0; i < 6000; i++ {
				// Term i is in passage pid when pid%(i%5+1) == 0; big terms in all.
				if big(i) || pid%int64(i%5+1) == 0 && i%int(hi-lo+1) == int(pid-lo) {
					tfs = append(tfs, termFreq{term: term(i), body: 1})
				}
			}
			b.add(pid, tfs, 20)
		}
		if err := b.seal().write(ctx, tx, 0, nil); err != nil {
			t.Fatal(err)
		}
		var s segmentInfo
		tx.QueryRowContext(ctx, `SELECT id, passages, min_pid, max_pid FROM segments ORDER BY id DESC LIMIT 1`).Scan(&s.id, &s.passages, &s.minPID, &s.maxPID)
		return s
	}
	a := write(1, 1500)
	b := write(1501, 3000)
	var rows, single int
	tx.QueryRowContext(ctx, `SELECT count(*), sum(n >= 0) FROM postings`).Scan(&rows, &single)
	if rows > 400 || single < 24 {
		t.Errorf("%d rows (%d of one list) for two segments of 6,000 terms", rows, single)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	want := func(i int) int { // postings of term i over both segments
		if big(i) {
			return 3000
		}
		n := 0
		for pid := int64(1); pid <= 3000; pid++ {
			lo := int64(1)
			if pid > 1500 {
				lo = 1501
			}
			if pid%int64(i%5+1) == 0 && i%1500 == int(pid-lo) {
				n++
			}
		}
		return n
	}
	check := func(stage string) {
		t.Helper()
		probe := []string{"a", term(0), term(7), term(8), term(1499), term(2999), term(5507), term(5999), "zzz", "t00007x"}
		df, err := termDF(ctx, db.SQL(), probe)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range probe {
			var i int
			exp := 0
			if _, err := fmt.Sscanf(p, "t%05d", &i); err == nil && len(p) == 6 {
				exp = want(i)
			}
			if df[p] != exp {
				t.Errorf("%s: df(%s) = %d, want %d", stage, p, df[p], exp)
			}
		}
		segs, err := lookupTerms(ctx, db.SQL(), []string{term(7), term(8)}, true)
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		for _, s := range segs {
			r := postingReader{data: s.lists[term(7)]}
			for {
				if _, _, _, _, ok := r.next(); !ok {
					break
				}
				got++
			}
		}
		if got != 3000 {
			t.Errorf("%s: the big list holds %d postings, want 3000", stage, got)
		}
	}
	check("two segments")
	tx, err = db.SQL().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := mergeGroup(ctx, tx, []segmentInfo{a, b}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	check("merged")
}
