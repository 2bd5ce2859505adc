package keyword

import (
	"context"
	"fmt"
	"sort"
	"testing"
)

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
		top.Push(Scored{ID: int64(i), Score: s})
	}
	got := top.Sorted()
	want := []Scored{{6, 9}, {2, 9}, {4, 7}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("top 3 = %v, want %v", got, want)
	}
}

// A tier can merge segments around a bigger one it skips; merging the
// result with that one later must still give id-ordered lists.
func TestMergingInterleavedSegments(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	seg := func(lo, hi int64) segmentInfo {
		var b Builder
		for pid := lo; pid <= hi; pid++ {
			b.Add(pid, Analysis{Terms: []TermFreq{{term: "harbour", body: 1}, {term: fmt.Sprint("only", pid), body: 2}}, Words: 10})
		}
		if err := b.Seal().Write(ctx, tx, 0, nil); err != nil {
			t.Fatal(err)
		}
		var s segmentInfo
		tx.QueryRowContext(ctx, `SELECT id, passages, min_pid, max_pid, lang FROM segments ORDER BY id DESC LIMIT 1`).Scan(&s.id, &s.passages, &s.minPID, &s.maxPID, &s.lang)
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
	db := openTestDB(t)
	ctx := context.Background()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	term := func(i int) string { return fmt.Sprintf("t%05d", i) }
	big := func(i int) bool { return i%500 == 7 }
	write := func(lo, hi int64) segmentInfo {
		var b Builder
		for pid := lo; pid <= hi; pid++ {
			var tfs []TermFreq
			for i := 0; i < 6000; i++ {
				// Term i is in passage pid when pid%(i%5+1) == 0; big terms in all.
				if big(i) || pid%int64(i%5+1) == 0 && i%int(hi-lo+1) == int(pid-lo) {
					tfs = append(tfs, TermFreq{term: term(i), body: 1})
				}
			}
			b.Add(pid, Analysis{Terms: tfs, Words: 20})
		}
		if err := b.Seal().Write(ctx, tx, 0, nil); err != nil {
			t.Fatal(err)
		}
		var s segmentInfo
		tx.QueryRowContext(ctx, `SELECT id, passages, min_pid, max_pid, lang FROM segments ORDER BY id DESC LIMIT 1`).Scan(&s.id, &s.passages, &s.minPID, &s.maxPID, &s.lang)
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
		df, err := DF(ctx, db, "", probe)
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
		segs, err := lookupTerms(ctx, db, "", []string{term(7), term(8)}, true)
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
	tx, err = db.BeginTx(ctx, nil)
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
